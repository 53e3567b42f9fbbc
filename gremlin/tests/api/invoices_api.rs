//! The invoices API over HTTP, on SQLite and PostgreSQL: the lifecycle with
//! payments, credit notes and refunds; who may do what; tenant isolation;
//! the events it records; and order-to-cash through the orders consumer.

use gremlin_identity::ports::AccessInvalidation;
use gremlin_kernel::EventEnvelope;
use gremlin_kernel::sql::statement;
use poem::http::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value as Json, json};

use crate::both_backends;
use crate::support::orders::create as create_order;
use crate::support::{Backend, KitHeaders, TestApp, json, owner, problem};

both_backends! {
    an_invoice_goes_from_draft_to_paid => an_invoice_goes_from_draft_to_paid,
    credit_notes_refunds_void_and_uncollectible => credit_notes_refunds_void_and_uncollectible,
    callers_need_a_token_a_permission_and_their_own_organization => callers_need_a_token_a_permission_and_their_own_organization,
    an_order_is_paid_through_its_invoice => an_order_is_paid_through_its_invoice,
}

fn body() -> Json {
    json!({
        "currency": "EUR",
        "customer": {"name": "Ærø Købmand 株式会社", "email": "billing@aero.example", "address": ["Havnegade 1", "5970 Ærøskøbing"]},
        "lines": [
            {"description": "Consulting", "quantity": "2", "unit_price": "50", "tax_rate": "20"},
            {"description": "Travel", "quantity": "1", "unit_price": "20"}
        ],
        "net_days": 14
    })
}

async fn create(t: &TestApp, auth: &str, body: &Json, key: &str) -> Json {
    let resp = t.as_(auth).post("/api/invoices").idempotency_key(key).body_json(body).send().await;
    resp.assert_status(StatusCode::CREATED);
    json(resp).await
}

fn etag(invoice: &Json) -> String {
    format!("\"{}\"", invoice["version"])
}

async fn post(
    t: &TestApp,
    auth: &str,
    invoice: &Json,
    action: &str,
    body: Json,
    key: &str,
) -> poem::test::TestResponse {
    let id = invoice["id"].as_str().unwrap();
    t.as_(auth)
        .post(format!("/api/invoices/{id}/{action}"))
        .if_match(&etag(invoice))
        .idempotency_key(key)
        .body_json(&body)
        .send()
        .await
}

async fn ok(resp: poem::test::TestResponse) -> Json {
    resp.assert_status_is_ok();
    json(resp).await
}

/// The `data` of every outbox event of `kind`, oldest first.
async fn events(t: &TestApp, kind: &str) -> Vec<EventEnvelope> {
    let db = &t.app.adapters.db;
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            "SELECT envelope FROM outbox WHERE event_type = $1 ORDER BY seq",
            vec![kind.into()],
        ))
        .await
        .unwrap();
    rows.iter().map(|r| serde_json::from_str(&r.try_get::<String>("", "envelope").unwrap()).unwrap()).collect()
}

async fn an_invoice_goes_from_draft_to_paid(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let draft = create(&t, &alice, &body(), "create-1").await;
    assert_eq!((draft["status"].clone(), draft["number"].clone()), (json!("draft"), Json::Null));
    assert_eq!((draft["total"].clone(), draft["amount_due"].clone()), (json!("140"), json!("140")));
    assert_eq!(draft["customer"]["name"], "Ærø Købmand 株式会社");
    // The same key and body: the same draft.
    let again = create(&t, &alice, &body(), "create-1").await;
    assert_eq!(again["id"], draft["id"]);

    // Edit the draft, then finalize it: numbered, issued today, due in 14 days.
    let id = draft["id"].as_str().unwrap().to_owned();
    let mut changed = body();
    changed["memo"] = json!("Thank you");
    let edited =
        ok(t.as_(&alice).patch(format!("/api/invoices/{id}")).if_match(&etag(&draft)).body_json(&changed).send().await)
            .await;
    assert_eq!((edited["memo"].clone(), edited["version"].clone()), (json!("Thank you"), json!(2)));
    problem(post(&t, &alice, &draft, "finalize", json!({}), "fin-stale").await, StatusCode::PRECONDITION_FAILED).await;
    let open = ok(post(&t, &alice, &edited, "finalize", json!({}), "fin-1").await).await;
    assert_eq!((open["status"].clone(), open["number"].clone()), (json!("open"), json!("INV-000001")));
    assert!(open["issue_date"].is_string() && open["due_date"].is_string(), "{open}");
    problem(
        t.as_(&alice).patch(format!("/api/invoices/{id}")).if_match(&etag(&open)).body_json(&changed).send().await,
        StatusCode::CONFLICT,
    )
    .await;

    // Pay half, then too much, then the rest.
    let pay = |amount: &str| json!({"amount": amount, "method": "bank_transfer", "reference": "SEPA 1"});
    let half = ok(post(&t, &alice, &open, "payments", pay("70"), "pay-1").await).await;
    assert_eq!((half["status"].clone(), half["amount_due"].clone()), (json!("open"), json!("70")));
    problem(post(&t, &alice, &half, "payments", pay("70.01"), "pay-2").await, StatusCode::CONFLICT).await;
    let paid = ok(post(&t, &alice, &half, "payments", pay("70"), "pay-3").await).await;
    assert_eq!(
        (paid["status"].clone(), paid["amount_due"].clone(), paid["payments"].as_array().unwrap().len()),
        (json!("paid"), json!("0"), 2)
    );
    let read = ok(t.as_(&alice).get(format!("/api/invoices/{id}")).send().await).await;
    assert_eq!(read["version"], paid["version"]);

    // Listed by number, and filtered.
    let listed = ok(t.as_(&alice).get("/api/invoices?status=paid&sort=number").send().await).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let none = ok(t.as_(&alice).get("/api/invoices?overdue=true").send().await).await;
    assert_eq!(none["items"], json!([]));

    // The events, each in its contract (checked when the app is dropped).
    assert_eq!(events(&t, "invoice.finalized").await.len(), 1);
    let partial = events(&t, "invoice.partially_paid").await;
    assert_eq!(partial[0].data["amounts"]["due"], "70");
    assert_eq!(events(&t, "invoice.paid").await.len(), 1);
}

async fn credit_notes_refunds_void_and_uncollectible(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let draft = create(&t, &alice, &body(), "c-1").await;
    let open = ok(post(&t, &alice, &draft, "finalize", json!({}), "f-1").await).await;
    let paid = ok(post(&t, &alice, &open, "payments", json!({"amount": "100", "method": "card"}), "p-1").await).await;
    // Credit the travel line (20.00): it reduces what is owed (40.00 → 20.00).
    let credited =
        ok(post(&t, &alice, &paid, "credit-notes", json!({"lines": [{"position": 2, "quantity": "1"}]}), "cn-1").await)
            .await;
    let note = &credited["credit_notes"][0];
    assert_eq!((note["number"].clone(), note["applied_to_due"].clone()), (json!("CN-000001"), json!("20")));
    assert_eq!((credited["status"].clone(), credited["amount_due"].clone()), (json!("open"), json!("20")));
    // 30.00 more is 10.00 beyond what is owed: that part needs an outcome.
    problem(post(&t, &alice, &credited, "credit-notes", json!({"amount": "30"}), "cn-2").await, StatusCode::CONFLICT)
        .await;
    problem(post(&t, &alice, &credited, "credit-notes", json!({}), "cn-3").await, StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    let refunded_credit =
        ok(post(&t, &alice, &credited, "credit-notes", json!({"amount": "30", "remainder_outcome": "refund"}), "cn-4")
            .await)
        .await;
    assert_eq!(refunded_credit["credit_notes"][1]["remainder"], "10");
    assert_eq!((refunded_credit["status"].clone(), refunded_credit["amount_due"].clone()), (json!("paid"), json!("0")));
    // The second note gave money back: it cannot be voided. The first can: owed again.
    let second = refunded_credit["credit_notes"][1]["id"].as_str().unwrap();
    problem(
        post(&t, &alice, &refunded_credit, &format!("credit-notes/{second}/void"), json!({}), "v-0").await,
        StatusCode::CONFLICT,
    )
    .await;
    let note_id = note["id"].as_str().unwrap();
    let reopened =
        ok(post(&t, &alice, &refunded_credit, &format!("credit-notes/{note_id}/void"), json!({}), "v-1").await).await;
    assert_eq!((reopened["status"].clone(), reopened["amount_due"].clone()), (json!("open"), json!("20")));
    // Refund the payment, then void: refused while a payment stands, allowed after.
    problem(post(&t, &alice, &reopened, "void", json!({}), "void-1").await, StatusCode::CONFLICT).await;
    let payment_id = reopened["payments"][0]["id"].as_str().unwrap();
    let refunded = ok(post(
        &t,
        &alice,
        &reopened,
        &format!("payments/{payment_id}/refund"),
        json!({"reason": "paid twice"}),
        "r-1",
    )
    .await)
    .await;
    assert_eq!(refunded["amount_due"], "120", "140 less the 20 the second note took off");
    let uncollectible = ok(post(&t, &alice, &refunded, "mark-uncollectible", json!({}), "u-1").await).await;
    assert_eq!(uncollectible["status"], "uncollectible");
    let void = ok(post(&t, &alice, &uncollectible, "void", json!({}), "void-2").await).await;
    assert_eq!((void["status"].clone(), void["amount_due"].clone()), (json!("void"), json!("0")));
    for kind in [
        "credit_note.issued",
        "credit_note.voided",
        "invoice.payment_refunded",
        "invoice.marked_uncollectible",
        "invoice.voided",
    ] {
        assert!(!events(&t, kind).await.is_empty(), "{kind} recorded");
    }
}

async fn callers_need_a_token_a_permission_and_their_own_organization(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, acme) = owner(&t, "alice@example.com", "acme").await;
    let (mallory, _) = owner(&t, "mallory@example.com", "evil").await;
    let draft = create(&t, &alice, &body(), "k-1").await;
    let id = draft["id"].as_str().unwrap().to_owned();
    problem(t.client().get(format!("/api/invoices/{id}")).send().await, StatusCode::UNAUTHORIZED).await;
    // Another organization's invoice does not exist for Mallory.
    problem(t.as_(&mallory).get(format!("/api/invoices/{id}")).send().await, StatusCode::NOT_FOUND).await;
    assert_eq!(ok(t.as_(&mallory).get("/api/invoices").send().await).await["items"], json!([]));
    problem(post(&t, &mallory, &draft, "finalize", json!({}), "m-1").await, StatusCode::NOT_FOUND).await;
    problem(
        post(&t, &mallory, &draft, "payments", json!({"amount": "1", "method": "cash"}), "m-2").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        t.as_(&mallory).delete(format!("/api/invoices/{id}")).if_match(&etag(&draft)).send().await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(t.as_(&mallory).in_org(&acme).get(format!("/api/invoices/{id}")).send().await, StatusCode::FORBIDDEN).await;
    // Without invoices:manage (the organization narrows owners to read and write).
    t.app
        .adapters
        .documents
        .upsert("role_permissions", &acme, json!({"roles": {"owner": ["invoices:read", "invoices:write"]}}))
        .await
        .unwrap();
    t.app.verifier.roles_changed(&acme).await;
    problem(post(&t, &alice, &draft, "finalize", json!({}), "a-1").await, StatusCode::FORBIDDEN).await;
    let other = create(&t, &alice, &body(), "k-2").await;
    ok(t.as_(&alice).get(format!("/api/invoices/{}", other["id"].as_str().unwrap())).send().await).await;
    let deleted = t.as_(&alice).delete(format!("/api/invoices/{id}")).if_match(&etag(&draft)).send().await;
    deleted.assert_status(StatusCode::NO_CONTENT);
}

async fn an_order_is_paid_through_its_invoice(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let order = create_order(&t, &alice).await;
    let mut invoice_body = body();
    invoice_body["order_id"] = order["id"].clone();
    let draft = create(&t, &alice, &invoice_body, "o-1").await;
    let open = ok(post(&t, &alice, &draft, "finalize", json!({}), "o-2").await).await;
    // 20.00 of the order's 43.18 is paid through its invoice.
    ok(post(&t, &alice, &open, "payments", json!({"amount": "20", "method": "card"}), "o-3").await).await;
    let partial = events(&t, "invoice.partially_paid").await.pop().unwrap();
    assert_eq!(
        (partial.data["order_id"].clone(), partial.data["amount_paid"].clone()),
        (order["id"].clone(), json!("20"))
    );
    // The orders consumer, handed the event as the bus would.
    let consumer = t.app.consumers.iter().find(|c| c.spec.durable_name == "orders-payment-status").unwrap();
    (consumer.handler)(partial).await.unwrap();
    let id = order["id"].as_str().unwrap();
    let order = ok(t.as_(&alice).get(format!("/api/orders/{id}")).send().await).await;
    assert_eq!((order["payment_status"].clone(), order["amount_paid"].clone()), (json!("partially_paid"), json!("20")));
}
