//! What the benches share: the function's telemetry as it runs in Lambda, writing to nowhere.

#![allow(clippy::expect_used, reason = "a bench's broken setup is not a result")]

use std::hint::black_box;
use std::net::UdpSocket;

use hello_world_handler::Telemetry;
use hello_world_handler::metrics::Metrics;
use hello_world_handler::xray::Daemon;
use hello_world_handler::{LogFormat, subscriber};
use tracing::level_filters::LevelFilter;

/// The JSON log line at INFO, as Lambda's JSON log format has it, written to nowhere.
pub fn log_lines() -> impl tracing::Subscriber + Send + Sync {
    subscriber(std::io::sink, LevelFilter::INFO, LogFormat::Json)
}

/// Metrics on, with each document serialised and handed to a sink that keeps nothing.
pub fn metrics_on() -> Telemetry {
    Telemetry::new(Some(metrics()), None)
}

/// Metrics on, and traces sent to a local socket no one reads, as to Lambda's daemon. The
/// socket is returned so that it stays open while the bench runs.
pub fn traced() -> (Telemetry, UdpSocket) {
    let daemon = UdpSocket::bind("127.0.0.1:0").expect("a local port");
    let address = daemon.local_addr().expect("an address").to_string();
    (
        Telemetry::new(Some(metrics()), Daemon::at(&address)),
        daemon,
    )
}

fn metrics() -> Metrics {
    Metrics::new(
        "bench",
        "bench",
        Box::new(|line| {
            black_box(line);
        }),
    )
}
