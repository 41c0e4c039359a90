//! Per-request cost of the handler, from `lambda_http::Request` to `Response`, per carrier;
//! then with the telemetry it has in Lambda: its log line and metrics, and a sampled trace.

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use hello_world_handler::{Telemetry, handle};
use hello_world_testkit::fixtures::{self, SAME_REQUEST_BY_EACH_CARRIER};
use std::hint::black_box;

fn handler(c: &mut Criterion) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().build() else {
        return;
    };
    let off = Telemetry::off();
    let mut group = c.benchmark_group("handle");
    for fixture in SAME_REQUEST_BY_EACH_CARRIER {
        let request = fixtures::request(fixture);
        group.bench_function(fixture, |b| {
            b.iter(|| runtime.block_on(handle(&off, black_box(&request))));
        });
    }
    let event = fixtures::event("apigw-http");
    let metrics_on = support::metrics_on();
    let request = fixtures::request_from_event(&event);
    tracing::subscriber::with_default(support::log_lines(), || {
        group.bench_function("apigw-http, log line and metrics", |b| {
            b.iter(|| runtime.block_on(handle(&metrics_on, black_box(&request))));
        });
        let (traced, _daemon) = support::traced();
        let header = fixtures::trace_header(1, true);
        let sampled = fixtures::traced_request_from_event(&event, Some(&header));
        group.bench_function("apigw-http, log line, metrics and a sampled trace", |b| {
            b.iter(|| runtime.block_on(handle(&traced, black_box(&sampled))));
        });
    });
    let large = fixtures::request_from_event(&fixtures::http_api_event_with_body(
        &fixtures::large_json_body(256 * 1024),
        "application/json",
    ));
    group.bench_function("apigw-http, 256 KiB json body", |b| {
        b.iter(|| runtime.block_on(handle(&off, black_box(&large))));
    });
    group.finish();
}

criterion_group!(benches, handler);
criterion_main!(benches);
