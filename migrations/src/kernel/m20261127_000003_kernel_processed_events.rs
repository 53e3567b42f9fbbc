//! `processed_events`: the ids of events each consumer has handled, written
//! in the same transaction as the handler's change, so a redelivered event
//! has no second effect. Rows are pruned with the outbox's retention.

use sea_orm_migration::prelude::*;

use gremlin_kernel::schema::{BackendSql, run};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const UP: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS processed_events (
        consumer VARCHAR(200) NOT NULL,
        event_id VARCHAR(64) NOT NULL,
        processed_at_us BIGINT NOT NULL,
        PRIMARY KEY (consumer, event_id))",
    "CREATE INDEX IF NOT EXISTS processed_events_age ON processed_events (processed_at_us)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, BackendSql { sqlite: UP, postgres: UP }).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop = &["DROP TABLE IF EXISTS processed_events"];
        run(manager, BackendSql { sqlite: drop, postgres: drop }).await
    }
}
