//! The order model, pure: no I/O, no storage or HTTP types. Every rule is
//! unit-tested here. Line amounts and numbering are the kernel's
//! (`gremlin_kernel::pricing`, `gremlin_kernel::numbering`), shared with
//! every selling document.

pub mod line;
pub mod number;
pub mod order;
pub mod status;

pub use gremlin_kernel::pricing::{DocumentTotals as OrderTotals, LineTotals};
pub use line::{Discount, LineInput, OrderLine};
pub use number::{NumberPrefix, OrderNumber};
pub use order::{Customer, Order, OrderId};
pub use status::{OrderAction, OrderStatus, PaymentStatus, TransitionError};
