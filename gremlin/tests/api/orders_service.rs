//! The orders use cases over the real repository, on SQLite and
//! PostgreSQL: permissions, tenant isolation (404, never 403), versions,
//! transitions, events, and idempotent invoice payments.

use std::collections::BTreeSet;
use std::sync::Arc;

use gremlin_kernel::inbox::HandledEvent;
use gremlin_kernel::sql::statement;
use gremlin_kernel::{DomainError, EventEnvelope, OrganizationId, Permission, Principal, UserId};
use gremlin_orders::events::invoice_payment;
use gremlin_orders::model::order::OrderHeader;
use gremlin_orders::model::{LineInput, OrderAction, OrderStatus, PaymentStatus};
use gremlin_orders::permissions::GRANTS;
use gremlin_orders::ports::OrderQuery;
use gremlin_orders::service::{NewOrder, OrderService};
use gremlin_orders::store::SqlOrderRepository;
use sea_orm::ConnectionTrait;

use crate::both_backends;
use crate::support::{Backend, TestApp};

both_backends! {
    permissions_gate_every_use_case => permissions_gate_every_use_case,
    other_organizations_get_not_found => other_organizations_get_not_found,
    the_lifecycle_records_its_events => the_lifecycle_records_its_events,
    invoice_payments_apply_once => invoice_payments_apply_once,
    adding_or_removing_a_line_reads_the_order_once => adding_or_removing_a_line_reads_the_order_once,
}

fn principal(org: &str, role: &str) -> Principal {
    let permissions: BTreeSet<Permission> =
        GRANTS.iter().filter(|g| g.roles.contains(&role)).map(|g| g.permission.clone()).collect();
    Principal {
        user_id: UserId::new(format!("{role}@{org}")),
        organization_id: OrganizationId::new(org),
        role: role.into(),
        permissions,
    }
}

fn stranger(org: &str) -> Principal {
    Principal { permissions: BTreeSet::new(), ..principal(org, "member") }
}

fn input() -> NewOrder {
    let line = LineInput {
        sku: "A".into(),
        description: "Widget".into(),
        quantity: "2".parse().unwrap(),
        unit_price: "10".parse().unwrap(),
        discount: None,
        tax_rate: "20".parse().unwrap(),
    };
    NewOrder { currency: "EUR".into(), header: OrderHeader::default(), lines: vec![line] }
}

fn service(t: &TestApp) -> OrderService {
    OrderService::new(Arc::new(SqlOrderRepository::new(t.app.adapters.db.clone())))
}

async fn events(t: &TestApp) -> Vec<String> {
    let db = &t.app.adapters.db;
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            "SELECT event_type FROM outbox WHERE event_type LIKE 'order.%' ORDER BY seq",
            vec![],
        ))
        .await
        .unwrap();
    rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect()
}

fn forbidden<T: std::fmt::Debug>(r: Result<T, DomainError>) {
    assert!(matches!(r, Err(DomainError::Forbidden { .. })), "{r:?}");
}

async fn permissions_gate_every_use_case(backend: Backend) {
    let t = TestApp::new(backend).await;
    let s = service(&t);
    let member = principal("acme", "member");
    let order = s.create(&member, input()).await.unwrap();
    let nobody = stranger("acme");
    forbidden(s.create(&nobody, input()).await);
    forbidden(s.get(&nobody, order.id).await);
    forbidden(s.list(&nobody, &OrderQuery { limit: 10, ..OrderQuery::default() }).await);
    forbidden(s.delete(&nobody, order.id, order.version).await);
    let placed = s.transition(&member, order.id, order.version, OrderAction::Place, None).await.unwrap();
    // Members place; confirming, fulfilling and cancelling need orders:manage.
    forbidden(s.transition(&member, placed.id, placed.version, OrderAction::Confirm, None).await);
    forbidden(s.transition(&member, placed.id, placed.version, OrderAction::Cancel, Some("no".into())).await);
    let admin = principal("acme", "admin");
    s.transition(&admin, placed.id, placed.version, OrderAction::Confirm, None).await.unwrap();
    assert!(matches!(
        s.create(&member, NewOrder { currency: "XYZ".into(), ..input() }).await,
        Err(DomainError::Invalid { .. })
    ));
}

async fn other_organizations_get_not_found(backend: Backend) {
    let t = TestApp::new(backend).await;
    let s = service(&t);
    let order = s.create(&principal("acme", "owner"), input()).await.unwrap();
    let evil = principal("evil", "owner");
    let not_found = |r: Result<_, DomainError>| assert!(matches!(r, Err(DomainError::NotFound { .. })), "{r:?}");
    not_found(s.get(&evil, order.id).await.map(|_| ()));
    not_found(s.update_header(&evil, order.id, order.version, OrderHeader::default()).await.map(|_| ()));
    not_found(s.replace_lines(&evil, order.id, order.version, vec![]).await.map(|_| ()));
    not_found(s.transition(&evil, order.id, order.version, OrderAction::Place, None).await.map(|_| ()));
    not_found(s.delete(&evil, order.id, order.version).await);
    assert!(s.list(&evil, &OrderQuery { limit: 50, ..OrderQuery::default() }).await.unwrap().items.is_empty());
    assert_eq!(s.get(&principal("acme", "member"), order.id).await.unwrap().id, order.id);
}

async fn the_lifecycle_records_its_events(backend: Backend) {
    let t = TestApp::new(backend).await;
    let s = service(&t);
    let owner = principal("acme", "owner");
    let order = s.create(&owner, input()).await.unwrap();
    assert!(
        matches!(
            s.update_header(&owner, order.id, order.version + 1, OrderHeader::default()).await,
            Err(DomainError::PreconditionFailed { .. })
        ),
        "stale version"
    );
    let order = s.replace_lines(&owner, order.id, order.version, input().lines).await.unwrap();
    let order = s.transition(&owner, order.id, order.version, OrderAction::Place, None).await.unwrap();
    assert!(
        matches!(s.replace_lines(&owner, order.id, order.version, vec![]).await, Err(DomainError::Conflict { .. })),
        "only drafts are edited"
    );
    assert!(
        matches!(s.delete(&owner, order.id, order.version).await, Err(DomainError::Conflict { .. })),
        "only drafts are deleted"
    );
    let order = s.transition(&owner, order.id, order.version, OrderAction::Confirm, None).await.unwrap();
    assert!(
        matches!(
            s.transition(&owner, order.id, order.version, OrderAction::Cancel, None).await,
            Err(DomainError::Invalid { .. })
        ),
        "a reason is required"
    );
    let order = s
        .transition(&owner, order.id, order.version, OrderAction::Cancel, Some("customer withdrew".into()))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    let draft = s.create(&owner, input()).await.unwrap();
    s.delete(&owner, draft.id, draft.version).await.unwrap();
    assert_eq!(
        events(&t).await,
        [
            "order.created",
            "order.updated",
            "order.placed",
            "order.confirmed",
            "order.cancelled",
            "order.created",
            "order.deleted"
        ]
    );
}

async fn invoice_payments_apply_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let s = service(&t);
    let acme = OrganizationId::new("acme");
    let order = s.create(&principal("acme", "owner"), input()).await.unwrap();
    let paid = |amount: &str| {
        EventEnvelope::new(
            "invoice.partially_paid",
            "invoices",
            Some(acme.clone()),
            "inv",
            serde_json::json!({"order_id": order.id.to_string(), "amount_paid": amount, "currency": "EUR"}),
        )
    };
    let apply = |event: EventEnvelope, organization: OrganizationId| {
        let s = s.clone();
        async move {
            let handled = HandledEvent::new("orders-payment-status", event.id);
            s.apply_invoice_payment(&organization, &invoice_payment(&event).unwrap(), &handled).await.unwrap();
        }
    };
    let first = paid("10.00");
    apply(first.clone(), acme.clone()).await;
    let after = s.get(&principal("acme", "member"), order.id).await.unwrap();
    assert_eq!(after.payment_status, PaymentStatus::PartiallyPaid);
    // A redelivery has no second effect.
    apply(first.clone(), acme.clone()).await;
    assert_eq!(s.get(&principal("acme", "member"), order.id).await.unwrap().version, after.version);
    apply(paid("24.00"), acme.clone()).await;
    let paid_in_full = s.get(&principal("acme", "member"), order.id).await.unwrap();
    assert_eq!(paid_in_full.payment_status, PaymentStatus::Paid);
    // The first event redelivered late does not take the order back to
    // partially paid: its id was recorded with its change.
    apply(first, acme.clone()).await;
    let now = s.get(&principal("acme", "member"), order.id).await.unwrap();
    assert_eq!((now.payment_status, now.version), (PaymentStatus::Paid, paid_in_full.version));
    // Another organization's event cannot touch this order.
    apply(paid("0"), OrganizationId::new("evil")).await;
    assert_eq!(s.get(&principal("acme", "member"), order.id).await.unwrap().payment_status, PaymentStatus::Paid);
    // A payment in another currency is refused (its event dead-letters),
    // never summed as if dollars were euros.
    let dollars = EventEnvelope::new(
        "invoice.paid",
        "invoices",
        Some(acme.clone()),
        "inv",
        serde_json::json!({"order_id": order.id.to_string(), "amount_paid": "0", "currency": "USD"}),
    );
    let handled = HandledEvent::new("orders-payment-status", dollars.id);
    let refused = s.apply_invoice_payment(&acme, &invoice_payment(&dollars).unwrap(), &handled).await;
    assert!(matches!(refused, Err(DomainError::Conflict { .. })), "{refused:?}");
    let unchanged = s.get(&principal("acme", "member"), order.id).await.unwrap();
    assert_eq!((unchanged.payment_status, unchanged.version), (PaymentStatus::Paid, now.version));
}

/// The SQL repository, counting how often an order is read.
struct CountingReads {
    inner: SqlOrderRepository,
    reads: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl gremlin_orders::ports::OrderRepository for CountingReads {
    async fn create(
        &self,
        organization: &OrganizationId,
        build: gremlin_orders::ports::BuildOrder,
    ) -> Result<gremlin_orders::model::Order, gremlin_orders::ports::RepositoryError> {
        self.inner.create(organization, build).await
    }
    async fn get(
        &self,
        organization: &OrganizationId,
        id: gremlin_orders::model::OrderId,
    ) -> Result<Option<gremlin_orders::model::Order>, gremlin_orders::ports::RepositoryError> {
        self.reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.inner.get(organization, id).await
    }
    async fn save(
        &self,
        organization: &OrganizationId,
        order: &gremlin_orders::model::Order,
        expected_version: i64,
        events: &[EventEnvelope],
    ) -> Result<(), gremlin_orders::ports::RepositoryError> {
        self.inner.save(organization, order, expected_version, events).await
    }
    async fn save_handling(
        &self,
        organization: &OrganizationId,
        order: &gremlin_orders::model::Order,
        expected_version: i64,
        handled: &HandledEvent,
    ) -> Result<bool, gremlin_orders::ports::RepositoryError> {
        self.inner.save_handling(organization, order, expected_version, handled).await
    }
    async fn delete(
        &self,
        organization: &OrganizationId,
        id: gremlin_orders::model::OrderId,
        expected_version: i64,
        events: &[EventEnvelope],
    ) -> Result<(), gremlin_orders::ports::RepositoryError> {
        self.inner.delete(organization, id, expected_version, events).await
    }
    async fn set_number_prefix(
        &self,
        organization: &OrganizationId,
        prefix: &gremlin_orders::model::NumberPrefix,
    ) -> Result<(), gremlin_orders::ports::RepositoryError> {
        self.inner.set_number_prefix(organization, prefix).await
    }
    async fn list(
        &self,
        organization: &OrganizationId,
        query: &OrderQuery,
    ) -> Result<gremlin_kernel::Page<gremlin_orders::model::Order>, gremlin_orders::ports::RepositoryError> {
        self.inner.list(organization, query).await
    }
}

async fn adding_or_removing_a_line_reads_the_order_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let repo = Arc::new(CountingReads {
        inner: SqlOrderRepository::new(t.app.adapters.db.clone()),
        reads: std::sync::atomic::AtomicUsize::new(0),
    });
    let s = OrderService::new(repo.clone());
    let owner = principal("acme", "owner");
    let order = s.create(&owner, input()).await.unwrap();
    let reads = || repo.reads.swap(0, std::sync::atomic::Ordering::Relaxed);
    reads();
    let line = input().lines.remove(0);
    let added = s.add_line(&owner, order.id, order.version, line).await.unwrap();
    assert_eq!((added.lines.len(), reads()), (order.lines.len() + 1, 1), "add_line reads the order once");
    let removed = s.remove_line(&owner, order.id, added.version, 1).await.unwrap();
    assert_eq!((removed.lines.len(), reads()), (order.lines.len(), 1), "remove_line reads the order once");
    let missing = s.remove_line(&owner, order.id, removed.version, 99).await;
    assert!(matches!(missing, Err(DomainError::NotFound { .. })), "{missing:?}");
}
