//! What is stored: a greeting, and the claim an `Idempotency-Key` makes on it.

use serde::{Deserialize, Serialize};

use super::GreetingRequest;

/// The time, as the adapter's clock gives it: seconds for expiry, text for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    pub epoch_seconds: u64,
    /// RFC 3339, UTC.
    pub timestamp: String,
}

/// What only the adapter knows about a new greeting: a fresh id, when, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGreeting {
    pub id: String,
    pub now: Moment,
    pub region: String,
}

/// A stored greeting, as a client reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GreetingRecord {
    pub id: String,
    pub name: String,
    pub message: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The region whose function wrote it.
    pub region: String,
    /// Seconds since the epoch after which it no longer exists, if the client gave it a life.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
}

impl GreetingRecord {
    #[must_use]
    pub fn new(asked: &GreetingRequest, new: NewGreeting) -> Self {
        Self {
            message: format!("Hello, {}!", asked.name),
            name: asked.name.clone(),
            expires_at: asked
                .ttl_seconds
                .map(|ttl| new.now.epoch_seconds.saturating_add(ttl)),
            created_at: new.now.timestamp,
            region: new.region,
            id: new.id,
        }
    }

    /// Whether it still exists at `now`. DynamoDB deletes expired items when it gets to them,
    /// which can take days, so a record past its time is treated as gone.
    #[must_use]
    pub fn is_live_at(&self, now: u64) -> bool {
        self.expires_at.is_none_or(|expires_at| now < expires_at)
    }

    /// Where a client reads it again.
    #[must_use]
    pub fn location(&self) -> String {
        format!("/greetings/{}", self.id)
    }
}

/// An `Idempotency-Key`'s claim: the request it was first sent with, and the greeting that
/// request created. A repeat within the window gets that greeting again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyClaim {
    pub key: String,
    pub fingerprint: String,
    pub greeting: GreetingRecord,
    /// Seconds since the epoch after which the key may be used afresh.
    pub expires_at: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn created_at(epoch_seconds: u64, ttl_seconds: Option<u64>) -> GreetingRecord {
        let asked = GreetingRequest {
            name: "Ada".to_owned(),
            ttl_seconds,
        };
        GreetingRecord::new(
            &asked,
            NewGreeting {
                id: "id-1".to_owned(),
                now: Moment {
                    epoch_seconds,
                    timestamp: "2026-12-04T09:00:00Z".to_owned(),
                },
                region: "us-east-1".to_owned(),
            },
        )
    }

    #[test]
    fn a_greeting_greets_its_name_and_says_where_and_when_it_was_written() {
        let record = created_at(1_000, None);
        assert_eq!(record.message, "Hello, Ada!");
        assert_eq!(record.region, "us-east-1");
        assert_eq!(record.created_at, "2026-12-04T09:00:00Z");
        assert_eq!(record.location(), "/greetings/id-1");
    }

    #[test]
    fn a_greeting_without_a_life_never_expires() {
        assert!(created_at(1_000, None).is_live_at(u64::MAX));
    }

    #[test]
    fn a_greeting_with_a_life_is_gone_from_the_second_it_expires() {
        let record = created_at(1_000, Some(60));
        assert_eq!(record.expires_at, Some(1_060));
        assert!(record.is_live_at(1_059));
        assert!(!record.is_live_at(1_060));
    }

    #[test]
    fn a_record_serialises_in_camel_case_and_leaves_out_an_absent_expiry() {
        let value = serde_json::to_value(created_at(1_000, None)).unwrap_or_default();
        let fields: Vec<&str> = value
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(fields, ["createdAt", "id", "message", "name", "region"]);
    }
}
