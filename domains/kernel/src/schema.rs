//! Helpers for migrations written as SQL per backend, where SQLite and
//! PostgreSQL differ, so the schema on each is exactly what is written.

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr};
use sea_orm_migration::SchemaManager;

/// The same change written for each backend.
pub struct BackendSql {
    /// Statements for SQLite, run in order.
    pub sqlite: &'static [&'static str],
    /// Statements for PostgreSQL, run in order.
    pub postgres: &'static [&'static str],
}

impl BackendSql {
    /// The same statements on both backends.
    pub const fn portable(statements: &'static [&'static str]) -> Self {
        Self { sqlite: statements, postgres: statements }
    }
}

/// Runs the statements for the connected backend; fails on the first error
/// or on a backend Gremlin does not support.
pub async fn run(manager: &SchemaManager<'_>, sql: BackendSql) -> Result<(), DbErr> {
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
