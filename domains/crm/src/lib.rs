//! CRM: an organization's companies, people and deals, each owned by a
//! member, soft-deleted and restorable, with every field change kept on
//! the record's timeline.
//!
//! `model` holds the pure rules (field normalization, duplicates keys,
//! field changes, delete and restore), unit- and property-tested; `store`
//! keeps records in SQL through the `ports` traits; `service` authorizes
//! and runs a rule in one transaction with its events (`events`); `api` is
//! the HTTP surface under `/api/crm`; [`DOMAIN`] tells the binary about
//! all of it (`docs/new-domain.md`, `docs/crm.md`).
//!
//! Depends on the kernel only — never on identity or another domain.

pub mod api;
pub mod events;
pub mod migrations;
pub mod model;
pub mod permissions;
pub mod ports;
pub mod service;
pub mod store;
mod wiring;

use gremlin_kernel::domain::{ApiDoc, Domain};

/// The name of this domain, as used by `--domains` and event sources.
pub const NAME: &str = "crm";

/// CRM, as registered with the binary.
pub const DOMAIN: Domain = Domain {
    name: NAME,
    path_prefix: "/api/crm",
    permissions: permissions::GRANTS,
    api: ApiDoc::of::<api::Apis>(),
    migrations: migrations::migrations,
    wire: wiring::wire,
    events: events::CONTRACTS,
};
