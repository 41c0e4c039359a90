//! The pure core of the service: it turns a provider-neutral HTTP request into a greeting.
//!
//! Nothing here knows about AWS, async runtimes or I/O. The request path is
//! [`RawRequest`] → [`HttpEvent`] → [`Greeting`]: the Lambda adapter (`handler/`) fills a
//! `RawRequest` once from whatever carried the request, [`HttpEvent::try_from`] decides what it
//! means (or which [`InputError`], with its status, it is), and [`HelloWorld::say_hello`]
//! answers. Each serialises with serde straight to the response body.

mod body;
mod event;
mod greeting;
pub mod greetings;
mod headers;
mod health;
mod request;

pub use body::{Body, InputError, MAX_BODY_BYTES};
pub use event::{HttpEvent, RequestContext};
pub use greeting::{Greeting, HelloWorld};
pub use headers::{REDACTED, SECRET_HEADERS};
pub use health::Health;
pub use request::RawRequest;
