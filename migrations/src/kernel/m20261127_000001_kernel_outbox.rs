//! `outbox`: events written with the change they describe, published by the
//! relay. `seq` orders them; times are microseconds since the epoch.

use sea_orm_migration::prelude::*;

use gremlin_kernel::schema::{BackendSql, run};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            BackendSql {
                sqlite: &[
                    "CREATE TABLE IF NOT EXISTS outbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id TEXT NOT NULL UNIQUE,
                    event_type TEXT NOT NULL,
                    envelope TEXT NOT NULL,
                    created_at_us BIGINT NOT NULL,
                    published_at_us BIGINT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT NULL)",
                    "CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (seq) WHERE published_at_us IS NULL",
                ],
                postgres: &[
                    "CREATE TABLE IF NOT EXISTS outbox (
                    seq BIGSERIAL PRIMARY KEY,
                    event_id TEXT NOT NULL UNIQUE,
                    event_type TEXT NOT NULL,
                    envelope TEXT NOT NULL,
                    created_at_us BIGINT NOT NULL,
                    published_at_us BIGINT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT NULL)",
                    "CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (seq) WHERE published_at_us IS NULL",
                ],
            },
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop = &["DROP TABLE IF EXISTS outbox"];
        run(manager, BackendSql { sqlite: drop, postgres: drop }).await
    }
}
