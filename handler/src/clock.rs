//! What only the adapter can know about a new greeting: the time, and a fresh id.

use std::time::SystemTime;

use aws_sdk_dynamodb::primitives::{DateTime, DateTimeFormat};
use hello_world::greetings::Moment;

/// Now, in whole seconds since the epoch and as RFC 3339 text.
#[must_use]
pub fn now() -> Moment {
    let now = DateTime::from(SystemTime::now());
    Moment {
        epoch_seconds: u64::try_from(now.secs()).unwrap_or_default(),
        timestamp: DateTime::from_secs(now.secs())
            .fmt(DateTimeFormat::DateTime)
            .unwrap_or_default(),
    }
}

/// A random (version 4) UUID.
#[must_use]
pub fn fresh_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
