//! Per-request cost of the handler, from `lambda_http::Request` to `Response`, per carrier.

use criterion::{Criterion, criterion_group, criterion_main};
use hello_world::HelloWorld;
use hello_world_handler::handle;
use hello_world_testkit::fixtures::{self, SAME_REQUEST_BY_EACH_CARRIER};
use std::hint::black_box;

fn handler(c: &mut Criterion) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().build() else {
        return;
    };
    let mut group = c.benchmark_group("handle");
    for fixture in SAME_REQUEST_BY_EACH_CARRIER {
        let request = fixtures::request(fixture);
        group.bench_function(fixture, |b| {
            b.iter(|| runtime.block_on(handle(&HelloWorld, black_box(&request))));
        });
    }
    let large = fixtures::request_from_event(&fixtures::http_api_event_with_body(
        &fixtures::large_json_body(256 * 1024),
        "application/json",
    ));
    group.bench_function("apigw-http, 256 KiB json body", |b| {
        b.iter(|| runtime.block_on(handle(&HelloWorld, black_box(&large))));
    });
    group.finish();
}

criterion_group!(benches, handler);
criterion_main!(benches);
