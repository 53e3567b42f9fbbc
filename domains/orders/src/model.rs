//! The order model, pure: no I/O, no storage or HTTP types. Every rule is
//! unit-tested here; totals and numbering have property tests.

pub mod line;
pub mod number;
pub mod order;
pub mod status;
pub mod totals;

pub use line::{Discount, LineInput, OrderLine};
pub use number::{NumberPrefix, OrderNumber};
pub use order::{Customer, Order, OrderId};
pub use status::{OrderAction, OrderStatus, PaymentStatus, TransitionError};
pub use totals::{LineTotals, OrderTotals};
