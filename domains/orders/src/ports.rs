//! What the orders use cases need from storage. Every method takes the
//! tenant: a query that is not scoped to an organization cannot be written
//! against this trait.

use async_trait::async_trait;
use gremlin_kernel::inbox::HandledEvent;
use gremlin_kernel::{EventEnvelope, OrganizationId, Page};

use crate::model::order::OrderError;
use crate::model::{NumberPrefix, Order, OrderId, OrderNumber, OrderStatus, PaymentStatus};

/// Why storage refused an operation.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    /// No such order in this organization.
    #[error("order not found")]
    NotFound,
    /// The order changed since it was read (`If-Match` is stale).
    #[error("the order was changed by someone else (version {current})")]
    VersionConflict {
        /// The version now stored.
        current: i64,
    },
    /// The order built for the new number was refused.
    #[error(transparent)]
    Invalid(#[from] OrderError),
    /// Anything else, with its cause.
    #[error(transparent)]
    Backend(#[from] anyhow::Error),
}

/// Builds a new order once its number is known, with the events to record.
pub type BuildOrder = Box<dyn FnOnce(OrderNumber) -> Result<(Order, Vec<EventEnvelope>), OrderError> + Send>;

/// Filters and order of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderQuery {
    /// Only this status.
    pub status: Option<OrderStatus>,
    /// Only this payment status.
    pub payment_status: Option<PaymentStatus>,
    /// Only this customer (CRM contact).
    pub customer_contact_id: Option<uuid::Uuid>,
    /// Created at or after (µs since the epoch).
    pub created_from_us: Option<i64>,
    /// Created before (µs since the epoch).
    pub created_to_us: Option<i64>,
    /// Only this number sequence.
    pub number_seq: Option<u64>,
    /// Sort by number instead of creation time.
    pub sort_by_number: bool,
    /// Ascending instead of newest/highest first.
    pub ascending: bool,
    /// Page size (1-200).
    pub limit: u32,
    /// Continue after this cursor.
    pub cursor: Option<String>,
}

/// Orders of organizations.
#[async_trait]
pub trait OrderRepository: Send + Sync {
    /// Takes the organization's next number (gapless, safe under concurrent
    /// creates), builds the order with it and stores it with its lines and
    /// events — one transaction; nothing is stored when `build` fails.
    async fn create(&self, organization: &OrganizationId, build: BuildOrder) -> Result<Order, RepositoryError>;

    /// The order, if it belongs to the organization.
    async fn get(&self, organization: &OrganizationId, id: OrderId) -> Result<Option<Order>, RepositoryError>;

    /// Stores a changed order (header, lines, status) if the stored version
    /// is still `expected_version`, with its events — one transaction.
    async fn save(
        &self,
        organization: &OrganizationId,
        order: &Order,
        expected_version: i64,
        events: &[EventEnvelope],
    ) -> Result<(), RepositoryError>;

    /// Stores a changed order like [`OrderRepository::save`] and records, in
    /// the same transaction, that `handled` was processed. Returns `false`
    /// and changes nothing when it had been processed before (a redelivery).
    async fn save_handling(
        &self,
        organization: &OrganizationId,
        order: &Order,
        expected_version: i64,
        handled: &HandledEvent,
    ) -> Result<bool, RepositoryError>;

    /// Deletes the order at `expected_version`, with its events.
    async fn delete(
        &self,
        organization: &OrganizationId,
        id: OrderId,
        expected_version: i64,
        events: &[EventEnvelope],
    ) -> Result<(), RepositoryError>;

    /// Sets the prefix of the organization's future order numbers.
    async fn set_number_prefix(
        &self,
        organization: &OrganizationId,
        prefix: &NumberPrefix,
    ) -> Result<(), RepositoryError>;

    /// A page of the organization's orders with their lines (two queries,
    /// whatever the page size).
    async fn list(&self, organization: &OrganizationId, query: &OrderQuery) -> Result<Page<Order>, RepositoryError>;
}
