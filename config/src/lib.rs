//! Typed, layered settings for Gremlin.
//!
//! Settings are read once at start-up, in layers: built-in defaults, then a
//! TOML file (`--config PATH`, `GREMLIN_CONFIG`, or `gremlin.toml` in the
//! working directory when present), then `GREMLIN_*` environment variables
//! where `__` separates sections (`GREMLIN_DATABASE__URL`). Two shortcuts are
//! read as well: `GREMLIN_AUTH_SECRET` (or Better Auth's `BETTER_AUTH_SECRET`)
//! and `GREMLIN_PUBLIC_URL`.
//!
//! Unknown keys and invalid values are errors naming the key. Secrets are
//! wrapped so that printing or logging settings never shows them.
//!
//! This crate must not depend on any other Gremlin crate: everything else
//! reads its configuration from here.

mod error;
mod load;
mod secret;
mod settings;
mod validate;

pub use error::ConfigError;
pub use load::{AuthSecretSource, ENV_PREFIX, load, load_from};
pub use secret::{Secret, ServiceUrl};
pub use settings::{
    AuthSettings, CacheSettings, DatabaseSettings, DocumentsSettings, EventsSettings, JwtAlgorithm, LogFormat,
    LogSettings, MailSettings, OutboxSettings, RateLimitSettings, ServerSettings, Settings,
};

/// The smallest auth secret accepted when Gremlin runs on PostgreSQL, in bytes.
pub const MIN_AUTH_SECRET_LEN: usize = 32;
