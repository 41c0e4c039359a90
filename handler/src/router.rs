//! Finds the route that answers a request, choosing among route keys the way API Gateway's HTTP
//! APIs do ("Working with routes for HTTP APIs"): a key is `METHOD /path`, where a segment may
//! be `{name}` (one segment) or, last, `{name+}` (the rest of the path); `ANY` takes every
//! method; the most specific match wins, literal segments over variables over a greedy tail,
//! and a named method over `ANY`.
//!
//! Hand-written rather than axum's `Router` (docs/routing.md has the measurements): API Gateway
//! has already chosen a route by the same keys, so the function only finds it again, and a
//! table of keys is a list a test can hold to the template's route keys in both directions,
//! which a `Router` cannot show. What it costs in size and time is in docs/performance.md.

use std::cmp::Ordering;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use hello_world::RawRequest;
use lambda_http::{Body, Response};

use crate::xray::{self, Trace};

/// What a handler returns: its response, once it has awaited whatever it needs.
pub type Answer<'c> = Pin<Box<dyn Future<Output = Response<Body>> + Send + 'c>>;

/// A route's handler. Write it as an `async fn(&Call<'_>) -> Response<Body>` and name it in
/// the table as `|call| Box::pin(handler(call))`.
pub type Handler = for<'c, 'r> fn(&'c Call<'r>) -> Answer<'c>;

/// One route: an API Gateway route key and the handler that answers it.
#[derive(Clone, Copy)]
pub struct Route {
    pub key: &'static str,
    handler: Handler,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.key)
    }
}

impl Route {
    #[must_use]
    pub const fn new(key: &'static str, handler: Handler) -> Self {
        Self { key, handler }
    }

    /// The method part of the key: `GET`, `POST`, … or `ANY`.
    #[must_use]
    pub fn method(&self) -> &'static str {
        self.key.split_once(' ').map_or("", |(method, _)| method)
    }

    /// The path part of the key, such as `/items/{id}`.
    #[must_use]
    pub fn path(&self) -> &'static str {
        self.key.split_once(' ').map_or(self.key, |(_, path)| path)
    }

    pub(crate) async fn answer(&self, call: &Call<'_>) -> Response<Body> {
        (self.handler)(call).await
    }
}

/// What a handler is given: the request, the path's variables, and the invocation's trace for
/// the work it does outside the function.
pub struct Call<'r> {
    pub request: RawRequest<'r>,
    params: Vec<(&'static str, &'r str)>,
    trace: Option<&'r Trace<'r>>,
    /// Each traced call's name and time, for the request's metrics.
    calls: Mutex<Vec<(String, Duration)>>,
}

impl std::fmt::Debug for Call<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Call")
            .field("request", &self.request)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl<'r> Call<'r> {
    pub(crate) fn new(
        request: RawRequest<'r>,
        params: Vec<(&'static str, &'r str)>,
        trace: Option<&'r Trace<'r>>,
    ) -> Self {
        Self {
            request,
            params,
            trace,
            calls: Mutex::new(Vec::new()),
        }
    }

    /// The calls the handler traced, each with how long it took, in order.
    pub(crate) fn take_calls(&self) -> Vec<(String, Duration)> {
        std::mem::take(&mut *self.calls.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Awaits `work` (a call to a database or another service), records its time as the
    /// request's metric `name`, and, when X-Ray samples this request, shows it in the trace as
    /// a subsegment named `name` under the route's handler:
    /// `let item = call.traced("DynamoDB GetItem", query).await;`
    pub async fn traced<F: Future>(&self, name: &str, work: F) -> F::Output {
        let (started, timer) = (xray::now(), Instant::now());
        let output = work.await;
        let took = timer.elapsed();
        if let Some(trace) = self.trace {
            trace.downstream(name, started);
        }
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((name.to_owned(), took));
        output
    }

    /// The value of the route's path variable `{name}` (or `{name+}`), as the client sent it.
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&'r str> {
        self.params
            .iter()
            .find_map(|&(key, value)| (key == name).then_some(value))
    }
}

/// The outcome of looking a request up in a route table.
#[derive(Debug)]
pub enum Found<'t, 'p> {
    Route {
        route: &'t Route,
        params: Vec<(&'static str, &'p str)>,
    },
    /// The path is routed, but not for this method: these methods are.
    MethodNotAllowed {
        allow: Vec<&'static str>,
    },
    NotFound,
}

impl<'t, 'p> Found<'t, 'p> {
    /// The route found and its path's variables, if a route was found.
    #[must_use]
    pub fn into_route(self) -> Option<(&'t Route, Vec<(&'static str, &'p str)>)> {
        match self {
            Self::Route { route, params } => Some((route, params)),
            Self::MethodNotAllowed { .. } | Self::NotFound => None,
        }
    }
}

/// The most specific route of `table` for `method` and `path`.
#[must_use]
pub fn find<'t, 'p>(table: &'t [Route], method: &str, path: &'p str) -> Found<'t, 'p> {
    let mut best: Option<(&'t Route, Vec<(&'static str, &'p str)>)> = None;
    let mut allow = Vec::new();
    for route in table {
        let Some(params) = match_path(route.path(), path) else {
            continue;
        };
        if route.method() != "ANY" && route.method() != method {
            allow.push(route.method());
            continue;
        }
        if best
            .as_ref()
            .is_none_or(|(chosen, _)| more_specific(route, chosen) == Ordering::Greater)
        {
            best = Some((route, params));
        }
    }
    match best {
        Some((route, params)) => Found::Route { route, params },
        None if allow.is_empty() => Found::NotFound,
        None => {
            allow.sort_unstable();
            allow.dedup();
            Found::MethodNotAllowed { allow }
        }
    }
}

/// How a path segment of a key matches: a literal is the most specific, a greedy tail the least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Segment {
    Greedy,
    Variable,
    Literal,
}

fn segment_kind(pattern: &str) -> Segment {
    match pattern
        .strip_prefix('{')
        .and_then(|rest| rest.strip_suffix('}'))
    {
        Some(name) if name.ends_with('+') => Segment::Greedy,
        Some(_) => Segment::Variable,
        None => Segment::Literal,
    }
}

/// Whether `a` is a more specific choice than `b`, segment by segment from the left, then by
/// a named method over `ANY`.
fn more_specific(a: &Route, b: &Route) -> Ordering {
    let kinds = |route: &Route| {
        route
            .path()
            .split('/')
            .map(segment_kind)
            .collect::<Vec<_>>()
    };
    kinds(a)
        .cmp(&kinds(b))
        .then_with(|| (a.method() != "ANY").cmp(&(b.method() != "ANY")))
}

/// The path's variables when `path` matches the key's `pattern`; `None` when it does not.
fn match_path<'p>(pattern: &'static str, path: &'p str) -> Option<Vec<(&'static str, &'p str)>> {
    let mut params = Vec::new();
    let mut rest = path.strip_prefix('/')?;
    let mut patterns = pattern.strip_prefix('/')?.split('/').peekable();
    while let Some(expected) = patterns.next() {
        let name = expected
            .strip_prefix('{')
            .and_then(|inner| inner.strip_suffix('}'));
        if let Some(greedy) = name.and_then(|name| name.strip_suffix('+')) {
            // `{name+}` takes the rest of the path, at least one character of it.
            return (!rest.is_empty() && patterns.peek().is_none()).then(|| {
                params.push((greedy, rest));
                params
            });
        }
        let (segment, tail) = rest.split_once('/').unwrap_or((rest, ""));
        match name {
            Some(name) if !segment.is_empty() => params.push((name, segment)),
            None if segment == expected => {}
            _ => return None,
        }
        let consumed_all = segment.len() == rest.len();
        rest = tail;
        if consumed_all && patterns.peek().is_some() {
            return None;
        }
        if !consumed_all && patterns.peek().is_none() {
            return None;
        }
    }
    Some(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A handler that answers with the path variable `id`, so a test can see it was called.
    fn echo_id<'c>(call: &'c Call<'_>) -> Answer<'c> {
        let id = call.param("id").unwrap_or("none").to_owned();
        Box::pin(async move { Response::new(Body::from(id)) })
    }

    fn table(keys: &[&'static str]) -> Vec<Route> {
        keys.iter().map(|&key| Route::new(key, echo_id)).collect()
    }

    /// One case of `testkit/route-matching.json`, the specification of API Gateway's route
    /// matching that the HTTP API stand-in's tests read too.
    #[derive(serde::Deserialize)]
    struct Case {
        routes: Vec<String>,
        method: String,
        path: String,
        chosen: Option<String>,
        #[serde(default)]
        params: std::collections::BTreeMap<String, String>,
    }

    #[test]
    fn every_case_of_the_route_matching_specification_chooses_as_api_gateway_does() {
        #[derive(serde::Deserialize)]
        struct Cases {
            cases: Vec<Case>,
        }
        let text = include_str!("../../testkit/route-matching.json");
        let cases: Cases = serde_json::from_str(text).expect("the cases are valid JSON");
        assert!(!cases.cases.is_empty());
        for case in cases.cases {
            let keys: Vec<&'static str> = case
                .routes
                .iter()
                .map(|key| &*Box::leak(key.clone().into_boxed_str()))
                .collect();
            let routes = table(&keys);
            let found =
                find(&routes, &case.method, &case.path)
                    .into_route()
                    .map(|(route, params)| {
                        let params = params
                            .into_iter()
                            .map(|(name, value)| (name.to_owned(), value.to_owned()))
                            .collect();
                        (route.key.to_owned(), params)
                    });
            let expected = case.chosen.map(|key| (key, case.params));
            assert_eq!(
                found, expected,
                "{} {} among {:?}",
                case.method, case.path, case.routes
            );
        }
    }

    #[test]
    fn a_routed_path_with_another_method_is_not_allowed_and_says_which_are() {
        let routes = table(&["GET /health", "POST /health", "GET /health"]);
        assert!(matches!(
            find(&routes, "DELETE", "/health"),
            Found::MethodNotAllowed { allow } if allow == ["GET", "POST"]
        ));
    }

    #[test]
    fn a_path_no_route_names_is_not_found_rather_than_not_allowed() {
        assert!(matches!(
            find(&table(&["GET /health"]), "GET", "/anything"),
            Found::NotFound
        ));
    }

    #[test]
    fn a_route_answers_with_its_handler_given_the_paths_variables() {
        let routes = table(&["GET /items/{id}"]);
        let answered = find(&routes, "GET", "/items/42")
            .into_route()
            .map(|(route, params)| {
                let call = Call::new(RawRequest::default(), params, None);
                assert!(format!("{call:?}").contains(r#"params: [("id", "42")]"#));
                tokio::runtime::Builder::new_current_thread()
                    .build()
                    .map(|runtime| runtime.block_on(route.answer(&call)).into_body())
                    .ok()
            });
        assert_eq!(answered, Some(Some(Body::from("42"))));
    }

    #[test]
    fn traced_work_is_a_subsegment_under_the_handler_only_when_sampled() {
        let daemon = std::net::UdpSocket::bind("127.0.0.1:0").expect("a local port");
        daemon
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .expect("a timeout");
        let address = daemon.local_addr().expect("an address").to_string();
        let to = xray::Daemon::at(&address);
        let header = crate::trace_header::TraceHeader::parse("Root=1-a-b;Parent=c;Sampled=1");
        let trace = header.and_then(|header| Trace::of(header, to.as_ref()));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        for trace in [trace.as_ref(), None] {
            let call = Call::new(RawRequest::default(), Vec::new(), trace);
            assert_eq!(runtime.block_on(call.traced("database", async { 7 })), 7);
        }
        let mut datagram = vec![0; 65_536];
        let length = daemon.recv(&mut datagram).unwrap_or_default();
        let text = String::from_utf8_lossy(&datagram[..length]);
        assert!(text.contains(r#""name":"database""#), "{text}");
        daemon.set_nonblocking(true).expect("a non-blocking socket");
        assert!(
            daemon.recv(&mut datagram).is_err(),
            "the untraced call sent nothing"
        );
    }

    #[test]
    fn a_route_shows_its_key_and_parts() {
        let route = table(&["GET /items/{id}"])[0];
        assert_eq!(format!("{route:?}"), "GET /items/{id}");
        assert_eq!((route.method(), route.path()), ("GET", "/items/{id}"));
    }
}
