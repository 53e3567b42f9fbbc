//! The settings structs and their documented defaults.
//!
//! Every struct denies unknown keys so a typo is an error, not a silently
//! ignored line. `Serialize` is for printing (`gremlin config check`) and
//! redacts secrets; loading never serializes.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::secret::{Secret, ServiceUrl};

/// All of Gremlin's settings. Keys: `data_dir` (env `GREMLIN_DATA_DIR`) and
/// one table per section below.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Where embedded data lives (SQLite file, generated auth secret).
    /// Default: the working directory.
    pub data_dir: PathBuf,
    /// `[server]`: HTTP listener and request handling.
    pub server: ServerSettings,
    /// `[log]`: log format and filter.
    pub log: LogSettings,
    /// `[database]`: the SQL database.
    pub database: DatabaseSettings,
    /// `[events]`: the event bus.
    pub events: EventsSettings,
    /// `[cache]`: rate limits, idempotency records, permission cache.
    pub cache: CacheSettings,
    /// `[documents]`: organization settings and session logs.
    pub documents: DocumentsSettings,
    /// `[outbox]`: the relay that publishes committed events.
    pub outbox: OutboxSettings,
    /// `[auth]`: the shared secret for sessions and service JWTs.
    pub auth: AuthSettings,
    /// `[rate_limit]`: request rate limits per client.
    pub rate_limit: RateLimitSettings,
    /// `[mail]`: how e-mails (invitations) are sent.
    pub mail: MailSettings,
}

/// `[mail]`: keys `url` (`log`, default: write e-mails to the log;
/// `smtp://USER:PASS@HOST:587?tls=required` with STARTTLS; `smtps://…:465`
/// with TLS; plain `smtp://HOST:25` only for a local relay),
/// `from`, `invitation_link`; env `GREMLIN_MAIL__<KEY>`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// Where mail goes.
    pub url: ServiceUrl,
    /// Sender, such as `Gremlin <no-reply@example.com>`.
    pub from: String,
    /// Link put in invitation e-mails; `{id}` is replaced by the invitation
    /// id. Default: `{public_url}/accept-invitation/{id}`.
    pub invitation_link: Option<String>,
    /// A directory of templates replacing the built-in ones:
    /// `<name>.subject.txt`, `<name>.txt` and `<name>.html` for `invitation`,
    /// `verify_email`, `reset_password`, `change_email` and
    /// `change_email_notice`; a file left out keeps the
    /// built-in one. Read once at start-up, which fails on a placeholder the
    /// mail does not have.
    pub templates_dir: Option<String>,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            url: ServiceUrl::new("log"),
            from: "Gremlin <no-reply@localhost>".into(),
            invitation_link: None,
            templates_dir: None,
        }
    }
}

/// `[rate_limit]`: keys `enabled`, `window_secs`, `max_requests`,
/// `max_credential_requests`; env `GREMLIN_RATE_LIMIT__<KEY>`. On by
/// default, with Better Auth's numbers: 100 requests per 10 s per client
/// and path under `/api/`, 3 per 10 s for sign-in, sign-up and password
/// changes (sign-in also per e-mail).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    /// Whether limits are enforced. Default true.
    pub enabled: bool,
    /// Window length in seconds. Default 10.
    pub window_secs: u64,
    /// Requests per window, client and path. Default 100.
    pub max_requests: u64,
    /// Requests per window on credential endpoints. Default 3.
    pub max_credential_requests: u64,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self { enabled: true, window_secs: 10, max_requests: 100, max_credential_requests: 3 }
    }
}

/// `[server]`: keys `bind`, `public_url`, `domains`, `body_limit_bytes`,
/// `request_timeout_secs`, `shutdown_grace_secs`, `cors_allowed_origins`,
/// `trusted_proxies`, `header_read_timeout_secs`, `keep_alive_timeout_secs`,
/// `max_connections`
/// (env `GREMLIN_SERVER__<KEY>`; `GREMLIN_PUBLIC_URL` for `public_url`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to listen on. Default `127.0.0.1:8080`.
    pub bind: SocketAddr,
    /// The public base URL clients use. Default `http://127.0.0.1:8080`.
    pub public_url: String,
    /// Domains this process serves, among those compiled in; empty means all.
    pub domains: Vec<String>,
    /// Largest request body accepted, in bytes. Default 1 MiB.
    pub body_limit_bytes: usize,
    /// Time a request may take before it is answered 503. Default 30 s.
    pub request_timeout_secs: u64,
    /// Time in-flight requests get to finish on shutdown. Default 20 s.
    pub shutdown_grace_secs: u64,
    /// Origins allowed by CORS; empty disables CORS, `["*"]` allows any.
    pub cors_allowed_origins: Vec<String>,
    /// Proxy addresses whose `X-Forwarded-For` is believed (client IPs for
    /// rate limits and sessions). Default: none.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Time a client gets to send a request's headers, from the moment the
    /// server waits for them; a client that is slower is disconnected, so
    /// half-sent requests cannot hold sockets. On HTTP/1.1 the wait for the
    /// next request of a kept-alive connection counts too, so this is also
    /// how long an idle HTTP/1.1 connection stays open. Default 10 s (1–30).
    pub header_read_timeout_secs: u64,
    /// Time a connection may go with no bytes read or written while none of
    /// its requests is being handled (an idle HTTP/2 connection, a client
    /// that stopped reading its response) before it is closed. Default 30 s.
    /// A handler that runs long is bounded by `request_timeout_secs`
    /// instead.
    pub keep_alive_timeout_secs: u64,
    /// Connections served at once. Beyond it new connections wait in the
    /// kernel's accept queue until one closes; open ones are unaffected.
    /// Default 4096; keep it below the process's file-descriptor limit.
    pub max_connections: usize,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: "http://127.0.0.1:8080".into(),
            domains: Vec::new(),
            body_limit_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            shutdown_grace_secs: 20,
            cors_allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            header_read_timeout_secs: 10,
            keep_alive_timeout_secs: 30,
            max_connections: 4096,
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable, for a terminal.
    #[default]
    Pretty,
    /// One JSON object per line, for log shippers.
    Json,
}

/// `[log]`: keys `format` (`pretty` or `json`) and `filter` (a `tracing`
/// env-filter such as `info,gremlin=debug`); env `GREMLIN_LOG__<KEY>`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// Output format. Default `pretty`.
    pub format: LogFormat,
    /// Which events to log. Default `info`.
    pub filter: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self { format: LogFormat::Pretty, filter: "info".into() }
    }
}

/// `[database]`: keys `url`, `max_connections`, `min_connections`,
/// `connect_timeout_secs`, `acquire_timeout_secs`, `sqlite_busy_timeout_ms`,
/// `auto_migrate`; env `GREMLIN_DATABASE__<KEY>`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://PATH?mode=rwc` or `postgres://…`. Default: `gremlin.db` in
    /// the data directory.
    pub url: Option<ServiceUrl>,
    /// Pool size ceiling. Default 10.
    pub max_connections: u32,
    /// Connections kept open when idle. Default 1.
    pub min_connections: u32,
    /// Time to open a connection. Default 5 s.
    pub connect_timeout_secs: u64,
    /// Time to wait for a free pooled connection; a request that waits
    /// longer is answered 503 with `Retry-After`. Default 5 s.
    pub acquire_timeout_secs: u64,
    /// SQLite's wait for a locked database. Default 5000 ms.
    pub sqlite_busy_timeout_ms: u64,
    /// Run pending migrations on `serve`. Default true.
    pub auto_migrate: bool,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: None,
            max_connections: 10,
            min_connections: 1,
            connect_timeout_secs: 5,
            acquire_timeout_secs: 5,
            sqlite_busy_timeout_ms: 5000,
            auto_migrate: true,
        }
    }
}

impl DatabaseSettings {
    /// The URL to connect to: the configured one, or the embedded SQLite file
    /// in `data_dir`.
    pub fn effective_url(&self, data_dir: &std::path::Path) -> ServiceUrl {
        match &self.url {
            Some(url) => url.clone(),
            None => {
                let file = data_dir.join("gremlin.db");
                ServiceUrl::new(format!("sqlite://{}?mode=rwc", file.display()))
            }
        }
    }

    /// Whether the configured database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.url.as_ref().is_some_and(|u| matches!(u.scheme().as_str(), "postgres" | "postgresql"))
    }
}

/// `[events]`: keys `url` (`memory`, in-process, default, or `nats://…`
/// for JetStream) and, for NATS, `stream`, `subject_prefix`,
/// `retention_hours`, `duplicate_window_secs`; env `GREMLIN_EVENTS__<KEY>`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventsSettings {
    /// Where events are published.
    pub url: ServiceUrl,
    /// JetStream stream holding every event. Default `GREMLIN`.
    pub stream: String,
    /// First subject token: events go to `<prefix>.<event type>`. Default `gremlin`.
    pub subject_prefix: String,
    /// How long the stream keeps events. Default 168 (7 days).
    pub retention_hours: u64,
    /// How long a published event id is remembered to drop a re-publish. Default 120.
    pub duplicate_window_secs: u64,
}

impl Default for EventsSettings {
    fn default() -> Self {
        Self {
            url: ServiceUrl::new("memory"),
            stream: "GREMLIN".into(),
            subject_prefix: "gremlin".into(),
            retention_hours: 168,
            duplicate_window_secs: 120,
        }
    }
}

/// `[cache]`: keys `url` (`memory`, default, or `redis://…`),
/// `key_prefix` and `pool_size`; env `GREMLIN_CACHE__<KEY>`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheSettings {
    /// Where cache entries live.
    pub url: ServiceUrl,
    /// Prefix of every key, so deployments can share one Redis. Default `gremlin:`.
    pub key_prefix: String,
    /// Redis connections kept open (commands are pipelined over them). Default 4.
    pub pool_size: u32,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self { url: ServiceUrl::new("memory"), key_prefix: "gremlin:".into(), pool_size: 4 }
    }
}

/// `[documents]`: key `url`, `sql` (tables in the SQL database, default) or
/// `mongodb://…`; env `GREMLIN_DOCUMENTS__URL`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocumentsSettings {
    /// Where documents and logs are stored.
    pub url: ServiceUrl,
}

impl Default for DocumentsSettings {
    fn default() -> Self {
        Self { url: ServiceUrl::new("sql") }
    }
}

/// `[outbox]`: keys `poll_interval_ms`, `batch_size`, `retention_hours`;
/// env `GREMLIN_OUTBOX__<KEY>`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxSettings {
    /// How often the relay looks for unpublished events. Default 200 ms.
    pub poll_interval_ms: u64,
    /// Events published per round. Default 100.
    pub batch_size: u32,
    /// How long published rows are kept before deletion. Default 72 h.
    pub retention_hours: u64,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        Self { poll_interval_ms: 200, batch_size: 100, retention_hours: 72 }
    }
}

/// `[auth]`: keys `secret` (env `GREMLIN_AUTH_SECRET`, or
/// `BETTER_AUTH_SECRET`), `cookie_prefix`, `trusted_origins`,
/// `upgrade_legacy_hashes`, `membership_cache_secs`, `session_log_retention_days`,
/// `jwt_algorithm`, `jwks_url`, `jwks_issuer`, `jwks_audience`,
/// `password_hash_concurrency`, `password_hash_queue`,
/// `require_email_verification`, `send_verification_on_sign_up`,
/// `auto_sign_in_after_verification`, `revoke_sessions_on_password_reset`,
/// `allow_account_deletion`, `confirm_account_deletion_by_email`,
/// `fresh_session_secs` (env `GREMLIN_AUTH__<KEY>`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// The shared secret: signs session cookies and service JWTs; at least
    /// 32 bytes on PostgreSQL. On embedded defaults with none set, one is
    /// generated and kept in the data directory.
    pub secret: Option<Secret>,
    /// Cookie name prefix. Default `better-auth` (Better Auth's), so both
    /// can serve the same browser sessions.
    pub cookie_prefix: String,
    /// Origins besides `server.public_url` allowed to send cookie-authenticated
    /// mutations (CSRF protection).
    pub trusted_origins: Vec<String>,
    /// Re-hash Better Auth scrypt passwords as argon2id at sign-in. Default
    /// true; turn off while a Better Auth server still shares the database.
    pub upgrade_legacy_hashes: bool,
    /// How long a resolved membership (role, ban) stays cached when no
    /// identity event invalidates it first. Default 60 s.
    pub membership_cache_secs: u64,
    /// Days session-log entries are kept. Default 90.
    pub session_log_retention_days: u64,
    /// How service JWTs are signed: `HS256` with the shared secret
    /// (default; every service verifies offline) or `EdDSA` with keys in the
    /// `jwks` table, published at `/api/auth/jwks` (Better Auth's default).
    pub jwt_algorithm: JwtAlgorithm,
    /// Also accept tokens from another issuer (a Better Auth server): the
    /// URL of its JWKS (`https://auth.example.com/api/auth/jwks`).
    pub jwks_url: Option<String>,
    /// The other issuer's `iss` (Better Auth: its base URL origin).
    /// Required with `jwks_url`.
    pub jwks_issuer: Option<String>,
    /// The other issuer's `aud`; default: `jwks_issuer`.
    pub jwks_audience: Option<String>,
    /// Password hashes (sign-up, sign-in, password changes) computed at
    /// once, each on its own worker thread holding 19 MiB it reuses.
    /// Default 0: the number of CPU cores.
    pub password_hash_concurrency: usize,
    /// Password hashes allowed to wait for a worker; a sign-in beyond it
    /// is answered 503 with `Retry-After` instead of piling up. Default 64.
    pub password_hash_queue: usize,
    /// Refuse sign-in (403 `EMAIL_NOT_VERIFIED`) until the e-mail address
    /// is verified, sending a fresh verification mail on the attempt (at
    /// most one a minute per user); sign-up then opens no session. Default
    /// false.
    pub require_email_verification: bool,
    /// Send the verification mail on sign-up. Default false; always on
    /// with `require_email_verification`.
    pub send_verification_on_sign_up: bool,
    /// Open a session (and set its cookie) when an address is verified
    /// through the mailed link. Default false.
    pub auto_sign_in_after_verification: bool,
    /// End every session of a user whose password is reset. Default false
    /// (Better Auth's).
    pub revoke_sessions_on_password_reset: bool,
    /// Let users delete their own account (`POST /api/auth/delete-user`,
    /// with their password or a fresh session). Default false (Better
    /// Auth's): the endpoint answers 404.
    pub allow_account_deletion: bool,
    /// Confirm a deletion through a link mailed to the user (valid one
    /// day) instead of deleting at once. Default false.
    pub confirm_account_deletion_by_email: bool,
    /// Seconds a session stays fresh enough to delete its user without the
    /// password. Default 86 400 (Better Auth's `freshAge`); 0: always.
    pub fresh_session_secs: u64,
}

/// Signing algorithm of service JWTs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
pub enum JwtAlgorithm {
    /// HMAC-SHA256 with the shared secret.
    #[default]
    HS256,
    /// Ed25519 keys stored (encrypted) in `jwks`.
    EdDSA,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            secret: None,
            cookie_prefix: "better-auth".into(),
            trusted_origins: Vec::new(),
            upgrade_legacy_hashes: true,
            membership_cache_secs: 60,
            session_log_retention_days: 90,
            jwt_algorithm: JwtAlgorithm::HS256,
            jwks_url: None,
            jwks_issuer: None,
            jwks_audience: None,
            password_hash_concurrency: 0,
            password_hash_queue: 64,
            require_email_verification: false,
            send_verification_on_sign_up: false,
            auto_sign_in_after_verification: false,
            revoke_sessions_on_password_reset: false,
            allow_account_deletion: false,
            confirm_account_deletion_by_email: false,
            fresh_session_secs: 24 * 3600,
        }
    }
}
