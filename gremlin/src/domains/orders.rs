//! Wiring orders: the SQL repository, the API with the caller verifier and
//! the idempotency cache, and the consumer of invoice events.

use std::sync::Arc;

use gremlin_config::Settings;
use gremlin_identity::verifier::Verifier;
use gremlin_kernel::SubscriptionSpec;
use gremlin_kernel::inbox::HandledEvent;
use gremlin_orders::api::OrdersApi;
use gremlin_orders::events::{CONSUMED, invoice_payment};
use gremlin_orders::service::OrderService;
use gremlin_orders::store::SqlOrderRepository;

use crate::consumers::{Consumer, Handler};
use crate::infra::Adapters;

/// The durable subscription of the invoice-event consumer.
pub const PAYMENT_CONSUMER: &str = "orders-payment-status";

/// The orders API and its invoice-event consumer.
pub fn wire(settings: &Settings, adapters: &Adapters, verifier: Arc<Verifier>) -> (OrdersApi, Consumer) {
    let service = OrderService::new(Arc::new(SqlOrderRepository::new(adapters.db.clone())));
    let session_cookie = format!("{}.session_token", settings.auth.cookie_prefix);
    let api = OrdersApi::new(
        service.clone(),
        verifier,
        adapters.cache.clone(),
        settings.cache.key_prefix.clone(),
        session_cookie,
    );
    let handler: Handler = Arc::new(move |event| {
        let service = service.clone();
        Box::pin(async move {
            let (Some(organization), Some(payment)) = (event.organization_id.clone(), invoice_payment(&event)) else {
                tracing::warn!(event_id = %event.id, "ignoring an invoice event without an organization or an order");
                return Ok(());
            };
            let handled = HandledEvent::new(PAYMENT_CONSUMER, event.id);
            service
                .apply_invoice_payment(&organization, &payment, &handled)
                .await
                .map_err(|e| anyhow::anyhow!("applying {}: {e}", event.event_type))
        })
    });
    // Replicas share the work: one durable name for the service.
    let consumer = Consumer { spec: SubscriptionSpec::new(PAYMENT_CONSUMER, CONSUMED), handler };
    (api, consumer)
}
