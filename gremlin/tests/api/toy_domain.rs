//! The toy domain (`--features toy-domain`), registered with one line in
//! `gremlin/src/registry.rs`, is mounted, documented, migrated, authorized
//! and consumed like orders — nothing else was edited to add it.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::support::{Backend, TestApp, create_organization, json, sign_up};

async fn count(t: &TestApp, sql: &str) -> i64 {
    let db = &t.app.adapters.db;
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn notes(t: &TestApp, bearer: &str, organization: &str) -> poem::test::TestResponse {
    t.as_(bearer).in_org(organization).get("/api/toy/notes").send().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_registry_line_mounts_documents_migrates_and_consumes_a_domain() {
    let t = TestApp::new(Backend::Sqlite).await;
    assert!(t.app.domains.contains(&"toy"), "served: {:?}", t.app.domains);

    // Migrated, in its own migration table.
    assert_eq!(count(&t, "SELECT COUNT(*) FROM toy_notes").await, 0);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM gremlin_migrations_toy").await, 1);

    // Documented, with the caller's security and the organization header.
    let spec = json(t.client().get("/openapi.json").send().await).await;
    let add = &spec["paths"]["/api/toy/notes"]["post"];
    assert_eq!(add["operationId"], "toy.add_note");
    assert_eq!(add["security"], json!([{"bearer": []}, {"api_key": []}, {"session_cookie": []}]));
    assert!(add["parameters"].as_array().unwrap().iter().any(|p| p["name"] == "X-Organization-Id"), "{add}");

    // Mounted behind the caller: anonymous is 401, a member of the
    // organization writes and reads only that organization's notes.
    let anonymous = t.client().post("/api/toy/notes").body_json(&json!({"text": "hi"})).send().await;
    anonymous.assert_status(poem::http::StatusCode::UNAUTHORIZED);
    let alice = sign_up(&t, "alice@example.com", "Alice").await;
    let acme = create_organization(&t, &alice.bearer, "Acme", "acme").await;
    let acme = acme["id"].as_str().unwrap();
    let added =
        t.as_(&alice.bearer).in_org(acme).post("/api/toy/notes").body_json(&json!({"text": "hello"})).send().await;
    added.assert_status_is_ok();
    let bob = sign_up(&t, "bob@example.com", "Bob").await;
    let foreign = notes(&t, &bob.bearer, acme).await;
    foreign.assert_status(poem::http::StatusCode::FORBIDDEN);
    assert_eq!(json(notes(&t, &alice.bearer, acme).await).await, json!([{"text": "hello"}]));

    // Consumed: its consumer is wired with its durable name and handles
    // `toy.*` events from the bus.
    let consumer = t.app.consumers.iter().find(|c| c.spec.durable_name == "toy-seen").expect("toy consumer").clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(gremlin::consumers::run(t.app.adapters.events.clone(), consumer, async move {
        let _ = stopped.await;
    }));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let event = gremlin_kernel::EventEnvelope::new("toy.poked", "toy", None, "t-1", json!({}));
    t.app.adapters.events.publish(&event).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while count(&t, "SELECT COUNT(*) FROM toy_seen").await == 0 {
        assert!(Instant::now() < deadline, "the toy consumer never saw the event");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(());
    running.await.unwrap();
}
