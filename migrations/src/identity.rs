//! Identity's tables, exactly as Better Auth 1.7 (organization, admin, jwt
//! and bearer plugins) creates them, so Gremlin and Better Auth can share a
//! database. On a database Better Auth already migrated, existing tables are
//! kept and only missing columns and indexes are added.

use sea_orm_migration::prelude::*;

mod m20261127_000010_identity_better_auth_tables;

/// Identity's migrations, in order.
pub(crate) fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(m20261127_000010_identity_better_auth_tables::Migration)]
}
