//! Per-request cost of the handler, from `lambda_http::Request` to `Response`, per carrier.

use criterion::{Criterion, criterion_group, criterion_main};
use hello_world::HelloWorld;
use hello_world_handler::handle;
use hello_world_tests::fixtures::{self, SAME_REQUEST_BY_EACH_CARRIER};
use std::hint::black_box;

fn handler(c: &mut Criterion) {
    let mut group = c.benchmark_group("handle");
    for fixture in SAME_REQUEST_BY_EACH_CARRIER {
        let request = fixtures::request(fixture);
        group.bench_function(fixture, |b| {
            b.iter(|| handle(&HelloWorld, black_box(&request)));
        });
    }
    let item = r#"{"id":12345,"name":"a reasonably sized item","tags":["x","y","z"]},"#;
    let body = format!("[{}null]", item.repeat(256 * 1024 / item.len()));
    let large = fixtures::request_from_event(&fixtures::http_api_event_with_body(
        &body,
        "application/json",
    ));
    group.bench_function("apigw-http, 256 KiB json body", |b| {
        b.iter(|| handle(&HelloWorld, black_box(&large)));
    });
    group.finish();
}

criterion_group!(benches, handler);
criterion_main!(benches);
