//! Invoices use cases: authorize the caller (`invoices:read`,
//! `invoices:write` for drafts, `invoices:manage` for everything after),
//! run the model's rule inside the repository's transaction, and record its
//! events with it. The organization always comes from the principal, never
//! from input.

use std::sync::Arc;

use gremlin_kernel::{Currency, DomainError, EventEnvelope, FieldError, Page, Principal};
use time::OffsetDateTime;

use crate::events::{self, credit_note_event, invoice_event};
use crate::model::numbers::{CREDIT_NOTES, INVOICES};
use crate::model::{
    CreditNoteId, CreditRequest, Invoice, InvoiceError, InvoiceHeader, InvoiceId, InvoiceStatus, LineInput, PaymentId,
    PaymentInput, RemainderOutcome,
};
use crate::permissions;
use crate::ports::{ChangeContext, InvoiceQuery, InvoiceRepository, RepositoryError};

impl From<RepositoryError> for DomainError {
    fn from(e: RepositoryError) -> Self {
        match e {
            RepositoryError::NotFound => DomainError::not_found("invoice"),
            RepositoryError::VersionConflict { current } => DomainError::PreconditionFailed {
                detail: format!("the invoice changed; its current version is {current}"),
            },
            RepositoryError::Invalid(e) => e.into(),
            RepositoryError::Backend(e) => DomainError::Backend(e),
        }
    }
}

impl From<InvoiceError> for DomainError {
    fn from(e: InvoiceError) -> Self {
        match e {
            InvoiceError::Invalid(errors) => DomainError::Invalid { errors },
            InvoiceError::NoSuchPayment(_) => DomainError::not_found("payment"),
            InvoiceError::NoSuchCreditNote(_) => DomainError::not_found("credit note"),
            InvoiceError::NoSuchLine(position) => {
                DomainError::invalid("lines", format!("the invoice has no line {position}"))
            }
            other => DomainError::Conflict { detail: other.to_string() },
        }
    }
}

/// Input of invoice creation.
#[derive(Debug, Clone)]
pub struct NewInvoice {
    /// ISO 4217 code.
    pub currency: String,
    /// Header fields.
    pub header: InvoiceHeader,
    /// Lines.
    pub lines: Vec<LineInput>,
    /// The order it bills, if any.
    pub order_id: Option<uuid::Uuid>,
}

/// The invoices use cases.
#[derive(Clone)]
pub struct InvoiceService {
    repo: Arc<dyn InvoiceRepository>,
}

/// A change of the model inside the repository's transaction, with the
/// context it was given.
type Apply = Box<dyn FnOnce(&mut Invoice, &ChangeContext) -> Result<Vec<EventEnvelope>, InvoiceError> + Send>;

impl InvoiceService {
    /// A service over `repo`.
    pub fn new(repo: Arc<dyn InvoiceRepository>) -> Self {
        Self { repo }
    }

    /// Creates a draft (`invoices:write`); it has no number until finalized.
    pub async fn create(&self, principal: &Principal, input: NewInvoice) -> Result<Invoice, DomainError> {
        principal.require(&permissions::WRITE)?;
        let currency = Currency::parse(&input.currency).map_err(|e| DomainError::Invalid {
            errors: vec![FieldError { field: "currency".into(), message: e.to_string() }],
        })?;
        let invoice = Invoice::draft(
            InvoiceId::generate(),
            principal.organization_id.clone(),
            currency,
            input.header,
            &input.lines,
            input.order_id,
            principal.user_id.clone(),
            OffsetDateTime::now_utc(),
        )?;
        self.repo.create(&invoice, &[]).await?;
        Ok(invoice)
    }

    /// One invoice (`invoices:read`); another organization's is "not found".
    pub async fn get(&self, principal: &Principal, id: InvoiceId) -> Result<Invoice, DomainError> {
        principal.require(&permissions::READ)?;
        self.repo.get(&principal.organization_id, id).await?.ok_or_else(|| DomainError::not_found("invoice"))
    }

    /// A page of invoices (`invoices:read`).
    pub async fn list(&self, principal: &Principal, query: &InvoiceQuery) -> Result<Page<Invoice>, DomainError> {
        principal.require(&permissions::READ)?;
        Ok(self.repo.list(&principal.organization_id, query).await?)
    }

    async fn change(
        &self,
        principal: &Principal,
        id: InvoiceId,
        expected_version: Option<i64>,
        numbered: bool,
        apply: Apply,
    ) -> Result<Invoice, DomainError> {
        let series = numbered.then_some(&INVOICES);
        let change = Box::new(move |invoice: &mut Invoice, context: ChangeContext| apply(invoice, &context));
        Ok(self.repo.change(&principal.organization_id, id, expected_version, series, change).await?)
    }

    /// Replaces a draft's header and/or lines (`invoices:write`).
    pub async fn update(
        &self,
        principal: &Principal,
        id: InvoiceId,
        expected_version: i64,
        header: Option<InvoiceHeader>,
        lines: Option<Vec<LineInput>>,
    ) -> Result<Invoice, DomainError> {
        principal.require(&permissions::WRITE)?;
        let by = principal.user_id.clone();
        let apply: Apply = Box::new(move |invoice, _| {
            invoice.edit(header, lines.as_deref(), by, OffsetDateTime::now_utc())?;
            Ok(Vec::new())
        });
        self.change(principal, id, Some(expected_version), false, apply).await
    }

    /// Deletes a draft (`invoices:write`).
    pub async fn delete(&self, principal: &Principal, id: InvoiceId, expected_version: i64) -> Result<(), DomainError> {
        principal.require(&permissions::WRITE)?;
        let invoice = self.get(principal, id).await?;
        invoice.ensure_deletable()?;
        Ok(self.repo.delete(&principal.organization_id, id, expected_version, &[]).await?)
    }

    /// Finalizes a draft (`invoices:manage`): the organization's next
    /// invoice number, issued today (UTC), due by its terms.
    pub async fn finalize(
        &self,
        principal: &Principal,
        id: InvoiceId,
        expected_version: i64,
    ) -> Result<Invoice, DomainError> {
        principal.require(&permissions::MANAGE)?;
        let by = principal.user_id.clone();
        let apply: Apply = Box::new(move |invoice, context| {
            let number = context.number.as_ref().map(ToString::to_string).unwrap_or_default();
            let now = OffsetDateTime::now_utc();
            invoice.finalize(number, now.date(), by, now)?;
            let mut recorded = vec![invoice_event(&events::FINALIZED, invoice, None, context.paid_on_order_elsewhere)];
            if invoice.status == InvoiceStatus::Paid {
                recorded.push(invoice_event(&events::PAID, invoice, None, context.paid_on_order_elsewhere));
            }
            Ok(recorded)
        });
        self.change(principal, id, Some(expected_version), true, apply).await
    }

    /// Voids an open or uncollectible invoice without payments (`invoices:manage`).
    pub async fn void(
        &self,
        principal: &Principal,
        id: InvoiceId,
        expected_version: i64,
    ) -> Result<Invoice, DomainError> {
        principal.require(&permissions::MANAGE)?;
        let by = principal.user_id.clone();
        let apply: Apply = Box::new(move |invoice, context| {
            invoice.void(by, OffsetDateTime::now_utc())?;
            Ok(vec![invoice_event(&events::VOIDED, invoice, None, context.paid_on_order_elsewhere)])
        });
        self.change(principal, id, Some(expected_version), false, apply).await
    }

    /// Marks an open invoice as uncollectible (`invoices:manage`).
    pub async fn mark_uncollectible(
        &self,
        principal: &Principal,
        id: InvoiceId,
        expected_version: i64,
    ) -> Result<Invoice, DomainError> {
        principal.require(&permissions::MANAGE)?;
        let by = principal.user_id.clone();
        let apply: Apply = Box::new(move |invoice, context| {
            invoice.mark_uncollectible(by, OffsetDateTime::now_utc())?;
            Ok(vec![invoice_event(&events::MARKED_UNCOLLECTIBLE, invoice, None, context.paid_on_order_elsewhere)])
        });
        self.change(principal, id, Some(expected_version), false, apply).await
    }

    /// Records a payment (`invoices:manage`) against the invoice at
    /// `expected_version`; payments are serialized by the version, so
    /// together they never exceed the amount due.
    pub async fn record_payment(
        &self,
        principal: &Principal,
        id: InvoiceId,
        expected_version: i64,
        input: PaymentInput,
    ) -> Result<Invoice, DomainError> {
        principal.require(&permissions::MANAGE)?;
        let by = principal.user_id.clone();
        let apply: Apply = Box::new(move |invoice, context| {
            let payment = invoice.record_payment(PaymentId::generate(), input, by, OffsetDateTime::now_utc())?.clone();
            let contract = if invoice.status == InvoiceStatus::Paid { &events::PAID } else { &events::PARTIALLY_PAID };
            Ok(vec![invoice_event(contract, invoice, Some(&payment), context.paid_on_order_elsewhere)])
        });
        self.change(principal, id, Some(expected_version), false, apply).await
    }

    /// Refunds a payment in full (`invoices:manage`).
    pub async fn refund_payment(
        &self,
        principal: &Principal,
        id: InvoiceId,
        expected_version: i64,
        payment: PaymentId,
        reason: String,
    ) -> Result<Invoice, DomainError> {
        principal.require(&permissions::MANAGE)?;
        let by = principal.user_id.clone();
        let apply: Apply = Box::new(move |invoice, context| {
            let refunded = invoice.refund_payment(payment, &reason, by, OffsetDateTime::now_utc())?.clone();
            Ok(vec![invoice_event(
                &events::PAYMENT_REFUNDED,
                invoice,
                Some(&refunded),
                context.paid_on_order_elsewhere,
            )])
        });
        self.change(principal, id, Some(expected_version), false, apply).await
    }

    /// Issues a credit note numbered in its own series (`invoices:manage`).
    pub async fn issue_credit_note(
        &self,
        principal: &Principal,
        id: InvoiceId,
        expected_version: i64,
        request: CreditRequest,
        outcome: Option<RemainderOutcome>,
        reason: Option<String>,
    ) -> Result<Invoice, DomainError> {
        principal.require(&permissions::MANAGE)?;
        let by = principal.user_id.clone();
        let change = Box::new(move |invoice: &mut Invoice, context: ChangeContext| {
            let number = context.number.as_ref().map(ToString::to_string).unwrap_or_default();
            let was_paid = invoice.status == InvoiceStatus::Paid;
            let note = invoice
                .issue_credit_note(
                    CreditNoteId::generate(),
                    number,
                    request,
                    outcome,
                    reason,
                    by,
                    OffsetDateTime::now_utc(),
                )?
                .clone();
            let mut recorded = vec![credit_note_event(&events::CREDIT_NOTE_ISSUED, invoice, &note)];
            if !was_paid && invoice.status == InvoiceStatus::Paid {
                recorded.push(invoice_event(&events::PAID, invoice, None, context.paid_on_order_elsewhere));
            }
            Ok(recorded)
        });
        let version = Some(expected_version);
        Ok(self.repo.change(&principal.organization_id, id, version, Some(&CREDIT_NOTES), change).await?)
    }

    /// Voids a credit note that went entirely against the amount due (`invoices:manage`).
    pub async fn void_credit_note(
        &self,
        principal: &Principal,
        id: InvoiceId,
        expected_version: i64,
        note: CreditNoteId,
    ) -> Result<Invoice, DomainError> {
        principal.require(&permissions::MANAGE)?;
        let by = principal.user_id.clone();
        let apply: Apply = Box::new(move |invoice, _| {
            let voided = invoice.void_credit_note(note, by, OffsetDateTime::now_utc())?.clone();
            Ok(vec![credit_note_event(&events::CREDIT_NOTE_VOIDED, invoice, &voided)])
        });
        self.change(principal, id, Some(expected_version), false, apply).await
    }
}
