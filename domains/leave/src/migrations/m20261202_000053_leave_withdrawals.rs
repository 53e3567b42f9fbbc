//! Allocations can be withdrawn: `withdrawn_at_us` and `withdrawn_by` mark
//! one (its row stays, as does its ledger; a withdrawal entry takes back
//! what it granted). A withdrawn allocation no longer counts for periods,
//! overlaps or accrual.

use sea_orm_migration::prelude::*;

use gremlin_kernel::schema::{BackendSql, run};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const UP: &[&str] = &[
    "ALTER TABLE leave_allocations ADD COLUMN withdrawn_at_us BIGINT NULL",
    "ALTER TABLE leave_allocations ADD COLUMN withdrawn_by TEXT NULL",
];

const DOWN: &[&str] = &[
    "ALTER TABLE leave_allocations DROP COLUMN withdrawn_by",
    "ALTER TABLE leave_allocations DROP COLUMN withdrawn_at_us",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, BackendSql::portable(UP)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, BackendSql::portable(DOWN)).await
    }
}
