//! The invoices repository on SQLite and PostgreSQL: drafts, payments,
//! refunds and credit notes round-trip; numbers are gapless and follow the
//! finalization order under concurrency; every statement stays inside its
//! organization; versions are checked; lists filter and page.

use std::sync::Arc;

use gremlin_invoices::model::numbers::{CREDIT_NOTES, INVOICES};
use gremlin_invoices::model::{
    CreditNoteId, CreditRequest, Customer, Invoice, InvoiceError, InvoiceHeader, InvoiceId, InvoiceSettings,
    InvoiceStatus, LineInput, PaymentId, PaymentInput, PaymentTerms, RemainderOutcome,
};
use gremlin_invoices::ports::{
    Change, ChangeRequest, CreditNoteQuery, CreditNoteReader, InvoiceQuery, InvoiceRepository, RepositoryError,
};
use gremlin_invoices::store::SqlInvoiceRepository;
use gremlin_kernel::pricing::{Discount, LinePrice};
use gremlin_kernel::{Currency, OrganizationId, UserId};
use gremlin_migrations::MigrationSet;
use rust_decimal::Decimal;
use time::OffsetDateTime;
use time::macros::date;

use crate::both_backends;
use crate::support::{Backend, TestApp};

both_backends! {
    invoices_round_trip_inside_their_organization_only => invoices_round_trip_inside_their_organization_only,
    concurrent_finalizations_number_in_finalization_order => concurrent_finalizations_number_in_finalization_order,
    changes_check_the_version_and_refusals_store_nothing => changes_check_the_version_and_refusals_store_nothing,
    lists_filter_and_page => lists_filter_and_page,
    credit_note_lists_page_newest_first => credit_note_lists_page_newest_first,
    yearly_series_restart_and_carry_the_year => yearly_series_restart_and_carry_the_year,
    a_keyed_draft_is_created_once => a_keyed_draft_is_created_once,
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

async fn repo(t: &TestApp) -> SqlInvoiceRepository {
    let set = MigrationSet { name: gremlin_invoices::NAME, migrations: gremlin_invoices::migrations::migrations };
    gremlin_migrations::up(&t.app.adapters.db, &[set]).await.unwrap();
    SqlInvoiceRepository::new(t.app.adapters.db.clone())
}

fn draft(org: &OrganizationId, customer: &str) -> Invoice {
    let header = InvoiceHeader {
        customer: Customer {
            crm_id: Some(uuid::Uuid::now_v7()),
            name: customer.into(),
            email: Some("billing@example.com".into()),
            address: vec!["1 Harbour Road".into(), "Cork".into()],
        },
        memo: Some("Thank you".into()),
        footer: Some("IBAN IE00 0000".into()),
        terms: PaymentTerms::net(14).unwrap(),
        ..InvoiceHeader::default()
    };
    let lines = [
        LineInput {
            description: "Consulting".into(),
            sku: Some("C-1".into()),
            price: LinePrice {
                quantity: dec("2"),
                unit_price: dec("50"),
                discount: Some(Discount::Percent(dec("10"))),
                tax_rate: dec("20"),
            },
        },
        LineInput {
            description: "Travel".into(),
            sku: None,
            price: LinePrice { quantity: dec("1"), unit_price: dec("20"), discount: None, tax_rate: dec("0") },
        },
    ];
    Invoice::draft(
        InvoiceId::generate(),
        org.clone(),
        Currency::EUR,
        header,
        &lines,
        Some(uuid::Uuid::now_v7()),
        UserId::new("u1"),
        OffsetDateTime::now_utc(),
    )
    .unwrap()
}

/// A change that takes the next invoice number as an organization
/// without settings does.
fn numbered(expected_version: Option<i64>) -> ChangeRequest {
    ChangeRequest::at(expected_version).numbered(&INVOICES, InvoiceSettings::default().number_format(&INVOICES, 2026))
}

fn credit_numbered() -> ChangeRequest {
    let format = InvoiceSettings::default().number_format(&CREDIT_NOTES, 2026);
    ChangeRequest::default().numbered(&CREDIT_NOTES, format)
}

fn finalize() -> Change {
    Box::new(|invoice, context| {
        let number = context.number.expect("a number").to_string();
        invoice.finalize(number, date!(2026 - 11 - 30), UserId::new("u1"), context.now)?;
        Ok(vec![])
    })
}

fn pay(amount: &str) -> Change {
    let amount = dec(amount);
    Box::new(move |invoice, _| {
        let input = PaymentInput {
            amount,
            method: "bank_transfer".into(),
            reference: Some("SEPA-1".into()),
            received_at: OffsetDateTime::now_utc(),
        };
        invoice.record_payment(PaymentId::generate(), input, UserId::new("u1"), OffsetDateTime::now_utc())?;
        Ok(vec![])
    })
}

async fn invoices_round_trip_inside_their_organization_only(backend: Backend) {
    let t = TestApp::new(backend).await;
    let repo = repo(&t).await;
    let (acme, globex) = (OrganizationId::new("acme"), OrganizationId::new("globex"));
    let invoice = draft(&acme, "Ærø Købmand 株式会社");
    repo.create(&invoice, &[]).await.unwrap();
    assert_eq!(repo.get(&acme, invoice.id).await.unwrap().as_ref(), Some(&invoice), "a draft reads back equal");
    assert_eq!(repo.get(&globex, invoice.id).await.unwrap(), None, "another organization does not see it");
    let crossed = repo.change(&globex, invoice.id, numbered(None), finalize()).await;
    assert!(matches!(crossed, Err(RepositoryError::NotFound)), "{crossed:?}");

    let open = repo.change(&acme, invoice.id, numbered(Some(1)), finalize()).await.unwrap();
    assert_eq!((open.number.as_deref(), open.status), (Some("INV-000001"), InvoiceStatus::Open));
    let paid = repo.change(&acme, invoice.id, ChangeRequest::default(), pay("50")).await.unwrap();
    let payment = paid.payments[0].id;
    let refund: Change = Box::new(move |invoice, _| {
        invoice.refund_payment(payment, "wrong account", UserId::new("u1"), OffsetDateTime::now_utc())?;
        Ok(vec![])
    });
    repo.change(&acme, invoice.id, ChangeRequest::default(), refund).await.unwrap();
    let credit: Change = Box::new(|invoice, context| {
        let number = context.number.expect("a credit note number").to_string();
        let request = CreditRequest::Lines(vec![(2, dec("1"))]);
        invoice.issue_credit_note(
            CreditNoteId::generate(),
            number,
            request,
            Some(RemainderOutcome::Refund),
            Some("travel not billable".into()),
            UserId::new("u1"),
            OffsetDateTime::now_utc(),
        )?;
        Ok(vec![])
    });
    let credited = repo.change(&acme, invoice.id, credit_numbered(), credit).await.unwrap();
    assert_eq!(credited.credit_notes[0].number, "CN-000001");
    assert_eq!(credited.amount_due(), dec("108.00"), "128.00 in all, less the credited 20.00 of travel");
    assert_eq!(credited.credit_notes[0].remainder_outcome, None, "all of it went against the amount due");
    let stored = repo.get(&acme, invoice.id).await.unwrap().unwrap();
    assert_eq!(stored, credited, "payments, refunds and credit notes read back equal");

    // Credit notes read on their own, with their invoice, in their organization only.
    let note = credited.credit_notes[0].id;
    let entry = repo.get_credit_note(&acme, note).await.unwrap().expect("the credit note");
    assert_eq!((entry.invoice_id, entry.invoice_number.as_str()), (invoice.id, "INV-000001"));
    assert_eq!((entry.currency, entry.customer.name.as_str()), (Currency::EUR, "Ærø Købmand 株式会社"));
    assert_eq!(entry.note, credited.credit_notes[0]);
    assert_eq!(repo.get_credit_note(&globex, note).await.unwrap(), None, "another organization does not see it");
    let listed = |org: &OrganizationId, query: CreditNoteQuery| {
        let (repo, org) = (repo.clone(), org.clone());
        async move { repo.list_credit_notes(&org, &CreditNoteQuery { limit: 50, ..query }).await.unwrap().items }
    };
    assert_eq!(listed(&acme, CreditNoteQuery::default()).await, vec![entry]);
    assert!(listed(&globex, CreditNoteQuery::default()).await.is_empty(), "never listed elsewhere");
    let of_other = CreditNoteQuery { invoice_id: Some(InvoiceId::generate()), ..CreditNoteQuery::default() };
    assert!(listed(&acme, of_other).await.is_empty());
}

async fn credit_note_lists_page_newest_first(backend: Backend) {
    let t = TestApp::new(backend).await;
    let repo = repo(&t).await;
    let acme = OrganizationId::new("acme");
    let invoice = draft(&acme, "Acme");
    repo.create(&invoice, &[]).await.unwrap();
    repo.change(&acme, invoice.id, numbered(None), finalize()).await.unwrap();
    for _ in 0..3 {
        let credit: Change = Box::new(|invoice, context| {
            let number = context.number.expect("a number").to_string();
            let request = CreditRequest::Amount(dec("1.00"));
            invoice.issue_credit_note(
                CreditNoteId::generate(),
                number,
                request,
                None,
                None,
                UserId::new("u1"),
                context.now,
            )?;
            Ok(vec![])
        });
        repo.change(&acme, invoice.id, credit_numbered(), credit).await.unwrap();
    }
    let mut query = CreditNoteQuery { limit: 2, ..CreditNoteQuery::default() };
    let first = repo.list_credit_notes(&acme, &query).await.unwrap();
    let numbers = |page: &gremlin_kernel::Page<gremlin_invoices::ports::CreditNoteEntry>| {
        page.items.iter().map(|e| e.note.number.clone()).collect::<Vec<_>>()
    };
    assert_eq!(numbers(&first), ["CN-000003", "CN-000002"]);
    assert!(first.has_more);
    query.cursor = first.next_cursor.clone();
    let second = repo.list_credit_notes(&acme, &query).await.unwrap();
    assert_eq!((numbers(&second), second.has_more), (vec!["CN-000001".to_owned()], false));
    let voided = CreditNoteQuery {
        status: Some(gremlin_invoices::model::CreditNoteStatus::Void),
        limit: 50,
        ..CreditNoteQuery::default()
    };
    assert!(repo.list_credit_notes(&acme, &voided).await.unwrap().items.is_empty());
    query.cursor = Some("zz".into());
    assert!(matches!(repo.list_credit_notes(&acme, &query).await, Err(RepositoryError::Invalid(_))));
}

async fn yearly_series_restart_and_carry_the_year(backend: Backend) {
    let t = TestApp::new(backend).await;
    let repo = repo(&t).await;
    let acme = OrganizationId::new("acme");
    let settings = InvoiceSettings {
        yearly_reset: true,
        invoice_prefix: gremlin_kernel::numbering::NumberPrefix::parse("F/").unwrap(),
        ..InvoiceSettings::default()
    };
    let mut numbers = Vec::new();
    for year in [2026, 2026, 2027, 2026] {
        let invoice = draft(&acme, "Acme");
        repo.create(&invoice, &[]).await.unwrap();
        let request = ChangeRequest::at(None).numbered(&INVOICES, settings.number_format(&INVOICES, year));
        let open = repo.change(&acme, invoice.id, request, finalize()).await.unwrap();
        numbers.push(open.number.unwrap());
    }
    assert_eq!(numbers, ["F/2026-000001", "F/2026-000002", "F/2027-000001", "F/2026-000003"]);
    // Without the yearly reset the one series goes on, with the prefix of the day.
    let invoice = draft(&acme, "Acme");
    repo.create(&invoice, &[]).await.unwrap();
    let open = repo.change(&acme, invoice.id, numbered(None), finalize()).await.unwrap();
    assert_eq!(open.number.as_deref(), Some("INV-000001"));
}

async fn a_keyed_draft_is_created_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let repo = repo(&t).await;
    let acme = OrganizationId::new("acme");
    let key = gremlin_kernel::inbox::HandledEvent::new("test-drafts", gremlin_kernel::EventId::generate());
    let first = draft(&acme, "Acme");
    assert!(repo.create_once(&first, &key).await.unwrap(), "the first delivery drafts");
    let again = draft(&acme, "Acme");
    assert!(!repo.create_once(&again, &key).await.unwrap(), "a redelivery does not");
    assert_eq!(repo.get(&acme, again.id).await.unwrap(), None);
    assert_eq!(repo.get(&acme, first.id).await.unwrap().as_ref(), Some(&first));
}

async fn concurrent_finalizations_number_in_finalization_order(backend: Backend) {
    let t = TestApp::new(backend).await;
    let repo = Arc::new(repo(&t).await);
    let acme = OrganizationId::new("acme");
    let mut ids = Vec::new();
    for i in 0..50 {
        let invoice = draft(&acme, &format!("Customer {i}"));
        repo.create(&invoice, &[]).await.unwrap();
        ids.push(invoice.id);
    }
    let tasks: Vec<_> = ids
        .iter()
        .map(|id| {
            let (repo, acme, id) = (repo.clone(), acme.clone(), *id);
            tokio::spawn(async move { repo.change(&acme, id, numbered(None), finalize()).await })
        })
        .collect();
    let mut finalized = Vec::new();
    for task in tasks {
        finalized.push(task.await.unwrap().unwrap());
    }
    finalized.sort_by_key(|i| i.number.clone());
    let numbers: Vec<String> = finalized.iter().map(|i| i.number.clone().unwrap()).collect();
    let expected: Vec<String> = (1..=50).map(|n| format!("INV-{n:06}")).collect();
    assert_eq!(numbers, expected, "50 consecutive numbers");
    let times: Vec<OffsetDateTime> = finalized.iter().map(|i| i.finalized_at.unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "numbers follow the finalization times: {times:?}");
}

async fn changes_check_the_version_and_refusals_store_nothing(backend: Backend) {
    let t = TestApp::new(backend).await;
    let repo = repo(&t).await;
    let acme = OrganizationId::new("acme");
    let invoice = draft(&acme, "Acme");
    repo.create(&invoice, &[]).await.unwrap();
    let stale = repo.change(&acme, invoice.id, numbered(Some(7)), finalize()).await;
    assert!(matches!(stale, Err(RepositoryError::VersionConflict { current: 1 })), "{stale:?}");
    // A refused change stores nothing and gives its number back.
    let unpayable = repo.change(&acme, invoice.id, ChangeRequest::default(), pay("1")).await;
    assert!(matches!(unpayable, Err(RepositoryError::Invalid(InvoiceError::Transition(_)))), "a draft: {unpayable:?}");
    assert_eq!(repo.get(&acme, invoice.id).await.unwrap().unwrap(), invoice);
    let open = repo.change(&acme, invoice.id, numbered(Some(1)), finalize()).await.unwrap();
    assert_eq!(open.number.as_deref(), Some("INV-000001"), "the stale attempt took no number");
    // Only drafts are deleted.
    let refused = repo.delete(&acme, invoice.id, open.version, &[]).await;
    assert!(matches!(refused, Err(RepositoryError::VersionConflict { .. })), "{refused:?}");
    let other = draft(&acme, "Other");
    repo.create(&other, &[]).await.unwrap();
    repo.delete(&acme, other.id, 1, &[]).await.unwrap();
    assert_eq!(repo.get(&acme, other.id).await.unwrap(), None);
}

async fn lists_filter_and_page(backend: Backend) {
    let t = TestApp::new(backend).await;
    let repo = repo(&t).await;
    let (acme, globex) = (OrganizationId::new("acme"), OrganizationId::new("globex"));
    let mut ids = Vec::new();
    for i in 0..5 {
        let invoice = draft(&acme, &format!("Customer {i}"));
        repo.create(&invoice, &[]).await.unwrap();
        ids.push(invoice.id);
    }
    repo.create(&draft(&globex, "Elsewhere"), &[]).await.unwrap();
    for id in &ids[..3] {
        repo.change(&acme, *id, numbered(None), finalize()).await.unwrap();
    }
    let paid = repo.change(&acme, ids[0], ChangeRequest::default(), pay("128.00")).await.unwrap();
    assert_eq!(paid.status, InvoiceStatus::Paid);

    let all = repo.list(&acme, &InvoiceQuery { limit: 50, ..InvoiceQuery::default() }).await.unwrap();
    assert_eq!(all.items.len(), 5, "only acme's");
    assert!(all.items.iter().all(|i| i.lines.len() == 2), "each with its lines");
    let open = InvoiceQuery { status: Some(InvoiceStatus::Open), limit: 50, ..InvoiceQuery::default() };
    assert_eq!(repo.list(&acme, &open).await.unwrap().items.len(), 2);
    let overdue = InvoiceQuery { overdue_on: Some(date!(2026 - 12 - 15)), limit: 50, ..InvoiceQuery::default() };
    assert_eq!(repo.list(&acme, &overdue).await.unwrap().items.len(), 2, "open and due on 2026-12-14");
    let not_yet = InvoiceQuery { overdue_on: Some(date!(2026 - 12 - 14)), limit: 50, ..InvoiceQuery::default() };
    assert_eq!(repo.list(&acme, &not_yet).await.unwrap().items.len(), 0);
    let by_number = InvoiceQuery { number: Some("INV-000002".into()), limit: 50, ..InvoiceQuery::default() };
    assert_eq!(repo.list(&acme, &by_number).await.unwrap().items[0].id, ids[1]);

    // By number, two per page: drafts are not numbered and not listed.
    let mut query = InvoiceQuery { sort_by_number: true, ascending: true, limit: 2, ..InvoiceQuery::default() };
    let first = repo.list(&acme, &query).await.unwrap();
    assert_eq!(first.items.iter().map(|i| i.number.clone().unwrap()).collect::<Vec<_>>(), ["INV-000001", "INV-000002"]);
    query.cursor = first.next_cursor.clone();
    let second = repo.list(&acme, &query).await.unwrap();
    assert_eq!(second.items.iter().map(|i| i.number.clone().unwrap()).collect::<Vec<_>>(), ["INV-000003"]);
    assert!(!second.has_more);
    query.cursor = Some("not-a-cursor".into());
    assert!(matches!(repo.list(&acme, &query).await, Err(RepositoryError::Invalid(_))));
}
