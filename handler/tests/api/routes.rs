//! Every route of the table reaches its handler; nothing else does, and what is refused is
//! refused as API Gateway would refuse it. The table's keys are kept in a snapshot, which
//! `infra/tests/test_routes.py` holds to the compiled templates' route keys.

use std::collections::HashSet;

use hello_world_handler::Telemetry;
use hello_world_handler::router::{Answer, Call, Route};
use hello_world_handler::routes::ROUTES;
use hello_world_testkit::fixtures;
use hello_world_testkit::snapshot::response_json;
use insta::assert_json_snapshot;
use serde_json::{Value, json};

use crate::helpers::respond_by;

/// A handler that must not run: a refused request never reaches one.
fn untouchable<'c>(call: &'c Call<'_>) -> Answer<'c> {
    panic!(
        "a handler was asked {} {}",
        call.request.method, call.request.path
    );
}

/// The function's route keys, each answered by `handler`.
fn every_key_answered_by(handler: hello_world_handler::router::Handler) -> Vec<Route> {
    ROUTES
        .iter()
        .map(|route| Route::new(route.key, handler))
        .collect()
}

/// Methods an HTTP API route key may name (`ANY` takes them all).
const METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY",
];

/// A path the route matches: each `{variable}` filled with a sample value.
fn sample_path(route: &Route) -> String {
    route
        .path()
        .split('/')
        .map(|segment| match segment.strip_prefix('{') {
            Some(name) if name.ends_with("+}") => "sample/tail",
            Some(_) => "sample",
            None => segment,
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn answer(routes: &[Route], method: &str, path: &str) -> Value {
    let event = fixtures::http_api_event_for(method, path);
    response_json(&respond_by(
        routes,
        &Telemetry::off(),
        &fixtures::request_from_event(&event),
    ))
}

fn is_refusal(response: &Value) -> bool {
    matches!(response["status"].as_u64(), Some(404 | 405))
        && response["body"]["message"].as_str().is_some()
}

#[test]
fn the_route_keys_are_kept_in_a_snapshot_the_template_is_checked_against() {
    let keys: Vec<&str> = ROUTES.iter().map(|route| route.key).collect();
    assert_json_snapshot!("routes", keys);
}

#[test]
fn every_route_key_is_one_api_gateway_accepts_and_names_it_once() {
    let mut seen = HashSet::new();
    for route in ROUTES {
        assert!(METHODS.contains(&route.method()), "{route:?}: method");
        assert!(route.path().starts_with('/'), "{route:?}: path");
        let greedy = route.path().find("+}");
        assert!(
            greedy.is_none_or(|at| at + 2 == route.path().len()),
            "{route:?}: a greedy variable must come last"
        );
        assert!(seen.insert(route.key), "{route:?} is in the table twice");
    }
}

#[test]
fn every_route_reaches_a_handler() {
    for route in ROUTES {
        let method = if route.method() == "ANY" {
            "GET"
        } else {
            route.method()
        };
        let response = answer(ROUTES, method, &sample_path(route));
        assert!(!is_refusal(&response), "{route:?} was refused: {response}");
        assert_eq!(response["headers"]["content-type"], "application/json");
    }
}

#[test]
fn a_path_no_route_names_is_api_gateways_json_404_and_reaches_no_handler() {
    let routes = every_key_answered_by(untouchable);
    let response = answer(&routes, "GET", "/no-route-has-this-path");
    assert_eq!(response["status"], 404);
    assert_eq!(response["body"], json!({"message": "Not Found"}));
    assert_eq!(response["headers"]["content-type"], "application/json");
}

#[test]
fn a_method_a_routed_path_does_not_take_is_a_json_405_naming_those_it_does() {
    let named_methods: Vec<&Route> = ROUTES
        .iter()
        .filter(|route| route.method() != "ANY")
        .filter(|route| {
            !ROUTES
                .iter()
                .any(|other| other.method() == "ANY" && other.path() == route.path())
        })
        .collect();
    assert!(
        !named_methods.is_empty(),
        "no route takes only some methods"
    );
    for route in named_methods {
        let other = if route.method() == "DELETE" {
            "PATCH"
        } else {
            "DELETE"
        };
        let response = answer(
            &every_key_answered_by(untouchable),
            other,
            &sample_path(route),
        );
        assert_eq!(response["status"], 405, "{other} {route:?}: {response}");
        assert_eq!(response["body"], json!({"message": "Method Not Allowed"}));
        let allow = response["headers"]["allow"].as_str().unwrap_or_default();
        assert!(allow.contains(route.method()), "{route:?}: Allow {allow}");
    }
}
