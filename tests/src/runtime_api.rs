//! A local stand-in for the Lambda Runtime API, on 127.0.0.1.
//!
//! It hands out a fixed list of events on `/invocation/next`, records every answer the
//! function posts back, and, once the list is spent, answers `/next` with `410 Gone` and no
//! request id. The runtime treats that as fatal and the function exits on its own, which is
//! what lets coverage and timing tools see a normal exit instead of a kill.

use std::collections::VecDeque;
use std::io;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;
use tiny_http::{Header, Request, Response, Server};

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

/// The stand-in server. It stops when dropped.
pub struct RuntimeApi {
    address: String,
    observations: Arc<Mutex<Vec<Observation>>>,
    server: Arc<Server>,
    thread: Option<JoinHandle<()>>,
}

impl RuntimeApi {
    /// Starts serving `events`, in order, each under the request id `req-<n>` (from 1).
    ///
    /// # Errors
    /// When no port on 127.0.0.1 can be bound.
    pub fn serve(events: Vec<String>) -> io::Result<Self> {
        let server = Arc::new(Server::http("127.0.0.1:0").map_err(io::Error::other)?);
        let address = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| io::Error::other("the stand-in is not on an IP address"))?
            .to_string();
        let observations = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let server = Arc::clone(&server);
            let observations = Arc::clone(&observations);
            std::thread::spawn(move || {
                let mut pending: VecDeque<(usize, String)> =
                    events.into_iter().enumerate().map(|(i, e)| (i + 1, e)).collect();
                for request in server.incoming_requests() {
                    let exchange = answer(request, &mut pending);
                    if let Some(exchange) = exchange {
                        observations
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push(Observation {
                                at: Instant::now(),
                                exchange,
                            });
                    }
                }
            })
        };
        Ok(Self {
            address,
            observations,
            server,
            thread: Some(thread),
        })
    }

    /// `host:port`, the form `AWS_LAMBDA_RUNTIME_API` takes.
    #[must_use]
    pub fn address(&self) -> &str {
        &self.address
    }

    /// What the function has done so far, in order.
    #[must_use]
    pub fn observations(&self) -> Vec<Observation> {
        self.observations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
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

impl std::fmt::Debug for RuntimeApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeApi")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            // A panic in the server thread already failed whichever test caused it.
            let _ = thread.join();
        }
    }
}

fn answer(mut request: Request, pending: &mut VecDeque<(usize, String)>) -> Option<Exchange> {
    let url = request.url().to_owned();
    let mut body = String::new();
    // An unreadable body is recorded as null rather than hidden.
    let _ = request.as_reader().read_to_string(&mut body);
    let body_json = || serde_json::from_str(&body).unwrap_or(Value::Null);
    let segments: Vec<&str> = url
        .strip_prefix(PREFIX)
        .unwrap_or_default()
        .split('/')
        .collect();
    let (response, exchange) = match segments.as_slice() {
        ["", "invocation", "next"] => (next_event(pending), Some(Exchange::NextRequested)),
        ["", "invocation", id, "response"] => (
            accepted(),
            Some(Exchange::Responded {
                request_id: (*id).to_owned(),
                body: body_json(),
            }),
        ),
        ["", "invocation", id, "error"] => {
            let error_type = header(&request, "Lambda-Runtime-Function-Error-Type");
            (
                accepted(),
                Some(Exchange::Failed {
                    request_id: (*id).to_owned(),
                    error_type,
                    body: body_json(),
                }),
            )
        }
        ["", "init", "error"] => (accepted(), Some(Exchange::InitFailed { body: body_json() })),
        _ => (Response::from_string("not found").with_status_code(404), None),
    };
    // The function may already be gone; nothing is waiting for this answer then.
    let _ = request.respond(response);
    exchange
}

fn next_event(pending: &mut VecDeque<(usize, String)>) -> Response<io::Cursor<Vec<u8>>> {
    let Some((number, event)) = pending.pop_front() else {
        return Response::from_string("no more events").with_status_code(410);
    };
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        + Duration::from_secs(30);
    Response::from_string(event)
        .with_header(fixed_header("Lambda-Runtime-Aws-Request-Id", &format!("req-{number}")))
        .with_header(fixed_header(
            "Lambda-Runtime-Deadline-Ms",
            &deadline.as_millis().to_string(),
        ))
        .with_header(fixed_header(
            "Lambda-Runtime-Invoked-Function-Arn",
            "arn:aws:lambda:us-east-1:123456789012:function:hello",
        ))
        .with_header(fixed_header("Content-Type", "application/json"))
}

fn accepted() -> Response<io::Cursor<Vec<u8>>> {
    Response::from_string(r#"{"status":"OK"}"#).with_status_code(202)
}

fn header(request: &Request, name: &str) -> String {
    request
        .headers()
        .iter()
        .find(|header| header.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|header| header.value.as_str().to_owned())
        .unwrap_or_default()
}

fn fixed_header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|()| unreachable!("{name} and {value} are valid header text"))
}

/// Starts the function binary against `api`, with the environment Lambda would give it.
///
/// # Errors
/// When the binary cannot be started.
pub fn spawn_function(binary: &Path, api: &RuntimeApi) -> io::Result<Child> {
    Command::new(binary)
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", api.address())
        .env("AWS_LAMBDA_FUNCTION_NAME", "hello")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/hello")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "local")
        .envs(std::env::vars().filter(|(name, _)| name.starts_with("LLVM_PROFILE")))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
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
