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
    settings_shape_new_drafts_and_numbers => settings_shape_new_drafts_and_numbers,
    credit_notes_are_listed_with_their_invoice => credit_notes_are_listed_with_their_invoice,
    a_confirmed_order_becomes_one_draft => a_confirmed_order_becomes_one_draft,
    no_endpoint_reaches_another_organization => no_endpoint_reaches_another_organization,
    a_finalized_invoice_downloads_as_pdf => a_finalized_invoice_downloads_as_pdf,
    a_key_whose_invoice_was_deleted_is_a_conflict => a_key_whose_invoice_was_deleted_is_a_conflict,
    bodies_are_held_to_the_document => bodies_are_held_to_the_document,
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
    narrow_owners_to_read_and_write(&t, &acme).await;
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

/// Acme's owners keep `invoices:read` and `invoices:write` only.
async fn narrow_owners_to_read_and_write(t: &TestApp, organization: &str) {
    let roles = json!({"roles": {"owner": ["invoices:read", "invoices:write"]}});
    t.app.adapters.documents.upsert("role_permissions", organization, roles).await.unwrap();
    t.app.verifier.roles_changed(organization).await;
}

async fn put_settings(t: &TestApp, auth: &str, settings: &Json) -> poem::test::TestResponse {
    t.as_(auth).put("/api/invoices/settings").body_json(settings).send().await
}

async fn settings_shape_new_drafts_and_numbers(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, acme) = owner(&t, "alice@example.com", "acme").await;
    let (mallory, _) = owner(&t, "mallory@example.com", "evil").await;
    let defaults = ok(t.as_(&alice).get("/api/invoices/settings").send().await).await;
    assert_eq!(
        (&defaults["invoice_prefix"], &defaults["credit_note_prefix"], &defaults["default_net_days"]),
        (&json!("INV-"), &json!("CN-"), &json!(30))
    );
    assert_eq!((&defaults["yearly_reset"], &defaults["draft_from_orders"]), (&json!(false), &json!(false)));
    let settings = json!({
        "invoice_prefix": "F-", "credit_note_prefix": "AV-", "yearly_reset": true, "default_net_days": 7,
        "footer": "IBAN DE89 3704 0044 0532 0130 00",
        "seller": {"name": "Acme GmbH", "address": ["Hauptstraße 1", "10115 Berlin"], "tax_id": "DE123456789"}
    });
    let saved = ok(put_settings(&t, &alice, &settings).await).await;
    assert_eq!(saved["seller"]["name"], "Acme GmbH");
    assert_eq!(ok(t.as_(&alice).get("/api/invoices/settings").send().await).await, saved, "read back as saved");

    // A new draft takes the default terms and footer; its own win.
    let mut plain = body();
    plain.as_object_mut().unwrap().remove("net_days");
    let draft = create(&t, &alice, &plain, "s-1").await;
    assert_eq!((&draft["net_days"], &draft["footer"]), (&json!(7), &json!("IBAN DE89 3704 0044 0532 0130 00")));
    let own = create(&t, &alice, &body(), "s-2").await;
    assert_eq!(own["net_days"], 14);
    let year = time::OffsetDateTime::now_utc().year();
    let open = ok(post(&t, &alice, &draft, "finalize", json!({}), "s-3").await).await;
    assert_eq!(open["number"], format!("F-{year}-000001"));
    let credited =
        ok(post(&t, &alice, &open, "credit-notes", json!({"amount": "1.00", "reason": "goodwill"}), "s-4").await).await;
    assert_eq!(credited["credit_notes"][0]["number"], format!("AV-{year}-000001"));

    // Bad input names its field; members may read but not change settings;
    // another organization has its own.
    let bad =
        problem(put_settings(&t, &alice, &json!({"invoice_prefix": "inv_"})).await, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    assert_eq!(bad["errors"][0]["field"], "invoice_prefix", "{bad}");
    let long = json!({"seller": {"name": "x".repeat(201)}});
    let bad = problem(put_settings(&t, &alice, &long).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(bad["errors"][0]["field"], "seller.name", "{bad}");
    problem(t.client().get("/api/invoices/settings").send().await, StatusCode::UNAUTHORIZED).await;
    narrow_owners_to_read_and_write(&t, &acme).await;
    problem(put_settings(&t, &alice, &json!({})).await, StatusCode::FORBIDDEN).await;
    ok(t.as_(&alice).get("/api/invoices/settings").send().await).await;
    assert_eq!(ok(t.as_(&mallory).get("/api/invoices/settings").send().await).await, defaults);
    ok(put_settings(&t, &mallory, &json!({"invoice_prefix": "EVIL-"})).await).await;
    assert_eq!(
        ok(t.as_(&alice).get("/api/invoices/settings").send().await).await,
        saved,
        "untouched by another organization"
    );
}

async fn credit_notes_are_listed_with_their_invoice(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let (mallory, _) = owner(&t, "mallory@example.com", "evil").await;
    let draft = create(&t, &alice, &body(), "c-1").await;
    let open = ok(post(&t, &alice, &draft, "finalize", json!({}), "c-2").await).await;
    let one = ok(post(&t, &alice, &open, "credit-notes", json!({"amount": "5.00"}), "c-3").await).await;
    let two =
        ok(post(&t, &alice, &one, "credit-notes", json!({"lines": [{"position": 2, "quantity": "1"}]}), "c-4").await)
            .await;
    let voided_id = two["credit_notes"][0]["id"].as_str().unwrap().to_owned();
    ok(post(&t, &alice, &two, &format!("credit-notes/{voided_id}/void"), json!({}), "c-5").await).await;

    let page = ok(t.as_(&alice).get("/api/credit-notes?limit=1").send().await).await;
    let newest = &page["items"][0];
    assert_eq!((&newest["number"], &page["has_more"]), (&json!("CN-000002"), &json!(true)));
    assert_eq!((&newest["invoice_id"], &newest["invoice_number"]), (&open["id"], &open["number"]));
    assert_eq!((&newest["currency"], &newest["customer"]["name"]), (&json!("EUR"), &json!("Ærø Købmand 株式会社")));
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = ok(t.as_(&alice).get(format!("/api/credit-notes?limit=1&cursor={cursor}")).send().await).await;
    assert_eq!((&rest["items"][0]["number"], &rest["has_more"]), (&json!("CN-000001"), &json!(false)));
    let void = ok(t.as_(&alice).get("/api/credit-notes?status=void").send().await).await;
    assert_eq!(void["items"].as_array().unwrap().len(), 1);
    let id = open["id"].as_str().unwrap();
    let of_invoice =
        ok(t.as_(&alice).get(format!("/api/credit-notes?invoice_id={id}&direction=asc")).send().await).await;
    assert_eq!(of_invoice["items"][0]["number"], "CN-000001");
    let note = ok(t.as_(&alice).get(format!("/api/credit-notes/{voided_id}")).send().await).await;
    assert_eq!((&note["status"], &note["invoice_number"]), (&json!("void"), &open["number"]));

    problem(t.client().get("/api/credit-notes").send().await, StatusCode::UNAUTHORIZED).await;
    problem(t.as_(&mallory).get(format!("/api/credit-notes/{voided_id}")).send().await, StatusCode::NOT_FOUND).await;
    assert_eq!(ok(t.as_(&mallory).get("/api/credit-notes").send().await).await["items"], json!([]));
    problem(t.as_(&alice).get("/api/credit-notes/not-an-id").send().await, StatusCode::NOT_FOUND).await;
    problem(t.as_(&alice).get("/api/credit-notes?cursor=zz").send().await, StatusCode::UNPROCESSABLE_ENTITY).await;
}

async fn a_confirmed_order_becomes_one_draft(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let consumer = t.app.consumers.iter().find(|c| c.spec.durable_name == "invoices-drafts-from-orders").unwrap();
    let confirm = async |key: &str| {
        let order = create_order(&t, &alice).await;
        let id = order["id"].as_str().unwrap().to_owned();
        let placed = ok(t
            .as_(&alice)
            .post(format!("/api/orders/{id}/place"))
            .if_match(&etag(&order))
            .idempotency_key(&format!("{key}-p"))
            .send()
            .await)
        .await;
        ok(t.as_(&alice)
            .post(format!("/api/orders/{id}/confirm"))
            .if_match(&etag(&placed))
            .idempotency_key(&format!("{key}-c"))
            .send()
            .await)
        .await;
        let event = events(&t, "order.confirmed").await.into_iter().find(|e| e.subject == id).unwrap();
        (id, event)
    };
    // The setting is off: a confirmed order is not billed on its own.
    let (id, event) = confirm("off").await;
    (consumer.handler)(event).await.unwrap();
    assert_eq!(ok(t.as_(&alice).get(format!("/api/invoices?order_id={id}")).send().await).await["items"], json!([]));

    ok(put_settings(&t, &alice, &json!({"draft_from_orders": true, "default_net_days": 10, "footer": "Thanks"})).await)
        .await;
    let (id, event) = confirm("on").await;
    (consumer.handler)(event.clone()).await.unwrap();
    (consumer.handler)(event.clone()).await.unwrap();
    let mut again = event.clone();
    again.id = gremlin_kernel::EventId::generate();
    (consumer.handler)(again).await.unwrap();
    let drafts = ok(t.as_(&alice).get(format!("/api/invoices?order_id={id}")).send().await).await;
    let drafts = drafts["items"].as_array().unwrap();
    assert_eq!(drafts.len(), 1, "one draft however often the order is delivered");
    let draft = &drafts[0];
    assert_eq!((&draft["status"], &draft["currency"]), (&json!("draft"), &json!("EUR")));
    assert_eq!((&draft["net_days"], &draft["footer"]), (&json!(10), &json!("Thanks")));
    assert_eq!(draft["customer"]["name"], "Acme Buyer");
    assert_eq!(draft["total"], json!("43.18"), "billed to the cent as ordered: {draft}");
    assert_eq!(draft["lines"][0]["description"], "Widget");
    assert_eq!(draft["created_by"], "system");
    assert_eq!(events(&t, "order.confirmed").await.len(), 2);
}

/// Every invoices endpoint, called by the owner of another organization
/// with the ids of Acme's invoice, payment and credit note: 404 each, and
/// nothing of Acme's in any list.
async fn no_endpoint_reaches_another_organization(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let (mallory, _) = owner(&t, "mallory@example.com", "evil").await;
    let draft = create(&t, &alice, &body(), "x-1").await;
    let open = ok(post(&t, &alice, &draft, "finalize", json!({}), "x-2").await).await;
    let paid = ok(post(&t, &alice, &open, "payments", json!({"amount": "10", "method": "cash"}), "x-3").await).await;
    let noted = ok(post(&t, &alice, &paid, "credit-notes", json!({"amount": "1.00"}), "x-4").await).await;
    let id = noted["id"].as_str().unwrap();
    let payment = noted["payments"][0]["id"].as_str().unwrap();
    let note = noted["credit_notes"][0]["id"].as_str().unwrap();
    let other = create(&t, &alice, &body(), "x-5").await;
    let other_id = other["id"].as_str().unwrap();

    let m = t.as_(&mallory);
    let e = etag(&noted);
    let calls = [
        m.get(format!("/api/invoices/{id}")),
        m.get(format!("/api/invoices/{id}/pdf")),
        m.patch(format!("/api/invoices/{other_id}")).if_match(&etag(&other)).body_json(&json!({})),
        m.delete(format!("/api/invoices/{other_id}")).if_match(&etag(&other)),
        m.post(format!("/api/invoices/{other_id}/finalize"))
            .if_match(&etag(&other))
            .idempotency_key("m")
            .body_json(&json!({})),
        m.post(format!("/api/invoices/{id}/void")).if_match(&e).idempotency_key("m").body_json(&json!({})),
        m.post(format!("/api/invoices/{id}/mark-uncollectible"))
            .if_match(&e)
            .idempotency_key("m")
            .body_json(&json!({})),
        m.post(format!("/api/invoices/{id}/payments"))
            .if_match(&e)
            .idempotency_key("m")
            .body_json(&json!({"amount": "1", "method": "cash"})),
        m.post(format!("/api/invoices/{id}/payments/{payment}/refund"))
            .if_match(&e)
            .idempotency_key("m")
            .body_json(&json!({"reason": "mine now"})),
        m.post(format!("/api/invoices/{id}/credit-notes"))
            .if_match(&e)
            .idempotency_key("m")
            .body_json(&json!({"amount": "1"})),
        m.post(format!("/api/invoices/{id}/credit-notes/{note}/void"))
            .if_match(&e)
            .idempotency_key("m")
            .body_json(&json!({})),
        m.get(format!("/api/credit-notes/{note}")),
    ];
    for call in calls {
        let resp = call.send().await;
        let body = problem(resp, StatusCode::NOT_FOUND).await;
        assert!(!body.to_string().contains("Ærø"), "nothing of Acme's leaks: {body}");
    }
    for list in [
        "/api/invoices",
        "/api/credit-notes",
        &format!("/api/invoices?order_id={id}"),
        &format!("/api/credit-notes?invoice_id={id}"),
    ] {
        assert_eq!(ok(t.as_(&mallory).get(list).send().await).await["items"], json!([]), "{list}");
    }
    let unchanged = ok(t.as_(&alice).get(format!("/api/invoices/{id}")).send().await).await;
    assert_eq!(unchanged, noted, "nothing changed");
}

async fn a_finalized_invoice_downloads_as_pdf(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let seller = json!({"seller": {"name": "Acme GmbH", "address": ["Hauptstraße 1"], "tax_id": "DE123456789"}});
    ok(put_settings(&t, &alice, &seller).await).await;
    let mut cyrillic = body();
    cyrillic["customer"]["name"] = json!("Иван Петров");
    let draft = create(&t, &alice, &cyrillic, "p-1").await;
    let id = draft["id"].as_str().unwrap().to_owned();
    let preview = t.as_(&alice).get(format!("/api/invoices/{id}/pdf")).send().await;
    preview.assert_status_is_ok();
    preview.assert_header("content-disposition", format!("inline; filename=\"draft-{id}.pdf\""));
    let pdf = preview.0.into_body().into_vec().await.unwrap();
    assert!(pdf_extract::extract_text_from_mem(&pdf).unwrap().contains("Draft invoice"), "a preview");
    let open = ok(post(&t, &alice, &draft, "finalize", json!({}), "p-2").await).await;
    let resp = t.as_(&alice).get(format!("/api/invoices/{id}/pdf")).send().await;
    resp.assert_status_is_ok();
    resp.assert_content_type("application/pdf");
    resp.assert_header("content-disposition", "inline; filename=\"INV-000001.pdf\"");
    let pdf = resp.0.into_body().into_vec().await.unwrap();
    let text = pdf_extract::extract_text_from_mem(&pdf).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in ["Acme GmbH", "Иван Петров", "INV-000001", "Consulting", "Amount due", "140.00 EUR"] {
        assert!(text.contains(expected), "`{expected}` is missing from:\n{text}");
    }
    assert_eq!(open["total"], "140");
    problem(t.client().get(format!("/api/invoices/{id}/pdf")).send().await, StatusCode::UNAUTHORIZED).await;
}

async fn a_key_whose_invoice_was_deleted_is_a_conflict(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let draft = create(&t, &alice, &body(), "gone-1").await;
    let id = draft["id"].as_str().unwrap();
    t.as_(&alice)
        .delete(format!("/api/invoices/{id}"))
        .if_match(&etag(&draft))
        .send()
        .await
        .assert_status(StatusCode::NO_CONTENT);
    let replay = t.as_(&alice).post("/api/invoices").idempotency_key("gone-1").body_json(&body()).send().await;
    let conflict = problem(replay, StatusCode::CONFLICT).await;
    assert!(
        conflict["detail"].as_str().unwrap().contains(&format!("invoice {id}, which has since been deleted")),
        "{conflict}"
    );
    let empty = t.as_(&alice).post("/api/invoices").idempotency_key("").body_json(&body()).send().await;
    assert_eq!(problem(empty, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "Idempotency-Key");
}

/// The document is the contract: a body breaking its schema is 422 naming
/// every field, before the handler (which would read a number as a string
/// or a `null` as absent) — but a caller without credentials hears 401 first.
async fn bodies_are_held_to_the_document(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let mut bad = body();
    bad["currency"] = json!(978);
    bad["customer"]["email"] = Json::Null;
    bad["lines"][0]["quantity"] = json!("12345678901234567890");
    let resp = t.as_(&alice).post("/api/invoices").idempotency_key("b-1").body_json(&bad).send().await;
    let problem_body = problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> =
        problem_body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for field in ["currency", "customer.email", "lines[0].quantity"] {
        assert!(fields.contains(&field), "{field} in {problem_body}");
    }
    problem(t.client().post("/api/invoices").body_json(&bad).send().await, StatusCode::UNAUTHORIZED).await;
    // A whole number written with a fraction is that number (JSON Schema's reading).
    let mut whole = body();
    whole["net_days"] = json!(14.0);
    let created = create(&t, &alice, &whole, "b-2").await;
    assert_eq!(created["net_days"], 14);
}
