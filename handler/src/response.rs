//! Builds the HTTP responses of the contract: JSON, for success and errors alike.
//!
//! No CORS header: the HTTP API's CORS configuration (serverless.yml) owns CORS, and API
//! Gateway ignores any CORS header an integration returns.

use hello_world::{Greeting, InputError};
use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::http::{HeaderValue, StatusCode};
use lambda_http::{Body, Response};
use serde_json::{Value, json};

pub(crate) fn greeting(greeting: Greeting) -> Response<Body> {
    json_response(StatusCode::OK, &Value::from(greeting))
}

pub(crate) fn input_error(error: &InputError) -> Response<Body> {
    let status = match error {
        InputError::MalformedJson { .. } => StatusCode::BAD_REQUEST,
        InputError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
    };
    json_response(status, &json!({ "error": error.to_string() }))
}

fn json_response(status: StatusCode, body: &Value) -> Response<Body> {
    let mut response = Response::new(Body::Text(body.to_string()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
