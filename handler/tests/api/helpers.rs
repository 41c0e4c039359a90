//! What the tests share: running the async handler to its answer, as the binary does.

use hello_world_handler::{Greeter, handle};
use lambda_http::{Body, Request, Response};

/// The handler's answer to `request`, awaited on a current-thread runtime like `main.rs`'s.
pub fn respond(greeter: &impl Greeter, request: &Request) -> Response<Body> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime starts")
        .block_on(handle(greeter, request))
}
