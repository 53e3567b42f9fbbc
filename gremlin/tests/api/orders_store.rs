//! The orders repository on SQLite and PostgreSQL: tenant scoping, gapless
//! numbers under concurrency, optimistic versions, events in the same
//! transaction, lists without N+1 queries.

use std::sync::Arc;

use gremlin_kernel::sql::statement;
use gremlin_kernel::{Currency, OrganizationId, UserId};
use gremlin_orders::model::order::{OrderError, OrderHeader};
use gremlin_orders::model::{Customer, Discount, LineInput, Order, OrderAction, OrderId, OrderStatus};
use gremlin_orders::ports::{OrderQuery, OrderRepository, RepositoryError};
use gremlin_orders::store::SqlOrderRepository;
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;

use crate::both_backends;
use crate::support::{Backend, TestApp};

both_backends! {
    orders_round_trip_inside_their_organization_only => orders_round_trip_inside_their_organization_only,
    concurrent_creates_get_consecutive_numbers => concurrent_creates_get_consecutive_numbers,
    a_refused_order_stores_nothing_and_keeps_its_number => a_refused_order_stores_nothing_and_keeps_its_number,
    saves_and_deletes_check_the_version => saves_and_deletes_check_the_version,
    lists_filter_page_and_carry_their_lines => lists_filter_page_and_carry_their_lines,
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn line(sku: &str, quantity: &str, price: &str) -> LineInput {
    LineInput {
        sku: sku.into(),
        description: format!("{sku} item"),
        quantity: dec(quantity),
        unit_price: dec(price),
        discount: Some(Discount::Percent(dec("10"))),
        tax_rate: dec("20"),
    }
}

fn builder(org: &OrganizationId, lines: Vec<LineInput>) -> gremlin_orders::ports::BuildOrder {
    let org = org.clone();
    Box::new(move |number| {
        let mut header = OrderHeader { notes: Some("deliver to dock 4".into()), ..OrderHeader::default() };
        header.customer = Some(Customer {
            contact_id: Some(uuid::Uuid::now_v7()),
            name: Some("Acme".into()),
            email: Some("buyer@acme.example".into()),
        });
        header.metadata.insert("channel".into(), "web".into());
        let order = Order::new_draft(
            OrderId::generate(),
            org.clone(),
            number,
            Currency::parse("EUR").unwrap(),
            header,
            &lines,
            UserId::new("u1"),
            time::OffsetDateTime::now_utc(),
        )?;
        let event = gremlin_orders::events::order_event(&gremlin_orders::events::CREATED, &order);
        Ok((order, vec![event]))
    })
}

fn repo(t: &TestApp) -> SqlOrderRepository {
    SqlOrderRepository::new(t.app.adapters.db.clone())
}

async fn outbox_count(t: &TestApp) -> i64 {
    let db = &t.app.adapters.db;
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "SELECT COUNT(*) FROM outbox WHERE event_type LIKE 'order.%'",
            vec![],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn orders_round_trip_inside_their_organization_only(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = repo(&t);
    let acme = OrganizationId::new("org_acme");
    let created =
        r.create(&acme, builder(&acme, vec![line("A", "2", "19.99"), line("B", "1.5", "80.333")])).await.unwrap();
    assert_eq!(created.number.to_string(), "SO-000001");
    let loaded = r.get(&acme, created.id).await.unwrap().expect("found in its organization");
    assert_eq!(loaded, created, "every field survives storage");
    assert_eq!(loaded.lines.len(), 2);
    let other = OrganizationId::new("org_other");
    assert!(r.get(&other, created.id).await.unwrap().is_none(), "another organization does not see it");
    assert_eq!(outbox_count(&t).await, 1, "the event is recorded with the order");
}

async fn concurrent_creates_get_consecutive_numbers(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = Arc::new(repo(&t));
    let acme = OrganizationId::new("org_acme");
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let (r, acme) = (r.clone(), acme.clone());
            tokio::spawn(async move {
                r.create(&acme, builder(&acme, vec![line(&format!("S{i}"), "1", "1")])).await.unwrap().number.sequence
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=100).collect::<Vec<u64>>(), "100 distinct, consecutive numbers");
    let other = OrganizationId::new("org_other");
    assert_eq!(
        r.create(&other, builder(&other, vec![])).await.unwrap().number.sequence,
        1,
        "numbering is per organization"
    );
}

async fn a_refused_order_stores_nothing_and_keeps_its_number(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = repo(&t);
    let acme = OrganizationId::new("org_acme");
    let refused = r.create(&acme, Box::new(|_| Err(OrderError::Invalid(vec![])))).await;
    assert!(matches!(refused, Err(RepositoryError::Invalid(_))));
    assert_eq!(outbox_count(&t).await, 0, "a rolled-back create records no event");
    let next = r.create(&acme, builder(&acme, vec![line("A", "1", "1")])).await.unwrap();
    assert_eq!(next.number.sequence, 1, "the refused create gave its number back");
}

async fn saves_and_deletes_check_the_version(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = repo(&t);
    let acme = OrganizationId::new("org_acme");
    let other = OrganizationId::new("org_other");
    let mut order = r.create(&acme, builder(&acme, vec![line("A", "1", "10")])).await.unwrap();
    let read_version = order.version;
    order
        .replace_lines(&[line("A", "3", "10"), line("B", "1", "5")], UserId::new("u2"), time::OffsetDateTime::now_utc())
        .unwrap();
    let placed = gremlin_orders::events::order_event(&gremlin_orders::events::UPDATED, &order);
    assert!(
        matches!(r.save(&other, &order, read_version, &[]).await, Err(RepositoryError::NotFound)),
        "another organization cannot write it"
    );
    r.save(&acme, &order, read_version, std::slice::from_ref(&placed)).await.unwrap();
    let stored = r.get(&acme, order.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.lines.len(), stored.version, stored.totals.grand_total),
        (2, read_version + 1, order.totals.grand_total)
    );
    // A writer holding the old version loses.
    assert!(
        matches!(r.save(&acme, &order, read_version, &[]).await, Err(RepositoryError::VersionConflict { current }) if current == read_version + 1)
    );
    order.transition(OrderAction::Place, None, UserId::new("u2"), time::OffsetDateTime::now_utc()).unwrap();
    r.save(&acme, &order, read_version + 1, &[]).await.unwrap();
    assert_eq!(r.get(&acme, order.id).await.unwrap().unwrap().status, OrderStatus::Placed);

    assert!(matches!(r.delete(&other, order.id, order.version, &[]).await, Err(RepositoryError::NotFound)));
    assert!(matches!(r.delete(&acme, order.id, 1, &[]).await, Err(RepositoryError::VersionConflict { .. })));
    r.delete(&acme, order.id, order.version, &[]).await.unwrap();
    assert!(r.get(&acme, order.id).await.unwrap().is_none());
    assert_eq!(outbox_count(&t).await, 2, "created + updated");
}

async fn lists_filter_page_and_carry_their_lines(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = repo(&t);
    let acme = OrganizationId::new("org_acme");
    let other = OrganizationId::new("org_other");
    for i in 0..7 {
        let mut order =
            r.create(&acme, builder(&acme, vec![line(&format!("S{i}"), "1", "1"), line("X", "2", "2")])).await.unwrap();
        if i % 2 == 0 {
            let version = order.version;
            order.transition(OrderAction::Place, None, UserId::new("u"), time::OffsetDateTime::now_utc()).unwrap();
            r.save(&acme, &order, version, &[]).await.unwrap();
        }
    }
    r.create(&other, builder(&other, vec![line("Z", "1", "1")])).await.unwrap();

    let mut seen = Vec::new();
    let mut query = OrderQuery { limit: 3, sort_by_number: true, ..OrderQuery::default() };
    loop {
        let page = r.list(&acme, &query).await.unwrap();
        assert!(
            page.items.iter().all(|o| o.organization_id == acme && o.lines.len() == 2),
            "own orders only, with their lines"
        );
        seen.extend(page.items.iter().map(|o| o.number.sequence));
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => break,
        }
    }
    assert_eq!(seen, [7, 6, 5, 4, 3, 2, 1], "highest number first, every order once");

    let placed = r
        .list(&acme, &OrderQuery { status: Some(OrderStatus::Placed), limit: 50, ..OrderQuery::default() })
        .await
        .unwrap();
    assert_eq!(placed.items.len(), 4);
    let by_time = r.list(&acme, &OrderQuery { limit: 50, ascending: true, ..OrderQuery::default() }).await.unwrap();
    assert_eq!(by_time.items.iter().map(|o| o.number.sequence).collect::<Vec<_>>(), (1..=7).collect::<Vec<_>>());
    let one = r.list(&acme, &OrderQuery { number_seq: Some(3), limit: 50, ..OrderQuery::default() }).await.unwrap();
    assert_eq!(one.items.len(), 1);
    let bad = r.list(&acme, &OrderQuery { cursor: Some("zz".into()), limit: 5, ..OrderQuery::default() }).await;
    assert!(matches!(bad, Err(RepositoryError::Invalid(_))));
}
