//! One structured JSON log line per request: who, what, how it ended and how long it took.

use std::time::Duration;

use lambda_http::http::StatusCode;
use tracing::Subscriber;
use tracing_subscriber::fmt::MakeWriter;

use crate::request::Parts;

/// The subscriber the function logs through, writing JSON lines to `writer`.
///
/// Lambda stamps every line with its own time, so the line carries none.
pub fn json_subscriber<W>(writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .without_time()
        .with_max_level(tracing::Level::INFO)
        .with_writer(writer)
        .finish()
}

/// Deliberately leaves out header values and the body: they may hold personal data.
pub(crate) fn request_handled(request: &Parts<'_>, status: StatusCode, latency: Duration) {
    let status = status.as_u16();
    let latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
    tracing::info!(
        request_id = request.request_id,
        method = request.method,
        path = request.path,
        status,
        latency_us,
        "request handled"
    );
}
