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

    let total = gremlin_migrations::count(&gremlin::domains::all_migration_sets());
    let up = run(&settings, MigrateCommand::Up).await;
    assert!(up.contains(&format!("applied {total} migration(s)")), "{up}");
    assert!(table_exists(&settings, "outbox").await);
    assert!(table_exists(&settings, "document_logs").await);
    let status = run(&settings, MigrateCommand::Status).await;
    assert!(status.lines().all(|l| l.starts_with("applied")), "{status}");
    assert!(run(&settings, MigrateCommand::Up).await.contains("applied 0"), "up is idempotent");

    // The newest migration set is rolled back first, newest migration first.
    if cfg!(feature = "toy-domain") {
        run(&settings, MigrateCommand::Down { steps: 1 }).await;
        assert!(!table_exists(&settings, "toy_notes").await, "the toy domain, registered last, rolled back first");
    }
    #[cfg(feature = "leave")]
    {
        let steps = u32::try_from(gremlin_leave::migrations::migrations().len()).unwrap();
        run(&settings, MigrateCommand::Down { steps }).await;
        assert!(!table_exists(&settings, "leave_requests").await, "leave, registered last, rolled back first");
        assert!(!table_exists(&settings, "leave_feeds").await);
        assert!(table_exists(&settings, "crm_companies").await, "CRM stays until its turn");
    }
    #[cfg(feature = "crm")]
    {
        let steps = u32::try_from(gremlin_crm::migrations::migrations().len()).unwrap();
        run(&settings, MigrateCommand::Down { steps }).await;
        assert!(!table_exists(&settings, "crm_companies").await, "CRM, registered before leave, rolled back next");
        assert!(table_exists(&settings, "invoices").await);
    }
    if cfg!(feature = "invoices") {
        run(&settings, MigrateCommand::Down { steps: 1 }).await;
        assert!(!table_exists(&settings, "invoices").await, "invoices, registered after orders, rolled back next");
        assert!(table_exists(&settings, "orders").await);
    }
    let newest = if cfg!(feature = "orders") {
        // Orders' newest moved its numbers into the kernel's table: undoing
        // it brings its own counter table back.
        run(&settings, MigrateCommand::Down { steps: 1 }).await;
        assert!(table_exists(&settings, "order_number_sequences").await, "order numbers moved back");
        assert!(table_exists(&settings, "document_numbers").await, "the kernel's table stays");
        "orders"
    } else if cfg!(feature = "identity") {
        "session"
    } else {
        "document_numbers"
    };
    run(&settings, MigrateCommand::Down { steps: 1 }).await;
    assert!(!table_exists(&settings, newest).await, "{newest} rolled back");
    assert!(table_exists(&settings, "outbox").await);
    run(&settings, MigrateCommand::Down { steps: 50 }).await;
    assert!(!table_exists(&settings, "outbox").await);
    assert!(!table_exists(&settings, "documents").await);
}

/// Each domain's migrations are recorded in a table of their own, so a
/// service built with fewer domains can migrate a database another service
/// migrated (sea-orm refuses a table naming migrations it does not know).
#[tokio::test]
async fn each_domain_records_its_migrations_in_its_own_table() {
    let db = TestDb::new(Backend::Postgres).await;
    let settings = db.settings();
    run(&settings, MigrateCommand::Up).await;
    let conn = gremlin::infra::database::connect(&settings).await.unwrap();
    let names = |table: &'static str| {
        let conn = conn.clone();
        async move {
            let rows = conn
                .query_all_raw(Statement::from_string(
                    conn.get_database_backend(),
                    format!("SELECT version FROM {table}"),
                ))
                .await
                .unwrap();
            rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect::<Vec<_>>()
        }
    };
    let kernel = names("gremlin_migrations_kernel").await;
    assert!(!kernel.is_empty() && kernel.iter().all(|n| n.contains("_kernel_")), "{kernel:?}");
    #[cfg(feature = "orders")]
    {
        let orders = names("gremlin_migrations_orders").await;
        assert!(!orders.is_empty() && orders.iter().all(|n| n.contains("_orders_")), "{orders:?}");
    }
    #[cfg(feature = "identity")]
    {
        let identity = names("gremlin_migrations_identity").await;
        assert!(!identity.is_empty() && identity.iter().all(|n| n.contains("_identity_")), "{identity:?}");
    }
    conn.close().await.unwrap();
}

/// Services starting together on one PostgreSQL migrate one after the
/// other (an advisory lock), so neither fails on the other's half-done work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migrations_on_postgres_both_succeed() {
    let db = TestDb::new(Backend::Postgres).await;
    let settings = db.settings();
    let a = gremlin::infra::database::connect(&settings).await.unwrap();
    let b = gremlin::infra::database::connect(&settings).await.unwrap();
    let sets = gremlin::domains::all_migration_sets();
    let (ra, rb) = tokio::join!(gremlin_migrations::up(&a, &sets), gremlin_migrations::up(&b, &sets));
    ra.unwrap();
    rb.unwrap();
    let status = gremlin_migrations::status(&a, &gremlin::domains::all_migration_sets()).await.unwrap();
    assert!(status.iter().all(|m| m.applied), "{status:?}");
    assert_eq!(status.len(), gremlin_migrations::count(&gremlin::domains::all_migration_sets()));
    a.close().await.unwrap();
    b.close().await.unwrap();
}
