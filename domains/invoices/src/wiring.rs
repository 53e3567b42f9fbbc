//! Wiring invoices to a process: the SQL repository, the settings in the
//! document store, the API, and the consumer that drafts invoices from
//! confirmed orders.

use std::sync::Arc;

use gremlin_kernel::inbox::HandledEvent;
use gremlin_kernel::{Consumer, DomainError, DomainPorts, EventId, SubscriptionSpec, Wiring};

use crate::events::{DRAFT_CONSUMER, ORDER_CONFIRMED, confirmed_order};
use crate::service::InvoiceService;
use crate::settings::SettingsStore;
use crate::store::SqlInvoiceRepository;

/// The invoices API and its order consumer on `ports`.
pub(crate) fn wire(ports: &DomainPorts) -> anyhow::Result<Wiring> {
    let repo = Arc::new(SqlInvoiceRepository::new(ports.db.clone()));
    let service = InvoiceService::new(repo, SettingsStore::new(ports.documents.clone()));
    let api = crate::api::apis(service.clone(), ports.idempotency.clone());
    let consumer = Consumer::new(SubscriptionSpec::new(DRAFT_CONSUMER, &[ORDER_CONFIRMED.event_type]), move |event| {
        let service = service.clone();
        async move {
            let (Some(organization), Some(order)) = (event.organization_id.clone(), confirmed_order(&event)) else {
                tracing::warn!(event_id = %event.id, "ignoring an order event without an organization or an order");
                return Ok(());
            };
            // Keyed by the order, not the event: one draft per order,
            // however often and under whatever id it is delivered.
            let handled = HandledEvent::new(DRAFT_CONSUMER, EventId(order.order_id));
            match service.draft_from_order(&organization, order, &handled).await {
                Ok(Some(invoice)) => {
                    tracing::info!(invoice_id = %invoice.id, order = %event.subject, "drafted an invoice from an order");
                }
                Ok(None) => {}
                // Redelivery cannot fix the order's data: say so and move on.
                Err(DomainError::Invalid { errors }) => {
                    let problems: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
                    tracing::error!(order = %event.subject, ?problems, "a confirmed order cannot be billed as it is; no draft made");
                }
                Err(e) => return Err(anyhow::anyhow!("drafting an invoice from order {}: {e}", event.subject)),
            }
            Ok(())
        }
    });
    Ok(Wiring { api: Box::new(api), consumers: vec![consumer] })
}
