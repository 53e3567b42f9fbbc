//! Order numbering moves to the kernel's `document_numbers` (series
//! `orders`): each organization's counter and prefix are copied over, then
//! `order_number_sequences` is dropped. Numbers continue where they were.
//! (`WHERE true` settles SQLite's parse of `INSERT … SELECT … ON CONFLICT`.)

use sea_orm_migration::prelude::*;

use gremlin_kernel::schema::{BackendSql, run};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const UP: &[&str] = &[
    "INSERT INTO document_numbers (organization_id, series, prefix, next_value)
        SELECT organization_id, 'orders', prefix, next_value FROM order_number_sequences WHERE true
        ON CONFLICT (organization_id, series) DO UPDATE
        SET prefix = excluded.prefix, next_value = excluded.next_value",
    "DROP TABLE order_number_sequences",
];

const DOWN: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS order_number_sequences (
        organization_id TEXT NOT NULL PRIMARY KEY,
        prefix TEXT NOT NULL,
        next_value BIGINT NOT NULL)",
    "INSERT INTO order_number_sequences (organization_id, prefix, next_value)
        SELECT organization_id, prefix, next_value FROM document_numbers WHERE series = 'orders'",
    "DELETE FROM document_numbers WHERE series = 'orders'",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, BackendSql { sqlite: UP, postgres: UP }).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, BackendSql { sqlite: DOWN, postgres: DOWN }).await
    }
}
