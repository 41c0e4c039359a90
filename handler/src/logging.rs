//! The function's log lines: one per request, saying what was asked, which route answered, how
//! it ended and how long it took; every line written during an invocation carries its ids.

use std::str::FromStr;
use std::time::Duration;

use hello_world::RawRequest;
use lambda_http::http::StatusCode;
use tracing::level_filters::LevelFilter;
use tracing::{Span, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::JsonFields;

use crate::json_lines::FlatJson;

/// How lines are written: Lambda's advanced logging controls set `AWS_LAMBDA_LOG_FORMAT` to
/// `JSON` or `Text`. Without it (a local run) the function writes JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Text,
}

impl LogFormat {
    #[must_use]
    pub fn from_env_value(aws_lambda_log_format: Option<&str>) -> Self {
        match aws_lambda_log_format {
            Some(format) if format.trim().eq_ignore_ascii_case("text") => Self::Text,
            _ => Self::Json,
        }
    }
}

/// The subscriber the function logs through, writing lines up to `level` to `writer`: JSON
/// objects with every enclosing span's fields at their top level, or plain text with the spans
/// and their fields before the message.
///
/// Lambda stamps every line with its own time, so a line carries none.
pub fn subscriber<W>(
    writer: W,
    level: LevelFilter,
    format: LogFormat,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .without_time()
        .with_ansi(false)
        .with_max_level(level)
        .with_writer(writer);
    match format {
        LogFormat::Json => Box::new(
            builder
                .fmt_fields(JsonFields::new())
                .event_format(FlatJson)
                .finish(),
        ),
        LogFormat::Text => Box::new(builder.finish()),
    }
}

/// The span every line of one request is written in: Lambda's request id, the X-Ray trace id
/// (its root) and API Gateway's request id (the `apigw-requestid` a client sees, and the id in
/// the API's access log), whichever are known. Inside the runtime's own span, which already has
/// the request id, it is left out, so no line names it twice.
pub(crate) fn invocation_span(
    request_id: &str,
    trace_id: Option<&str>,
    api_request_id: Option<&str>,
) -> Span {
    let request_id = (Span::current().metadata().map(tracing::Metadata::name)
        != Some(RUNTIME_SPAN))
    .then_some(request_id);
    // Every field given at creation (recording one later makes the JSON field formatter parse
    // and write the span's fields again); an id that is `None` is not recorded, so it is absent
    // from the line rather than null.
    tracing::info_span!(
        "invocation",
        requestId = request_id,
        traceId = trace_id,
        apiRequestId = api_request_id
    )
}

/// The span `lambda_runtime` opens for each invocation, with `requestId` and `xrayTraceId`.
const RUNTIME_SPAN: &str = "Lambda runtime invoke";

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
/// the route key that answered, or none when the request was refused as unrouted. The ids come
/// from the invocation's span.
pub(crate) fn request_handled(
    request: &RawRequest<'_>,
    route: Option<&str>,
    status: StatusCode,
    latency: Duration,
) {
    let status = status.as_u16();
    let latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
    tracing::info!(
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
    fn the_invocation_span_carries_each_id_it_is_given_and_the_request_id_once() {
        use hello_world_testkit::log_capture::Captured;

        for in_runtime in [false, true] {
            for trace in [None, Some("1-a-b")] {
                for api in [None, Some("api-1")] {
                    let lines = Captured::default();
                    let subscriber = subscriber(lines.writer(), LevelFilter::INFO, LogFormat::Json);
                    tracing::subscriber::with_default(subscriber, || {
                        let runtime = in_runtime.then(|| {
                            tracing::info_span!("Lambda runtime invoke", requestId = "req-1")
                        });
                        let _runtime = runtime.as_ref().map(Span::enter);
                        let _invocation = invocation_span("req-1", trace, api).entered();
                        tracing::info!("written");
                    });
                    let text = lines.text();
                    let line: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                    let case =
                        format!("runtime {in_runtime}, trace {trace:?}, api {api:?}: {text}");
                    assert_eq!(text.matches("\"requestId\"").count(), 1, "{case}");
                    assert_eq!(line["requestId"], "req-1", "{case}");
                    assert_eq!(
                        line.get("traceId"),
                        trace.map(serde_json::Value::from).as_ref(),
                        "{case}: absent, never null, when unknown"
                    );
                    assert_eq!(
                        line.get("apiRequestId"),
                        api.map(serde_json::Value::from).as_ref(),
                        "{case}: absent, never null, when unknown"
                    );
                }
            }
        }
    }

    #[test]
    fn only_lambdas_text_format_writes_text() {
        assert_eq!(LogFormat::from_env_value(Some("Text")), LogFormat::Text);
        assert_eq!(LogFormat::from_env_value(Some(" text ")), LogFormat::Text);
        assert_eq!(LogFormat::from_env_value(Some("JSON")), LogFormat::Json);
        assert_eq!(LogFormat::from_env_value(None), LogFormat::Json);
    }

    #[test]
    fn anything_else_is_info() {
        assert_eq!(level_from(None, None), LevelFilter::INFO);
        assert_eq!(level_from(None, Some("info,hyper=warn")), LevelFilter::INFO);
    }
}
