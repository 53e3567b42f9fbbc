//! The pure rules of leave management: counting days (working week,
//! holidays, half days), leave type policies, the checks a request must
//! pass and who decides it, the ledger and balances computed from it, and
//! the arithmetic of monthly accrual, the yearly roll-over and holiday
//! imports. No I/O.

pub mod accrual;
pub mod days;
pub mod feed;
pub mod ical;
pub mod leave_type;
pub mod ledger;
pub mod request;
#[cfg(test)]
mod simulation;

pub use days::{DayPart, Holiday, Holidays, Schedule, Span, WorkingWeek};
pub use leave_type::{Accrual, LeavePolicy, Unit};
pub use ledger::{Balance, Entry, EntryKind, balance};
pub use request::{Actor, Context, Denied, Neighbour, Refusal, Rule, Status};
