//! `Cache` in a mutex-guarded map with expiry times.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use gremlin_kernel::{Cache, CacheError, Counter};

struct Entry {
    value: Vec<u8>,
    expires: Instant,
}

/// An in-memory cache. Expired entries are dropped when read and swept when
/// the map has grown, so memory stays bounded by live entries.
#[derive(Default)]
pub struct MemoryCache {
    entries: Mutex<HashMap<String, Entry>>,
}

/// Sweep expired entries once the map is this large and has doubled since.
const SWEEP_AT: usize = 1024;

impl MemoryCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn with_entries<T>(&self, f: impl FnOnce(&mut HashMap<String, Entry>, Instant) -> T) -> Result<T, CacheError> {
        let mut entries =
            self.entries.lock().map_err(|_| CacheError::Unavailable("memory cache lock poisoned".into()))?;
        let now = Instant::now();
        if entries.len() >= SWEEP_AT && entries.len().is_power_of_two() {
            entries.retain(|_, e| e.expires > now);
        }
        Ok(f(&mut entries, now))
    }
}

fn live<'a>(entries: &'a HashMap<String, Entry>, key: &str, now: Instant) -> Option<&'a Entry> {
    entries.get(key).filter(|e| e.expires > now)
}

#[async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        self.with_entries(|entries, now| live(entries, key, now).map(|e| e.value.clone()))
    }

    async fn get_many(&self, keys: &[&str]) -> Result<Vec<Option<Vec<u8>>>, CacheError> {
        self.with_entries(|entries, now| keys.iter().map(|k| live(entries, k, now).map(|e| e.value.clone())).collect())
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), CacheError> {
        self.with_entries(|entries, now| {
            entries.insert(key.to_owned(), Entry { value: value.to_vec(), expires: now + ttl });
        })
    }

    async fn set_if_absent(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, CacheError> {
        self.with_entries(|entries, now| {
            if live(entries, key, now).is_some() {
                return false;
            }
            entries.insert(key.to_owned(), Entry { value: value.to_vec(), expires: now + ttl });
            true
        })
    }

    async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        self.with_entries(|entries, now| entries.remove(key).is_some_and(|e| e.expires > now))
    }

    async fn increment(&self, key: &str, window: Duration) -> Result<Counter, CacheError> {
        self.with_entries(|entries, now| {
            let current = live(entries, key, now).map(|e| (decode_count(&e.value), e.expires));
            let (count, expires) = match current {
                Some((count, expires)) => (count + 1, expires),
                None => (1, now + window),
            };
            entries.insert(key.to_owned(), Entry { value: count.to_string().into_bytes(), expires });
            Counter { count, resets_in: expires.saturating_duration_since(now) }
        })
    }

    async fn ping(&self) -> Result<(), CacheError> {
        self.with_entries(|_, _| ())
    }
}

fn decode_count(value: &[u8]) -> u64 {
    std::str::from_utf8(value).ok().and_then(|s| s.parse().ok()).unwrap_or(0)
}
