//! `apikey`: keys integrations use instead of a session, as Better Auth's
//! api-key plugin creates the table, plus `organizationId` (the
//! organization a key acts in), which Better Auth ignores.

use sea_orm_migration::prelude::*;

use super::{Table, tables_migration};

const TABLES: &[Table] = &[Table {
    name: "apikey",
    create: r#"create table if not exists "apikey" ("id" text not null primary key, "name" text, "start" text, "prefix" text, "key" text not null, "userId" text not null references "user" ("id") on delete cascade, "refillInterval" integer, "refillAmount" integer, "lastRefillAt" {ts}, "enabled" {bool}, "rateLimitEnabled" {bool}, "rateLimitTimeWindow" integer, "rateLimitMax" integer, "requestCount" integer, "remaining" integer, "lastRequest" {ts}, "expiresAt" {ts}, "createdAt" {ts} not null, "updatedAt" {ts} not null, "permissions" text, "metadata" text, "organizationId" text references "organization" ("id") on delete cascade)"#,
    optional_columns: &[("organizationId", r#"text references "organization" ("id") on delete cascade"#)],
}];

const INDEXES: &[&str] = &[
    r#"create index if not exists "apikey_key_idx" on "apikey" ("key")"#,
    r#"create index if not exists "apikey_userId_idx" on "apikey" ("userId")"#,
    r#"create index if not exists "apikey_organizationId_idx" on "apikey" ("organizationId")"#,
];

tables_migration!();
