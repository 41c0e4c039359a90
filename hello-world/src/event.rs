//! What the service understood of a request: the event it echoes as `input`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::RawRequest;
use crate::body::{self, Body, InputError};
use crate::headers::{self, HeaderValues};

/// What the service understood of a request. This is what it echoes as `input`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpEvent {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, Vec<String>>,
    pub headers: HeaderValues,
    pub body: Body,
    pub request_context: RequestContext,
}

/// Where the request came from: enough to trace it, nothing a client sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestContext {
    pub request_id: String,
    pub carrier: String,
}

impl TryFrom<&RawRequest<'_>> for HttpEvent {
    type Error = InputError;

    fn try_from(raw: &RawRequest<'_>) -> Result<Self, Self::Error> {
        let headers = headers::normalise(&raw.headers);
        let content_type = headers
            .get("content-type")
            .and_then(|values| values.first())
            .map(String::as_str);
        let body = body::interpret(raw.body, content_type)?;
        let mut query = BTreeMap::<String, Vec<String>>::new();
        for &(name, value) in &raw.query {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MAX_BODY_BYTES, REDACTED};
    use serde_json::json;

    fn raw() -> RawRequest<'static> {
        RawRequest::new("POST", "/hello", "req-1", "test")
    }

    #[test]
    fn repeated_query_names_keep_all_values_in_order() {
        let event = HttpEvent::try_from(&RawRequest {
            query: vec![("tag", "b"), ("name", "x"), ("tag", "a")],
            ..raw()
        })
        .expect("valid");
        assert_eq!(event.query["tag"], ["b", "a"]);
        assert_eq!(event.query["name"], ["x"]);
    }

    #[test]
    fn the_first_content_type_decides_how_the_body_is_read() {
        let event = HttpEvent::try_from(&RawRequest {
            body: b"{\"n\":1}",
            ..raw().with_headers(&[
                ("Content-Type", "application/json"),
                ("content-type", "text/plain"),
            ])
        })
        .expect("valid");
        assert_eq!(serde_json::to_value(event.body).ok(), Some(json!({"n": 1})));
    }

    #[test]
    fn secret_headers_are_redacted_in_the_event() {
        let event = HttpEvent::try_from(&raw().with_headers(&[("Authorization", "Bearer abc")]))
            .expect("valid");
        assert_eq!(event.headers["authorization"], [REDACTED]);
    }

    #[test]
    fn a_bad_body_fails_the_whole_event() {
        let too_big = vec![0_u8; MAX_BODY_BYTES + 1];
        let result = HttpEvent::try_from(&RawRequest {
            body: &too_big,
            ..raw()
        });
        assert!(matches!(result, Err(InputError::BodyTooLarge { .. })));
    }

    #[test]
    fn the_event_serialises_with_camel_case_request_context() {
        let event = HttpEvent::try_from(&RawRequest {
            query: vec![("a", "1")],
            body: b"hi",
            ..raw().with_headers(&[("X-Trace", "t")])
        })
        .expect("valid");
        assert_eq!(
            serde_json::to_value(event).unwrap_or_default(),
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
