//! Payments received against an invoice, and their refunds.

use gremlin_kernel::entity_id;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

entity_id!(
    /// A payment's id (UUIDv7).
    PaymentId
);

/// Longest payment method, reference or refund reason.
pub const MAX_TEXT_LEN: usize = 200;

/// A payment as a client records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentInput {
    /// Amount received in the invoice currency, more than zero, at most
    /// the amount due.
    pub amount: Decimal,
    /// How it was paid (`bank_transfer`, `card`, `cash`, …): 1 to 200 characters.
    pub method: String,
    /// The bank or processor reference, if any (at most 200 characters).
    pub reference: Option<String>,
    /// When the money arrived.
    pub received_at: OffsetDateTime,
}

/// Money given back for a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    /// Why: 1 to 200 characters.
    pub reason: String,
    /// When it was recorded.
    pub refunded_at: OffsetDateTime,
}

/// A payment recorded on an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// Id.
    pub id: PaymentId,
    /// Amount received.
    pub amount: Decimal,
    /// How it was paid.
    pub method: String,
    /// Bank or processor reference.
    pub reference: Option<String>,
    /// When the money arrived.
    pub received_at: OffsetDateTime,
    /// Set once the payment has been refunded in full.
    pub refund: Option<Refund>,
}

impl Payment {
    /// What still counts towards the invoice: the amount, or zero once refunded.
    pub fn counted(&self) -> Decimal {
        if self.refund.is_some() { Decimal::ZERO } else { self.amount }
    }
}
