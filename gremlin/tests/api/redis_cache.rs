//! The app on the Redis cache: processes sharing one Redis share rate-limit
//! windows, and a Redis that is down shows in `/readyz` without stopping
//! start-up. Needs Redis at `GREMLIN_TEST_REDIS_URL` (`make services`).

use gremlin_config::ServiceUrl;
use poem::http::StatusCode;
use serde_json::json;

use crate::servers::PrivateServer;
use crate::support::{Backend, TestApp, readiness, redis_url};

/// An app on Redis with rate limits on; `prefix` keeps this test's keys apart.
async fn app_on_redis(prefix: &str) -> TestApp {
    let prefix = prefix.to_owned();
    TestApp::custom(
        Backend::Sqlite,
        move |s| {
            s.cache.url = ServiceUrl::new(redis_url());
            s.cache.key_prefix = prefix;
            s.rate_limit.enabled = true;
        },
        |b| b,
    )
    .await
}

#[tokio::test]
async fn two_processes_on_one_redis_share_the_sign_in_window() {
    let prefix = format!("gremlin-test-{}:", uuid::Uuid::new_v4().simple());
    let (first, second) = (app_on_redis(&prefix).await, app_on_redis(&prefix).await);
    let body = json!({"email": "nobody@example.com", "password": "wrong-password-1"});
    for app in [&first, &second, &first] {
        app.client()
            .post("/api/auth/sign-in/email")
            .body_json(&body)
            .send()
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    let limited = second.client().post("/api/auth/sign-in/email").body_json(&body).send().await;
    limited.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.0.headers().contains_key("retry-after"));

    // Another deployment on the same Redis (other prefix) is untouched.
    let other = app_on_redis(&format!("gremlin-test-{}:", uuid::Uuid::new_v4().simple())).await;
    other
        .client()
        .post("/api/auth/sign-in/email")
        .body_json(&body)
        .send()
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn readyz_reports_the_redis_cache() {
    let t = app_on_redis("gremlin-test-ready:").await;
    assert_eq!(readiness(&t, "cache").await, (StatusCode::OK, "up".to_owned()));
}

#[tokio::test]
async fn a_redis_that_is_down_starts_anyway_and_readyz_is_503() {
    let t = TestApp::custom(
        Backend::Sqlite,
        |s| {
            s.cache.url = ServiceUrl::new("redis://127.0.0.1:1");
            s.rate_limit.enabled = true;
        },
        |b| b,
    )
    .await;
    assert_eq!(readiness(&t, "cache").await, (StatusCode::SERVICE_UNAVAILABLE, "down".to_owned()));
    // Rate limiting fails open: sign-in still answers.
    t.client()
        .post("/api/auth/sign-in/email")
        .body_json(&json!({"email": "nobody@example.com", "password": "wrong-password-1"}))
        .send()
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_malformed_redis_url_stops_start_up_with_a_clear_error() {
    let db = crate::support::TestDb::new(Backend::Sqlite).await;
    let mut settings = db.settings();
    settings.cache.url = ServiceUrl::new("redis://host:notaport");
    let Err(error) = gremlin::AppBuilder::new(settings).build().await else { panic!("a bad cache.url must not start") };
    assert!(format!("{error:#}").contains("cache.url"), "{error:#}");
}

/// The documented fallbacks with Redis down: the permission cache reads
/// the database (orders still work), idempotency fails closed with 503
/// (a retry could otherwise create a second order).
#[cfg(feature = "orders")]
#[tokio::test]
async fn with_redis_down_permissions_fall_back_and_idempotent_creates_are_503() {
    use crate::support::orders::{body, create, create_with_key};
    use crate::support::{owner, problem};

    let t = TestApp::custom(Backend::Sqlite, |s| s.cache.url = ServiceUrl::new("redis://127.0.0.1:1"), |b| b).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let order = create(&t, &alice).await;
    let id = order["id"].as_str().unwrap();
    t.client().get(format!("/api/orders/{id}")).header("authorization", &alice).send().await.assert_status_is_ok();

    let resp = create_with_key(&t, &alice, "k-1", &body()).await;
    let problem = problem(resp, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(problem["detail"].as_str().unwrap().contains("retry"), "{problem}");

    let metrics = t.client().get("/metrics").send().await.0.into_body().into_string().await.unwrap();
    assert!(metrics.contains("cache_errors_total{kind=\"unavailable\"}"), "{metrics}");
}

#[tokio::test]
async fn redis_stopped_and_restarted_the_app_fails_open_then_recovers() {
    let mut redis = PrivateServer::redis().await;
    let url = redis.url();
    let t = TestApp::custom(
        Backend::Sqlite,
        move |s| {
            s.cache.url = ServiceUrl::new(url);
            s.rate_limit.enabled = true;
        },
        |b| b,
    )
    .await;
    let body = json!({"email": "nobody@example.com", "password": "wrong-password-1"});
    let sign_in = || async { t.client().post("/api/auth/sign-in/email").body_json(&body).send().await.0.status() };
    assert_eq!(readiness(&t, "cache").await, (StatusCode::OK, "up".to_owned()));
    for _ in 0..3 {
        assert_eq!(sign_in().await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(sign_in().await, StatusCode::TOO_MANY_REQUESTS);

    redis.stop();
    assert_eq!(readiness(&t, "cache").await, (StatusCode::SERVICE_UNAVAILABLE, "down".to_owned()));
    // No cache, no limit: requests are still answered (fail open).
    assert_eq!(sign_in().await, StatusCode::UNAUTHORIZED);

    // Back on the same port: the pool reconnects by itself and limiting resumes.
    redis.restart().await;
    let mut status = (StatusCode::SERVICE_UNAVAILABLE, String::new());
    for _ in 0..100 {
        status = readiness(&t, "cache").await;
        if status.1 == "up" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, (StatusCode::OK, "up".to_owned()), "the pool did not reconnect");
    for _ in 0..3 {
        assert_eq!(sign_in().await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(sign_in().await, StatusCode::TOO_MANY_REQUESTS);
}

/// `calls` of a command in Redis's `INFO commandstats` (0 if never run).
fn redis_calls(command: &str) -> u64 {
    let out = std::process::Command::new("redis-cli").args(["-u", &redis_url(), "INFO", "commandstats"]).output();
    let text = String::from_utf8(out.expect("redis-cli (make services)").stdout).unwrap_or_default();
    let prefix = format!("cmdstat_{command}:calls=");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The rate-limit counter runs its script by hash (`EVALSHA`), never by
/// resending the source (`EVAL`); a Redis that forgot the script (restart,
/// `SCRIPT FLUSH`) gets it again and the count goes on.
#[tokio::test]
async fn the_counter_script_runs_by_hash_and_is_reloaded_when_forgotten() {
    use gremlin_kernel::Cache;
    let cache = gremlin::infra::redis::RedisCache::connect(&redis_url(), 1).await.unwrap();
    let key = format!("t:{}:evalsha", uuid::Uuid::new_v4().simple());
    let window = std::time::Duration::from_secs(60);
    let (evals, evalshas) = (redis_calls("eval"), redis_calls("evalsha"));
    assert_eq!(cache.increment(&key, window).await.unwrap().count, 1);
    assert_eq!(cache.increment(&key, window).await.unwrap().count, 2);
    let flushed = std::process::Command::new("redis-cli").args(["-u", &redis_url(), "SCRIPT", "FLUSH"]).status();
    assert!(flushed.unwrap().success());
    assert_eq!(cache.increment(&key, window).await.unwrap().count, 3, "reloaded after SCRIPT FLUSH");
    assert_eq!(redis_calls("eval"), evals, "the script source is never resent with EVAL");
    assert!(redis_calls("evalsha") >= evalshas + 3);
    cache.delete(&key).await.unwrap();
}
