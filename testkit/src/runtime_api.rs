//! A local stand-in for the Lambda Runtime API, on 127.0.0.1.
//!
//! It hands out a fixed list of events on `/invocation/next` and records every answer the
//! function posts back. Once the list is spent it drops the connection instead of answering
//! `/next`; the runtime treats that as fatal and the function exits on its own, which lets
//! coverage and timing tools see a normal exit instead of a kill.
//!
//! It is written on `std::net` rather than an HTTP server crate because it has to do what no
//! well-behaved server does: hang up on a request without answering it.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::{self, BufRead as _, BufReader, Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

const PREFIX: &str = "/2018-06-01/runtime";

/// One thing the function did to the Runtime API.
#[derive(Debug, Clone, PartialEq)]
pub enum Exchange {
    /// The function asked for its next event.
    NextRequested,
    /// The function answered an invocation.
    Responded { request_id: String, body: Value },
    /// The function reported that an invocation failed.
    Failed {
        request_id: String,
        error_type: String,
        body: Value,
    },
    /// The function reported that it could not start.
    InitFailed { body: Value },
}

/// An [`Exchange`] and when the stand-in saw it.
#[derive(Debug, Clone)]
pub struct Observation {
    pub at: Instant,
    pub exchange: Exchange,
}

/// One event to hand out, and the X-Ray trace header Lambda would give its invocation.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    pub event: String,
    /// `Lambda-Runtime-Trace-Id`: `Root=…;Parent=…;Sampled=0|1`, or none.
    pub trace_header: Option<String>,
    /// Held back from the function until the test opens it, to change the world in between.
    pub gate: Option<Gate>,
}

impl Invocation {
    /// `event`, with no trace header and nothing held back.
    #[must_use]
    pub fn of(event: String) -> Self {
        Self {
            event,
            ..Self::default()
        }
    }
}

/// A gate a test opens once: an invocation behind it waits until then.
#[derive(Debug, Clone, Default)]
pub struct Gate(Arc<(Mutex<bool>, std::sync::Condvar)>);

impl Gate {
    pub fn open(&self) {
        *self.0.0.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.0.1.notify_all();
    }

    fn wait(&self) {
        let mut open = self.0.0.lock().unwrap_or_else(PoisonError::into_inner);
        while !*open {
            open = self.0.1.wait(open).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

#[derive(Debug, Default)]
struct State {
    pending: VecDeque<(usize, Invocation)>,
    observations: Vec<Observation>,
}

type Shared = Arc<Mutex<State>>;

fn lock(state: &Shared) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The stand-in server. It stops when dropped.
#[derive(Debug)]
pub struct RuntimeApi {
    address: String,
    state: Shared,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl RuntimeApi {
    /// Starts serving `events`, in order, each under the request id `req-<n>` (from 1), with no
    /// trace header.
    ///
    /// # Errors
    /// When no port on 127.0.0.1 can be bound.
    pub fn serve(events: Vec<String>) -> io::Result<Self> {
        Self::serve_invocations(events.into_iter().map(Invocation::of).collect())
    }

    /// Starts serving `invocations`, in order, each under the request id `req-<n>` (from 1)
    /// and with its own trace header.
    ///
    /// # Errors
    /// When no port on 127.0.0.1 can be bound.
    pub fn serve_invocations(invocations: Vec<Invocation>) -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?.to_string();
        let state: Shared = Arc::new(Mutex::new(State {
            pending: invocations
                .into_iter()
                .enumerate()
                .map(|(i, invocation)| (i + 1, invocation))
                .collect(),
            observations: Vec::new(),
        }));
        let stopping = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let state = Arc::clone(&state);
            let stopping = Arc::clone(&stopping);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        let state = Arc::clone(&state);
                        std::thread::spawn(move || serve_connection(stream, &state));
                    }
                }
            })
        };
        Ok(Self {
            address,
            state,
            stopping,
            acceptor: Some(acceptor),
        })
    }

    /// `host:port`, the form `AWS_LAMBDA_RUNTIME_API` takes.
    #[must_use]
    pub fn address(&self) -> &str {
        &self.address
    }

    /// What the function has done so far, in order, with when each thing happened.
    #[must_use]
    pub fn observations(&self) -> Vec<Observation> {
        lock(&self.state).observations.clone()
    }

    /// The exchanges alone, without their times.
    #[must_use]
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.observations()
            .into_iter()
            .map(|observation| observation.exchange)
            .collect()
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the acceptor so it sees the flag; if this fails it is already gone.
        let _ = TcpStream::connect(&self.address);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// A request as the Runtime API client sends it: small, with a known length.
struct HttpRequest {
    path: String,
    error_type: String,
    body: Vec<u8>,
}

fn serve_connection(stream: TcpStream, state: &Shared) {
    let Ok(reader) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(reader);
    let mut writer = stream;
    while let Some(request) = read_request(&mut reader) {
        let body = || serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let segments: Vec<&str> = request
            .path
            .strip_prefix(PREFIX)
            .unwrap_or_default()
            .split('/')
            .collect();
        let (exchange, reply) = match segments.as_slice() {
            ["", "invocation", "next"] => {
                let next = lock(state).pending.pop_front();
                record(state, Exchange::NextRequested);
                let Some((number, invocation)) = next else {
                    // No answer at all: the client sees the connection drop and stops.
                    let _ = writer.shutdown(Shutdown::Both);
                    return;
                };
                if let Some(gate) = &invocation.gate {
                    gate.wait();
                }
                (None, next_event(number, &invocation))
            }
            ["", "invocation", id, "response"] => (
                Some(Exchange::Responded {
                    request_id: (*id).to_owned(),
                    body: body(),
                }),
                reply(202, &[], r#"{"status":"OK"}"#),
            ),
            ["", "invocation", id, "error"] => (
                Some(Exchange::Failed {
                    request_id: (*id).to_owned(),
                    error_type: request.error_type.clone(),
                    body: body(),
                }),
                reply(202, &[], r#"{"status":"OK"}"#),
            ),
            ["", "init", "error"] => (
                Some(Exchange::InitFailed { body: body() }),
                reply(202, &[], r#"{"status":"OK"}"#),
            ),
            _ => (None, reply(404, &[], r#"{"errorMessage":"not found"}"#)),
        };
        if let Some(exchange) = exchange {
            record(state, exchange);
        }
        if writer.write_all(&reply).is_err() {
            return;
        }
    }
}

fn record(state: &Shared, exchange: Exchange) {
    lock(state).observations.push(Observation {
        at: Instant::now(),
        exchange,
    });
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<HttpRequest> {
    let mut line = String::new();
    reader.read_line(&mut line).ok().filter(|read| *read > 0)?;
    let path = line.split_whitespace().nth(1)?.to_owned();
    let (mut length, mut chunked, mut error_type) = (0, false, String::new());
    loop {
        line.clear();
        reader.read_line(&mut line).ok().filter(|read| *read > 0)?;
        let Some((name, value)) = line.trim_end().split_once(':') else {
            break;
        };
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.parse().ok()?,
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            "lambda-runtime-function-error-type" => value.clone_into(&mut error_type),
            _ => {}
        }
    }
    let body = if chunked {
        read_chunked(reader)?
    } else {
        let mut body = vec![0; length];
        reader.read_exact(&mut body).ok()?;
        body
    };
    Some(HttpRequest {
        path,
        error_type,
        body,
    })
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let size = usize::from_str_radix(line.trim().split(';').next()?, 16).ok()?;
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk).ok()?;
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(&chunk[..size]);
    }
}

fn next_event(number: usize, invocation: &Invocation) -> Vec<u8> {
    let deadline = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        + Duration::from_secs(30);
    let mut headers = vec![
        ("Lambda-Runtime-Aws-Request-Id", format!("req-{number}")),
        (
            "Lambda-Runtime-Deadline-Ms",
            deadline.as_millis().to_string(),
        ),
        (
            "Lambda-Runtime-Invoked-Function-Arn",
            "arn:aws:lambda:us-east-1:123456789012:function:hello".to_owned(),
        ),
        ("Content-Type", "application/json".to_owned()),
    ];
    if let Some(trace_header) = &invocation.trace_header {
        headers.push(("Lambda-Runtime-Trace-Id", trace_header.clone()));
    }
    reply(200, &headers, &invocation.event)
}

fn reply(status: u16, headers: &[(&str, String)], body: &str) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// What becomes of the function's stdout and stderr (its log lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logs {
    /// Piped, to be read after the function exits. Only for a few invocations: a full pipe
    /// would block the function.
    Captured,
    /// Thrown away, for runs of any length.
    Discarded,
}

/// Starts the function binary against `api`, with the environment Lambda would give it.
///
/// # Errors
/// When the binary cannot be started.
pub fn spawn_function(binary: &Path, api: &RuntimeApi, logs: Logs) -> io::Result<Child> {
    spawn_function_with(binary, api, logs, &[])
}

/// [`spawn_function`], with `extra` set in its environment too (or over what Lambda gives).
///
/// # Errors
/// When the binary cannot be started.
pub fn spawn_function_with(
    binary: &Path,
    api: &RuntimeApi,
    logs: Logs,
    extra: &[(&str, &str)],
) -> io::Result<Child> {
    let output = || match logs {
        Logs::Captured => Stdio::piped(),
        Logs::Discarded => Stdio::null(),
    };
    Command::new(binary)
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", api.address())
        .env("AWS_LAMBDA_FUNCTION_NAME", "hello")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/hello")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "local")
        .envs(std::env::vars().filter(|(name, _)| name.starts_with("LLVM_PROFILE")))
        .envs(extra.iter().copied())
        .stdin(Stdio::null())
        .stdout(output())
        .stderr(output())
        .spawn()
}

/// Waits for `child` to exit by itself; kills it if it has not within `limit`.
///
/// # Errors
/// When the child cannot be polled or killed, or did not exit in time.
pub fn wait_for_exit(child: &mut Child, limit: Duration) -> io::Result<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if Instant::now() >= deadline {
            child.kill()?;
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the function did not exit within {limit:?}"),
            ));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}
