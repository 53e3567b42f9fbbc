//! `user`, `session`, `account`, `verification`, `organization`, `member`,
//! `invitation`, `jwks` with Better Auth's quoted camelCase columns and
//! index names. Each table is created if absent; each column a plugin adds
//! is added if absent, so a database migrated by Better Auth with fewer
//! plugins is completed rather than recreated.

use sea_orm_migration::prelude::*;

use super::{Table, tables_migration};

const TABLES: &[Table] = &[
    Table {
        name: "user",
        create: r#"create table if not exists "user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" {bool} not null, "image" text, "createdAt" {ts} default CURRENT_TIMESTAMP not null, "updatedAt" {ts} default CURRENT_TIMESTAMP not null, "role" text, "banned" {bool}, "banReason" text, "banExpires" {ts})"#,
        optional_columns: &[("role", "text"), ("banned", "{bool}"), ("banReason", "text"), ("banExpires", "{ts}")],
    },
    Table {
        name: "session",
        create: r#"create table if not exists "session" ("id" text not null primary key, "expiresAt" {ts} not null, "token" text not null unique, "createdAt" {ts} default CURRENT_TIMESTAMP not null, "updatedAt" {ts} not null, "ipAddress" text, "userAgent" text, "userId" text not null references "user" ("id") on delete cascade, "activeOrganizationId" text, "impersonatedBy" text)"#,
        optional_columns: &[("activeOrganizationId", "text"), ("impersonatedBy", "text")],
    },
    Table {
        name: "account",
        create: r#"create table if not exists "account" ("id" text not null primary key, "accountId" text not null, "providerId" text not null, "userId" text not null references "user" ("id") on delete cascade, "accessToken" text, "refreshToken" text, "idToken" text, "accessTokenExpiresAt" {ts}, "refreshTokenExpiresAt" {ts}, "scope" text, "password" text, "createdAt" {ts} default CURRENT_TIMESTAMP not null, "updatedAt" {ts} not null)"#,
        optional_columns: &[],
    },
    Table {
        name: "verification",
        create: r#"create table if not exists "verification" ("id" text not null primary key, "identifier" text not null, "value" text not null, "expiresAt" {ts} not null, "createdAt" {ts} default CURRENT_TIMESTAMP not null, "updatedAt" {ts} default CURRENT_TIMESTAMP not null)"#,
        optional_columns: &[],
    },
    Table {
        name: "organization",
        create: r#"create table if not exists "organization" ("id" text not null primary key, "name" text not null, "slug" text not null unique, "logo" text, "createdAt" {ts} not null, "metadata" text)"#,
        optional_columns: &[],
    },
    Table {
        name: "member",
        create: r#"create table if not exists "member" ("id" text not null primary key, "organizationId" text not null references "organization" ("id") on delete cascade, "userId" text not null references "user" ("id") on delete cascade, "role" text not null, "createdAt" {ts} not null)"#,
        optional_columns: &[],
    },
    Table {
        name: "invitation",
        create: r#"create table if not exists "invitation" ("id" text not null primary key, "organizationId" text not null references "organization" ("id") on delete cascade, "email" text not null, "role" text, "status" text not null, "expiresAt" {ts} not null, "createdAt" {ts} default CURRENT_TIMESTAMP not null, "inviterId" text not null references "user" ("id") on delete cascade)"#,
        optional_columns: &[],
    },
    Table {
        name: "jwks",
        create: r#"create table if not exists "jwks" ("id" text not null primary key, "publicKey" text not null, "privateKey" text not null, "createdAt" {ts} not null, "expiresAt" {ts}, "alg" text, "crv" text)"#,
        optional_columns: &[("alg", "text"), ("crv", "text")],
    },
];

const INDEXES: &[&str] = &[
    r#"create index if not exists "session_userId_idx" on "session" ("userId")"#,
    r#"create index if not exists "account_userId_idx" on "account" ("userId")"#,
    r#"create index if not exists "verification_identifier_idx" on "verification" ("identifier")"#,
    r#"create index if not exists "member_organizationId_idx" on "member" ("organizationId")"#,
    r#"create index if not exists "member_userId_idx" on "member" ("userId")"#,
    r#"create index if not exists "invitation_organizationId_idx" on "invitation" ("organizationId")"#,
    r#"create index if not exists "invitation_email_idx" on "invitation" ("email")"#,
];

tables_migration!();
