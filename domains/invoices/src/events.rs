//! The events invoices publishes, each with what a consumer needs without
//! calling back, recorded through the outbox with the change.
//!
//! For an invoice made from an order, `invoice.paid`,
//! `invoice.partially_paid` and `invoice.voided` also carry the fields
//! orders consumes (`docs/orders.md`): `order_id` and `amount_paid`, the
//! total paid so far on the order across its invoices (not void), in
//! `currency` — so a redelivery has no second effect.

use gremlin_kernel::{EventContract, EventContracts, EventEnvelope};
use poem_openapi::Object;
use rust_decimal::Decimal;
use time::Date;

use crate::NAME;
use crate::model::{CreditNote, CreditNoteStatus, Invoice, InvoiceStatus, Payment, RemainderOutcome};

/// `data` of every `invoice.*` event.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct InvoiceEventData {
    /// The invoice.
    pub invoice_id: uuid::Uuid,
    /// Its number (every finalized invoice has one).
    pub number: Option<String>,
    /// Its status after the change.
    pub status: InvoiceStatus,
    /// Who is billed.
    pub customer: InvoiceEventCustomer,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// Its amounts after the change.
    pub amounts: InvoiceEventAmounts,
    /// When it was issued.
    pub issue_date: Option<Date>,
    /// When it falls due.
    pub due_date: Option<Date>,
    /// The order it bills, if any.
    pub order_id: Option<uuid::Uuid>,
    /// With `order_id`: the total paid so far on the order across its
    /// invoices that are not void (what orders applies).
    pub amount_paid: Option<Decimal>,
    /// The payment recorded (`paid`, `partially_paid`) or refunded
    /// (`payment_refunded`).
    pub payment: Option<InvoiceEventPayment>,
    /// Its version after the change.
    pub version: i64,
}

/// The customer, as events carry it.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct InvoiceEventCustomer {
    /// The CRM contact.
    pub crm_id: Option<uuid::Uuid>,
    /// Name on the invoice.
    pub name: String,
    /// E-mail.
    pub email: Option<String>,
}

/// An invoice's amounts (decimal strings in its currency).
#[derive(Debug, Clone, PartialEq, Object)]
pub struct InvoiceEventAmounts {
    /// Sum of the lines, tax included.
    pub total: Decimal,
    /// Payments not refunded.
    pub paid: Decimal,
    /// What credit notes took off the amount due.
    pub credited: Decimal,
    /// What is still owed.
    pub due: Decimal,
}

/// A payment, as events carry it.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct InvoiceEventPayment {
    /// The payment.
    pub payment_id: uuid::Uuid,
    /// Its amount.
    pub amount: Decimal,
    /// How it was paid.
    pub method: String,
    /// Why it was refunded (`payment_refunded`).
    pub refund_reason: Option<String>,
}

/// `data` of the `credit_note.*` events.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreditNoteEventData {
    /// The credit note.
    pub credit_note_id: uuid::Uuid,
    /// Its number (`CN-000001`).
    pub number: String,
    /// Issued or void.
    pub status: CreditNoteStatus,
    /// The invoice it corrects.
    pub invoice_id: uuid::Uuid,
    /// That invoice's number.
    pub invoice_number: Option<String>,
    /// ISO 4217 code.
    pub currency: String,
    /// Its total, tax included.
    pub amount: Decimal,
    /// The part that reduced the amount due.
    pub applied_to_due: Decimal,
    /// The rest.
    pub remainder: Decimal,
    /// Where the rest went.
    pub remainder_outcome: Option<RemainderOutcome>,
    /// The invoice's amount due after the change.
    pub invoice_amount_due: Decimal,
}

/// `invoice.finalized`: numbered, issued and owed.
pub const FINALIZED: EventContract =
    EventContract::of::<InvoiceEventData>("invoice.finalized", "A draft invoice was finalized: numbered and issued.");
/// `invoice.paid`: nothing is owed any more.
pub const PAID: EventContract =
    EventContract::of::<InvoiceEventData>("invoice.paid", "An invoice was paid in full (by payments or credit).");
/// `invoice.partially_paid`: a payment that leaves something owed.
pub const PARTIALLY_PAID: EventContract = EventContract::of::<InvoiceEventData>(
    "invoice.partially_paid",
    "A payment was recorded against an invoice that still owes.",
);
/// `invoice.voided`: cancelled after finalization.
pub const VOIDED: EventContract =
    EventContract::of::<InvoiceEventData>("invoice.voided", "An invoice was voided; its payments no longer count.");
/// `invoice.marked_uncollectible`: written off.
pub const MARKED_UNCOLLECTIBLE: EventContract = EventContract::of::<InvoiceEventData>(
    "invoice.marked_uncollectible",
    "An open invoice was marked as not expected to be paid.",
);
/// `invoice.payment_refunded`: a payment was given back.
pub const PAYMENT_REFUNDED: EventContract =
    EventContract::of::<InvoiceEventData>("invoice.payment_refunded", "A payment on an invoice was refunded.");
/// `credit_note.issued`.
pub const CREDIT_NOTE_ISSUED: EventContract =
    EventContract::of::<CreditNoteEventData>("credit_note.issued", "A credit note was issued against an invoice.");
/// `credit_note.voided`.
pub const CREDIT_NOTE_VOIDED: EventContract =
    EventContract::of::<CreditNoteEventData>("credit_note.voided", "A credit note was voided.");

/// Every event invoices publishes (and, later, consumes).
pub const CONTRACTS: EventContracts = EventContracts {
    publishes: &[
        FINALIZED,
        PAID,
        PARTIALLY_PAID,
        VOIDED,
        MARKED_UNCOLLECTIBLE,
        PAYMENT_REFUNDED,
        CREDIT_NOTE_ISSUED,
        CREDIT_NOTE_VOIDED,
    ],
    consumes: &[(DRAFT_CONSUMER, &[ORDER_CONFIRMED])],
};

/// The events whose `amount_paid` carries the order's total paid: the ones
/// orders consumes.
const CARRY_ORDER_TOTAL: &[&EventContract] = &[&PAID, &PARTIALLY_PAID, &VOIDED, &PAYMENT_REFUNDED];

/// Whether `contract`'s events carry the order's total paid, so the change
/// that records one must read what the order's other invoices were paid.
pub fn carries_order_total(contract: &EventContract) -> bool {
    CARRY_ORDER_TOTAL.iter().any(|c| c.event_type == contract.event_type)
}

/// The `invoice.*` event `contract` for `invoice`; `paid_on_order_elsewhere`
/// is what the order's other invoices have been paid.
pub fn invoice_event(
    contract: &EventContract,
    invoice: &Invoice,
    payment: Option<&Payment>,
    paid_on_order_elsewhere: Decimal,
) -> EventEnvelope {
    let data = InvoiceEventData {
        invoice_id: invoice.id.0,
        number: invoice.number.clone(),
        status: invoice.status,
        customer: InvoiceEventCustomer {
            crm_id: invoice.customer.crm_id,
            name: invoice.customer.name.clone(),
            email: invoice.customer.email.clone(),
        },
        currency: invoice.currency.code().to_owned(),
        amounts: InvoiceEventAmounts {
            total: invoice.totals.grand_total,
            paid: invoice.amount_paid(),
            credited: invoice.amount_credited(),
            due: invoice.amount_due(),
        },
        issue_date: invoice.issue_date,
        due_date: invoice.due_date,
        order_id: invoice.order_id,
        // A void invoice holds no payments (voiding needs them refunded).
        amount_paid: invoice
            .order_id
            .filter(|_| carries_order_total(contract))
            .map(|_| paid_on_order_elsewhere + invoice.amount_paid()),
        payment: payment.map(|p| InvoiceEventPayment {
            payment_id: p.id.0,
            amount: p.amount,
            method: p.method.clone(),
            refund_reason: p.refund.as_ref().map(|r| r.reason.clone()),
        }),
        version: invoice.version,
    };
    contract.envelope(NAME, Some(invoice.organization_id.clone()), invoice.id.to_string(), &data)
}

/// The `credit_note.*` event `contract` for `note` on `invoice`.
pub fn credit_note_event(contract: &EventContract, invoice: &Invoice, note: &CreditNote) -> EventEnvelope {
    let data = CreditNoteEventData {
        credit_note_id: note.id.0,
        number: note.number.clone(),
        status: note.status,
        invoice_id: invoice.id.0,
        invoice_number: invoice.number.clone(),
        currency: invoice.currency.code().to_owned(),
        amount: note.amount,
        applied_to_due: note.applied_to_due,
        remainder: note.remainder,
        remainder_outcome: note.remainder_outcome,
        invoice_amount_due: invoice.amount_due(),
    };
    contract.envelope(NAME, Some(invoice.organization_id.clone()), note.id.to_string(), &data)
}

/// The durable subscription that drafts invoices from confirmed orders;
/// replicas of the invoices service share it.
pub const DRAFT_CONSUMER: &str = "invoices-drafts-from-orders";

/// `order.confirmed` (producer: orders), as invoices reads it: who is
/// billed, the currency and every line as priced on the order.
#[derive(Debug, Clone, Object)]
pub struct ConfirmedOrderData {
    /// The order.
    pub order_id: uuid::Uuid,
    /// Its number (`SO-000123`), quoted on the draft's memo.
    pub number: String,
    /// Who it is for.
    pub customer: Option<ConfirmedOrderCustomer>,
    /// ISO 4217 code.
    pub currency: String,
    /// Its lines.
    pub lines: Option<Vec<ConfirmedOrderLine>>,
}

/// The customer of a confirmed order.
#[derive(Debug, Clone, Object)]
pub struct ConfirmedOrderCustomer {
    /// CRM contact.
    pub contact_id: Option<uuid::Uuid>,
    /// Name at order time.
    pub name: Option<String>,
    /// E-mail at order time.
    pub email: Option<String>,
}

/// A line of a confirmed order.
#[derive(Debug, Clone, Object)]
pub struct ConfirmedOrderLine {
    /// Stock-keeping unit.
    pub sku: String,
    /// What is sold (events from before it was carried: the SKU is used).
    pub description: Option<String>,
    /// How many.
    pub quantity: Decimal,
    /// Price of one unit.
    pub unit_price: Decimal,
    /// Discount, if any.
    pub discount: Option<gremlin_kernel::http::DiscountDto>,
    /// Tax rate in percent (absent: 0).
    pub tax_rate: Option<Decimal>,
}

/// `order.confirmed` (producer: orders): a draft invoice is made from it
/// when the organization's `draft_from_orders` setting is on.
pub const ORDER_CONFIRMED: EventContract =
    EventContract::of::<ConfirmedOrderData>("order.confirmed", "A placed order was confirmed by the seller.");

/// Reads an `order.confirmed` event; `None` when it is another event or
/// its data does not have the declared shape.
pub fn confirmed_order(event: &EventEnvelope) -> Option<ConfirmedOrderData> {
    (event.event_type == ORDER_CONFIRMED.event_type).then(|| ORDER_CONFIRMED.read(event).ok()).flatten()
}
