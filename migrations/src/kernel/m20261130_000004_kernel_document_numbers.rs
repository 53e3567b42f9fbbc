//! `document_numbers`: one gapless counter per organization and number
//! series (`orders`, `invoices`, …), incremented inside the transaction that
//! creates the document (`gremlin_kernel::numbering`).

use sea_orm_migration::prelude::*;

use gremlin_kernel::schema::{BackendSql, run};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const UP: &[&str] = &["CREATE TABLE IF NOT EXISTS document_numbers (
        organization_id TEXT NOT NULL,
        series VARCHAR(64) NOT NULL,
        prefix TEXT NOT NULL,
        next_value BIGINT NOT NULL,
        PRIMARY KEY (organization_id, series))"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, BackendSql { sqlite: UP, postgres: UP }).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop = &["DROP TABLE IF EXISTS document_numbers"];
        run(manager, BackendSql { sqlite: drop, postgres: drop }).await
    }
}
