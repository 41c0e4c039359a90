//! What a client asks for: the JSON body of `POST /greetings`, and its `Idempotency-Key`.

use serde::{Deserialize, Serialize};

use crate::RawRequest;
use crate::body::{self, InputError, MAX_BODY_BYTES};

/// The header that makes a POST safe to retry (the IETF's `Idempotency-Key` draft).
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// The longest name a greeting keeps, in characters.
const MAX_NAME_CHARS: usize = 100;
/// The longest life a client may give a greeting: a year.
const MAX_TTL_SECONDS: u64 = 365 * 24 * 60 * 60;
/// The longest key, in bytes: enough for any UUID or hash a client would send.
const MAX_KEY_BYTES: usize = 255;

/// A greeting to store: `{"name": "...", "ttlSeconds": 300}`, where `ttlSeconds` is optional
/// and a greeting without it is kept until it is deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GreetingRequest {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds: Option<u64>,
}

impl GreetingRequest {
    /// Reads the request's JSON body, or says what is wrong with it: a 415 for another media
    /// type, a 413 for too large a body, a 400 for JSON that is broken or says the wrong thing.
    ///
    /// # Errors
    /// The [`InputError`] whose status and message the client gets.
    pub fn from_request(request: &RawRequest<'_>) -> Result<Self, InputError> {
        if request.body.len() > MAX_BODY_BYTES {
            return Err(InputError::BodyTooLarge {
                size: request.body.len(),
            });
        }
        let content_type = request.header("content-type");
        if !content_type.is_some_and(body::is_json_media_type) {
            return Err(InputError::UnsupportedMediaType {
                content_type: content_type.map(str::to_owned),
            });
        }
        // Parsing twice tells broken JSON (400, with line and column) from JSON of the wrong
        // shape (400, with the field): a client fixes the two differently.
        serde_json::from_slice::<&serde_json::value::RawValue>(request.body)
            .map_err(|error| body::malformed_json(&error))?;
        let asked: Self = serde_json::from_slice(request.body).map_err(|error| invalid(&error))?;
        asked.validated()
    }

    fn validated(self) -> Result<Self, InputError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(InputError::Invalid {
                reason: "name must not be empty".to_owned(),
            });
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(InputError::Invalid {
                reason: format!("name must be at most {MAX_NAME_CHARS} characters"),
            });
        }
        if let Some(ttl) = self.ttl_seconds
            && !(1..=MAX_TTL_SECONDS).contains(&ttl)
        {
            return Err(InputError::Invalid {
                reason: format!("ttlSeconds must be between 1 and {MAX_TTL_SECONDS}"),
            });
        }
        Ok(Self {
            name: name.to_owned(),
            ..self
        })
    }

    /// What a replay must match: the request as the service understood it, so a retry that
    /// differs only in spacing or key order is the same request.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

fn invalid(error: &serde_json::Error) -> InputError {
    let full = error.to_string();
    let reason = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(reason, _)| reason);
    InputError::Invalid {
        reason: format!("request body does not describe a greeting: {reason}"),
    }
}

/// A client's `Idempotency-Key`: visible ASCII, 1 to 255 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The request's key, if it sent one.
    ///
    /// # Errors
    /// A 400 for a key that is empty, too long or not visible ASCII.
    pub fn from_request(request: &RawRequest<'_>) -> Result<Option<Self>, InputError> {
        let Some(key) = request.header(IDEMPOTENCY_KEY_HEADER) else {
            return Ok(None);
        };
        let key = key.trim();
        if key.is_empty() || key.len() > MAX_KEY_BYTES || !key.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(InputError::Invalid {
                reason: format!(
                    "Idempotency-Key must be 1 to {MAX_KEY_BYTES} visible ASCII characters"
                ),
            });
        }
        Ok(Some(Self(key.to_owned())))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post<'a>(content_type: &'a str, body: &'a str) -> RawRequest<'a> {
        RawRequest {
            body: body.as_bytes(),
            ..RawRequest::new("POST", "/greetings", "req-1", "test")
                .with_headers(&[("Content-Type", content_type)])
        }
    }

    fn status_of(result: Result<GreetingRequest, InputError>) -> u16 {
        result.err().map_or(0, |error| error.status())
    }

    #[test]
    fn a_name_is_all_a_greeting_needs() {
        let asked = GreetingRequest::from_request(&post("application/json", r#"{"name":" Ada "}"#));
        assert_eq!(
            asked,
            Ok(GreetingRequest {
                name: "Ada".to_owned(),
                ttl_seconds: None
            })
        );
    }

    #[test]
    fn another_media_type_is_a_415_that_names_it() {
        let error = GreetingRequest::from_request(&post("text/plain", r#"{"name":"Ada"}"#)).err();
        assert_eq!(error.as_ref().map(InputError::status), Some(415));
        assert!(error.is_some_and(|e| e.to_string().contains("text/plain")));
        let unlabelled = RawRequest::new("POST", "/greetings", "req-1", "test");
        let error = GreetingRequest::from_request(&unlabelled).err();
        assert!(error.is_some_and(|e| e.status() == 415 && e.to_string().contains("unlabelled")));
    }

    #[test]
    fn broken_json_is_a_400_that_says_where() {
        let error = GreetingRequest::from_request(&post("application/json", "{\"name\":")).err();
        assert!(
            matches!(error, Some(InputError::MalformedJson { line: 1, .. })),
            "{error:?}"
        );
    }

    #[test]
    fn json_of_the_wrong_shape_is_a_400_that_names_the_field() {
        for (body, field) in [
            (r#"{"nom":"Ada"}"#, "nom"),
            ("{}", "name"),
            (r#"{"name":7}"#, "string"),
            (r#"{"name":"  "}"#, "empty"),
            (r#"{"name":"Ada","ttlSeconds":0}"#, "ttlSeconds"),
        ] {
            let error = GreetingRequest::from_request(&post("application/json", body)).err();
            let message = error.as_ref().map(ToString::to_string).unwrap_or_default();
            assert_eq!(error.map(|e| e.status()), Some(400), "{body}");
            assert!(message.contains(field), "{body}: {message}");
        }
    }

    #[test]
    fn a_name_longer_than_the_limit_is_a_400() {
        let body = format!(r#"{{"name":"{}"}}"#, "é".repeat(MAX_NAME_CHARS + 1));
        assert_eq!(
            status_of(GreetingRequest::from_request(&post(
                "application/json",
                &body
            ))),
            400
        );
    }

    #[test]
    fn too_large_a_body_is_a_413_before_it_is_parsed() {
        let body = " ".repeat(MAX_BODY_BYTES + 1);
        assert_eq!(
            status_of(GreetingRequest::from_request(&post(
                "application/json",
                &body
            ))),
            413
        );
    }

    #[test]
    fn the_fingerprint_ignores_spacing_and_key_order() {
        let one = GreetingRequest::from_request(&post(
            "application/json",
            r#"{"name":"Ada","ttlSeconds":60}"#,
        ));
        let two = GreetingRequest::from_request(&post(
            "application/json",
            r#"{ "ttlSeconds": 60, "name": "Ada" }"#,
        ));
        assert_eq!(one.map(|r| r.fingerprint()), two.map(|r| r.fingerprint()));
    }

    #[test]
    fn a_key_is_read_whatever_the_header_case() {
        let request = RawRequest::new("POST", "/greetings", "req-1", "test")
            .with_headers(&[("Idempotency-Key", "abc-123")]);
        assert_eq!(
            IdempotencyKey::from_request(&request)
                .ok()
                .flatten()
                .as_ref()
                .map(IdempotencyKey::as_str),
            Some("abc-123")
        );
    }

    #[test]
    fn no_key_is_not_an_error() {
        let request = RawRequest::new("POST", "/greetings", "req-1", "test");
        assert_eq!(IdempotencyKey::from_request(&request), Ok(None));
    }

    #[test]
    fn an_unusable_key_is_a_400() {
        let long = "k".repeat(MAX_KEY_BYTES + 1);
        for key in ["", "with space", "ключ", long.as_str()] {
            let request = RawRequest::new("POST", "/greetings", "req-1", "test")
                .with_headers(&[("Idempotency-Key", key)]);
            let status = IdempotencyKey::from_request(&request)
                .err()
                .map(|e| e.status());
            assert_eq!(status, Some(400), "{key:?}");
        }
    }
}
