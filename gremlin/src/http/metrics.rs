//! Prometheus metrics: request count and latency by route and status, and
//! database pool gauges, rendered at `/metrics`.
//!
//! The `metrics` facade has one global recorder per process, so the handle
//! is installed once and shared by every app built in it (tests build many).

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use metrics::SharedString;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use poem::http::Method;
use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::OperationId;

/// Latency histogram buckets, in seconds.
const BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// The process-wide Prometheus handle.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("http_request_duration_seconds".into()), BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        builder.install_recorder().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "another metrics recorder is installed; /metrics will be empty");
            PrometheusBuilder::new().build_recorder().handle()
        })
    })
}

/// How often recorded latency samples are folded into their histograms.
pub const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// Folds recorded samples into the histograms every [`UPKEEP_INTERVAL`]
/// until dropped. The recorder keeps every latency sample (8 bytes) until
/// upkeep runs; without this a server nobody scrapes would grow by
/// megabytes a minute under load.
pub fn keep_up() -> tokio::task::JoinHandle<()> {
    tokio::spawn(async {
        let mut tick = tokio::time::interval(UPKEEP_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            handle().run_upkeep();
        }
    })
}

/// The route label of a request to `path` that reaches no operation: a
/// fixed label, so unknown paths cannot explode cardinality. Never allocates.
fn fallback_route(path: &str) -> &'static str {
    match path {
        "/openapi.json" => "openapi.spec",
        p if p == "/docs" || p.starts_with("/docs/") => "openapi.docs",
        _ => "unmatched",
    }
}

/// The method label; methods outside the standard set share one label.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// The status label: a static string for the statuses Gremlin answers,
/// allocated only for anything else.
fn status_label(status: u16) -> SharedString {
    const KNOWN: [(u16, &str); 21] = [
        (200, "200"),
        (201, "201"),
        (204, "204"),
        (301, "301"),
        (302, "302"),
        (304, "304"),
        (400, "400"),
        (401, "401"),
        (403, "403"),
        (404, "404"),
        (405, "405"),
        (409, "409"),
        (412, "412"),
        (413, "413"),
        (415, "415"),
        (422, "422"),
        (428, "428"),
        (429, "429"),
        (500, "500"),
        (503, "503"),
        (504, "504"),
    ];
    match KNOWN.iter().find(|(code, _)| *code == status) {
        Some((_, text)) => SharedString::const_str(text),
        None => SharedString::from(status.to_string()),
    }
}

/// The middleware: records one count and one latency sample per request.
/// Labels are static strings (the status code's own text included), so a
/// request costs no label allocations.
pub async fn around<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let started = Instant::now();
    let method = method_label(req.method());
    let fallback = fallback_route(req.uri().path());
    let resp = match ep.call(req).await {
        Ok(output) => output.into_response(),
        Err(err) => err.into_response(),
    };
    let elapsed = started.elapsed();
    let status = resp.status();
    // The OpenAPI operation id when the request reached one.
    let route = resp.data::<OperationId>().map_or(fallback, |op| op.0);
    tracing::info!(status = status.as_u16(), route, latency_ms = elapsed.as_secs_f64() * 1000.0, "request finished");
    let labels = [
        ("method", SharedString::const_str(method)),
        ("route", SharedString::const_str(route)),
        ("status", status_label(status.as_u16())),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
    Ok(resp)
}
