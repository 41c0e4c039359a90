//! Where greetings are kept, as the service needs it: two calls, whatever the database.

use super::{GreetingRecord, KeyClaim};

/// One write: a new greeting, and the claim of the key it was sent with, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GreetingWrite {
    pub greeting: GreetingRecord,
    pub claim: Option<KeyClaim>,
    /// Seconds since the epoch, when it is written: a claim that expired before then is no
    /// claim.
    pub now: u64,
}

/// What became of a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Creation {
    /// The greeting (and the key's claim, if any) are stored.
    Stored,
    /// Nothing was written: the key already has a live claim, this one.
    KeyClaimed(KeyClaim),
    /// Nothing was written: another write with the same key is under way at this moment.
    KeyBusy,
}

/// The store could not answer (throttled, unreachable, or slower than the function can
/// wait) after its own bounded retries. Nothing was written, or the write's fate is unknown:
/// the client retries, with its `Idempotency-Key` to be safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    pub reason: String,
}

/// A greetings table. The adapter implements it over a database; the tests mock it.
#[cfg_attr(test, mockall::automock)]
#[allow(
    async_fn_in_trait,
    reason = "the adapter calls it through a concrete type, whose futures are known to be Send"
)]
pub trait GreetingStore {
    /// Stores the greeting, and with it the key's claim, in one atomic write: both or neither.
    /// A claim is written only where the key has none, or one that has expired.
    async fn create(&self, write: &GreetingWrite) -> Result<Creation, StoreError>;

    /// The greeting stored under `id`, expired or not.
    async fn find(&self, id: &str) -> Result<Option<GreetingRecord>, StoreError>;
}
