//! Fault tests: NATS stopped while orders are created, a consumer that
//! fails before it succeeds, and the server killed (SIGKILL) in the middle
//! of creates. The servers stopped here are private copies on spare ports
//! (`servers`), never the shared ones.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_nats::jetstream;
use futures_util::StreamExt;
use gremlin::consumers::{Consumer, Handler};
use gremlin_kernel::inbox::{self, HandledEvent};
use gremlin_kernel::sql::statement;
use gremlin_kernel::{EventEnvelope, EventId, OrganizationId, SubscriptionSpec};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

use crate::process::GremlinProcess;
use crate::servers::PrivateServer;
use crate::support::orders::{body, create};
use crate::support::owner;
use crate::support::{Backend, TestApp, TestDb, TestStream, http_client, nats_url};

/// Effects a test consumer had, each recorded with its event id in one
/// transaction (what a real handler does through `inbox::claim`).
#[derive(Clone, Default)]
struct Effects {
    applied: Arc<Mutex<Vec<EventId>>>,
    attempts: Arc<Mutex<HashMap<EventId, u32>>>,
}

impl Effects {
    /// A consumer of `patterns` that fails the first `failures` attempts
    /// of each event, then applies it once.
    fn consumer(&self, db: DatabaseConnection, name: &str, patterns: &[&str], failures: u32) -> Consumer {
        let effects = self.clone();
        let durable = name.to_owned();
        let handler: Handler = Arc::new(move |event: EventEnvelope| {
            let (effects, db, durable) = (effects.clone(), db.clone(), durable.clone());
            Box::pin(async move {
                let attempt = {
                    let mut attempts = effects.attempts.lock().unwrap();
                    let n = attempts.entry(event.id).or_insert(0);
                    *n += 1;
                    *n
                };
                anyhow::ensure!(attempt > failures, "failing attempt {attempt} on purpose");
                let txn = db.begin().await?;
                if inbox::claim(&txn, &HandledEvent::new(durable, event.id)).await? {
                    txn.commit().await?;
                    effects.applied.lock().unwrap().push(event.id);
                }
                Ok(())
            })
        });
        let mut spec = SubscriptionSpec::new(name, patterns);
        spec.ack_wait = Duration::from_secs(5);
        Consumer { spec, handler }
    }

    fn applied(&self) -> Vec<EventId> {
        self.applied.lock().unwrap().clone()
    }
}

/// Runs `consumer` on the app's bus until the returned sender is dropped.
fn run_consumer(t: &TestApp, consumer: Consumer) -> tokio::sync::oneshot::Sender<()> {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(gremlin::consumers::run(t.app.adapters.events.clone(), consumer, async move {
        let _ = stopped.await;
    }));
    stop
}

async fn wait_for(what: &str, seconds: u64, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while !done().await {
        assert!(Instant::now() < deadline, "{what} did not happen within {seconds} s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// NATS goes away while orders are created: every create still succeeds
/// (the events wait in the outbox), and once NATS is back every event is
/// delivered and has exactly one effect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_stopped_while_orders_are_created_then_every_event_has_one_effect() {
    let mut nats = PrivateServer::nats().await;
    let url = nats.url();
    let t = TestApp::custom(
        Backend::Postgres,
        move |s| {
            s.events.url = gremlin_config::ServiceUrl::new(url);
            s.outbox.poll_interval_ms = 50;
        },
        |b| b,
    )
    .await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let effects = Effects::default();
    let _consumer =
        run_consumer(&t, effects.consumer(t.app.adapters.db.clone(), "fault-orders", &["order.created"], 0));
    let (stop_relay, relay_stopped) = tokio::sync::oneshot::channel::<()>();
    let relay = tokio::spawn(t.app.relay.clone().run(async move {
        let _ = relay_stopped.await;
    }));
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut created = vec![create(&t, &alice).await["id"].as_str().unwrap().to_owned()];
    nats.stop();
    for _ in 0..10 {
        created.push(create(&t, &alice).await["id"].as_str().unwrap().to_owned());
    }
    let db = t.app.adapters.db.clone();
    wait_for("the outbox holding the events", 10, async || gremlin_kernel::outbox::backlog(&db).await.unwrap() >= 10)
        .await;
    assert_eq!(crate::support::readiness(&t, "events").await.1, "down");

    nats.restart().await;
    let wanted: HashSet<String> = created.iter().cloned().collect();
    let subjects = async |effects: &Effects| -> Vec<String> {
        let ids: Vec<String> = effects.applied().iter().map(ToString::to_string).collect();
        let mut subjects = Vec::new();
        for id in ids {
            let stmt = statement(
                db.get_database_backend(),
                "SELECT envelope FROM outbox WHERE event_id = $1",
                vec![id.into()],
            );
            let row = db.query_one_raw(stmt).await.unwrap().unwrap();
            let envelope: EventEnvelope = serde_json::from_str(&row.try_get_by_index::<String>(0).unwrap()).unwrap();
            subjects.push(envelope.subject);
        }
        subjects
    };
    wait_for("every event reaching the consumer after NATS returned", 60, async || {
        subjects(&effects).await.into_iter().collect::<HashSet<_>>() == wanted
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let applied = subjects(&effects).await;
    assert_eq!(applied.len(), created.len(), "one effect per event: {applied:?}");
    assert_eq!(gremlin_kernel::outbox::backlog(&db).await.unwrap(), 0);
    stop_relay.send(()).unwrap();
    relay.await.unwrap();
}

/// A consumer that fails twice and then succeeds has exactly one effect;
/// the redeliveries show on `/metrics`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_failing_twice_then_succeeding_has_one_effect() {
    let stream = TestStream::new();
    let t = TestApp::custom(Backend::Sqlite, |s| stream.configure(s), |b| b).await;
    let effects = Effects::default();
    let _consumer = run_consumer(&t, effects.consumer(t.app.adapters.db.clone(), "flaky-consumer", &["invoice.*"], 2));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let event =
        EventEnvelope::new("invoice.paid", "invoices", Some(OrganizationId::new("o")), "i", serde_json::json!({}));
    t.app.adapters.events.publish(&event).await.unwrap();
    wait_for("the third attempt succeeding", 20, async || !effects.applied().is_empty()).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(effects.applied(), vec![event.id]);
    assert_eq!(effects.attempts.lock().unwrap()[&event.id], 3);
    let metrics = t.client().get("/metrics").send().await.0.into_body().into_string().await.unwrap();
    assert!(metrics.lines().any(|l| l == r#"event_redeliveries_total{consumer="flaky-consumer"} 2"#), "{metrics}");
    assert!(metrics.contains(r#"consumer_lag{consumer="flaky-consumer"}"#), "{metrics}");
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db.query_one_raw(statement(db.get_database_backend(), sql, vec![])).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// The server is killed (SIGKILL) while creates are in flight: no order is
/// half written (each has its line, numbers have no gap), every order has
/// its event in the outbox, and after a restart every event reaches NATS
/// exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_in_the_middle_of_creates_loses_and_half_writes_nothing() {
    let db = TestDb::new(Backend::Postgres).await;
    let stream = TestStream::new();
    let env = vec![
        ("GREMLIN_DATABASE__URL", db.url.clone()),
        ("GREMLIN_EVENTS__URL", nats_url()),
        ("GREMLIN_EVENTS__STREAM", stream.options.stream.clone()),
        ("GREMLIN_EVENTS__SUBJECT_PREFIX", stream.options.subject_prefix.clone()),
        ("GREMLIN_AUTH_SECRET", "sigkill-test-secret-0123456789abcdef0123".to_owned()),
        // The relay drains at start, then sleeps: every event created
        // before the kill is still in the outbox, for the restart to send.
        ("GREMLIN_OUTBOX__POLL_INTERVAL_MS", "60000".to_owned()),
    ];
    let mut server = GremlinProcess::start("identity,orders", &env).await;
    let base = server.base.clone();
    let sign_up = http_client()
        .post(format!("{base}/api/auth/sign-up/email"))
        .json(&serde_json::json!({"name": "A", "email": "alice@example.com", "password": crate::support::PASSWORD}))
        .send()
        .await
        .unwrap();
    let auth = format!("Bearer {}", sign_up.headers()["set-auth-token"].to_str().unwrap());
    let org = http_client()
        .post(format!("{base}/api/auth/organization/create"))
        .header("authorization", &auth)
        .json(&serde_json::json!({"name": "Acme", "slug": "acme"}))
        .send()
        .await
        .unwrap();
    assert_eq!(org.status(), 200);

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (base, auth, acknowledged) = (base.clone(), auth.clone(), acknowledged.clone());
            tokio::spawn(async move {
                loop {
                    let sent = http_client()
                        .post(format!("{base}/api/orders"))
                        .header("authorization", &auth)
                        .json(&body())
                        .send();
                    match sent.await {
                        Ok(resp) if resp.status() == 201 => {
                            let order: serde_json::Value = resp.json().await.unwrap_or_default();
                            if let Some(id) = order["id"].as_str() {
                                acknowledged.lock().unwrap().push(id.to_owned());
                            }
                        }
                        Ok(resp) => panic!("create answered {}", resp.status()),
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill();
    for worker in workers {
        worker.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 5, "too few creates before the kill: {}", acknowledged.len());

    let conn = sea_orm::Database::connect(&db.url).await.unwrap();
    let orders = scalar(&conn, "SELECT COUNT(*) FROM orders").await;
    assert!(orders >= acknowledged.len() as i64);
    let half_written =
        "SELECT COUNT(*) FROM orders o WHERE (SELECT COUNT(*) FROM order_lines l WHERE l.order_id = o.id) <> 1";
    assert_eq!(scalar(&conn, half_written).await, 0, "an order without its line");
    assert_eq!(scalar(&conn, "SELECT MAX(number_seq) FROM orders").await, orders, "numbers have a gap");
    assert_eq!(scalar(&conn, "SELECT COUNT(*) FROM outbox WHERE event_type = 'order.created'").await, orders);
    let pending = scalar(&conn, "SELECT COUNT(*) FROM outbox WHERE published_at_us IS NULL").await;
    assert!(pending >= orders, "the orders' events wait in the outbox ({pending} pending, {orders} orders)");

    // Restarted, the relay publishes what the killed process had not.
    let _server = GremlinProcess::start("identity,orders", &env).await;
    wait_for("the outbox draining after the restart", 30, async || {
        scalar(&conn, "SELECT COUNT(*) FROM outbox WHERE published_at_us IS NULL").await == 0
    })
    .await;
    let js = jetstream::new(async_nats::connect(nats_url()).await.unwrap());
    let events = js.get_stream(&stream.options.stream).await.unwrap();
    let consumer = events
        .create_consumer(jetstream::consumer::pull::Config {
            filter_subject: format!("{}.order.created", stream.options.subject_prefix),
            deliver_policy: jetstream::consumer::DeliverPolicy::All,
            ack_policy: jetstream::consumer::AckPolicy::None,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut messages = consumer.fetch().max_messages(10_000).expires(Duration::from_secs(2)).messages().await.unwrap();
    let mut ids = Vec::new();
    while let Some(Ok(message)) = messages.next().await {
        ids.push(message.headers.as_ref().and_then(|h| h.get("Nats-Msg-Id")).map(|v| v.as_str().to_owned()));
    }
    let distinct: HashSet<_> = ids.iter().collect();
    assert_eq!((ids.len() as i64, distinct.len() as i64), (orders, orders), "each order.created once on NATS");
}
