//! `EventBus` conformance checks.

use std::sync::Arc;
use std::time::Duration;

use crate::event::EventEnvelope;
use crate::ids::OrganizationId;
use crate::ports::events::{Delivery, EventBus, Subscription, SubscriptionSpec};

use super::unique;

const WAIT: Duration = Duration::from_secs(10);
const QUIET: Duration = Duration::from_millis(700);

fn event(event_type: &str) -> EventEnvelope {
    EventEnvelope::new(
        event_type,
        "conformance",
        Some(OrganizationId::new("org_1")),
        unique("subj"),
        serde_json::json!({"n": 1}),
    )
}

fn spec(patterns: &[&str]) -> SubscriptionSpec {
    let mut spec = SubscriptionSpec::new(unique("durable"), patterns);
    spec.ack_wait = Duration::from_secs(30);
    spec
}

/// The next delivery of `sub`; fails the test after 10 s without one.
pub async fn next(sub: &mut Box<dyn Subscription>) -> Delivery {
    tokio::time::timeout(WAIT, sub.next()).await.expect("no delivery within 10 s").unwrap()
}

async fn assert_quiet(sub: &mut Box<dyn Subscription>) {
    if let Ok(d) = tokio::time::timeout(QUIET, sub.next()).await {
        panic!("unexpected delivery: {d:?}");
    }
}

/// A subscriber receives an event published after it subscribed, unchanged.
pub async fn subscriber_receives_published_event(bus: Arc<dyn EventBus>) {
    let mut sub = bus.subscribe(&spec(&["conf.created"])).await.unwrap();
    let e = event("conf.created");
    bus.publish(&e).await.unwrap();
    let d = next(&mut sub).await;
    assert_eq!(d.event, e);
    assert_eq!(d.attempt, 1);
    d.ack().await.unwrap();
}

/// Only matching event types are delivered.
pub async fn subscription_filters_by_type(bus: Arc<dyn EventBus>) {
    let mut sub = bus.subscribe(&spec(&["invoice.*"])).await.unwrap();
    bus.publish(&event("conf.created")).await.unwrap();
    let wanted = event("invoice.paid");
    bus.publish(&wanted).await.unwrap();
    let d = next(&mut sub).await;
    assert_eq!(d.event.id, wanted.id);
    d.ack().await.unwrap();
    assert_quiet(&mut sub).await;
}

/// A durable subscription keeps events published while no one consumes.
pub async fn events_are_kept_while_nobody_consumes(bus: Arc<dyn EventBus>) {
    let spec = spec(&["conf.>"]);
    drop(bus.subscribe(&spec).await.unwrap());
    let e = event("conf.kept");
    bus.publish(&e).await.unwrap();
    let mut again = bus.subscribe(&spec).await.unwrap();
    let d = next(&mut again).await;
    assert_eq!(d.event.id, e.id);
    d.ack().await.unwrap();
}

/// An acknowledged event is not delivered again, even after resubscribing.
pub async fn acked_event_is_not_redelivered(bus: Arc<dyn EventBus>) {
    let spec = spec(&["conf.*"]);
    let mut sub = bus.subscribe(&spec).await.unwrap();
    bus.publish(&event("conf.once")).await.unwrap();
    next(&mut sub).await.ack().await.unwrap();
    drop(sub);
    let mut again = bus.subscribe(&spec).await.unwrap();
    assert_quiet(&mut again).await;
}

/// A negative acknowledgement leads to redelivery with the next attempt number.
pub async fn nack_redelivers_with_next_attempt(bus: Arc<dyn EventBus>) {
    let mut sub = bus.subscribe(&spec(&["conf.*"])).await.unwrap();
    let e = event("conf.retry");
    bus.publish(&e).await.unwrap();
    next(&mut sub).await.nack().await.unwrap();
    let d = next(&mut sub).await;
    assert_eq!((d.event.id, d.attempt), (e.id, 2));
    d.ack().await.unwrap();
}

/// A delivery neither acked nor nacked comes back after the ack wait.
pub async fn unacked_delivery_is_redelivered_after_ack_wait(bus: Arc<dyn EventBus>) {
    let mut spec = spec(&["conf.*"]);
    spec.ack_wait = Duration::from_secs(1);
    let mut sub = bus.subscribe(&spec).await.unwrap();
    let e = event("conf.forgotten");
    bus.publish(&e).await.unwrap();
    let first = next(&mut sub).await;
    std::mem::forget(first);
    let d = next(&mut sub).await;
    assert_eq!((d.event.id, d.attempt), (e.id, 2));
    d.ack().await.unwrap();
}

/// Two consumers of one durable name share the events: each goes to one.
pub async fn durable_name_shares_work(bus: Arc<dyn EventBus>) {
    let spec = spec(&["conf.*"]);
    let mut a = bus.subscribe(&spec).await.unwrap();
    let mut b = bus.subscribe(&spec).await.unwrap();
    let events: Vec<_> = (0..4).map(|_| event("conf.shared")).collect();
    for e in &events {
        bus.publish(e).await.unwrap();
    }
    let mut seen = Vec::new();
    while seen.len() < events.len() {
        let d = tokio::select! {
            d = a.next() => d.unwrap(),
            d = b.next() => d.unwrap(),
            () = tokio::time::sleep(WAIT) => panic!("only {} of {} delivered", seen.len(), events.len()),
        };
        seen.push(d.event.id);
        d.ack().await.unwrap();
    }
    seen.sort();
    let mut expected: Vec<_> = events.iter().map(|e| e.id).collect();
    expected.sort();
    assert_eq!(seen, expected);
    assert_quiet(&mut a).await;
    assert_quiet(&mut b).await;
}

/// Different durable names each receive every event.
pub async fn separate_durables_each_get_every_event(bus: Arc<dyn EventBus>) {
    let mut a = bus.subscribe(&spec(&["conf.*"])).await.unwrap();
    let mut b = bus.subscribe(&spec(&["conf.*"])).await.unwrap();
    let e = event("conf.fanout");
    bus.publish(&e).await.unwrap();
    for sub in [&mut a, &mut b] {
        let d = next(sub).await;
        assert_eq!(d.event.id, e.id);
        d.ack().await.unwrap();
    }
}

/// Publishing the same event id twice (a relay retry) delivers it once.
pub async fn duplicate_publish_is_delivered_once(bus: Arc<dyn EventBus>) {
    let mut sub = bus.subscribe(&spec(&["conf.*"])).await.unwrap();
    let e = event("conf.dup");
    bus.publish(&e).await.unwrap();
    bus.publish(&e).await.unwrap();
    next(&mut sub).await.ack().await.unwrap();
    assert_quiet(&mut sub).await;
}

/// After `max_deliveries` failed deliveries the event is given up on.
pub async fn gives_up_after_max_deliveries(bus: Arc<dyn EventBus>) {
    let mut spec = spec(&["conf.*"]);
    spec.max_deliveries = 3;
    let mut sub = bus.subscribe(&spec).await.unwrap();
    let e = event("conf.poison");
    bus.publish(&e).await.unwrap();
    for attempt in 1..=3 {
        let d = next(&mut sub).await;
        assert_eq!((d.event.id, d.attempt), (e.id, attempt));
        d.nack().await.unwrap();
    }
    assert_quiet(&mut sub).await;
}

/// The bus answers a ping.
pub async fn ping_answers(bus: Arc<dyn EventBus>) {
    bus.ping().await.unwrap();
}
