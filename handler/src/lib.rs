//! The thin AWS Lambda adapter around the `hello-world` core.
//!
//! The request path is one way: Lambda event → [`lambda_http::Request`] →
//! [`RawRequest`](hello_world::RawRequest) (`request.rs`, read once) → the route's handler
//! (`router.rs` finds it in `routes.rs`) → [`HttpEvent`](hello_world::HttpEvent) →
//! [`Greeting`] → HTTP response (`response.rs`). This crate only translates and routes; the
//! core decides, status codes included.

mod carrier;
mod logging;
mod request;
mod response;
pub mod router;
pub mod routes;

use std::convert::Infallible;
use std::time::Instant;

use hello_world::{Greeting, HelloWorld, HttpEvent};
use lambda_http::{Body, Error, Request, Response, service_fn};

pub use carrier::Carrier;
pub use logging::{json_subscriber, level_from};
use router::{Call, Found};
use routes::ROUTES;

/// The one thing the adapter needs from the core, as a trait so tests can stand in for it.
/// `Sync`, as handlers hold it across their awaits.
pub trait Greeter: Sync {
    fn say_hello(&self, event: HttpEvent) -> Greeting;
}

impl Greeter for HelloWorld {
    fn say_hello(&self, event: HttpEvent) -> Greeting {
        HelloWorld::say_hello(self, event)
    }
}

/// Answers one HTTP request with its route's handler. It never fails: a path no route names is
/// a JSON 404 and a method the path does not take a JSON 405, as API Gateway would answer,
/// and bad input is a 4xx JSON error.
pub async fn handle(greeter: &impl Greeter, request: &Request) -> Response<Body> {
    let started = Instant::now();
    let raw = request::read(request);
    let (route, request, response) = match router::find(ROUTES, raw.method, raw.path) {
        Found::Route { route, params } => {
            let call = Call::new(raw, params, greeter);
            let response = route.answer(&call).await;
            (Some(route.key), call.request, response)
        }
        Found::MethodNotAllowed { allow } => (None, raw, response::method_not_allowed(&allow)),
        Found::NotFound => (None, raw, response::not_found()),
    };
    logging::request_handled(&request, route, response.status(), started.elapsed());
    response
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
