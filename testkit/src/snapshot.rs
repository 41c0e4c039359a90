//! A whole HTTP response as one JSON value, so a snapshot shows status, headers and body.

use lambda_http::{Body, Response};
use serde_json::{Map, Value, json};

/// Status, every header, and the body parsed as JSON (or kept as text when it is not JSON).
#[must_use]
pub fn response_json(response: &Response<Body>) -> Value {
    let headers: Map<String, Value> = response
        .headers()
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), Value::String(value))
        })
        .collect();
    let text = String::from_utf8_lossy(response.body().as_ref()).into_owned();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    json!({ "status": response.status().as_u16(), "headers": headers, "body": body })
}
