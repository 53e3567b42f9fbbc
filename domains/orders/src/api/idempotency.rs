//! `Idempotency-Key` for creates, through the `Cache` port: the first
//! request with a key claims it atomically (set-if-absent) and records the
//! order it made; a repeat with the same body gets that order back, a
//! repeat with another body is refused (422), a repeat while the first is
//! still running waits for it. Records live 24 hours. When the cache is
//! down, keyed creates fail closed (503) rather than risk duplicates.

use std::time::Duration;

use gremlin_kernel::{Cache, DomainError, OrganizationId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long a key is remembered.
pub const KEY_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long a repeat waits for the first request to finish.
const WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    body_hash: String,
    order_id: Option<String>,
}

/// What to do with a keyed create.
pub enum Claim {
    /// This request owns the key: create, then [`finish`].
    First,
    /// The key already made this order.
    Replay(String),
}

fn unavailable(e: impl std::fmt::Display) -> DomainError {
    DomainError::Unavailable { detail: format!("idempotency records cannot be read ({e}); retry later") }
}

/// The cache key of `key` in `organization`.
pub fn cache_key(prefix: &str, organization: &OrganizationId, key: &str) -> String {
    format!("{prefix}idempotency:orders:{}:{}", organization.as_str(), hex::encode(Sha256::digest(key.as_bytes())))
}

/// A fingerprint of the request body.
pub fn body_hash(body: &impl std::fmt::Debug) -> String {
    hex::encode(Sha256::digest(format!("{body:?}").as_bytes()))
}

/// Claims `key` for a request with `hash`, or finds what it produced.
pub async fn claim(cache: &dyn Cache, key: &str, hash: &str) -> Result<Claim, DomainError> {
    let pending = serde_json::to_vec(&Record { body_hash: hash.to_owned(), order_id: None })
        .map_err(|e| DomainError::Backend(e.into()))?;
    if cache.set_if_absent(key, &pending, KEY_TTL).await.map_err(unavailable)? {
        return Ok(Claim::First);
    }
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let stored = cache.get(key).await.map_err(unavailable)?;
        let Some(record) = stored.and_then(|b| serde_json::from_slice::<Record>(&b).ok()) else {
            // The first request failed and released the key: take it now.
            if cache.set_if_absent(key, &pending, KEY_TTL).await.map_err(unavailable)? {
                return Ok(Claim::First);
            }
            continue;
        };
        if record.body_hash != hash {
            return Err(DomainError::invalid("Idempotency-Key", "this key was used with a different request body"));
        }
        if let Some(order_id) = record.order_id {
            return Ok(Claim::Replay(order_id));
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(DomainError::Conflict {
                detail: "a request with this Idempotency-Key is still being processed; retry later".into(),
            });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Records the order the first request made.
pub async fn finish(cache: &dyn Cache, key: &str, hash: &str, order_id: &str) {
    let record = Record { body_hash: hash.to_owned(), order_id: Some(order_id.to_owned()) };
    if let Ok(bytes) = serde_json::to_vec(&record)
        && let Err(e) = cache.set(key, &bytes, KEY_TTL).await
    {
        tracing::warn!(error = %e, "could not record an idempotency key; a retry may wait for it to expire");
    }
}

/// Releases the key after the first request failed, so it can be retried.
pub async fn release(cache: &dyn Cache, key: &str) {
    let _ = cache.delete(key).await;
}
