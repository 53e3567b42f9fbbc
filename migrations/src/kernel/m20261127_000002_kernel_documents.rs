//! `documents` and `document_logs`: the embedded `DocumentStore`. Bodies are
//! JSON text (jsonb on PostgreSQL); log times are microseconds since the
//! epoch, and `expires_at_us` implements retention.

use sea_orm_migration::prelude::*;

use gremlin_kernel::schema::{BackendSql, run};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, BackendSql {
            sqlite: &[
                "CREATE TABLE IF NOT EXISTS documents (
                    collection TEXT NOT NULL,
                    id TEXT NOT NULL,
                    body TEXT NOT NULL,
                    updated_at_us BIGINT NOT NULL,
                    PRIMARY KEY (collection, id))",
                "CREATE TABLE IF NOT EXISTS document_logs (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    collection TEXT NOT NULL,
                    body TEXT NOT NULL,
                    time_us BIGINT NOT NULL,
                    expires_at_us BIGINT NOT NULL)",
                "CREATE INDEX IF NOT EXISTS document_logs_by_time ON document_logs (collection, time_us DESC, seq DESC)",
                "CREATE INDEX IF NOT EXISTS document_logs_expiry ON document_logs (expires_at_us)",
            ],
            postgres: &[
                "CREATE TABLE IF NOT EXISTS documents (
                    collection TEXT NOT NULL,
                    id TEXT NOT NULL,
                    body JSONB NOT NULL,
                    updated_at_us BIGINT NOT NULL,
                    PRIMARY KEY (collection, id))",
                "CREATE INDEX IF NOT EXISTS documents_body ON documents USING GIN (body jsonb_path_ops)",
                "CREATE TABLE IF NOT EXISTS document_logs (
                    seq BIGSERIAL PRIMARY KEY,
                    collection TEXT NOT NULL,
                    body JSONB NOT NULL,
                    time_us BIGINT NOT NULL,
                    expires_at_us BIGINT NOT NULL)",
                "CREATE INDEX IF NOT EXISTS document_logs_by_time ON document_logs (collection, time_us DESC, seq DESC)",
                "CREATE INDEX IF NOT EXISTS document_logs_expiry ON document_logs (expires_at_us)",
                "CREATE INDEX IF NOT EXISTS document_logs_body ON document_logs USING GIN (body jsonb_path_ops)",
            ],
        })
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop = &["DROP TABLE IF EXISTS document_logs", "DROP TABLE IF EXISTS documents"];
        run(manager, BackendSql { sqlite: drop, postgres: drop }).await
    }
}
