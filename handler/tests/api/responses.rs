//! The response contract, one whole HTTP response per case, kept as insta snapshots.

use crate::helpers::respond;
use hello_world::MAX_BODY_BYTES;
use hello_world_testkit::fixtures;
use hello_world_testkit::snapshot::response_json;
use insta::assert_json_snapshot;
use lambda_http::Request;
use serde_json::Value;

fn answer(request: &Request) -> Value {
    response_json(&respond(request))
}

fn respond_to_fixture(name: &str) -> Value {
    answer(&fixtures::request(name))
}

#[test]
fn api_gateway_rest_event_is_greeted() {
    assert_json_snapshot!("apigw-rest", respond_to_fixture("apigw-rest"));
}

#[test]
fn api_gateway_http_event_is_greeted_without_its_stage_in_the_path() {
    assert_json_snapshot!("apigw-http", respond_to_fixture("apigw-http"));
}

#[test]
fn alb_event_is_greeted() {
    assert_json_snapshot!("alb", respond_to_fixture("alb"));
}

#[test]
fn function_url_event_is_greeted_with_its_base64_body_decoded() {
    assert_json_snapshot!("function-url", respond_to_fixture("function-url"));
}

#[test]
fn binary_body_is_echoed_as_base64() {
    assert_json_snapshot!("binary-body", respond_to_fixture("binary-body"));
}

#[test]
fn form_body_is_echoed_as_text() {
    assert_json_snapshot!("form-body", respond_to_fixture("form-body"));
}

#[test]
fn request_without_body_echoes_null() {
    assert_json_snapshot!("no-body", respond_to_fixture("no-body"));
}

#[test]
fn malformed_json_is_a_400_that_says_where() {
    assert_json_snapshot!("malformed-json", respond_to_fixture("malformed-json"));
}

#[test]
fn body_over_one_mebibyte_is_a_413() {
    let event = fixtures::http_api_event_with_body(&"a".repeat(MAX_BODY_BYTES + 1), "text/plain");
    assert_json_snapshot!(
        "body-too-large",
        answer(&fixtures::request_from_event(&event))
    );
}

#[test]
fn body_of_exactly_one_mebibyte_is_greeted() {
    let event = fixtures::http_api_event_with_body(&"a".repeat(MAX_BODY_BYTES), "text/plain");
    let response = answer(&fixtures::request_from_event(&event));
    assert_eq!(response["status"], 200);
    assert_eq!(
        response["body"]["input"]["body"].as_str().map(str::len),
        Some(MAX_BODY_BYTES)
    );
}

#[test]
fn the_health_route_answers_ok_with_who_answered() {
    // The region and version come from Lambda's environment; the end-to-end test checks them.
    assert_json_snapshot!("health", respond_to_fixture("health"), {
        ".body.region" => "[region]",
        ".body.version" => "[version]",
    });
}
