//! Reads a `lambda_http::Request` into the core's provider-neutral terms.

use std::borrow::Cow;

use hello_world::RawRequest;
use lambda_http::{Request, RequestExt};

use crate::carrier::{self, Carrier};

/// Everything the core needs from a request, borrowed from it except the header values that
/// are not valid UTF-8, so it can be lent out as a [`RawRequest`].
#[derive(Debug)]
pub(crate) struct Parts<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    query: Vec<(&'a str, &'a str)>,
    headers: Vec<(&'a str, Cow<'a, str>)>,
    body: &'a [u8],
    pub(crate) request_id: &'a str,
    carrier: Carrier,
}

impl<'a> Parts<'a> {
    pub(crate) fn of(request: &'a Request) -> Self {
        let query = request
            .query_string_parameters_ref()
            .map(|query| query.iter().collect())
            .unwrap_or_default();
        // Header values may carry non-ASCII bytes; keep them rather than drop the header.
        let headers = request
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str(), String::from_utf8_lossy(value.as_bytes())))
            .collect();
        Self {
            method: request.method().as_str(),
            path: carrier::client_path(request),
            query,
            headers,
            body: request.body().as_ref(),
            // Lambda's own id: the one in every log line and in the X-Amzn-RequestId header.
            // Only a request built outside Lambda, as in some tests, has none.
            request_id: request
                .lambda_context_ref()
                .map_or("", |context| context.request_id.as_str()),
            carrier: Carrier::of(request),
        }
    }

    pub(crate) fn as_raw_request(&self) -> RawRequest<'_> {
        RawRequest {
            method: self.method,
            path: self.path,
            query: self.query.clone(),
            headers: self
                .headers
                .iter()
                .map(|(name, value)| (*name, value.as_ref()))
                .collect(),
            body: self.body,
            request_id: self.request_id,
            carrier: self.carrier.name(),
        }
    }
}
