//! Invoice and credit note numbers: the kernel's gapless per-organization
//! numbering, one series each, so credit notes never take an invoice's
//! number (`INV-000123`, `CN-000007` until an organization picks prefixes).

use gremlin_kernel::numbering::NumberSeries;

/// Invoices, numbered at finalization.
pub const INVOICES: NumberSeries = NumberSeries { name: "invoices", default_prefix: "INV-" };

/// Credit notes, numbered when issued.
pub const CREDIT_NOTES: NumberSeries = NumberSeries { name: "credit_notes", default_prefix: "CN-" };
