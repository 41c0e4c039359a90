//! Shared test support: the committed event fixtures, a local stand-in for the Lambda
//! Runtime API, and a whole-response view for snapshots.

// Test support fails loudly: a missing fixture is a broken setup, not a result to handle.
#![allow(clippy::panic, clippy::expect_used)]

pub mod cold_start;
pub mod fixtures;
pub mod runtime_api;
pub mod snapshot;
