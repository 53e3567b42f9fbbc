//! `gremlin migrate up|down|status` on both backends, through the same
//! command code the CLI runs.

use gremlin::cli::MigrateCommand;
use gremlin::commands;
use sea_orm::{ConnectionTrait, Statement};

use crate::both_backends;
use crate::support::{Backend, TestDb};

both_backends! {
    migrate_up_status_down_round_trip => migrate_up_status_down_round_trip,
}

/// The embedded database runs in WAL mode with foreign keys enforced and a
/// busy timeout, on every pooled connection.
#[tokio::test]
async fn sqlite_connections_use_wal_foreign_keys_and_busy_timeout() {
    let db = TestDb::new(Backend::Sqlite).await;
    let conn = gremlin::infra::database::connect(&db.settings()).await.unwrap();
    let pragma = |name: &'static str| {
        let conn = conn.clone();
        async move {
            let row = conn
                .query_one_raw(Statement::from_string(conn.get_database_backend(), format!("PRAGMA {name}")))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<String>(0)
                .or_else(|_| row.try_get_by_index::<i64>(0).map(|v| v.to_string()))
                .unwrap()
        }
    };
    assert_eq!(pragma("journal_mode").await, "wal");
    assert_eq!(pragma("foreign_keys").await, "1");
    assert_eq!(pragma("busy_timeout").await, "5000");
}

async fn run(settings: &gremlin_config::Settings, command: MigrateCommand) -> String {
    let mut out = Vec::new();
    commands::migrate(settings, &command, &mut out).await.expect("migrate command");
    String::from_utf8(out).unwrap()
}

async fn table_exists(settings: &gremlin_config::Settings, table: &str) -> bool {
    let db = gremlin::infra::database::connect(settings).await.unwrap();
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            format!("SELECT 1 FROM information_schema.tables WHERE table_name = '{table}'")
        }
        _ => format!("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{table}'"),
    };
    let found = db.query_one_raw(Statement::from_string(backend, sql)).await.unwrap().is_some();
    db.close().await.unwrap();
    found
}

async fn migrate_up_status_down_round_trip(backend: Backend) {
    let db = TestDb::new(backend).await;
    let settings = db.settings();
    let status = run(&settings, MigrateCommand::Status).await;
    assert!(status.lines().all(|l| l.starts_with("pending")), "{status}");
    assert!(status.contains("m20261127_000001_kernel_outbox"), "{status}");

    let total = <gremlin_migrations::Migrator as gremlin_migrations::MigratorTrait>::migrations().len();
    let up = run(&settings, MigrateCommand::Up { steps: None }).await;
    assert!(up.contains(&format!("applied {total} migration(s)")), "{up}");
    assert!(table_exists(&settings, "outbox").await);
    assert!(table_exists(&settings, "document_logs").await);
    let status = run(&settings, MigrateCommand::Status).await;
    assert!(status.lines().all(|l| l.starts_with("applied")), "{status}");
    assert!(run(&settings, MigrateCommand::Up { steps: None }).await.contains("applied 0"), "up is idempotent");

    // The newest migration set is rolled back first.
    let newest = if cfg!(feature = "orders") {
        "orders"
    } else if cfg!(feature = "identity") {
        "session"
    } else {
        "documents"
    };
    run(&settings, MigrateCommand::Down { steps: 1 }).await;
    assert!(!table_exists(&settings, newest).await, "{newest} rolled back");
    assert!(table_exists(&settings, "outbox").await);
    run(&settings, MigrateCommand::Down { steps: 50 }).await;
    assert!(!table_exists(&settings, "outbox").await);
    assert!(!table_exists(&settings, "documents").await);
}
