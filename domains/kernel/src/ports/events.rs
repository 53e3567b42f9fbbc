//! `EventBus`: publish events and consume them through durable, acknowledged
//! subscriptions.

use std::time::Duration;

use async_trait::async_trait;

use crate::event::EventEnvelope;

/// Why the bus refused an operation.
#[derive(Debug, thiserror::Error)]
pub enum EventBusError {
    /// The bus cannot be reached; the outbox keeps the event for later.
    #[error("event bus unavailable: {0}")]
    Unavailable(String),
    /// The subscription was closed (shutdown).
    #[error("subscription closed")]
    Closed,
    /// Anything else, with its cause.
    #[error(transparent)]
    Backend(#[from] anyhow::Error),
}

/// A durable subscription: its name identifies the consumer group, so a
/// service that restarts resumes where it stopped and replicas share work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionSpec {
    /// Durable name, unique per service and purpose (`orders-payment-status`).
    pub durable_name: String,
    /// Event type patterns (`invoice.*`, `>`); see [`crate::type_matches`].
    pub event_types: Vec<String>,
    /// Deliveries after which an unacknowledged event is given up on.
    pub max_deliveries: u32,
    /// How long a delivery may stay unacknowledged before redelivery.
    pub ack_wait: Duration,
    /// For a subscription that belongs to one process (a cache to keep
    /// fresh) rather than to a service: the bus may forget it once nobody
    /// has consumed from it for this long. `None` keeps it until deleted.
    pub expire_when_idle: Option<Duration>,
}

impl SubscriptionSpec {
    /// A subscription with default limits (5 deliveries, 30 s ack wait).
    pub fn new(durable_name: impl Into<String>, event_types: &[&str]) -> Self {
        Self {
            durable_name: durable_name.into(),
            event_types: event_types.iter().map(|s| (*s).to_owned()).collect(),
            max_deliveries: 5,
            ack_wait: Duration::from_secs(30),
            expire_when_idle: None,
        }
    }
}

/// Acknowledges one delivery; implemented by each adapter.
#[async_trait]
pub trait Acknowledger: Send + Sync {
    /// The event was handled and committed: never deliver it again.
    async fn ack(&self) -> Result<(), EventBusError>;
    /// Handling failed: deliver it again later.
    async fn nack(&self) -> Result<(), EventBusError>;
}

/// One delivery of an event to a subscription. Dropping it without
/// [`Delivery::ack`] leads to redelivery after the ack wait.
pub struct Delivery {
    /// The event.
    pub event: EventEnvelope,
    /// 1 for the first delivery, 2 for the first redelivery, …
    pub attempt: u32,
    /// Events still waiting for this subscription after this one, when the
    /// bus knows (the `consumer_lag` gauge).
    pub pending: Option<u64>,
    acker: Box<dyn Acknowledger>,
}

impl Delivery {
    /// Wraps an event with the adapter's acknowledger.
    pub fn new(event: EventEnvelope, attempt: u32, acker: Box<dyn Acknowledger>) -> Self {
        Self { event, attempt, pending: None, acker }
    }

    /// Adds how many events wait behind this one.
    #[must_use]
    pub fn with_pending(mut self, pending: u64) -> Self {
        self.pending = Some(pending);
        self
    }

    /// Confirms the event was handled; fails if the bus cannot be reached
    /// (the event will then be redelivered, so handlers must be idempotent).
    pub async fn ack(self) -> Result<(), EventBusError> {
        self.acker.ack().await
    }

    /// Asks for redelivery.
    pub async fn nack(self) -> Result<(), EventBusError> {
        self.acker.nack().await
    }
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("event", &self.event)
            .field("attempt", &self.attempt)
            .field("pending", &self.pending)
            .finish()
    }
}

/// A stream of deliveries for one durable subscription.
#[async_trait]
pub trait Subscription: Send {
    /// The next delivery, waiting for one; `Err(Closed)` once the bus shuts down.
    async fn next(&mut self) -> Result<Delivery, EventBusError>;
}

/// Publishes events and opens durable subscriptions.
#[async_trait]
pub trait EventBus: Send + Sync {
    /// Publishes one event. Publishing the same event id again within the
    /// bus's duplicate window has no second effect, so the outbox relay may
    /// retry safely. Fails when the bus is unreachable.
    async fn publish(&self, event: &EventEnvelope) -> Result<(), EventBusError>;

    /// Opens (or resumes) the durable subscription `spec.durable_name`.
    /// Events published after the subscription was first created are kept
    /// for it even while nobody is consuming.
    async fn subscribe(&self, spec: &SubscriptionSpec) -> Result<Box<dyn Subscription>, EventBusError>;

    /// Checks the bus answers, for `/readyz`.
    async fn ping(&self) -> Result<(), EventBusError>;
}
