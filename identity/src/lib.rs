//! Identity: users, e-mail + password sign-in, sessions, service JWTs —
//! with Better Auth's HTTP API (under `/api/auth`), tables and token
//! formats, so Better Auth clients and databases work with Gremlin.
//!
//! The only writer of users and sessions. Depends on the kernel, never on
//! a business domain. Layout: `model` (pure rules), `crypto` (tokens,
//! password hashes, JWT), `ports` (what the service needs from storage),
//! `store` (the sea-orm adapter), `service` (use cases), `api`
//! (poem-openapi endpoints), `events` (what it publishes).
//! Differences from Better Auth are written down in `docs/identity.md`.

pub mod api;
pub mod audit;
pub mod crypto;
pub mod error;
pub mod events;
pub mod model;
pub mod ports;
pub mod service;
pub mod settings;
pub mod store;
pub mod verifier;

pub use api::IdentityApi;
pub use error::{AuthError, ErrorCode};
pub use service::IdentityService;
pub use settings::IdentitySettings;

/// The name of this domain, as used by `--domains` and event sources.
pub const DOMAIN: &str = "identity";
