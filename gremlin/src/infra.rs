//! Concrete infrastructure: the only place that knows which technology is
//! behind each kernel port. Adapters are chosen by URL scheme in settings.

pub mod database;
#[cfg(feature = "identity")]
pub mod mail;
pub mod memory;
pub mod mongo;
pub mod nats;
pub mod redis;
pub mod sql;

use std::sync::Arc;

use anyhow::{Context, bail};
use gremlin_config::Settings;
use gremlin_kernel::{Cache, DocumentStore, EventBus};
use sea_orm::DatabaseConnection;

/// The adapters a process runs with, behind their ports.
#[derive(Clone)]
pub struct Adapters {
    /// The SQL database.
    pub db: DatabaseConnection,
    /// Where events are published.
    pub events: Arc<dyn EventBus>,
    /// Rate limits, idempotency records, permission cache.
    pub cache: Arc<dyn Cache>,
    /// Organization settings, session logs.
    pub documents: Arc<dyn DocumentStore>,
    /// SQL statements sent through `db` since start (tests count a
    /// request's round trips with it).
    pub db_statements: Arc<std::sync::atomic::AtomicU64>,
}

impl Adapters {
    /// Builds every adapter named by `settings`. The database pool is lazy,
    /// so a database that is down shows in `/readyz` rather than stopping
    /// the process. Fails for a URL scheme this build has no adapter for.
    pub async fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let (db, db_statements) = database::connect_counted(settings).await.context("opening the database pool")?;
        let events: Arc<dyn EventBus> = match settings.events.url.scheme().as_str() {
            "memory" => Arc::new(memory::MemoryEventBus::new()),
            "nats" | "tls" => Arc::new(
                nats::NatsEventBus::connect(settings.events.url.expose(), nats_options(settings))
                    .await
                    .context("connecting to NATS JetStream (events.url)")?,
            ),
            other => bail!("events.url: the `{other}` adapter is not available; use `memory` or `nats`"),
        };
        let cache: Arc<dyn Cache> = match settings.cache.url.scheme().as_str() {
            "memory" => Arc::new(memory::MemoryCache::new()),
            "redis" | "rediss" => Arc::new(
                redis::RedisCache::connect(settings.cache.url.expose(), settings.cache.pool_size as usize)
                    .await
                    .context("connecting to Redis (cache.url)")?,
            ),
            other => bail!("cache.url: the `{other}` adapter is not available in this build; use `memory` or `redis`"),
        };
        let documents: Arc<dyn DocumentStore> = match settings.documents.url.scheme().as_str() {
            "sql" => Arc::new(sql::SqlDocumentStore::new(db.clone())),
            "mongodb" | "mongodb+srv" => Arc::new(
                mongo::MongoDocumentStore::connect(settings.documents.url.expose())
                    .await
                    .context("configuring MongoDB (documents.url)")?,
            ),
            other => bail!("documents.url: the `{other}` adapter is not available; use `sql` or `mongodb`"),
        };
        Ok(Self { db, events, cache, documents, db_statements })
    }
}

/// The JetStream layout `settings.events` asks for.
pub fn nats_options(settings: &Settings) -> nats::NatsOptions {
    let events = &settings.events;
    nats::NatsOptions {
        stream: events.stream.clone(),
        subject_prefix: events.subject_prefix.clone(),
        retention: std::time::Duration::from_secs(events.retention_hours.saturating_mul(3600)),
        duplicate_window: std::time::Duration::from_secs(events.duplicate_window_secs),
    }
}
