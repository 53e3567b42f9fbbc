//! Test support: a fresh database per test (SQLite file in a temp dir, or a
//! uniquely named PostgreSQL database dropped afterwards), settings for it,
//! and the app built exactly as `main` builds it.

use std::time::{SystemTime, UNIX_EPOCH};

#[cfg(all(feature = "console", feature = "orders", feature = "identity"))]
pub mod browser;
pub mod events;
#[cfg(all(feature = "leave", feature = "identity"))]
pub mod leave;
#[cfg(feature = "identity")]
pub mod mailbox;
#[cfg(all(feature = "orders", feature = "identity"))]
pub mod orders;
mod requests;
#[cfg(feature = "identity")]
pub mod two_factor;

#[allow(unused_imports)] // used by the orders tests, absent from some feature builds
pub use requests::KitHeaders;

use gremlin::{App, AppBuilder};
use gremlin_config::{Secret, ServiceUrl, Settings};
use sea_orm::{ConnectionTrait, Database};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs the same async test body on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident => $body:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$body($crate::support::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$body($crate::support::Backend::Postgres).await
                }
            }
        )*
    };
}

/// The PostgreSQL server tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("GREMLIN_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The MongoDB-compatible server adapter tests use: `GREMLIN_TEST_MONGODB_URL`
/// or 127.0.0.1:27017 (SecantusDB, started by `make services`).
pub fn mongodb_url() -> String {
    std::env::var("GREMLIN_TEST_MONGODB_URL").unwrap_or_else(|_| "mongodb://127.0.0.1:27017".into())
}

/// A MongoDB database of this test's own, dropped with the guard.
pub struct TestMongo {
    /// Its connection string, naming the database.
    pub url: String,
}

impl TestMongo {
    /// A fresh database name on the test server.
    pub fn new() -> Self {
        let base = mongodb_url();
        let base = base.trim_end_matches('/');
        Self { url: format!("{base}/t_{}", uuid::Uuid::new_v4().simple()) }
    }

    /// A document store on this database.
    pub async fn store(&self) -> gremlin::infra::mongo::MongoDocumentStore {
        gremlin::infra::mongo::MongoDocumentStore::connect(&self.url).await.expect("MongoDB for tests (make services)")
    }
}

impl Drop for TestMongo {
    fn drop(&mut self) {
        let url = self.url.clone();
        block_on_own_thread(move || async move {
            if let Ok(store) = gremlin::infra::mongo::MongoDocumentStore::connect(&url).await {
                let _ = store.drop_database().await;
            }
        });
    }
}

/// Runs `work` to completion on a private runtime on a thread of its own:
/// how `Drop`, which cannot await and may run inside a runtime, cleans up.
/// `None` when that runtime could not be built or the work panicked.
fn block_on_own_thread<F, T>(work: impl FnOnce() -> F + Send + 'static) -> Option<T>
where
    F: std::future::Future<Output = T>,
    T: Send + 'static,
{
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
        Some(rt.block_on(work()))
    })
    .join()
    .ok()
    .flatten()
}

/// The NATS server (JetStream enabled) adapter tests use: `GREMLIN_TEST_NATS_URL`
/// or the machine's own at 127.0.0.1:4222. Tests create their own streams.
pub fn nats_url() -> String {
    std::env::var("GREMLIN_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// A JetStream stream and subject prefix of this test's own; the streams
/// are deleted when the guard drops.
pub struct TestStream {
    /// The layout to give the bus.
    pub options: gremlin::infra::nats::NatsOptions,
}

impl TestStream {
    /// A fresh, unique stream name and subject prefix.
    pub fn new() -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        Self {
            options: gremlin::infra::nats::NatsOptions {
                stream: format!("T_{id}"),
                subject_prefix: format!("t_{id}"),
                retention: std::time::Duration::from_secs(3600),
                duplicate_window: std::time::Duration::from_secs(120),
            },
        }
    }

    /// Points `settings` at the test NATS and this stream.
    pub fn configure(&self, settings: &mut Settings) {
        settings.events.url = ServiceUrl::new(nats_url());
        settings.events.stream.clone_from(&self.options.stream);
        settings.events.subject_prefix.clone_from(&self.options.subject_prefix);
    }

    /// A bus on this stream.
    pub async fn bus(&self) -> gremlin::infra::nats::NatsEventBus {
        gremlin::infra::nats::NatsEventBus::connect(&nats_url(), self.options.clone())
            .await
            .expect("NATS JetStream for tests")
    }
}

impl Drop for TestStream {
    fn drop(&mut self) {
        let options = self.options.clone();
        block_on_own_thread(move || async move {
            if let Ok(bus) = gremlin::infra::nats::NatsEventBus::attach(&nats_url(), options).await {
                let _ = bus.delete_streams().await;
            }
        });
    }
}

/// The Redis the Redis adapter's tests use (keys are unique per test and expire).
pub fn redis_url() -> String {
    std::env::var("GREMLIN_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Databases left behind by crashed runs are dropped after this many seconds.
const STALE_AFTER_SECS: u64 = 6 * 3600;

/// A database for one test, removed when dropped.
pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
    pg_name: Option<String>,
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

impl TestDb {
    /// An empty database: for tests of migrations and of databases another
    /// program prepared.
    pub async fn new(backend: Backend) -> Self {
        Self::create(backend, None).await
    }

    /// A database with every compiled migration applied. On PostgreSQL it is
    /// cloned from a template migrated once per test build (`CREATE DATABASE
    /// … TEMPLATE`), so the suite does not migrate every domain per test.
    pub async fn migrated(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::create(backend, None).await,
            Backend::Postgres => {
                let template = migrated_template().await;
                Self::create(backend, Some(&template)).await
            }
        }
    }

    async fn create(backend: Backend, template: Option<&str>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                Self { url, dir, pg_name: None }
            }
            Backend::Postgres => {
                let name = format!("t_{}_{}", now_secs(), uuid::Uuid::new_v4().simple());
                let admin = Database::connect(postgres_admin_url())
                    .await
                    .expect("PostgreSQL must run for tests (make services)");
                sweep_stale(&admin).await;
                let from = template.map(|t| format!(" TEMPLATE \"{t}\"")).unwrap_or_default();
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\"{from}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                Self { url: postgres_url(&name), dir, pg_name: Some(name) }
            }
        }
    }

    /// Settings pointing at this database, with a fixed auth secret.
    pub fn settings(&self) -> Settings {
        let mut s = Settings { data_dir: self.dir.path().to_path_buf(), ..Settings::default() };
        s.database.url = Some(ServiceUrl::new(self.url.clone()));
        s.database.max_connections = 5;
        s.auth.secret = Some(Secret::new("test-secret-0123456789abcdef0123456789abcdef"));
        s.server.bind = "127.0.0.1:0".parse().unwrap();
        s.outbox.poll_interval_ms = 20;
        // Tests sign many users up from one address; the rate-limit tests
        // turn limits back on.
        s.rate_limit.enabled = false;
        s
    }
}

/// The URL of database `name` on the test server.
fn postgres_url(name: &str) -> String {
    let base = postgres_admin_url();
    match base.rfind('/') {
        Some(i) => format!("{}/{name}", &base[..i]),
        None => panic!("bad GREMLIN_TEST_POSTGRES_URL {base}"),
    }
}

/// The name of the migrated template database for this test build: it
/// changes with the compiled migrations and with every rebuild of the test
/// binary (a migration edited in place gets a fresh template). Created
/// under an advisory lock, built under a temporary name and renamed when
/// complete, so concurrent test processes and crashed runs never clone a
/// half-migrated template. Old templates go with [`sweep_stale`].
async fn migrated_template() -> String {
    use std::hash::{Hash, Hasher};
    let sets = gremlin::domains::all_migration_sets();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for set in &sets {
        set.name.hash(&mut hasher);
        for m in (set.migrations)() {
            m.name().hash(&mut hasher);
        }
    }
    let built = std::env::current_exe().and_then(|exe| exe.metadata()).and_then(|m| m.modified()).ok();
    built.hash(&mut hasher);
    let fingerprint = format!("{:016x}", hasher.finish());
    let options = sea_orm::ConnectOptions::new(postgres_admin_url()).max_connections(1).to_owned();
    let admin = Database::connect(options).await.expect("PostgreSQL must run for tests (make services)");
    let exec = async |sql: &str| admin.execute_unprepared(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    exec("SELECT pg_advisory_lock(7266043)").await;
    let pattern = format!("t\\_%\\_tpl\\_{fingerprint}");
    let found = admin
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE $1",
            [pattern.into()],
        ))
        .await
        .expect("looking for the template")
        .and_then(|row| row.try_get_by_index::<String>(0).ok());
    let name = match found {
        Some(name) => name,
        None => {
            let name = format!("t_{}_tpl_{fingerprint}", now_secs());
            let building = format!("{name}_wip");
            exec(&format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)")).await;
            exec(&format!("CREATE DATABASE \"{building}\"")).await;
            let db = Database::connect(postgres_url(&building)).await.expect("connect to the template");
            gremlin_migrations::up(&db, &sets).await.expect("migrate the template");
            db.close().await.ok();
            exec(&format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\"")).await;
            name
        }
    };
    exec("SELECT pg_advisory_unlock(7266043)").await;
    admin.close().await.ok();
    name
}

/// Drops `t_<epoch>_…` databases older than a few hours: crashed runs'.
async fn sweep_stale(admin: &sea_orm::DatabaseConnection) {
    let Ok(rows) = admin
        .query_all_raw(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'",
        ))
        .await
    else {
        return;
    };
    for row in rows {
        let Ok(name) = row.try_get_by_index::<String>(0) else { continue };
        let created = name.split('_').nth(1).and_then(|s| s.parse::<u64>().ok());
        if created.is_some_and(|t| now_secs().saturating_sub(t) > STALE_AFTER_SECS) {
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.ok();
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else { return };
        let dropped = block_on_own_thread(move || async move {
            let admin = Database::connect(postgres_admin_url()).await?;
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await?;
            admin.close().await
        });
        if !matches!(dropped, Some(Ok(()))) {
            eprintln!("warning: could not drop a test database: {dropped:?}");
        }
    }
}

/// A database and the app built on it, in-process.
pub struct TestApp {
    /// Checks the published events when the test ends (first: it runs while
    /// the database still exists).
    _contracts: ContractCheck,
    pub app: App,
    pub db: TestDb,
}

impl TestApp {
    pub async fn new(backend: Backend) -> Self {
        Self::custom(backend, |_| {}, |b| b).await
    }

    /// Builds with changed settings and extra mounts.
    pub async fn custom(
        backend: Backend,
        settings: impl FnOnce(&mut Settings),
        mounts: impl FnOnce(AppBuilder) -> AppBuilder,
    ) -> Self {
        let db = TestDb::migrated(backend).await;
        let mut s = db.settings();
        settings(&mut s);
        let app = mounts(AppBuilder::new(s)).build().await.expect("app builds");
        Self { _contracts: ContractCheck { url: db.url.clone() }, app, db }
    }

    pub fn client(&self) -> poem::test::TestClient<&requests::Endpoint> {
        poem::test::TestClient::new(&self.app.endpoint)
    }
}

/// Checks, when dropped, that every event the app published during the
/// test kept its contract (see `support/events.rs`); a breach fails the
/// test that caused it. The first field of [`TestApp`], so it runs while
/// the database still exists.
pub struct ContractCheck {
    url: String,
}

impl Drop for ContractCheck {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let url = self.url.clone();
        let breaches = block_on_own_thread(move || async move { events::contract_breaches(&url).await });
        let breaches = breaches.unwrap_or_else(|| vec!["the event contract check did not run".into()]);
        assert!(breaches.is_empty(), "published events break their contracts:\n{}", breaches.join("\n"));
    }
}

/// The JSON body of a test response.
#[cfg(feature = "identity")]
pub async fn json(resp: poem::test::TestResponse) -> serde_json::Value {
    resp.0.into_body().into_json().await.expect("a JSON body")
}

/// Asserts `resp` is an RFC 9457 problem with `status`; its JSON.
#[cfg(feature = "identity")]
pub async fn problem(resp: poem::test::TestResponse, status: poem::http::StatusCode) -> serde_json::Value {
    resp.assert_status(status);
    resp.assert_content_type("application/problem+json");
    json(resp).await
}

/// A new user owning a new organization (active): a service JWT for them
/// (`Bearer …`) and the organization's id. For business-domain tests.
#[cfg(feature = "identity")]
#[cfg_attr(not(feature = "orders"), allow(dead_code))]
pub async fn owner(t: &TestApp, email: &str, slug: &str) -> (String, String) {
    let user = sign_up(t, email, email).await;
    let org = create_organization(t, &user.bearer, slug, slug).await;
    let jwt = json(t.as_(&user.bearer).get("/api/auth/token").send().await).await["token"]
        .as_str()
        .expect("a JWT")
        .to_owned();
    (format!("Bearer {jwt}"), org["id"].as_str().expect("an organization id").to_owned())
}

/// A new user who is a `role` member of `organization` (added as an
/// accepted invitation would add them), with a session token: send it
/// with `in_org(organization)`.
#[cfg(feature = "identity")]
#[cfg_attr(not(feature = "crm"), allow(dead_code))]
pub async fn member(t: &TestApp, organization: &str, email: &str, role: &str) -> SignedUp {
    use gremlin_kernel::sql::statement;
    let user = sign_up(t, email, email).await;
    let id = format!("m{}", &uuid::Uuid::new_v4().simple().to_string()[..31]);
    let db = &t.app.adapters.db;
    let sql =
        r#"INSERT INTO "member" ("id", "organizationId", "userId", "role", "createdAt") VALUES ($1, $2, $3, $4, $5)"#;
    let values: Vec<sea_orm::Value> = vec![
        id.into(),
        organization.into(),
        user.id.clone().into(),
        role.into(),
        time::OffsetDateTime::now_utc().into(),
    ];
    db.execute_raw(statement(db.get_database_backend(), sql, values)).await.unwrap();
    user
}

/// The Better Auth `code` of a problem answered with `status`.
#[cfg(feature = "identity")]
#[cfg_attr(not(feature = "orders"), allow(dead_code))]
pub async fn problem_code(resp: poem::test::TestResponse, status: poem::http::StatusCode) -> serde_json::Value {
    problem(resp, status).await["code"].clone()
}

/// Olivia (`olivia@<slug>.example`) owning a new organization `slug`: her
/// credentials and its id.
#[cfg(feature = "identity")]
#[cfg_attr(not(feature = "orders"), allow(dead_code))]
pub async fn olivia_owning(t: &TestApp, slug: &str) -> (SignedUp, String) {
    let olivia = sign_up(t, &format!("olivia@{slug}.example"), "Olivia").await;
    let org = create_organization(t, &olivia.bearer, slug, slug).await["id"].as_str().expect("an id").to_owned();
    (olivia, org)
}

/// The type of every event in the outbox, oldest first.
#[cfg(feature = "identity")]
pub async fn outbox_types(t: &TestApp) -> Vec<String> {
    use gremlin_kernel::sql::statement;
    let db = &t.app.adapters.db;
    let sql = "SELECT event_type FROM outbox ORDER BY seq";
    let rows = db.query_all_raw(statement(db.get_database_backend(), sql, vec![])).await.unwrap();
    rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect()
}

/// Every `Set-Cookie` header of `resp`, as sent.
#[cfg(feature = "identity")]
pub fn set_cookies(resp: &poem::test::TestResponse) -> Vec<String> {
    resp.0.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

/// A user signed up through the API.
#[cfg(feature = "identity")]
pub struct SignedUp {
    /// `Bearer <signed token>`, ready for an Authorization header.
    pub bearer: String,
    /// The signed token (`set-auth-token`).
    pub signed: String,
    /// The raw 32-character session token.
    pub raw_token: String,
    /// The user's id.
    pub id: String,
    /// The whole sign-up answer.
    pub body: serde_json::Value,
}

/// The password every test user signs up with.
#[cfg(feature = "identity")]
pub const PASSWORD: &str = "correct-horse-battery-1";

/// Signs `email` up with [`PASSWORD`] and returns its credentials.
#[cfg(feature = "identity")]
pub async fn sign_up(t: &TestApp, email: &str, name: &str) -> SignedUp {
    let body = serde_json::json!({"name": name, "email": email, "password": PASSWORD});
    signed_in(t.client().post("/api/auth/sign-up/email").body_json(&body).send().await).await
}

/// Signs `email` (signed up with [`PASSWORD`]) in again: a second session.
#[cfg(feature = "identity")]
pub async fn sign_in(t: &TestApp, email: &str) -> SignedUp {
    let body = serde_json::json!({"email": email, "password": PASSWORD});
    signed_in(t.client().post("/api/auth/sign-in/email").body_json(&body).send().await).await
}

#[cfg(feature = "identity")]
async fn signed_in(resp: poem::test::TestResponse) -> SignedUp {
    resp.assert_status_is_ok();
    let signed = resp.0.headers().get("set-auth-token").expect("set-auth-token").to_str().unwrap().to_owned();
    let body = json(resp).await;
    SignedUp {
        bearer: format!("Bearer {signed}"),
        signed,
        raw_token: body["token"].as_str().unwrap().to_owned(),
        id: body["user"]["id"].as_str().unwrap().to_owned(),
        body,
    }
}

/// Creates an organization (`name`, `slug`) as the caller `bearer`; its JSON.
#[cfg(feature = "identity")]
pub async fn create_organization(t: &TestApp, bearer: &str, name: &str, slug: &str) -> serde_json::Value {
    let resp = t
        .client()
        .post("/api/auth/organization/create")
        .header("authorization", bearer)
        .body_json(&serde_json::json!({"name": name, "slug": slug}))
        .send()
        .await;
    resp.assert_status_is_ok();
    json(resp).await
}

/// An HTTP client for end-to-end tests. reqwest is built with rustls and no
/// default crypto provider (ring is chosen explicitly, as `main` does).
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// `/readyz`'s HTTP status and the status of its check called `name`.
pub async fn readiness(t: &TestApp, name: &str) -> (poem::http::StatusCode, String) {
    let resp = t.client().get("/readyz").send().await;
    let status = resp.0.status();
    let body: serde_json::Value = resp.0.into_body().into_json().await.expect("a JSON body");
    let check = body["checks"].as_array().and_then(|c| c.iter().find(|c| c["name"] == name)).cloned();
    let check = check.unwrap_or_else(|| panic!("no `{name}` check in /readyz: {body}"));
    (status, check["status"].as_str().unwrap_or_default().to_owned())
}
