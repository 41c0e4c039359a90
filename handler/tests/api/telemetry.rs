//! Through the real binary and runtime loop, with a trace header per invocation as Lambda gives
//! it and a UDP listener where Lambda's X-Ray daemon would be: every log line carries the
//! invocation's ids, each request writes one valid metric document, and sampled invocations
//! send their subsegments to the daemon, parented under Lambda's function segment.

use std::collections::HashMap;
use std::net::UdpSocket;
use std::path::PathBuf;
use std::time::Duration;

use hello_world_handler::router::find;
use hello_world_handler::routes::ROUTES;
use hello_world_testkit::fixtures;
use hello_world_testkit::runtime_api::Invocation;
use serde_json::Value;

use crate::helpers::{Run, answers, http_response, run_function_with};

const METRICS_ENV: [(&str, &str); 2] = [
    ("METRICS_NAMESPACE", "test-namespace"),
    ("SERVICE_NAME", "test-service"),
];

fn invocation(event: String, number: u32, sampled: bool) -> Invocation {
    Invocation {
        event,
        trace_header: Some(fixtures::trace_header(number, sampled)),
        gate: None,
    }
}

/// The trace root each request id was given (`req-<n>` gets header number n).
fn roots(count: u32) -> HashMap<String, String> {
    (1..=count)
        .map(|number| {
            let header = fixtures::trace_header(number, true);
            let root = header
                .split(';')
                .next()
                .and_then(|root| root.strip_prefix("Root="));
            (format!("req-{number}"), root.unwrap_or_default().to_owned())
        })
        .collect()
}

/// The route key the router answers a fixture's request with, so a renamed route changes nothing
/// here.
fn route_of(fixture: &str) -> &'static str {
    let event: Value = serde_json::from_str(&fixtures::event(fixture)).expect("a fixture");
    let method = event["requestContext"]["http"]["method"]
        .as_str()
        .expect("an HTTP API fixture");
    let path = fixtures::client_path(fixture);
    find(ROUTES, method, &path)
        .into_route()
        .map(|(route, _)| route.key)
        .expect("a routed fixture")
}

fn json_lines(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect()
}

fn emf_documents(run: &Run) -> Vec<Value> {
    json_lines(run)
        .into_iter()
        .filter(|line| line.get("_aws").is_some())
        .collect()
}

/// A listener where Lambda's daemon would be, and its address.
fn daemon() -> (UdpSocket, String) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("a local port");
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .expect("a timeout");
    let address = socket.local_addr().expect("an address").to_string();
    (socket, address)
}

/// Every datagram the daemon received, as (header line, segment document).
fn received(socket: &UdpSocket) -> Vec<(String, Value)> {
    let mut datagrams = Vec::new();
    let mut buffer = vec![0; 65_536];
    while let Ok(length) = socket.recv(&mut buffer) {
        let text = String::from_utf8_lossy(&buffer[..length]).into_owned();
        let (header, document) = text
            .split_once('\n')
            .expect("a header line, then the document");
        datagrams.push((
            header.to_owned(),
            serde_json::from_str(document).expect("a JSON document"),
        ));
    }
    datagrams
}

#[test]
fn every_log_line_of_an_invocation_carries_its_request_id_and_trace_root() {
    let broken_base64 = fixtures::event("apigw-http")
        .replace("\"isBase64Encoded\": false", "\"isBase64Encoded\": true");
    let run = run_function_with(
        vec![
            invocation(fixtures::event("apigw-http"), 1, true),
            invocation(fixtures::event("malformed-json"), 2, false),
            // lambda_http panics reading this event, before the handler: the runtime's span.
            invocation(broken_base64, 3, true),
            invocation(fixtures::http_api_event_for("GET", "/no-route"), 4, false),
        ],
        &METRICS_ENV,
    );

    let roots = roots(4);
    let lines = json_lines(&run);
    assert!(lines.len() >= 8, "{}", run.stdout);
    for line in &lines {
        let request_id = line["requestId"]
            .as_str()
            .unwrap_or_else(|| panic!("no requestId: {line}"));
        assert_eq!(
            line["traceId"].as_str(),
            Some(roots[request_id].as_str()),
            "{line}"
        );
    }
    let panicked: Vec<&Value> = lines
        .iter()
        .filter(|line| line["message"] == "panicked")
        .collect();
    assert_eq!(panicked.len(), 1, "{}", run.stdout);
    assert_eq!(panicked[0]["requestId"], "req-3");
}

#[test]
fn a_request_line_carries_api_gateways_request_id_too() {
    let run = run_function_with(
        vec![invocation(fixtures::event("apigw-http"), 1, false)],
        &[],
    );
    let line = json_lines(&run)
        .into_iter()
        .find(|line| line["message"] == "request handled")
        .expect("a request line");
    let event: Value = serde_json::from_str(&fixtures::event("apigw-http")).expect("a fixture");
    assert_eq!(line["apiRequestId"], event["requestContext"]["requestId"]);
    assert_eq!(line["route"], route_of("apigw-http"));
}

/// Where the documents of a real run are left for `infra/tests/test_emf.py`, which validates
/// them against the JSON schema written from AWS's specification.
fn emf_samples_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/telemetry-samples/emf.jsonl")
}

#[test]
fn each_request_writes_one_metric_document_and_a_process_counts_one_cold_start() {
    let run = run_function_with(
        vec![
            invocation(fixtures::event("apigw-http"), 1, true),
            invocation(fixtures::event("malformed-json"), 2, false),
            invocation(fixtures::event("health"), 3, false),
        ],
        &METRICS_ENV,
    );

    let documents = emf_documents(&run);
    assert_eq!(documents.len(), 3, "{}", run.stdout);
    let cold_starts: Vec<&Value> = documents
        .iter()
        .filter(|d| d.get("ColdStart").is_some())
        .collect();
    assert_eq!(cold_starts.len(), 1);
    assert_eq!(cold_starts[0]["ColdStart"], 1);
    for (document, (route, class)) in documents.iter().zip([
        (route_of("apigw-http"), "2xx"),
        (route_of("malformed-json"), "4xx"),
        (route_of("health"), "2xx"),
    ]) {
        assert_eq!(document["Route"], route);
        assert_eq!(document[class], 1, "{document}");
        assert!(
            document["Latency"].as_f64().is_some_and(|ms| ms >= 0.0),
            "{document}"
        );
        assert_eq!(
            document["_aws"]["CloudWatchMetrics"][0]["Namespace"],
            "test-namespace"
        );
        assert_eq!(document["Service"], "test-service");
    }

    let samples = emf_samples_path();
    std::fs::create_dir_all(samples.parent().expect("a folder")).expect("the folder is made");
    let lines: Vec<String> = documents.iter().map(Value::to_string).collect();
    std::fs::write(&samples, lines.join("\n") + "\n").expect("the samples are written");
}

#[test]
fn a_second_process_counts_its_own_cold_start() {
    for _ in 0..2 {
        let run = run_function_with(
            vec![fixtures::event("health"), fixtures::event("health")]
                .into_iter()
                .map(Invocation::of)
                .collect(),
            &METRICS_ENV,
        );
        let cold_starts = emf_documents(&run)
            .iter()
            .filter(|d| d.get("ColdStart").is_some())
            .count();
        assert_eq!(cold_starts, 1, "{}", run.stdout);
    }
}

#[test]
fn without_its_namespace_the_function_writes_no_metrics() {
    let run = run_function_with(vec![invocation(fixtures::event("health"), 1, false)], &[]);
    assert!(emf_documents(&run).is_empty(), "{}", run.stdout);
}

#[test]
fn sampled_invocations_send_subsegments_under_lambdas_function_segment_and_unsampled_none() {
    let (socket, address) = daemon();
    let run = run_function_with(
        vec![
            invocation(fixtures::event("apigw-http"), 1, true),
            invocation(fixtures::event("health"), 2, false),
            invocation(fixtures::event("malformed-json"), 3, true),
        ],
        &[("AWS_XRAY_DAEMON_ADDRESS", &address)],
    );
    assert_eq!(answers(&run).len(), 3);

    let datagrams = received(&socket);
    assert_eq!(datagrams.len(), 2, "{datagrams:?}");
    let roots = roots(3);
    for ((header, subsegment), number) in datagrams.iter().zip([1_u32, 3]) {
        assert_eq!(header, r#"{"format":"json","version":1}"#);
        assert_eq!(subsegment["type"], "subsegment");
        assert_eq!(subsegment["trace_id"], roots[&format!("req-{number}")]);
        assert_eq!(subsegment["parent_id"], format!("{number:016x}"));
        assert_eq!(subsegment["name"], route_of("apigw-http"));
    }
    assert_eq!(datagrams[1].1["error"], true, "the 400 is a client error");
}

#[test]
fn with_no_daemon_listening_every_invocation_is_answered() {
    let (socket, address) = daemon();
    drop(socket);
    let run = run_function_with(
        (1..=5)
            .map(|number| invocation(fixtures::event("apigw-http"), number, true))
            .collect(),
        &[("AWS_XRAY_DAEMON_ADDRESS", &address)],
    );
    let statuses: Vec<u64> = answers(&run)
        .iter()
        .map(|answer| http_response(answer).0)
        .collect();
    assert_eq!(statuses, [200; 5]);
}

#[test]
fn lambdas_text_log_format_writes_text_lines_and_keeps_the_metrics_json() {
    let env = [
        METRICS_ENV[0],
        METRICS_ENV[1],
        ("AWS_LAMBDA_LOG_FORMAT", "Text"),
    ];
    let run = run_function_with(
        vec![invocation(fixtures::event("apigw-http"), 1, false)],
        &env,
    );

    let (documents, text): (Vec<&str>, Vec<&str>) =
        run.stdout.lines().partition(|line| line.starts_with('{'));
    assert_eq!(documents.len(), 1, "{}", run.stdout);
    assert!(
        serde_json::from_str::<Value>(documents[0])
            .is_ok_and(|document| document.get("_aws").is_some())
    );
    let request_line = text
        .iter()
        .find(|line| line.contains("request handled"))
        .expect("a request line");
    assert!(
        request_line.contains("requestId=\"req-1\"") || request_line.contains("requestId=req-1"),
        "{request_line}"
    );
    assert!(request_line.contains(&roots(1)["req-1"]), "{request_line}");
}
