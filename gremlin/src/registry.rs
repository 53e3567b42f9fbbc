//! The business domains compiled into this binary: one line each, behind
//! the domain's Cargo feature. Everything else — the routes mounted, the
//! OpenAPI document, the event consumers, the migration sets, `--domains`
//! and the feature-build checks — is derived from this list (see
//! `docs/new-domain.md`). Identity is the platform every domain stands on
//! and is wired beside them ([`crate::domains`]).

use gremlin_kernel::Domain;

/// Every business domain compiled in, in the order they are migrated and
/// documented.
pub const DOMAINS: &[&Domain] = &[
    #[cfg(feature = "orders")]
    &gremlin_orders::DOMAIN,
    #[cfg(feature = "invoices")]
    &gremlin_invoices::DOMAIN,
    #[cfg(feature = "crm")]
    &gremlin_crm::DOMAIN,
    #[cfg(feature = "leave")]
    &gremlin_leave::DOMAIN,
    #[cfg(feature = "toy-domain")]
    &crate::toy::DOMAIN,
];
