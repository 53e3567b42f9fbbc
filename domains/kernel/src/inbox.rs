//! Processed-event records, the consumer side of exactly-once in effect:
//! the bus delivers at least once, so a handler records the event id in the
//! same transaction as its change, and a redelivery finds it recorded and
//! changes nothing.

use sea_orm::{ConnectionTrait, DbErr};

use crate::ids::EventId;
use crate::sql::{now_micros, statement};

/// One event as handled by one consumer (its durable subscription name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandledEvent {
    /// The durable subscription that handled it.
    pub consumer: String,
    /// The event's id.
    pub event_id: EventId,
}

impl HandledEvent {
    /// `event_id` as handled by `consumer`.
    pub fn new(consumer: impl Into<String>, event_id: EventId) -> Self {
        Self { consumer: consumer.into(), event_id }
    }
}

/// Records `handled` on `conn` (the handler's transaction). Returns `false`
/// when it was recorded before: the caller must then roll back and report
/// success without effect.
pub async fn claim(conn: &impl ConnectionTrait, handled: &HandledEvent) -> Result<bool, DbErr> {
    let sql = "INSERT INTO processed_events (consumer, event_id, processed_at_us) VALUES ($1, $2, $3) \
               ON CONFLICT (consumer, event_id) DO NOTHING";
    let values = vec![handled.consumer.clone().into(), handled.event_id.to_string().into(), now_micros().into()];
    let done = conn.execute_raw(statement(conn.get_database_backend(), sql, values)).await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes records older than `cutoff_us` (µs since the epoch): by then the
/// bus no longer redelivers those events.
pub async fn prune(conn: &impl ConnectionTrait, cutoff_us: i64) -> Result<u64, DbErr> {
    let sql = "DELETE FROM processed_events WHERE processed_at_us < $1";
    let done = conn.execute_raw(statement(conn.get_database_backend(), sql, vec![cutoff_us.into()])).await?;
    Ok(done.rows_affected())
}
