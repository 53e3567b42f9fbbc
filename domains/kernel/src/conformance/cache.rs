//! `Cache` conformance checks.

use std::sync::Arc;
use std::time::Duration;

use super::unique;
use crate::ports::cache::Cache;

const LONG: Duration = Duration::from_secs(60);

/// A key never set reads as absent.
pub async fn missing_key_is_none(cache: Arc<dyn Cache>) {
    assert_eq!(cache.get(&unique("missing")).await.unwrap(), None);
}

/// A value set reads back byte for byte.
pub async fn set_then_get(cache: Arc<dyn Cache>) {
    let key = unique("k");
    cache.set(&key, b"\x00value\xff", LONG).await.unwrap();
    assert_eq!(cache.get(&key).await.unwrap().as_deref(), Some(&b"\x00value\xff"[..]));
}

/// Setting again replaces the value.
pub async fn set_replaces_value(cache: Arc<dyn Cache>) {
    let key = unique("k");
    cache.set(&key, b"one", LONG).await.unwrap();
    cache.set(&key, b"two", LONG).await.unwrap();
    assert_eq!(cache.get(&key).await.unwrap().as_deref(), Some(&b"two"[..]));
}

/// `get_many` answers each key in the order asked, absent and expired keys
/// as `None`, binary values intact.
pub async fn get_many_reads_in_key_order(cache: Arc<dyn Cache>) {
    let (a, missing, b, expired) = (unique("a"), unique("missing"), unique("b"), unique("expired"));
    cache.set(&a, b"\x00one", LONG).await.unwrap();
    cache.set(&b, b"two\xff", LONG).await.unwrap();
    cache.set(&expired, b"gone", Duration::from_millis(50)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    let values = cache.get_many(&[&b, &missing, &a, &expired]).await.unwrap();
    assert_eq!(values, vec![Some(b"two\xff".to_vec()), None, Some(b"\x00one".to_vec()), None]);
    assert_eq!(cache.get_many(&[&a]).await.unwrap(), vec![Some(b"\x00one".to_vec())]);
    assert!(cache.get_many(&[]).await.unwrap().is_empty());
}

/// An entry is gone once its TTL passed.
pub async fn entries_expire(cache: Arc<dyn Cache>) {
    let key = unique("ttl");
    cache.set(&key, b"v", Duration::from_millis(200)).await.unwrap();
    assert!(cache.get(&key).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(cache.get(&key).await.unwrap(), None);
}

/// `set_if_absent` stores the first value only.
pub async fn set_if_absent_stores_once(cache: Arc<dyn Cache>) {
    let key = unique("nx");
    assert!(cache.set_if_absent(&key, b"first", LONG).await.unwrap());
    assert!(!cache.set_if_absent(&key, b"second", LONG).await.unwrap());
    assert_eq!(cache.get(&key).await.unwrap().as_deref(), Some(&b"first"[..]));
}

/// Of many concurrent `set_if_absent` calls exactly one wins.
pub async fn set_if_absent_is_atomic(cache: Arc<dyn Cache>) {
    let key = unique("nx");
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let (cache, key) = (Arc::clone(&cache), key.clone());
            tokio::spawn(async move { cache.set_if_absent(&key, format!("{i}").as_bytes(), LONG).await.unwrap() })
        })
        .collect();
    let mut winners = 0;
    for t in tasks {
        winners += usize::from(t.await.unwrap());
    }
    assert_eq!(winners, 1);
}

/// Once the first value expired, `set_if_absent` succeeds again.
pub async fn set_if_absent_after_expiry(cache: Arc<dyn Cache>) {
    let key = unique("nx");
    assert!(cache.set_if_absent(&key, b"a", Duration::from_millis(200)).await.unwrap());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(cache.set_if_absent(&key, b"b", LONG).await.unwrap());
}

/// `delete` says whether the key was there.
pub async fn delete_reports_presence(cache: Arc<dyn Cache>) {
    let key = unique("del");
    cache.set(&key, b"v", LONG).await.unwrap();
    assert!(cache.delete(&key).await.unwrap());
    assert!(!cache.delete(&key).await.unwrap());
    assert_eq!(cache.get(&key).await.unwrap(), None);
}

/// Increments count up and report the time left in the window.
pub async fn increment_counts_within_window(cache: Arc<dyn Cache>) {
    let key = unique("ctr");
    let window = Duration::from_secs(10);
    for expected in 1..=3 {
        let c = cache.increment(&key, window).await.unwrap();
        assert_eq!(c.count, expected);
        assert!(c.resets_in <= window && c.resets_in > Duration::from_secs(5), "{:?}", c.resets_in);
    }
}

/// After the window the count starts again at one.
pub async fn increment_window_resets(cache: Arc<dyn Cache>) {
    let key = unique("ctr");
    let window = Duration::from_millis(200);
    cache.increment(&key, window).await.unwrap();
    cache.increment(&key, window).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(cache.increment(&key, window).await.unwrap().count, 1);
}

/// Concurrent increments lose no count.
pub async fn concurrent_increments_are_atomic(cache: Arc<dyn Cache>) {
    let key = unique("ctr");
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (cache, key) = (Arc::clone(&cache), key.clone());
            tokio::spawn(async move { cache.increment(&key, LONG).await.unwrap().count })
        })
        .collect();
    let mut seen = Vec::new();
    for t in tasks {
        seen.push(t.await.unwrap());
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=50).collect::<Vec<u64>>());
}

/// The cache answers a ping.
pub async fn ping_answers(cache: Arc<dyn Cache>) {
    cache.ping().await.unwrap();
}
