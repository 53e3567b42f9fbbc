//! The events orders publishes, with what consumers need without a lookup,
//! and the invoice events it consumes.
//!
//! Consumed (producer: invoices): `invoice.paid`, `invoice.partially_paid`,
//! `invoice.voided`, `invoice.payment_refunded`, each with
//! `data = { "order_id": "<uuid>", "amount_paid": "<decimal string: total
//! paid so far on the order>", "currency": "EUR" }`. Applying one sets the
//! order's amount paid to that total, so redeliveries have no second effect.

use gremlin_kernel::{EventContract, EventContracts, EventEnvelope};
use poem_openapi::Object;
use rust_decimal::Decimal;

use crate::NAME;
use crate::model::{Order, OrderStatus, PaymentStatus};

/// `data` of every `order.*` event: what a consumer (invoicing, CRM,
/// reporting) needs without calling back.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OrderEventData {
    /// The order.
    pub order_id: uuid::Uuid,
    /// Its human number (`SO-000123`).
    pub number: String,
    /// Its status after the change.
    pub status: OrderStatus,
    /// Its payment status.
    pub payment_status: PaymentStatus,
    /// Who it is for, when known.
    pub customer: Option<OrderEventCustomer>,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// Its amounts.
    pub totals: OrderEventTotals,
    /// Its version after the change.
    pub version: i64,
    /// Its lines (absent from `order.cancelled` and `order.deleted`).
    pub lines: Option<Vec<OrderEventLine>>,
    /// Why it was cancelled (`order.cancelled`).
    pub cancellation_reason: Option<String>,
}

/// The customer of an order, as events carry it.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OrderEventCustomer {
    /// CRM contact.
    pub contact_id: Option<uuid::Uuid>,
    /// Name at order time.
    pub name: Option<String>,
    /// E-mail at order time.
    pub email: Option<String>,
}

/// An order's amounts (decimal strings in the order's currency).
#[derive(Debug, Clone, PartialEq, Object)]
pub struct OrderEventTotals {
    /// Sum of the lines' gross amounts.
    pub subtotal: Decimal,
    /// Sum of the lines' discounts.
    pub discount: Decimal,
    /// Sum of the lines' taxes.
    pub tax: Decimal,
    /// subtotal − discount + tax.
    pub grand_total: Decimal,
}

/// One line, as events carry it: everything it is priced from, so a
/// consumer (invoicing) can bill it to the cent.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OrderEventLine {
    /// Position, from 1.
    pub position: u32,
    /// Stock-keeping unit.
    pub sku: String,
    /// What is sold.
    pub description: String,
    /// How many.
    pub quantity: Decimal,
    /// Price of one unit.
    pub unit_price: Decimal,
    /// The line's discount, if any.
    pub discount: Option<gremlin_kernel::http::DiscountDto>,
    /// Tax rate in percent.
    pub tax_rate: Decimal,
    /// The line's total with tax.
    pub total: Decimal,
}

/// `order.created`: a draft was created.
pub const CREATED: EventContract = EventContract::of::<OrderEventData>("order.created", "A draft order was created.");
/// `order.updated`: a draft's header or lines changed.
pub const UPDATED: EventContract =
    EventContract::of::<OrderEventData>("order.updated", "A draft's header or lines changed.");
/// `order.placed`: the customer's order is placed.
pub const PLACED: EventContract = EventContract::of::<OrderEventData>("order.placed", "A draft was placed.");
/// `order.confirmed`: accepted by the seller; invoicing may start.
pub const CONFIRMED: EventContract =
    EventContract::of::<OrderEventData>("order.confirmed", "A placed order was confirmed by the seller.");
/// `order.fulfilled`: delivered.
pub const FULFILLED: EventContract =
    EventContract::of::<OrderEventData>("order.fulfilled", "A confirmed order was fulfilled.");
/// `order.cancelled`: will not be delivered (with the reason).
pub const CANCELLED: EventContract =
    EventContract::of::<OrderEventData>("order.cancelled", "An order was cancelled, with the reason.");
/// `order.deleted`: a draft was deleted.
pub const DELETED: EventContract = EventContract::of::<OrderEventData>("order.deleted", "A draft was deleted.");

/// The `order.*` event `contract` for `order`, with its lines unless it is
/// cancelled or deleted.
pub fn order_event(contract: &EventContract, order: &Order) -> EventEnvelope {
    let with_lines = contract.event_type != CANCELLED.event_type && contract.event_type != DELETED.event_type;
    let data = OrderEventData {
        order_id: order.id.0,
        number: order.number.to_string(),
        status: order.status,
        payment_status: order.payment_status,
        customer: order.customer.clone().map(|c| OrderEventCustomer {
            contact_id: c.contact_id,
            name: c.name,
            email: c.email,
        }),
        currency: order.currency.code().to_owned(),
        totals: OrderEventTotals {
            subtotal: order.totals.subtotal,
            discount: order.totals.discount,
            tax: order.totals.tax,
            grand_total: order.totals.grand_total,
        },
        version: order.version,
        lines: with_lines.then(|| {
            order
                .lines
                .iter()
                .map(|l| OrderEventLine {
                    position: l.position,
                    sku: l.sku.clone(),
                    description: l.description.clone(),
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    discount: l.discount.map(Into::into),
                    tax_rate: l.tax_rate,
                    total: l.totals.total,
                })
                .collect()
        }),
        cancellation_reason: order.cancellation_reason.clone(),
    };
    contract.envelope(NAME, Some(order.organization_id.clone()), order.id.to_string(), &data)
}

/// `data` of the invoice events orders consumes: the total paid so far on
/// the order (so a redelivery has no second effect) and its currency.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct InvoicePaymentData {
    /// The order concerned.
    pub order_id: uuid::Uuid,
    /// Total paid so far on the order (decimal string).
    pub amount_paid: Decimal,
    /// ISO 4217 code of `amount_paid`; it must be the order's.
    pub currency: String,
}

/// `invoice.paid` (producer: invoices).
pub const INVOICE_PAID: EventContract =
    EventContract::of::<InvoicePaymentData>("invoice.paid", "An invoice of the order was paid in full.");
/// `invoice.partially_paid` (producer: invoices).
pub const INVOICE_PARTIALLY_PAID: EventContract =
    EventContract::of::<InvoicePaymentData>("invoice.partially_paid", "A payment was recorded against an invoice.");
/// `invoice.voided` (producer: invoices).
pub const INVOICE_VOIDED: EventContract =
    EventContract::of::<InvoicePaymentData>("invoice.voided", "An invoice was voided; its payments no longer count.");

/// `invoice.payment_refunded` (producer: invoices).
pub const INVOICE_PAYMENT_REFUNDED: EventContract = EventContract::of::<InvoicePaymentData>(
    "invoice.payment_refunded",
    "A payment on an invoice of the order was refunded; the order's total paid drops.",
);

/// The durable subscription of the invoice-event consumer; replicas of the
/// orders service share the work under this one name.
pub const PAYMENT_CONSUMER: &str = "orders-payment-status";

/// The invoice events that move an order's payment status.
pub const CONSUMED: &[EventContract] =
    &[INVOICE_PAID, INVOICE_PARTIALLY_PAID, INVOICE_VOIDED, INVOICE_PAYMENT_REFUNDED];

/// Every event orders publishes and consumes.
pub const CONTRACTS: EventContracts = EventContracts {
    publishes: &[CREATED, UPDATED, PLACED, CONFIRMED, FULFILLED, CANCELLED, DELETED],
    consumes: &[(PAYMENT_CONSUMER, CONSUMED)],
};

/// What an invoice event says about an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoicePayment {
    /// The order concerned.
    pub order_id: crate::model::OrderId,
    /// Total paid so far on the order.
    pub amount_paid: Decimal,
    /// The currency of `amount_paid`; it must be the order's.
    pub currency: gremlin_kernel::money::Currency,
}

/// Reads an invoice event; `None` when it is not one orders consumes or its
/// data does not have the declared shape.
pub fn invoice_payment(event: &EventEnvelope) -> Option<InvoicePayment> {
    let contract = CONSUMED.iter().find(|c| c.event_type == event.event_type)?;
    let data: InvoicePaymentData = contract.read(event).ok()?;
    let currency = gremlin_kernel::money::Currency::parse(&data.currency).ok()?;
    Some(InvoicePayment { order_id: crate::model::OrderId(data.order_id), amount_paid: data.amount_paid, currency })
}

#[cfg(test)]
mod tests {
    use gremlin_kernel::OrganizationId;
    use serde_json::json;

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
