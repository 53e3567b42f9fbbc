//! What the invoices use cases need from storage. Every method takes the
//! tenant: a query that is not scoped to an organization cannot be written
//! against this trait.

use async_trait::async_trait;
use gremlin_kernel::inbox::HandledEvent;
use gremlin_kernel::numbering::{DocumentNumber, NumberFormat, NumberSeries};
use gremlin_kernel::{Currency, EventEnvelope, OrganizationId, Page};
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime};

use crate::model::{
    CreditNote, CreditNoteId, CreditNoteStatus, Customer, Invoice, InvoiceError, InvoiceId, InvoiceStatus,
};

/// Why a repository call failed.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    /// No such invoice in this organization.
    #[error("invoice not found")]
    NotFound,
    /// `If-Match` named another version (or a concurrent change won).
    #[error("the invoice was changed by someone else (version {current})")]
    VersionConflict {
        /// The version stored now.
        current: i64,
    },
    /// The change broke a rule of the model.
    #[error(transparent)]
    Invalid(#[from] InvoiceError),
    /// Storage failed.
    #[error(transparent)]
    Backend(#[from] anyhow::Error),
}

/// What a change asks of the repository besides the stored invoice.
#[derive(Debug, Clone, Default)]
pub struct ChangeRequest {
    /// Refuse with a conflict unless the invoice is at this version.
    pub expected_version: Option<i64>,
    /// Take the next number of this series, formed so, in the transaction.
    pub number: Option<(NumberSeries, NumberFormat)>,
    /// Read what the order's other invoices were paid (only events that
    /// carry an order's total need it).
    pub order_payments: bool,
}

impl ChangeRequest {
    /// A change of the invoice at `expected_version` (`None`: whatever it is).
    pub fn at(expected_version: Option<i64>) -> Self {
        Self { expected_version, ..Self::default() }
    }

    /// …that takes the next number of `series` in `format`.
    pub fn numbered(self, series: &NumberSeries, format: NumberFormat) -> Self {
        Self { number: Some((*series, format)), ..self }
    }

    /// …whose events carry the total paid on the invoice's order.
    pub fn with_order_payments(self) -> Self {
        Self { order_payments: true, ..self }
    }
}

/// What a change is given beyond the invoice, read in its transaction.
#[derive(Debug, Clone)]
pub struct ChangeContext {
    /// The number the change asked for (taken in the same transaction, so
    /// numbers stay gapless).
    pub number: Option<DocumentNumber>,
    /// For an invoice made from an order, when asked for: what the order's
    /// other invoices (not void) have been paid, so an event can carry the
    /// order's total. Zero otherwise.
    pub paid_on_order_elsewhere: Decimal,
    /// The time of the change, read once the number (if any) was taken:
    /// numbers of a series are in the order of their times.
    pub now: OffsetDateTime,
}

/// A change to one invoice, run inside the storing transaction: it gets the
/// invoice as stored and its [`ChangeContext`], and returns the events to
/// record with it.
pub type Change = Box<dyn FnOnce(&mut Invoice, ChangeContext) -> Result<Vec<EventEnvelope>, InvoiceError> + Send>;

/// Filters, sort and page of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceQuery {
    /// Only this status.
    pub status: Option<InvoiceStatus>,
    /// Only open invoices past their due date on this day.
    pub overdue_on: Option<Date>,
    /// Only this CRM customer.
    pub customer_crm_id: Option<uuid::Uuid>,
    /// Issued on or after.
    pub issued_from: Option<Date>,
    /// Issued on or before.
    pub issued_to: Option<Date>,
    /// Exactly this number.
    pub number: Option<String>,
    /// Made from this order.
    pub order_id: Option<uuid::Uuid>,
    /// Sort by number (drafts, which have none, last) instead of creation.
    pub sort_by_number: bool,
    /// Oldest first.
    pub ascending: bool,
    /// Page size, 1 to 200.
    pub limit: u32,
    /// From a previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Invoices storage.
#[async_trait]
pub trait InvoiceRepository: Send + Sync {
    /// Stores a new draft and its events.
    async fn create(&self, invoice: &Invoice, events: &[EventEnvelope]) -> Result<(), RepositoryError>;

    /// Stores a new draft made for an event, unless `handled` was claimed
    /// before (the same key delivered again): false then, and nothing is
    /// stored.
    async fn create_once(&self, invoice: &Invoice, handled: &HandledEvent) -> Result<bool, RepositoryError>;

    /// The invoice with its lines, payments and credit notes.
    async fn get(&self, organization: &OrganizationId, id: InvoiceId) -> Result<Option<Invoice>, RepositoryError>;

    /// Applies `change` to the stored invoice in one transaction, refused
    /// with a conflict when `request.expected_version` is given and differs
    /// or when another change lands first.
    async fn change(
        &self,
        organization: &OrganizationId,
        id: InvoiceId,
        request: ChangeRequest,
        change: Change,
    ) -> Result<Invoice, RepositoryError>;

    /// Deletes a draft at `expected_version`, recording `events`.
    async fn delete(
        &self,
        organization: &OrganizationId,
        id: InvoiceId,
        expected_version: i64,
        events: &[EventEnvelope],
    ) -> Result<(), RepositoryError>;

    /// A page of invoices, each complete.
    async fn list(&self, organization: &OrganizationId, query: &InvoiceQuery)
    -> Result<Page<Invoice>, RepositoryError>;
}

/// A credit note as its own list shows it: with the invoice it corrects.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditNoteEntry {
    /// The credit note.
    pub note: CreditNote,
    /// The invoice it corrects.
    pub invoice_id: InvoiceId,
    /// That invoice's number.
    pub invoice_number: String,
    /// The currency of every amount.
    pub currency: Currency,
    /// Who was billed.
    pub customer: Customer,
}

/// Filters and page of a credit-note list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreditNoteQuery {
    /// Only credit notes of this invoice.
    pub invoice_id: Option<InvoiceId>,
    /// Only this status.
    pub status: Option<CreditNoteStatus>,
    /// Oldest first.
    pub ascending: bool,
    /// Page size, 1 to 200.
    pub limit: u32,
    /// From a previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Credit notes, read on their own (they are written with their invoice).
#[async_trait]
pub trait CreditNoteReader: Send + Sync {
    /// One credit note of the organization.
    async fn get_credit_note(
        &self,
        organization: &OrganizationId,
        id: CreditNoteId,
    ) -> Result<Option<CreditNoteEntry>, RepositoryError>;

    /// A page of the organization's credit notes.
    async fn list_credit_notes(
        &self,
        organization: &OrganizationId,
        query: &CreditNoteQuery,
    ) -> Result<Page<CreditNoteEntry>, RepositoryError>;
}
