//! Each request writes one structured JSON log line, and it never holds secrets or the body.

use hello_world_handler::{LogFormat, subscriber};
use tracing::level_filters::LevelFilter;

use crate::helpers::respond;
use hello_world_testkit::fixtures;
use hello_world_testkit::log_capture::Captured;
use serde_json::Value;

fn log_lines_of(fixture: &str) -> Vec<String> {
    log_lines_at(LevelFilter::INFO, fixture)
}

fn log_lines_at(level: LevelFilter, fixture: &str) -> Vec<String> {
    let captured = Captured::default();
    let subscriber = subscriber(captured.writer(), level, LogFormat::Json);
    let request = fixtures::request(fixture);
    tracing::subscriber::with_default(subscriber, || respond(&request));
    captured.text().lines().map(str::to_owned).collect()
}

#[test]
fn a_request_writes_exactly_one_json_line_with_its_outcome() {
    let lines = log_lines_of("apigw-http");
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line: Value = serde_json::from_str(&lines[0]).expect("the line is JSON");
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["message"], "request handled");
    assert_eq!(line["requestId"], fixtures::REQUEST_ID);
    assert_eq!(line["method"], "POST");
    assert_eq!(line["path"], fixtures::client_path("apigw-http"));
    assert_eq!(line["status"], 200);
    assert!(line["latency_us"].is_u64(), "{line}");
}

#[test]
fn a_rejected_request_is_logged_with_its_status() {
    let lines = log_lines_of("malformed-json");
    let line: Value = serde_json::from_str(&lines[0]).expect("the line is JSON");
    assert_eq!(line["status"], 400);
}

#[test]
fn the_log_line_holds_no_header_values_and_no_body() {
    let line = log_lines_of("apigw-rest").concat();
    for secret_or_content in ["s3cr3t", "abc123", "k3y-value", "curl/8.5.0", "greeting"] {
        assert!(
            !line.contains(secret_or_content),
            "{secret_or_content} leaked: {line}"
        );
    }
}

#[test]
fn above_info_the_request_line_is_not_written() {
    assert_eq!(
        log_lines_at(LevelFilter::WARN, "apigw-http"),
        Vec::<String>::new()
    );
    assert_eq!(log_lines_at(LevelFilter::DEBUG, "apigw-http").len(), 1);
}
