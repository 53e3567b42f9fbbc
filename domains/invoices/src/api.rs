//! The invoices HTTP API under `/api/invoices` and `/api/credit-notes`
//! (DESIGN.md §6): problem+json errors, cursor pagination,
//! `Idempotency-Key` on every POST, `ETag` on reads and `If-Match` on every
//! change of an invoice. Payments and credit notes are changed through
//! their invoice; credit notes are also listed on their own.

mod credit_notes;
mod dto;
mod endpoints;
mod examples;
mod settings;

pub use credit_notes::CreditNotesApi;
pub use endpoints::InvoicesApi;

/// Every invoices API, as one: what the domain registers and routes.
pub type Apis = (InvoicesApi, CreditNotesApi);

/// The invoices APIs over `service`.
pub fn apis(service: crate::service::InvoiceService, idempotency: gremlin_kernel::http::Idempotency) -> Apis {
    (InvoicesApi::new(service.clone(), idempotency), CreditNotesApi::new(service))
}
