//! What the tests share: running the async handler to its answer, as the binary does, and
//! running the binary itself against the Runtime API stand-in.

use std::io::Read as _;
use std::path::Path;
use std::time::Duration;

use hello_world_testkit::runtime_api::{
    Exchange, Invocation, Logs, RuntimeApi, spawn_function_with, wait_for_exit,
};
use serde_json::Value;

use hello_world_handler::router::Route;
use hello_world_handler::routes::ROUTES;
use hello_world_handler::{Telemetry, handle_with};
use lambda_http::{Body, Request, Response};

/// The function's answer to `request`, awaited on a current-thread runtime like `main.rs`'s,
/// with its metrics and traces off.
pub fn respond(request: &Request) -> Response<Body> {
    respond_by(ROUTES, &Telemetry::off(), request)
}

/// The answer of a function that serves `routes` instead of its own, with `telemetry`.
pub fn respond_by(routes: &[Route], telemetry: &Telemetry, request: &Request) -> Response<Body> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime starts")
        .block_on(handle_with(routes, telemetry, request))
}

pub const FUNCTION: &str = env!("CARGO_BIN_EXE_hello-world-handler");

/// What the binary did over one run: its exchanges with the Runtime API, its stdout, its exit.
pub struct Run {
    pub exchanges: Vec<Exchange>,
    pub stdout: String,
    pub exit_code: Option<i32>,
}

/// Runs the compiled function over `events` (no trace headers) until it exits by itself.
pub fn run_function_over(events: Vec<String>) -> Run {
    let invocations = events.into_iter().map(Invocation::of).collect();
    run_function_with(invocations, &[])
}

/// Runs the compiled function over `invocations`, with `env` added to what Lambda gives it.
pub fn run_function_with(invocations: Vec<Invocation>, env: &[(&str, &str)]) -> Run {
    let api = RuntimeApi::serve_invocations(invocations).expect("the stand-in starts");
    let mut function = spawn_function_with(Path::new(FUNCTION), &api, Logs::Captured, env)
        .expect("the function starts");
    let status = wait_for_exit(&mut function, Duration::from_secs(30)).expect("the function exits");
    let mut stdout = String::new();
    function
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut stdout)
        .expect("stdout is UTF-8");
    Run {
        exchanges: api.exchanges(),
        stdout,
        exit_code: status.code(),
    }
}

/// The HTTP response inside a `/response` post: API Gateway's proxy format.
pub fn http_response(exchange: &Exchange) -> (u64, Value) {
    let Exchange::Responded { body, .. } = exchange else {
        panic!("expected a response, got {exchange:?}");
    };
    let inner = body["body"].as_str().expect("the proxy body is a string");
    (
        body["statusCode"].as_u64().expect("statusCode"),
        serde_json::from_str(inner).expect("the HTTP body is JSON"),
    )
}

/// The function's answers, without its requests for the next event.
pub fn answers(run: &Run) -> Vec<&Exchange> {
    run.exchanges
        .iter()
        .filter(|exchange| **exchange != Exchange::NextRequested)
        .collect()
}
