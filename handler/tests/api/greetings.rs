//! The greetings routes against a real DynamoDB-compatible server: the compiled function, run
//! through the Runtime API stand-in, reaches moto's DynamoDB (testkit/dynamodb_server.py) over
//! HTTP through the SDK's endpoint override, on the code path it takes in production.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use hello_world_testkit::fixtures;
use hello_world_testkit::runtime_api::{
    Exchange, Gate, Invocation, Logs, RuntimeApi, spawn_function_with, wait_for_exit,
};
use serde_json::{Value, json};

use crate::helpers::{FUNCTION, answers, run_function_with};

const TABLE: &str = "greetings-suite";
const REGION: &str = "eu-west-1";

/// moto's DynamoDB on a port of its own, with the stage's table; stopped when dropped.
struct DynamoServer {
    port: u16,
    process: Child,
}

impl DynamoServer {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        Self::start_on(port)
    }

    fn start_on(port: u16) -> Self {
        let root = workspace_root();
        let python = root.join(".tools/venv/bin/python3");
        assert!(
            python.is_file(),
            "{} is missing: run `make tools` (or scripts/tools.sh python) first; this suite runs against moto's DynamoDB",
            python.display()
        );
        let mut process = Command::new(python)
            .arg(root.join("testkit/dynamodb_server.py"))
            .args([port.to_string(), TABLE.to_owned()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the DynamoDB server starts");
        let mut line = String::new();
        BufReader::new(process.stdout.take().expect("stdout is piped"))
            .read_line(&mut line)
            .expect("the server says it is serving");
        assert!(
            line.starts_with("serving"),
            "the server did not start: {line:?}"
        );
        Self { port, process }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }

    /// `throttle` or `none`: what the server answers every DynamoDB call with from now on.
    fn fault(&self, fault: &str) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("the server answers");
        write!(
            stream,
            "POST /fault/{fault} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .expect("the switch is sent");
        let mut reply = String::new();
        stream
            .read_to_string(&mut reply)
            .expect("the switch answers");
        assert!(
            reply
                .lines()
                .next()
                .is_some_and(|status| status.contains(" 200 ")),
            "{reply}"
        );
    }

    /// Every greeting the table holds, read straight from it.
    fn stored_greetings(&self) -> usize {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(Credentials::for_tests())
            .endpoint_url(self.endpoint())
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
}

impl Drop for DynamoServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// An HTTP API request as API Gateway would pass it on.
fn event(method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> String {
    let mut event: Value =
        serde_json::from_str(&fixtures::http_api_event_for(method, path)).expect("JSON");
    for (name, value) in headers {
        event["headers"][*name] = json!(value);
    }
    event["body"] = body.map_or(Value::Null, |body| json!(body));
    event["isBase64Encoded"] = json!(false);
    event.to_string()
}

fn post(name: &str, key: Option<&str>) -> String {
    let mut headers = vec![("content-type", "application/json")];
    headers.extend(key.map(|key| ("idempotency-key", key)));
    event(
        "POST",
        "/greetings",
        &headers,
        Some(&json!({ "name": name }).to_string()),
    )
}

fn get(id: &str) -> String {
    event("GET", &format!("/greetings/{id}"), &[], None)
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

fn function_env(server: &DynamoServer) -> Vec<(&'static str, String)> {
    vec![
        ("GREETINGS_TABLE", TABLE.to_owned()),
        ("AWS_ENDPOINT_URL_DYNAMODB", server.endpoint()),
        ("AWS_ACCESS_KEY_ID", "suite".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "suite".to_owned()),
    ]
}

/// Runs one function process over `invocations` against `server`; its answers, in order.
fn serve(server: &DynamoServer, invocations: Vec<Invocation>) -> Vec<Answer> {
    let env = function_env(server);
    let env: Vec<(&str, &str)> = env
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let run = run_function_with(invocations, &env);
    answers(&run).into_iter().map(answer_of).collect()
}

fn serve_events(server: &DynamoServer, events: Vec<String>) -> Vec<Answer> {
    serve(
        server,
        events
            .into_iter()
            .map(|event| Invocation {
                event,
                ..Invocation::default()
            })
            .collect(),
    )
}

#[test]
fn a_greeting_is_written_then_read_back_by_its_location() {
    let server = DynamoServer::start();
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
    let server = DynamoServer::start();
    let read = &serve_events(&server, vec![get("00000000-0000-4000-8000-000000000000")])[0];
    assert_eq!(read.status, 404);
    assert!(read.body["error"].is_string());
}

#[test]
fn a_repeat_with_the_same_key_and_body_gets_the_first_answer_and_writes_nothing() {
    let server = DynamoServer::start();
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
    assert_eq!(server.stored_greetings(), 1);
}

#[test]
fn the_same_key_with_another_body_is_a_422_and_writes_nothing() {
    let server = DynamoServer::start();
    let answers = serve_events(
        &server,
        vec![post("Ada", Some("key-1")), post("Grace", Some("key-1"))],
    );
    assert_eq!((answers[0].status, answers[1].status), (201, 422));
    assert!(answers[1].body["error"].is_string());
    assert_eq!(server.stored_greetings(), 1);
}

#[test]
fn concurrent_requests_with_one_key_leave_exactly_one_greeting() {
    let server = DynamoServer::start();
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
    assert_eq!(server.stored_greetings(), 1);
}

#[test]
fn a_stopped_table_is_a_503_and_the_same_process_serves_again_once_it_is_back() {
    let mut server = DynamoServer::start();
    let env = function_env(&server);
    let env: Vec<(&str, &str)> = env
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    server.stop();
    // The gate holds the second request back until the server is up again.
    let back = Gate::default();
    let api = RuntimeApi::serve_invocations(vec![
        Invocation {
            event: post("Ada", Some("key-1")),
            ..Invocation::default()
        },
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
    let server = DynamoServer::start_on(server.port);
    back.open();
    wait_for_exit(&mut function, Duration::from_secs(30)).expect("the function exits");

    let exchanges = api.exchanges();
    let answers: Vec<Answer> = answers_of(&exchanges);
    assert_eq!(answers[0].status, 503, "{}", answers[0].body);
    assert_eq!(answers[0].headers["retry-after"], "1");
    assert!(answers[0].body["error"].is_string());
    // The same process: the failure cost it nothing.
    assert_eq!(answers[1].status, 201, "{}", answers[1].body);
    assert_eq!(server.stored_greetings(), 1);
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
    let server = DynamoServer::start();
    server.fault("throttle");
    let throttled = serve_events(
        &server,
        vec![
            post("Ada", None),
            get("00000000-0000-4000-8000-000000000000"),
        ],
    );
    assert_eq!((throttled[0].status, throttled[1].status), (503, 503));
    assert!(throttled.iter().all(|a| a.headers["retry-after"] == "1"));
    server.fault("none");
    assert_eq!(server.stored_greetings(), 0);
}

#[test]
fn the_same_key_while_another_write_with_it_is_under_way_is_a_409_and_nothing_is_written() {
    let server = DynamoServer::start();
    server.fault("conflict");
    let answer = &serve_events(&server, vec![post("Ada", Some("key-1"))])[0];
    server.fault("none");
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert!(answer.body["error"].is_string());
    assert_eq!(server.stored_greetings(), 0);
}

#[test]
fn a_function_given_no_table_answers_503_and_says_so_in_its_log() {
    let server = DynamoServer::start();
    let env = function_env(&server);
    let env: Vec<(&str, &str)> = env
        .iter()
        .filter(|(name, _)| *name != "GREETINGS_TABLE")
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let run = run_function_with(
        vec![Invocation {
            event: post("Ada", None),
            ..Invocation::default()
        }],
        &env,
    );
    let answer = answer_of(answers(&run)[0]);
    assert_eq!(answer.status, 503);
    assert!(
        run.stdout.contains("GREETINGS_TABLE is not set"),
        "{}",
        run.stdout
    );
}
