//! Per-request cost of the core alone: interpreting a request, greeting it, writing the answer.

use criterion::{Criterion, criterion_group, criterion_main};
use hello_world::{HelloWorld, HttpEvent, RawRequest};
use hello_world_testkit::fixtures::large_json_body;
use std::hint::black_box;

fn request(body: &[u8]) -> RawRequest<'_> {
    RawRequest {
        query: vec![("name", "world"), ("tag", "a"), ("tag", "b")],
        body,
        ..RawRequest::new("POST", "/hello", "req-1", "apiGatewayHttp").with_headers(&[
            ("accept", "application/json"),
            ("authorization", "Bearer s3cr3t-token"),
            ("content-type", "application/json"),
            ("user-agent", "curl/8.5.0"),
        ])
    }
}

fn greet(body: &[u8]) -> String {
    match HttpEvent::try_from(&request(body)) {
        Ok(event) => serde_json::to_string(&HelloWorld.say_hello(event)).unwrap_or_default(),
        Err(error) => error.to_string(),
    }
}

fn core(c: &mut Criterion) {
    let small = br#"{"greeting":"hi","count":2}"#.to_vec();
    let large = large_json_body(256 * 1024).into_bytes();
    c.bench_function("core/small json body", |b| {
        b.iter(|| greet(black_box(&small)));
    });
    c.bench_function("core/256 KiB json body", |b| {
        b.iter(|| greet(black_box(&large)));
    });
}

criterion_group!(benches, core);
criterion_main!(benches);
