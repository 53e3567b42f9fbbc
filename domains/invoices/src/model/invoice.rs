//! The invoice aggregate: header, lines, payments and credit notes, and the
//! rules for changing them. Every change checks the status first, keeps
//! the amounts consistent, settles the status (nothing owed on an open or
//! uncollectible invoice → paid; something owed again on a paid one →
//! open) and bumps `version` for optimistic concurrency.

use gremlin_kernel::pricing::{DocumentTotals, document_totals};
use gremlin_kernel::sql::at_storage_precision;
use gremlin_kernel::{Currency, FieldError, OrganizationId, UserId, entity_id};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::credit_note::{CreditNote, CreditNoteId};
use super::line::{InvoiceLine, LineInput, TaxBreakdown, price_lines, tax_breakdown};
use super::payment::{MAX_TEXT_LEN, Payment, PaymentId};
use super::status::{InvoiceAction, InvoiceStatus, TransitionError};
use super::terms::PaymentTerms;

entity_id!(
    /// An invoice's id (UUIDv7).
    InvoiceId
);

/// Longest memo or footer.
pub const MAX_TEXT_BLOCK_LEN: usize = 4000;
/// Longest customer name, e-mail or address line.
pub const MAX_CUSTOMER_FIELD_LEN: usize = 200;
/// Most address lines.
pub const MAX_ADDRESS_LINES: usize = 6;

/// Who is billed, as they were when the invoice was made.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Customer {
    /// The CRM contact, if known.
    pub crm_id: Option<uuid::Uuid>,
    /// Name on the invoice; required to finalize.
    pub name: String,
    /// Where the invoice is sent.
    pub email: Option<String>,
    /// Billing address, one line each (at most 6).
    pub address: Vec<String>,
}

/// What a draft's editable header holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InvoiceHeader {
    /// Who is billed.
    pub customer: Customer,
    /// Shown above the lines.
    pub memo: Option<String>,
    /// Shown at the bottom (bank details, legal notes).
    pub footer: Option<String>,
    /// A JSON object for integrations.
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// When it falls due after issue.
    pub terms: PaymentTerms,
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceError {
    /// The status does not allow it.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// Some fields are invalid.
    #[error("invalid invoice: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// More than is owed.
    #[error("the payment of {amount} exceeds the amount due of {due}: record at most the amount due")]
    Overpayment {
        /// The payment offered.
        amount: Decimal,
        /// What is owed.
        due: Decimal,
    },
    /// Voiding needs every payment refunded first.
    #[error("the invoice has {paid} in payments: refund them before voiding it")]
    HasPayments {
        /// Payments not refunded.
        paid: Decimal,
    },
    /// No such payment on this invoice.
    #[error("the invoice has no payment {0}")]
    NoSuchPayment(PaymentId),
    /// The payment was already refunded.
    #[error("payment {0} has already been refunded")]
    AlreadyRefunded(PaymentId),
    /// No line at this position.
    #[error("the invoice has no line {0}")]
    NoSuchLine(u32),
    /// More credit than the invoice (or a line) has left.
    #[error("{what} can be credited at most {left} more")]
    OverCredit {
        /// The invoice, or the line.
        what: String,
        /// What is left to credit.
        left: Decimal,
    },
    /// The credit exceeds what is owed and the client did not say where the rest goes.
    #[error("{remainder} of the credit exceeds the amount due: say whether it is refunded or kept as customer credit")]
    RemainderOutcomeRequired {
        /// The part beyond the amount due.
        remainder: Decimal,
    },
    /// No such credit note on this invoice.
    #[error("the invoice has no credit note {0}")]
    NoSuchCreditNote(CreditNoteId),
    /// The credit note cannot be voided.
    #[error("credit note {number} cannot be voided: {why}")]
    CreditNoteFixed {
        /// Its number.
        number: String,
        /// Why not.
        why: &'static str,
    },
}

/// An invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// Id.
    pub id: InvoiceId,
    /// The tenant.
    pub organization_id: OrganizationId,
    /// Human number, given at finalization (`INV-2026-000123`).
    pub number: Option<String>,
    /// Where it stands.
    pub status: InvoiceStatus,
    /// Who is billed.
    pub customer: Customer,
    /// Currency of every amount.
    pub currency: Currency,
    /// Lines, in position order.
    pub lines: Vec<InvoiceLine>,
    /// Sums of the lines.
    pub totals: DocumentTotals,
    /// Shown above the lines.
    pub memo: Option<String>,
    /// Shown at the bottom.
    pub footer: Option<String>,
    /// JSON object for integrations.
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// The order it bills, if any.
    pub order_id: Option<uuid::Uuid>,
    /// Payment terms.
    pub terms: PaymentTerms,
    /// Set at finalization.
    pub issue_date: Option<Date>,
    /// Issue date + terms.
    pub due_date: Option<Date>,
    /// When it was finalized (numbers follow this order).
    pub finalized_at: Option<OffsetDateTime>,
    /// Payments, in the order recorded.
    pub payments: Vec<Payment>,
    /// Credit notes, in the order issued.
    pub credit_notes: Vec<CreditNote>,
    /// Who created it.
    pub created_by: UserId,
    /// Who changed it last.
    pub updated_by: UserId,
    /// When created.
    pub created_at: OffsetDateTime,
    /// When changed last.
    pub updated_at: OffsetDateTime,
    /// Incremented by every change; the ETag.
    pub version: i64,
}

fn too_long(text: Option<&str>, max: usize) -> bool {
    text.is_some_and(|t| t.chars().count() > max)
}

fn check_header(header: &InvoiceHeader) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut push =
        |field: &str, message: &str| errors.push(FieldError { field: field.into(), message: message.into() });
    let customer = &header.customer;
    if customer.name.chars().count() > MAX_CUSTOMER_FIELD_LEN {
        push("customer.name", "at most 200 characters");
    }
    if too_long(customer.email.as_deref(), MAX_CUSTOMER_FIELD_LEN)
        || customer.email.as_ref().is_some_and(|e| !e.contains('@'))
    {
        push("customer.email", "an e-mail address of at most 200 characters");
    }
    if customer.address.len() > MAX_ADDRESS_LINES
        || customer.address.iter().any(|l| l.chars().count() > MAX_CUSTOMER_FIELD_LEN)
    {
        push("customer.address", "at most 6 lines of at most 200 characters");
    }
    if too_long(header.memo.as_deref(), MAX_TEXT_BLOCK_LEN) {
        push("memo", "at most 4000 characters");
    }
    if too_long(header.footer.as_deref(), MAX_TEXT_BLOCK_LEN) {
        push("footer", "at most 4000 characters");
    }
    errors
}

fn check_text(field: &str, text: &str, errors: &mut Vec<FieldError>) {
    if text.trim().is_empty() || text.chars().count() > MAX_TEXT_LEN {
        errors.push(FieldError { field: field.into(), message: "1 to 200 characters".into() });
    }
}

fn invalid(field: &str, message: impl Into<String>) -> InvoiceError {
    InvoiceError::Invalid(vec![FieldError { field: field.into(), message: message.into() }])
}

impl Invoice {
    /// A new draft. Fails with every invalid field named.
    #[allow(clippy::too_many_arguments)]
    pub fn draft(
        id: InvoiceId,
        organization_id: OrganizationId,
        currency: Currency,
        header: InvoiceHeader,
        lines: &[LineInput],
        order_id: Option<uuid::Uuid>,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<Self, InvoiceError> {
        let mut errors = check_header(&header);
        let lines = match price_lines(lines, currency) {
            Ok(lines) => lines,
            Err(line_errors) => {
                errors.extend(line_errors);
                Vec::new()
            }
        };
        if !errors.is_empty() {
            return Err(InvoiceError::Invalid(errors));
        }
        let now = at_storage_precision(now);
        let totals = document_totals(lines.iter().map(|l| &l.totals));
        Ok(Self {
            id,
            organization_id,
            number: None,
            status: InvoiceStatus::Draft,
            customer: header.customer,
            currency,
            lines,
            totals,
            memo: header.memo,
            footer: header.footer,
            metadata: header.metadata,
            order_id,
            terms: header.terms,
            issue_date: None,
            due_date: None,
            finalized_at: None,
            payments: Vec::new(),
            credit_notes: Vec::new(),
            created_by: by.clone(),
            updated_by: by,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }

    /// Payments not refunded.
    pub fn amount_paid(&self) -> Decimal {
        self.payments.iter().map(Payment::counted).sum()
    }

    /// The part of issued credit notes that reduced what is owed.
    pub fn amount_credited(&self) -> Decimal {
        self.credit_notes.iter().map(CreditNote::counted).sum()
    }

    /// What the customer still owes: total − paid − credited, never negative.
    pub fn amount_due(&self) -> Decimal {
        if matches!(self.status, InvoiceStatus::Void) {
            return Decimal::ZERO;
        }
        (self.totals.grand_total - self.amount_paid() - self.amount_credited()).max(Decimal::ZERO)
    }

    /// Open and past its due date on `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.status == InvoiceStatus::Open && self.due_date.is_some_and(|due| today > due)
    }

    /// Taxable amounts and taxes per rate.
    pub fn tax_breakdown(&self) -> Vec<TaxBreakdown> {
        tax_breakdown(&self.lines)
    }

    fn touch(&mut self, by: UserId, now: OffsetDateTime) {
        self.updated_by = by;
        self.updated_at = at_storage_precision(now);
        self.version += 1;
    }

    /// Open or uncollectible with nothing owed → paid; paid with something
    /// owed again → open.
    fn settle(&mut self) {
        let due = self.amount_due();
        match self.status {
            InvoiceStatus::Open | InvoiceStatus::Uncollectible if due.is_zero() => self.status = InvoiceStatus::Paid,
            InvoiceStatus::Paid if !due.is_zero() => self.status = InvoiceStatus::Open,
            _ => {}
        }
    }

    /// Replaces the header and/or the lines of a draft.
    pub fn edit(
        &mut self,
        header: Option<InvoiceHeader>,
        lines: Option<&[LineInput]>,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<(), InvoiceError> {
        self.status.allows(InvoiceAction::Edit)?;
        let mut errors = header.as_ref().map(check_header).unwrap_or_default();
        let priced = match lines.map(|l| price_lines(l, self.currency)).transpose() {
            Ok(priced) => priced,
            Err(line_errors) => {
                errors.extend(line_errors);
                None
            }
        };
        if !errors.is_empty() {
            return Err(InvoiceError::Invalid(errors));
        }
        if let Some(header) = header {
            self.customer = header.customer;
            self.memo = header.memo;
            self.footer = header.footer;
            self.metadata = header.metadata;
            self.terms = header.terms;
        }
        if let Some(lines) = priced {
            self.totals = document_totals(lines.iter().map(|l| &l.totals));
            self.lines = lines;
        }
        self.touch(by, now);
        Ok(())
    }

    /// Checks that the draft may be deleted.
    pub fn ensure_deletable(&self) -> Result<(), InvoiceError> {
        Ok(self.status.allows(InvoiceAction::Delete)?)
    }

    /// Checks that the draft can be finalized: it has lines and a customer name.
    pub fn ensure_finalizable(&self) -> Result<(), InvoiceError> {
        self.status.allows(InvoiceAction::Finalize)?;
        let mut errors = Vec::new();
        if self.lines.is_empty() {
            errors.push(FieldError { field: "lines".into(), message: "an invoice needs at least one line".into() });
        }
        if self.customer.name.trim().is_empty() {
            errors.push(FieldError { field: "customer.name".into(), message: "an invoice names its customer".into() });
        }
        if errors.is_empty() { Ok(()) } else { Err(InvoiceError::Invalid(errors)) }
    }

    /// draft → open with `number`, issued on `issued` and due by the terms.
    /// An invoice totalling zero is paid at once.
    pub fn finalize(
        &mut self,
        number: String,
        issued: Date,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<(), InvoiceError> {
        self.ensure_finalizable()?;
        self.number = Some(number);
        self.issue_date = Some(issued);
        self.due_date = Some(self.terms.due_date(issued));
        self.finalized_at = Some(at_storage_precision(now));
        self.status = InvoiceStatus::Open;
        self.settle();
        self.touch(by, now);
        Ok(())
    }

    /// open/uncollectible → void; refused while payments stand.
    pub fn void(&mut self, by: UserId, now: OffsetDateTime) -> Result<(), InvoiceError> {
        self.status.allows(InvoiceAction::Void)?;
        let paid = self.amount_paid();
        if !paid.is_zero() {
            return Err(InvoiceError::HasPayments { paid });
        }
        self.status = InvoiceStatus::Void;
        self.touch(by, now);
        Ok(())
    }

    /// open → uncollectible.
    pub fn mark_uncollectible(&mut self, by: UserId, now: OffsetDateTime) -> Result<(), InvoiceError> {
        self.status.allows(InvoiceAction::MarkUncollectible)?;
        self.status = InvoiceStatus::Uncollectible;
        self.touch(by, now);
        Ok(())
    }
}

mod crediting;
mod paying;
#[cfg(test)]
mod tests;
