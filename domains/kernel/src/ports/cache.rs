//! `Cache`: short-lived shared state — rate-limit counters, idempotency
//! records, the permission cache. Entries always expire; nothing here is the
//! only copy of anything.

use std::time::Duration;

use async_trait::async_trait;

/// Why the cache refused an operation. Callers decide per use whether to
/// fail open or closed.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The cache cannot be reached.
    #[error("cache unavailable: {0}")]
    Unavailable(String),
    /// Anything else, with its cause.
    #[error(transparent)]
    Backend(#[from] anyhow::Error),
}

/// A fixed-window counter after an increment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    /// The count in the current window, including this increment.
    pub count: u64,
    /// Time until the window resets.
    pub resets_in: Duration,
}

/// Key/value entries with a time to live.
#[async_trait]
pub trait Cache: Send + Sync {
    /// The value under `key`, unless absent or expired.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError>;

    /// The values under `keys`, in their order (`None` where absent or
    /// expired), in one round trip where the cache can (Redis `MGET`).
    async fn get_many(&self, keys: &[&str]) -> Result<Vec<Option<Vec<u8>>>, CacheError> {
        let mut values = Vec::with_capacity(keys.len());
        for key in keys {
            values.push(self.get(key).await?);
        }
        Ok(values)
    }

    /// Stores `value` under `key` for `ttl`, replacing any value.
    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), CacheError>;

    /// Stores `value` only if `key` is absent (atomically); true if stored.
    async fn set_if_absent(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, CacheError>;

    /// Removes `key`; true if it was present.
    async fn delete(&self, key: &str) -> Result<bool, CacheError>;

    /// Atomically increments the counter under `key`; the first increment of
    /// a window starts it with length `window`.
    async fn increment(&self, key: &str, window: Duration) -> Result<Counter, CacheError>;

    /// Checks the cache answers, for `/readyz`.
    async fn ping(&self) -> Result<(), CacheError>;
}
