//! Every error the server itself produces is problem+json with the right
//! status, and a panicking handler never takes the process down.

use std::time::Duration;

use poem::http::StatusCode;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, OpenApiService};

use crate::support::{Backend, TestApp};

#[derive(Debug, Object)]
struct Greeting {
    name: String,
}

struct ProbeApi;

#[OpenApi]
impl ProbeApi {
    /// Echoes a JSON body.
    #[oai(path = "/echo", method = "post")]
    async fn echo(&self, body: Json<Greeting>) -> Json<Greeting> {
        body
    }

    /// Panics.
    #[oai(path = "/panic", method = "get")]
    async fn panic(&self) -> Json<Greeting> {
        panic!("handler bug")
    }

    /// Takes longer than the request timeout.
    #[oai(path = "/slow", method = "get")]
    async fn slow(&self) -> Json<Greeting> {
        tokio::time::sleep(Duration::from_secs(5)).await;
        Json(Greeting { name: "late".into() })
    }
}

async fn app() -> TestApp {
    TestApp::custom(
        Backend::Sqlite,
        |s| {
            s.server.request_timeout_secs = 1;
            s.server.body_limit_bytes = 64;
        },
        |b| b.mount("/probe", OpenApiService::new(ProbeApi, "probe", "1")),
    )
    .await
}

async fn assert_problem(resp: poem::test::TestResponse, status: StatusCode, slug: &str) -> serde_json::Value {
    resp.assert_status(status);
    resp.assert_content_type("application/problem+json");
    let body: serde_json::Value = resp.0.into_body().into_json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert_eq!(body["type"], format!("urn:gremlin:problem:{slug}"), "{body}");
    assert!(body["title"].is_string(), "{body}");
    body
}

#[tokio::test]
async fn unknown_route_is_404_problem() {
    let t = app().await;
    let body = assert_problem(t.client().get("/no/such/thing").send().await, StatusCode::NOT_FOUND, "not-found").await;
    assert!(body["detail"].as_str().unwrap().contains("/no/such/thing"));
}

#[tokio::test]
async fn wrong_method_is_405_problem() {
    let t = app().await;
    let body = assert_problem(
        t.client().delete("/healthz").send().await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("DELETE"));
}

#[tokio::test]
async fn malformed_json_is_400_problem() {
    let t = app().await;
    let resp = t.client().post("/probe/echo").content_type("application/json").body("{\"name\": ").send().await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "bad-request").await;
    let resp = t.client().post("/probe/echo").content_type("application/json").body("{\"nom\": 1}").send().await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "bad-request").await;
}

#[tokio::test]
async fn wrong_content_type_is_415_problem() {
    let t = app().await;
    let resp = t.client().post("/probe/echo").content_type("text/plain").body("name=x").send().await;
    assert_problem(resp, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type").await;
}

#[tokio::test]
async fn valid_json_passes_through() {
    let t = app().await;
    let resp = t.client().post("/probe/echo").body_json(&serde_json::json!({"name": "ok"})).send().await;
    resp.assert_status_is_ok();
    resp.assert_json(serde_json::json!({"name": "ok"})).await;
}

#[tokio::test]
async fn body_too_large_is_413_problem() {
    let t = app().await;
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(200));
    let resp = t.client().post("/probe/echo").content_type("application/json").body(big.clone()).send().await;
    assert_problem(resp, StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large").await;
    // Without Content-Length (chunked), the limit is enforced while reading.
    let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(bytes::Bytes::from(big))]);
    let resp = t
        .client()
        .post("/probe/echo")
        .content_type("application/json")
        .header("transfer-encoding", "chunked")
        .body(poem::Body::from_bytes_stream(stream))
        .send()
        .await;
    assert_problem(resp, StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large").await;
}

#[tokio::test]
async fn timeout_is_503_problem() {
    let t = app().await;
    let started = std::time::Instant::now();
    let body =
        assert_problem(t.client().get("/probe/slow").send().await, StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            .await;
    assert!(started.elapsed() < Duration::from_secs(4), "the timeout did not cut the request short");
    assert!(body["detail"].as_str().unwrap().contains("request_timeout_secs"));
}

#[tokio::test]
async fn panic_is_500_problem_and_the_app_keeps_serving() {
    let t = app().await;
    let body =
        assert_problem(t.client().get("/probe/panic").send().await, StatusCode::INTERNAL_SERVER_ERROR, "internal")
            .await;
    assert!(!body.to_string().contains("handler bug"), "panic message leaked: {body}");
    t.client().get("/healthz").send().await.assert_status_is_ok();
}

#[tokio::test]
async fn request_id_is_echoed_or_generated() {
    let t = app().await;
    let resp = t.client().get("/healthz").header("x-request-id", "abc-123").send().await;
    resp.assert_header("x-request-id", "abc-123");
    let resp = t.client().get("/healthz").header("x-request-id", "bad id with spaces").send().await;
    let generated = resp.0.headers().get("x-request-id").unwrap().to_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&generated).is_ok(), "{generated}");
    let resp = t.client().get("/nowhere").header("x-request-id", "trace-me").send().await;
    resp.assert_header("x-request-id", "trace-me");
    let body: serde_json::Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(body["instance"], "urn:gremlin:request:trace-me");
}

#[tokio::test]
async fn cors_answers_preflight_for_allowed_origins_only() {
    let t = TestApp::custom(
        Backend::Sqlite,
        |s| s.server.cors_allowed_origins = vec!["https://app.example.com".into()],
        |b| b,
    )
    .await;
    let resp = t
        .client()
        .options("/healthz")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "GET")
        .send()
        .await;
    resp.assert_status_is_ok();
    resp.assert_header("access-control-allow-origin", "https://app.example.com");
    let resp = t.client().get("/healthz").header("origin", "https://evil.example.com").send().await;
    assert!(resp.0.headers().get("access-control-allow-origin").is_none());
}
