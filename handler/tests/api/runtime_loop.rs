//! End to end: the compiled function binary, the real `lambda_runtime` loop, and a local
//! stand-in for the Lambda Runtime API on 127.0.0.1.
//!
//! This test lives beside the binary because Cargo only tells a package's own tests where
//! its binaries are (`CARGO_BIN_EXE_*`); the stand-in and fixtures come from `testkit/`.

use hello_world_testkit::fixtures;
use hello_world_testkit::runtime_api::Exchange;
use serde_json::Value;

use crate::helpers::{answers, http_response, run_function_over};

#[test]
fn every_carrier_is_greeted_through_the_real_runtime_loop() {
    let events = fixtures::SAME_REQUEST_BY_EACH_CARRIER
        .map(fixtures::event)
        .to_vec();
    let run = run_function_over(events);

    let answers = answers(&run);
    assert_eq!(answers.len(), 4, "{answers:#?}");
    for (number, (answer, carrier)) in answers
        .iter()
        .zip(["apiGatewayRest", "apiGatewayHttp", "alb", "functionUrl"])
        .enumerate()
    {
        let (status, body) = http_response(answer);
        assert_eq!(status, 200);
        assert_eq!(body["message"], hello_world::HelloWorld::MESSAGE);
        assert_eq!(body["input"]["requestContext"]["carrier"], carrier);
        assert_eq!(
            body["input"]["requestContext"]["requestId"],
            format!("req-{}", number + 1)
        );
    }
}

#[test]
fn bad_input_is_answered_with_a_client_error_not_a_failure() {
    let run = run_function_over(vec![fixtures::event("malformed-json")]);

    let (status, body) = http_response(answers(&run)[0]);
    assert_eq!(status, 400);
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|error| error.contains("line 4, column 1"))
    );
}

#[test]
fn an_event_it_cannot_parse_is_reported_and_the_next_one_is_served() {
    let broken_base64 = fixtures::event("apigw-http")
        .replace("\"isBase64Encoded\": false", "\"isBase64Encoded\": true");
    let run = run_function_over(vec![
        "{\"not\": \"an HTTP event\"}".to_owned(),
        broken_base64,
        fixtures::event("apigw-http"),
    ]);

    let answers = answers(&run);
    assert_eq!(answers.len(), 3, "{answers:#?}");
    for (answer, request_id) in answers[..2].iter().zip(["req-1", "req-2"]) {
        let Exchange::Failed {
            request_id: id,
            body,
            ..
        } = answer
        else {
            panic!("expected an invocation error, got {answer:?}");
        };
        assert_eq!(id, request_id);
        assert!(body["errorMessage"].is_string(), "{body}");
    }
    assert_eq!(http_response(answers[2]).0, 200);
}

#[test]
fn each_handled_request_logs_one_json_line_to_stdout() {
    let run = run_function_over(vec![
        fixtures::event("apigw-rest"),
        fixtures::event("malformed-json"),
    ]);

    let handled: Vec<Value> = run
        .stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["message"] == "request handled")
        .collect();
    let statuses: Vec<&Value> = handled.iter().map(|line| &line["status"]).collect();
    assert_eq!(statuses, [200, 400], "{}", run.stdout);
    assert_eq!(handled[0]["requestId"], "req-1");
}

#[test]
fn the_function_exits_by_itself_when_the_runtime_api_goes_away() {
    let run = run_function_over(Vec::new());

    assert_eq!(run.exchanges, [Exchange::NextRequested]);
    // An exit code, not a signal: the process ended on its own.
    assert_eq!(run.exit_code, Some(1));
}

#[test]
fn the_health_route_reports_the_region_and_version_lambda_gives_the_function() {
    let run = run_function_over(vec![fixtures::event("health")]);

    let (status, body) = http_response(answers(&run)[0]);
    assert_eq!(status, 200);
    assert_eq!(
        body,
        serde_json::json!({"status": "ok", "region": "eu-west-1", "version": "$LATEST"})
    );
}

#[test]
fn the_real_binary_refuses_what_no_route_takes_with_json_and_never_greets_it() {
    let health = fixtures::client_path("health");
    let run = run_function_over(vec![
        fixtures::http_api_event_for("GET", "/no-route-has-this-path"),
        fixtures::http_api_event_for("DELETE", &health),
    ]);

    let answers = answers(&run);
    let (not_found, body) = http_response(answers[0]);
    assert_eq!(
        (not_found, body),
        (404, serde_json::json!({"message": "Not Found"}))
    );
    let (not_allowed, body) = http_response(answers[1]);
    assert_eq!(
        (not_allowed, body),
        (405, serde_json::json!({"message": "Method Not Allowed"}))
    );
    let Exchange::Responded { body, .. } = answers[1] else {
        panic!("expected a response");
    };
    assert_eq!(body["headers"]["allow"], "GET", "{body}");
}
