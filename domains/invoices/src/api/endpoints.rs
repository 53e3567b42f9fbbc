//! The endpoints. Each takes the [`Caller`] (authenticated, in one
//! organization); changes of the invoice itself take [`IfMatch`]; every
//! POST takes an `Idempotency-Key`. The kernel's HTTP kit answers
//! 401/403/428/412 before the body runs.

use std::future::Future;

use gremlin_kernel::http::{
    Caller, Created, Deleted, Idempotency, IdempotencyKey, IfMatch, Operation, Resource, SortDirection, Tagged,
};
use gremlin_kernel::{DomainError, ProblemResponse};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, OpenApi, Tags};
use time::{Date, OffsetDateTime};

use super::dto::*;
use super::settings::{InvoiceSettingsBody, InvoiceSettingsDto};
use crate::model::{
    CreditNoteId, CreditRequest, Invoice, InvoiceHeader, InvoiceId, InvoiceStatus, LineInput, PaymentId, PaymentInput,
    PaymentTerms,
};
use crate::ports::InvoiceQuery;
use crate::service::{InvoiceService, NewInvoice};

type Result<T> = std::result::Result<T, ProblemResponse>;

#[derive(Tags)]
enum InvoicesTag {
    /// Invoices of the caller's organization, their payments and credit notes.
    Invoices,
}

/// An invoice as a PDF document.
#[derive(Debug, ApiResponse)]
pub enum PdfResponse {
    /// The PDF (A4), named after the invoice number.
    #[oai(status = 200, content_type = "application/pdf")]
    Ok(Binary<Vec<u8>>, #[oai(header = "Content-Disposition")] String),
}

/// The invoices API.
pub struct InvoicesApi {
    service: InvoiceService,
    idempotency: Idempotency,
}

fn parse_id(id: &str) -> std::result::Result<InvoiceId, DomainError> {
    id.parse().map_err(|_| DomainError::not_found("invoice"))
}

fn respond(invoice: &Invoice) -> Tagged<InvoiceDto> {
    Tagged::at(InvoiceDto::from(invoice), invoice.version)
}

pub(super) fn terms(net_days: u16) -> std::result::Result<PaymentTerms, DomainError> {
    PaymentTerms::net(net_days).ok_or_else(|| DomainError::invalid("net_days", "0 to 365 days"))
}

impl InvoicesApi {
    /// The API over `service`, keeping `Idempotency-Key` records in `idempotency`.
    pub fn new(service: InvoiceService, idempotency: Idempotency) -> Self {
        Self { service, idempotency }
    }
}

#[OpenApi(prefix_path = "/api/invoices", tag = "InvoicesTag::Invoices")]
impl InvoicesApi {
    /// Create an invoice.
    ///
    /// Create a draft invoice (`invoices:write`); it gets its number when
    /// finalized. With `Idempotency-Key`, a repeat with the same body
    /// returns the first draft; another body is 422.
    #[oai(path = "/", method = "post", operation_id = "invoices.create")]
    async fn create(
        &self,
        caller: Caller,
        body: Json<CreateInvoiceBody>,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Created<InvoiceDto>> {
        let input = body.0;
        let request = input.to_json();
        let new = NewInvoice {
            currency: input.currency,
            customer: input.customer.map(Into::into).unwrap_or_default(),
            memo: input.memo,
            footer: input.footer,
            metadata: input.metadata.into_iter().collect(),
            terms: input.net_days.map(terms).transpose()?,
            lines: input.lines.into_iter().map(LineInput::from).collect(),
            order_id: input.order_id,
        };
        let invoice = self.keyed(&caller, &key, "invoices.create", request, self.service.create(&caller, new)).await?;
        Ok(Created::at(InvoiceDto::from(&invoice), invoice.version, format!("/api/invoices/{}", invoice.id)))
    }

    /// Get the invoicing settings.
    ///
    /// How the organization numbers invoices and credit notes, what new
    /// drafts start with, its seller details and whether confirmed orders
    /// become drafts (`invoices:read`); defaults until they are saved.
    #[oai(path = "/settings", method = "get", operation_id = "invoices.get_settings")]
    async fn get_settings(&self, caller: Caller) -> Result<Json<InvoiceSettingsDto>> {
        Ok(Json(InvoiceSettingsDto::from(&self.service.settings(&caller).await?)))
    }

    /// Replace the invoicing settings.
    ///
    /// Replace the organization's invoicing settings as a whole
    /// (`invoices:manage`). New prefixes apply to the next numbers; numbers
    /// given keep theirs.
    #[oai(path = "/settings", method = "put", operation_id = "invoices.put_settings")]
    async fn put_settings(&self, caller: Caller, body: Json<InvoiceSettingsBody>) -> Result<Json<InvoiceSettingsDto>> {
        let settings = body.0.into_settings()?;
        Ok(Json(InvoiceSettingsDto::from(&self.service.put_settings(&caller, settings).await?)))
    }

    /// Get an invoice.
    ///
    /// One invoice of the caller's organization (`invoices:read`) with its
    /// lines, tax breakdown, payments and credit notes, and its ETag.
    #[oai(path = "/:id", method = "get", operation_id = "invoices.get")]
    async fn get(&self, caller: Caller, id: Path<String>) -> Result<Tagged<InvoiceDto>> {
        Ok(respond(&self.service.get(&caller, parse_id(&id.0)?).await?))
    }

    /// Get an invoice as PDF.
    ///
    /// The invoice as an A4 PDF (`invoices:read`): the seller from the
    /// settings, the customer, number and dates, lines, tax by rate, totals,
    /// payments, credits, amount due and footer. A draft prints as a
    /// preview titled "Draft invoice", without number or dates.
    #[oai(path = "/:id/pdf", method = "get", operation_id = "invoices.get_pdf")]
    async fn get_pdf(&self, caller: Caller, id: Path<String>) -> Result<PdfResponse> {
        let (invoice, pdf) = self.service.pdf(&caller, parse_id(&id.0)?).await?;
        let name = invoice.number.unwrap_or_else(|| format!("draft-{}", invoice.id)).replace('/', "-");
        Ok(PdfResponse::Ok(Binary(pdf), format!("inline; filename=\"{name}.pdf\"")))
    }

    /// List invoices.
    ///
    /// A page of invoices (`invoices:read`): filters, sort by `created` or
    /// `number` (finalized invoices only), cursor pagination.
    #[oai(path = "/", method = "get", operation_id = "invoices.list")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        caller: Caller,
        /// Page size, 1-200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Only invoices in this status.
        status: Query<Option<InvoiceStatus>>,
        /// Only open invoices past their due date (today, UTC).
        overdue: Query<Option<bool>>,
        /// Only invoices of this CRM customer.
        customer_id: Query<Option<uuid::Uuid>>,
        /// Only invoices issued on or after this date.
        issued_from: Query<Option<Date>>,
        /// Only invoices issued on or before this date.
        issued_to: Query<Option<Date>>,
        /// Only the invoice with this number (`INV-000123`).
        number: Query<Option<String>>,
        /// Only invoices of this order.
        order_id: Query<Option<uuid::Uuid>>,
        /// Sort key (default `created`).
        sort: Query<Option<InvoiceSort>>,
        /// Sort direction (default `desc`).
        direction: Query<Option<SortDirection>>,
    ) -> Result<Json<InvoicePage>> {
        let query = InvoiceQuery {
            status: status.0,
            overdue_on: overdue.0.unwrap_or(false).then(|| OffsetDateTime::now_utc().date()),
            customer_crm_id: customer_id.0,
            issued_from: issued_from.0,
            issued_to: issued_to.0,
            number: number.0,
            order_id: order_id.0,
            sort_by_number: sort.0.unwrap_or_default() == InvoiceSort::Number,
            ascending: direction.0.unwrap_or_default().is_ascending(),
            limit: limit.0.unwrap_or(50),
            cursor: cursor.0,
        };
        Ok(Json(self.service.list(&caller, &query).await?.into()))
    }

    /// Update a draft invoice.
    ///
    /// Replace a draft's header, and its lines when given (`invoices:write`).
    #[oai(path = "/:id", method = "patch", operation_id = "invoices.update")]
    async fn update(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<UpdateInvoiceBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Tagged<InvoiceDto>> {
        let body = body.0;
        let header = InvoiceHeader {
            customer: body.customer.map(Into::into).unwrap_or_default(),
            memo: body.memo,
            footer: body.footer,
            metadata: body.metadata.into_iter().collect(),
            terms: body.net_days.map(terms).transpose()?.unwrap_or_default(),
        };
        let lines = body.lines.map(|lines| lines.into_iter().map(LineInput::from).collect());
        let updated = self.service.update(&caller, parse_id(&id.0)?, if_match.version(), Some(header), lines).await?;
        Ok(respond(&updated))
    }

    /// Delete a draft invoice.
    ///
    /// Delete a draft (`invoices:write`); finalized invoices are voided instead.
    #[oai(path = "/:id", method = "delete", operation_id = "invoices.delete")]
    async fn delete(
        &self,
        caller: Caller,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Deleted> {
        self.service.delete(&caller, parse_id(&id.0)?, if_match.version()).await?;
        Ok(Deleted::Deleted)
    }

    /// Finalize an invoice.
    ///
    /// Give a draft the organization's next invoice number, issue it today
    /// and set its due date from its terms (`invoices:manage`). It is then
    /// locked: corrections go through credit notes.
    #[oai(path = "/:id/finalize", method = "post", operation_id = "invoices.finalize")]
    async fn finalize(
        &self,
        caller: Caller,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<InvoiceDto>> {
        let request = change_request(&id.0, if_match, None);
        let change = self.service.finalize(&caller, parse_id(&id.0)?, if_match.version());
        Ok(respond(&self.keyed(&caller, &key, "invoices.finalize", request, change).await?))
    }

    /// Void an invoice.
    ///
    /// Void an open or uncollectible invoice with no payments standing
    /// (`invoices:manage`); its number stays used.
    #[oai(path = "/:id/void", method = "post", operation_id = "invoices.void")]
    async fn void(
        &self,
        caller: Caller,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<InvoiceDto>> {
        let request = change_request(&id.0, if_match, None);
        let change = self.service.void(&caller, parse_id(&id.0)?, if_match.version());
        Ok(respond(&self.keyed(&caller, &key, "invoices.void", request, change).await?))
    }

    /// Mark an invoice uncollectible.
    ///
    /// Write off an open invoice (`invoices:manage`); it can still be paid
    /// or voided.
    #[oai(path = "/:id/mark-uncollectible", method = "post", operation_id = "invoices.mark_uncollectible")]
    async fn mark_uncollectible(
        &self,
        caller: Caller,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<InvoiceDto>> {
        let request = change_request(&id.0, if_match, None);
        let change = self.service.mark_uncollectible(&caller, parse_id(&id.0)?, if_match.version());
        Ok(respond(&self.keyed(&caller, &key, "invoices.mark_uncollectible", request, change).await?))
    }

    /// Record a payment.
    ///
    /// Record money received against an open or uncollectible invoice
    /// (`invoices:manage`) at the version the caller read; more than the
    /// amount due is refused (409).
    /// Paying the whole amount due makes the invoice paid.
    #[oai(path = "/:id/payments", method = "post", operation_id = "invoices.record_payment")]
    async fn record_payment(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<PaymentBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<InvoiceDto>> {
        let body = body.0;
        let request = change_request(&id.0, if_match, body.to_json());
        let input = PaymentInput {
            amount: body.amount,
            method: body.method,
            reference: body.reference,
            received_at: body.received_at.unwrap_or_else(OffsetDateTime::now_utc),
        };
        let change = self.service.record_payment(&caller, parse_id(&id.0)?, if_match.version(), input);
        Ok(respond(&self.keyed(&caller, &key, "invoices.record_payment", request, change).await?))
    }

    /// Refund a payment.
    ///
    /// Give a payment back in full, with a reason (`invoices:manage`); a
    /// paid invoice that owes again reopens.
    #[oai(path = "/:id/payments/:payment_id/refund", method = "post", operation_id = "invoices.refund_payment")]
    async fn refund_payment(
        &self,
        caller: Caller,
        id: Path<String>,
        payment_id: Path<String>,
        body: Json<RefundBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<InvoiceDto>> {
        let refund = serde_json::json!({"payment": payment_id.0, "body": body.0.to_json()});
        let request = change_request(&id.0, if_match, Some(refund));
        let payment: PaymentId = payment_id.0.parse().map_err(|_| DomainError::not_found("payment"))?;
        let change = self.service.refund_payment(&caller, parse_id(&id.0)?, if_match.version(), payment, body.0.reason);
        Ok(respond(&self.keyed(&caller, &key, "invoices.refund_payment", request, change).await?))
    }

    /// Issue a credit note.
    ///
    /// Credit some line quantities or an amount of a finalized invoice
    /// (`invoices:manage`), numbered in the credit notes' own series. It
    /// reduces what is owed first; the rest is refunded or kept as customer
    /// credit, as `remainder_outcome` says.
    #[oai(path = "/:id/credit-notes", method = "post", operation_id = "invoices.issue_credit_note")]
    async fn issue_credit_note(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<CreditNoteBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<InvoiceDto>> {
        let body = body.0;
        let request = change_request(&id.0, if_match, body.to_json());
        let credit = match (body.lines, body.amount) {
            (Some(lines), None) => CreditRequest::Lines(lines.into_iter().map(|l| (l.position, l.quantity)).collect()),
            (None, Some(amount)) => CreditRequest::Amount(amount),
            _ => return Err(DomainError::invalid("lines", "give either lines or amount").into()),
        };
        let id = parse_id(&id.0)?;
        let change = self.service.issue_credit_note(
            &caller,
            id,
            if_match.version(),
            credit,
            body.remainder_outcome,
            body.reason,
        );
        Ok(respond(&self.keyed(&caller, &key, "invoices.issue_credit_note", request, change).await?))
    }

    /// Void a credit note.
    ///
    /// Void a credit note that went entirely against the amount due
    /// (`invoices:manage`); what it took off is owed again.
    #[oai(path = "/:id/credit-notes/:credit_note_id/void", method = "post", operation_id = "invoices.void_credit_note")]
    async fn void_credit_note(
        &self,
        caller: Caller,
        id: Path<String>,
        credit_note_id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<InvoiceDto>> {
        let note = serde_json::json!({"credit_note": credit_note_id.0});
        let request = change_request(&id.0, if_match, Some(note));
        let note: CreditNoteId = credit_note_id.0.parse().map_err(|_| DomainError::not_found("credit note"))?;
        let change = self.service.void_credit_note(&caller, parse_id(&id.0)?, if_match.version(), note);
        Ok(respond(&self.keyed(&caller, &key, "invoices.void_credit_note", request, change).await?))
    }
}

impl InvoicesApi {
    /// Runs a create or change at most once per `Idempotency-Key`; a
    /// replay answers the invoice as it is now.
    async fn keyed(
        &self,
        caller: &Caller,
        key: &IdempotencyKey,
        operation_id: &str,
        request: Option<serde_json::Value>,
        work: impl Future<Output = std::result::Result<Invoice, DomainError>>,
    ) -> std::result::Result<Invoice, DomainError> {
        let operation = Operation { domain: crate::NAME, operation_id, organization: &caller.organization_id };
        let read = |id: String| async move { self.service.get(caller, parse_id(&id)?).await };
        self.idempotency.run(operation, key, &request, work, read).await
    }
}

/// What identifies a change for its idempotency fingerprint: the invoice,
/// the version it was made against and the body.
fn change_request(id: &str, if_match: IfMatch, body: Option<serde_json::Value>) -> Option<serde_json::Value> {
    Some(serde_json::json!({ "id": id, "if_match": if_match.version(), "body": body }))
}

impl Resource for Invoice {
    const KIND: &'static str = "invoice";

    fn resource_id(&self) -> String {
        self.id.to_string()
    }
}
