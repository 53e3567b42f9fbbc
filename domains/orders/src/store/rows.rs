//! Storage rows <-> the model: column lists, bound values, and parsing.

use anyhow::Context;
use gremlin_kernel::outbox::{from_micros, micros};
use gremlin_kernel::{Currency, OrganizationId, UserId};
use sea_orm::{QueryResult, Value};

use super::decimal;
use crate::model::totals::{LineTotals, OrderTotals};
use crate::model::{Customer, Discount, NumberPrefix, Order, OrderLine, OrderNumber, OrderStatus, PaymentStatus};

/// The `orders` columns, in the order of [`order_values`] (23).
pub(crate) const ORDER_COLUMNS: &str = "id, organization_id, number_prefix, number_seq, status, payment_status, amount_paid, customer_contact_id, customer_name, customer_email, currency, subtotal, discount_total, tax_total, grand_total, notes, metadata, cancellation_reason, created_by, updated_by, created_at_us, updated_at_us, version";

/// The `order_lines` columns, in the order of [`line_values`] (15).
pub(crate) const LINE_COLUMNS: &str = "order_id, organization_id, position, sku, description, quantity, unit_price, discount_kind, discount_value, tax_rate, gross, discount, net, tax, total";

/// The values of an `orders` row.
pub(crate) fn order_values(o: &Order) -> Vec<Value> {
    let customer = o.customer.clone().unwrap_or_default();
    vec![
        o.id.to_string().into(),
        o.organization_id.as_str().into(),
        o.number.prefix.as_str().into(),
        i64::try_from(o.number.sequence).unwrap_or(i64::MAX).into(),
        o.status.as_str().into(),
        o.payment_status.as_str().into(),
        o.amount_paid.to_string().into(),
        customer.contact_id.map(|c| c.to_string()).into(),
        customer.name.into(),
        customer.email.into(),
        o.currency.code().into(),
        o.totals.subtotal.to_string().into(),
        o.totals.discount.to_string().into(),
        o.totals.tax.to_string().into(),
        o.totals.grand_total.to_string().into(),
        o.notes.clone().into(),
        serde_json::Value::Object(o.metadata.clone()).to_string().into(),
        o.cancellation_reason.clone().into(),
        o.created_by.as_str().into(),
        o.updated_by.as_str().into(),
        micros(o.created_at).into(),
        micros(o.updated_at).into(),
        o.version.into(),
    ]
}

/// The values of an `order_lines` row.
pub(crate) fn line_values(o: &Order, l: &OrderLine) -> Vec<Value> {
    let (kind, value) = match l.discount {
        None => (None, None),
        Some(Discount::Percent(p)) => (Some("percent"), Some(p.to_string())),
        Some(Discount::Amount(a)) => (Some("amount"), Some(a.to_string())),
    };
    vec![
        o.id.to_string().into(),
        o.organization_id.as_str().into(),
        i32::try_from(l.position).unwrap_or(i32::MAX).into(),
        l.sku.clone().into(),
        l.description.clone().into(),
        l.quantity.to_string().into(),
        l.unit_price.to_string().into(),
        kind.map(str::to_owned).into(),
        value.into(),
        l.tax_rate.to_string().into(),
        l.totals.gross.to_string().into(),
        l.totals.discount.to_string().into(),
        l.totals.net.to_string().into(),
        l.totals.tax.to_string().into(),
        l.totals.total.to_string().into(),
    ]
}

fn text(row: &QueryResult, index: usize) -> anyhow::Result<String> {
    row.try_get_by_index::<String>(index).with_context(|| format!("reading column {index}"))
}

fn optional(row: &QueryResult, index: usize) -> anyhow::Result<Option<String>> {
    row.try_get_by_index::<Option<String>>(index).with_context(|| format!("reading column {index}"))
}

fn int(row: &QueryResult, index: usize) -> anyhow::Result<i64> {
    row.try_get_by_index::<i64>(index).with_context(|| format!("reading column {index}"))
}

/// An order (without lines) from an `orders` row.
pub(crate) fn order_from_row(row: &QueryResult) -> anyhow::Result<Order> {
    let contact_id = optional(row, 7)?.map(|c| uuid::Uuid::parse_str(&c)).transpose().context("customer contact id")?;
    let (name, email) = (optional(row, 8)?, optional(row, 9)?);
    let customer =
        (contact_id.is_some() || name.is_some() || email.is_some()).then_some(Customer { contact_id, name, email });
    let metadata = match serde_json::from_str::<serde_json::Value>(&text(row, 16)?).context("order metadata")? {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    Ok(Order {
        id: text(row, 0)?.parse().context("order id")?,
        organization_id: OrganizationId::new(text(row, 1)?),
        number: OrderNumber {
            prefix: NumberPrefix::parse(&text(row, 2)?).unwrap_or_default(),
            sequence: u64::try_from(int(row, 3)?).context("number")?,
        },
        status: OrderStatus::parse(&text(row, 4)?).context("order status")?,
        payment_status: PaymentStatus::parse(&text(row, 5)?).context("payment status")?,
        amount_paid: decimal(&text(row, 6)?)?,
        customer,
        currency: Currency::parse(&text(row, 10)?).context("currency")?,
        lines: Vec::new(),
        totals: OrderTotals {
            subtotal: decimal(&text(row, 11)?)?,
            discount: decimal(&text(row, 12)?)?,
            tax: decimal(&text(row, 13)?)?,
            grand_total: decimal(&text(row, 14)?)?,
        },
        notes: optional(row, 15)?,
        metadata,
        cancellation_reason: optional(row, 17)?,
        created_by: UserId::new(text(row, 18)?),
        updated_by: UserId::new(text(row, 19)?),
        created_at: from_micros(int(row, 20)?)?,
        updated_at: from_micros(int(row, 21)?)?,
        version: int(row, 22)?,
    })
}

/// An order line and its order's id from an `order_lines` row.
pub(crate) fn line_from_row(row: &QueryResult) -> anyhow::Result<(String, OrderLine)> {
    let discount = match (optional(row, 7)?.as_deref(), optional(row, 8)?) {
        (Some("percent"), Some(v)) => Some(Discount::Percent(decimal(&v)?)),
        (Some("amount"), Some(v)) => Some(Discount::Amount(decimal(&v)?)),
        _ => None,
    };
    let position = row.try_get_by_index::<i32>(2).context("line position")?;
    let line = OrderLine {
        position: u32::try_from(position).context("line position")?,
        sku: text(row, 3)?,
        description: text(row, 4)?,
        quantity: decimal(&text(row, 5)?)?,
        unit_price: decimal(&text(row, 6)?)?,
        discount,
        tax_rate: decimal(&text(row, 9)?)?,
        totals: LineTotals {
            gross: decimal(&text(row, 10)?)?,
            discount: decimal(&text(row, 11)?)?,
            net: decimal(&text(row, 12)?)?,
            tax: decimal(&text(row, 13)?)?,
            total: decimal(&text(row, 14)?)?,
        },
    };
    Ok((text(row, 0)?, line))
}
