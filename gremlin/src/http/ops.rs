//! Operational endpoints: liveness, readiness and metrics. They are part of
//! the OpenAPI document like every other endpoint (tag `operations`).

use std::future::Future;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use poem::web::Data;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, Tags};

use crate::infra::Adapters;
use crate::infra::database::pool_usage;

/// How long one backend may take to answer a readiness probe.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Tags)]
enum OpsTag {
    /// Health, readiness and metrics for operators and orchestrators.
    Operations,
}

/// Liveness answer.
#[derive(Debug, Object)]
pub struct Health {
    /// Always `ok` when the process answers.
    pub status: String,
    /// The running version.
    pub version: String,
}

/// State of one backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum BackendStatus {
    /// Answered in time.
    Up,
    /// Failed or timed out.
    Down,
}

/// One backend's probe result.
#[derive(Debug, Object)]
pub struct BackendCheck {
    /// `database`, `events`, `cache` or `documents`.
    pub name: String,
    /// Whether it answered.
    pub status: BackendStatus,
    /// How long the probe took, in milliseconds.
    pub latency_ms: u64,
    /// Why it is down.
    #[oai(skip_serializing_if_is_none)]
    pub error: Option<String>,
}

/// Readiness answer: every configured backend and its state.
#[derive(Debug, Object)]
pub struct Readiness {
    /// `ready` when every backend is up, `unavailable` otherwise.
    pub status: String,
    /// One entry per backend.
    pub checks: Vec<BackendCheck>,
}

/// `/readyz` responses.
#[derive(Debug, ApiResponse)]
pub enum ReadyResponse {
    /// Every backend answered.
    #[oai(status = 200)]
    Ready(Json<Readiness>),
    /// At least one backend is down; `checks` names it.
    #[oai(status = 503)]
    Unavailable(Json<Readiness>),
}

/// The operational API.
pub struct OpsApi;

async fn probe<E: std::fmt::Display>(name: &str, check: impl Future<Output = Result<(), E>>) -> BackendCheck {
    let started = Instant::now();
    let outcome = match tokio::time::timeout(PROBE_TIMEOUT, check).await {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some(format!("no answer within {} s", PROBE_TIMEOUT.as_secs())),
    };
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let status = if outcome.is_none() { BackendStatus::Up } else { BackendStatus::Down };
    BackendCheck { name: name.to_owned(), status, latency_ms, error: outcome }
}

#[OpenApi(tag = "OpsTag::Operations")]
impl OpsApi {
    /// Liveness.
    ///
    /// The process is up and serving HTTP. Checks no backend.
    #[oai(path = "/healthz", method = "get", operation_id = "ops.health")]
    async fn health(&self) -> Json<Health> {
        Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() })
    }

    /// Readiness.
    ///
    /// Every configured backend answers. 503 names the ones that do not.
    #[oai(path = "/readyz", method = "get", operation_id = "ops.ready")]
    async fn ready(&self, adapters: Data<&Adapters>) -> ReadyResponse {
        let (database, events, cache, documents) = tokio::join!(
            probe("database", adapters.db.ping()),
            probe("events", adapters.events.ping()),
            probe("cache", adapters.cache.ping()),
            probe("documents", adapters.documents.ping()),
        );
        let checks = vec![database, events, cache, documents];
        for check in checks.iter().filter(|c| c.status == BackendStatus::Down) {
            tracing::warn!(backend = %check.name, error = check.error.as_deref().unwrap_or_default(), "readiness probe failed");
        }
        if checks.iter().all(|c| c.status == BackendStatus::Up) {
            ReadyResponse::Ready(Json(Readiness { status: "ready".into(), checks }))
        } else {
            ReadyResponse::Unavailable(Json(Readiness { status: "unavailable".into(), checks }))
        }
    }

    /// Prometheus metrics.
    ///
    /// Prometheus metrics in the text exposition format.
    #[oai(path = "/metrics", method = "get", operation_id = "ops.metrics")]
    async fn metrics(&self, adapters: Data<&Adapters>) -> PlainText<String> {
        let handle = super::metrics::handle();
        let (open, idle) = pool_usage(&adapters.db);
        metrics::gauge!("db_pool_connections").set(f64::from(open));
        metrics::gauge!("db_pool_idle_connections").set(idle as f64);
        // SQL statements sent since start: with `http_requests_total`, the
        // database round trips per request that `make bench` reports.
        metrics::counter!("db_statements_total").absolute(adapters.db_statements.load(Ordering::Relaxed));
        match gremlin_kernel::outbox::backlog(&adapters.db).await {
            Ok(pending) => metrics::gauge!("outbox_backlog").set(pending as f64),
            Err(error) => tracing::warn!(error = format!("{error:#}"), "could not count the outbox backlog"),
        }
        handle.run_upkeep();
        PlainText(handle.render())
    }
}
