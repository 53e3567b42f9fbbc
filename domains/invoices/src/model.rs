//! The invoice model, pure: no I/O, no storage or HTTP types. Line amounts
//! are the kernel's (`gremlin_kernel::pricing`), so an invoice made from an
//! order totals what the order did.
//!
//! Amounts: `total` is the sum of the lines; `amount_paid` the payments not
//! refunded; `amount_credited` the part of issued credit notes that reduced
//! what the customer owes. `amount_due = total − amount_paid −
//! amount_credited`, never negative.

pub mod credit_note;
pub mod invoice;
pub mod line;
pub mod numbers;
pub mod payment;
pub mod settings;
pub mod status;
pub mod terms;

pub use credit_note::{CreditNote, CreditNoteId, CreditNoteStatus, CreditRequest, RemainderOutcome};
pub use invoice::{Customer, Invoice, InvoiceError, InvoiceHeader, InvoiceId};
pub use line::{InvoiceLine, LineInput, TaxBreakdown};
pub use payment::{Payment, PaymentId, PaymentInput, Refund};
pub use settings::{InvoiceSettings, Seller};
pub use status::{InvoiceAction, InvoiceStatus, TransitionError};
pub use terms::PaymentTerms;
