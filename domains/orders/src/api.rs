//! The orders HTTP API under `/api/orders` (DESIGN.md §6): problem+json
//! errors, cursor pagination, `Idempotency-Key` on create, `ETag` on reads
//! and `If-Match` on every change. Callers are resolved through the kernel's
//! `PrincipalResolver`; the organization is the caller's, never the body's.

mod dto;
mod endpoints;
mod examples;

pub use endpoints::OrdersApi;
