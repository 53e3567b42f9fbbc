//! The invoice's rules: every transition, every amount rule, and the
//! invariants under any sequence of payments, refunds and credit notes.

use gremlin_kernel::pricing::LinePrice;
use proptest::prelude::*;
use rust_decimal_macros::dec;
use time::macros::{date, datetime};

use super::*;
use crate::model::credit_note::{CreditRequest, RemainderOutcome};
use crate::model::payment::PaymentInput;

const NOW: OffsetDateTime = datetime!(2026-11-30 10:00 UTC);

fn alice() -> UserId {
    UserId::new("alice")
}

fn line(description: &str, quantity: Decimal, unit_price: Decimal, tax_rate: Decimal) -> LineInput {
    LineInput {
        description: description.into(),
        sku: None,
        price: LinePrice { quantity, unit_price, discount: None, tax_rate },
    }
}

fn header() -> InvoiceHeader {
    InvoiceHeader {
        customer: Customer {
            name: "Ærø Købmand".into(),
            email: Some("billing@aero.example".into()),
            ..Customer::default()
        },
        terms: PaymentTerms::net(14).unwrap(),
        ..InvoiceHeader::default()
    }
}

/// A draft of 2 × 50.00 at 20 % and 1 × 20.00 at 0 %: total 140.00.
fn draft() -> Invoice {
    let lines = [line("Consulting", dec!(2), dec!(50), dec!(20)), line("Travel", dec!(1), dec!(20), dec!(0))];
    Invoice::draft(
        InvoiceId::generate(),
        OrganizationId::new("acme"),
        Currency::EUR,
        header(),
        &lines,
        None,
        alice(),
        NOW,
    )
    .unwrap()
}

fn open() -> Invoice {
    let mut invoice = draft();
    invoice.finalize("INV-2026-000001".into(), date!(2026 - 11 - 30), alice(), NOW).unwrap();
    invoice
}

fn payment(amount: Decimal) -> PaymentInput {
    PaymentInput { amount, method: "bank_transfer".into(), reference: Some("SEPA 42".into()), received_at: NOW }
}

fn pay(invoice: &mut Invoice, amount: Decimal) -> Result<PaymentId, InvoiceError> {
    invoice.record_payment(PaymentId::generate(), payment(amount), alice(), NOW).map(|p| p.id)
}

fn credit(
    invoice: &mut Invoice,
    request: CreditRequest,
    outcome: Option<RemainderOutcome>,
) -> Result<CreditNoteId, InvoiceError> {
    let number = format!("CN-{:06}", invoice.credit_notes.len() + 1);
    invoice.issue_credit_note(CreditNoteId::generate(), number, request, outcome, None, alice(), NOW).map(|n| n.id)
}

#[test]
fn a_draft_has_totals_no_number_and_version_one() {
    let invoice = draft();
    assert_eq!((invoice.status, invoice.number.as_deref(), invoice.version), (InvoiceStatus::Draft, None, 1));
    assert_eq!(invoice.totals.grand_total, dec!(140.00));
    assert_eq!(invoice.amount_due(), dec!(140.00));
    assert_eq!(invoice.tax_breakdown().len(), 2);
}

#[test]
fn invalid_drafts_name_every_field() {
    let mut bad = header();
    bad.customer.email = Some("not-an-address".into());
    bad.memo = Some("x".repeat(MAX_TEXT_BLOCK_LEN + 1));
    let err = Invoice::draft(
        InvoiceId::generate(),
        OrganizationId::new("acme"),
        Currency::EUR,
        bad,
        &[line("", dec!(1), dec!(1), dec!(0))],
        None,
        alice(),
        NOW,
    )
    .unwrap_err();
    let InvoiceError::Invalid(errors) = err else { panic!("expected field errors") };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["customer.email", "memo", "lines[0].description"]);
}

#[test]
fn only_drafts_are_edited_or_deleted() {
    let mut invoice = draft();
    invoice.edit(None, Some(&[line("Only", dec!(1), dec!(10), dec!(0))]), alice(), NOW).unwrap();
    assert_eq!((invoice.totals.grand_total, invoice.version), (dec!(10), 2));
    invoice.ensure_deletable().unwrap();
    let mut open = open();
    assert!(matches!(open.edit(Some(header()), None, alice(), NOW), Err(InvoiceError::Transition(_))));
    assert!(matches!(open.ensure_deletable(), Err(InvoiceError::Transition(_))));
}

#[test]
fn finalizing_needs_lines_and_a_customer_and_sets_the_dates() {
    let mut empty = draft();
    let mut nameless = header();
    nameless.customer.name = " ".into();
    empty.edit(Some(nameless), Some(&[]), alice(), NOW).unwrap();
    let Err(InvoiceError::Invalid(errors)) = empty.finalize("INV-1".into(), date!(2026 - 11 - 30), alice(), NOW) else {
        panic!("expected field errors")
    };
    assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["lines", "customer.name"]);

    let invoice = open();
    assert_eq!(invoice.status, InvoiceStatus::Open);
    assert_eq!(invoice.number.as_deref(), Some("INV-2026-000001"));
    assert_eq!((invoice.issue_date, invoice.due_date), (Some(date!(2026 - 11 - 30)), Some(date!(2026 - 12 - 14))));
    assert!(!invoice.is_overdue(date!(2026 - 12 - 14)));
    assert!(invoice.is_overdue(date!(2026 - 12 - 15)));
    let mut again = invoice.clone();
    assert!(matches!(
        again.finalize("INV-2".into(), date!(2026 - 12 - 01), alice(), NOW),
        Err(InvoiceError::Transition(_))
    ));
}

#[test]
fn a_zero_invoice_is_paid_when_finalized() {
    let mut invoice = draft();
    invoice.edit(None, Some(&[line("Free sample", dec!(1), dec!(0), dec!(20))]), alice(), NOW).unwrap();
    invoice.finalize("INV-1".into(), date!(2026 - 11 - 30), alice(), NOW).unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Paid);
}

#[test]
fn partial_payments_then_the_rest_make_it_paid_and_overpayment_is_refused() {
    let mut invoice = open();
    assert!(matches!(pay(&mut draft(), dec!(1)), Err(InvoiceError::Transition(_))));
    pay(&mut invoice, dec!(40)).unwrap();
    assert_eq!(
        (invoice.status, invoice.amount_paid(), invoice.amount_due()),
        (InvoiceStatus::Open, dec!(40), dec!(100))
    );
    assert_eq!(
        pay(&mut invoice, dec!(100.01)),
        Err(InvoiceError::Overpayment { amount: dec!(100.01), due: dec!(100) })
    );
    assert!(matches!(pay(&mut invoice, dec!(0.001)), Err(InvoiceError::Invalid(_))), "below the minor unit");
    assert!(matches!(pay(&mut invoice, dec!(0)), Err(InvoiceError::Invalid(_))));
    pay(&mut invoice, dec!(100)).unwrap();
    assert_eq!((invoice.status, invoice.amount_due()), (InvoiceStatus::Paid, dec!(0)));
    assert!(matches!(pay(&mut invoice, dec!(1)), Err(InvoiceError::Transition(_))), "nothing more to pay");
}

#[test]
fn a_refund_reopens_a_paid_invoice_once() {
    let mut invoice = open();
    let first = pay(&mut invoice, dec!(140)).unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Paid);
    invoice.refund_payment(first, "returned goods", alice(), NOW).unwrap();
    assert_eq!((invoice.status, invoice.amount_due()), (InvoiceStatus::Open, dec!(140)));
    assert_eq!(invoice.refund_payment(first, "again", alice(), NOW).unwrap_err(), InvoiceError::AlreadyRefunded(first));
    let unknown = PaymentId::generate();
    assert_eq!(invoice.refund_payment(unknown, "x", alice(), NOW).unwrap_err(), InvoiceError::NoSuchPayment(unknown));
    assert!(matches!(invoice.refund_payment(first, " ", alice(), NOW), Err(InvoiceError::Invalid(_))));
}

#[test]
fn void_and_uncollectible_follow_the_lifecycle() {
    let mut invoice = open();
    invoice.mark_uncollectible(alice(), NOW).unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Uncollectible);
    pay(&mut invoice, dec!(140)).unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Paid, "uncollectible → paid");

    let mut written_off = open();
    written_off.mark_uncollectible(alice(), NOW).unwrap();
    written_off.void(alice(), NOW).unwrap();
    assert_eq!((written_off.status, written_off.amount_due()), (InvoiceStatus::Void, dec!(0)));
    assert!(matches!(written_off.void(alice(), NOW), Err(InvoiceError::Transition(_))));

    let mut part_paid = open();
    pay(&mut part_paid, dec!(10)).unwrap();
    assert_eq!(part_paid.void(alice(), NOW), Err(InvoiceError::HasPayments { paid: dec!(10) }));
    assert!(matches!(draft().void(alice(), NOW), Err(InvoiceError::Transition(_))));
}

#[test]
fn credit_notes_reduce_the_amount_due_first() {
    let mut invoice = open();
    assert!(matches!(credit(&mut draft(), CreditRequest::Amount(dec!(1)), None), Err(InvoiceError::Transition(_))));
    // One of the two consulting days: 50.00 + 20 % = 60.00.
    credit(&mut invoice, CreditRequest::Lines(vec![(1, dec!(1))]), None).unwrap();
    assert_eq!((invoice.amount_credited(), invoice.amount_due()), (dec!(60.00), dec!(80.00)));
    assert_eq!(
        credit(&mut invoice, CreditRequest::Lines(vec![(1, dec!(1.5))]), None),
        Err(InvoiceError::OverCredit { what: "line 1".into(), left: dec!(1) })
    );
    assert_eq!(credit(&mut invoice, CreditRequest::Lines(vec![(9, dec!(1))]), None), Err(InvoiceError::NoSuchLine(9)));
    // The rest as an amount: the invoice is then paid by credit alone.
    credit(&mut invoice, CreditRequest::Amount(dec!(80)), None).unwrap();
    assert_eq!((invoice.status, invoice.amount_due()), (InvoiceStatus::Paid, dec!(0)));
    assert_eq!(
        credit(&mut invoice, CreditRequest::Amount(dec!(0.01)), Some(RemainderOutcome::Refund)),
        Err(InvoiceError::OverCredit { what: "the invoice".into(), left: dec!(0) })
    );
}

#[test]
fn credit_beyond_what_is_owed_needs_an_outcome_and_cannot_be_voided() {
    let mut invoice = open();
    pay(&mut invoice, dec!(100)).unwrap();
    assert_eq!(
        credit(&mut invoice, CreditRequest::Amount(dec!(50)), None),
        Err(InvoiceError::RemainderOutcomeRequired { remainder: dec!(10) })
    );
    let id = credit(&mut invoice, CreditRequest::Amount(dec!(50)), Some(RemainderOutcome::CustomerCredit)).unwrap();
    let note = invoice.credit_notes.last().unwrap();
    assert_eq!(
        (note.applied_to_due, note.remainder, note.remainder_outcome),
        (dec!(40), dec!(10), Some(RemainderOutcome::CustomerCredit))
    );
    assert_eq!(invoice.status, InvoiceStatus::Paid);
    assert!(matches!(invoice.void_credit_note(id, alice(), NOW), Err(InvoiceError::CreditNoteFixed { .. })));
}

#[test]
fn voiding_a_credit_note_makes_its_amount_owed_again() {
    let mut invoice = open();
    let id = credit(&mut invoice, CreditRequest::Amount(dec!(140)), None).unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Paid);
    invoice.void_credit_note(id, alice(), NOW).unwrap();
    assert_eq!((invoice.status, invoice.amount_due()), (InvoiceStatus::Open, dec!(140)));
    assert!(matches!(invoice.void_credit_note(id, alice(), NOW), Err(InvoiceError::CreditNoteFixed { .. })));
    // Its line quantities are creditable again.
    credit(&mut invoice, CreditRequest::Lines(vec![(1, dec!(2)), (2, dec!(1))]), None).unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Paid);
}

#[test]
fn every_change_bumps_the_version() {
    let mut invoice = open();
    let v = invoice.version;
    let paid = pay(&mut invoice, dec!(10)).unwrap();
    invoice.refund_payment(paid, "duplicate", alice(), NOW).unwrap();
    credit(&mut invoice, CreditRequest::Amount(dec!(1)), None).unwrap();
    invoice.mark_uncollectible(alice(), NOW).unwrap();
    assert_eq!(invoice.version, v + 4);
}

/// One step of a random history.
#[derive(Debug, Clone)]
enum Step {
    Pay(Decimal),
    Refund(usize),
    CreditAmount(Decimal, bool),
    CreditLine(u32, Decimal, bool),
    VoidCredit(usize),
    Uncollectible,
    Void,
}

fn amount() -> impl Strategy<Value = Decimal> {
    (1i64..20_000).prop_map(|cents| Decimal::new(cents, 2))
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => amount().prop_map(Step::Pay),
        1 => (0usize..5).prop_map(Step::Refund),
        2 => (amount(), any::<bool>()).prop_map(|(a, refund)| Step::CreditAmount(a, refund)),
        2 => (1u32..4, (1i64..300).prop_map(|q| Decimal::new(q, 2)), any::<bool>()).prop_map(|(p, q, r)| Step::CreditLine(p, q, r)),
        1 => (0usize..5).prop_map(Step::VoidCredit),
        1 => Just(Step::Uncollectible),
        1 => Just(Step::Void),
    ]
}

fn lines() -> impl Strategy<Value = Vec<LineInput>> {
    let line = ((1i64..500), (0i64..100_000), prop_oneof![Just(dec!(0)), Just(dec!(5.5)), Just(dec!(20))])
        .prop_map(|(q, p, t)| line("Item", Decimal::new(q, 2), Decimal::new(p, 2), t));
    prop::collection::vec(line, 1..4)
}

proptest! {
    #[test]
    fn amounts_stay_consistent_under_any_history(lines in lines(), steps in prop::collection::vec(step(), 0..25)) {
        let mut invoice = Invoice::draft(
            InvoiceId::generate(), OrganizationId::new("acme"), Currency::EUR, header(), &lines, None, alice(), NOW,
        ).unwrap();
        let line_sum: Decimal = invoice.lines.iter().map(|l| l.totals.total).sum();
        prop_assert_eq!(invoice.totals.grand_total, line_sum, "total = Σ lines");
        invoice.finalize("INV-1".into(), date!(2026 - 11 - 30), alice(), NOW).unwrap();
        for step in steps {
            let outcome = |refund: bool| Some(if refund { RemainderOutcome::Refund } else { RemainderOutcome::CustomerCredit });
            let _ = match step {
                Step::Pay(a) => pay(&mut invoice, a).map(|_| ()),
                Step::Refund(i) => match invoice.payments.get(i).map(|p| p.id) {
                    Some(id) => invoice.refund_payment(id, "test", alice(), NOW).map(|_| ()),
                    None => Ok(()),
                },
                Step::CreditAmount(a, r) => credit(&mut invoice, CreditRequest::Amount(a), outcome(r)).map(|_| ()),
                Step::CreditLine(p, q, r) => credit(&mut invoice, CreditRequest::Lines(vec![(p, q)]), outcome(r)).map(|_| ()),
                Step::VoidCredit(i) => match invoice.credit_notes.get(i).map(|n| n.id) {
                    Some(id) => invoice.void_credit_note(id, alice(), NOW).map(|_| ()),
                    None => Ok(()),
                },
                Step::Uncollectible => invoice.mark_uncollectible(alice(), NOW),
                Step::Void => invoice.void(alice(), NOW),
            };
            let due = invoice.amount_due();
            prop_assert!(due >= Decimal::ZERO);
            let credited_total: Decimal = invoice.credit_notes.iter().map(CreditNote::counted_total).sum();
            prop_assert!(credited_total <= invoice.totals.grand_total, "never credits more than the total");
            if invoice.status != InvoiceStatus::Void {
                prop_assert_eq!(due, invoice.totals.grand_total - invoice.amount_paid() - invoice.amount_credited());
                prop_assert!(invoice.amount_paid() + invoice.amount_credited() <= invoice.totals.grand_total);
            } else {
                prop_assert!(invoice.amount_paid().is_zero(), "a void invoice holds no payments");
            }
            prop_assert_eq!(invoice.status == InvoiceStatus::Paid, due.is_zero() && invoice.status != InvoiceStatus::Void);
            for note in &invoice.credit_notes {
                prop_assert_eq!(note.applied_to_due + note.remainder, note.amount);
                prop_assert_eq!(note.remainder.is_zero(), note.remainder_outcome.is_none());
            }
        }
    }
}
