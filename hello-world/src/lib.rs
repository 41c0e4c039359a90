//! The pure core of the service: it turns a provider-neutral HTTP event into a greeting.
//!
//! Nothing here knows about AWS, async runtimes or I/O. The Lambda adapter (`handler/`)
//! translates whatever carried the request into [`RawRequest`], and this crate decides what
//! the request means ([`HttpEvent`]) and what the answer is ([`Greeting`]).

mod body;
mod event;
mod greeting;
mod headers;

pub use body::{InputError, MAX_BODY_BYTES};
pub use event::{HttpEvent, RawRequest, RequestContext};
pub use greeting::{Greeting, HelloWorld};
pub use headers::{REDACTED, SECRET_HEADERS};
