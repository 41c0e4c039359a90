//! The thin AWS Lambda adapter around the `hello-world` core.
//!
//! The request path is one way: Lambda event → [`lambda_http::Request`] →
//! [`RawRequest`](hello_world::RawRequest) (`request.rs`, read once) → the route's handler
//! (`router.rs` finds it in `routes.rs`) → [`HttpEvent`](hello_world::HttpEvent) →
//! [`Greeting`](hello_world::Greeting) → HTTP response (`response.rs`). This crate only
//! translates and routes; the core decides, status codes included.

mod carrier;
#[cfg(feature = "greetings")]
mod clock;
#[cfg(feature = "greetings")]
pub mod dynamodb;
#[cfg(feature = "greetings")]
mod greeting_routes;
mod json_lines;
mod logging;
pub mod metrics;
mod request;
mod response;
pub mod router;
pub mod routes;
mod telemetry;
mod trace_header;
pub mod xray;

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use futures_util::FutureExt as _;
use lambda_http::{Body, Error, Request, RequestExt as _, Response, service_fn};
use tracing::Instrument as _;

pub use carrier::Carrier;
pub use logging::{LogFormat, level_from, subscriber};
use metrics::Handled;
use router::{Call, Found, Route};
use routes::ROUTES;
pub use telemetry::Telemetry;
use trace_header::TraceHeader;
use xray::Trace;

/// Answers one HTTP request with its route's handler, from the function's routes (`routes.rs`).
pub async fn handle(telemetry: &Telemetry, request: &Request) -> Response<Body> {
    handle_with(ROUTES, telemetry, request).await
}

/// Answers one HTTP request with its route's handler from `routes`: the function's own table,
/// or a test's. It never fails: a path no route names is
/// a JSON 404 and a method the path does not take a JSON 405, as API Gateway would answer; bad
/// input is a 4xx JSON error; and a handler that panics is a JSON 500, logged with the
/// request's ids. Every line it logs carries those ids; its metrics and its trace are written
/// before it returns.
pub async fn handle_with(
    routes: &[Route],
    telemetry: &Telemetry,
    request: &Request,
) -> Response<Body> {
    let started = Instant::now();
    let raw = request::read(request);
    let header = request
        .lambda_context_ref()
        .and_then(|context| context.xray_trace_id.as_deref())
        .and_then(TraceHeader::parse);
    let trace_id = header.map(|header| header.root);
    let span = logging::invocation_span(raw.request_id, trace_id, carrier::api_request_id(request));
    let trace = header.and_then(|header| Trace::of(header, telemetry.daemon()));
    async {
        let (route, raw, response, calls) = match router::find(routes, raw.method, raw.path) {
            Found::Route { route, params } => {
                let call = Call::new(raw, params, trace.as_ref());
                let response = AssertUnwindSafe(route.answer(&call))
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|_| response::internal_error());
                let calls = call.take_calls();
                (Some(route.key), call.request, response, calls)
            }
            Found::MethodNotAllowed { allow } => {
                (None, raw, response::method_not_allowed(&allow), Vec::new())
            }
            Found::NotFound => (None, raw, response::not_found(), Vec::new()),
        };
        let (status, latency) = (response.status(), started.elapsed());
        logging::request_handled(&raw, route, status, latency);
        let route = route.unwrap_or("unrouted");
        telemetry.record(&Handled {
            route,
            status: status.as_u16(),
            latency,
            request_id: raw.request_id,
            trace_id,
            calls: &calls,
        });
        if let Some(trace) = &trace {
            trace.handler(route, status.as_u16());
        }
        response
    }
    .instrument(span)
    .await
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
    let format = LogFormat::from_env_value(std::env::var("AWS_LAMBDA_LOG_FORMAT").ok().as_deref());
    tracing::subscriber::set_global_default(subscriber(std::io::stdout, level, format))?;
    // A panic is logged as a line like any other, in the span of the invocation it hit, rather
    // than as the default hook's unstructured text on stderr.
    std::panic::set_hook(Box::new(|panic| tracing::error!(%panic, "panicked")));
    let telemetry = Telemetry::from_env();
    let telemetry = &telemetry;
    lambda_http::run(service_fn(|request: Request| async move {
        Ok::<_, Infallible>(handle(telemetry, &request).await)
    }))
    .await
}
