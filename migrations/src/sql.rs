//! Helpers to run per-backend SQL from a migration.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// The same change written for each backend.
pub(crate) struct BackendSql {
    /// Statements for SQLite, run in order.
    pub sqlite: &'static [&'static str],
    /// Statements for PostgreSQL, run in order.
    pub postgres: &'static [&'static str],
}

/// Runs the statements for the connected backend; fails on the first error
/// or on a backend Gremlin does not support.
pub(crate) async fn run(manager: &SchemaManager<'_>, sql: BackendSql) -> Result<(), DbErr> {
    let statements = match manager.get_database_backend() {
        DatabaseBackend::Sqlite => sql.sqlite,
        DatabaseBackend::Postgres => sql.postgres,
        other => return Err(DbErr::Migration(format!("unsupported database backend {other:?}"))),
    };
    let conn = manager.get_connection();
    for statement in statements {
        conn.execute_unprepared(statement).await?;
    }
    Ok(())
}
