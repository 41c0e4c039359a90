//! The greetings table, in DynamoDB: the core's [`GreetingStore`], over the official AWS SDK.
//!
//! One table holds two kinds of item, told apart by the key's prefix: `greeting#<id>`, the
//! greeting a client reads, and `key#<Idempotency-Key>`, the claim a key makes on the greeting
//! it first created. A write with a key puts both in one transaction, on the condition that the
//! key has no live claim; so a retry can never write twice, and there is no read before the
//! write to race with. docs/data.md gives the design, and the guarantee across regions.
//!
//! The client is built the first time a route needs it, once per process: routes that never
//! touch the table pay nothing for it at cold start.

use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use hello_world::greetings::{
    Creation, GreetingRecord, GreetingStore, GreetingWrite, KeyClaim, StoreError,
};
use tokio::sync::OnceCell;

/// The environment variable that names the table (serverless.yml sets it).
pub const TABLE_ENV: &str = "GREETINGS_TABLE";

/// Attribute names, written once. `expires_at` is the table's TTL attribute.
const PK: &str = "pk";
const EXPIRES_AT: &str = "expires_at";

/// The process's one store: its client, once built, serves every later invocation.
static TABLE: LazyLock<DynamoStore> = LazyLock::new(DynamoStore::from_env);

/// The greetings table the routes use.
#[must_use]
pub fn table() -> &'static DynamoStore {
    &TABLE
}

/// The greetings table of the function's own region.
#[derive(Debug)]
pub struct DynamoStore {
    table: Option<String>,
    client: OnceCell<Client>,
}

impl DynamoStore {
    /// The table named by [`TABLE_ENV`]; without it, every call fails as unavailable.
    #[must_use]
    pub fn from_env() -> Self {
        Self {
            table: std::env::var(TABLE_ENV)
                .ok()
                .filter(|name| !name.is_empty()),
            client: OnceCell::new(),
        }
    }

    async fn table_and_client(&self) -> Result<(&str, &Client), StoreError> {
        let table = self
            .table
            .as_deref()
            .ok_or_else(|| failed(format!("{TABLE_ENV} is not set: the function has no table")))?;
        Ok((table, self.client.get_or_init(build_client).await))
    }
}

/// The SDK's client with bounds that end every call well inside the function's timeout: three
/// attempts in all (the standard retry mode backs off between them, throttles included), one
/// second for each, three for the whole call.
async fn build_client() -> Client {
    // rustls on ring: the SDK's default provider is aws-lc-rs, which builds AWS-LC, a C
    // library, for every target in every fresh build; ring is enough for TLS to DynamoDB
    // (docs/performance.md, "The AWS SDK").
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let config = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https)
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(1))
                .operation_attempt_timeout(Duration::from_secs(1))
                .operation_timeout(Duration::from_secs(3))
                .build(),
        )
        .load()
        .await;
    Client::new(&config)
}

impl GreetingStore for DynamoStore {
    async fn create(&self, write: &GreetingWrite) -> Result<Creation, StoreError> {
        let (table, client) = self.table_and_client().await?;
        let greeting = greeting_item(&write.greeting);
        let Some(claim) = &write.claim else {
            // A fresh UUID names the item: no condition is needed for it to be new.
            return client
                .put_item()
                .table_name(table)
                .set_item(Some(greeting))
                .send()
                .await
                .map(|_| Creation::Stored)
                .map_err(unavailable);
        };
        let greeting_put = Put::builder()
            .table_name(table)
            .set_item(Some(greeting))
            .build();
        let claim_put = Put::builder()
            .table_name(table)
            .set_item(Some(claim_item(claim)))
            .condition_expression(format!(
                "attribute_not_exists({PK}) OR {EXPIRES_AT} <= :now"
            ))
            .expression_attribute_values(":now", number(write.now))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build();
        // Both builds fail only without a table name or an item, which are always given.
        let items = [greeting_put, claim_put]
            .into_iter()
            .map(|put| put.map(|put| TransactWriteItem::builder().put(put).build()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(unavailable)?;
        match client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(Creation::Stored),
            Err(error) => claim_refused(&error).ok_or_else(|| unavailable(error)),
        }
    }

    async fn find(&self, id: &str) -> Result<Option<GreetingRecord>, StoreError> {
        let (table, client) = self.table_and_client().await?;
        let answer = client
            .get_item()
            .table_name(table)
            .key(PK, AttributeValue::S(greeting_pk(id)))
            // Read-your-writes in the function's own region; another region's write may
            // still be on its way (docs/data.md).
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(answer.item().and_then(record_from))
    }
}

/// Why a transaction was refused, when the refusal is the claim's: the key's live claim
/// (returned with the refusal, so no second read), or another transaction on it right now.
fn claim_refused<R>(error: &SdkError<TransactWriteItemsError, R>) -> Option<Creation> {
    let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        error.as_service_error()
    else {
        return None;
    };
    // The claim is the transaction's second item.
    let reason = cancelled.cancellation_reasons().get(1)?;
    if reason.code()? == "ConditionalCheckFailed" {
        return reason.item().and_then(claim_from).map(Creation::KeyClaimed);
    }
    (reason.code()? == "TransactionConflict").then_some(Creation::KeyBusy)
}

fn unavailable<E: std::error::Error + 'static>(error: E) -> StoreError {
    failed(DisplayErrorContext(&error).to_string())
}

/// Logged here, with the request's ids, since the client is told only to retry.
fn failed(reason: String) -> StoreError {
    tracing::warn!(error = %reason, "the greetings table did not answer");
    StoreError { reason }
}

fn greeting_pk(id: &str) -> String {
    format!("greeting#{id}")
}

fn number(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn greeting_attributes(record: &GreetingRecord) -> HashMap<String, AttributeValue> {
    let mut item = HashMap::from([
        ("id".to_owned(), AttributeValue::S(record.id.clone())),
        ("name".to_owned(), AttributeValue::S(record.name.clone())),
        (
            "message".to_owned(),
            AttributeValue::S(record.message.clone()),
        ),
        (
            "created_at".to_owned(),
            AttributeValue::S(record.created_at.clone()),
        ),
        (
            "region".to_owned(),
            AttributeValue::S(record.region.clone()),
        ),
    ]);
    if let Some(expires_at) = record.expires_at {
        item.insert(EXPIRES_AT.to_owned(), number(expires_at));
    }
    item
}

fn greeting_item(record: &GreetingRecord) -> HashMap<String, AttributeValue> {
    let mut item = greeting_attributes(record);
    item.insert(PK.to_owned(), AttributeValue::S(greeting_pk(&record.id)));
    item
}

fn claim_item(claim: &KeyClaim) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (
            PK.to_owned(),
            AttributeValue::S(format!("key#{}", claim.key)),
        ),
        (
            "fingerprint".to_owned(),
            AttributeValue::S(claim.fingerprint.clone()),
        ),
        (
            "greeting".to_owned(),
            AttributeValue::M(greeting_attributes(&claim.greeting)),
        ),
        (EXPIRES_AT.to_owned(), number(claim.expires_at)),
    ])
}

fn text(item: &HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    item.get(name)?.as_s().ok().cloned()
}

fn whole_number(item: &HashMap<String, AttributeValue>, name: &str) -> Option<u64> {
    item.get(name)?.as_n().ok()?.parse().ok()
}

/// A greeting read back; an item that is not one (written by hand, say) reads as absent.
fn record_from(item: &HashMap<String, AttributeValue>) -> Option<GreetingRecord> {
    Some(GreetingRecord {
        id: text(item, "id")?,
        name: text(item, "name")?,
        message: text(item, "message")?,
        created_at: text(item, "created_at")?,
        region: text(item, "region")?,
        expires_at: whole_number(item, EXPIRES_AT),
    })
}

fn claim_from(item: &HashMap<String, AttributeValue>) -> Option<KeyClaim> {
    Some(KeyClaim {
        key: text(item, PK)?.strip_prefix("key#")?.to_owned(),
        fingerprint: text(item, "fingerprint")?,
        greeting: record_from(item.get("greeting")?.as_m().ok()?)?,
        expires_at: whole_number(item, EXPIRES_AT)?,
    })
}
