//! The SQL connection pool: SQLite (WAL, foreign keys, busy timeout) or
//! PostgreSQL, sized by `[database]` settings.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use gremlin_config::Settings;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DbErr};

/// Opens a lazy pool: no connection is made until the first query, so
/// start-up and `/readyz` can report an unreachable database themselves.
pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbErr> {
    Ok(connect_counted(settings).await?.0)
}

/// How long a pooled connection sits idle before it is pinged on checkout.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(30);

/// [`connect`], with the number of SQL statements sent through the pool
/// since (transactions included): how tests hold a request to its round
/// trips.
pub async fn connect_counted(settings: &Settings) -> Result<(DatabaseConnection, Arc<AtomicU64>), DbErr> {
    let db = &settings.database;
    let url = db.effective_url(&settings.data_dir);
    let mut options = ConnectOptions::new(url.expose());
    options
        .max_connections(db.max_connections)
        .min_connections(db.min_connections)
        .connect_timeout(Duration::from_secs(db.connect_timeout_secs))
        .acquire_timeout(Duration::from_secs(db.acquire_timeout_secs))
        .sqlx_logging(false)
        // sqlx pings every connection it hands out by default: a second
        // round trip per statement. Only a connection idle long enough to
        // have been dropped (server restart, proxy, firewall) is pinged.
        .test_before_acquire_if_idle_for(IDLE_BEFORE_PING)
        .connect_lazy(true);
    let busy = Duration::from_millis(db.sqlite_busy_timeout_ms);
    options.map_sqlx_sqlite_opts(move |o| {
        o.journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(busy)
    });
    let mut pool = Database::connect(options).await?;
    let statements = Arc::new(AtomicU64::new(0));
    let counter = statements.clone();
    pool.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    Ok((pool, statements))
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
