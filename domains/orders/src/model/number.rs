//! Order numbers: the kernel's gapless per-organization numbering, in the
//! `orders` series (`SO-000123` until an organization picks its prefix).

use gremlin_kernel::numbering::{DocumentNumber, NumberSeries};

pub use gremlin_kernel::numbering::NumberPrefix;

/// The orders' number series.
pub const SERIES: NumberSeries = NumberSeries { name: "orders", default_prefix: "SO-" };

/// An order's number.
pub type OrderNumber = DocumentNumber;
