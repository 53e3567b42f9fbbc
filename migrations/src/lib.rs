//! Schema migrations for Gremlin, one module set per domain, so a split
//! service migrates only the tables it owns. Each domain's set is behind
//! the Cargo feature of the same name; the kernel's tables (outbox,
//! documents) are always present.
//!
//! Migrations are written as SQL per backend where SQLite and PostgreSQL
//! differ, so the schema on each is exactly what is written here.

use sea_orm_migration::prelude::*;

#[cfg(feature = "identity")]
mod identity;
mod kernel;
#[cfg(feature = "orders")]
mod orders;
mod sql;

/// Every migration compiled into this build, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        [
            kernel::migrations(),
            #[cfg(feature = "identity")]
            identity::migrations(),
            #[cfg(feature = "orders")]
            orders::migrations(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

pub use sea_orm_migration::MigratorTrait;
pub use sea_orm_migration::migrator::MigrationStatus;
