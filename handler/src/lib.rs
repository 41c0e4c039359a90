//! The thin AWS Lambda adapter around the `hello-world` core.
//!
//! The request path is one way: Lambda event → [`lambda_http::Request`] →
//! [`RawRequest`](hello_world::RawRequest) (`request.rs`, read once) →
//! [`HttpEvent`](hello_world::HttpEvent) → [`Greeting`] → HTTP response (`response.rs`).
//! This crate only translates; the core decides, status codes included.

mod carrier;
mod logging;
mod request;
mod response;

use std::convert::Infallible;
use std::time::Instant;

use hello_world::{Greeting, Health, HelloWorld, HttpEvent, is_health_check};
use lambda_http::{Body, Error, Request, Response, service_fn};

pub use carrier::Carrier;
pub use logging::{json_subscriber, level_from};

/// The one thing the adapter needs from the core, as a trait so tests can stand in for it.
pub trait Greeter {
    fn say_hello(&self, event: HttpEvent) -> Greeting;
}

impl Greeter for HelloWorld {
    fn say_hello(&self, event: HttpEvent) -> Greeting {
        HelloWorld::say_hello(self, event)
    }
}

/// Answers one HTTP request. It never fails: bad input becomes a 4xx JSON error.
///
/// `async` although nothing here waits yet: this is where a fork's first `.await` (a database,
/// another service) goes, without changing its callers.
#[allow(
    clippy::unused_async,
    reason = "the signature a fork's first .await needs"
)]
pub async fn handle(greeter: &impl Greeter, request: &Request) -> Response<Body> {
    let started = Instant::now();
    let raw = request::read(request);
    let response = if is_health_check(&raw) {
        response::health(&deployment())
    } else {
        match HttpEvent::try_from(&raw) {
            Ok(event) => response::greeting(&greeter.say_hello(event)),
            Err(error) => response::input_error(&error),
        }
    };
    logging::request_handled(&raw, response.status(), started.elapsed());
    response
}

/// The deployment that answers, as Lambda describes it to the function's environment.
fn deployment() -> Health {
    let read = |name| std::env::var(name).unwrap_or_else(|_| "unknown".to_owned());
    Health::of(&read("AWS_REGION"), &read("AWS_LAMBDA_FUNCTION_VERSION"))
}

/// Serves invocations from the Lambda Runtime API until it goes away.
///
/// # Errors
/// When the Runtime API cannot be reached or stops answering with events.
pub async fn run() -> Result<(), Error> {
    let level = level_from(
        std::env::var("AWS_LAMBDA_LOG_LEVEL").ok().as_deref(),
        std::env::var("RUST_LOG").ok().as_deref(),
    );
    tracing::subscriber::set_global_default(json_subscriber(std::io::stdout, level))?;
    lambda_http::run(service_fn(|request: Request| async move {
        Ok::<_, Infallible>(handle(&HelloWorld, &request).await)
    }))
    .await
}
