//! Invoices: an organization's invoices from draft to paid, with gapless
//! numbers given at finalization, payments, refunds and credit notes.
//!
//! `model` holds the pure rules (every status transition and amount rule,
//! unit- and property-tested); `store` keeps invoices in SQL through the
//! `ports` trait; `service` authorizes and runs a rule in one transaction
//! with its events (`events`); `api` is the HTTP surface; [`DOMAIN`] tells
//! the binary about all of it (`docs/new-domain.md`).
//!
//! Depends on the kernel only — never on identity or another domain.

pub mod api;
pub mod events;
pub mod migrations;
pub mod model;
pub mod pdf;
pub mod permissions;
pub mod ports;
pub mod service;
pub mod settings;
pub mod store;
mod wiring;

use gremlin_kernel::domain::{ApiDoc, Domain};

/// The name of this domain, as used by `--domains` and event sources.
pub const NAME: &str = "invoices";

/// Invoices, as registered with the binary.
pub const DOMAIN: Domain = Domain {
    name: NAME,
    path_prefix: "/api/invoices",
    permissions: permissions::GRANTS,
    api: ApiDoc::of::<api::Apis>(),
    migrations: migrations::migrations,
    wire: wiring::wire,
    events: events::CONTRACTS,
};
