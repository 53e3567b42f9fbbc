//! Identity's tables, exactly as Better Auth 1.7 (organization, admin, jwt
//! and bearer plugins) creates them, so Gremlin and Better Auth can share a
//! database. On a database Better Auth already migrated, existing tables are
//! kept and only missing columns and indexes are added.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DatabaseBackend, Statement};

mod m20261127_000010_identity_better_auth_tables;
mod m20261201_000011_identity_organization_roles;
mod m20261201_000012_identity_api_keys;
mod m20261201_000013_identity_two_factor;

/// Identity's migrations, in order.
pub(crate) fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261127_000010_identity_better_auth_tables::Migration),
        Box::new(m20261201_000011_identity_organization_roles::Migration),
        Box::new(m20261201_000012_identity_api_keys::Migration),
        Box::new(m20261201_000013_identity_two_factor::Migration),
    ]
}

/// One table: its DDL (with `{ts}` / `{bool}` placeholders for the backend's
/// types) and the columns that may be missing from an older database.
struct Table {
    name: &'static str,
    create: &'static str,
    optional_columns: &'static [(&'static str, &'static str)],
}

fn types(backend: DatabaseBackend, sql: &str) -> String {
    let (ts, boolean) = match backend {
        DatabaseBackend::Postgres => ("timestamptz", "boolean"),
        _ => ("timestamp", "boolean"),
    };
    sql.replace("{ts}", ts).replace("{bool}", boolean)
}

async fn existing_columns(manager: &SchemaManager<'_>, table: &str) -> Result<Vec<String>, DbErr> {
    let backend = manager.get_database_backend();
    let stmt = match backend {
        DatabaseBackend::Postgres => Statement::from_sql_and_values(
            backend,
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
            [table.into()],
        ),
        _ => Statement::from_sql_and_values(backend, "SELECT name FROM pragma_table_info(?)", [table.into()]),
    };
    let rows = manager.get_connection().query_all_raw(stmt).await?;
    rows.iter().map(|r| r.try_get_by_index::<String>(0)).collect()
}

/// Creates each of `tables` if absent and adds its missing optional
/// columns, then the `indexes` (each `create index if not exists`).
async fn create_tables(manager: &SchemaManager<'_>, tables: &[Table], indexes: &[&str]) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    if !matches!(backend, DatabaseBackend::Postgres | DatabaseBackend::Sqlite) {
        return Err(DbErr::Migration(format!("unsupported database backend {backend:?}")));
    }
    let conn = manager.get_connection();
    for table in tables {
        conn.execute_unprepared(&types(backend, table.create)).await?;
        add_missing_columns(manager, table.name, table.optional_columns).await?;
    }
    for index in indexes {
        conn.execute_unprepared(index).await?;
    }
    Ok(())
}

/// Adds those of `columns` (name, DDL type) that `table` lacks: a plugin's
/// columns on a table another plugin's migration created.
async fn add_missing_columns(manager: &SchemaManager<'_>, table: &str, columns: &[(&str, &str)]) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    let present = existing_columns(manager, table).await?;
    for (column, kind) in columns {
        if !present.iter().any(|c| c == column) {
            let sql = format!(r#"alter table "{table}" add column "{column}" {}"#, types(backend, kind));
            manager.get_connection().execute_unprepared(&sql).await?;
        }
    }
    Ok(())
}

/// Declares the migration of a module holding `TABLES` and `INDEXES`:
/// up creates them ([`create_tables`]), down drops the tables.
macro_rules! tables_migration {
    () => {
        #[derive(DeriveMigrationName)]
        pub(crate) struct Migration;

        #[async_trait::async_trait]
        impl MigrationTrait for Migration {
            async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                super::create_tables(manager, TABLES, INDEXES).await
            }

            async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                super::drop_tables(manager, TABLES).await
            }
        }
    };
}
use tables_migration;

/// Drops `tables`, last first.
async fn drop_tables(manager: &SchemaManager<'_>, tables: &[Table]) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    for table in tables.iter().rev() {
        conn.execute_unprepared(&format!(r#"drop table if exists "{}""#, table.name)).await?;
    }
    Ok(())
}
