//! The NATS JetStream event bus beyond the port's conformance suite: dead
//! letters, stream clean-up, and an application wired to NATS end to end
//! (outbox relay → JetStream → consumer). Each test has its own stream.

use std::time::Duration;

use async_nats::jetstream;
use gremlin_kernel::conformance::events::next;
use gremlin_kernel::{EventBus, EventEnvelope, OrganizationId, SubscriptionSpec};

use crate::support::{TestStream, nats_url};

fn event(event_type: &str) -> EventEnvelope {
    EventEnvelope::new(event_type, "tests", Some(OrganizationId::new("org_1")), "s", serde_json::json!({"n": 1}))
}

async fn context() -> jetstream::Context {
    jetstream::new(async_nats::connect(nats_url()).await.unwrap())
}

/// The events stored on the dead-letter stream of `stream`.
async fn dead_letters(stream: &TestStream) -> Vec<(String, EventEnvelope)> {
    let js = context().await;
    let mut dlq = js.get_stream(format!("{}_DEAD_LETTERS", stream.options.stream)).await.unwrap();
    let count = dlq.info().await.unwrap().state.messages;
    let mut out = Vec::new();
    for seq in 1..=count {
        let message = dlq.get_raw_message(seq).await.unwrap();
        let reason =
            message.headers.get("Gremlin-Dead-Letter-Reason").map(|v| v.as_str().to_owned()).unwrap_or_default();
        out.push((reason, serde_json::from_slice(&message.payload).unwrap()));
    }
    out
}

async fn wait_for_dead_letters(stream: &TestStream, n: usize) -> Vec<(String, EventEnvelope)> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let letters = dead_letters(stream).await;
        if letters.len() >= n || tokio::time::Instant::now() > deadline {
            return letters;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An event nacked `max_deliveries` times lands on the dead-letter stream,
/// whole and with the reason, and is not delivered again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_given_up_on_go_to_the_dead_letter_stream() {
    let stream = TestStream::new();
    let bus = stream.bus().await;
    let mut spec = SubscriptionSpec::new("poisoned", &["conf.*"]);
    spec.max_deliveries = 2;
    let mut sub = bus.subscribe(&spec).await.unwrap();
    let poison = event("conf.poison");
    bus.publish(&poison).await.unwrap();
    for attempt in 1..=2 {
        let d = next(&mut sub).await;
        assert_eq!((d.event.id, d.attempt), (poison.id, attempt));
        d.nack().await.unwrap();
    }
    let healthy = event("conf.fine");
    bus.publish(&healthy).await.unwrap();
    let d = next(&mut sub).await;
    assert_eq!(d.event.id, healthy.id, "the poisoned event must not come back");
    d.ack().await.unwrap();
    // The consumer keeps pulling: that is where the last delivery is moved.
    let quiet = tokio::time::timeout(Duration::from_secs(3), sub.next()).await;
    assert!(quiet.is_err(), "the poisoned event must not come back: {quiet:?}");
    let letters = wait_for_dead_letters(&stream, 1).await;
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].1, poison);
    assert_eq!(letters[0].0, "not acknowledged after 2 deliveries");
}

/// A delivery never acknowledged (the consumer crashed each time) is
/// dead-lettered too, once its deliveries are used up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_acknowledged_events_are_dead_lettered() {
    let stream = TestStream::new();
    let bus = stream.bus().await;
    let mut spec = SubscriptionSpec::new("crashing", &["conf.*"]);
    spec.max_deliveries = 2;
    spec.ack_wait = Duration::from_secs(1);
    let mut sub = bus.subscribe(&spec).await.unwrap();
    let e = event("conf.crash");
    bus.publish(&e).await.unwrap();
    for attempt in 1..=2 {
        let d = next(&mut sub).await;
        assert_eq!(d.attempt, attempt);
        std::mem::forget(d);
    }
    // Pulling again lets the adapter see the third delivery and move it.
    let quiet = tokio::time::timeout(Duration::from_secs(3), sub.next()).await;
    assert!(quiet.is_err(), "no further delivery expected: {quiet:?}");
    let letters = wait_for_dead_letters(&stream, 1).await;
    assert_eq!(letters.iter().map(|(_, e)| e.id).collect::<Vec<_>>(), vec![e.id]);
}

/// Tests leave nothing on the shared server: both streams go with the guard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_streams_are_deleted_afterwards() {
    let stream = TestStream::new();
    let name = stream.options.stream.clone();
    stream.bus().await.publish(&event("conf.x")).await.unwrap();
    drop(stream);
    let js = context().await;
    assert!(js.get_stream(&name).await.is_err());
    assert!(js.get_stream(format!("{name}_DEAD_LETTERS")).await.is_err());
}

/// Start-up fails, saying what to do, when NATS cannot be reached.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_nats_stops_start_up() {
    let options = TestStream::new().options.clone();
    let error = gremlin::infra::nats::NatsEventBus::connect("nats://127.0.0.1:1", options).await.err().unwrap();
    let text = format!("{error:#}");
    assert!(text.contains("cannot reach NATS at nats://127.0.0.1:1") && text.contains("events.url"), "{text}");
}

/// An application on NATS: an order created through the API is recorded in
/// the outbox, relayed to JetStream under `<prefix>.order.created` with
/// the event id as `Nats-Msg-Id`, and an invoice event published on NATS
/// reaches the orders consumer.
#[cfg(all(feature = "orders", feature = "identity"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_on_nats_relays_and_consumes_events() {
    use crate::support::orders::create;
    use crate::support::owner;
    use crate::support::{Backend, TestApp, json};

    let stream = TestStream::new();
    let options = stream.options.clone();
    let t = TestApp::custom(Backend::Postgres, |s| stream.configure(s), |b| b).await;
    let bus = t.app.adapters.events.clone();
    let mut watcher = bus.subscribe(&SubscriptionSpec::new("watcher", &["order.created"])).await.unwrap();
    let (alice, acme) = owner(&t, "alice@example.com", "acme").await;
    let order = create(&t, &alice).await;
    assert!(t.app.relay.drain().await.unwrap() >= 1);
    let d = next(&mut watcher).await;
    assert_eq!(d.event.subject, order["id"].as_str().unwrap());
    let js = context().await;
    let events = js.get_stream(&options.stream).await.unwrap();
    let stored = events.get_last_raw_message_by_subject(&format!("{}.order.created", options.subject_prefix)).await;
    let stored = stored.unwrap();
    assert_eq!(stored.headers.get("Nats-Msg-Id").map(|v| v.as_str().to_owned()), Some(d.event.id.to_string()));
    d.ack().await.unwrap();

    let consumer = t.app.consumers.iter().find(|c| c.spec.durable_name == "orders-payment-status").unwrap().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(gremlin::consumers::run(bus.clone(), consumer, async move {
        let _ = stopped.await;
    }));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let paid = EventEnvelope::new(
        "invoice.paid",
        "invoices",
        Some(OrganizationId::new(acme)),
        "inv-1",
        serde_json::json!({"order_id": order["id"], "amount_paid": "43.18", "currency": "EUR"}),
    );
    bus.publish(&paid).await.unwrap();
    let id = order["id"].as_str().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let current =
            json(t.client().get(format!("/api/orders/{id}")).header("authorization", &alice).send().await).await;
        if current["payment_status"] == "paid" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the invoice event never arrived over NATS: {current}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.send(()).unwrap();
    running.await.unwrap();
}

/// Pulls from `sub` until nothing comes for 3 s, nacking everything: the
/// adapter moves deliveries past the limit to the dead letters meanwhile.
async fn nack_until_quiet(sub: &mut Box<dyn gremlin_kernel::Subscription>) {
    while let Ok(Ok(d)) = tokio::time::timeout(Duration::from_secs(3), sub.next()).await {
        d.nack().await.unwrap();
    }
}

/// `gremlin events dead-letters` lists what each consumer gave up on (two
/// consumers giving up on one event keep two letters), and `gremlin events
/// replay` publishes one again: its consumer gets the event anew and the
/// letter is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_are_listed_and_replayed_from_the_cli() {
    let stream = TestStream::new();
    let bus = stream.bus().await;
    let mut subs = Vec::new();
    for name in ["payments", "audit"] {
        let mut spec = SubscriptionSpec::new(name, &["invoice.*"]);
        spec.max_deliveries = 1;
        subs.push(bus.subscribe(&spec).await.unwrap());
    }
    let poison = event("invoice.paid");
    bus.publish(&poison).await.unwrap();
    for sub in &mut subs {
        nack_until_quiet(sub).await;
    }

    let mut settings = gremlin_config::Settings::default();
    stream.configure(&mut settings);
    let cli = async |command: gremlin::cli::EventsCommand| {
        let mut out = Vec::new();
        gremlin::commands::events(&settings, &command, &mut out).await.unwrap();
        String::from_utf8(out).unwrap()
    };
    let listed = cli(gremlin::cli::EventsCommand::DeadLetters { limit: 10 }).await;
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 3, "{listed}");
    assert!(lines[..2].iter().all(|l| l.contains(&poison.id.to_string()) && l.contains("invoice.paid")), "{listed}");
    let payments = lines.iter().find(|l| l.contains("\tpayments\t")).expect("the payments letter");
    assert!(payments.ends_with("not acknowledged after 1 deliveries"), "{payments}");
    let seq: u64 = payments.split('\t').next().unwrap().parse().unwrap();

    let replayed = cli(gremlin::cli::EventsCommand::Replay { seq }).await;
    assert!(replayed.contains("for payments"), "{replayed}");
    let d = next(&mut subs[0]).await;
    assert_eq!((d.event.id, d.attempt), (poison.id, 1));
    d.ack().await.unwrap();
    let listed = cli(gremlin::cli::EventsCommand::DeadLetters { limit: 10 }).await;
    assert!(listed.ends_with("1 dead letter(s)\n") && listed.contains("\taudit\t"), "{listed}");
}

/// On the in-process bus there are no dead letters to list: the command
/// says so instead of pretending the list is empty.
#[tokio::test]
async fn dead_letter_commands_need_nats() {
    let settings = gremlin_config::Settings::default();
    let mut out = Vec::new();
    let command = gremlin::cli::EventsCommand::DeadLetters { limit: 10 };
    let error = gremlin::commands::events(&settings, &command, &mut out).await.unwrap_err().to_string();
    assert!(error.contains("NATS JetStream") && error.contains("`memory`"), "{error}");
}
