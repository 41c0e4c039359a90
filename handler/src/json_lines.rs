//! A JSON log line with the fields of every span it was written in at its top level, so each
//! line carries the invocation's ids where Lambda's JSON log format and Logs Insights look for
//! them (`requestId`, `traceId`, …), not nested in a `spans` list.
//!
//! Hand-written: tracing-subscriber's JSON format nests span fields under `span` or `spans`, and
//! the JSON formatter crates that flatten them (tracing-bunyan-formatter and the like) bring
//! their own line layouts and timestamps. This is one `FormatEvent`: span fields from the
//! outermost span in, then the event's own, one JSON object per line, written straight into
//! one string (a `serde_json::Map` per line cost the request about a microsecond more).

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

use crate::trace_header::TraceHeader;

/// The event format; the span fields it reads must be formatted as JSON (`JsonFields`), and
/// no two spans of a line may name the same field.
#[derive(Debug, Default, Clone, Copy)]
pub struct FlatJson;

impl<S, N> FormatEvent<S, N> for FlatJson
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'w> FormatFields<'w> + 'static,
{
    fn format_event(
        &self,
        context: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut line = String::with_capacity(512);
        line.push_str(r#"{"level":"#);
        push_quoted(&mut line, event.metadata().level().as_str());
        let mut trace_root = None;
        let mut has_trace_id = false;
        for span in context
            .event_scope()
            .into_iter()
            .flat_map(tracing_subscriber::registry::Scope::from_root)
        {
            let extensions = span.extensions();
            // A JSON object's members, appended as they are: no parse, no tree.
            let members = extensions
                .get::<FormattedFields<N>>()
                .and_then(|fields| fields.trim().strip_prefix('{'))
                .and_then(|fields| fields.strip_suffix('}'));
            if let Some(members) = members.filter(|members| !members.is_empty()) {
                line.push(',');
                line.push_str(members);
                has_trace_id |= members.contains(r#""traceId":"#);
                trace_root = trace_root.or_else(|| root_of_header_in(members));
            }
        }
        // A line written outside the handler's span (the runtime's own, a panic while the event
        // was read) still has the runtime's full X-Ray header: give it the trace root too.
        if let Some(root) = trace_root.filter(|_| !has_trace_id) {
            line.push_str(r#","traceId":"#);
            push_quoted(&mut line, &root);
        }
        event.record(&mut Fields(&mut line));
        line.push_str(r#","target":"#);
        push_quoted(&mut line, event.metadata().target());
        line.push('}');
        writeln!(writer, "{line}")
    }
}

/// The root of the runtime span's `xrayTraceId` member, if `members` has one.
fn root_of_header_in(members: &str) -> Option<String> {
    let header = members
        .split(r#""xrayTraceId":""#)
        .nth(1)?
        .split('"')
        .next()?;
    TraceHeader::parse(header).map(|header| header.root.to_owned())
}

/// Appends `value` as a JSON string. Most values need no escaping and are copied as they are;
/// the rest are escaped by `serde_json`.
pub(crate) fn push_quoted(line: &mut String, value: &str) {
    if value
        .bytes()
        .any(|byte| byte == b'"' || byte == b'\\' || byte < 0x20)
    {
        // A string always serialises.
        line.push_str(&serde_json::to_string(value).unwrap_or_default());
    } else {
        line.push('"');
        line.push_str(value);
        line.push('"');
    }
}

/// Writes an event's fields as JSON members.
struct Fields<'a>(&'a mut String);

impl Fields<'_> {
    fn name(&mut self, field: &Field) {
        self.0.push(',');
        push_quoted(self.0, field.name());
        self.0.push(':');
    }
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.name(field);
        push_quoted(self.0, value);
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.name(field);
        let _ = write!(self.0, "{value}");
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.name(field);
        let _ = write!(self.0, "{value}");
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.name(field);
        // JSON has no NaN or infinity.
        if value.is_finite() {
            let _ = write!(self.0, "{value}");
        } else {
            push_quoted(self.0, &value.to_string());
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.name(field);
        self.0.push_str(if value { "true" } else { "false" });
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.name(field);
        push_quoted(self.0, &format!("{value:?}"));
    }
}

#[cfg(test)]
mod tests {
    use hello_world_testkit::log_capture::Captured;
    use serde_json::{Value, json};

    use crate::{LogFormat, subscriber};

    fn line_of(log: impl FnOnce()) -> Value {
        let captured = Captured::default();
        let subscriber = subscriber(
            captured.writer(),
            tracing::level_filters::LevelFilter::INFO,
            LogFormat::Json,
        );
        tracing::subscriber::with_default(subscriber, log);
        serde_json::from_str(&captured.text()).unwrap_or_default()
    }

    #[test]
    fn every_kind_of_field_keeps_its_json_type_beside_the_spans_fields() {
        let line = line_of(|| {
            let outer = tracing::info_span!("outer", requestId = "req-1");
            let _outer = outer.enter();
            let inner =
                tracing::info_span!("inner", traceId = "1-a-b", empty = tracing::field::Empty);
            let _inner = inner.enter();
            tracing::warn!(text = "a", unsigned = 1_u64, signed = -1_i64, real = 1.5, flag = true, list = ?[1, 2], "written");
        });
        assert_eq!(
            line,
            json!({
                "level": "WARN", "message": "written", "target": "hello_world_handler::json_lines::tests",
                "requestId": "req-1", "traceId": "1-a-b",
                "text": "a", "unsigned": 1, "signed": -1, "real": 1.5, "flag": true, "list": "[1, 2]",
            })
        );
    }

    #[test]
    fn a_line_in_the_runtimes_span_alone_gets_the_trace_root_from_its_header() {
        let line = line_of(|| {
            let runtime = tracing::info_span!(
                "Lambda runtime invoke",
                requestId = "req-1",
                xrayTraceId = "Root=1-a-b;Parent=c;Sampled=1"
            );
            let _entered = runtime.enter();
            tracing::error!("user handler panicked");
        });
        assert_eq!(line["traceId"], "1-a-b");
        assert_eq!(line["requestId"], "req-1");
    }

    #[test]
    fn quotes_backslashes_and_control_characters_are_escaped() {
        let line = line_of(|| tracing::info!(text = "a \"b\" \\ c\n\u{1}", "odd"));
        assert_eq!(line["text"], "a \"b\" \\ c\n\u{1}");
    }

    #[test]
    fn a_number_json_cannot_hold_is_written_as_a_string() {
        let line = line_of(|| tracing::info!(ratio = f64::NAN, "odd"));
        assert_eq!(line["ratio"], "NaN");
    }
}
