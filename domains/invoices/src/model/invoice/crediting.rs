//! Credit notes on an invoice: what can still be credited, issuing one
//! (against the amount due first), and voiding one.

use gremlin_kernel::Money;
use gremlin_kernel::UserId;
use gremlin_kernel::pricing::{LinePrice, line_totals};
use gremlin_kernel::sql::at_storage_precision;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::{Invoice, InvoiceError, invalid, too_long};
use crate::model::credit_note::{
    CreditNote, CreditNoteId, CreditNoteStatus, CreditRequest, MAX_REASON_LEN, RemainderOutcome,
};
use crate::model::line::InvoiceLine;
use crate::model::status::{InvoiceAction, InvoiceStatus, TransitionError};

impl Invoice {
    /// What is left to credit on line `position` (its quantity less what
    /// issued credit notes took).
    fn creditable_quantity(&self, position: u32) -> Result<(&InvoiceLine, Decimal), InvoiceError> {
        let line = self.lines.iter().find(|l| l.position == position).ok_or(InvoiceError::NoSuchLine(position))?;
        let credited: Decimal = self
            .credit_notes
            .iter()
            .filter(|n| n.status == CreditNoteStatus::Issued)
            .flat_map(|n| &n.lines)
            .filter(|(p, _)| *p == position)
            .map(|(_, q)| *q)
            .sum();
        Ok((line, line.quantity - credited))
    }

    /// The total a credit request comes to, checked against what is left.
    fn credit_amount(&self, request: &CreditRequest) -> Result<Decimal, InvoiceError> {
        let amount = match request {
            CreditRequest::Amount(amount) => {
                if *amount <= Decimal::ZERO || !Money::new(*amount, self.currency).is_rounded() {
                    return Err(invalid("amount", "more than zero, in whole minor units of the currency"));
                }
                *amount
            }
            CreditRequest::Lines(lines) => {
                if lines.is_empty() {
                    return Err(invalid("lines", "name at least one line to credit"));
                }
                let mut total = Decimal::ZERO;
                for (i, (position, quantity)) in lines.iter().enumerate() {
                    if lines[..i].iter().any(|(p, _)| p == position) {
                        return Err(invalid(&format!("lines[{i}].position"), "each line once"));
                    }
                    let (line, left) = self.creditable_quantity(*position)?;
                    if *quantity <= Decimal::ZERO {
                        return Err(invalid(&format!("lines[{i}].quantity"), "more than zero"));
                    }
                    if *quantity > left {
                        return Err(InvoiceError::OverCredit { what: format!("line {position}"), left });
                    }
                    let price = LinePrice { quantity: *quantity, ..line.price() };
                    total += line_totals(&price, self.currency).total;
                }
                total
            }
        };
        let credited: Decimal = self.credit_notes.iter().map(CreditNote::counted_total).sum();
        let left = self.totals.grand_total - credited;
        if amount > left {
            return Err(InvoiceError::OverCredit { what: "the invoice".into(), left });
        }
        Ok(amount)
    }

    /// Issues a credit note numbered `number`. Its amount first reduces
    /// what is owed; the rest goes where `outcome` says (required then).
    #[allow(clippy::too_many_arguments)]
    pub fn issue_credit_note(
        &mut self,
        id: CreditNoteId,
        number: String,
        request: CreditRequest,
        outcome: Option<RemainderOutcome>,
        reason: Option<String>,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<&CreditNote, InvoiceError> {
        self.status.allows(InvoiceAction::Credit)?;
        if too_long(reason.as_deref(), MAX_REASON_LEN) {
            return Err(invalid("reason", "at most 1000 characters"));
        }
        let amount = self.credit_amount(&request)?;
        let applied_to_due = amount.min(self.amount_due());
        let remainder = amount - applied_to_due;
        let remainder_outcome = match (remainder.is_zero(), outcome) {
            (true, _) => None,
            (false, Some(outcome)) => Some(outcome),
            (false, None) => return Err(InvoiceError::RemainderOutcomeRequired { remainder }),
        };
        let index = self.credit_notes.len();
        self.credit_notes.push(CreditNote {
            id,
            number,
            status: CreditNoteStatus::Issued,
            lines: match request {
                CreditRequest::Lines(lines) => lines.into_iter().map(|(p, q)| (p, q.normalize())).collect(),
                CreditRequest::Amount(_) => Vec::new(),
            },
            amount,
            applied_to_due,
            remainder,
            remainder_outcome,
            reason,
            issued_at: at_storage_precision(now),
        });
        self.settle();
        self.touch(by, now);
        Ok(&self.credit_notes[index])
    }

    /// Voids a credit note that went entirely against the amount due; what
    /// it took off is owed again.
    pub fn void_credit_note(
        &mut self,
        id: CreditNoteId,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<&CreditNote, InvoiceError> {
        if self.status == InvoiceStatus::Void {
            return Err(TransitionError { from: self.status, action: InvoiceAction::Credit }.into());
        }
        let index = self.credit_notes.iter().position(|n| n.id == id).ok_or(InvoiceError::NoSuchCreditNote(id))?;
        let note = &self.credit_notes[index];
        let why = if note.status == CreditNoteStatus::Void {
            Some("it is already void")
        } else if !note.remainder.is_zero() {
            Some("part of it was refunded or kept as customer credit")
        } else {
            None
        };
        if let Some(why) = why {
            return Err(InvoiceError::CreditNoteFixed { number: note.number.clone(), why });
        }
        self.credit_notes[index].status = CreditNoteStatus::Void;
        self.settle();
        self.touch(by, now);
        Ok(&self.credit_notes[index])
    }
}
