//! The MongoDB document store beyond the port's conformance suite: the
//! session-log indexes (TTL for retention), an application keeping its
//! session logs and settings in MongoDB, and an unreachable server.

use poem::http::StatusCode;

use crate::support::{Backend, TestApp, TestMongo, readiness};

#[cfg(feature = "identity")]
async fn app_on(mongo: &TestMongo) -> TestApp {
    let url = mongo.url.clone();
    TestApp::custom(Backend::Sqlite, move |s| s.documents.url = gremlin_config::ServiceUrl::new(url), |b| b).await
}

async fn raw_database(mongo: &TestMongo) -> mongodb::Database {
    let client = mongodb::Client::with_uri_str(&mongo.url).await.unwrap();
    client.default_database().unwrap()
}

/// Signing in writes the session log to MongoDB, whose collection gets a
/// TTL index on `expires_at` (the server deletes entries after their
/// retention) and the indexes the admin queries use.
#[cfg(feature = "identity")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_logs_live_in_mongodb_with_a_ttl_index() {
    use mongodb::bson::{Document, doc};
    use std::time::Duration;

    let mongo = TestMongo::new();
    let t = app_on(&mongo).await;
    crate::support::sign_up(&t, "alice@example.com", "Alice").await;
    let db = raw_database(&mongo).await;
    let logs = db.collection::<Document>("session_logs");
    let entry = logs.find_one(doc! {}).await.unwrap().expect("a session log entry");
    assert_eq!(entry.get_document("body").unwrap().get_str("kind").unwrap(), "sign_up");
    let expires_at = entry.get_datetime("expires_at").unwrap().timestamp_millis();
    let hours = (expires_at - mongodb::bson::DateTime::now().timestamp_millis()) / 3_600_000;
    let retention_hours = i64::try_from(t.app.settings.auth.session_log_retention_days * 24).unwrap();
    assert!((retention_hours - 1..=retention_hours).contains(&hours), "expires in {hours} h, not {retention_hours} h");
    let mut names = Vec::new();
    let mut ttl = None;
    let mut indexes = logs.list_indexes().await.unwrap();
    while indexes.advance().await.unwrap() {
        let index = indexes.deserialize_current().unwrap();
        let keys: Vec<String> = index.keys.keys().cloned().collect();
        if keys == ["expires_at"] {
            ttl = index.options.as_ref().and_then(|o| o.expire_after);
        }
        names.push(keys.join(","));
    }
    assert_eq!(ttl, Some(Duration::ZERO), "TTL index on expires_at: {names:?}");
    for wanted in ["time_us,_id", "body.user_id,time_us", "body.organization_id,time_us"] {
        assert!(names.iter().any(|n| n == wanted), "missing index {wanted}: {names:?}");
    }
}

/// `/readyz` says `documents: down` while MongoDB cannot be reached, and
/// the process still starts (the driver connects lazily).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_mongodb_shows_in_readyz() {
    let t = TestApp::custom(
        Backend::Sqlite,
        |s| s.documents.url = gremlin_config::ServiceUrl::new("mongodb://127.0.0.1:1/gremlin"),
        |b| b,
    )
    .await;
    assert_eq!(readiness(&t, "documents").await, (StatusCode::SERVICE_UNAVAILABLE, "down".to_owned()));
}

/// Test databases are dropped with their guard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_databases_are_dropped_afterwards() {
    let mongo = TestMongo::new();
    let store = mongo.store().await;
    gremlin_kernel::DocumentStore::upsert(&store, "things", "a", serde_json::json!({"x": 1})).await.unwrap();
    let db = raw_database(&mongo).await;
    let name = db.name().to_owned();
    let client = mongodb::Client::with_uri_str(&mongo.url).await.unwrap();
    assert!(client.list_database_names().await.unwrap().contains(&name));
    drop(mongo);
    assert!(!client.list_database_names().await.unwrap().contains(&name));
}
