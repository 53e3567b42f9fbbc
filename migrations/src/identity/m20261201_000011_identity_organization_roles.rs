//! `organizationRole`: an organization's own roles and their permissions
//! (Better Auth's dynamic access control), as Better Auth creates it.

use sea_orm_migration::prelude::*;

use super::{Table, tables_migration};

const TABLES: &[Table] = &[Table {
    name: "organizationRole",
    create: r#"create table if not exists "organizationRole" ("id" text not null primary key, "organizationId" text not null references "organization" ("id") on delete cascade, "role" text not null, "permission" text not null, "createdAt" {ts} not null, "updatedAt" {ts})"#,
    optional_columns: &[],
}];

const INDEXES: &[&str] = &[
    r#"create index if not exists "organizationRole_organizationId_idx" on "organizationRole" ("organizationId")"#,
    r#"create index if not exists "organizationRole_role_idx" on "organizationRole" ("role")"#,
];

tables_migration!();
