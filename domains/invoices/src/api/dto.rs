//! The invoices API's bodies. Amounts are decimal strings (never floats);
//! dates are `YYYY-MM-DD`; times are RFC 3339 UTC.

use gremlin_kernel::Nullable;
pub use gremlin_kernel::http::DiscountDto;
use gremlin_kernel::pricing::{Discount, LinePrice};
use poem_openapi::{Enum, Object};
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime};

use crate::model::{
    CreditNote, CreditNoteStatus, Customer, Invoice, InvoiceLine, InvoiceStatus, LineInput, Payment, RemainderOutcome,
    TaxBreakdown,
};

/// Who is billed.
#[derive(Debug, Clone, Object)]
#[oai(rename = "InvoiceCustomer", skip_serializing_if_is_none)]
pub struct CustomerDto {
    /// The CRM contact, if known.
    pub crm_id: Option<uuid::Uuid>,
    /// Name on the invoice (at most 200 characters; required to finalize).
    #[oai(default)]
    pub name: String,
    /// Where the invoice is sent.
    pub email: Option<String>,
    /// Billing address, one line each (at most 6 lines).
    #[oai(default)]
    pub address: Vec<String>,
}

impl From<CustomerDto> for Customer {
    fn from(c: CustomerDto) -> Self {
        Customer { crm_id: c.crm_id, name: c.name, email: c.email, address: c.address }
    }
}

impl From<&Customer> for CustomerDto {
    fn from(c: &Customer) -> Self {
        Self { crm_id: c.crm_id, name: c.name.clone(), email: c.email.clone(), address: c.address.clone() }
    }
}

/// A line as sent by a client.
#[derive(Debug, Clone, Object)]
#[oai(rename = "InvoiceLineInput", skip_serializing_if_is_none)]
pub struct LineInputDto {
    /// What is billed (1-500 characters).
    pub description: String,
    /// Stock-keeping unit (1-64 characters).
    pub sku: Option<String>,
    /// How many (decimal, more than zero, at most 4 decimals).
    pub quantity: Decimal,
    /// Price of one unit before discount and tax.
    pub unit_price: Decimal,
    /// Optional discount.
    pub discount: Option<DiscountDto>,
    /// Tax rate in percent (0-100).
    #[oai(default)]
    pub tax_rate: Decimal,
}

impl From<LineInputDto> for LineInput {
    fn from(d: LineInputDto) -> Self {
        LineInput {
            description: d.description,
            sku: d.sku,
            price: LinePrice {
                quantity: d.quantity,
                unit_price: d.unit_price,
                discount: d.discount.map(Discount::from),
                tax_rate: d.tax_rate,
            },
        }
    }
}

/// A line of an invoice, with its amounts.
#[derive(Debug, Clone, Object)]
#[oai(rename = "InvoiceLine")]
pub struct LineDto {
    /// Position, from 1.
    pub position: u32,
    /// What is billed.
    pub description: String,
    /// SKU.
    pub sku: Nullable<String>,
    /// Quantity.
    pub quantity: Decimal,
    /// Unit price.
    pub unit_price: Decimal,
    /// Discount.
    pub discount: Nullable<DiscountDto>,
    /// Tax rate in percent.
    pub tax_rate: Decimal,
    /// Quantity × unit price, rounded.
    pub gross: Decimal,
    /// Discount taken off, rounded.
    pub discount_amount: Decimal,
    /// Tax, rounded.
    pub tax: Decimal,
    /// Net + tax.
    pub total: Decimal,
}

impl From<&InvoiceLine> for LineDto {
    fn from(l: &InvoiceLine) -> Self {
        Self {
            position: l.position,
            description: l.description.clone(),
            sku: l.sku.clone().into(),
            quantity: l.quantity,
            unit_price: l.unit_price,
            discount: l.discount.map(DiscountDto::from).into(),
            tax_rate: l.tax_rate,
            gross: l.totals.gross,
            discount_amount: l.totals.discount,
            tax: l.totals.tax,
            total: l.totals.total,
        }
    }
}

/// Taxable amount and tax of one rate.
#[derive(Debug, Clone, Object)]
#[oai(rename = "InvoiceTaxRate")]
pub struct TaxDto {
    /// Tax rate in percent.
    pub rate: Decimal,
    /// Net amounts taxed at this rate.
    pub taxable: Decimal,
    /// Tax at this rate.
    pub tax: Decimal,
}

impl From<&TaxBreakdown> for TaxDto {
    fn from(t: &TaxBreakdown) -> Self {
        Self { rate: t.rate, taxable: t.taxable, tax: t.tax }
    }
}

/// A payment recorded on an invoice.
#[derive(Debug, Clone, Object)]
#[oai(rename = "InvoicePayment")]
pub struct PaymentDto {
    /// Id (UUIDv7).
    pub id: uuid::Uuid,
    /// Amount received.
    pub amount: Decimal,
    /// How it was paid.
    pub method: String,
    /// Bank or processor reference.
    pub reference: Nullable<String>,
    /// When the money arrived.
    pub received_at: OffsetDateTime,
    /// Why it was refunded (null while it stands).
    pub refund_reason: Nullable<String>,
    /// When it was refunded.
    pub refunded_at: Nullable<OffsetDateTime>,
}

impl From<&Payment> for PaymentDto {
    fn from(p: &Payment) -> Self {
        Self {
            id: p.id.0,
            amount: p.amount,
            method: p.method.clone(),
            reference: p.reference.clone().into(),
            received_at: p.received_at,
            refund_reason: p.refund.as_ref().map(|r| r.reason.clone()).into(),
            refunded_at: p.refund.as_ref().map(|r| r.refunded_at).into(),
        }
    }
}

/// A line quantity a credit note credits.
#[derive(Debug, Clone, Object)]
pub struct CreditedLineDto {
    /// The invoice line's position.
    pub position: u32,
    /// How much of its quantity (more than zero, at most what is left).
    pub quantity: Decimal,
}

/// A credit note of an invoice.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CreditNote")]
pub struct CreditNoteDto {
    /// Id (UUIDv7).
    pub id: uuid::Uuid,
    /// Human number (`CN-000001`).
    pub number: String,
    /// Issued or void.
    pub status: CreditNoteStatus,
    /// Credited line quantities (empty for a plain amount).
    pub lines: Vec<CreditedLineDto>,
    /// Total, tax included.
    pub amount: Decimal,
    /// The part that reduced the amount due.
    pub applied_to_due: Decimal,
    /// The rest, beyond what was owed.
    pub remainder: Decimal,
    /// Where the rest went.
    pub remainder_outcome: Nullable<RemainderOutcome>,
    /// Why it was issued.
    pub reason: Nullable<String>,
    /// When it was issued.
    pub issued_at: OffsetDateTime,
}

impl From<&CreditNote> for CreditNoteDto {
    fn from(n: &CreditNote) -> Self {
        Self {
            id: n.id.0,
            number: n.number.clone(),
            status: n.status,
            lines: n
                .lines
                .iter()
                .map(|(position, quantity)| CreditedLineDto { position: *position, quantity: *quantity })
                .collect(),
            amount: n.amount,
            applied_to_due: n.applied_to_due,
            remainder: n.remainder,
            remainder_outcome: n.remainder_outcome.into(),
            reason: n.reason.clone().into(),
            issued_at: n.issued_at,
        }
    }
}

/// An invoice.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Invoice", example)]
pub struct InvoiceDto {
    /// Id (UUIDv7).
    pub id: uuid::Uuid,
    /// Human number (`INV-000123`), given at finalization; null on drafts.
    pub number: Nullable<String>,
    /// Where the invoice stands.
    pub status: InvoiceStatus,
    /// Open and past its due date (derived, never stored).
    pub overdue: bool,
    /// Who is billed.
    pub customer: CustomerDto,
    /// ISO 4217 currency.
    pub currency: String,
    /// Lines.
    pub lines: Vec<LineDto>,
    /// Sum of gross amounts.
    pub subtotal: Decimal,
    /// Sum of discounts.
    pub discount_total: Decimal,
    /// Sum of taxes.
    pub tax_total: Decimal,
    /// Subtotal − discounts + taxes.
    pub total: Decimal,
    /// Taxes per rate.
    pub taxes: Vec<TaxDto>,
    /// Payments not refunded.
    pub amount_paid: Decimal,
    /// What credit notes took off the amount due.
    pub amount_credited: Decimal,
    /// What is still owed: total − paid − credited.
    pub amount_due: Decimal,
    /// Payments, in the order recorded.
    pub payments: Vec<PaymentDto>,
    /// Credit notes, in the order issued.
    pub credit_notes: Vec<CreditNoteDto>,
    /// Shown above the lines.
    pub memo: Nullable<String>,
    /// Shown at the bottom.
    pub footer: Nullable<String>,
    /// Metadata (JSON object).
    pub metadata: std::collections::BTreeMap<String, serde_json::Value>,
    /// The order it bills.
    pub order_id: Nullable<uuid::Uuid>,
    /// Days from issue to due date.
    pub net_days: u16,
    /// When it was issued.
    pub issue_date: Nullable<Date>,
    /// When it falls due.
    pub due_date: Nullable<Date>,
    /// Creator.
    pub created_by: String,
    /// Last editor.
    pub updated_by: String,
    /// Creation time (RFC 3339, UTC).
    pub created_at: OffsetDateTime,
    /// Last change (RFC 3339, UTC).
    pub updated_at: OffsetDateTime,
    /// Version; also the ETag.
    pub version: i64,
}

impl From<&Invoice> for InvoiceDto {
    fn from(i: &Invoice) -> Self {
        Self {
            id: i.id.0,
            number: i.number.clone().into(),
            status: i.status,
            overdue: i.is_overdue(OffsetDateTime::now_utc().date()),
            customer: CustomerDto::from(&i.customer),
            currency: i.currency.code().into(),
            lines: i.lines.iter().map(LineDto::from).collect(),
            subtotal: i.totals.subtotal,
            discount_total: i.totals.discount,
            tax_total: i.totals.tax,
            total: i.totals.grand_total,
            taxes: i.tax_breakdown().iter().map(TaxDto::from).collect(),
            amount_paid: i.amount_paid(),
            amount_credited: i.amount_credited(),
            amount_due: i.amount_due(),
            payments: i.payments.iter().map(PaymentDto::from).collect(),
            credit_notes: i.credit_notes.iter().map(CreditNoteDto::from).collect(),
            memo: i.memo.clone().into(),
            footer: i.footer.clone().into(),
            metadata: i.metadata.clone().into_iter().collect(),
            order_id: i.order_id.into(),
            net_days: i.terms.net_days,
            issue_date: i.issue_date.into(),
            due_date: i.due_date.into(),
            created_by: i.created_by.to_string(),
            updated_by: i.updated_by.to_string(),
            created_at: i.created_at,
            updated_at: i.updated_at,
            version: i.version,
        }
    }
}

/// `POST /api/invoices` body.
#[derive(Debug, Clone, Object)]
#[oai(example, skip_serializing_if_is_none)]
pub struct CreateInvoiceBody {
    /// ISO 4217 currency (EUR, USD, JPY, …).
    pub currency: String,
    /// Who is billed.
    pub customer: Option<CustomerDto>,
    /// Lines (at most 500).
    #[oai(default)]
    pub lines: Vec<LineInputDto>,
    /// Days from issue to due date, 0-365 (default: the organization's
    /// default terms, net 30 until it sets them).
    #[oai(validator(maximum(value = "365")))]
    pub net_days: Option<u16>,
    /// Shown above the lines (at most 4000 characters).
    pub memo: Option<String>,
    /// Shown at the bottom (at most 4000 characters; default: the
    /// organization's footer).
    pub footer: Option<String>,
    /// Metadata (JSON object).
    #[oai(default)]
    pub metadata: std::collections::BTreeMap<String, serde_json::Value>,
    /// The order it bills.
    pub order_id: Option<uuid::Uuid>,
}

/// `PATCH /api/invoices/{id}` body: a draft's header and lines, replaced
/// (lines only when given).
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UpdateInvoiceBody {
    /// Who is billed.
    pub customer: Option<CustomerDto>,
    /// New lines (absent: unchanged).
    pub lines: Option<Vec<LineInputDto>>,
    /// Days from issue to due date, 0-365 (default 30).
    #[oai(validator(maximum(value = "365")))]
    pub net_days: Option<u16>,
    /// Shown above the lines.
    pub memo: Option<String>,
    /// Shown at the bottom.
    pub footer: Option<String>,
    /// Metadata.
    #[oai(default)]
    pub metadata: std::collections::BTreeMap<String, serde_json::Value>,
}

/// `POST /api/invoices/{id}/payments` body.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PaymentBody {
    /// Amount received, more than zero, at most the amount due.
    pub amount: Decimal,
    /// How it was paid (`bank_transfer`, `card`, `cash`, …; 1-200 characters).
    pub method: String,
    /// Bank or processor reference (1-200 characters).
    pub reference: Option<String>,
    /// When the money arrived (default: now).
    pub received_at: Option<OffsetDateTime>,
}

/// `POST /api/invoices/{id}/payments/{payment_id}/refund` body.
#[derive(Debug, Clone, Object)]
pub struct RefundBody {
    /// Why (1-200 characters).
    pub reason: String,
}

/// `POST /api/invoices/{id}/credit-notes` body: some line quantities, or
/// an amount.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreditNoteBody {
    /// Line quantities to credit (give these or `amount`).
    pub lines: Option<Vec<CreditedLineDto>>,
    /// An amount to credit, tax included (give this or `lines`).
    pub amount: Option<Decimal>,
    /// Where the part beyond the amount due goes; required when there is one.
    pub remainder_outcome: Option<RemainderOutcome>,
    /// Why (at most 1000 characters).
    pub reason: Option<String>,
}

gremlin_kernel::page_dto! {
    /// A page of invoices (the page shape of every business list).
    #[oai(example)]
    pub struct InvoicePage of InvoiceDto from Invoice;
    /// Invoices with their lines, payments and credit notes.
    items
}

/// What invoices can be sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum InvoiceSort {
    /// Creation time (then id); the default.
    #[default]
    Created,
    /// Invoice number (finalized invoices only).
    Number,
}
