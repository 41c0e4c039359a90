//! Per-request cost of the core alone: interpreting a request and greeting it.

use criterion::{Criterion, criterion_group, criterion_main};
use hello_world::{HelloWorld, HttpEvent, RawRequest};
use serde_json::Value;
use std::hint::black_box;

fn request(body: &[u8]) -> RawRequest<'_> {
    RawRequest {
        query: vec![("name", "world"), ("tag", "a"), ("tag", "b")],
        headers: vec![
            ("accept", "application/json"),
            ("authorization", "Bearer s3cr3t-token"),
            ("content-type", "application/json"),
            ("user-agent", "curl/8.5.0"),
        ],
        body,
        ..RawRequest::new("POST", "/hello", "req-1", "apiGatewayHttp")
    }
}

fn greet(body: &[u8]) -> String {
    match HttpEvent::try_from(request(body)) {
        Ok(event) => Value::from(HelloWorld.say_hello(event)).to_string(),
        Err(error) => error.to_string(),
    }
}

fn large_json_body() -> Vec<u8> {
    let item = r#"{"id":12345,"name":"a reasonably sized item","tags":["x","y","z"]},"#;
    let mut body = String::from("[");
    while body.len() < 256 * 1024 - item.len() {
        body.push_str(item);
    }
    body.push_str("null]");
    body.into_bytes()
}

fn core(c: &mut Criterion) {
    let small = br#"{"greeting":"hi","count":2}"#.to_vec();
    let large = large_json_body();
    c.bench_function("core/small json body", |b| {
        b.iter(|| greet(black_box(&small)));
    });
    c.bench_function("core/256 KiB json body", |b| {
        b.iter(|| greet(black_box(&large)));
    });
}

criterion_group!(benches, core);
criterion_main!(benches);
