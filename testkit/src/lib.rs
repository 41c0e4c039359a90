//! Test support for the service's tests and benches: the committed AWS-shaped event
//! fixtures, a local stand-in for the Lambda Runtime API, moto's DynamoDB server, a log-line capture, a whole-response view for
//! snapshots, and cold-start measurement. Nothing here ships.

// Test support fails loudly: a missing fixture is a broken setup, not a result to handle.
#![allow(clippy::panic, clippy::expect_used)]

pub mod cold_start;
pub mod dynamodb_server;
pub mod fixtures;
pub mod log_capture;
pub mod runtime_api;
pub mod snapshot;
