//! Orders: sales orders of an organization, from draft to fulfilment, with
//! payment status driven by invoice events. The first business domain and
//! the pattern the others follow (see `docs/new-domain.md`): `model` holds
//! the pure rules; storage, service, API and events build on it, and
//! [`DOMAIN`] tells the binary about all of it.
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
pub const NAME: &str = "orders";

/// Orders, as registered with the binary.
pub const DOMAIN: Domain = Domain {
    name: NAME,
    path_prefix: "/api/orders",
    permissions: permissions::GRANTS,
    api: ApiDoc::of::<api::OrdersApi>(),
    migrations: migrations::migrations,
    wire: wiring::wire,
    events: events::CONTRACTS,
};
