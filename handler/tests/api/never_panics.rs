//! Whatever an HTTP client sends through an HTTP API, the handler answers with JSON: its
//! route's 200, 400 or 413, or a 404 or 405 refusal, and leaves CORS to API Gateway. It never
//! panics, and nothing outside the routes is greeted.

use crate::helpers::respond;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hello_world::MAX_BODY_BYTES;
use hello_world_handler::router::{Found, find};
use hello_world_handler::routes::ROUTES;
use hello_world_testkit::fixtures;
use hello_world_testkit::snapshot::response_json;
use proptest::prelude::*;
use serde_json::{Value, json};

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("GET".to_owned()),
        Just("POST".to_owned()),
        Just("DELETE".to_owned()),
        "[A-Z]{1,12}",
    ]
}

fn content_type() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("application/json".to_owned())),
        Just(Some(
            "application/vnd.example+json; charset=utf-8".to_owned()
        )),
        Just(Some("text/plain".to_owned())),
        Just(Some("application/octet-stream".to_owned())),
        "[ -~]{0,40}".prop_map(Some),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => proptest::collection::vec(any::<u8>(), 0..512),
        4 => any::<String>().prop_map(String::into_bytes),
        2 => any_value().prop_map(|value| value.to_string().into_bytes()),
        1 => (0..3_usize).prop_map(|extra| vec![b'x'; MAX_BODY_BYTES - 1 + extra]),
    ]
}

fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(".{0,6}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// An HTTP API event as API Gateway would build it from the generated request.
fn http_api_event(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    content_type: Option<&str>,
    body: &[u8],
) -> String {
    let mut header_map: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(name, value)| (name.clone(), Value::from(value.as_str())))
        .collect();
    if let Some(content_type) = content_type {
        header_map.insert("content-type".to_owned(), content_type.into());
    }
    let mut event: Value = serde_json::from_str(&fixtures::event("apigw-http")).expect("fixture");
    event["rawPath"] = path.into();
    event["rawQueryString"] = query.into();
    event["headers"] = header_map.into();
    event["requestContext"]["http"]["method"] = method.into();
    event["body"] = STANDARD.encode(body).into();
    event["isBase64Encoded"] = true.into();
    if let Some(object) = event.as_object_mut() {
        object.remove("queryStringParameters");
        object.remove("cookies");
    }
    event.to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_request_gets_a_json_answer_and_no_cors_header(
        method in method(),
        path in "/[a-zA-Z0-9/_.~%-]{0,40}",
        query in "[a-zA-Z0-9=&%+_.-]{0,60}",
        headers in proptest::collection::vec(("x-[a-z0-9-]{1,16}", "[ -~]{0,40}"), 0..6),
        content_type in content_type(),
        body in body(),
    ) {
        let event = http_api_event(&method, &path, &query, &headers, content_type.as_deref(), &body);
        let response = response_json(&respond(&fixtures::request_from_event(&event)));

        let status = response["status"].as_u64();
        prop_assert!(matches!(status, Some(200 | 400 | 404 | 405 | 413)), "status {status:?}");
        prop_assert_eq!(&response["headers"]["content-type"], "application/json");
        // API Gateway owns CORS and ignores an integration's CORS headers (docs/contract.md).
        let mut headers = response["headers"].as_object().map(|h| h.keys().cloned().collect::<Vec<_>>());
        if status == Some(405) && let Some(names) = headers.as_mut() {
            names.retain(|name| name != "allow");
        }
        prop_assert_eq!(headers, Some(vec!["content-type".to_owned()]));
        prop_assert!(response["body"].is_object(), "body is not JSON: {}", response["body"]);
    }

    #[test]
    fn a_request_outside_every_route_is_refused_and_never_greeted(
        method in method(),
        path in "/[a-z0-9/{}+]{0,24}",
    ) {
        // The fixture's stage, /dev, would be taken off the path before routing.
        prop_assume!(!path.starts_with("/dev"));
        prop_assume!(!matches!(find(ROUTES, &method, &path), Found::Route { .. }));
        let event = http_api_event(&method, &path, "", &[], None, b"");
        let response = response_json(&respond(&fixtures::request_from_event(&event)));

        prop_assert!(matches!(response["status"].as_u64(), Some(404 | 405)), "{response}");
        prop_assert!(response["body"]["input"].is_null(), "greeted: {response}");
    }

    #[test]
    fn any_json_body_is_echoed_exactly(value in any_value()) {
        let event = fixtures::http_api_event_with_body(&value.to_string(), "application/json");
        let response = response_json(&respond(&fixtures::request_from_event(&event)));
        prop_assert_eq!(&response["body"]["input"]["body"], &value);
    }

    #[test]
    fn any_binary_body_round_trips_through_base64(bytes in proptest::collection::vec(any::<u8>(), 1..256)) {
        prop_assume!(std::str::from_utf8(&bytes).is_err());
        let path = fixtures::client_path("apigw-http");
        let event = http_api_event("POST", &path, "", &[], Some("application/octet-stream"), &bytes);
        let response = response_json(&respond(&fixtures::request_from_event(&event)));
        prop_assert_eq!(&response["body"]["input"]["body"], &json!({ "base64": STANDARD.encode(&bytes) }));
    }
}
