//! Writes the HTTP responses of the contract: JSON, for success and errors alike.
//!
//! No CORS header: the HTTP API's CORS configuration (serverless.yml) owns CORS, and API
//! Gateway ignores any CORS header an integration returns.

use hello_world::{Greeting, Health, InputError};
use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::http::{HeaderValue, StatusCode};
use lambda_http::{Body, Response};
use serde::Serialize;

/// The body of every 4xx answer.
#[derive(Serialize)]
struct ErrorBody {
    error: String,
}

pub(crate) fn greeting(greeting: &Greeting) -> Response<Body> {
    json_response(StatusCode::OK, greeting)
}

pub(crate) fn health(health: &Health) -> Response<Body> {
    json_response(StatusCode::OK, health)
}

pub(crate) fn input_error(error: &InputError) -> Response<Body> {
    // The core decides the status; an unknown one would be a bug in it, so it falls to 400.
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = ErrorBody {
        error: error.to_string(),
    };
    json_response(status, &body)
}

/// Serialises `body` straight to the response text: no intermediate JSON tree.
fn json_response(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    // These types only hold strings, numbers and string-keyed maps, which always serialise.
    let text = serde_json::to_string(body).unwrap_or_default();
    let mut response = Response::new(Body::Text(text));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
