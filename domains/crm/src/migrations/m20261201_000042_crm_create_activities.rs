//! `crm_activities`: notes and tasks about a company, person or deal, read
//! with the record's timeline and in task lists (by assignee, open first,
//! by due date).

use sea_orm_migration::prelude::*;

use gremlin_kernel::schema::{BackendSql, run};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const ACTIVITIES: &str = "CREATE TABLE IF NOT EXISTS crm_activities (
    id TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    deleted_at_us BIGINT NULL,
    version BIGINT NOT NULL,
    kind TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    title TEXT NULL,
    body TEXT NULL,
    due_on TEXT NULL,
    assignee_id TEXT NULL,
    done_at_us BIGINT NULL)";

const ALL: &[&str] = &[
    ACTIVITIES,
    "CREATE INDEX IF NOT EXISTS crm_activities_by_record \
     ON crm_activities (organization_id, record_kind, record_id, created_at_us, id)",
    "CREATE INDEX IF NOT EXISTS crm_activities_by_created ON crm_activities (organization_id, created_at_us, id)",
    "CREATE INDEX IF NOT EXISTS crm_activities_by_assignee ON crm_activities (organization_id, assignee_id, due_on)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, BackendSql { sqlite: ALL, postgres: ALL }).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop = &["DROP TABLE IF EXISTS crm_activities"];
        run(manager, BackendSql { sqlite: drop, postgres: drop }).await
    }
}
