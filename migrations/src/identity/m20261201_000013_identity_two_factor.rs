//! Better Auth's `two-factor` plugin: the `twoFactor` table (a user's TOTP
//! secret and backup codes, both encrypted) and `user.twoFactorEnabled`.

use sea_orm_migration::prelude::*;

use super::{Table, add_missing_columns, create_tables, drop_tables};

const TABLES: &[Table] = &[Table {
    name: "twoFactor",
    create: r#"create table if not exists "twoFactor" ("id" text not null primary key, "secret" text not null, "backupCodes" text not null, "userId" text not null references "user" ("id") on delete cascade)"#,
    optional_columns: &[],
}];

const INDEXES: &[&str] = &[
    r#"create index if not exists "twoFactor_secret_idx" on "twoFactor" ("secret")"#,
    r#"create index if not exists "twoFactor_userId_idx" on "twoFactor" ("userId")"#,
];

/// The column the plugin adds to `user`.
const USER_COLUMNS: &[(&str, &str)] = &[("twoFactorEnabled", "{bool} default false")];

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_missing_columns(manager, "user", USER_COLUMNS).await?;
        create_tables(manager, TABLES, INDEXES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, TABLES).await?;
        manager.get_connection().execute_unprepared(r#"alter table "user" drop column "twoFactorEnabled""#).await?;
        Ok(())
    }
}
