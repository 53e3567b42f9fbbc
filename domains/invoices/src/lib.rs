//! Invoices: an organization's invoices from draft to paid, with gapless
//! numbers given at finalization, payments, refunds and credit notes.
//!
//! `model` holds the pure rules (every status transition and amount rule,
//! unit- and property-tested); `store` keeps invoices in SQL through the
//! `ports` trait. The service, API and events build on them the way
//! orders' do (`docs/new-domain.md`).
//!
//! Depends on the kernel only — never on identity or another domain.

pub mod migrations;
pub mod model;
pub mod permissions;
pub mod ports;
pub mod store;

/// The name of this domain, as used by `--domains` and event sources.
pub const NAME: &str = "invoices";
