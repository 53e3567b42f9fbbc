//! The transactional outbox: events are written to the `outbox` table in
//! the same transaction as the change they describe, and a relay publishes
//! committed rows to the [`EventBus`], marking each sent only after the bus
//! accepted it. A rolled-back transaction therefore never publishes, and a
//! bus outage only delays delivery. Publishing is at-least-once; the bus
//! de-duplicates on the event id, consumers on processed ids.
//!
//! Uses sea-orm's connection (the SQL port) with portable SQL; times are
//! stored as microseconds since the epoch so both SQLite and PostgreSQL
//! compare them the same way.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, TransactionTrait, Value};

use crate::event::EventEnvelope;
use crate::ports::events::EventBus;
use crate::sql::{now_micros, query_all, statement};

/// Writes `event` to the outbox on `conn`, which should be the transaction
/// that makes the change the event describes. Fails like any insert.
pub async fn record(conn: &impl ConnectionTrait, event: &EventEnvelope) -> Result<(), DbErr> {
    let envelope = serde_json::to_string(event).map_err(|e| DbErr::Custom(format!("encoding event: {e}")))?;
    let sql = "INSERT INTO outbox (event_id, event_type, envelope, created_at_us, attempts) VALUES ($1, $2, $3, $4, 0)";
    let values: Vec<Value> =
        vec![event.id.to_string().into(), event.event_type.clone().into(), envelope.into(), now_micros().into()];
    conn.execute_raw(statement(conn.get_database_backend(), sql, values)).await?;
    Ok(())
}

/// Number of committed events in `db`'s outbox not yet published: the
/// `outbox_backlog` gauge, which grows while the event bus is unreachable.
pub async fn backlog(db: &DatabaseConnection) -> anyhow::Result<i64> {
    let stmt = statement(
        db.get_database_backend(),
        "SELECT COUNT(*) AS backlog FROM outbox WHERE published_at_us IS NULL",
        vec![],
    );
    let row = db.query_one_raw(stmt).await.context("counting outbox backlog")?;
    Ok(row.map(|r| r.try_get::<i64>("", "backlog")).transpose()?.unwrap_or(0))
}

/// How the relay runs.
#[derive(Debug, Clone)]
pub struct RelaySettings {
    /// Pause between rounds when nothing was pending.
    pub poll_interval: Duration,
    /// Rows published per round.
    pub batch_size: u32,
    /// Published rows older than this are deleted.
    pub retention: Duration,
}

/// Publishes committed outbox rows to the event bus.
#[derive(Clone)]
pub struct OutboxRelay {
    db: DatabaseConnection,
    bus: Arc<dyn EventBus>,
    settings: RelaySettings,
}

impl OutboxRelay {
    /// A relay over `db`'s outbox table publishing to `bus`.
    pub fn new(db: DatabaseConnection, bus: Arc<dyn EventBus>, settings: RelaySettings) -> Self {
        Self { db, bus, settings }
    }

    /// Publishes up to one batch of pending events, oldest first, and returns
    /// how many were published. Stops at the first event the bus refuses
    /// (keeping order); fails only when the database does.
    pub async fn publish_pending(&self) -> anyhow::Result<usize> {
        let backend = self.db.get_database_backend();
        let txn = self.db.begin().await.context("starting outbox transaction")?;
        // On PostgreSQL several replicas may relay at once: each takes rows
        // the others have not locked. SQLite has a single writer anyway.
        let lock = if backend == DatabaseBackend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        let select = format!(
            "SELECT seq, envelope FROM outbox WHERE published_at_us IS NULL ORDER BY seq LIMIT {}{lock}",
            self.settings.batch_size
        );
        let rows = query_all(&txn, &select, vec![]).await.context("reading pending outbox rows")?;
        let mut published = 0;
        for row in rows {
            let seq: i64 = row.try_get("", "seq").context("reading outbox seq")?;
            let envelope: String = row.try_get("", "envelope").context("reading outbox envelope")?;
            let outcome = match serde_json::from_str::<EventEnvelope>(&envelope) {
                Ok(event) => self.bus.publish(&event).await.map_err(|e| e.to_string()),
                Err(e) => {
                    // A row that cannot be decoded would block the queue forever.
                    tracing::error!(seq, error = %e, "dropping undecodable outbox row");
                    Ok(())
                }
            };
            match outcome {
                Ok(()) => {
                    let sql = "UPDATE outbox SET published_at_us = $1, attempts = attempts + 1 WHERE seq = $2";
                    txn.execute_raw(statement(backend, sql, vec![now_micros().into(), seq.into()]))
                        .await
                        .context("marking outbox row published")?;
                    published += 1;
                    metrics::counter!("outbox_published_total").increment(1);
                }
                Err(error) => {
                    tracing::warn!(seq, %error, "event bus refused an event; it stays in the outbox");
                    metrics::counter!("outbox_publish_failures_total").increment(1);
                    let sql = "UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE seq = $2";
                    txn.execute_raw(statement(backend, sql, vec![error.into(), seq.into()]))
                        .await
                        .context("recording outbox failure")?;
                    break;
                }
            }
        }
        txn.commit().await.context("committing outbox progress")?;
        Ok(published)
    }

    /// Publishes until nothing is pending or the bus refuses; returns the count.
    pub async fn drain(&self) -> anyhow::Result<usize> {
        let mut total = 0;
        loop {
            let n = self.publish_pending().await?;
            total += n;
            if n < self.settings.batch_size as usize {
                return Ok(total);
            }
        }
    }

    /// Deletes published rows, and consumers' processed-event records,
    /// older than the retention; returns the outbox rows deleted.
    pub async fn prune(&self) -> anyhow::Result<u64> {
        let retention = i64::try_from(self.settings.retention.as_micros()).unwrap_or(i64::MAX);
        let cutoff = now_micros().saturating_sub(retention);
        let sql = "DELETE FROM outbox WHERE published_at_us IS NOT NULL AND published_at_us < $1";
        let done = self
            .db
            .execute_raw(statement(self.db.get_database_backend(), sql, vec![cutoff.into()]))
            .await
            .context("pruning outbox")?;
        crate::inbox::prune(&self.db, cutoff).await.context("pruning processed-event records")?;
        Ok(done.rows_affected())
    }

    /// Runs until `shutdown` resolves, then drains what is pending once more
    /// so a graceful stop leaves nothing committed unpublished.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut rounds: u64 = 0;
        loop {
            let published = match self.drain().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = format!("{e:#}"), "outbox relay round failed");
                    0
                }
            };
            rounds += 1;
            if rounds % 3000 == 1
                && let Err(e) = self.prune().await
            {
                tracing::warn!(error = format!("{e:#}"), "outbox pruning failed");
            }
            if published > 0 {
                continue;
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(self.settings.poll_interval) => {}
            }
        }
        match self.drain().await {
            Ok(n) => tracing::info!(published = n, "outbox relay flushed and stopped"),
            Err(e) => tracing::error!(error = format!("{e:#}"), "outbox relay could not flush on shutdown"),
        }
    }
}
