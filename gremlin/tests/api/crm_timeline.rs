//! CRM timelines over HTTP, on SQLite and PostgreSQL: notes and tasks,
//! field changes and stage moves, newest first with cursors; other
//! domains' orders and invoices on their customer's timeline, once per
//! event; tenant isolation of all of it.

use gremlin_kernel::{EventEnvelope, OrganizationId};
use poem::http::StatusCode;
use serde_json::{Value as Json, json};

use crate::both_backends;
use crate::support::{Backend, KitHeaders, TestApp, json, member, owner, problem};

both_backends! {
    notes_and_tasks_live_on_their_record => notes_and_tasks_live_on_their_record,
    a_timeline_pages_newest_first_through_everything => a_timeline_pages_newest_first_through_everything,
    orders_and_invoices_reach_their_customers_timeline_once => orders_and_invoices_reach_their_customers_timeline_once,
}

async fn ok(resp: poem::test::TestResponse) -> Json {
    resp.assert_status_is_ok();
    json(resp).await
}

fn etag(record: &Json) -> String {
    format!("\"{}\"", record["version"])
}

fn id(record: &Json) -> &str {
    record["id"].as_str().unwrap()
}

async fn created(t: &TestApp, auth: &str, path: &str, body: Json, key: &str) -> Json {
    let resp = t.as_(auth).post(format!("/api/crm/{path}")).idempotency_key(key).body_json(&body).send().await;
    resp.assert_status(StatusCode::CREATED);
    json(resp).await
}

async fn kinds(t: &TestApp, auth: &str, url: &str) -> Vec<String> {
    let page = ok(t.as_(auth).get(url).send().await).await;
    page["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap().to_owned()).collect()
}

async fn notes_and_tasks_live_on_their_record(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, acme_id) = owner(&t, "alice@example.com", "acme").await;
    let bob = member(&t, &acme_id, "bob@example.com", "member").await;
    let (mallory, _) = owner(&t, "mallory@example.com", "evil").await;
    let company = created(&t, &alice, "companies", json!({"name": "Acme"}), "c-1").await;
    let about = |kind: &str, extra: Json| {
        let mut body = json!({"kind": kind, "record_kind": "company", "record_id": company["id"]});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let note = created(&t, &alice, "activities", about("note", json!({"body": "Met at the fair"})), "n-1").await;
    assert_eq!((note["title"].clone(), note["done"].clone()), (Json::Null, json!(false)));
    let task = about("task", json!({"title": "Send the offer", "due_on": "2026-12-15", "assignee_id": bob.id}));
    let task = created(&t, &alice, "activities", task, "t-1").await;
    // A note with a title, a task without one, a stranger as assignee, a missing record: 422.
    for (body, field) in [
        (about("note", json!({"body": "x", "title": "y"})), "kind"),
        (about("task", json!({})), "title"),
        (about("task", json!({"title": "x", "assignee_id": "nobody"})), "assignee_id"),
        (json!({"kind": "note", "record_kind": "deal", "record_id": company["id"], "body": "x"}), "record_id"),
    ] {
        let resp = t.as_(&alice).post("/api/crm/activities").idempotency_key(field).body_json(&body).send().await;
        assert_eq!(problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], field, "{body}");
    }
    // Bob, a member, does his task.
    let path = format!("/api/crm/activities/{}", id(&task));
    let as_bob = t.as_(&bob.bearer).in_org(&acme_id);
    let done = ok(as_bob.patch(&path).if_match(&etag(&task)).body_json(&json!({"done": true})).send().await).await;
    assert!(done["done"].as_bool().unwrap() && done["done_at"].is_string(), "{done}");
    let bobs_open = format!("/api/crm/activities?assignee_id={}&done=false", bob.id);
    assert_eq!(ok(t.as_(&alice).get(&bobs_open).send().await).await["items"], json!([]));
    let bobs_done = format!("/api/crm/activities?assignee_id={}&done=true&kind=task", bob.id);
    assert_eq!(ok(t.as_(&alice).get(&bobs_done).send().await).await["items"][0]["id"], task["id"]);
    let on_company = format!("/api/crm/activities?record_kind=company&record_id={}", id(&company));
    assert_eq!(ok(t.as_(&alice).get(&on_company).send().await).await["items"].as_array().unwrap().len(), 2);
    // A deleted note leaves the timeline.
    let timeline = format!("/api/crm/companies/{}/timeline", id(&company));
    assert_eq!(kinds(&t, &alice, &timeline).await, ["task", "note", "created"]);
    let note_path = format!("/api/crm/activities/{}", id(&note));
    ok(t.as_(&alice).delete(&note_path).if_match(&etag(&note)).send().await).await;
    assert_eq!(kinds(&t, &alice, &timeline).await, ["task", "created"]);
    // Another organization sees none of it.
    let m = t.as_(&mallory);
    problem(m.get(&path).send().await, StatusCode::NOT_FOUND).await;
    problem(
        m.patch(&path).if_match(&etag(&done)).body_json(&json!({"done": false})).send().await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(m.get(&timeline).send().await, StatusCode::NOT_FOUND).await;
    assert_eq!(ok(m.get("/api/crm/activities").send().await).await["items"], json!([]));
    let theirs = json!({"kind": "note", "record_kind": "company", "record_id": company["id"], "body": "mine"});
    let resp = m.post("/api/crm/activities").idempotency_key("m-1").body_json(&theirs).send().await;
    problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
}

async fn a_timeline_pages_newest_first_through_everything(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let pipelines = ok(t.as_(&alice).get("/api/crm/pipelines").send().await).await;
    let proposal = pipelines["items"][0]["stages"][2]["id"].clone();
    let deal = created(&t, &alice, "deals", json!({"name": "Big one"}), "d-1").await;
    let path = format!("/api/crm/deals/{}", id(&deal));
    let moved =
        ok(t.as_(&alice).patch(&path).if_match(&etag(&deal)).body_json(&json!({"stage_id": proposal})).send().await)
            .await;
    for i in 0..3 {
        let note = json!({"kind": "note", "record_kind": "deal", "record_id": deal["id"], "body": format!("Note {i}")});
        created(&t, &alice, "activities", note, &format!("n-{i}")).await;
    }
    ok(t.as_(&alice).patch(&path).if_match(&etag(&moved)).body_json(&json!({"name": "Bigger one"})).send().await).await;

    let mut seen = Vec::new();
    let mut url = format!("{path}/timeline?limit=2");
    loop {
        let page = ok(t.as_(&alice).get(&url).send().await).await;
        seen.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("{path}/timeline?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    let kinds: Vec<&str> = seen.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["updated", "note", "note", "note", "stage_changed", "updated", "created"]);
    assert_eq!(seen[0]["data"]["changes"][0], json!({"field": "name", "from": "Big one", "to": "Bigger one"}));
    assert_eq!(seen[1]["activity"]["body"], "Note 2");
    assert_eq!(
        (seen[4]["data"]["from_stage"].clone(), seen[4]["data"]["to_stage"].clone()),
        (json!("Qualification"), json!("Proposal"))
    );
    let times: Vec<&str> = seen.iter().map(|i| i["occurred_at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first: {times:?}");
    problem(t.as_(&alice).get(format!("{path}/timeline?cursor=zz")).send().await, StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    problem(t.as_(&alice).get(format!("/api/crm/people/{}/timeline", id(&deal))).send().await, StatusCode::NOT_FOUND)
        .await;
}

/// An event of `event_type` from `source` about `subject` with `data`, in `organization`.
fn event(event_type: &str, source: &str, organization: &str, subject: &str, data: Json) -> EventEnvelope {
    EventEnvelope::new(event_type, source, Some(OrganizationId::new(organization)), subject, data)
}

async fn orders_and_invoices_reach_their_customers_timeline_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, acme_id) = owner(&t, "alice@example.com", "acme").await;
    let (_, evil_id) = owner(&t, "mallory@example.com", "evil").await;
    let company = created(&t, &alice, "companies", json!({"name": "Acme"}), "c-1").await;
    let person = created(&t, &alice, "people", json!({"first_name": "Ada"}), "p-1").await;
    let consumer = t.app.consumers.iter().find(|c| c.spec.durable_name == "crm-timeline").unwrap();
    let order = json!({
        "order_id": uuid::Uuid::now_v7(), "number": "SO-000007", "status": "confirmed", "payment_status": "unpaid",
        "customer": {"contact_id": company["id"], "name": "Acme"}, "currency": "EUR",
        "totals": {"subtotal": "100", "discount_total": "0", "tax_total": "20", "grand_total": "120"}, "version": 3
    });
    let confirmed = event("order.confirmed", "orders", &acme_id, "o-1", order.clone());
    (consumer.handler)(confirmed.clone()).await.unwrap();
    (consumer.handler)(confirmed).await.unwrap(); // redelivered: no second line
    let invoice = json!({
        "invoice_id": uuid::Uuid::now_v7(), "number": "INV-000001", "status": "paid",
        "customer": {"crm_id": person["id"], "name": "Ada"}, "currency": "EUR",
        "amounts": {"total": "120", "paid": "120", "credited": "0", "due": "0"}, "version": 4
    });
    (consumer.handler)(event("invoice.paid", "invoices", &acme_id, "i-1", invoice.clone())).await.unwrap();
    // Another organization's event naming Acme's company, an event about no
    // CRM record and a misshapen one change nothing.
    (consumer.handler)(event("order.confirmed", "orders", &evil_id, "o-2", order.clone())).await.unwrap();
    let mut anonymous = order.clone();
    anonymous["customer"] = json!({"name": "Walk-in"});
    (consumer.handler)(event("order.created", "orders", &acme_id, "o-3", anonymous)).await.unwrap();
    (consumer.handler)(event("invoice.finalized", "invoices", &acme_id, "i-2", json!({"nope": 1}))).await.unwrap();

    let company_line =
        ok(t.as_(&alice).get(format!("/api/crm/companies/{}/timeline", id(&company))).send().await).await;
    let items = company_line["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{company_line}");
    assert_eq!((items[0]["kind"].clone(), items[0]["actor"].clone()), (json!("event"), json!("system")));
    let data = &items[0]["data"];
    assert_eq!(
        (data["event_type"].clone(), data["number"].clone(), data["amount"].clone()),
        (json!("order.confirmed"), json!("SO-000007"), json!("120"))
    );
    let person_line = ok(t.as_(&alice).get(format!("/api/crm/people/{}/timeline", id(&person))).send().await).await;
    assert_eq!(person_line["items"][0]["data"]["event_type"], "invoice.paid");
}
