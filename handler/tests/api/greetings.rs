//! The greetings routes against a real DynamoDB-compatible server: the compiled function, run
//! through the Runtime API stand-in, reaches moto's DynamoDB (`testkit/dynamodb_server.py`) over
//! HTTP through the SDK's endpoint override, on the code path it takes in production.

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use hello_world_testkit::dynamodb_server::DynamoServer;
use hello_world_testkit::fixtures;
use hello_world_testkit::runtime_api::{
    Exchange, Gate, Invocation, Logs, RuntimeApi, spawn_function_with, wait_for_exit,
};
use serde_json::{Value, json};

use crate::helpers::{FUNCTION, answers, run_function_with};

const TABLE: &str = "greetings-suite";
const REGION: &str = "eu-west-1";

fn start_server() -> DynamoServer {
    DynamoServer::start(TABLE)
}

/// Every greeting the table holds, read straight from it.
fn stored_greetings(server: &DynamoServer) -> usize {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::for_tests())
        .endpoint_url(server.endpoint())
        .http_client(
            aws_smithy_http_client::Builder::new()
                .tls_provider(Provider::Rustls(CryptoMode::Ring))
                .build_https(),
        )
        .build();
    let scan = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime starts")
        .block_on(Client::from_conf(config).scan().table_name(TABLE).send())
        .expect("the table can be scanned");
    scan.items()
        .iter()
        .filter(|item| {
            item.get("pk")
                .and_then(|pk| pk.as_s().ok())
                .is_some_and(|pk| pk.starts_with("greeting#"))
        })
        .count()
}

fn fault(server: &DynamoServer, fault: &str) {
    server.fault(fault).expect("the fault switch answers");
}

/// An HTTP API request as API Gateway would pass it on.
fn post(name: &str, key: Option<&str>) -> String {
    let mut headers = vec![("content-type", "application/json")];
    headers.extend(key.map(|key| ("idempotency-key", key)));
    fixtures::http_api_request(
        "POST",
        "/greetings",
        &headers,
        Some(&json!({ "name": name }).to_string()),
    )
}

fn get(id: &str) -> String {
    fixtures::http_api_event_for("GET", &format!("/greetings/{id}"))
}

/// One answer: its status, headers and JSON body.
struct Answer {
    status: u64,
    headers: Value,
    body: Value,
}

fn answer_of(exchange: &Exchange) -> Answer {
    let Exchange::Responded { body, .. } = exchange else {
        panic!("expected a response, got {exchange:?}");
    };
    Answer {
        status: body["statusCode"].as_u64().expect("statusCode"),
        headers: body["headers"].clone(),
        body: serde_json::from_str(body["body"].as_str().expect("a text body"))
            .expect("a JSON body"),
    }
}

/// Runs one function process over `invocations` against `server`; its answers, in order.
fn serve(server: &DynamoServer, invocations: Vec<Invocation>) -> Vec<Answer> {
    let env = server.function_env();
    let env: Vec<(&str, &str)> = env
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let run = run_function_with(invocations, &env);
    answers(&run).into_iter().map(answer_of).collect()
}

fn serve_events(server: &DynamoServer, events: Vec<String>) -> Vec<Answer> {
    serve(server, events.into_iter().map(Invocation::of).collect())
}

#[test]
fn a_greeting_is_written_then_read_back_by_its_location() {
    let server = start_server();
    let created = &serve_events(&server, vec![post("Ada", None)])[0];
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().expect("an id");
    assert_eq!(created.headers["location"], format!("/greetings/{id}"));
    assert_eq!(created.body["name"], "Ada");
    assert_eq!(created.body["region"], REGION);
    assert!(
        created.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("Ada"))
    );

    let read = &serve_events(&server, vec![get(id)])[0];
    assert_eq!(read.status, 200);
    assert_eq!(read.body, created.body);
}

#[test]
fn an_id_that_was_never_written_is_a_json_404() {
    let server = start_server();
    let read = &serve_events(&server, vec![get("00000000-0000-4000-8000-000000000000")])[0];
    assert_eq!(read.status, 404);
    assert!(read.body["error"].is_string());
}

#[test]
fn a_repeat_with_the_same_key_and_body_gets_the_first_answer_and_writes_nothing() {
    let server = start_server();
    let answers = serve_events(
        &server,
        vec![post("Ada", Some("key-1")), post("Ada", Some("key-1"))],
    );
    assert_eq!((answers[0].status, answers[1].status), (201, 201));
    assert_eq!(answers[1].body, answers[0].body);
    assert_eq!(
        answers[1].headers["location"],
        answers[0].headers["location"]
    );
    assert_eq!(stored_greetings(&server), 1);
}

#[test]
fn the_same_key_with_another_body_is_a_422_and_writes_nothing() {
    let server = start_server();
    let answers = serve_events(
        &server,
        vec![post("Ada", Some("key-1")), post("Grace", Some("key-1"))],
    );
    assert_eq!((answers[0].status, answers[1].status), (201, 422));
    assert!(answers[1].body["error"].is_string());
    assert_eq!(stored_greetings(&server), 1);
}

#[test]
fn concurrent_requests_with_one_key_leave_exactly_one_greeting() {
    let server = start_server();
    let answers: Vec<Answer> = thread::scope(|scope| {
        let runs: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| serve_events(&server, vec![post("Ada", Some("key-race"))])))
            .collect();
        runs.into_iter()
            .flat_map(|run| run.join().expect("a run completes"))
            .collect()
    });
    let ids: Vec<&Value> = answers
        .iter()
        .filter(|a| a.status == 201)
        .map(|a| &a.body["id"])
        .collect();
    assert!(!ids.is_empty(), "no request was answered 201");
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "two ids for one key: {ids:?}"
    );
    assert!(
        answers.iter().all(|a| a.status == 201 || a.status == 409),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert_eq!(stored_greetings(&server), 1);
}

#[test]
fn a_stopped_table_is_a_503_and_the_same_process_serves_again_once_it_is_back() {
    let mut server = start_server();
    let env = server.function_env();
    let env: Vec<(&str, &str)> = env
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    server.stop();
    // The gate holds the second request back until the server is up again.
    let back = Gate::default();
    let api = RuntimeApi::serve_invocations(vec![
        Invocation::of(post("Ada", Some("key-1"))),
        Invocation {
            event: post("Ada", Some("key-1")),
            gate: Some(back.clone()),
            ..Invocation::default()
        },
    ])
    .expect("the stand-in starts");
    let mut function = spawn_function_with(Path::new(FUNCTION), &api, Logs::Discarded, &env)
        .expect("the function starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while responded(&api.exchanges()) == 0 {
        assert!(
            Instant::now() < deadline,
            "no answer while the table was down"
        );
        thread::sleep(Duration::from_millis(20));
    }
    let server = DynamoServer::start_on(server.port, TABLE);
    back.open();
    wait_for_exit(&mut function, Duration::from_secs(30)).expect("the function exits");

    let exchanges = api.exchanges();
    let answers: Vec<Answer> = answers_of(&exchanges);
    assert_eq!(answers[0].status, 503, "{}", answers[0].body);
    assert_eq!(answers[0].headers["retry-after"], "1");
    assert!(answers[0].body["error"].is_string());
    // The same process: the failure cost it nothing.
    assert_eq!(answers[1].status, 201, "{}", answers[1].body);
    assert_eq!(stored_greetings(&server), 1);
}

fn responded(exchanges: &[Exchange]) -> usize {
    exchanges
        .iter()
        .filter(|exchange| matches!(exchange, Exchange::Responded { .. }))
        .count()
}

fn answers_of(exchanges: &[Exchange]) -> Vec<Answer> {
    exchanges
        .iter()
        .filter(|exchange| matches!(exchange, Exchange::Responded { .. }))
        .map(answer_of)
        .collect()
}

#[test]
fn a_throttled_table_is_a_503_with_retry_after_and_nothing_is_written() {
    let server = start_server();
    fault(&server, "throttle");
    let throttled = serve_events(
        &server,
        vec![
            post("Ada", None),
            get("00000000-0000-4000-8000-000000000000"),
        ],
    );
    assert_eq!((throttled[0].status, throttled[1].status), (503, 503));
    assert!(throttled.iter().all(|a| a.headers["retry-after"] == "1"));
    fault(&server, "none");
    assert_eq!(stored_greetings(&server), 0);
}

#[test]
fn the_same_key_while_another_write_with_it_is_under_way_is_a_409_and_nothing_is_written() {
    let server = start_server();
    fault(&server, "conflict");
    let answer = &serve_events(&server, vec![post("Ada", Some("key-1"))])[0];
    fault(&server, "none");
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert!(answer.body["error"].is_string());
    assert_eq!(stored_greetings(&server), 0);
}

#[test]
fn a_function_given_no_table_answers_503_and_says_so_in_its_log() {
    let server = start_server();
    let env = server.function_env();
    let env: Vec<(&str, &str)> = env
        .iter()
        .filter(|(name, _)| *name != "GREETINGS_TABLE")
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let run = run_function_with(vec![Invocation::of(post("Ada", None))], &env);
    let answer = answer_of(answers(&run)[0]);
    assert_eq!(answer.status, 503);
    assert!(
        run.stdout.contains("GREETINGS_TABLE is not set"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_greeting_with_a_life_is_read_with_its_expiry_and_is_gone_once_it_expires() {
    let server = start_server();
    let body = json!({ "name": "Brief", "ttlSeconds": 1 }).to_string();
    let created = &serve_events(
        &server,
        vec![fixtures::http_api_request(
            "POST",
            "/greetings",
            &[("content-type", "application/json")],
            Some(&body),
        )],
    )[0];
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().expect("an id");
    let expires_at = created.body["expiresAt"].as_u64().expect("an expiry");
    // Still in the table (DynamoDB deletes expired items lazily), and answered as gone.
    thread::sleep(Duration::from_millis(2_100));
    assert_eq!(stored_greetings(&server), 1);
    let read = &serve_events(&server, vec![get(id)])[0];
    assert_eq!(read.status, 404, "{} (expired at {expires_at})", read.body);
}

/// Bad input is refused before the table is asked: these run with no table at all.
mod refused_before_the_table {
    use hello_world_testkit::fixtures;
    use serde_json::Value;

    use crate::helpers::respond;

    fn status_and_error(headers: &[(&str, &str)], body: &str) -> (u16, Value) {
        let event = fixtures::http_api_request("POST", "/greetings", headers, Some(body));
        let response = respond(&fixtures::request_from_event(&event));
        let lambda_http::Body::Text(text) = response.body() else {
            panic!("a text body");
        };
        (
            response.status().as_u16(),
            serde_json::from_str::<Value>(text).expect("JSON")["error"].clone(),
        )
    }

    #[test]
    fn an_unusable_idempotency_key_is_a_400() {
        let headers = [
            ("content-type", "application/json"),
            ("idempotency-key", "has spaces"),
        ];
        let (status, error) = status_and_error(&headers, r#"{"name":"Ada"}"#);
        assert_eq!(status, 400);
        assert!(
            error
                .as_str()
                .is_some_and(|e| e.contains("Idempotency-Key"))
        );
    }

    #[test]
    fn a_body_that_is_not_json_is_a_415() {
        let (status, _) = status_and_error(&[("content-type", "text/plain")], "name=Ada");
        assert_eq!(status, 415);
    }

    #[test]
    fn json_that_is_not_a_greeting_is_a_400() {
        let (status, error) =
            status_and_error(&[("content-type", "application/json")], r#"{"nom":"Ada"}"#);
        assert_eq!(status, 400);
        assert!(error.as_str().is_some_and(|e| e.contains("nom")));
    }
}

#[test]
fn each_call_to_the_table_is_a_metric_named_after_its_operation() {
    let server = start_server();
    let mut env = server.function_env();
    env.extend([
        ("METRICS_NAMESPACE", "greetings-suite".to_owned()),
        ("SERVICE_NAME", "greetings-suite".to_owned()),
    ]);
    let env: Vec<(&str, &str)> = env
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let events = [
        post("Ada", Some("key-1")),
        get("00000000-0000-4000-8000-000000000000"),
    ];
    let run = run_function_with(events.into_iter().map(Invocation::of).collect(), &env);
    let documents: Vec<Value> = run
        .stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line.get("_aws").is_some())
        .collect();
    assert_eq!(documents.len(), 2, "{}", run.stdout);
    for (document, operation) in documents
        .iter()
        .zip(["DynamoDB TransactWriteItems", "DynamoDB GetItem"])
    {
        assert!(
            document[operation].as_f64().is_some_and(|ms| ms > 0.0),
            "{document}"
        );
        let named: Vec<&Value> = document["_aws"]["CloudWatchMetrics"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|directive| directive["Metrics"].as_array().into_iter().flatten())
            .map(|metric| &metric["Name"])
            .collect();
        assert!(named.contains(&&Value::from(operation)), "{document}");
    }
}
