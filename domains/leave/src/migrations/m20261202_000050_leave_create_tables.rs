//! Leave types, profiles, allocations, requests and the ledger.
//!
//! * `leave_profiles`: one per member who has used leave, keyed by
//!   organization and user. Every change to a member's requests or ledger
//!   first locks their profile row, so two requests of one employee never
//!   pass the balance check on the same days.
//! * `leave_ledger`: append-only. `job_key` makes a job's entry (a month's
//!   accrual, a period's roll-over, an event's effect) unique per
//!   organization, so re-running a job writes nothing twice.

use sea_orm_migration::prelude::*;

use gremlin_kernel::schema::{BackendSql, run};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const TYPES: &str = "CREATE TABLE IF NOT EXISTS leave_types (
    id TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    policy TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (organization_id, name_key))";

const PROFILES: &str = "CREATE TABLE IF NOT EXISTS leave_profiles (
    organization_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    approver_id TEXT NULL,
    working_week TEXT NOT NULL,
    started_on TEXT NULL,
    closed_at_us BIGINT NULL,
    updated_by TEXT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (organization_id, user_id))";

const ALLOCATIONS: &str = "CREATE TABLE IF NOT EXISTS leave_allocations (
    id TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    leave_type_id TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    days_e2 BIGINT NOT NULL,
    note TEXT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL)";

const REQUESTS: &str = "CREATE TABLE IF NOT EXISTS leave_requests (
    id TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    leave_type_id TEXT NOT NULL,
    from_on TEXT NOT NULL,
    to_on TEXT NOT NULL,
    starts TEXT NOT NULL,
    ends TEXT NOT NULL,
    days_e2 BIGINT NOT NULL,
    reason TEXT NULL,
    status TEXT NOT NULL,
    decided_by TEXT NULL,
    decided_at_us BIGINT NULL,
    decision_note TEXT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    version BIGINT NOT NULL)";

const LEDGER: &str = "CREATE TABLE IF NOT EXISTS leave_ledger (
    id TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    leave_type_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    days_e2 BIGINT NOT NULL,
    on_date TEXT NOT NULL,
    expires_on TEXT NULL,
    closes TEXT NULL,
    request_id TEXT NULL,
    allocation_id TEXT NULL,
    job_key TEXT NULL,
    note TEXT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    UNIQUE (organization_id, job_key))";

const INDEXES: [&str; 5] = [
    "CREATE INDEX IF NOT EXISTS leave_allocations_by_user ON leave_allocations \
     (organization_id, user_id, leave_type_id, period_from)",
    "CREATE INDEX IF NOT EXISTS leave_requests_by_user ON leave_requests (organization_id, user_id, from_on)",
    "CREATE INDEX IF NOT EXISTS leave_requests_by_created ON leave_requests (organization_id, created_at_us, id)",
    "CREATE INDEX IF NOT EXISTS leave_requests_by_dates ON leave_requests (organization_id, status, from_on)",
    "CREATE INDEX IF NOT EXISTS leave_ledger_by_user ON leave_ledger (organization_id, user_id, leave_type_id, on_date)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        const ALL: &[&str] = &[
            TYPES,
            PROFILES,
            ALLOCATIONS,
            REQUESTS,
            LEDGER,
            INDEXES[0],
            INDEXES[1],
            INDEXES[2],
            INDEXES[3],
            INDEXES[4],
        ];
        run(manager, BackendSql::portable(ALL)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        const DROP: &[&str] = &[
            "DROP TABLE IF EXISTS leave_ledger",
            "DROP TABLE IF EXISTS leave_requests",
            "DROP TABLE IF EXISTS leave_allocations",
            "DROP TABLE IF EXISTS leave_profiles",
            "DROP TABLE IF EXISTS leave_types",
        ];
        run(manager, BackendSql::portable(DROP)).await
    }
}
