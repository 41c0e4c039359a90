//! Writes the HTTP responses of the contract: JSON, for success and errors alike.
//!
//! No CORS header: the HTTP API's CORS configuration (serverless.yml) owns CORS, and API
//! Gateway ignores any CORS header an integration returns.

use hello_world::InputError;
use lambda_http::http::header::{ALLOW, CONTENT_TYPE};
use lambda_http::http::{HeaderValue, StatusCode};
use lambda_http::{Body, Response};
use serde::Serialize;

/// The body of every 4xx answer.
#[derive(Serialize)]
pub(crate) struct ErrorBody {
    pub(crate) error: String,
}

/// API Gateway's own refusal, so a client sees one answer for a path no route names, whether
/// API Gateway or the function refused it.
#[derive(Serialize)]
struct Refusal {
    message: &'static str,
}

pub(crate) fn not_found() -> Response<Body> {
    json(
        StatusCode::NOT_FOUND,
        &Refusal {
            message: "Not Found",
        },
    )
}

/// 405 with the `Allow` header RFC 9110 asks for. API Gateway itself answers a route key it
/// lacks with a 404, so only carriers without its routing (a Function URL, an ALB, `make run`)
/// see this.
pub(crate) fn method_not_allowed(allow: &[&str]) -> Response<Body> {
    let mut response = json(
        StatusCode::METHOD_NOT_ALLOWED,
        &Refusal {
            message: "Method Not Allowed",
        },
    );
    // Route keys' methods are ASCII words, always a valid header value.
    if let Ok(methods) = HeaderValue::from_str(&allow.join(", ")) {
        response.headers_mut().insert(ALLOW, methods);
    }
    response
}

/// What API Gateway itself answers when an integration fails, so a client sees one answer
/// whether the function or API Gateway gave it.
pub(crate) fn internal_error() -> Response<Body> {
    json(
        StatusCode::INTERNAL_SERVER_ERROR,
        &Refusal {
            message: "Internal Server Error",
        },
    )
}

pub(crate) fn input_error(error: &InputError) -> Response<Body> {
    // The core decides the status; an unknown one would be a bug in it, so it falls to 400.
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = ErrorBody {
        error: error.to_string(),
    };
    json(status, &body)
}

/// A JSON answer: `body` serialised straight to the response text, with no intermediate tree.
/// Every handler answers through it.
pub(crate) fn json(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    // A body that cannot serialise (a map with non-string keys) is a bug the tests would show;
    // it answers an empty body rather than panic.
    let text = serde_json::to_string(body).unwrap_or_default();
    let mut response = Response::new(Body::Text(text));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
