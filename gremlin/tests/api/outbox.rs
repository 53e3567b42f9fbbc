//! The transactional outbox: a rolled-back transaction publishes nothing,
//! a committed one is published exactly once, and an unreachable bus only
//! delays publication.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use gremlin::infra::memory::MemoryEventBus;
use gremlin_kernel::outbox::{OutboxRelay, RelaySettings, backlog, record};
use gremlin_kernel::{EventBus, EventBusError, EventEnvelope, OrganizationId, Subscription, SubscriptionSpec};
use sea_orm::TransactionTrait;

use crate::both_backends;
use crate::support::{Backend, TestApp};

both_backends! {
    rolled_back_events_are_never_published => rolled_back_events_are_never_published,
    events_wait_in_the_outbox_while_the_bus_is_down => events_wait_in_the_outbox_while_the_bus_is_down,
    the_running_relay_publishes_and_flushes_on_shutdown => the_running_relay_publishes_and_flushes_on_shutdown,
}

/// A bus that can be switched off, like a broker outage.
struct SwitchableBus {
    inner: MemoryEventBus,
    down: AtomicBool,
}

#[async_trait]
impl EventBus for SwitchableBus {
    async fn publish(&self, event: &EventEnvelope) -> Result<(), EventBusError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(EventBusError::Unavailable("switched off by the test".into()));
        }
        self.inner.publish(event).await
    }
    async fn subscribe(&self, spec: &SubscriptionSpec) -> Result<Box<dyn Subscription>, EventBusError> {
        self.inner.subscribe(spec).await
    }
    async fn ping(&self) -> Result<(), EventBusError> {
        self.inner.ping().await
    }
}

fn event(n: u32) -> EventEnvelope {
    EventEnvelope::new(
        "test.happened",
        "tests",
        Some(OrganizationId::new("org_1")),
        format!("s{n}"),
        serde_json::json!({"n": n}),
    )
}

fn relay(t: &TestApp, bus: Arc<dyn EventBus>) -> OutboxRelay {
    OutboxRelay::new(
        t.app.adapters.db.clone(),
        bus,
        RelaySettings { poll_interval: Duration::from_millis(20), batch_size: 2, retention: Duration::from_secs(3600) },
    )
}

async fn received(sub: &mut Box<dyn Subscription>) -> Vec<EventEnvelope> {
    let mut out = Vec::new();
    while let Ok(Ok(d)) = tokio::time::timeout(Duration::from_millis(300), sub.next()).await {
        out.push(d.event.clone());
        d.ack().await.unwrap();
    }
    out
}

async fn rolled_back_events_are_never_published(backend: Backend) {
    let t = TestApp::new(backend).await;
    let bus: Arc<dyn EventBus> = Arc::new(MemoryEventBus::new());
    let mut sub = bus.subscribe(&SubscriptionSpec::new("observer", &["test.*"])).await.unwrap();
    let relay = relay(&t, bus.clone());
    let db = &t.app.adapters.db;

    let txn = db.begin().await.unwrap();
    record(&txn, &event(1)).await.unwrap();
    txn.rollback().await.unwrap();

    let committed: Vec<_> = (2..=4).map(event).collect();
    let txn = db.begin().await.unwrap();
    for e in &committed {
        record(&txn, e).await.unwrap();
    }
    txn.commit().await.unwrap();

    assert_eq!(backlog(db).await.unwrap(), 3);
    assert_eq!(relay.drain().await.unwrap(), 3, "batches of 2 drain all three");
    assert_eq!(relay.drain().await.unwrap(), 0, "nothing is published twice");
    assert_eq!(backlog(db).await.unwrap(), 0);
    let got = received(&mut sub).await;
    assert_eq!(got, committed, "exactly the committed events, in order");
}

async fn events_wait_in_the_outbox_while_the_bus_is_down(backend: Backend) {
    let t = TestApp::new(backend).await;
    let bus = Arc::new(SwitchableBus { inner: MemoryEventBus::new(), down: AtomicBool::new(true) });
    let mut sub = bus.subscribe(&SubscriptionSpec::new("observer", &["test.*"])).await.unwrap();
    let relay = relay(&t, bus.clone());
    let txn = t.app.adapters.db.begin().await.unwrap();
    record(&txn, &event(1)).await.unwrap();
    record(&txn, &event(2)).await.unwrap();
    txn.commit().await.unwrap();

    assert_eq!(relay.drain().await.unwrap(), 0);
    assert_eq!(backlog(&t.app.adapters.db).await.unwrap(), 2, "events are kept while the bus is down");
    let metrics = t.client().get("/metrics").send().await.0.into_body().into_string().await.unwrap();
    assert!(metrics.lines().any(|l| l == "outbox_backlog 2"), "{metrics}");
    assert!(metrics.contains("outbox_publish_failures_total"), "{metrics}");
    bus.down.store(false, Ordering::SeqCst);
    assert_eq!(relay.drain().await.unwrap(), 2);
    let got: Vec<u32> = received(&mut sub).await.iter().map(|e| e.data["n"].as_u64().unwrap() as u32).collect();
    assert_eq!(got, [1, 2]);
}

async fn the_running_relay_publishes_and_flushes_on_shutdown(backend: Backend) {
    let t = TestApp::new(backend).await;
    let bus = t.app.adapters.events.clone();
    let mut sub = bus.subscribe(&SubscriptionSpec::new("observer", &["test.*"])).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(t.app.relay.clone().run(async move {
        let _ = stopped.await;
    }));
    let txn = t.app.adapters.db.begin().await.unwrap();
    record(&txn, &event(1)).await.unwrap();
    txn.commit().await.unwrap();
    let first = tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .expect("relay publishes within its poll interval")
        .unwrap();
    assert_eq!(first.event.data["n"], 1);
    first.ack().await.unwrap();

    let txn = t.app.adapters.db.begin().await.unwrap();
    record(&txn, &event(2)).await.unwrap();
    txn.commit().await.unwrap();
    stop.send(()).unwrap();
    running.await.unwrap();
    assert_eq!(backlog(&t.app.adapters.db).await.unwrap(), 0, "shutdown flushed the outbox");
}
