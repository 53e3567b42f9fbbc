//! The events orders publishes, with what consumers need without a lookup,
//! and the invoice events it consumes.
//!
//! Consumed (producer: invoices, to come): `invoice.paid`,
//! `invoice.partially_paid`, `invoice.voided`, each with
//! `data = { "order_id": "<uuid>", "amount_paid": "<decimal string: total
//! paid so far on the order>", "currency": "EUR" }`. Applying one sets the
//! order's amount paid to that total, so redeliveries have no second effect.

use gremlin_kernel::EventEnvelope;
use serde_json::json;

use crate::NAME;
use crate::model::Order;

/// `order.<verb>` for `order`, carrying its number, customer, currency,
/// totals and (with `with_lines`) its lines.
pub fn order_event(verb: &str, order: &Order, with_lines: bool) -> EventEnvelope {
    let mut data = json!({
        "order_id": order.id.to_string(),
        "number": order.number.to_string(),
        "status": order.status.as_str(),
        "payment_status": order.payment_status.as_str(),
        "customer": order.customer,
        "currency": order.currency.code(),
        "totals": {
            "subtotal": order.totals.subtotal.to_string(),
            "discount": order.totals.discount.to_string(),
            "tax": order.totals.tax.to_string(),
            "grand_total": order.totals.grand_total.to_string(),
        },
        "version": order.version,
    });
    if with_lines {
        data["lines"] = json!(
            order
                .lines
                .iter()
                .map(|l| json!({
                    "position": l.position, "sku": l.sku, "quantity": l.quantity.to_string(),
                    "unit_price": l.unit_price.to_string(), "total": l.totals.total.to_string(),
                }))
                .collect::<Vec<_>>()
        );
    }
    if let Some(reason) = &order.cancellation_reason {
        data["cancellation_reason"] = json!(reason);
    }
    EventEnvelope::new(format!("order.{verb}"), NAME, Some(order.organization_id.clone()), order.id.to_string(), data)
}

/// The invoice events that move an order's payment status.
pub const CONSUMED: &[&str] = &["invoice.paid", "invoice.partially_paid", "invoice.voided"];

/// What an invoice event says about an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoicePayment {
    /// The order concerned.
    pub order_id: crate::model::OrderId,
    /// Total paid so far on the order.
    pub amount_paid: rust_decimal::Decimal,
    /// The currency of `amount_paid`; it must be the order's.
    pub currency: gremlin_kernel::money::Currency,
}

/// Reads an invoice event; `None` when it is not about an order or is malformed.
pub fn invoice_payment(event: &EventEnvelope) -> Option<InvoicePayment> {
    if !CONSUMED.contains(&event.event_type.as_str()) {
        return None;
    }
    let order_id = event.data.get("order_id")?.as_str()?.parse().ok()?;
    let amount_paid = event.data.get("amount_paid")?.as_str()?.parse().ok()?;
    let currency = gremlin_kernel::money::Currency::parse(event.data.get("currency")?.as_str()?).ok()?;
    Some(InvoicePayment { order_id, amount_paid, currency })
}

#[cfg(test)]
mod tests {
    use gremlin_kernel::OrganizationId;

    use super::*;

    #[test]
    fn invoice_events_are_read_strictly() {
        let id = crate::model::OrderId::generate();
        let ok = EventEnvelope::new(
            "invoice.paid",
            "invoices",
            Some(OrganizationId::new("o")),
            "i",
            json!({"order_id": id.to_string(), "amount_paid": "12.50", "currency": "EUR"}),
        );
        let eur = gremlin_kernel::money::Currency::parse("EUR").unwrap();
        assert_eq!(
            invoice_payment(&ok),
            Some(InvoicePayment { order_id: id, amount_paid: "12.50".parse().unwrap(), currency: eur })
        );
        let no_currency = EventEnvelope::new(
            "invoice.paid",
            "invoices",
            None,
            "i",
            json!({"order_id": id.to_string(), "amount_paid": "12.50"}),
        );
        assert_eq!(invoice_payment(&no_currency), None, "the currency is part of the contract");
        let other = EventEnvelope::new(
            "invoice.created",
            "invoices",
            None,
            "i",
            json!({"order_id": id.to_string(), "amount_paid": "1"}),
        );
        assert_eq!(invoice_payment(&other), None);
        let broken =
            EventEnvelope::new("invoice.paid", "invoices", None, "i", json!({"order_id": "nope", "amount_paid": 3}));
        assert_eq!(invoice_payment(&broken), None);
    }
}
