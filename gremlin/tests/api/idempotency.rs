//! The kernel's `Idempotency-Key` records on a real cache: one run per key,
//! replays, a different request refused, failures released, concurrent
//! duplicates collapsed, and a record that cannot be decoded reported at
//! once instead of spun on.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use gremlin::infra::memory::MemoryCache;
use gremlin_kernel::http::idempotency::Operation;
use gremlin_kernel::http::{Idempotency, IdempotencyKey, Keyed};
use gremlin_kernel::{Cache, DomainError, OrganizationId};
use serde_json::json;

fn key(k: &str) -> IdempotencyKey {
    IdempotencyKey(Some(k.to_owned()))
}

fn operation(organization: &OrganizationId) -> Operation<'_> {
    Operation { domain: "orders", operation_id: "orders.create", organization }
}

#[tokio::test]
async fn a_key_runs_the_work_once_and_replays_its_result() {
    let cache: Arc<dyn Cache> = Arc::new(MemoryCache::new());
    let records = Idempotency::new(cache, "t:");
    let acme = OrganizationId::new("acme");
    let runs = AtomicU32::new(0);
    let work = || async {
        runs.fetch_add(1, Ordering::SeqCst);
        Ok::<_, DomainError>("order-1".to_owned())
    };
    let body = Some(json!({"currency": "EUR", "notes": "a"}));
    let first = records.once(operation(&acme), &key("k"), &body, work, Clone::clone).await.unwrap();
    assert_eq!(first, Keyed::Fresh("order-1".into()));
    // Same request with its keys in another order: a replay, no second run.
    let reordered: Option<serde_json::Value> = serde_json::from_str(r#"{"notes":"a","currency":"EUR"}"#).unwrap();
    let again = records.once(operation(&acme), &key("k"), &reordered, work, Clone::clone).await.unwrap();
    assert_eq!(again, Keyed::Replay("order-1".into()));
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    // Another body under the same key is refused.
    let other = Some(json!({"currency": "USD"}));
    let err = records.once(operation(&acme), &key("k"), &other, work, Clone::clone).await.unwrap_err();
    assert_eq!(err.status(), 422);
    // The same key in another organization is another record.
    let globex = OrganizationId::new("globex");
    let elsewhere = records.once(operation(&globex), &key("k"), &body, work, Clone::clone).await.unwrap();
    assert_eq!(elsewhere, Keyed::Fresh("order-1".into()));
    // Without a key the work simply runs.
    records.once(operation(&acme), &IdempotencyKey(None), &body, work, Clone::clone).await.unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_failed_run_releases_the_key_for_a_retry() {
    let records = Idempotency::new(Arc::new(MemoryCache::new()), "t:");
    let acme = OrganizationId::new("acme");
    let body = Some(json!({"a": 1}));
    let failing = || async { Err::<String, _>(DomainError::Conflict { detail: "no".into() }) };
    let err = records.once(operation(&acme), &key("k"), &body, failing, Clone::clone).await.unwrap_err();
    assert_eq!(err.status(), 409);
    let ok = || async { Ok::<_, DomainError>("made".to_owned()) };
    assert_eq!(
        records.once(operation(&acme), &key("k"), &body, ok, Clone::clone).await.unwrap(),
        Keyed::Fresh("made".into())
    );
}

#[tokio::test]
async fn concurrent_duplicates_run_once() {
    let records = Idempotency::new(Arc::new(MemoryCache::new()), "t:");
    let acme = OrganizationId::new("acme");
    let runs = Arc::new(AtomicU32::new(0));
    let body = Some(json!({"a": 1}));
    let attempt = || {
        let runs = runs.clone();
        let (records, acme, body) = (records.clone(), acme.clone(), body.clone());
        async move {
            let work = || async {
                runs.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(100)).await;
                Ok::<_, DomainError>("one".to_owned())
            };
            records.once(operation(&acme), &key("k"), &body, work, Clone::clone).await.unwrap()
        }
    };
    let (a, b, c) = tokio::join!(attempt(), attempt(), attempt());
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let fresh = [&a, &b, &c].iter().filter(|k| matches!(k, Keyed::Fresh(_))).count();
    assert_eq!(fresh, 1, "{a:?} {b:?} {c:?}");
}

#[tokio::test]
async fn an_undecodable_record_is_an_error_not_a_busy_loop() {
    let cache: Arc<dyn Cache> = Arc::new(MemoryCache::new());
    let records = Idempotency::new(cache.clone(), "t:");
    let acme = OrganizationId::new("acme");
    let body = Some(json!({"a": 1}));
    let ok = || async { Ok::<_, DomainError>("x".to_owned()) };
    records.once(operation(&acme), &key("k"), &body, ok, Clone::clone).await.unwrap();
    // Corrupt the one record the key made.
    let digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(b"k"))
    };
    let record = format!("t:idempotency:orders:acme:{digest}");
    assert!(cache.get(&record).await.unwrap().is_some(), "the record lives under {record}");
    cache.set(&record, b"not json", Duration::from_secs(60)).await.unwrap();
    let started = Instant::now();
    let err = records.once(operation(&acme), &key("k"), &body, ok, Clone::clone).await.unwrap_err();
    assert_eq!(err.status(), 500);
    assert!(format!("{err:#}").contains("cannot be decoded"), "{err:#}");
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
}
