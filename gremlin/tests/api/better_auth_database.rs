//! Gremlin starts on a PostgreSQL database that Better Auth 1.7 migrated
//! (its exact DDL), and completes one migrated with fewer plugins, keeping
//! the rows already there.

use gremlin::AppBuilder;
use sea_orm::{ConnectionTrait, Database};
use serde_json::json;

use crate::support::{Backend, TestDb};

/// `schema.sql` as Better Auth 1.7.25 emits it (organization, admin, jwt, bearer).
const BETTER_AUTH_DDL: &[&str] = &[
    r#"create table "user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" boolean not null, "image" text, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz default CURRENT_TIMESTAMP not null, "role" text, "banned" boolean, "banReason" text, "banExpires" timestamptz)"#,
    r#"create table "session" ("id" text not null primary key, "expiresAt" timestamptz not null, "token" text not null unique, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz not null, "ipAddress" text, "userAgent" text, "userId" text not null references "user" ("id") on delete cascade, "activeOrganizationId" text, "impersonatedBy" text)"#,
    r#"create table "account" ("id" text not null primary key, "accountId" text not null, "providerId" text not null, "userId" text not null references "user" ("id") on delete cascade, "accessToken" text, "refreshToken" text, "idToken" text, "accessTokenExpiresAt" timestamptz, "refreshTokenExpiresAt" timestamptz, "scope" text, "password" text, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz not null)"#,
    r#"create table "verification" ("id" text not null primary key, "identifier" text not null, "value" text not null, "expiresAt" timestamptz not null, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz default CURRENT_TIMESTAMP not null)"#,
    r#"create table "organization" ("id" text not null primary key, "name" text not null, "slug" text not null unique, "logo" text, "createdAt" timestamptz not null, "metadata" text)"#,
    r#"create table "member" ("id" text not null primary key, "organizationId" text not null references "organization" ("id") on delete cascade, "userId" text not null references "user" ("id") on delete cascade, "role" text not null, "createdAt" timestamptz not null)"#,
    r#"create table "invitation" ("id" text not null primary key, "organizationId" text not null references "organization" ("id") on delete cascade, "email" text not null, "role" text, "status" text not null, "expiresAt" timestamptz not null, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "inviterId" text not null references "user" ("id") on delete cascade)"#,
    r#"create table "jwks" ("id" text not null primary key, "publicKey" text not null, "privateKey" text not null, "createdAt" timestamptz not null, "expiresAt" timestamptz, "alg" text, "crv" text)"#,
    r#"create index "session_userId_idx" on "session" ("userId")"#,
    r#"create index "account_userId_idx" on "account" ("userId")"#,
];

/// A user Better Auth created: scrypt hash of `correct-horse-battery-1`.
const EXISTING_USER: &[&str] = &[
    r#"insert into "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt") values ('baUser000000000000000000000000001', 'Old', 'old@example.com', false, now(), now())"#,
    r#"insert into "account" ("id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt") values ('baAcct000000000000000000000000001', 'baUser000000000000000000000000001', 'credential', 'baUser000000000000000000000000001', '0123456789abcdef0123456789abcdef:1aa18957c48fe38a427b8b64bf42cd170b5f91d9312cf2b096d335a03b90f5fb5ff5c57e452d0a004673e16be171652a6e0507869da1a5935513c259a1ccd18f', now(), now())"#,
];

async fn prepare(db: &TestDb, statements: &[&str]) {
    let conn = Database::connect(&db.url).await.unwrap();
    for sql in statements {
        conn.execute_unprepared(sql).await.unwrap();
    }
    conn.close().await.unwrap();
}

/// `(table, column, type, nullable)` of Better Auth's tables in `db`, sorted.
async fn better_auth_columns(db: &TestDb) -> Vec<(String, String, String, String)> {
    let conn = Database::connect(&db.url).await.unwrap();
    let rows = conn
        .query_all_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name IN \
             ('user', 'session', 'account', 'verification', 'organization', 'member', 'invitation', 'jwks') \
             ORDER BY 1, 2",
        ))
        .await
        .unwrap();
    conn.close().await.unwrap();
    rows.iter()
        .map(|r| {
            let text = |i| r.try_get_by_index::<String>(i).unwrap();
            (text(0), text(1), text(2), text(3))
        })
        .collect()
}

async fn sign_in_existing_and_sign_up_new(db: &TestDb) {
    let app = AppBuilder::new(db.settings()).build().await.expect("starts on the Better Auth database");
    let client = poem::test::TestClient::new(&app.endpoint);
    let resp = client
        .post("/api/auth/sign-in/email")
        .body_json(&json!({"email": "old@example.com", "password": "correct-horse-battery-1"}))
        .send()
        .await;
    resp.assert_status_is_ok();
    let body: serde_json::Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(body["user"]["id"], "baUser000000000000000000000000001");
    let resp = client
        .post("/api/auth/sign-up/email")
        .body_json(&json!({"name": "New", "email": "new@example.com", "password": "correct-horse-battery-1"}))
        .send()
        .await;
    resp.assert_status_is_ok();
}

#[tokio::test]
async fn starts_on_a_database_better_auth_migrated() {
    let db = TestDb::new(Backend::Postgres).await;
    prepare(&db, BETTER_AUTH_DDL).await;
    prepare(&db, EXISTING_USER).await;
    sign_in_existing_and_sign_up_new(&db).await;
}

#[tokio::test]
async fn completes_a_database_migrated_without_the_admin_and_organization_plugins() {
    let db = TestDb::new(Backend::Postgres).await;
    let core_only: Vec<&str> = BETTER_AUTH_DDL[..4]
        .iter()
        .map(|sql| {
            // Strip the plugin columns from `user` and `session`.
            match *sql {
                s if s.starts_with(r#"create table "user""#) => r#"create table "user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" boolean not null, "image" text, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz default CURRENT_TIMESTAMP not null)"#,
                s if s.starts_with(r#"create table "session""#) => r#"create table "session" ("id" text not null primary key, "expiresAt" timestamptz not null, "token" text not null unique, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz not null, "ipAddress" text, "userAgent" text, "userId" text not null references "user" ("id") on delete cascade)"#,
                s => s,
            }
        })
        .collect();
    prepare(&db, &core_only).await;
    prepare(&db, EXISTING_USER).await;
    let before = better_auth_columns(&db).await;
    assert!(!before.iter().any(|c| c.0 == "organization" || c.1 == "role"), "the plugins' schema starts absent");
    sign_in_existing_and_sign_up_new(&db).await;

    // Completed means: every table and column the full plugin set declares,
    // with Better Auth's types and nullability, so a Better Auth server with
    // those plugins can run on this database afterwards.
    let reference = TestDb::new(Backend::Postgres).await;
    prepare(&reference, BETTER_AUTH_DDL).await;
    let expected = better_auth_columns(&reference).await;
    let completed = better_auth_columns(&db).await;
    let missing: Vec<_> = expected.iter().filter(|c| !completed.contains(c)).collect();
    assert!(missing.is_empty(), "columns Better Auth's plugins need, absent or different: {missing:#?}");
    for (table, column) in [
        ("user", "banExpires"),
        ("user", "twoFactorEnabled"),
        ("session", "activeOrganizationId"),
        ("session", "impersonatedBy"),
        ("jwks", "alg"),
    ] {
        assert!(completed.iter().any(|c| c.0 == table && c.1 == column), "{table}.{column}");
    }
}
