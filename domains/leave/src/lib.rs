//! Leave management: leave types, allocations, requests with half days,
//! approvals and an append-only ledger, multi-tenant by organization.
//!
//! `model` holds the pure rules (counting days, the request rules, who
//! decides, balances from the ledger, accrual and roll-over arithmetic,
//! holiday imports), unit- and property-tested; `store` keeps it in SQL;
//! `service` authorizes and runs a rule in one transaction with its ledger
//! line and events (`events`); `api` is the HTTP surface under
//! `/api/leave`; [`DOMAIN`] tells the binary about all of it
//! (`docs/leave.md`).
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
pub const NAME: &str = "leave";

/// Leave management, as registered with the binary.
pub const DOMAIN: Domain = Domain {
    name: NAME,
    path_prefix: "/api/leave",
    permissions: permissions::GRANTS,
    api: ApiDoc::of::<api::Apis>(),
    migrations: migrations::migrations,
    wire: wiring::wire,
    events: events::CONTRACTS,
};
