//! Payments on an invoice: recording one (never more than is owed) and
//! refunding one in full.

use gremlin_kernel::sql::at_storage_precision;
use gremlin_kernel::{FieldError, Money, UserId};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::{Invoice, InvoiceError, check_text};
use crate::model::payment::{Payment, PaymentId, PaymentInput, Refund};
use crate::model::status::InvoiceAction;

impl Invoice {
    /// Records a payment; paying the whole amount due makes the invoice paid.
    pub fn record_payment(
        &mut self,
        id: PaymentId,
        input: PaymentInput,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<&Payment, InvoiceError> {
        self.status.allows(InvoiceAction::Pay)?;
        let mut errors = Vec::new();
        if input.amount <= Decimal::ZERO || !Money::new(input.amount, self.currency).is_rounded() {
            let places = self.currency.minor_units();
            errors.push(FieldError {
                field: "amount".into(),
                message: format!("more than zero, with at most {places} decimal places"),
            });
        }
        check_text("method", &input.method, &mut errors);
        if let Some(reference) = &input.reference {
            check_text("reference", reference, &mut errors);
        }
        if !errors.is_empty() {
            return Err(InvoiceError::Invalid(errors));
        }
        let due = self.amount_due();
        if input.amount > due {
            return Err(InvoiceError::Overpayment { amount: input.amount, due });
        }
        let index = self.payments.len();
        self.payments.push(Payment {
            id,
            amount: input.amount.normalize(),
            method: input.method.trim().to_owned(),
            reference: input.reference.map(|r| r.trim().to_owned()),
            received_at: at_storage_precision(input.received_at),
            refund: None,
        });
        self.settle();
        self.touch(by, now);
        Ok(&self.payments[index])
    }

    /// Refunds a payment in full; a paid invoice that owes again reopens.
    pub fn refund_payment(
        &mut self,
        payment: PaymentId,
        reason: &str,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<&Payment, InvoiceError> {
        self.status.allows(InvoiceAction::Refund)?;
        let mut errors = Vec::new();
        check_text("reason", reason, &mut errors);
        if !errors.is_empty() {
            return Err(InvoiceError::Invalid(errors));
        }
        let index = self.payments.iter().position(|p| p.id == payment).ok_or(InvoiceError::NoSuchPayment(payment))?;
        if self.payments[index].refund.is_some() {
            return Err(InvoiceError::AlreadyRefunded(payment));
        }
        self.payments[index].refund =
            Some(Refund { reason: reason.trim().to_owned(), refunded_at: at_storage_precision(now) });
        self.settle();
        self.touch(by, now);
        Ok(&self.payments[index])
    }
}
