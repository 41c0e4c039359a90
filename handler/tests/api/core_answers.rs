//! The handler is a thin adapter: it answers with what the core decides, and a handler that
//! panics costs one request, not the process. (The Rust form of the original example's
//! "should call helloWorld function" test, without a mock: the core is pure, so the test asks it
//! directly what the answer must be.)

use hello_world::{HelloWorld, HttpEvent, RawRequest};
use hello_world_handler::Telemetry;
use hello_world_handler::router::{Answer, Call, Route};
use hello_world_handler::routes::ROUTES;

use crate::helpers::{respond, respond_by};
use hello_world_testkit::fixtures;
use hello_world_testkit::snapshot::response_json;
use serde_json::json;

fn expected_event() -> HttpEvent {
    let path = fixtures::client_path("apigw-http");
    HttpEvent::try_from(&RawRequest {
        query: vec![("name", "world"), ("tag", "a"), ("tag", "b")],
        body: br#"{"greeting":"hi","count":2}"#,
        ..RawRequest::new("POST", &path, fixtures::REQUEST_ID, "apiGatewayHttp").with_headers(&[
            ("accept", "application/json"),
            ("authorization", "Bearer s3cr3t-token"),
            ("content-type", "application/json"),
            ("cookie", "session=abc123; theme=dark"),
            ("host", "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"),
            ("user-agent", "curl/8.5.0"),
            ("x-api-key", "k3y-value"),
        ])
    })
    .expect("the expected event is valid")
}

#[test]
fn the_greeting_is_the_cores_answer_to_the_normalised_event() {
    let response = response_json(&respond(&fixtures::request("apigw-http")));

    assert_eq!(response["status"], 200);
    assert_eq!(
        response["body"],
        serde_json::to_value(HelloWorld.say_hello(expected_event()))
            .expect("a greeting serialises")
    );
}

#[test]
fn bad_input_is_answered_with_the_cores_error_and_status() {
    let response = response_json(&respond(&fixtures::request("malformed-json")));

    assert_eq!(response["status"], 400);
    assert_eq!(
        response["body"]["error"],
        json!("request body is not valid JSON: expected value at line 4, column 1")
    );
}

/// A handler with a bug: it panics on every request.
fn panicking<'c>(_: &'c Call<'_>) -> Answer<'c> {
    panic!("a bug in a handler");
}

#[test]
fn a_handler_that_panics_gets_api_gateways_json_500_and_the_next_request_is_answered() {
    let request = fixtures::request("apigw-http");
    let buggy: Vec<Route> = ROUTES
        .iter()
        .map(|route| Route::new(route.key, panicking))
        .collect();
    let response = response_json(&respond_by(&buggy, &Telemetry::off(), &request));
    assert_eq!(response["status"], 500);
    assert_eq!(
        response["body"],
        json!({"message": "Internal Server Error"})
    );
    assert_eq!(response_json(&respond(&request))["status"], 200);
}
