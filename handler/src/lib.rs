//! The thin AWS Lambda adapter around the `hello-world` core.
//!
//! The flow is one way: Lambda event → [`lambda_http::Request`] → the core's provider-neutral
//! [`HttpEvent`](hello_world::HttpEvent) → [`Greeting`] → HTTP response. This crate only
//! translates; the core decides.

mod carrier;
mod logging;
mod request;
mod response;

use std::convert::Infallible;
use std::time::Instant;

use hello_world::{Greeting, HelloWorld, HttpEvent};
use lambda_http::{Body, Error, Request, Response, service_fn};

pub use carrier::Carrier;
pub use logging::json_subscriber;

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
pub fn handle(greeter: &impl Greeter, request: &Request) -> Response<Body> {
    let started = Instant::now();
    let raw = request::Parts::of(request);
    let response = match HttpEvent::try_from(raw.as_raw_request()) {
        Ok(event) => response::greeting(greeter.say_hello(event)),
        Err(error) => response::input_error(&error),
    };
    logging::request_handled(&raw, response.status(), started.elapsed());
    response
}

/// Serves invocations from the Lambda Runtime API until it goes away.
///
/// # Errors
/// When the Runtime API cannot be reached or stops answering with events.
pub async fn run() -> Result<(), Error> {
    tracing::subscriber::set_global_default(json_subscriber(std::io::stdout))?;
    lambda_http::run(service_fn(|request: Request| async move {
        Ok::<_, Infallible>(handle(&HelloWorld, &request))
    }))
    .await
}
