//! The adapter's integration tests, one binary (as ripgrep and zero-to-production lay them out):
//! each module is one concern of the contract, and `helpers` is what they share.

// Tests and their helpers fail loudly: a broken setup is not a result to handle.
#![allow(clippy::panic, clippy::expect_used)]

mod carriers;
mod core_answers;
#[cfg(feature = "greetings")]
mod greetings;
mod helpers;
mod never_panics;
mod request_log;
mod responses;
mod routes;
mod runtime_loop;
mod telemetry;
