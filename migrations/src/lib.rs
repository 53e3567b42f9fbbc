//! Schema migrations for Gremlin, one set per domain, so a split service
//! migrates only the tables it owns. The kernel's set (outbox, documents,
//! processed events) is in every process; identity's is here behind the
//! `identity` feature; each business domain brings its own set with its
//! registration (`gremlin_kernel::domain::Domain::migrations`).
//!
//! Each set is recorded in a table of its own (`gremlin_migrations_<set>`):
//! services built with different domains share one database, and sea-orm
//! refuses a migration table naming migrations it does not know.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, TransactionTrait};
use sea_orm_migration::{MigratorTraitSelf, sea_orm::DbErr};

#[cfg(feature = "identity")]
mod identity;
mod kernel;

/// One domain's migrations and the table recording them.
#[derive(Clone, Copy)]
pub struct MigrationSet {
    /// The set's name (`kernel`, `identity`, `orders`): its table is
    /// `gremlin_migrations_<name>`.
    pub name: &'static str,
    /// Its migrations, oldest first.
    pub migrations: fn() -> Vec<Box<dyn MigrationTrait>>,
}

impl MigratorTraitSelf for MigrationSet {
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        (self.migrations)()
    }

    fn migration_table_name(&self) -> DynIden {
        Alias::new(format!("gremlin_migrations_{}", self.name)).into_iden()
    }
}

/// The kernel's tables, which every process has (`gremlin_migrations_kernel`).
pub const KERNEL: MigrationSet = MigrationSet { name: "kernel", migrations: kernel::migrations };
/// Identity's tables, owned by the identity service (`gremlin_migrations_identity`).
#[cfg(feature = "identity")]
pub const IDENTITY: MigrationSet = MigrationSet { name: "identity", migrations: identity::migrations };

/// One migration and whether it is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// Its name (`m20261127_000001_kernel_outbox`).
    pub name: String,
    /// Applied to this database.
    pub applied: bool,
}

/// Number of migrations in `sets`.
pub fn count(sets: &[MigrationSet]) -> usize {
    sets.iter().map(|s| (s.migrations)().len()).sum()
}

/// Applies every pending migration of `sets`, in order (the kernel's
/// first): a service creates only the tables it owns. On PostgreSQL all of
/// it runs in one transaction holding an advisory lock, so services
/// starting together migrate one after the other.
pub async fn up(db: &DatabaseConnection, sets: &[MigrationSet]) -> Result<(), DbErr> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        let txn = db.begin().await?;
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7266042)").await?;
        for set in sets {
            set.up(&txn, None).await?;
        }
        return txn.commit().await;
    }
    for set in sets {
        set.up(db, None).await?;
    }
    Ok(())
}

/// The migrations of `sets` with their state, in the order `up` applies them.
pub async fn status(db: &DatabaseConnection, sets: &[MigrationSet]) -> Result<Vec<Migration>, DbErr> {
    let mut out = Vec::new();
    for set in sets {
        for m in set.get_migration_with_status(db).await? {
            out.push(Migration { name: m.name().to_owned(), applied: m.status() == MigrationStatus::Applied });
        }
    }
    Ok(out)
}

/// Rolls back up to `steps` applied migrations of `sets`, last set first;
/// returns how many were rolled back.
pub async fn down(db: &DatabaseConnection, sets: &[MigrationSet], steps: u32) -> Result<u32, DbErr> {
    let mut remaining = steps;
    for set in sets.iter().rev() {
        if remaining == 0 {
            break;
        }
        let applied =
            set.get_migration_with_status(db).await?.iter().filter(|m| m.status() == MigrationStatus::Applied).count();
        let n = Ord::min(<u32 as TryFrom<usize>>::try_from(applied).unwrap_or(u32::MAX), remaining);
        if n > 0 {
            set.down(db, Some(n)).await?;
            remaining -= n;
        }
    }
    Ok(steps - remaining)
}

pub use sea_orm_migration::migrator::MigrationStatus;
pub use sea_orm_migration::{MigrationTrait, MigratorTrait};
