//! Which AWS service delivered the request, and what it adds to the path.

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

/// The kinds of event that can carry an HTTP request to this function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier {
    ApiGatewayRest,
    ApiGatewayHttp,
    FunctionUrl,
    Alb,
    Unknown,
}

impl Carrier {
    #[must_use]
    pub fn of(request: &Request) -> Self {
        match request.request_context_ref() {
            Some(RequestContext::ApiGatewayV1(_)) => Self::ApiGatewayRest,
            // Function URLs reuse the HTTP API payload; only their domain tells them apart.
            Some(RequestContext::ApiGatewayV2(context))
                if context
                    .domain_name
                    .as_deref()
                    .is_some_and(|domain| domain.contains(".lambda-url.")) =>
            {
                Self::FunctionUrl
            }
            Some(RequestContext::ApiGatewayV2(_)) => Self::ApiGatewayHttp,
            Some(RequestContext::Alb(_)) => Self::Alb,
            _ => Self::Unknown,
        }
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::ApiGatewayRest => "apiGatewayRest",
            Self::ApiGatewayHttp => "apiGatewayHttp",
            Self::FunctionUrl => "functionUrl",
            Self::Alb => "alb",
            Self::Unknown => "unknown",
        }
    }
}

/// The path the client asked for. An HTTP API on a named stage puts `/<stage>` in front of
/// `rawPath`; REST APIs already leave it out of `path`. A request `lambda_http` gave no raw path
/// (no carrier it knows) is routed by its URI's path.
pub(crate) fn client_path(request: &Request) -> &str {
    let raw = match request.raw_http_path() {
        "" => request.uri().path(),
        raw => raw,
    };
    let stage = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.stage.as_deref(),
        _ => None,
    };
    match stage {
        Some(stage) if stage != "$default" => strip_stage(raw, stage),
        _ => raw,
    }
}

/// The id API Gateway (or a Function URL) gave the request: the `apigw-requestid` a client
/// sees, and the id in the API's access log. An ALB gives none.
pub(crate) fn api_request_id(request: &Request) -> Option<&str> {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(context)) => context.request_id.as_deref(),
        Some(RequestContext::ApiGatewayV2(context)) => context.request_id.as_deref(),
        _ => None,
    }
}

fn strip_stage<'a>(path: &'a str, stage: &str) -> &'a str {
    match path
        .strip_prefix('/')
        .and_then(|rest| rest.strip_prefix(stage))
    {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_segment_is_removed() {
        assert_eq!(strip_stage("/dev/hello", "dev"), "/hello");
        assert_eq!(strip_stage("/dev", "dev"), "/");
    }

    #[test]
    fn a_path_that_only_starts_like_the_stage_is_kept() {
        assert_eq!(strip_stage("/devices/1", "dev"), "/devices/1");
        assert_eq!(strip_stage("/hello", "dev"), "/hello");
        assert_eq!(strip_stage("", "dev"), "");
    }
}
