//! Every route the function serves, and the handler that answers each: the one list of them.
//!
//! serverless.yml gives API Gateway the same route keys. `handler/tests/api/routes.rs` keeps
//! this table's keys in a snapshot, and `infra/tests/test_routes.py` holds the compiled
//! templates to that snapshot in both directions, so neither can gain a route alone. README's
//! "Add a route" gives the steps.

#![allow(
    clippy::unused_async,
    reason = "handlers are async so that a fork's first .await changes nothing around them"
)]

use hello_world::{Health, HelloWorld, HttpEvent};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};

#[cfg(feature = "greetings")]
use crate::greeting_routes;
use crate::response;
use crate::router::{Call, Route};

/// The routes, in any order: the most specific match wins, as in API Gateway.
pub static ROUTES: &[Route] = &[
    Route::new("ANY /hello", |call| Box::pin(hello(call))),
    Route::new("GET /health", |call| Box::pin(health(call))),
    #[cfg(feature = "greetings")]
    Route::new("POST /greetings", |call| {
        Box::pin(greeting_routes::create(call))
    }),
    #[cfg(feature = "greetings")]
    Route::new("GET /greetings/{id}", |call| {
        Box::pin(greeting_routes::read(call))
    }),
];

/// The greeting, for any method: the core reads the request and answers, or says what is wrong.
async fn hello(call: &Call<'_>) -> Response<Body> {
    match HttpEvent::try_from(&call.request) {
        Ok(event) => response::json(StatusCode::OK, &HelloWorld.say_hello(event)),
        Err(error) => response::input_error(&error),
    }
}

/// The region Lambda runs the function in.
pub(crate) fn region() -> String {
    std::env::var("AWS_REGION").unwrap_or_else(|_| "unknown".to_owned())
}

/// Which deployment answers, as Lambda describes it to the function's environment. Route 53's
/// health checks ask for it (project.yml's `health_path`).
async fn health(_: &Call<'_>) -> Response<Body> {
    let version =
        std::env::var("AWS_LAMBDA_FUNCTION_VERSION").unwrap_or_else(|_| "unknown".to_owned());
    let health = Health::of(&region(), &version);
    response::json(StatusCode::OK, &health)
}
