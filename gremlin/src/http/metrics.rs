//! Prometheus metrics: request count and latency by route and status, and
//! database pool gauges, rendered at `/metrics`.
//!
//! The `metrics` facade has one global recorder per process, so the handle
//! is installed once and shared by every app built in it (tests build many).

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
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

/// The route label: the OpenAPI operation id when the request reached one,
/// a fixed label otherwise, so unknown paths cannot explode cardinality.
fn route_label(resp: &Response, path: &str) -> String {
    if let Some(op) = resp.data::<OperationId>() {
        return op.0.to_owned();
    }
    match path {
        "/openapi.json" => "openapi.spec".into(),
        p if p == "/docs" || p.starts_with("/docs/") => "openapi.docs".into(),
        _ => "unmatched".into(),
    }
}

/// The middleware: records one count and one latency sample per request.
pub async fn around<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let resp = match ep.call(req).await {
        Ok(output) => output.into_response(),
        Err(err) => err.into_response(),
    };
    let elapsed = started.elapsed();
    let status = resp.status().as_u16().to_string();
    let route = route_label(&resp, &path);
    tracing::info!(status = %status, route = %route, latency_ms = elapsed.as_secs_f64() * 1000.0, "request finished");
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
    Ok(resp)
}
