//! The provider-neutral view of one HTTP request.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::body::{self, InputError};
use crate::headers::{self, HeaderValues};

/// An HTTP request as any carrier can describe it, before it is interpreted.
///
/// The adapter fills one of these from whatever event delivered the request; the core then
/// decides what it means with [`HttpEvent::try_from`].
#[derive(Debug, Clone, Default)]
pub struct RawRequest<'a> {
    pub method: &'a str,
    /// The path as the client asked for it, without any deployment prefix such as a stage.
    pub path: &'a str,
    /// Query parameters in the order they were given; a name may repeat.
    pub query: Vec<(&'a str, &'a str)>,
    /// Header lines in the order they were given; a name may repeat, in any case.
    pub headers: Vec<(&'a str, &'a str)>,
    /// The body after any transport encoding (such as base64) has been undone.
    pub body: &'a [u8],
    pub request_id: &'a str,
    /// Which kind of event carried the request, in the adapter's words.
    pub carrier: &'a str,
}

impl<'a> RawRequest<'a> {
    #[must_use]
    pub fn new(method: &'a str, path: &'a str, request_id: &'a str, carrier: &'a str) -> Self {
        Self {
            method,
            path,
            request_id,
            carrier,
            ..Self::default()
        }
    }
}

/// What the service understood of a request. This is what it echoes as `input`.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpEvent {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, Vec<String>>,
    pub headers: HeaderValues,
    pub body: Value,
    pub request_context: RequestContext,
}

/// Where the request came from: enough to trace it, nothing a client sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    pub request_id: String,
    pub carrier: String,
}

impl TryFrom<RawRequest<'_>> for HttpEvent {
    type Error = InputError;

    fn try_from(raw: RawRequest<'_>) -> Result<Self, Self::Error> {
        let headers = headers::normalise(raw.headers);
        let content_type = headers
            .get("content-type")
            .and_then(|values| values.first())
            .map(String::as_str);
        let body = body::interpret(raw.body, content_type)?;
        let mut query = BTreeMap::<String, Vec<String>>::new();
        for (name, value) in raw.query {
            query
                .entry(name.to_owned())
                .or_default()
                .push(value.to_owned());
        }
        Ok(Self {
            method: raw.method.to_owned(),
            path: raw.path.to_owned(),
            query,
            headers,
            body,
            request_context: RequestContext {
                request_id: raw.request_id.to_owned(),
                carrier: raw.carrier.to_owned(),
            },
        })
    }
}

impl From<HttpEvent> for Value {
    /// Moves the body into place: `json!` would deep-copy it, a third of the cost of a large one.
    fn from(event: HttpEvent) -> Self {
        let request_context = json!({
            "requestId": event.request_context.request_id,
            "carrier": event.request_context.carrier,
        });
        Value::Object(Map::from_iter([
            ("method".to_owned(), Value::String(event.method)),
            ("path".to_owned(), Value::String(event.path)),
            ("query".to_owned(), json!(event.query)),
            ("headers".to_owned(), json!(event.headers)),
            ("body".to_owned(), event.body),
            ("requestContext".to_owned(), request_context),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MAX_BODY_BYTES, REDACTED};

    fn raw() -> RawRequest<'static> {
        RawRequest::new("POST", "/hello", "req-1", "test")
    }

    #[test]
    fn repeated_query_names_keep_all_values_in_order() {
        let event = HttpEvent::try_from(RawRequest {
            query: vec![("tag", "b"), ("name", "x"), ("tag", "a")],
            ..raw()
        })
        .expect("valid");
        assert_eq!(event.query["tag"], ["b", "a"]);
        assert_eq!(event.query["name"], ["x"]);
    }

    #[test]
    fn the_first_content_type_decides_how_the_body_is_read() {
        let event = HttpEvent::try_from(RawRequest {
            headers: vec![
                ("Content-Type", "application/json"),
                ("content-type", "text/plain"),
            ],
            body: b"{\"n\":1}",
            ..raw()
        })
        .expect("valid");
        assert_eq!(event.body, json!({"n": 1}));
    }

    #[test]
    fn secret_headers_are_redacted_in_the_event() {
        let event = HttpEvent::try_from(RawRequest {
            headers: vec![("Authorization", "Bearer abc")],
            ..raw()
        })
        .expect("valid");
        assert_eq!(event.headers["authorization"], [REDACTED]);
    }

    #[test]
    fn a_bad_body_fails_the_whole_event() {
        let too_big = vec![0_u8; MAX_BODY_BYTES + 1];
        let result = HttpEvent::try_from(RawRequest {
            body: &too_big,
            ..raw()
        });
        assert!(matches!(result, Err(InputError::BodyTooLarge { .. })));
    }

    #[test]
    fn the_event_serialises_with_camel_case_request_context() {
        let event = HttpEvent::try_from(RawRequest {
            query: vec![("a", "1")],
            headers: vec![("X-Trace", "t")],
            body: b"hi",
            ..raw()
        })
        .expect("valid");
        assert_eq!(
            Value::from(event),
            json!({
                "method": "POST",
                "path": "/hello",
                "query": {"a": ["1"]},
                "headers": {"x-trace": ["t"]},
                "body": "hi",
                "requestContext": {"requestId": "req-1", "carrier": "test"},
            })
        );
    }
}
