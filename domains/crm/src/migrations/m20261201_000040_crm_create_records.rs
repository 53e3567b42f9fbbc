//! `crm_companies`, `crm_people` and `crm_timeline`. Every row carries
//! `organization_id`; lookups are by `(organization_id, id)`. The keys
//! duplicates are matched by (`name_key`, `domain`, `primary_email`) are
//! indexed for live records' checks; `search_text` (names, e-mails,
//! domain, lower case) serves the free-text query, by trigram index on
//! PostgreSQL (extension `pg_trgm`, trusted since PostgreSQL 13).

use sea_orm_migration::prelude::*;

use gremlin_kernel::schema::{BackendSql, run};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const COMPANIES: &str = "CREATE TABLE IF NOT EXISTS crm_companies (
    id TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    deleted_at_us BIGINT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    domain TEXT NULL,
    employees BIGINT NULL,
    annual_revenue_e4 BIGINT NULL,
    annual_revenue_currency TEXT NULL,
    address TEXT NOT NULL,
    city TEXT NULL,
    country TEXT NULL,
    links TEXT NOT NULL,
    owner_id TEXT NULL,
    tags TEXT NOT NULL,
    search_text TEXT NOT NULL)";

const PEOPLE: &str = "CREATE TABLE IF NOT EXISTS crm_people (
    id TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    deleted_at_us BIGINT NULL,
    version BIGINT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    primary_email TEXT NULL,
    emails TEXT NOT NULL,
    phones TEXT NOT NULL,
    job_title TEXT NULL,
    company_id TEXT NULL,
    owner_id TEXT NULL,
    tags TEXT NOT NULL,
    search_text TEXT NOT NULL)";

const TIMELINE: &str = "CREATE TABLE IF NOT EXISTS crm_timeline (
    id TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    occurred_at_us BIGINT NOT NULL,
    actor TEXT NOT NULL,
    data TEXT NOT NULL)";

const INDEXES: [&str; 9] = [
    "CREATE INDEX IF NOT EXISTS crm_companies_by_created ON crm_companies (organization_id, created_at_us, id)",
    "CREATE INDEX IF NOT EXISTS crm_companies_by_name_key ON crm_companies (organization_id, name_key)",
    "CREATE INDEX IF NOT EXISTS crm_companies_by_domain ON crm_companies (organization_id, domain)",
    "CREATE INDEX IF NOT EXISTS crm_people_by_created ON crm_people (organization_id, created_at_us, id)",
    "CREATE INDEX IF NOT EXISTS crm_people_by_name_key ON crm_people (organization_id, name_key)",
    "CREATE INDEX IF NOT EXISTS crm_people_by_primary_email ON crm_people (organization_id, primary_email)",
    "CREATE INDEX IF NOT EXISTS crm_people_by_company ON crm_people (organization_id, company_id)",
    "CREATE INDEX IF NOT EXISTS crm_timeline_by_record \
     ON crm_timeline (organization_id, record_kind, record_id, occurred_at_us, id)",
    "CREATE INDEX IF NOT EXISTS crm_companies_by_owner ON crm_companies (organization_id, owner_id)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        const ALL: &[&str] = &[
            COMPANIES, PEOPLE, TIMELINE, INDEXES[0], INDEXES[1], INDEXES[2], INDEXES[3], INDEXES[4], INDEXES[5],
            INDEXES[6], INDEXES[7], INDEXES[8],
        ];
        // PostgreSQL also indexes the free-text column by trigrams, so a
        // `LIKE '%word%'` search does not scan the table.
        const POSTGRES: &[&str] = &[
            COMPANIES,
            PEOPLE,
            TIMELINE,
            INDEXES[0],
            INDEXES[1],
            INDEXES[2],
            INDEXES[3],
            INDEXES[4],
            INDEXES[5],
            INDEXES[6],
            INDEXES[7],
            INDEXES[8],
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "CREATE INDEX IF NOT EXISTS crm_companies_search ON crm_companies USING gin (search_text gin_trgm_ops)",
            "CREATE INDEX IF NOT EXISTS crm_people_search ON crm_people USING gin (search_text gin_trgm_ops)",
        ];
        run(manager, BackendSql { sqlite: ALL, postgres: POSTGRES }).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop = &[
            "DROP TABLE IF EXISTS crm_timeline",
            "DROP TABLE IF EXISTS crm_people",
            "DROP TABLE IF EXISTS crm_companies",
        ];
        run(manager, BackendSql { sqlite: drop, postgres: drop }).await
    }
}
