//! `crm_pipelines`, `crm_stages` and `crm_deals`. A stage's `version` is
//! the lock counter moves into it bump (`store/deals.rs`); a deal's
//! `position` orders its stage's column on a board.

use sea_orm_migration::prelude::*;

use gremlin_kernel::schema::{BackendSql, run};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const PIPELINES: &str = "CREATE TABLE IF NOT EXISTS crm_pipelines (
    id TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL,
    name TEXT NOT NULL,
    is_default BOOLEAN NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    version BIGINT NOT NULL)";

const STAGES: &str = "CREATE TABLE IF NOT EXISTS crm_stages (
    id TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL,
    pipeline_id TEXT NOT NULL REFERENCES crm_pipelines (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    probability INTEGER NOT NULL,
    kind TEXT NOT NULL,
    version BIGINT NOT NULL)";

const DEALS: &str = "CREATE TABLE IF NOT EXISTS crm_deals (
    id TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    deleted_at_us BIGINT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    amount_e4 BIGINT NULL,
    currency TEXT NULL,
    expected_close_on TEXT NULL,
    pipeline_id TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    probability INTEGER NOT NULL,
    status TEXT NOT NULL,
    lost_reason TEXT NULL,
    closed_on TEXT NULL,
    company_id TEXT NULL,
    contact_id TEXT NULL,
    owner_id TEXT NULL,
    tags TEXT NOT NULL,
    position BIGINT NOT NULL,
    name_key TEXT NOT NULL,
    search_text TEXT NOT NULL)";

const ALL: &[&str] = &[
    PIPELINES,
    STAGES,
    DEALS,
    "CREATE INDEX IF NOT EXISTS crm_pipelines_by_organization ON crm_pipelines (organization_id, created_at_us)",
    "CREATE INDEX IF NOT EXISTS crm_stages_by_pipeline ON crm_stages (organization_id, pipeline_id, position)",
    "CREATE INDEX IF NOT EXISTS crm_deals_by_created ON crm_deals (organization_id, created_at_us, id)",
    "CREATE INDEX IF NOT EXISTS crm_deals_by_stage ON crm_deals (organization_id, stage_id, position, id)",
    "CREATE INDEX IF NOT EXISTS crm_deals_by_pipeline ON crm_deals (organization_id, pipeline_id, status, expected_close_on)",
    "CREATE INDEX IF NOT EXISTS crm_deals_by_company ON crm_deals (organization_id, company_id)",
    "CREATE INDEX IF NOT EXISTS crm_deals_by_contact ON crm_deals (organization_id, contact_id)",
];

/// PostgreSQL also indexes deals' free-text column by trigrams.
const POSTGRES: &[&str] = &[
    ALL[0],
    ALL[1],
    ALL[2],
    ALL[3],
    ALL[4],
    ALL[5],
    ALL[6],
    ALL[7],
    ALL[8],
    ALL[9],
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS crm_deals_search ON crm_deals USING gin (search_text gin_trgm_ops)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, BackendSql { sqlite: ALL, postgres: POSTGRES }).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop = &[
            "DROP TABLE IF EXISTS crm_deals",
            "DROP TABLE IF EXISTS crm_stages",
            "DROP TABLE IF EXISTS crm_pipelines",
        ];
        run(manager, BackendSql { sqlite: drop, postgres: drop }).await
    }
}
