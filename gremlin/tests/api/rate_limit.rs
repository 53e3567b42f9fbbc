//! Rate limits: Better Auth's rules per client and path, sign-in also per
//! e-mail, X-Forwarded-For believed only from trusted proxies, 429 with
//! Retry-After, and failing open when the cache is down.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use gremlin::http::rate_limit::RateLimiter;
use gremlin::server;
use gremlin_config::RateLimitSettings;
use gremlin_kernel::{Cache, CacheError, Counter};
use poem::http::StatusCode;
use poem::{EndpointExt, handler};
use serde_json::json;

use crate::support::{Backend, TestApp};

const PASSWORD: &str = "correct-horse-battery-1";

#[tokio::test]
async fn credential_endpoints_allow_three_per_window_then_429_with_retry_after() {
    let t = TestApp::custom(Backend::Sqlite, |s| s.rate_limit.enabled = true, |b| b).await;
    let body = json!({"email": "nobody@example.com", "password": "wrong-password-1"});
    for _ in 0..3 {
        t.client()
            .post("/api/auth/sign-in/email")
            .body_json(&body)
            .send()
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    let limited = t.client().post("/api/auth/sign-in/email").body_json(&body).send().await;
    limited.assert_status(StatusCode::TOO_MANY_REQUESTS);
    limited.assert_content_type("application/problem+json");
    let retry: u64 = limited.0.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=10).contains(&retry), "{retry}");
    assert_eq!(limited.0.headers()["x-retry-after"], limited.0.headers()["retry-after"]);
    let body: serde_json::Value = limited.0.into_body().into_json().await.unwrap();
    assert_eq!(body["code"], "TOO_MANY_REQUESTS");
    t.client().get("/healthz").send().await.assert_status_is_ok();
}

#[tokio::test]
async fn the_general_limit_applies_per_path_and_spares_operations() {
    let t = TestApp::custom(
        Backend::Sqlite,
        |s| {
            s.rate_limit.enabled = true;
            s.rate_limit.max_requests = 5;
        },
        |b| b,
    )
    .await;
    for _ in 0..5 {
        t.client().get("/api/auth/get-session").send().await.assert_status_is_ok();
    }
    t.client().get("/api/auth/get-session").send().await.assert_status(StatusCode::TOO_MANY_REQUESTS);
    t.client().get("/api/auth/jwks").send().await.assert_status_is_ok();
    for _ in 0..10 {
        t.client().get("/readyz").send().await.assert_status_is_ok();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_is_limited_per_email_and_forwarded_for_needs_a_trusted_proxy() {
    let t = TestApp::custom(
        Backend::Sqlite,
        |s| {
            s.rate_limit.enabled = true;
            s.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        },
        |b| b,
    )
    .await;
    let (acceptor, addr) = server::bind(t.app.settings.server.bind).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let crate::support::TestApp { app, db: _guard, .. } = t;
    let serving = tokio::spawn(server::serve(app, acceptor, async move {
        let _ = stopped.await;
    }));
    let client = crate::support::http_client();
    let sign_in = |from: &'static str, email: &'static str| {
        client
            .post(format!("http://{addr}/api/auth/sign-in/email"))
            .header("x-forwarded-for", from)
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
    };
    for from in ["198.51.100.1", "198.51.100.1", "198.51.100.1"] {
        assert_eq!(sign_in(from, "alice@example.com").await.unwrap().status(), 401);
    }
    // A fresh address, the same account: limited by e-mail.
    assert_eq!(sign_in("198.51.100.3", "alice@example.com").await.unwrap().status(), 429);
    // The fresh address is not itself limited.
    assert_eq!(sign_in("198.51.100.3", "bob@example.com").await.unwrap().status(), 401);
    // Addresses are distinguished because the proxy is trusted.
    assert_eq!(
        sign_in("198.51.100.1", "carol@example.com").await.unwrap().status(),
        429,
        "198.51.100.1 used its 3 attempts"
    );
    assert_eq!(sign_in("198.51.100.4", "carol@example.com").await.unwrap().status(), 401);
    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
}

/// A cache that is down.
struct DownCache;

#[async_trait]
impl Cache for DownCache {
    async fn get(&self, _: &str) -> Result<Option<Vec<u8>>, CacheError> {
        Err(CacheError::Unavailable("down".into()))
    }
    async fn set(&self, _: &str, _: &[u8], _: Duration) -> Result<(), CacheError> {
        Err(CacheError::Unavailable("down".into()))
    }
    async fn set_if_absent(&self, _: &str, _: &[u8], _: Duration) -> Result<bool, CacheError> {
        Err(CacheError::Unavailable("down".into()))
    }
    async fn delete(&self, _: &str) -> Result<bool, CacheError> {
        Err(CacheError::Unavailable("down".into()))
    }
    async fn increment(&self, _: &str, _: Duration) -> Result<Counter, CacheError> {
        Err(CacheError::Unavailable("down".into()))
    }
    async fn ping(&self) -> Result<(), CacheError> {
        Err(CacheError::Unavailable("down".into()))
    }
}

#[handler]
fn ok() -> &'static str {
    "ok"
}

#[tokio::test]
async fn limits_fail_open_when_the_cache_is_down() {
    let settings = RateLimitSettings { max_credential_requests: 1, ..RateLimitSettings::default() };
    let limiter =
        RateLimiter { cache: Arc::new(DownCache), settings, trusted_proxies: Vec::new(), key_prefix: "t:".into() };
    let endpoint = ok.around(limiter.around());
    let client = poem::test::TestClient::new(endpoint);
    for _ in 0..5 {
        client
            .post("/api/auth/sign-in/email")
            .body_json(&json!({"email": "a@b.co"}))
            .send()
            .await
            .assert_status_is_ok();
    }
}
