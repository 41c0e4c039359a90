//! Greetings that are kept: what a client asks to store, what is stored, and what is answered,
//! with writes that an `Idempotency-Key` makes safe to retry.
//!
//! The adapter gives the service a [`GreetingStore`] and the facts it cannot know (a fresh id,
//! the time, its region); [`create_greeting`] and [`find_greeting`] decide what is written and
//! which [`Outcome`] the client gets. Nothing here knows which database holds the records.

mod record;
mod request;
mod service;
mod store;

pub use record::{GreetingRecord, KeyClaim, Moment, NewGreeting};
pub use request::{GreetingRequest, IDEMPOTENCY_KEY_HEADER, IdempotencyKey};
pub use service::{
    IDEMPOTENCY_WINDOW_SECONDS, Outcome, RETRY_AFTER_SECONDS, create_greeting, find_greeting,
};
pub use store::{Creation, GreetingStore, GreetingWrite, StoreError};

#[cfg(test)]
pub use store::MockGreetingStore;
