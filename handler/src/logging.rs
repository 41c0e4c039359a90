//! One structured JSON log line per request: who, what, how it ended and how long it took.

use std::str::FromStr;
use std::time::Duration;

use hello_world::RawRequest;
use lambda_http::http::StatusCode;
use tracing::Subscriber;
use tracing::level_filters::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;

/// The subscriber the function logs through, writing JSON lines up to `level` to `writer`.
///
/// Lambda stamps every line with its own time, so the line carries none.
pub fn json_subscriber<W>(writer: W, level: LevelFilter) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .without_time()
        .with_max_level(level)
        .with_writer(writer)
        .finish()
}

/// The level to log at: Lambda's advanced logging controls set `AWS_LAMBDA_LOG_LEVEL`
/// (TRACE, DEBUG, INFO, WARN, ERROR or FATAL); otherwise a plain `RUST_LOG` level; otherwise
/// INFO. A `RUST_LOG` with per-target directives is read as INFO: parsing those would need
/// tracing-subscriber's env-filter, and its regex engine, in every cold start.
#[must_use]
pub fn level_from(aws_lambda_log_level: Option<&str>, rust_log: Option<&str>) -> LevelFilter {
    let parse = |value: &str| {
        if value.eq_ignore_ascii_case("fatal") {
            Some(LevelFilter::ERROR)
        } else {
            LevelFilter::from_str(value.trim()).ok()
        }
    };
    aws_lambda_log_level
        .and_then(parse)
        .or_else(|| rust_log.and_then(parse))
        .unwrap_or(LevelFilter::INFO)
}

/// Deliberately leaves out header values and the body: they may hold personal data. `route` is
/// the route key that answered, or none when the request was refused as unrouted.
pub(crate) fn request_handled(
    request: &RawRequest<'_>,
    route: Option<&str>,
    status: StatusCode,
    latency: Duration,
) {
    let status = status.as_u16();
    let latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
    tracing::info!(
        request_id = request.request_id,
        method = request.method,
        path = request.path,
        route,
        status,
        latency_us,
        "request handled"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambdas_log_level_comes_first() {
        assert_eq!(level_from(Some("DEBUG"), Some("error")), LevelFilter::DEBUG);
        assert_eq!(level_from(Some("WARN"), None), LevelFilter::WARN);
    }

    #[test]
    fn fatal_is_logged_as_error_the_highest_level_tracing_has() {
        assert_eq!(level_from(Some("FATAL"), None), LevelFilter::ERROR);
    }

    #[test]
    fn a_plain_rust_log_level_applies_when_lambda_sets_none() {
        assert_eq!(level_from(None, Some("trace")), LevelFilter::TRACE);
        assert_eq!(level_from(Some("nonsense"), Some("off")), LevelFilter::OFF);
    }

    #[test]
    fn anything_else_is_info() {
        assert_eq!(level_from(None, None), LevelFilter::INFO);
        assert_eq!(level_from(None, Some("info,hyper=warn")), LevelFilter::INFO);
    }
}
