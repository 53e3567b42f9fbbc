//! Holiday calendars: per organization, one of them the default, each with
//! its dated holidays (a whole day, or a morning or afternoon); a member's
//! profile may name another calendar than the default.

use sea_orm_migration::prelude::*;

use gremlin_kernel::schema::{BackendSql, run};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const CALENDARS: &str = "CREATE TABLE IF NOT EXISTS leave_calendars (
    id TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    is_default BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (organization_id, name_key))";

const HOLIDAYS: &str = "CREATE TABLE IF NOT EXISTS leave_holidays (
    calendar_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    on_date TEXT NOT NULL,
    name TEXT NOT NULL,
    half TEXT NULL,
    PRIMARY KEY (calendar_id, on_date))";

const ONE_DEFAULT: &str = "CREATE UNIQUE INDEX IF NOT EXISTS leave_calendars_one_default \
    ON leave_calendars (organization_id) WHERE is_default = 1";

const PROFILE_CALENDAR: &str = "ALTER TABLE leave_profiles ADD COLUMN calendar_id TEXT NULL";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        const ALL: &[&str] = &[CALENDARS, HOLIDAYS, ONE_DEFAULT, PROFILE_CALENDAR];
        run(manager, BackendSql::portable(ALL)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        const DROP: &[&str] = &[
            "ALTER TABLE leave_profiles DROP COLUMN calendar_id",
            "DROP TABLE IF EXISTS leave_holidays",
            "DROP TABLE IF EXISTS leave_calendars",
        ];
        run(manager, BackendSql::portable(DROP)).await
    }
}
