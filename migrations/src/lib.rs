//! Schema migrations for Gremlin, one module set per domain, so a split
//! service migrates only the tables it owns. Each domain's set is behind
//! the Cargo feature of the same name; the kernel's tables (outbox,
//! documents) are always present.
//!
//! Migrations are written as SQL per backend where SQLite and PostgreSQL
//! differ, so the schema on each is exactly what is written here.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, TransactionTrait};

#[cfg(feature = "identity")]
mod identity;
mod kernel;
#[cfg(feature = "orders")]
mod orders;
mod sql;

/// Declares a migrator for one domain's set, recorded in a table of its
/// own: services built with different domains share one database, and
/// sea-orm refuses a migration table naming migrations it does not know.
macro_rules! domain_migrator {
    ($(#[$doc:meta])* $name:ident, $table:literal, $set:expr) => {
        $(#[$doc])*
        pub struct $name;

        #[async_trait::async_trait]
        impl MigratorTrait for $name {
            fn migrations() -> Vec<Box<dyn MigrationTrait>> {
                $set
            }

            fn migration_table_name() -> DynIden {
                Alias::new($table).into_iden()
            }
        }
    };
}

domain_migrator!(
    /// The kernel's tables, which every service has (`gremlin_migrations_kernel`).
    KernelMigrator,
    "gremlin_migrations_kernel",
    kernel::migrations()
);
#[cfg(feature = "identity")]
domain_migrator!(
    /// Identity's tables, owned by the identity service (`gremlin_migrations_identity`).
    IdentityMigrator,
    "gremlin_migrations_identity",
    identity::migrations()
);
#[cfg(feature = "orders")]
domain_migrator!(
    /// The order tables, owned by the orders service (`gremlin_migrations_orders`).
    OrdersMigrator,
    "gremlin_migrations_orders",
    orders::migrations()
);

/// One migration and whether it is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// Its name (`m20261127_000001_kernel_outbox`).
    pub name: String,
    /// Applied to this database.
    pub applied: bool,
}

/// Runs `$body` once per migrator type `$m` that is compiled in and whose
/// domain is in `$domains` (the kernel's always), in order.
macro_rules! each_set {
    ($domains:expr, $m:ident => $body:block) => {{
        // Without domain features compiled in, only the kernel's set runs.
        let _ = $domains;
        {
            type $m = KernelMigrator;
            $body
        }
        #[cfg(feature = "identity")]
        if $domains.contains(&"identity") {
            type $m = IdentityMigrator;
            $body
        }
        #[cfg(feature = "orders")]
        if $domains.contains(&"orders") {
            type $m = OrdersMigrator;
            $body
        }
    }};
}

/// Number of migrations for `domains` compiled into this build.
pub fn count(domains: &[&str]) -> usize {
    let mut n = 0;
    each_set!(domains, M => { n += M::migrations().len(); });
    n
}

/// Applies every pending migration of the kernel and of `domains` (those
/// compiled in), kernel first: a service creates only the tables it owns.
/// On PostgreSQL all of it runs in one transaction holding an advisory
/// lock, so services starting together migrate one after the other.
pub async fn up(db: &DatabaseConnection, domains: &[&str]) -> Result<(), DbErr> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        let txn = db.begin().await?;
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7266042)").await?;
        each_set!(domains, M => { M::up(&txn, None).await?; });
        return txn.commit().await;
    }
    each_set!(domains, M => { M::up(db, None).await?; });
    Ok(())
}

/// The migrations of the kernel and `domains` with their state, in the
/// order `up` applies them.
pub async fn status(db: &DatabaseConnection, domains: &[&str]) -> Result<Vec<Migration>, DbErr> {
    let mut out = Vec::new();
    each_set!(domains, M => {
        for m in M::get_migration_with_status(db).await? {
            out.push(Migration { name: m.name().to_owned(), applied: m.status() == MigrationStatus::Applied });
        }
    });
    Ok(out)
}

/// Rolls back up to `steps` applied migrations of the kernel and
/// `domains`, newest set first; returns how many were rolled back.
pub async fn down(db: &DatabaseConnection, domains: &[&str], steps: u32) -> Result<u32, DbErr> {
    let mut sets: Vec<(u32, DownFn)> = Vec::new();
    each_set!(domains, M => {
        let applied = M::get_migration_with_status(db).await?.iter().filter(|m| m.status() == MigrationStatus::Applied).count();
        sets.push((<u32 as TryFrom<usize>>::try_from(applied).unwrap_or(u32::MAX), |db, n| Box::pin(M::down(db, Some(n)))));
    });
    let mut remaining = steps;
    for (applied, down) in sets.into_iter().rev() {
        let n = Ord::min(applied, remaining);
        if n > 0 {
            down(db, n).await?;
            remaining -= n;
        }
    }
    Ok(steps - remaining)
}

type DownFn = for<'a> fn(
    &'a DatabaseConnection,
    u32,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), DbErr>> + Send + 'a>>;

pub use sea_orm_migration::MigratorTrait;
pub use sea_orm_migration::migrator::MigrationStatus;
