//! Wiring orders to a process: the SQL repository, the API, and the
//! consumer that applies invoice payments to orders.

use std::sync::Arc;

use gremlin_kernel::inbox::HandledEvent;
use gremlin_kernel::{Consumer, DomainPorts, SubscriptionSpec, Wiring};

use crate::api::OrdersApi;
use crate::events::{CONSUMED, PAYMENT_CONSUMER, invoice_payment};
use crate::service::OrderService;
use crate::store::SqlOrderRepository;

/// The orders API and its invoice-event consumer on `ports`.
pub(crate) fn wire(ports: &DomainPorts) -> anyhow::Result<Wiring> {
    let service = OrderService::new(Arc::new(SqlOrderRepository::new(ports.db.clone())));
    let api = OrdersApi::new(service.clone(), ports.idempotency.clone());
    let consumer = Consumer::new(
        SubscriptionSpec::new(PAYMENT_CONSUMER, &CONSUMED.iter().map(|c| c.event_type).collect::<Vec<_>>()),
        move |event| {
            let service = service.clone();
            async move {
                let (Some(organization), Some(payment)) = (event.organization_id.clone(), invoice_payment(&event))
                else {
                    tracing::warn!(event_id = %event.id, "ignoring an invoice event without an organization or an order");
                    return Ok(());
                };
                let handled = HandledEvent::new(PAYMENT_CONSUMER, event.id);
                service
                    .apply_invoice_payment(&organization, &payment, &handled)
                    .await
                    .map_err(|e| anyhow::anyhow!("applying {}: {e}", event.event_type))
            }
        },
    );
    Ok(Wiring { api: Box::new(api), consumers: vec![consumer] })
}
