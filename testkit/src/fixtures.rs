//! Events shaped as AWS documents them, committed under `testkit/fixtures/`.

use std::path::PathBuf;

use lambda_http::{Context, Request, RequestExt};

/// The Lambda request id every fixture is invoked with, so snapshots are stable.
pub const REQUEST_ID: &str = "8f5c2a60-0d0b-4d47-9a57-5b4a6c2f0e11";

/// The same `POST /hello?name=world&tag=a&tag=b` request, as each carrier delivers it.
pub const SAME_REQUEST_BY_EACH_CARRIER: [&str; 4] =
    ["apigw-rest", "apigw-http", "alb", "function-url"];

#[must_use]
pub fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(format!("{name}.json"))
}

/// The raw event JSON of a fixture.
///
/// # Panics
/// When the fixture does not exist: a broken test setup, not a test result.
#[must_use]
pub fn event(name: &str) -> String {
    let path = path(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read fixture {}: {error}", path.display()))
}

/// The fixture as `lambda_http` hands it to the handler inside Lambda.
///
/// # Panics
/// When the fixture is not an event `lambda_http` understands.
#[must_use]
pub fn request(name: &str) -> Request {
    request_from_event(&event(name))
}

/// An event as `lambda_http` hands it to the handler inside Lambda.
///
/// # Panics
/// When the JSON is not an event `lambda_http` understands.
#[must_use]
pub fn request_from_event(event: &str) -> Request {
    traced_request_from_event(event, None)
}

/// An event as `lambda_http` hands it to the handler inside Lambda, with the X-Ray trace
/// header Lambda gave the invocation (`Root=…;Parent=…;Sampled=…`).
///
/// # Panics
/// When the JSON is not an event `lambda_http` understands.
#[must_use]
pub fn traced_request_from_event(event: &str, trace_header: Option<&str>) -> Request {
    let mut context = Context::default();
    REQUEST_ID.clone_into(&mut context.request_id);
    context.xray_trace_id = trace_header.map(str::to_owned);
    lambda_http::request::from_str(event)
        .unwrap_or_else(|error| panic!("not an HTTP event: {error}"))
        .with_lambda_context(context)
}

/// A trace header as Lambda gives it: the trace `Root` and function segment `Parent` made from
/// `number`, sampled or not.
#[must_use]
pub fn trace_header(number: u32, sampled: bool) -> String {
    format!(
        "Root=1-67891233-{number:024x};Parent={number:016x};Sampled={}",
        u8::from(sampled)
    )
}

/// The HTTP API fixture with its body replaced, for bodies too large to commit.
///
/// # Panics
/// When the HTTP API fixture is missing or not a JSON object.
#[must_use]
pub fn http_api_event_with_body(body: &str, content_type: &str) -> String {
    let mut event: serde_json::Value =
        serde_json::from_str(&event("apigw-http")).unwrap_or_else(|error| panic!("{error}"));
    event["body"] = body.into();
    event["headers"]["content-type"] = content_type.into();
    event.to_string()
}

/// A JSON array of small objects, about `bytes` long: the large body the benches and the
/// budgets measure, too large to commit as a fixture.
#[must_use]
pub fn large_json_body(bytes: usize) -> String {
    let item = r#"{"id":12345,"name":"a reasonably sized item","tags":["x","y","z"]},"#;
    let mut body = String::from("[");
    while body.len() + item.len() < bytes {
        body.push_str(item);
    }
    body.push_str("null]");
    body
}

/// The path the client asked for in a fixture, as the handler sees it (an HTTP API's stage
/// prefix taken off), so tests follow the fixtures when a fork renames its route.
///
/// # Panics
/// When the fixture is missing or names no path.
#[must_use]
pub fn client_path(name: &str) -> String {
    let event: serde_json::Value =
        serde_json::from_str(&event(name)).unwrap_or_else(|error| panic!("{error}"));
    if let Some(raw_path) = event["rawPath"].as_str() {
        let stage = event["requestContext"]["stage"]
            .as_str()
            .unwrap_or("$default");
        let prefix = format!("/{stage}");
        return match raw_path.strip_prefix(&prefix) {
            Some(rest) if stage != "$default" && rest.starts_with('/') => rest.to_owned(),
            _ => raw_path.to_owned(),
        };
    }
    event["path"]
        .as_str()
        .unwrap_or_else(|| panic!("fixture {name} names no path"))
        .to_owned()
}

/// The HTTP API fixture as a request for `method` and `path`, with no body: for requests to
/// routes and paths no committed fixture names. The path is given as the client asked for it.
///
/// # Panics
/// When the HTTP API fixture is missing or not a JSON object.
#[must_use]
pub fn http_api_event_for(method: &str, path: &str) -> String {
    let mut event: serde_json::Value =
        serde_json::from_str(&event("apigw-http")).unwrap_or_else(|error| panic!("{error}"));
    event["rawPath"] = path.into();
    event["requestContext"]["stage"] = "$default".into();
    event["requestContext"]["http"]["method"] = method.into();
    event["requestContext"]["http"]["path"] = path.into();
    event["routeKey"] = "$default".into();
    event["requestContext"]["routeKey"] = "$default".into();
    event["body"] = serde_json::Value::Null;
    event.to_string()
}

/// [`http_api_event_for`] with headers and a text body: a request with a JSON body to a route
/// no committed fixture names.
///
/// # Panics
/// When the HTTP API fixture is missing or not a JSON object.
#[must_use]
pub fn http_api_request(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> String {
    let mut event: serde_json::Value = serde_json::from_str(&http_api_event_for(method, path))
        .unwrap_or_else(|error| panic!("{error}"));
    for (name, value) in headers {
        event["headers"][*name] = (*value).into();
    }
    event["body"] = body.map_or(serde_json::Value::Null, Into::into);
    event["isBase64Encoded"] = false.into();
    event.to_string()
}
