//! Every resource a client can make the server hold is bounded: a
//! half-sent header is dropped after the header timeout, an idle
//! connection after the keep-alive timeout, connections beyond the cap
//! wait, a wait for a pooled database connection ends in 503 with
//! `Retry-After`, and a sign-in flood beyond the hashing queue gets 503s
//! rather than piling up.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use gremlin::infra::Adapters;
use gremlin::server;
use gremlin_config::Settings;
use poem::web::Data;
use poem::{Route, get, handler};
use sea_orm::TransactionTrait;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{Backend, TestApp};

/// Holds one pooled database connection for 2 s.
#[handler]
async fn hold_a_connection(Data(adapters): Data<&Adapters>) -> &'static str {
    let txn = adapters.db.begin().await.expect("a connection");
    tokio::time::sleep(Duration::from_secs(2)).await;
    txn.commit().await.expect("commit");
    "held"
}

/// Serves `t` on a real socket until the returned sender is dropped.
async fn serve(t: TestApp) -> (SocketAddr, tokio::sync::oneshot::Sender<()>, crate::support::TestDb) {
    let (listener, addr) = server::bind(t.app.settings.server.bind).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let TestApp { app, db, .. } = t;
    tokio::spawn(server::serve(app, listener, async move {
        let _ = stopped.await;
    }));
    (addr, stop, db)
}

async fn app_with(settings: impl FnOnce(&mut Settings)) -> TestApp {
    TestApp::custom(Backend::Sqlite, settings, |b| b.mount("/t", Route::new().at("/hold", get(hold_a_connection))))
        .await
}

/// An app whose pool has one connection, waited for at most 1 s.
#[cfg(feature = "identity")]
async fn one_pooled_connection() -> TestApp {
    app_with(|s| {
        s.database.max_connections = 1;
        s.database.min_connections = 0;
        s.database.acquire_timeout_secs = 1;
    })
    .await
}

/// Reads until the server closes the connection; returns what it sent and
/// how long it took, or `None` if it was still open after `limit`.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<(Vec<u8>, Duration)> {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = limit.checked_sub(started.elapsed())?;
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some((received, started.elapsed())),
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_header_is_dropped_after_the_header_timeout() {
    let (addr, _stop, _db) = serve(app_with(|s| s.server.header_read_timeout_secs = 1).await).await;
    let mut stalled = TcpStream::connect(addr).await.unwrap();
    stalled.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let (_, after) = read_until_closed(&mut stalled, Duration::from_secs(5)).await.expect("closed by the server");
    assert!(after >= Duration::from_millis(800) && after < Duration::from_secs(3), "closed after {after:?}");

    // Trickling a byte at a time does not extend the deadline.
    let mut trickle = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    let mut closed = false;
    for byte in b"GET /healthz HTTP/1.1\r\nHost: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" {
        if trickle.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        if started.elapsed() > Duration::from_secs(4) {
            break;
        }
    }
    if !closed {
        closed = read_until_closed(&mut trickle, Duration::from_secs(1)).await.is_some();
    }
    assert!(closed, "a trickling client was still connected after {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(4), "took {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_timeout() {
    let (addr, _stop, _db) = serve(
        app_with(|s| {
            s.server.keep_alive_timeout_secs = 1;
            s.server.header_read_timeout_secs = 30;
        })
        .await,
    )
    .await;
    let mut client = TcpStream::connect(addr).await.unwrap();
    client.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let (received, after) = read_until_closed(&mut client, Duration::from_secs(5)).await.expect("closed when idle");
    assert!(String::from_utf8_lossy(&received).starts_with("HTTP/1.1 200"), "answered before closing");
    assert!(after >= Duration::from_millis(800) && after < Duration::from_secs(3), "closed after {after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let (addr, _stop, _db) = serve(app_with(|s| s.server.max_connections = 3).await).await;
    let mut open = Vec::new();
    for _ in 0..3 {
        let mut c = TcpStream::connect(addr).await.unwrap();
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 512];
        let n = tokio::time::timeout(Duration::from_secs(2), c.read(&mut buf)).await.unwrap().unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
        open.push(c);
    }
    // The fourth connects (the kernel queues it) but is not served…
    let mut fourth = TcpStream::connect(addr).await.unwrap();
    fourth.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 512];
    assert!(
        tokio::time::timeout(Duration::from_millis(700), fourth.read(&mut buf)).await.is_err(),
        "served beyond the cap"
    );
    // …and the open ones still are.
    open[0].write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let n = tokio::time::timeout(Duration::from_secs(2), open[0].read(&mut buf)).await.unwrap().unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "an open connection keeps working at the cap");
    // Closing one lets the fourth in.
    drop(open.pop());
    let (received, _) = read_until_closed(&mut fourth, Duration::from_secs(3)).await.expect("served once a slot freed");
    assert!(String::from_utf8_lossy(&received).starts_with("HTTP/1.1 200"));
}

#[cfg(feature = "identity")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_wait_ends_in_503_with_retry_after() {
    let t = one_pooled_connection().await;
    let alice = crate::support::sign_up(&t, "alice@example.com", "Alice").await;
    let (addr, _stop, _db) = serve(t).await;
    let client = crate::support::http_client();
    let holder = tokio::spawn(client.get(format!("http://{addr}/t/hold")).send());
    tokio::time::sleep(Duration::from_millis(200)).await;

    let get_session =
        || client.get(format!("http://{addr}/api/auth/get-session")).header("authorization", &alice.bearer);
    let resp = get_session().send().await.unwrap();
    assert_eq!(resp.status(), 503);
    assert_eq!(resp.headers()["retry-after"], "1");
    // 503 after the 1 s wait, not the 200 it would be had it outwaited the holder.
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "SERVICE_UNAVAILABLE", "{body}");

    assert_eq!(holder.await.unwrap().unwrap().status(), 200);
    let again = get_session().send().await.unwrap();
    assert_eq!(again.status(), 200, "served again once the connection is free");
    let metrics = client.get(format!("http://{addr}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("db_pool_timeouts_total"), "pool waits are counted");
}

#[cfg(all(feature = "identity", feature = "orders"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_wait_on_a_business_endpoint_is_a_503_problem() {
    let t = one_pooled_connection().await;
    let alice = crate::support::sign_up(&t, "alice@example.com", "Alice").await;
    let org = t
        .client()
        .post("/api/auth/organization/create")
        .header("authorization", &alice.bearer)
        .body_json(&serde_json::json!({"name": "Acme", "slug": "acme"}))
        .send()
        .await;
    org.assert_status_is_ok();
    let org_id = crate::support::json(org).await["id"].as_str().unwrap().to_owned();
    let (addr, _stop, _db) = serve(t).await;
    let client = crate::support::http_client();
    let holder = tokio::spawn(client.get(format!("http://{addr}/t/hold")).send());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let resp = client
        .get(format!("http://{addr}/api/orders"))
        .header("authorization", &alice.bearer)
        .header("x-organization-id", &org_id)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    assert!(resp.headers().contains_key("retry-after"));
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let _ = holder.await;
}

#[cfg(feature = "identity")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sign_in_flood_beyond_the_hashing_queue_gets_503_not_500() {
    let t = app_with(|s| {
        s.auth.password_hash_concurrency = 1;
        s.auth.password_hash_queue = 2;
    })
    .await;
    crate::support::sign_up(&t, "alice@example.com", "Alice").await;
    let (addr, _stop, _db) = serve(t).await;
    let client = crate::support::http_client();
    let attempts: Vec<_> = (0..24)
        .map(|i| {
            let client = client.clone();
            let email = if i % 2 == 0 { "alice@example.com" } else { "nobody@example.com" };
            let body = serde_json::json!({"email": email, "password": crate::support::PASSWORD});
            tokio::spawn(async move {
                let resp = client.post(format!("http://{addr}/api/auth/sign-in/email")).json(&body).send().await?;
                Ok::<_, reqwest::Error>((resp.status().as_u16(), resp.headers().get("retry-after").cloned()))
            })
        })
        .collect();
    let mut by_status = std::collections::BTreeMap::<u16, usize>::new();
    for attempt in attempts {
        let (status, retry_after) = attempt.await.unwrap().unwrap();
        if status == 503 {
            assert_eq!(retry_after.expect("Retry-After on 503"), "1");
        }
        *by_status.entry(status).or_default() += 1;
    }
    assert!(by_status.get(&503).is_some_and(|n| *n > 0), "nothing refused: {by_status:?}");
    assert!(by_status.keys().all(|s| [200, 401, 503].contains(s)), "{by_status:?}");
    // The flood is over: sign-in works again.
    let body = serde_json::json!({"email": "alice@example.com", "password": crate::support::PASSWORD});
    let resp = client.post(format!("http://{addr}/api/auth/sign-in/email")).json(&body).send().await.unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_connections_requests_and_hashing() {
    let (addr, _stop, _db) = serve(app_with(|_| {}).await).await;
    let client = crate::support::http_client();
    let body = client.get(format!("http://{addr}/metrics")).send().await.unwrap().text().await.unwrap();
    for name in ["http_connections_open", "http_requests_in_flight"] {
        assert!(body.contains(name), "{name} missing from /metrics");
    }
    #[cfg(feature = "identity")]
    assert!(body.contains("password_hash_queue_depth"), "password_hash_queue_depth missing");
}
