//! The examples the spec shows for creating, reading and listing invoices.
//! The invoice is made by the model itself from the example request —
//! drafted, finalized and paid in part — so its amounts are the ones the
//! server would answer.

use gremlin_kernel::http::{DiscountDto, DiscountKind};
use gremlin_kernel::{Currency, OrganizationId, UserId};
use poem_openapi::types::Example;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::dto::{CreateInvoiceBody, CustomerDto, InvoiceDto, InvoicePage, LineInputDto};
use crate::model::{Invoice, InvoiceHeader, InvoiceId, LineInput, PaymentId, PaymentInput, PaymentTerms};

fn create_body() -> CreateInvoiceBody {
    CreateInvoiceBody {
        currency: Currency::EUR.code().into(),
        customer: Some(CustomerDto {
            crm_id: None,
            name: "Acme Trading Ltd".into(),
            email: Some("accounts@acme.example".into()),
            address: vec!["1 Harbour Road".into(), "Cork T12 X0Y1".into(), "Ireland".into()],
        }),
        lines: vec![
            LineInputDto {
                description: "Consulting, November".into(),
                sku: Some("CONSULT-DAY".into()),
                quantity: Decimal::new(3, 0),
                unit_price: Decimal::new(650, 0),
                discount: Some(DiscountDto { kind: DiscountKind::Percent, value: Decimal::new(10, 0) }),
                tax_rate: Decimal::new(23, 0),
            },
            LineInputDto {
                description: "Travel".into(),
                sku: None,
                quantity: Decimal::ONE,
                unit_price: Decimal::new(18450, 2),
                discount: None,
                tax_rate: Decimal::ZERO,
            },
        ],
        net_days: Some(14),
        memo: Some("Thank you for your business.".into()),
        footer: Some("IBAN IE29 AIBK 9311 5212 3456 78 · VAT IE1234567T".into()),
        metadata: Default::default(),
        order_id: None,
    }
}

/// The example request as an invoice: drafted, finalized on 2026-11-30 and
/// paid 1 000.00 of its total.
fn example_invoice() -> Option<Invoice> {
    let body = create_body();
    let at = OffsetDateTime::from_unix_timestamp(1_796_000_000).ok()?;
    let by = UserId::new("usr_8FqL2mZ0aR5tYc1W");
    let header = InvoiceHeader {
        customer: body.customer?.into(),
        memo: body.memo,
        footer: body.footer,
        metadata: Default::default(),
        terms: PaymentTerms::net(body.net_days?)?,
    };
    let lines: Vec<LineInput> = body.lines.into_iter().map(LineInput::from).collect();
    let id = InvoiceId(uuid::Uuid::from_u128(0x0193_7d4a_6c00_7000_8000_0000_0000_0042));
    let organization = OrganizationId::new("org_3hTq0r9mX2bV7kLp");
    let mut invoice = Invoice::draft(id, organization, Currency::EUR, header, &lines, None, by.clone(), at).ok()?;
    invoice.finalize("INV-000123".into(), at.date(), by.clone(), at).ok()?;
    let payment = PaymentInput {
        amount: Decimal::new(1000, 0),
        method: "bank_transfer".into(),
        reference: Some("SEPA 2026-11-30 ACME".into()),
        received_at: at,
    };
    let payment_id = PaymentId(uuid::Uuid::from_u128(0x0193_7d4a_6c00_7000_8000_0000_0000_0043));
    invoice.record_payment(payment_id, payment, by, at).ok()?;
    Some(invoice)
}

impl Example for CreateInvoiceBody {
    fn example() -> Self {
        create_body()
    }
}

impl Example for InvoiceDto {
    fn example() -> Self {
        InvoiceDto::from(&example_invoice().unwrap_or_else(empty))
    }
}

/// Shown only if the example request stopped being a valid invoice, which
/// the test below catches.
fn empty() -> Invoice {
    Invoice {
        id: InvoiceId(uuid::Uuid::nil()),
        organization_id: OrganizationId::new("org"),
        number: None,
        status: crate::model::InvoiceStatus::Draft,
        customer: Default::default(),
        currency: Currency::EUR,
        lines: Vec::new(),
        totals: Default::default(),
        memo: None,
        footer: None,
        metadata: Default::default(),
        order_id: None,
        terms: PaymentTerms::default(),
        issue_date: None,
        due_date: None,
        finalized_at: None,
        payments: Vec::new(),
        credit_notes: Vec::new(),
        created_by: UserId::new("usr"),
        updated_by: UserId::new("usr"),
        created_at: OffsetDateTime::UNIX_EPOCH,
        updated_at: OffsetDateTime::UNIX_EPOCH,
        version: 1,
    }
}

impl Example for InvoicePage {
    fn example() -> Self {
        InvoicePage { items: vec![InvoiceDto::example()], next_cursor: None.into(), has_more: false }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn the_example_is_what_the_model_makes_of_the_example_request() {
        let invoice = example_invoice().expect("the example request makes a valid invoice");
        // 3 × 650 = 1 950; 10 % off 195; net 1 755; 23 % tax 403.65 → 2 158.65; travel 184.50.
        assert_eq!(invoice.totals.grand_total, dec!(2343.15));
        assert_eq!(invoice.amount_due(), dec!(1343.15));
        let dto = InvoiceDto::example();
        assert_eq!((dto.total, dto.amount_due, dto.taxes.len()), (dec!(2343.15), dec!(1343.15), 2));
    }
}
