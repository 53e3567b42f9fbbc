//! The invoices HTTP API under `/api/invoices` (DESIGN.md §6): problem+json
//! errors, cursor pagination, `Idempotency-Key` on every POST, `ETag` on
//! reads and `If-Match` on every change of the invoice itself. Payments and
//! credit notes are part of their invoice.

mod dto;
mod endpoints;
mod examples;

pub use endpoints::InvoicesApi;
