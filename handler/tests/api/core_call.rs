//! The handler is a thin adapter: it asks the core once and returns what the core said.
//! (The Rust form of the original example's "should call helloWorld function" test.)

use hello_world::{Greeting, HelloWorld, HttpEvent, RawRequest};
use hello_world_handler::Greeter;

use crate::helpers::respond;
use hello_world_testkit::fixtures;
use hello_world_testkit::snapshot::response_json;
use mockall::mock;
use mockall::predicate::eq;
use serde_json::json;

mock! {
    Core {}
    impl Greeter for Core {
        fn say_hello(&self, event: HttpEvent) -> Greeting;
    }
}

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
fn handler_calls_say_hello_once_with_the_normalised_event_and_returns_its_greeting() {
    let canned = Greeting {
        message: "from the mock".to_owned(),
        input: HelloWorld.say_hello(expected_event()).input,
    };
    let mut core = MockCore::new();
    core.expect_say_hello()
        .with(eq(expected_event()))
        .times(1)
        .return_const(canned.clone());

    let response = response_json(&respond(&core, &fixtures::request("apigw-http")));

    assert_eq!(response["status"], 200);
    assert_eq!(
        response["body"],
        serde_json::to_value(canned).expect("a greeting serialises")
    );
}

#[test]
fn handler_does_not_call_the_core_for_bad_input() {
    let mut core = MockCore::new();
    core.expect_say_hello().times(0);

    let response = response_json(&respond(&core, &fixtures::request("malformed-json")));

    assert_eq!(response["status"], 400);
    assert_eq!(
        response["body"]["error"],
        json!("request body is not valid JSON: expected value at line 4, column 1")
    );
}

/// A core with a bug: it panics on every request.
struct Panicking;

impl Greeter for Panicking {
    fn say_hello(&self, _: HttpEvent) -> Greeting {
        panic!("a bug in the core");
    }
}

#[test]
fn a_core_that_panics_gets_api_gateways_json_500_and_the_handler_answers_the_next_request() {
    let request = fixtures::request("apigw-http");
    let response = response_json(&respond(&Panicking, &request));
    assert_eq!(response["status"], 500);
    assert_eq!(
        response["body"],
        json!({"message": "Internal Server Error"})
    );
    assert_eq!(
        response_json(&respond(&HelloWorld, &request))["status"],
        200
    );
}
