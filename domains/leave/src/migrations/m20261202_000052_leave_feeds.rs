//! Calendar feeds: a member's (their own leave) or the organization's (who
//! is away), each behind a token that calendar apps put in the URL. Only
//! the token's SHA-256 is stored; revoking a feed stamps `revoked_at_us`.

use sea_orm_migration::prelude::*;

use gremlin_kernel::schema::{BackendSql, run};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const FEEDS: &str = "CREATE TABLE IF NOT EXISTS leave_feeds (
    id TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at_us BIGINT NOT NULL,
    revoked_at_us BIGINT NULL)";

const BY_OWNER: &str =
    "CREATE INDEX IF NOT EXISTS leave_feeds_by_owner ON leave_feeds (organization_id, owner_id, created_at_us)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, BackendSql::portable(&[FEEDS, BY_OWNER])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, BackendSql::portable(&["DROP TABLE IF EXISTS leave_feeds"])).await
    }
}
