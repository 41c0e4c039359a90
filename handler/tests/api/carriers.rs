//! Whichever AWS service carries a request, the core sees the same request.

use hello_world_handler::Carrier;

use crate::helpers::respond;
use hello_world_testkit::fixtures::{self, SAME_REQUEST_BY_EACH_CARRIER};
use hello_world_testkit::snapshot::response_json;
use serde_json::Value;

fn input_of(fixture: &str) -> Value {
    let response = response_json(&respond(&fixtures::request(fixture)));
    response["body"]["input"].clone()
}

#[test]
fn the_same_request_yields_the_same_input_apart_from_its_context() {
    let without_context = |fixture| {
        let mut input = input_of(fixture);
        input
            .as_object_mut()
            .and_then(|input| input.remove("requestContext"));
        input
    };
    let reference = without_context(SAME_REQUEST_BY_EACH_CARRIER[0]);
    for fixture in &SAME_REQUEST_BY_EACH_CARRIER[1..] {
        assert_eq!(without_context(fixture), reference, "{fixture} differs");
    }
}

#[test]
fn each_carrier_is_named_in_the_request_context() {
    let carriers: Vec<Value> = SAME_REQUEST_BY_EACH_CARRIER
        .iter()
        .map(|fixture| input_of(fixture)["requestContext"]["carrier"].clone())
        .collect();
    assert_eq!(
        carriers,
        ["apiGatewayRest", "apiGatewayHttp", "alb", "functionUrl"]
    );
}

#[test]
fn the_request_id_is_lambdas_own() {
    for fixture in SAME_REQUEST_BY_EACH_CARRIER {
        assert_eq!(
            input_of(fixture)["requestContext"]["requestId"],
            fixtures::REQUEST_ID,
            "{fixture}"
        );
    }
}

#[test]
fn cookies_from_the_http_api_cookies_array_are_redacted() {
    let input = input_of("apigw-http");
    assert_eq!(
        input["headers"]["cookie"],
        serde_json::json!(["[redacted]"])
    );
    assert!(
        !input.to_string().contains("abc123"),
        "a cookie value leaked: {input}"
    );
}

#[test]
fn a_request_from_no_known_carrier_is_still_greeted_and_marked_unknown() {
    let mut request = lambda_http::Request::default();
    *request.uri_mut() = fixtures::client_path("apigw-http")
        .parse()
        .expect("the fixture's path is a URI");
    assert_eq!(Carrier::of(&request), Carrier::Unknown);

    let response = response_json(&respond(&request));
    assert_eq!(response["status"], 200);
    assert_eq!(
        response["body"]["input"]["requestContext"]["carrier"],
        "unknown"
    );
    assert_eq!(response["body"]["input"]["requestContext"]["requestId"], "");
}
