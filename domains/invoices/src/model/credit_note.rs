//! Credit notes: corrections of a finalized invoice, numbered in their own
//! gapless series (`CN-…`).
//!
//! A credit note credits some lines (a quantity of each, priced as on the
//! invoice) or a plain amount (tax included). Its total first reduces what
//! is still owed; whatever exceeds that — the customer had already paid —
//! is given back as a refund or kept as customer credit, which the client
//! chooses. Only a credit note that went entirely against the amount due
//! can be voided: money that left cannot be un-given by a status change.

use gremlin_kernel::entity_id;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

entity_id!(
    /// A credit note's id (UUIDv7).
    CreditNoteId
);

/// Longest reason on a credit note.
pub const MAX_REASON_LEN: usize = 1000;

/// What happens to the part of a credit that exceeds the amount due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum RemainderOutcome {
    /// Paid back to the customer.
    Refund,
    /// Kept as the customer's balance for later invoices.
    CustomerCredit,
}

/// A credit note's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum CreditNoteStatus {
    /// In force.
    Issued,
    /// Cancelled; its number stays used.
    Void,
}

/// What a client asks to credit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreditRequest {
    /// Quantities of invoice lines, by 1-based position.
    Lines(Vec<(u32, Decimal)>),
    /// A plain amount, tax included, more than zero.
    Amount(Decimal),
}

/// A credit note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNote {
    /// Id.
    pub id: CreditNoteId,
    /// Human number, unique in the organization (`CN-000001`).
    pub number: String,
    /// Issued or void.
    pub status: CreditNoteStatus,
    /// Credited lines (position and quantity); empty for a plain amount.
    pub lines: Vec<(u32, Decimal)>,
    /// Its total, tax included.
    pub amount: Decimal,
    /// The part that reduced the amount due.
    pub applied_to_due: Decimal,
    /// The rest, beyond what was owed.
    pub remainder: Decimal,
    /// What happened to the remainder (set when it is more than zero).
    pub remainder_outcome: Option<RemainderOutcome>,
    /// Why it was issued.
    pub reason: Option<String>,
    /// When it was issued.
    pub issued_at: OffsetDateTime,
}

impl CreditNote {
    /// What it still takes off the amount due.
    pub fn counted(&self) -> Decimal {
        if self.status == CreditNoteStatus::Issued { self.applied_to_due } else { Decimal::ZERO }
    }

    /// What it still credits in all.
    pub fn counted_total(&self) -> Decimal {
        if self.status == CreditNoteStatus::Issued { self.amount } else { Decimal::ZERO }
    }
}
