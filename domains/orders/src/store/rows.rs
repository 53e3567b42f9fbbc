//! Storage rows <-> the model, field by field.

use anyhow::Context;
use gremlin_kernel::pricing::{DocumentTotals, LineTotals};
use gremlin_kernel::sql::{decimal, from_micros, micros};
use gremlin_kernel::{Currency, OrganizationId, UserId};
use sea_orm::ActiveValue::Set;

use super::entities::{line, order};
use crate::model::{Customer, Discount, NumberPrefix, Order, OrderLine, OrderNumber, OrderStatus, PaymentStatus};

/// An `orders` row holding `o`, every column set.
pub(crate) fn order_row(o: &Order) -> order::ActiveModel {
    let customer = o.customer.clone().unwrap_or_default();
    order::ActiveModel {
        id: Set(o.id.to_string()),
        organization_id: Set(o.organization_id.as_str().to_owned()),
        number_prefix: Set(o.number.prefix.as_str().to_owned()),
        number_seq: Set(i64::try_from(o.number.sequence).unwrap_or(i64::MAX)),
        status: Set(o.status.as_str().to_owned()),
        payment_status: Set(o.payment_status.as_str().to_owned()),
        amount_paid: Set(o.amount_paid.to_string()),
        customer_contact_id: Set(customer.contact_id.map(|c| c.to_string())),
        customer_name: Set(customer.name),
        customer_email: Set(customer.email),
        currency: Set(o.currency.code().to_owned()),
        subtotal: Set(o.totals.subtotal.to_string()),
        discount_total: Set(o.totals.discount.to_string()),
        tax_total: Set(o.totals.tax.to_string()),
        grand_total: Set(o.totals.grand_total.to_string()),
        notes: Set(o.notes.clone()),
        metadata: Set(serde_json::Value::Object(o.metadata.clone()).to_string()),
        cancellation_reason: Set(o.cancellation_reason.clone()),
        created_by: Set(o.created_by.as_str().to_owned()),
        updated_by: Set(o.updated_by.as_str().to_owned()),
        created_at_us: Set(micros(o.created_at)),
        updated_at_us: Set(micros(o.updated_at)),
        version: Set(o.version),
    }
}

/// An `order_lines` row holding line `l` of order `o`.
pub(crate) fn line_row(o: &Order, l: &OrderLine) -> line::ActiveModel {
    let (kind, value) = Discount::to_columns(l.discount);
    line::ActiveModel {
        order_id: Set(o.id.to_string()),
        organization_id: Set(o.organization_id.as_str().to_owned()),
        position: Set(i32::try_from(l.position).unwrap_or(i32::MAX)),
        sku: Set(l.sku.clone()),
        description: Set(l.description.clone()),
        quantity: Set(l.quantity.to_string()),
        unit_price: Set(l.unit_price.to_string()),
        discount_kind: Set(kind),
        discount_value: Set(value),
        tax_rate: Set(l.tax_rate.to_string()),
        gross: Set(l.totals.gross.to_string()),
        discount: Set(l.totals.discount.to_string()),
        net: Set(l.totals.net.to_string()),
        tax: Set(l.totals.tax.to_string()),
        total: Set(l.totals.total.to_string()),
    }
}

/// An order (without lines) from its row.
pub(crate) fn order_from_row(row: order::Model) -> anyhow::Result<Order> {
    let contact_id =
        row.customer_contact_id.as_deref().map(uuid::Uuid::parse_str).transpose().context("customer contact id")?;
    let (name, email) = (row.customer_name, row.customer_email);
    let customer =
        (contact_id.is_some() || name.is_some() || email.is_some()).then_some(Customer { contact_id, name, email });
    let metadata = match serde_json::from_str::<serde_json::Value>(&row.metadata).context("order metadata")? {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    Ok(Order {
        id: row.id.parse().context("order id")?,
        organization_id: OrganizationId::new(row.organization_id),
        number: OrderNumber {
            prefix: NumberPrefix::parse(&row.number_prefix)
                .unwrap_or_else(|_| crate::model::number::SERIES.default_prefix()),
            year: None,
            sequence: u64::try_from(row.number_seq).context("number")?,
        },
        status: OrderStatus::parse(&row.status).context("order status")?,
        payment_status: PaymentStatus::parse(&row.payment_status).context("payment status")?,
        amount_paid: decimal(&row.amount_paid)?,
        customer,
        currency: Currency::parse(&row.currency).context("currency")?,
        lines: Vec::new(),
        totals: DocumentTotals::from_columns(&row.subtotal, &row.discount_total, &row.tax_total, &row.grand_total)?,
        notes: row.notes,
        metadata,
        cancellation_reason: row.cancellation_reason,
        created_by: UserId::new(row.created_by),
        updated_by: UserId::new(row.updated_by),
        created_at: from_micros(row.created_at_us)?,
        updated_at: from_micros(row.updated_at_us)?,
        version: row.version,
    })
}

/// An order line from its row.
pub(crate) fn line_from_row(row: line::Model) -> anyhow::Result<OrderLine> {
    let discount = Discount::from_columns(row.discount_kind.as_deref(), row.discount_value.as_deref())?;
    Ok(OrderLine {
        position: u32::try_from(row.position).context("line position")?,
        sku: row.sku,
        description: row.description,
        quantity: decimal(&row.quantity)?,
        unit_price: decimal(&row.unit_price)?,
        discount,
        tax_rate: decimal(&row.tax_rate)?,
        totals: LineTotals::from_columns(&row.gross, &row.discount, &row.net, &row.tax, &row.total)?,
    })
}
