//! The orders API's bodies. Amounts are decimal strings (never floats);
//! times are RFC 3339 UTC.

use gremlin_kernel::Nullable;
pub use gremlin_kernel::http::{DiscountDto, DiscountKind};
use poem_openapi::{Enum, Object};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::model::{Discount, LineInput, Order, OrderLine, OrderStatus, PaymentStatus};

/// A line as sent by a client.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LineInput", skip_serializing_if_is_none)]
pub struct LineInputDto {
    /// Stock-keeping unit (1-64 characters).
    pub sku: String,
    /// What is sold.
    #[oai(default)]
    pub description: String,
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
        let discount = d.discount.map(Discount::from);
        LineInput {
            sku: d.sku,
            description: d.description,
            quantity: d.quantity,
            unit_price: d.unit_price,
            discount,
            tax_rate: d.tax_rate,
        }
    }
}

/// A line of an order, with its amounts.
#[derive(Debug, Clone, Object)]
#[oai(rename = "OrderLine")]
pub struct LineDto {
    /// Position, from 1.
    pub position: u32,
    /// SKU.
    pub sku: String,
    /// Description.
    pub description: String,
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

impl From<&OrderLine> for LineDto {
    fn from(l: &OrderLine) -> Self {
        let discount = l.discount.map(DiscountDto::from);
        Self {
            position: l.position,
            sku: l.sku.clone(),
            description: l.description.clone(),
            quantity: l.quantity,
            unit_price: l.unit_price,
            discount: discount.into(),
            tax_rate: l.tax_rate,
            gross: l.totals.gross,
            discount_amount: l.totals.discount,
            tax: l.totals.tax,
            total: l.totals.total,
        }
    }
}

/// The customer of an order.
#[derive(Debug, Clone, Object)]
#[oai(rename = "OrderCustomer", skip_serializing_if_is_none)]
pub struct CustomerDto {
    /// CRM contact id.
    pub contact_id: Option<uuid::Uuid>,
    /// Name at order time.
    pub name: Option<String>,
    /// E-mail at order time.
    pub email: Option<String>,
}

/// An order.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Order", example)]
pub struct OrderDto {
    /// Id (UUIDv7).
    pub id: uuid::Uuid,
    /// Human number (`SO-000123`).
    pub number: String,
    /// Where the order stands.
    pub status: OrderStatus,
    /// Whether it is paid (driven by invoice events).
    pub payment_status: PaymentStatus,
    /// Paid so far.
    pub amount_paid: Decimal,
    /// Customer.
    pub customer: Nullable<CustomerDto>,
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
    pub grand_total: Decimal,
    /// Notes.
    pub notes: Nullable<String>,
    /// Metadata (JSON object).
    pub metadata: std::collections::BTreeMap<String, serde_json::Value>,
    /// Why it was cancelled.
    pub cancellation_reason: Nullable<String>,
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

impl From<&Order> for OrderDto {
    fn from(o: &Order) -> Self {
        Self {
            id: o.id.0,
            number: o.number.to_string(),
            status: o.status,
            payment_status: o.payment_status,
            amount_paid: o.amount_paid,
            customer: o
                .customer
                .clone()
                .map(|c| CustomerDto { contact_id: c.contact_id, name: c.name, email: c.email })
                .into(),
            currency: o.currency.code().into(),
            lines: o.lines.iter().map(LineDto::from).collect(),
            subtotal: o.totals.subtotal,
            discount_total: o.totals.discount,
            tax_total: o.totals.tax,
            grand_total: o.totals.grand_total,
            notes: o.notes.clone().into(),
            metadata: o.metadata.clone().into_iter().collect(),
            cancellation_reason: o.cancellation_reason.clone().into(),
            created_by: o.created_by.to_string(),
            updated_by: o.updated_by.to_string(),
            created_at: o.created_at,
            updated_at: o.updated_at,
            version: o.version,
        }
    }
}

/// `POST /api/orders` body.
#[derive(Debug, Clone, Object)]
#[oai(example, skip_serializing_if_is_none)]
pub struct CreateOrderBody {
    /// ISO 4217 currency (EUR, USD, JPY, …).
    pub currency: String,
    /// Customer.
    pub customer: Option<CustomerDto>,
    /// Notes (at most 4000 characters).
    pub notes: Option<String>,
    /// Metadata (JSON object, at most 16 KiB).
    #[oai(default)]
    pub metadata: std::collections::BTreeMap<String, serde_json::Value>,
    /// Lines (at most 500).
    #[oai(default)]
    pub lines: Vec<LineInputDto>,
}

/// `PATCH /api/orders/{id}` body: the header of a draft, replaced.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UpdateOrderBody {
    /// Customer.
    pub customer: Option<CustomerDto>,
    /// Notes.
    pub notes: Option<String>,
    /// Metadata.
    #[oai(default)]
    pub metadata: std::collections::BTreeMap<String, serde_json::Value>,
}

/// `PUT /api/orders/{id}/lines` body.
#[derive(Debug, Clone, Object)]
pub struct LinesBody {
    /// The new lines.
    pub lines: Vec<LineInputDto>,
}

/// `POST /api/orders/{id}/cancel` body.
#[derive(Debug, Clone, Object)]
pub struct CancelBody {
    /// Why (1-1000 characters).
    pub reason: String,
}

/// The numbering of an organization's orders.
#[derive(Debug, Clone, Object)]
pub struct NumberingBody {
    /// Prefix of future order numbers: 1-10 of A-Z, 0-9, - and / (default `SO-`).
    pub prefix: String,
}

gremlin_kernel::page_dto! {
    /// A page of orders (the page shape of every business list).
    #[oai(example)]
    pub struct OrderPage of OrderDto from Order;
    /// Orders with their lines.
    items
}

/// What orders can be sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum OrderSort {
    /// Creation time (then id); the default.
    #[default]
    Created,
    /// Order number.
    Number,
}
