//! The greetings routes' handlers: the core decides, the store in the function's region keeps
//! (docs/data.md). A fork without the table deletes this file and the lines that name the
//! `greetings` feature (README, "What a fork can delete").

#![allow(
    clippy::unused_async,
    reason = "handlers are async so that a fork's first .await changes nothing around them"
)]

use hello_world::greetings::{self, GreetingRequest, IdempotencyKey, NewGreeting, Outcome};
use lambda_http::http::header::{LOCATION, RETRY_AFTER};
use lambda_http::http::{HeaderValue, StatusCode};
use lambda_http::{Body, Response};

use crate::response::{self, ErrorBody};
use crate::router::Call;
use crate::routes::region;
use crate::{clock, dynamodb};

/// Stores a greeting, at most once per `Idempotency-Key`, and answers it with its `Location`.
pub(crate) async fn create(call: &Call<'_>) -> Response<Body> {
    let asked = match GreetingRequest::from_request(&call.request) {
        Ok(asked) => asked,
        Err(error) => return response::input_error(&error),
    };
    let key = match IdempotencyKey::from_request(&call.request) {
        Ok(key) => key,
        Err(error) => return response::input_error(&error),
    };
    let new = NewGreeting {
        id: clock::fresh_id(),
        now: clock::now(),
        region: region(),
    };
    let operation = if key.is_some() {
        "DynamoDB TransactWriteItems"
    } else {
        "DynamoDB PutItem"
    };
    let write = greetings::create_greeting(dynamodb::table(), &asked, key.as_ref(), new);
    // The SDK's futures are large; boxed, they leave the handler's own future small.
    answer(&Box::pin(call.traced(operation, write)).await)
}

/// A stored greeting, or a JSON 404.
pub(crate) async fn read(call: &Call<'_>) -> Response<Body> {
    let id = call.param("id").unwrap_or_default();
    let read = greetings::find_greeting(dynamodb::table(), id, clock::now().epoch_seconds);
    answer(&Box::pin(call.traced("DynamoDB GetItem", read)).await)
}

/// What the core decided about a greeting: the record, or the error in words, with the
/// `Location` and `Retry-After` it calls for.
fn answer(outcome: &Outcome) -> Response<Body> {
    let status =
        StatusCode::from_u16(outcome.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match outcome.record() {
        Some(record) => response::json(status, record),
        None => response::json(
            status,
            &ErrorBody {
                error: outcome.error().unwrap_or_default(),
            },
        ),
    };
    let headers = response.headers_mut();
    if let Some(location) = outcome
        .location()
        .and_then(|text| HeaderValue::from_str(&text).ok())
    {
        headers.insert(LOCATION, location);
    }
    if let Some(seconds) = outcome.retry_after() {
        headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
