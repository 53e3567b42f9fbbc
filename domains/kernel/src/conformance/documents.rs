//! `DocumentStore` conformance checks.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use time::OffsetDateTime;

use super::unique;
use crate::ports::documents::{DocumentError, DocumentFilter, DocumentStore, LogEntry, LogQuery};

const KEEP: Duration = Duration::from_secs(3600);

fn collection() -> String {
    unique("c")
}

/// A stored document reads back; an unknown id reads as absent.
pub async fn upsert_then_get(store: Arc<dyn DocumentStore>) {
    let c = collection();
    let body = json!({"name": "Acme", "seats": 12, "nested": {"a": [1, 2]}});
    store.upsert(&c, "org_1", body.clone()).await.unwrap();
    let doc = store.get(&c, "org_1").await.unwrap().unwrap();
    assert_eq!((doc.id.as_str(), doc.body), ("org_1", body));
    assert!(store.get(&c, "org_2").await.unwrap().is_none());
}

/// Upserting again replaces the whole body.
pub async fn upsert_replaces(store: Arc<dyn DocumentStore>) {
    let c = collection();
    store.upsert(&c, "x", json!({"a": 1, "b": 2})).await.unwrap();
    store.upsert(&c, "x", json!({"a": 3})).await.unwrap();
    assert_eq!(store.get(&c, "x").await.unwrap().unwrap().body, json!({"a": 3}));
}

/// `delete` says whether the document existed.
pub async fn delete_reports_presence(store: Arc<dyn DocumentStore>) {
    let c = collection();
    store.upsert(&c, "x", json!({})).await.unwrap();
    assert!(store.delete(&c, "x").await.unwrap());
    assert!(!store.delete(&c, "x").await.unwrap());
    assert!(store.get(&c, "x").await.unwrap().is_none());
}

/// `find` applies every equality filter, orders by id and honours the limit.
pub async fn find_filters_and_orders(store: Arc<dyn DocumentStore>) {
    let c = collection();
    store.upsert(&c, "b", json!({"org": "o1", "active": true, "n": 2})).await.unwrap();
    store.upsert(&c, "a", json!({"org": "o1", "active": true, "n": 1})).await.unwrap();
    store.upsert(&c, "c", json!({"org": "o1", "active": false, "n": 3})).await.unwrap();
    store.upsert(&c, "d", json!({"org": "o2", "active": true, "n": 4})).await.unwrap();
    let ids = |docs: Vec<crate::Document>| docs.into_iter().map(|d| d.id).collect::<Vec<_>>();
    let all = store.find(&c, &DocumentFilter::default(), 100).await.unwrap();
    assert_eq!(ids(all), ["a", "b", "c", "d"]);
    let active_o1 = DocumentFilter::default().eq("org", "o1").eq("active", true);
    assert_eq!(ids(store.find(&c, &active_o1, 100).await.unwrap()), ["a", "b"]);
    assert_eq!(ids(store.find(&c, &DocumentFilter::default().eq("n", 3), 100).await.unwrap()), ["c"]);
    assert_eq!(ids(store.find(&c, &DocumentFilter::default().eq("org", "o1"), 2).await.unwrap()), ["a", "b"]);
    assert!(store.find(&c, &DocumentFilter::default().eq("org", "nope"), 10).await.unwrap().is_empty());
}

/// The same id in two collections names two documents.
pub async fn collections_are_separate(store: Arc<dyn DocumentStore>) {
    let (c1, c2) = (collection(), collection());
    store.upsert(&c1, "x", json!({"v": 1})).await.unwrap();
    store.upsert(&c2, "x", json!({"v": 2})).await.unwrap();
    assert_eq!(store.get(&c1, "x").await.unwrap().unwrap().body, json!({"v": 1}));
    assert_eq!(store.find(&c2, &DocumentFilter::default(), 10).await.unwrap().len(), 1);
}

/// Collection and field names outside `[a-z0-9_]` are refused.
pub async fn invalid_names_are_rejected(store: Arc<dyn DocumentStore>) {
    for bad in ["", "Bad", "a.b", "a-b", "x'; drop table", "$where"] {
        let err = store.upsert(bad, "x", json!({})).await.unwrap_err();
        assert!(matches!(err, DocumentError::InvalidName(_)), "{bad}: {err:?}");
    }
    let filter = DocumentFilter::default().eq("a') OR 1=1 --", 1);
    let err = store.find(&collection(), &filter, 10).await.unwrap_err();
    assert!(matches!(err, DocumentError::InvalidName(_)), "{err:?}");
}

/// Only JSON objects are documents.
pub async fn bodies_must_be_objects(store: Arc<dyn DocumentStore>) {
    for bad in [json!([1]), json!("x"), json!(3), json!(null)] {
        let err = store.upsert(&collection(), "x", bad).await.unwrap_err();
        assert!(matches!(err, DocumentError::NotAnObject), "{err:?}");
    }
}

/// A time `minutes` past a base two hours ago. The base is taken once, so
/// entries and the queries about them agree even across a second boundary.
fn at(minutes: i64) -> OffsetDateTime {
    static BASE: std::sync::OnceLock<OffsetDateTime> = std::sync::OnceLock::new();
    let base =
        *BASE.get_or_init(|| OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() - time::Duration::hours(2));
    base + time::Duration::minutes(minutes)
}

/// Log queries return newest first, filtered by fields and time range.
pub async fn log_is_newest_first_and_filtered(store: Arc<dyn DocumentStore>) {
    let c = collection();
    for (minute, user, kind) in
        [(1, "u1", "sign_in"), (2, "u2", "sign_in"), (3, "u1", "sign_out"), (4, "u1", "sign_in")]
    {
        let entry = LogEntry { time: at(minute), body: json!({"user": user, "kind": kind, "minute": minute}) };
        store.append_log(&c, entry, KEEP).await.unwrap();
    }
    let minutes =
        |page: crate::Page<LogEntry>| page.items.iter().map(|e| e.body["minute"].as_i64().unwrap()).collect::<Vec<_>>();
    let all = store.query_log(&c, &LogQuery { limit: 10, ..LogQuery::default() }).await.unwrap();
    assert_eq!(all.items[0].time, at(4));
    assert_eq!(minutes(all.clone()), [4, 3, 2, 1]);
    assert!(all.next_cursor.is_none());
    let u1_sign_ins = LogQuery {
        filter: DocumentFilter::default().eq("user", "u1").eq("kind", "sign_in"),
        limit: 10,
        ..LogQuery::default()
    };
    assert_eq!(minutes(store.query_log(&c, &u1_sign_ins).await.unwrap()), [4, 1]);
    let range = LogQuery { since: Some(at(2)), until: Some(at(4)), limit: 10, ..LogQuery::default() };
    assert_eq!(minutes(store.query_log(&c, &range).await.unwrap()), [3, 2]);
}

/// Paging with the cursor visits every entry exactly once, even with equal times.
pub async fn log_pages_cover_everything_once(store: Arc<dyn DocumentStore>) {
    let c = collection();
    for i in 0..7 {
        let entry = LogEntry { time: at(i / 2), body: json!({"i": i}) };
        store.append_log(&c, entry, KEEP).await.unwrap();
    }
    let mut seen = HashSet::new();
    let mut query = LogQuery { limit: 3, ..LogQuery::default() };
    let mut pages = 0;
    loop {
        let page = store.query_log(&c, &query).await.unwrap();
        pages += 1;
        assert!(page.items.len() <= 3);
        for e in &page.items {
            assert!(seen.insert(e.body["i"].as_i64().unwrap()), "entry seen twice");
        }
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(seen.len(), 7);
    let bad = LogQuery { cursor: Some("garbage".into()), limit: 3, ..LogQuery::default() };
    assert!(matches!(store.query_log(&c, &bad).await.unwrap_err(), DocumentError::InvalidCursor));
}

/// Entries past their retention are not returned.
pub async fn expired_log_entries_are_hidden(store: Arc<dyn DocumentStore>) {
    let c = collection();
    let now = OffsetDateTime::now_utc();
    store
        .append_log(&c, LogEntry { time: now, body: json!({"k": "short"}) }, Duration::from_millis(100))
        .await
        .unwrap();
    store.append_log(&c, LogEntry { time: now, body: json!({"k": "long"}) }, KEEP).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let page = store.query_log(&c, &LogQuery { limit: 10, ..LogQuery::default() }).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].body["k"], "long");
}

/// The store answers a ping.
pub async fn ping_answers(store: Arc<dyn DocumentStore>) {
    store.ping().await.unwrap();
}
