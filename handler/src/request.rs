//! Reads a `lambda_http::Request` into the core's provider-neutral terms, once.

use hello_world::RawRequest;
use lambda_http::{Request, RequestExt};

use crate::carrier::{self, Carrier};

/// The request as the core and the log line both read it, borrowed from `request` except
/// header values that are not valid UTF-8: those are kept, with their bad bytes replaced,
/// rather than dropped.
pub(crate) fn read(request: &Request) -> RawRequest<'_> {
    RawRequest {
        method: request.method().as_str(),
        path: carrier::client_path(request),
        query: request
            .query_string_parameters_ref()
            .map(|query| query.iter().collect())
            .unwrap_or_default(),
        headers: request
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str(), String::from_utf8_lossy(value.as_bytes())))
            .collect(),
        body: request.body().as_ref(),
        // Lambda's own id: the one in every log line and in the X-Amzn-RequestId header.
        // Only a request built outside Lambda, as in some tests, has none.
        request_id: request
            .lambda_context_ref()
            .map_or("", |context| context.request_id.as_str()),
        carrier: Carrier::of(request).name(),
    }
}
