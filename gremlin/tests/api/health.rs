//! `/healthz`, `/readyz` (including a backend that is down) and `/metrics`.

use gremlin::AppBuilder;
use gremlin_config::ServiceUrl;
use poem::http::StatusCode;

use crate::both_backends;
use crate::support::{Backend, TestApp, TestDb};

both_backends! {
    ready_when_every_backend_answers => ready_when_every_backend_answers,
    metrics_count_requests_by_route_and_status => metrics_count_requests_by_route_and_status,
}

#[tokio::test]
async fn healthz_is_ok_without_touching_backends() {
    let t = TestApp::new(Backend::Sqlite).await;
    let resp = t.client().get("/healthz").send().await;
    resp.assert_status_is_ok();
    let body: serde_json::Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

async fn ready_when_every_backend_answers(backend: Backend) {
    let t = TestApp::new(backend).await;
    let resp = t.client().get("/readyz").send().await;
    resp.assert_status_is_ok();
    let body: serde_json::Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(body["status"], "ready");
    let names: Vec<&str> = body["checks"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["database", "events", "cache", "documents"]);
    assert!(body["checks"].as_array().unwrap().iter().all(|c| c["status"] == "up"));
}

#[tokio::test]
async fn readyz_is_503_naming_a_database_that_is_down() {
    // A PostgreSQL URL where nothing listens: the pool is lazy, so the app
    // starts (auto-migrate off) and readiness reports the database down.
    let db = TestDb::new(Backend::Sqlite).await;
    let mut settings = db.settings();
    settings.database.url = Some(ServiceUrl::new("postgres://gremlin@127.0.0.1:1/nowhere"));
    settings.database.auto_migrate = false;
    settings.database.connect_timeout_secs = 1;
    settings.database.acquire_timeout_secs = 1;
    let app = AppBuilder::new(settings).build().await.unwrap();
    let client = poem::test::TestClient::new(&app.endpoint);
    let resp = client.get("/readyz").send().await;
    resp.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    let checks = body["checks"].as_array().unwrap();
    let database = checks.iter().find(|c| c["name"] == "database").unwrap();
    assert_eq!(database["status"], "down", "{body}");
    assert!(database["error"].as_str().is_some_and(|e| !e.is_empty()), "{body}");
    let events = checks.iter().find(|c| c["name"] == "events").unwrap();
    assert_eq!(events["status"], "up");
    client.get("/healthz").send().await.assert_status_is_ok();
}

async fn metrics_count_requests_by_route_and_status(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.client().get("/healthz").send().await.assert_status_is_ok();
    t.client().get("/missing").send().await.assert_status(StatusCode::NOT_FOUND);
    let resp = t.client().get("/metrics").send().await;
    resp.assert_status_is_ok();
    let text = resp.0.into_body().into_string().await.unwrap();
    assert!(text.contains("http_requests_total{method=\"GET\",route=\"ops.health\",status=\"200\"}"), "{text}");
    assert!(text.contains("route=\"unmatched\",status=\"404\""), "{text}");
    assert!(text.contains("http_request_duration_seconds_bucket"), "{text}");
    assert!(text.contains("db_pool_connections"), "{text}");
    let backlog = text.lines().find_map(|l| l.strip_prefix("outbox_backlog ")).expect("outbox_backlog gauge");
    assert!(backlog.trim().parse::<f64>().is_ok_and(|n| n >= 0.0), "{text}");
    // Migrations and the backlog count ran SQL through this app's pool.
    let statements = text.lines().find_map(|l| l.strip_prefix("db_statements_total ")).expect("db_statements_total");
    assert!(statements.trim().parse::<f64>().is_ok_and(|n| n >= 1.0), "{text}");
}
