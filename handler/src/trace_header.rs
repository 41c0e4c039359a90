//! The X-Ray trace header Lambda gives each invocation (`Lambda-Runtime-Trace-Id`, also
//! `Context::xray_trace_id`): `Root=1-…;Parent=…;Sampled=0|1`, with optional further fields.

/// The parts of a trace header the function uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceHeader<'h> {
    /// The trace id: what joins every log line, metric document and segment of one request.
    pub root: &'h str,
    /// The id of the segment Lambda opened for this invocation (the function segment), which
    /// the function's own subsegments hang from. Absent before Lambda opens one.
    pub parent: Option<&'h str>,
    /// Whether X-Ray keeps this trace: only then is anything sent to the daemon.
    pub sampled: bool,
}

impl<'h> TraceHeader<'h> {
    /// Reads a header; `None` when it names no root.
    #[must_use]
    pub fn parse(header: &'h str) -> Option<Self> {
        let mut root = None;
        let mut parent = None;
        let mut sampled = false;
        for field in header.split(';') {
            match field.trim().split_once('=') {
                Some(("Root", value)) if !value.is_empty() => root = Some(value),
                Some(("Parent", value)) if !value.is_empty() => parent = Some(value),
                Some(("Sampled", value)) => sampled = value == "1",
                _ => {}
            }
        }
        root.map(|root| Self {
            root,
            parent,
            sampled,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sampled_header_gives_its_root_and_parent() {
        let header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        assert_eq!(
            TraceHeader::parse(header),
            Some(TraceHeader {
                root: "1-5759e988-bd862e3fe1be46a994272793",
                parent: Some("53995c3f42cd8ad8"),
                sampled: true,
            })
        );
    }

    #[test]
    fn unsampled_unknown_fields_and_any_order_are_read() {
        let header = "Lineage=16f3a795:0;Sampled=0;Root=1-a-b";
        assert_eq!(
            TraceHeader::parse(header),
            Some(TraceHeader {
                root: "1-a-b",
                parent: None,
                sampled: false,
            })
        );
    }

    #[test]
    fn a_header_without_a_root_is_no_trace() {
        assert_eq!(
            TraceHeader::parse("Parent=53995c3f42cd8ad8;Sampled=1"),
            None
        );
        assert_eq!(TraceHeader::parse(""), None);
        assert_eq!(TraceHeader::parse("Root=;Sampled=1"), None);
    }
}
