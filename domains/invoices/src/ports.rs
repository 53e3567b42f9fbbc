//! What the invoices use cases need from storage. Every method takes the
//! tenant: a query that is not scoped to an organization cannot be written
//! against this trait.

use async_trait::async_trait;
use gremlin_kernel::numbering::{DocumentNumber, NumberSeries};
use gremlin_kernel::{EventEnvelope, OrganizationId, Page};
use rust_decimal::Decimal;
use time::Date;

use crate::model::{Invoice, InvoiceError, InvoiceId, InvoiceStatus};

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

/// What a change may need beyond the invoice, read in its transaction.
#[derive(Debug, Clone, Default)]
pub struct ChangeContext {
    /// The next number of the series the change asked for (taken in the
    /// same transaction, so numbers stay gapless).
    pub number: Option<DocumentNumber>,
    /// For an invoice made from an order: what the order's other invoices
    /// (not void) have been paid, so an event can carry the order's total.
    pub paid_on_order_elsewhere: Decimal,
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

    /// The invoice with its lines, payments and credit notes.
    async fn get(&self, organization: &OrganizationId, id: InvoiceId) -> Result<Option<Invoice>, RepositoryError>;

    /// Applies `change` to the stored invoice in one transaction, refused
    /// with a conflict when `expected_version` is given and differs or when
    /// another change lands first.
    async fn change(
        &self,
        organization: &OrganizationId,
        id: InvoiceId,
        expected_version: Option<i64>,
        series: Option<&NumberSeries>,
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
