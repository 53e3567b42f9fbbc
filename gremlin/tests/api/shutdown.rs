//! Graceful shutdown over a real socket: in-flight requests finish, new
//! connections are refused, the outbox is flushed.

use std::time::Duration;

use gremlin::server;
use gremlin_kernel::outbox::record;
use gremlin_kernel::{EventEnvelope, SubscriptionSpec};
use poem_openapi::payload::PlainText;
use poem_openapi::{OpenApi, OpenApiService};
use sea_orm::TransactionTrait;

use crate::support::{Backend, TestApp};

struct SlowApi;

#[OpenApi]
impl SlowApi {
    /// Answers after 700 ms.
    #[oai(path = "/slow", method = "get")]
    async fn slow(&self) -> PlainText<&'static str> {
        tokio::time::sleep(Duration::from_millis(700)).await;
        PlainText("finished")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_requests_finish_and_the_outbox_is_flushed() {
    let t = TestApp::custom(
        Backend::Sqlite,
        |s| s.outbox.poll_interval_ms = 60_000,
        |b| b.mount("/t", OpenApiService::new(SlowApi, "t", "1")),
    )
    .await;
    let bus = t.app.adapters.events.clone();
    let mut sub = bus.subscribe(&SubscriptionSpec::new("observer", &["test.*"])).await.unwrap();
    let db = t.app.adapters.db.clone();
    let (acceptor, addr) = server::bind(t.app.settings.server.bind).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let TestApp { app, db: _guard, .. } = t;
    let serving = tokio::spawn(server::serve(app, acceptor, async move {
        let _ = stopped.await;
    }));

    let client = crate::support::http_client();
    let in_flight = tokio::spawn({
        let client = client.clone();
        async move { client.get(format!("http://{addr}/t/slow")).send().await?.text().await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    // An event committed while serving; the relay polls only every minute,
    // so only the shutdown flush can publish it.
    let txn = db.begin().await.unwrap();
    record(&txn, &EventEnvelope::new("test.flushed", "tests", None, "s", serde_json::json!({}))).await.unwrap();
    txn.commit().await.unwrap();
    stop.send(()).unwrap();

    assert_eq!(in_flight.await.unwrap().unwrap(), "finished", "the in-flight request completed");
    tokio::time::timeout(Duration::from_secs(10), serving).await.expect("server stops").unwrap().unwrap();
    assert!(client.get(format!("http://{addr}/healthz")).send().await.is_err(), "no longer accepting");
    let delivered =
        tokio::time::timeout(Duration::from_secs(2), sub.next()).await.expect("flushed event delivered").unwrap();
    assert_eq!(delivered.event.event_type, "test.flushed");
}
