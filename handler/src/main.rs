//! The Lambda bootstrap binary. Everything but start-up lives in the library.

// One invocation at a time is all Lambda sends a process, so a single-threaded runtime is
// enough and starts faster.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    hello_world_handler::run().await
}
