//! How a request body becomes the `body` field of the echoed event.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::value::RawValue;

/// The largest decoded body the service accepts: 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Why a request cannot be greeted. Each variant is the client's fault, never the server's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// The body declares a JSON media type but does not parse.
    MalformedJson {
        reason: String,
        line: usize,
        column: usize,
    },
    /// The decoded body is larger than [`MAX_BODY_BYTES`].
    BodyTooLarge { size: usize },
    /// A route that reads JSON was sent another media type, or none.
    UnsupportedMediaType { content_type: Option<String> },
    /// The JSON parses but does not say what the route needs, or a header is unusable.
    Invalid { reason: String },
}

impl InputError {
    /// The HTTP status that tells the client what it did: the one place this is decided.
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Self::MalformedJson { .. } | Self::Invalid { .. } => 400,
            Self::BodyTooLarge { .. } => 413,
            Self::UnsupportedMediaType { .. } => 415,
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MalformedJson {
                reason,
                line,
                column,
            } => write!(
                f,
                "request body is not valid JSON: {reason} at line {line}, column {column}"
            ),
            Self::BodyTooLarge { size } => write!(
                f,
                "request body is {size} bytes, over the limit of {MAX_BODY_BYTES} bytes"
            ),
            Self::UnsupportedMediaType { content_type } => write!(
                f,
                "request body must be application/json, not {}",
                content_type.as_deref().unwrap_or("unlabelled")
            ),
            Self::Invalid { reason } => f.write_str(reason),
        }
    }
}

impl std::error::Error for InputError {}

/// What the service understood of a body, serialised as the contract's `body` field.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Body {
    /// Absent or empty: `null`.
    Empty,
    /// A JSON body, validated and kept as the client wrote it: echoing it writes the same
    /// bytes back, with no tree built in between.
    Json(Box<RawValue>),
    /// Any other valid UTF-8.
    Text(String),
    /// Bytes that are not UTF-8, as `{"base64": "..."}`.
    Binary { base64: String },
}

impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Empty, Self::Empty) => true,
            (Self::Json(left), Self::Json(right)) => left.get() == right.get(),
            (Self::Text(left), Self::Text(right))
            | (Self::Binary { base64: left }, Self::Binary { base64: right }) => left == right,
            _ => false,
        }
    }
}

/// Interprets raw body bytes according to the request's `Content-Type`.
pub(crate) fn interpret(bytes: &[u8], content_type: Option<&str>) -> Result<Body, InputError> {
    if bytes.len() > MAX_BODY_BYTES {
        return Err(InputError::BodyTooLarge { size: bytes.len() });
    }
    if bytes.is_empty() {
        return Ok(Body::Empty);
    }
    if content_type.is_some_and(is_json_media_type) {
        // Validating into a borrowed RawValue parses without building anything; one copy keeps it.
        return serde_json::from_slice::<&RawValue>(bytes)
            .map(|raw| Body::Json(raw.to_owned()))
            .map_err(|error| malformed_json(&error));
    }
    Ok(match std::str::from_utf8(bytes) {
        Ok(text) => Body::Text(text.to_owned()),
        Err(_) => Body::Binary {
            base64: STANDARD.encode(bytes),
        },
    })
}

/// `application/json` or any structured `+json` type, parameters such as charset allowed.
pub(crate) fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.split_once('/') {
        Some((kind, subtype)) if !kind.is_empty() => {
            subtype == "json" && kind == "application"
                || subtype.len() > "+json".len() && subtype.ends_with("+json")
        }
        _ => false,
    }
}

pub(crate) fn malformed_json(error: &serde_json::Error) -> InputError {
    // serde_json's Display appends " at line L column C"; keep the reason on its own.
    let full = error.to_string();
    let reason = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(reason, _)| reason);
    InputError::MalformedJson {
        reason: reason.to_owned(),
        line: error.line(),
        column: error.column(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const JSON: Option<&str> = Some("application/json");

    /// The body as the contract's JSON shows it.
    fn shown(body: Result<Body, InputError>) -> Result<Value, InputError> {
        body.map(|body| serde_json::to_value(body).unwrap_or_default())
    }

    #[test]
    fn an_empty_body_is_null_whatever_its_type() {
        assert_eq!(interpret(b"", JSON), Ok(Body::Empty));
        assert_eq!(shown(interpret(b"", None)), Ok(Value::Null));
    }

    #[test]
    fn a_json_body_is_parsed() {
        assert_eq!(
            shown(interpret(br#"{"a":[1,2]}"#, JSON)),
            Ok(json!({"a": [1, 2]}))
        );
    }

    #[test]
    fn a_json_body_is_echoed_as_the_client_wrote_it() {
        let body = interpret(br#"{"b": 2.50, "a": [1]}"#, JSON).expect("JSON");
        assert!(
            matches!(&body, Body::Json(raw) if raw.get() == r#"{"b": 2.50, "a": [1]}"#),
            "{body:?}"
        );
    }

    #[test]
    fn json_media_types_with_parameters_or_a_json_suffix_are_parsed() {
        for content_type in [
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/problem+json",
            "application/vnd.api+json;version=2",
        ] {
            assert_eq!(
                shown(interpret(b"[true]", Some(content_type))),
                Ok(json!([true])),
                "{content_type}"
            );
        }
    }

    #[test]
    fn lookalike_media_types_are_not_json() {
        for content_type in [
            "text/json-ish",
            "application/jsonx",
            "application/+json",
            "/json",
            "json",
        ] {
            assert_eq!(
                interpret(b"[true]", Some(content_type)),
                Ok(Body::Text("[true]".to_owned())),
                "{content_type}"
            );
        }
    }

    #[test]
    fn text_without_a_json_type_is_kept_as_a_string() {
        assert_eq!(
            shown(interpret(b"name=world", None)),
            Ok(json!("name=world"))
        );
        assert_eq!(
            interpret("héllo".as_bytes(), Some("text/plain")),
            Ok(Body::Text("héllo".to_owned()))
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_are_base64_encoded() {
        assert_eq!(
            shown(interpret(
                &[0xff, 0x00, 0xfe],
                Some("application/octet-stream")
            )),
            Ok(json!({"base64": "/wD+"}))
        );
    }

    #[test]
    fn malformed_json_reports_what_and_where() {
        let error = interpret(b"{\n  \"a\": [1, 2,, 3]\n}", JSON).expect_err("not JSON");
        assert_eq!(
            error,
            InputError::MalformedJson {
                reason: "expected value".to_owned(),
                line: 2,
                column: 14
            }
        );
        assert_eq!(
            error.to_string(),
            "request body is not valid JSON: expected value at line 2, column 14"
        );
    }

    #[test]
    fn non_utf8_bytes_under_a_json_type_are_malformed_json() {
        let error = interpret(&[b'"', 0xff, b'"'], JSON).expect_err("not UTF-8");
        assert!(
            matches!(error, InputError::MalformedJson { line: 1, .. }),
            "{error:?}"
        );
    }

    #[test]
    fn a_body_of_exactly_the_limit_is_accepted() {
        let body = vec![b'a'; MAX_BODY_BYTES];
        assert!(interpret(&body, None).is_ok());
    }

    #[test]
    fn a_body_one_byte_over_the_limit_is_refused_with_its_size() {
        let body = vec![b'a'; MAX_BODY_BYTES + 1];
        let error = interpret(&body, None).expect_err("too large");
        assert_eq!(error, InputError::BodyTooLarge { size: 1_048_577 });
        assert_eq!(
            error.to_string(),
            "request body is 1048577 bytes, over the limit of 1048576 bytes"
        );
    }

    #[test]
    fn each_input_error_has_its_own_client_error_status() {
        let malformed = interpret(b"{", JSON).expect_err("not JSON");
        let too_large = interpret(&vec![b'a'; MAX_BODY_BYTES + 1], None).expect_err("too large");
        assert_eq!((malformed.status(), too_large.status()), (400, 413));
    }

    #[test]
    fn an_unsupported_media_type_is_a_415_that_names_the_type_it_was_sent() {
        let labelled = InputError::UnsupportedMediaType {
            content_type: Some("text/csv".to_owned()),
        };
        let unlabelled = InputError::UnsupportedMediaType { content_type: None };
        assert_eq!((labelled.status(), unlabelled.status()), (415, 415));
        assert!(labelled.to_string().contains("text/csv"));
        assert!(unlabelled.to_string().contains("unlabelled"));
    }

    #[test]
    fn an_invalid_request_is_a_400_that_says_only_its_reason() {
        let invalid = InputError::Invalid {
            reason: "name must not be empty".to_owned(),
        };
        assert_eq!(invalid.status(), 400);
        assert_eq!(invalid.to_string(), "name must not be empty");
    }

    #[test]
    fn bodies_of_different_kinds_are_not_equal() {
        let json = interpret(b"1", JSON).expect("JSON");
        assert_ne!(json, Body::Text("1".to_owned()));
        assert_ne!(
            Body::Empty,
            Body::Binary {
                base64: String::new()
            }
        );
        assert_eq!(json, interpret(b"1", JSON).expect("JSON"));
    }
}
