//! Shared test support: the committed event fixtures, a local stand-in for the Lambda
//! Runtime API, and a whole-response view for snapshots.

pub mod fixtures;
pub mod runtime_api;
pub mod snapshot;
