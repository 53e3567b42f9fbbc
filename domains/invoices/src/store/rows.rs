//! Storage rows <-> the model, field by field.

use anyhow::Context;
use gremlin_kernel::pricing::{Discount, DocumentTotals, LineTotals};
use gremlin_kernel::sql::{decimal, from_micros, micros};
use gremlin_kernel::{Currency, OrganizationId, UserId};
use rust_decimal::Decimal;
use sea_orm::ActiveValue::Set;
use time::Date;
use time::macros::format_description;

use super::entities::{credit_note, invoice, line, payment};
use crate::model::{
    CreditNote, CreditNoteStatus, Customer, Invoice, InvoiceLine, InvoiceStatus, Payment, PaymentTerms, Refund,
    RemainderOutcome,
};
use crate::ports::CreditNoteEntry;

const DATE: &[time::format_description::BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

pub(crate) fn date_text(date: Option<Date>) -> Option<String> {
    date.and_then(|d| d.format(DATE).ok())
}

fn parse_date(text: Option<&str>) -> anyhow::Result<Option<Date>> {
    text.map(|t| Date::parse(t, DATE).with_context(|| format!("stored date `{t}`"))).transpose()
}

/// An `invoices` row holding `i`, every column set.
pub(crate) fn invoice_row(i: &Invoice) -> invoice::ActiveModel {
    invoice::ActiveModel {
        id: Set(i.id.to_string()),
        organization_id: Set(i.organization_id.as_str().to_owned()),
        number: Set(i.number.clone()),
        status: Set(i.status.as_str().to_owned()),
        customer_crm_id: Set(i.customer.crm_id.map(|c| c.to_string())),
        customer_name: Set(i.customer.name.clone()),
        customer_email: Set(i.customer.email.clone()),
        customer_address: Set(serde_json::Value::from(i.customer.address.clone()).to_string()),
        currency: Set(i.currency.code().to_owned()),
        subtotal: Set(i.totals.subtotal.to_string()),
        discount_total: Set(i.totals.discount.to_string()),
        tax_total: Set(i.totals.tax.to_string()),
        grand_total: Set(i.totals.grand_total.to_string()),
        amount_due: Set(i.amount_due().to_string()),
        memo: Set(i.memo.clone()),
        footer: Set(i.footer.clone()),
        metadata: Set(serde_json::Value::Object(i.metadata.clone()).to_string()),
        order_id: Set(i.order_id.map(|o| o.to_string())),
        net_days: Set(i32::from(i.terms.net_days)),
        issue_date: Set(date_text(i.issue_date)),
        due_date: Set(date_text(i.due_date)),
        finalized_at_us: Set(i.finalized_at.map(micros)),
        created_by: Set(i.created_by.as_str().to_owned()),
        updated_by: Set(i.updated_by.as_str().to_owned()),
        created_at_us: Set(micros(i.created_at)),
        updated_at_us: Set(micros(i.updated_at)),
        version: Set(i.version),
    }
}

/// An `invoice_lines` row holding line `l` of invoice `i`.
pub(crate) fn line_row(i: &Invoice, l: &InvoiceLine) -> line::ActiveModel {
    let (kind, value) = Discount::to_columns(l.discount);
    line::ActiveModel {
        invoice_id: Set(i.id.to_string()),
        position: Set(i32::try_from(l.position).unwrap_or(i32::MAX)),
        organization_id: Set(i.organization_id.as_str().to_owned()),
        description: Set(l.description.clone()),
        sku: Set(l.sku.clone()),
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

/// An `invoice_payments` row holding payment `p` of invoice `i`.
pub(crate) fn payment_row(i: &Invoice, p: &Payment) -> payment::ActiveModel {
    payment::ActiveModel {
        id: Set(p.id.to_string()),
        invoice_id: Set(i.id.to_string()),
        organization_id: Set(i.organization_id.as_str().to_owned()),
        amount: Set(p.amount.to_string()),
        method: Set(p.method.clone()),
        reference: Set(p.reference.clone()),
        received_at_us: Set(micros(p.received_at)),
        refund_reason: Set(p.refund.as_ref().map(|r| r.reason.clone())),
        refunded_at_us: Set(p.refund.as_ref().map(|r| micros(r.refunded_at))),
    }
}

/// A `credit_notes` row holding credit note `n` of invoice `i`.
pub(crate) fn credit_note_row(i: &Invoice, n: &CreditNote) -> credit_note::ActiveModel {
    let lines: Vec<(u32, String)> = n.lines.iter().map(|(p, q)| (*p, q.to_string())).collect();
    credit_note::ActiveModel {
        id: Set(n.id.to_string()),
        invoice_id: Set(i.id.to_string()),
        organization_id: Set(i.organization_id.as_str().to_owned()),
        number: Set(n.number.clone()),
        status: Set(enum_text(&n.status)),
        lines: Set(serde_json::to_string(&lines).unwrap_or_else(|_| "[]".into())),
        amount: Set(n.amount.to_string()),
        applied_to_due: Set(n.applied_to_due.to_string()),
        remainder: Set(n.remainder.to_string()),
        remainder_outcome: Set(n.remainder_outcome.as_ref().map(enum_text)),
        reason: Set(n.reason.clone()),
        issued_at_us: Set(micros(n.issued_at)),
    }
}

/// A snake_case enum's name, as serde writes it.
pub(crate) fn enum_text(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn enum_from<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> anyhow::Result<T> {
    serde_json::from_value(serde_json::Value::from(text)).with_context(|| format!("stored {what} `{text}`"))
}

/// A credit note with the header of its invoice.
pub(crate) fn credit_note_entry(note: credit_note::Model, invoice: &invoice::Model) -> anyhow::Result<CreditNoteEntry> {
    Ok(CreditNoteEntry {
        invoice_id: invoice.id.parse().context("invoice id")?,
        invoice_number: invoice.number.clone().unwrap_or_default(),
        currency: Currency::parse(&invoice.currency).context("currency")?,
        customer: customer_of(invoice)?,
        note: credit_note_from_row(note)?,
    })
}

fn customer_of(row: &invoice::Model) -> anyhow::Result<Customer> {
    Ok(Customer {
        crm_id: row.customer_crm_id.as_deref().map(uuid::Uuid::parse_str).transpose().context("crm id")?,
        name: row.customer_name.clone(),
        email: row.customer_email.clone(),
        address: serde_json::from_str(&row.customer_address).context("customer address")?,
    })
}

/// An invoice from its rows.
pub(crate) fn invoice_from_rows(
    row: invoice::Model,
    lines: Vec<line::Model>,
    payments: Vec<payment::Model>,
    credit_notes: Vec<credit_note::Model>,
) -> anyhow::Result<Invoice> {
    let metadata = match serde_json::from_str::<serde_json::Value>(&row.metadata).context("invoice metadata")? {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    let customer = customer_of(&row)?;
    Ok(Invoice {
        id: row.id.parse().context("invoice id")?,
        organization_id: OrganizationId::new(row.organization_id),
        number: row.number,
        status: InvoiceStatus::parse(&row.status).context("invoice status")?,
        customer,
        currency: Currency::parse(&row.currency).context("currency")?,
        lines: lines.into_iter().map(line_from_row).collect::<anyhow::Result<_>>()?,
        totals: DocumentTotals::from_columns(&row.subtotal, &row.discount_total, &row.tax_total, &row.grand_total)?,
        memo: row.memo,
        footer: row.footer,
        metadata,
        order_id: row.order_id.as_deref().map(uuid::Uuid::parse_str).transpose().context("order id")?,
        terms: PaymentTerms { net_days: u16::try_from(row.net_days).context("payment terms")? },
        issue_date: parse_date(row.issue_date.as_deref())?,
        due_date: parse_date(row.due_date.as_deref())?,
        finalized_at: row.finalized_at_us.map(from_micros).transpose()?,
        payments: payments.into_iter().map(payment_from_row).collect::<anyhow::Result<_>>()?,
        credit_notes: credit_notes.into_iter().map(credit_note_from_row).collect::<anyhow::Result<_>>()?,
        created_by: UserId::new(row.created_by),
        updated_by: UserId::new(row.updated_by),
        created_at: from_micros(row.created_at_us)?,
        updated_at: from_micros(row.updated_at_us)?,
        version: row.version,
    })
}

fn line_from_row(row: line::Model) -> anyhow::Result<InvoiceLine> {
    Ok(InvoiceLine {
        position: u32::try_from(row.position).context("line position")?,
        description: row.description,
        sku: row.sku,
        quantity: decimal(&row.quantity)?,
        unit_price: decimal(&row.unit_price)?,
        discount: Discount::from_columns(row.discount_kind.as_deref(), row.discount_value.as_deref())?,
        tax_rate: decimal(&row.tax_rate)?,
        totals: LineTotals::from_columns(&row.gross, &row.discount, &row.net, &row.tax, &row.total)?,
    })
}

fn payment_from_row(row: payment::Model) -> anyhow::Result<Payment> {
    let refund = match (row.refund_reason, row.refunded_at_us) {
        (Some(reason), Some(at)) => Some(Refund { reason, refunded_at: from_micros(at)? }),
        _ => None,
    };
    Ok(Payment {
        id: row.id.parse().context("payment id")?,
        amount: decimal(&row.amount)?,
        method: row.method,
        reference: row.reference,
        received_at: from_micros(row.received_at_us)?,
        refund,
    })
}

fn credit_note_from_row(row: credit_note::Model) -> anyhow::Result<CreditNote> {
    let lines: Vec<(u32, String)> = serde_json::from_str(&row.lines).context("credited lines")?;
    Ok(CreditNote {
        id: row.id.parse().context("credit note id")?,
        number: row.number,
        status: enum_from::<CreditNoteStatus>(&row.status, "credit note status")?,
        lines: lines
            .into_iter()
            .map(|(p, q)| Ok((p, decimal(&q)?)))
            .collect::<anyhow::Result<Vec<(u32, Decimal)>>>()?,
        amount: decimal(&row.amount)?,
        applied_to_due: decimal(&row.applied_to_due)?,
        remainder: decimal(&row.remainder)?,
        remainder_outcome: row
            .remainder_outcome
            .as_deref()
            .map(|o| enum_from::<RemainderOutcome>(o, "outcome"))
            .transpose()?,
        reason: row.reason,
        issued_at: from_micros(row.issued_at_us)?,
    })
}
