//! The two things the service does with greetings, and what each answers.

use super::{
    Creation, GreetingRecord, GreetingRequest, GreetingStore, GreetingWrite, IdempotencyKey,
    KeyClaim, NewGreeting,
};

/// How long an `Idempotency-Key` holds its first answer: a day, as the IETF draft suggests
/// and as long as any client's retries go on.
pub const IDEMPOTENCY_WINDOW_SECONDS: u64 = 24 * 60 * 60;

/// What a 503 tells the client to wait before it retries.
pub const RETRY_AFTER_SECONDS: u32 = 1;

/// The longest id the service ever hands out (a UUID is 36).
const MAX_ID_CHARS: usize = 64;

/// What the client is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Written now.
    Created(GreetingRecord),
    /// Written by an earlier request with the same key and body: its answer again.
    Replayed(GreetingRecord),
    Found(GreetingRecord),
    NotFound,
    /// The key was first sent with another body.
    KeyReused,
    /// Another request with the key is being written at this moment.
    KeyInUse,
    /// The store did not answer; nothing is known to be written.
    Unavailable,
}

impl Outcome {
    /// The HTTP status: the one place it is decided.
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Self::Created(_) | Self::Replayed(_) => 201,
            Self::Found(_) => 200,
            Self::NotFound => 404,
            Self::KeyInUse => 409,
            Self::KeyReused => 422,
            Self::Unavailable => 503,
        }
    }

    /// The greeting the body carries, on success.
    #[must_use]
    pub fn record(&self) -> Option<&GreetingRecord> {
        match self {
            Self::Created(record) | Self::Replayed(record) | Self::Found(record) => Some(record),
            _ => None,
        }
    }

    /// What went wrong, in words for the client, on failure.
    #[must_use]
    pub fn error(&self) -> Option<String> {
        Some(match self {
            Self::Created(_) | Self::Replayed(_) | Self::Found(_) => return None,
            Self::NotFound => "no greeting has this id".to_owned(),
            Self::KeyReused => {
                "this Idempotency-Key was first sent with a different body: send a new key"
                    .to_owned()
            }
            Self::KeyInUse => {
                "a request with this Idempotency-Key is being handled: retry it shortly".to_owned()
            }
            Self::Unavailable => format!(
                "the greetings table did not answer; retry in {RETRY_AFTER_SECONDS} s with the same Idempotency-Key"
            ),
        })
    }

    /// Where the greeting can be read again, for a `Location` header.
    #[must_use]
    pub fn location(&self) -> Option<String> {
        match self {
            Self::Created(record) | Self::Replayed(record) => Some(record.location()),
            _ => None,
        }
    }

    /// Seconds to wait before a retry, for a `Retry-After` header.
    #[must_use]
    pub fn retry_after(&self) -> Option<u32> {
        matches!(self, Self::Unavailable).then_some(RETRY_AFTER_SECONDS)
    }
}

/// Stores the greeting `asked` for, at most once per `key`: a repeat of the same request gets
/// the first answer again; the key with another body, or while its first write is under way,
/// is refused. Nothing is answered as created before the store has said it is written.
pub async fn create_greeting(
    store: &impl GreetingStore,
    asked: &GreetingRequest,
    key: Option<&IdempotencyKey>,
    new: NewGreeting,
) -> Outcome {
    let now = new.now.epoch_seconds;
    let greeting = GreetingRecord::new(asked, new);
    let claim = key.map(|key| KeyClaim {
        key: key.as_str().to_owned(),
        fingerprint: asked.fingerprint(),
        greeting: greeting.clone(),
        expires_at: now.saturating_add(IDEMPOTENCY_WINDOW_SECONDS),
    });
    let write = GreetingWrite {
        greeting,
        claim,
        now,
    };
    match store.create(&write).await {
        Ok(Creation::Stored) => Outcome::Created(write.greeting),
        Ok(Creation::KeyClaimed(first))
            if Some(&first.fingerprint) == write.claim.as_ref().map(|claim| &claim.fingerprint) =>
        {
            Outcome::Replayed(first.greeting)
        }
        Ok(Creation::KeyClaimed(_)) => Outcome::KeyReused,
        Ok(Creation::KeyBusy) => Outcome::KeyInUse,
        Err(_) => Outcome::Unavailable,
    }
}

/// The greeting stored under `id`, if it exists and has not expired at `now`.
pub async fn find_greeting(store: &impl GreetingStore, id: &str, now: u64) -> Outcome {
    // Only ids this service could have handed out reach the table.
    let could_be_ours = (1..=MAX_ID_CHARS).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !could_be_ours {
        return Outcome::NotFound;
    }
    match store.find(id).await {
        Ok(Some(record)) if record.is_live_at(now) => Outcome::Found(record),
        Ok(_) => Outcome::NotFound,
        Err(_) => Outcome::Unavailable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::greetings::{MockGreetingStore, Moment, StoreError};

    const NOW: u64 = 1_800_000_000;

    fn asked(name: &str) -> GreetingRequest {
        GreetingRequest {
            name: name.to_owned(),
            ttl_seconds: None,
        }
    }

    fn new(id: &str) -> NewGreeting {
        NewGreeting {
            id: id.to_owned(),
            now: Moment {
                epoch_seconds: NOW,
                timestamp: "2027-01-15T08:00:00Z".to_owned(),
            },
            region: "us-east-1".to_owned(),
        }
    }

    #[allow(clippy::unwrap_used, reason = "a fixed key the tests know to be valid")]
    fn key(text: &str) -> IdempotencyKey {
        let request = crate::RawRequest::new("POST", "/greetings", "r", "test")
            .with_headers(&[("Idempotency-Key", text)]);
        IdempotencyKey::from_request(&request).unwrap().unwrap()
    }

    fn first_claim(name: &str) -> KeyClaim {
        KeyClaim {
            key: "k-1".to_owned(),
            fingerprint: asked(name).fingerprint(),
            greeting: GreetingRecord::new(&asked(name), new("first-id")),
            expires_at: NOW + 10,
        }
    }

    fn store_answering(creation: Result<Creation, StoreError>) -> MockGreetingStore {
        let mut store = MockGreetingStore::new();
        store
            .expect_create()
            .times(1)
            .return_once(move |_| creation);
        store
    }

    fn unavailable() -> StoreError {
        StoreError {
            reason: "throttled".to_owned(),
        }
    }

    #[tokio::test]
    async fn a_new_greeting_is_created_only_once_the_store_has_written_it() {
        let mut store = MockGreetingStore::new();
        store
            .expect_create()
            .withf(|write| write.greeting.id == "id-1" && write.claim.is_none())
            .times(1)
            .return_once(|_| Ok(Creation::Stored));
        let outcome = create_greeting(&store, &asked("Ada"), None, new("id-1")).await;
        assert_eq!(outcome.status(), 201);
        assert_eq!(outcome.location().as_deref(), Some("/greetings/id-1"));
        assert_eq!(outcome.record().map(|r| r.name.as_str()), Some("Ada"));
    }

    #[tokio::test]
    async fn a_key_is_claimed_for_a_day_with_the_request_and_its_greeting() {
        let mut store = MockGreetingStore::new();
        store
            .expect_create()
            .withf(|write| {
                write.claim.as_ref().is_some_and(|claim| {
                    claim.key == "k-1"
                        && claim.expires_at == NOW + IDEMPOTENCY_WINDOW_SECONDS
                        && claim.greeting == write.greeting
                        && claim.fingerprint == asked("Ada").fingerprint()
                })
            })
            .times(1)
            .return_once(|_| Ok(Creation::Stored));
        let outcome = create_greeting(&store, &asked("Ada"), Some(&key("k-1")), new("id-1")).await;
        assert_eq!(outcome.status(), 201);
    }

    #[tokio::test]
    async fn a_repeat_with_the_same_key_and_body_gets_the_first_greeting_again() {
        let store = store_answering(Ok(Creation::KeyClaimed(first_claim("Ada"))));
        let outcome =
            create_greeting(&store, &asked("Ada"), Some(&key("k-1")), new("second-id")).await;
        assert_eq!(outcome, Outcome::Replayed(first_claim("Ada").greeting));
        assert_eq!(outcome.status(), 201);
        assert_eq!(outcome.location().as_deref(), Some("/greetings/first-id"));
    }

    #[tokio::test]
    async fn the_same_key_with_another_body_is_a_422() {
        let store = store_answering(Ok(Creation::KeyClaimed(first_claim("Grace"))));
        let outcome = create_greeting(&store, &asked("Ada"), Some(&key("k-1")), new("id-2")).await;
        assert_eq!(outcome.status(), 422);
        assert!(
            outcome
                .error()
                .is_some_and(|e| e.contains("different body"))
        );
    }

    #[tokio::test]
    async fn the_same_key_while_its_first_write_is_under_way_is_a_409() {
        let store = store_answering(Ok(Creation::KeyBusy));
        let outcome = create_greeting(&store, &asked("Ada"), Some(&key("k-1")), new("id-2")).await;
        assert_eq!(outcome.status(), 409);
    }

    #[tokio::test]
    async fn a_store_that_does_not_answer_is_a_503_with_a_retry_after() {
        let store = store_answering(Err(unavailable()));
        let outcome = create_greeting(&store, &asked("Ada"), None, new("id-1")).await;
        assert_eq!(outcome.status(), 503);
        assert_eq!(outcome.retry_after(), Some(RETRY_AFTER_SECONDS));
        assert_eq!(outcome.record(), None);
        assert_eq!(outcome.location(), None);
    }

    #[tokio::test]
    async fn a_stored_greeting_is_found_by_its_id() {
        let record = GreetingRecord::new(&asked("Ada"), new("id-1"));
        let found = record.clone();
        let mut store = MockGreetingStore::new();
        store
            .expect_find()
            .withf(|id| id == "id-1")
            .times(1)
            .return_once(move |_| Ok(Some(found)));
        let outcome = find_greeting(&store, "id-1", NOW).await;
        assert_eq!(outcome, Outcome::Found(record));
        assert_eq!(outcome.status(), 200);
        assert_eq!(outcome.error(), None);
    }

    #[tokio::test]
    async fn an_unknown_id_is_a_404() {
        let mut store = MockGreetingStore::new();
        store.expect_find().times(1).return_once(|_| Ok(None));
        assert_eq!(find_greeting(&store, "id-1", NOW).await.status(), 404);
    }

    #[tokio::test]
    async fn an_expired_greeting_is_a_404_though_the_table_still_holds_it() {
        let asked = GreetingRequest {
            ttl_seconds: Some(60),
            ..asked("Ada")
        };
        let record = GreetingRecord::new(&asked, new("id-1"));
        let mut store = MockGreetingStore::new();
        store
            .expect_find()
            .times(1)
            .return_once(move |_| Ok(Some(record)));
        assert_eq!(
            find_greeting(&store, "id-1", NOW + 60).await,
            Outcome::NotFound
        );
    }

    #[tokio::test]
    async fn an_id_the_service_never_hands_out_is_a_404_without_asking_the_store() {
        let mut store = MockGreetingStore::new();
        store.expect_find().never();
        let long = "a".repeat(MAX_ID_CHARS + 1);
        for id in ["", "key#k-1", "a b", long.as_str()] {
            assert_eq!(
                find_greeting(&store, id, NOW).await,
                Outcome::NotFound,
                "{id:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_read_the_store_does_not_answer_is_a_503() {
        let mut store = MockGreetingStore::new();
        store
            .expect_find()
            .times(1)
            .return_once(|_| Err(unavailable()));
        assert_eq!(find_greeting(&store, "id-1", NOW).await.status(), 503);
    }

    #[test]
    fn every_failure_has_words_for_the_client_and_no_record() {
        for outcome in [
            Outcome::NotFound,
            Outcome::KeyReused,
            Outcome::KeyInUse,
            Outcome::Unavailable,
        ] {
            assert!(outcome.error().is_some(), "{outcome:?}");
            assert_eq!(outcome.record(), None);
            assert!(outcome.status() >= 400);
        }
    }
}
