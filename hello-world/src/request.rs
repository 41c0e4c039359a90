//! The provider-neutral request: what the adapter reads from whichever carrier delivered it.

use std::borrow::Cow;

/// An HTTP request as any carrier can describe it, before it is interpreted.
///
/// The adapter fills one of these once, borrowing from its own request; the core decides what
/// it means with [`HttpEvent::try_from`](crate::HttpEvent), and the adapter's log line reads
/// the same value.
#[derive(Debug, Clone, Default)]
pub struct RawRequest<'a> {
    pub method: &'a str,
    /// The path as the client asked for it, without any deployment prefix such as a stage.
    pub path: &'a str,
    /// Query parameters in the order they were given; a name may repeat.
    pub query: Vec<(&'a str, &'a str)>,
    /// Header lines in the order they were given; a name may repeat, in any case. A value
    /// that was not valid UTF-8 arrives owned, with its bad bytes replaced; the rest borrow.
    pub headers: Vec<(&'a str, Cow<'a, str>)>,
    /// The body after any transport encoding (such as base64) has been undone.
    pub body: &'a [u8],
    pub request_id: &'a str,
    /// Which kind of event carried the request, in the adapter's words.
    pub carrier: &'a str,
}

impl<'a> RawRequest<'a> {
    #[must_use]
    pub fn new(method: &'a str, path: &'a str, request_id: &'a str, carrier: &'a str) -> Self {
        Self {
            method,
            path,
            request_id,
            carrier,
            ..Self::default()
        }
    }

    /// The first value of the header `name`, whatever the case it was sent in.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(line_name, _)| line_name.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_ref())
    }

    /// Header lines given as plain string pairs, as tests and benches write them.
    #[must_use]
    pub fn with_headers(self, headers: &[(&'a str, &'a str)]) -> Self {
        Self {
            headers: headers
                .iter()
                .map(|&(name, value)| (name, Cow::Borrowed(value)))
                .collect(),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_is_found_whatever_its_case_and_its_first_value_wins() {
        let request = RawRequest::new("GET", "/", "req-1", "test").with_headers(&[
            ("Content-Type", "text/plain"),
            ("content-type", "application/json"),
        ]);
        assert_eq!(request.header("CONTENT-TYPE"), Some("text/plain"));
        assert_eq!(request.header("accept"), None);
    }
}
