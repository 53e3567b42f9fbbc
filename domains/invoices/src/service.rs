//! Invoices use cases: authorize the caller (`invoices:read`,
//! `invoices:write` for drafts, `invoices:manage` for everything after),
//! run the model's rule inside the repository's transaction, and record its
//! events with it. The organization always comes from the principal, never
//! from input.

use std::sync::Arc;

use gremlin_kernel::inbox::HandledEvent;
use gremlin_kernel::numbering::NumberSeries;
use gremlin_kernel::pricing::LinePrice;
use gremlin_kernel::{Currency, DomainError, EventEnvelope, FieldError, OrganizationId, Page, Principal, UserId};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::events::{self, ConfirmedOrderData, credit_note_event, invoice_event};
use crate::model::numbers::{CREDIT_NOTES, INVOICES};
use crate::model::{
    CreditNoteId, CreditRequest, Customer, Invoice, InvoiceError, InvoiceHeader, InvoiceId, InvoiceSettings,
    InvoiceStatus, LineInput, PaymentId, PaymentInput, PaymentTerms, RemainderOutcome,
};
use crate::permissions;
use crate::ports::{
    ChangeContext, ChangeRequest, CreditNoteEntry, CreditNoteQuery, CreditNoteReader, InvoiceQuery, InvoiceRepository,
    RepositoryError,
};
use crate::settings::SettingsStore;

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

/// Input of invoice creation; what it leaves out comes from the
/// organization's settings.
#[derive(Debug, Clone)]
pub struct NewInvoice {
    /// ISO 4217 code.
    pub currency: String,
    /// Who is billed.
    pub customer: Customer,
    /// Shown above the lines.
    pub memo: Option<String>,
    /// Shown at the bottom (absent: the settings' footer).
    pub footer: Option<String>,
    /// A JSON object for integrations.
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Payment terms (absent: the settings' default terms).
    pub terms: Option<PaymentTerms>,
    /// Lines.
    pub lines: Vec<LineInput>,
    /// The order it bills, if any.
    pub order_id: Option<uuid::Uuid>,
}

/// Who made a draft from a confirmed order: Gremlin itself.
pub const SYSTEM_ACTOR: &str = "system";

/// The invoices use cases.
#[derive(Clone)]
pub struct InvoiceService {
    repo: Arc<dyn InvoiceRepository>,
    credit_notes: Arc<dyn CreditNoteReader>,
    settings: SettingsStore,
}

/// A change of the model inside the repository's transaction, with the
/// context it was given.
type Apply = Box<dyn FnOnce(&mut Invoice, &ChangeContext) -> Result<Vec<EventEnvelope>, InvoiceError> + Send>;

impl InvoiceService {
    /// A service over `repo` (invoices and their credit notes) and the
    /// organizations' `settings`.
    pub fn new<R: InvoiceRepository + CreditNoteReader + 'static>(repo: Arc<R>, settings: SettingsStore) -> Self {
        Self { repo: repo.clone(), credit_notes: repo, settings }
    }

    async fn settings_of(&self, organization: &OrganizationId) -> Result<InvoiceSettings, DomainError> {
        self.settings.get(organization).await.map_err(DomainError::Backend)
    }

    /// Creates a draft (`invoices:write`); it has no number until finalized.
    pub async fn create(&self, principal: &Principal, input: NewInvoice) -> Result<Invoice, DomainError> {
        principal.require(&permissions::WRITE)?;
        let currency = Currency::parse(&input.currency).map_err(|e| DomainError::Invalid {
            errors: vec![FieldError { field: "currency".into(), message: e.to_string() }],
        })?;
        let defaults = if input.terms.is_none() || input.footer.is_none() {
            Some(self.settings_of(&principal.organization_id).await?)
        } else {
            None
        };
        let header = InvoiceHeader {
            customer: input.customer,
            memo: input.memo,
            footer: input.footer.or_else(|| defaults.as_ref().and_then(|d| d.footer.clone())),
            metadata: input.metadata,
            terms: input.terms.or(defaults.map(|d| d.default_terms)).unwrap_or_default(),
        };
        let invoice = Invoice::draft(
            InvoiceId::generate(),
            principal.organization_id.clone(),
            currency,
            header,
            &input.lines,
            input.order_id,
            principal.user_id.clone(),
            OffsetDateTime::now_utc(),
        )?;
        self.repo.create(&invoice, &[]).await?;
        Ok(invoice)
    }

    /// Makes a draft from a confirmed order when the organization drafts
    /// invoices from orders, once per order however often the event comes
    /// (`handled` is keyed by the order). `None`: nothing was made (the
    /// setting is off, or the order was drafted before).
    pub async fn draft_from_order(
        &self,
        organization: &OrganizationId,
        order: ConfirmedOrderData,
        handled: &HandledEvent,
    ) -> Result<Option<Invoice>, DomainError> {
        let settings = self.settings_of(organization).await?;
        if !settings.draft_from_orders {
            return Ok(None);
        }
        let currency = Currency::parse(&order.currency).map_err(|e| DomainError::invalid("currency", e.to_string()))?;
        let customer = order.customer.map_or_else(Customer::default, |c| Customer {
            crm_id: c.contact_id,
            name: c.name.unwrap_or_default(),
            email: c.email,
            address: Vec::new(),
        });
        let lines: Vec<LineInput> = order
            .lines
            .unwrap_or_default()
            .into_iter()
            .map(|l| LineInput {
                description: l.description.filter(|d| !d.trim().is_empty()).unwrap_or_else(|| l.sku.clone()),
                sku: Some(l.sku),
                price: LinePrice {
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    discount: l.discount.map(Into::into),
                    tax_rate: l.tax_rate.unwrap_or_default(),
                },
            })
            .collect();
        let header = InvoiceHeader {
            customer,
            memo: Some(format!("Order {}", order.number)),
            footer: settings.footer,
            metadata: serde_json::Map::new(),
            terms: settings.default_terms,
        };
        let invoice = Invoice::draft(
            InvoiceId::generate(),
            organization.clone(),
            currency,
            header,
            &lines,
            Some(order.order_id),
            UserId::new(SYSTEM_ACTOR),
            OffsetDateTime::now_utc(),
        )?;
        Ok(self.repo.create_once(&invoice, handled).await?.then_some(invoice))
    }

    /// One invoice (`invoices:read`); another organization's is "not found".
    pub async fn get(&self, principal: &Principal, id: InvoiceId) -> Result<Invoice, DomainError> {
        principal.require(&permissions::READ)?;
        self.repo.get(&principal.organization_id, id).await?.ok_or_else(|| DomainError::not_found("invoice"))
    }

    /// The PDF of an invoice (`invoices:read`; a draft prints as a
    /// preview), with the organization's seller details; rendered on the
    /// blocking pool.
    pub async fn pdf(&self, principal: &Principal, id: InvoiceId) -> Result<(Invoice, Vec<u8>), DomainError> {
        let invoice = self.get(principal, id).await?;
        let seller = self.settings_of(&principal.organization_id).await?.seller;
        let rendered = tokio::task::spawn_blocking(move || {
            let pdf = crate::pdf::render(&invoice, &seller);
            (invoice, pdf)
        })
        .await
        .map_err(|e| DomainError::Backend(anyhow::anyhow!("the PDF renderer stopped: {e}")))?;
        match rendered {
            (invoice, Ok(pdf)) => Ok((invoice, pdf)),
            (_, Err(e)) => Err(DomainError::Backend(anyhow::anyhow!(e))),
        }
    }

    /// A page of invoices (`invoices:read`).
    pub async fn list(&self, principal: &Principal, query: &InvoiceQuery) -> Result<Page<Invoice>, DomainError> {
        principal.require(&permissions::READ)?;
        Ok(self.repo.list(&principal.organization_id, query).await?)
    }

    /// One credit note with its invoice's header (`invoices:read`).
    pub async fn credit_note(&self, principal: &Principal, id: CreditNoteId) -> Result<CreditNoteEntry, DomainError> {
        principal.require(&permissions::READ)?;
        self.credit_notes
            .get_credit_note(&principal.organization_id, id)
            .await?
            .ok_or_else(|| DomainError::not_found("credit note"))
    }

    /// A page of credit notes (`invoices:read`).
    pub async fn credit_notes(
        &self,
        principal: &Principal,
        query: &CreditNoteQuery,
    ) -> Result<Page<CreditNoteEntry>, DomainError> {
        principal.require(&permissions::READ)?;
        Ok(self.credit_notes.list_credit_notes(&principal.organization_id, query).await?)
    }

    /// The organization's invoicing settings (`invoices:read`).
    pub async fn settings(&self, principal: &Principal) -> Result<InvoiceSettings, DomainError> {
        principal.require(&permissions::READ)?;
        self.settings_of(&principal.organization_id).await
    }

    /// Replaces the organization's invoicing settings (`invoices:manage`);
    /// numbers already given keep their prefix.
    pub async fn put_settings(
        &self,
        principal: &Principal,
        settings: InvoiceSettings,
    ) -> Result<InvoiceSettings, DomainError> {
        principal.require(&permissions::MANAGE)?;
        settings.check().map_err(|errors| DomainError::Invalid { errors })?;
        self.settings.put(&principal.organization_id, &settings).await.map_err(DomainError::Backend)?;
        Ok(settings)
    }

    async fn change(
        &self,
        principal: &Principal,
        id: InvoiceId,
        request: ChangeRequest,
        apply: Apply,
    ) -> Result<Invoice, DomainError> {
        let change = Box::new(move |invoice: &mut Invoice, context: ChangeContext| apply(invoice, &context));
        Ok(self.repo.change(&principal.organization_id, id, request, change).await?)
    }

    /// The next number of `series` as the organization forms it, for a
    /// document issued now.
    async fn numbered(
        &self,
        principal: &Principal,
        expected_version: i64,
        series: &NumberSeries,
    ) -> Result<ChangeRequest, DomainError> {
        let settings = self.settings_of(&principal.organization_id).await?;
        let format = settings.number_format(series, OffsetDateTime::now_utc().year());
        Ok(ChangeRequest::at(Some(expected_version)).numbered(series, format))
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
        let apply: Apply = Box::new(move |invoice, context| {
            invoice.edit(header, lines.as_deref(), by, context.now)?;
            Ok(Vec::new())
        });
        self.change(principal, id, ChangeRequest::at(Some(expected_version)), apply).await
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
        let request = self.numbered(principal, expected_version, &INVOICES).await?.with_order_payments();
        let by = principal.user_id.clone();
        let apply: Apply = Box::new(move |invoice, context| {
            let number = context.number.as_ref().map(ToString::to_string).unwrap_or_default();
            invoice.finalize(number, context.now.date(), by, context.now)?;
            let mut recorded = vec![invoice_event(&events::FINALIZED, invoice, None, context.paid_on_order_elsewhere)];
            if invoice.status == InvoiceStatus::Paid {
                recorded.push(invoice_event(&events::PAID, invoice, None, context.paid_on_order_elsewhere));
            }
            Ok(recorded)
        });
        self.change(principal, id, request, apply).await
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
            invoice.void(by, context.now)?;
            Ok(vec![invoice_event(&events::VOIDED, invoice, None, context.paid_on_order_elsewhere)])
        });
        self.change(principal, id, ChangeRequest::at(Some(expected_version)).with_order_payments(), apply).await
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
            invoice.mark_uncollectible(by, context.now)?;
            Ok(vec![invoice_event(&events::MARKED_UNCOLLECTIBLE, invoice, None, Decimal::ZERO)])
        });
        self.change(principal, id, ChangeRequest::at(Some(expected_version)), apply).await
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
            let payment = invoice.record_payment(PaymentId::generate(), input, by, context.now)?.clone();
            let contract = if invoice.status == InvoiceStatus::Paid { &events::PAID } else { &events::PARTIALLY_PAID };
            Ok(vec![invoice_event(contract, invoice, Some(&payment), context.paid_on_order_elsewhere)])
        });
        self.change(principal, id, ChangeRequest::at(Some(expected_version)).with_order_payments(), apply).await
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
            let refunded = invoice.refund_payment(payment, &reason, by, context.now)?.clone();
            Ok(vec![invoice_event(
                &events::PAYMENT_REFUNDED,
                invoice,
                Some(&refunded),
                context.paid_on_order_elsewhere,
            )])
        });
        self.change(principal, id, ChangeRequest::at(Some(expected_version)).with_order_payments(), apply).await
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
        let change_request = self.numbered(principal, expected_version, &CREDIT_NOTES).await?.with_order_payments();
        let by = principal.user_id.clone();
        let apply: Apply = Box::new(move |invoice, context| {
            let number = context.number.as_ref().map(ToString::to_string).unwrap_or_default();
            let was_paid = invoice.status == InvoiceStatus::Paid;
            let note = invoice
                .issue_credit_note(CreditNoteId::generate(), number, request, outcome, reason, by, context.now)?
                .clone();
            let mut recorded = vec![credit_note_event(&events::CREDIT_NOTE_ISSUED, invoice, &note)];
            if !was_paid && invoice.status == InvoiceStatus::Paid {
                recorded.push(invoice_event(&events::PAID, invoice, None, context.paid_on_order_elsewhere));
            }
            Ok(recorded)
        });
        self.change(principal, id, change_request, apply).await
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
        let apply: Apply = Box::new(move |invoice, context| {
            let voided = invoice.void_credit_note(note, by, context.now)?.clone();
            Ok(vec![credit_note_event(&events::CREDIT_NOTE_VOIDED, invoice, &voided)])
        });
        self.change(principal, id, ChangeRequest::at(Some(expected_version)), apply).await
    }
}
