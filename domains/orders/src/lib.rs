//! Orders: sales orders of an organization, from draft to fulfilment, with
//! payment status driven by invoice events. The first business domain and
//! the pattern the others follow (see DESIGN.md §1): `model` holds the pure
//! rules; storage, service, API and events build on it.
//!
//! Depends on the kernel only — never on identity or another domain.

pub mod api;
pub mod events;
pub mod model;
pub mod ports;
pub mod service;
pub mod store;

/// The name of this domain, as used by `--domains` and event sources.
pub const DOMAIN: &str = "orders";
