//! The SQL connection pool: SQLite (WAL, foreign keys, busy timeout) or
//! PostgreSQL, sized by `[database]` settings.

use std::time::Duration;

use gremlin_config::Settings;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DbErr};

/// Opens a lazy pool: no connection is made until the first query, so
/// start-up and `/readyz` can report an unreachable database themselves.
pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbErr> {
    let db = &settings.database;
    let url = db.effective_url(&settings.data_dir);
    let mut options = ConnectOptions::new(url.expose());
    options
        .max_connections(db.max_connections)
        .min_connections(db.min_connections)
        .connect_timeout(Duration::from_secs(db.connect_timeout_secs))
        .acquire_timeout(Duration::from_secs(db.acquire_timeout_secs))
        .sqlx_logging(false)
        .connect_lazy(true);
    let busy = Duration::from_millis(db.sqlite_busy_timeout_ms);
    options.map_sqlx_sqlite_opts(move |o| {
        o.journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(busy)
    });
    Database::connect(options).await
}

/// Open and idle connections of the pool, for metrics.
pub fn pool_usage(db: &DatabaseConnection) -> (u32, usize) {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => (0, 0),
    }
}
