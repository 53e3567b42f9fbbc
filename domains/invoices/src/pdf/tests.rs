//! The PDF read back as text (pdf-extract): what an accountant needs is on
//! it, non-Latin names included, and a long invoice runs over pages
//! without losing a line.

use gremlin_kernel::pricing::LinePrice;
use gremlin_kernel::{Currency, OrganizationId, UserId};
use rust_decimal_macros::dec;
use time::macros::{date, datetime};

use super::*;
use crate::model::{Customer, InvoiceHeader, InvoiceId, LineInput, PaymentId, PaymentInput, PaymentTerms};

fn seller() -> Seller {
    Seller {
        name: "Ακμή Εμπορική ΑΕ".into(),
        address: vec!["Οδός Ερμού 12".into(), "105 63 Αθήνα".into()],
        tax_id: Some("EL123456789".into()),
        email: Some("billing@akmi.example".into()),
    }
}

fn line(description: &str, quantity: Decimal, unit_price: Decimal, discount: Option<Discount>) -> LineInput {
    LineInput {
        description: description.into(),
        sku: Some("SKU-1".into()),
        price: LinePrice { quantity, unit_price, discount, tax_rate: dec!(24) },
    }
}

fn invoice(lines: &[LineInput]) -> Invoice {
    let now = datetime!(2026-11-30 10:00 UTC);
    let header = InvoiceHeader {
        customer: Customer {
            name: "Иван Петров".into(),
            email: Some("ivan@example.ru".into()),
            address: vec!["ул. Ленина 1".into(), "Москва".into()],
            ..Customer::default()
        },
        memo: Some("Order SO-000042".into()),
        footer: Some("IBAN GR16 0110 1250 0000 0001 2300 695 — payable within 14 days".into()),
        terms: PaymentTerms::net(14).unwrap(),
        ..InvoiceHeader::default()
    };
    let by = UserId::new("alice");
    let mut invoice = Invoice::draft(
        InvoiceId::generate(),
        OrganizationId::new("acme"),
        Currency::EUR,
        header,
        lines,
        None,
        by.clone(),
        now,
    )
    .unwrap();
    invoice.finalize("INV-2026-000123".into(), date!(2026 - 11 - 30), by, now).unwrap();
    invoice
}

/// The text of every page, whitespace collapsed.
fn text_of(pdf: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(pdf)
        .expect("the PDF parses")
        .into_iter()
        .map(|page| page.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn a_finalized_invoice_prints_everything_an_accountant_needs() {
    let mut invoice = invoice(&[
        line("Consulting, November", dec!(2), dec!(50), Some(Discount::Percent(dec!(10)))),
        line("Travel", dec!(1), dec!(20), None),
    ]);
    let payment = PaymentInput {
        amount: dec!(50),
        method: "bank_transfer".into(),
        reference: None,
        received_at: datetime!(2026-12-01 09:00 UTC),
    };
    invoice
        .record_payment(PaymentId::generate(), payment, UserId::new("alice"), datetime!(2026-12-01 09:00 UTC))
        .unwrap();
    let pdf = render(&invoice, &seller()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let pages = text_of(&pdf);
    assert_eq!(pages.len(), 1);
    let text = &pages[0];
    for expected in [
        "Ακμή Εμπορική ΑΕ",
        "Οδός Ερμού 12",
        "Tax ID: EL123456789",
        "Иван Петров",
        "ул. Ленина 1",
        "INV-2026-000123",
        "2026-11-30",
        "2026-12-14",
        "Order SO-000042",
        "Consulting, November",
        "Discount 10 %",
        "Travel",
        "90.00 EUR",
        "Tax 24 % of 110.00 EUR",
        "26.40 EUR",
        "136.40 EUR",
        "Paid",
        "-50.00 EUR",
        "Amount due",
        "86.40 EUR",
        "IBAN GR16 0110 1250 0000 0001 2300 695",
        "page 1 of 1",
    ] {
        assert!(text.contains(expected), "`{expected}` is missing from:\n{text}");
    }
}

#[test]
fn a_long_invoice_runs_over_pages_without_losing_a_line() {
    let lines: Vec<LineInput> =
        (1..=120).map(|i| line(&format!("Item number {i:03} with a description"), dec!(1), dec!(1), None)).collect();
    let pdf = render(&invoice(&lines), &seller()).unwrap();
    let pages = text_of(&pdf);
    assert!(pages.len() >= 3, "{} pages", pages.len());
    let all = pages.join(" ");
    for i in 1..=120 {
        assert!(all.contains(&format!("Item number {i:03}")), "line {i} is missing");
    }
    assert!(pages[1].contains("Description") && pages[1].contains("Amount"), "headings repeat: {}", pages[1]);
    assert!(pages.last().unwrap().contains("Amount due"));
    assert!(pages[0].contains(&format!("page 1 of {}", pages.len())));
}

#[test]
fn a_draft_prints_as_a_preview_without_number() {
    let draft = Invoice::draft(
        InvoiceId::generate(),
        OrganizationId::new("acme"),
        Currency::EUR,
        InvoiceHeader::default(),
        &[line("Consulting", dec!(1), dec!(10), None)],
        None,
        UserId::new("alice"),
        datetime!(2026-11-30 10:00 UTC),
    )
    .unwrap();
    let text = text_of(&render(&draft, &Seller::default()).unwrap()).join(" ");
    for expected in ["Draft invoice", "Number Draft", "Consulting", "Amount due", "12.40 EUR", "Draft · page 1 of 1"] {
        assert!(text.contains(expected), "`{expected}` is missing from:\n{text}");
    }
    assert!(!text.contains("Issue date") && !text.contains("Due date"), "{text}");
}
