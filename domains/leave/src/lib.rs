//! Leave management: leave types, holiday calendars, allocations,
//! requests with half days, approvals, an append-only ledger and a team
//! calendar, multi-tenant by organization.
//!
//! `model` holds the pure rules, unit- and property-tested. Depends on
//! the kernel only — never on identity or another domain.

pub mod model;

/// The name of this domain, as used by `--domains` and event sources.
pub const NAME: &str = "leave";
