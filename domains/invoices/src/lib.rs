//! Invoices: an organization's invoices from draft to paid, with gapless
//! numbers given at finalization, payments, refunds and credit notes.
//!
//! This first step is the pure model (`model`): every status transition
//! and amount rule, unit- and property-tested. Storage, service, API and
//! events build on it the way orders' do (`docs/new-domain.md`).
//!
//! Depends on the kernel only — never on identity or another domain.

pub mod model;

/// The name of this domain, as used by `--domains` and event sources.
pub const NAME: &str = "invoices";
