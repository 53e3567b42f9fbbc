//! The CRM API over HTTP, on SQLite and PostgreSQL: companies and people
//! from creation through duplicates, changes, the trash and restore; owners
//! who must be members; who may do what; tenant isolation; and the events
//! and timeline lines each change records.

use gremlin_identity::ports::AccessInvalidation;
use gremlin_kernel::EventEnvelope;
use gremlin_kernel::sql::statement;
use poem::http::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value as Json, json};

use crate::both_backends;
use crate::support::{Backend, KitHeaders, TestApp, json, member, owner, problem, sign_up};

both_backends! {
    a_company_lives_changes_and_comes_back_from_the_trash => a_company_lives_changes_and_comes_back_from_the_trash,
    duplicates_are_refused_with_their_ids_unless_allowed => duplicates_are_refused_with_their_ids_unless_allowed,
    people_belong_to_companies_and_have_one_primary_address => people_belong_to_companies_and_have_one_primary_address,
    owners_are_members_of_the_organization => owners_are_members_of_the_organization,
    callers_need_a_token_and_a_permission => callers_need_a_token_and_a_permission,
    no_endpoint_reaches_another_organization => no_endpoint_reaches_another_organization,
    lists_page_with_cursors_and_filter_by_owner => lists_page_with_cursors_and_filter_by_owner,
}

fn acme() -> Json {
    json!({
        "name": "Acme Corp",
        "domain": "https://www.acme.com/about",
        "employees": 40,
        "annual_revenue": {"amount": "1200000.00", "currency": "EUR"},
        "address": {"city": "Berlin", "country": "DE"},
        "links": ["https://acme.com"],
        "tags": ["vip", "VIP", "partner"]
    })
}

async fn create(t: &TestApp, auth: &str, path: &str, body: &Json, key: &str) -> Json {
    let resp = t.as_(auth).post(format!("/api/crm/{path}")).idempotency_key(key).body_json(body).send().await;
    resp.assert_status(StatusCode::CREATED);
    json(resp).await
}

fn etag(record: &Json) -> String {
    format!("\"{}\"", record["version"])
}

fn id(record: &Json) -> &str {
    record["id"].as_str().unwrap()
}

async fn ok(resp: poem::test::TestResponse) -> Json {
    resp.assert_status_is_ok();
    json(resp).await
}

/// Every outbox event whose type starts with `prefix`, oldest first.
async fn events(t: &TestApp, prefix: &str) -> Vec<EventEnvelope> {
    let db = &t.app.adapters.db;
    let sql = "SELECT envelope FROM outbox WHERE event_type LIKE $1 ORDER BY seq";
    let rows = db.query_all_raw(statement(db.get_database_backend(), sql, vec![format!("{prefix}%").into()])).await;
    rows.unwrap().iter().map(|r| serde_json::from_str(&r.try_get::<String>("", "envelope").unwrap()).unwrap()).collect()
}

/// The kinds and data of a record's timeline lines, oldest first.
async fn timeline(t: &TestApp, record: &str) -> Vec<(String, Json)> {
    let db = &t.app.adapters.db;
    let sql = "SELECT kind, data FROM crm_timeline WHERE record_id = $1 ORDER BY occurred_at_us, id";
    let rows = db.query_all_raw(statement(db.get_database_backend(), sql, vec![record.into()])).await.unwrap();
    rows.iter()
        .map(|r| {
            let data: String = r.try_get("", "data").unwrap();
            (r.try_get("", "kind").unwrap(), serde_json::from_str(&data).unwrap())
        })
        .collect()
}

async fn a_company_lives_changes_and_comes_back_from_the_trash(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let company = create(&t, &alice, "companies", &acme(), "c-1").await;
    assert_eq!(company["domain"], "acme.com");
    assert_eq!(company["annual_revenue"], json!({"amount": "1200000", "currency": "EUR"}));
    assert_eq!(company["tags"], json!(["vip", "partner"]));
    assert_eq!((company["version"].clone(), company["deleted_at"].clone()), (json!(1), Json::Null));
    assert_eq!(company["owner_id"], company["created_by"], "the creator owns it unless told otherwise");
    // The same key and body: the same company, not a duplicate.
    assert_eq!(create(&t, &alice, "companies", &acme(), "c-1").await["id"], company["id"]);

    let path = format!("/api/crm/companies/{}", id(&company));
    let read = t.as_(&alice).get(&path).send().await;
    read.assert_header("etag", "\"1\"");
    assert_eq!(json(read).await["name"], "Acme Corp");

    // A patch changes what it names, clears what it nulls, keeps the rest.
    let change = json!({"employees": 45, "annual_revenue": null, "tags": ["vip"]});
    problem(t.as_(&alice).patch(&path).body_json(&change).send().await, StatusCode::PRECONDITION_REQUIRED).await;
    let changed = ok(t.as_(&alice).patch(&path).if_match(&etag(&company)).body_json(&change).send().await).await;
    assert_eq!((changed["employees"].clone(), changed["annual_revenue"].clone()), (json!(45), Json::Null));
    assert_eq!((changed["domain"].clone(), changed["version"].clone()), (json!("acme.com"), json!(2)));
    problem(
        t.as_(&alice).patch(&path).if_match(&etag(&company)).body_json(&change).send().await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    // Nothing changes: no new version, no event.
    let same = ok(t.as_(&alice).patch(&path).if_match(&etag(&changed)).body_json(&change).send().await).await;
    assert_eq!(same["version"], 2);
    let invalid = json!({"name": " ", "domain": "not a domain"});
    let bad = problem(
        t.as_(&alice).patch(&path).if_match(&etag(&changed)).body_json(&invalid).send().await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> = bad["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "domain"]);

    // Into the trash: out of the list, still readable, frozen until restored.
    let deleted = ok(t.as_(&alice).delete(&path).if_match(&etag(&changed)).send().await).await;
    assert!(deleted["deleted_at"].is_string(), "{deleted}");
    assert_eq!(ok(t.as_(&alice).get("/api/crm/companies").send().await).await["items"], json!([]));
    let trash = ok(t.as_(&alice).get("/api/crm/companies?deleted=true").send().await).await;
    assert_eq!(trash["items"][0]["id"], company["id"]);
    problem(t.as_(&alice).patch(&path).if_match(&etag(&deleted)).body_json(&change).send().await, StatusCode::CONFLICT)
        .await;
    let restore = format!("{path}/restore");
    let restored = ok(t.as_(&alice).post(&restore).if_match(&etag(&deleted)).idempotency_key("r-1").send().await).await;
    assert_eq!((restored["deleted_at"].clone(), restored["version"].clone()), (Json::Null, json!(4)));
    // A repeated restore under its key answers the record; a new one is a conflict.
    let again = t.as_(&alice).post(&restore).if_match(&etag(&deleted)).idempotency_key("r-1").send().await;
    assert_eq!(ok(again).await["version"], 4);
    problem(
        t.as_(&alice).post(&restore).if_match(&etag(&restored)).idempotency_key("r-2").send().await,
        StatusCode::CONFLICT,
    )
    .await;

    let types: Vec<String> = events(&t, "crm.company.").await.into_iter().map(|e| e.event_type).collect();
    assert_eq!(types, ["crm.company.created", "crm.company.updated", "crm.company.deleted", "crm.company.restored"]);
    let updated = &events(&t, "crm.company.updated").await[0];
    assert_eq!(updated.data["changed_fields"], json!(["employees", "annual_revenue", "tags"]));
    let lines = timeline(&t, id(&company)).await;
    let kinds: Vec<&str> = lines.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["created", "updated", "deleted", "restored"]);
    assert_eq!(
        lines[1].1["changes"][0],
        json!({"field": "employees", "from": 40, "to": 45}),
        "who changed what from what to what"
    );
}

async fn duplicates_are_refused_with_their_ids_unless_allowed(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let first = create(&t, &alice, "companies", &acme(), "d-1").await;
    for (body, key) in
        [(json!({"name": "  ACME   corp "}), "d-2"), (json!({"name": "Other", "domain": "acme.com"}), "d-3")]
    {
        let resp = t.as_(&alice).post("/api/crm/companies").idempotency_key(key).body_json(&body).send().await;
        let dup = problem(resp, StatusCode::CONFLICT).await;
        assert_eq!(dup["type"], "urn:gremlin:problem:duplicate");
        assert_eq!(dup["existing_ids"], json!([first["id"]]), "{body}");
    }
    let allowed = t
        .as_(&alice)
        .post("/api/crm/companies?allow_duplicate=true")
        .idempotency_key("d-4")
        .body_json(&json!({"name": "Acme Corp"}))
        .send()
        .await;
    allowed.assert_status(StatusCode::CREATED);
    // Both match the next one: the one matching name and domain comes first.
    let second = json(allowed).await;
    let resp = t.as_(&alice).post("/api/crm/companies").idempotency_key("d-5").body_json(&acme()).send().await;
    assert_eq!(problem(resp, StatusCode::CONFLICT).await["existing_ids"], json!([first["id"], second["id"]]));
    // A deleted company is no duplicate.
    for company in [&first, &second] {
        let path = format!("/api/crm/companies/{}", id(company));
        ok(t.as_(&alice).delete(&path).if_match(&etag(company)).send().await).await;
    }
    create(&t, &alice, "companies", &acme(), "d-6").await;

    // People: by primary e-mail (ignoring case) or by full name.
    let ada = json!({"first_name": "Ada", "last_name": "Lovelace", "emails": [{"address": "ada@example.com"}]});
    let person = create(&t, &alice, "people", &ada, "p-1").await;
    for (body, key) in [
        (json!({"first_name": "Augusta", "emails": [{"address": "ADA@example.com"}]}), "p-2"),
        (json!({"first_name": "ada", "last_name": "LOVELACE"}), "p-3"),
    ] {
        let resp = t.as_(&alice).post("/api/crm/people").idempotency_key(key).body_json(&body).send().await;
        assert_eq!(problem(resp, StatusCode::CONFLICT).await["existing_ids"], json!([person["id"]]), "{body}");
    }
    let other = json!({"first_name": "Ada", "last_name": "Byron", "emails": [{"address": "byron@example.com"}]});
    create(&t, &alice, "people", &other, "p-4").await;
}

async fn people_belong_to_companies_and_have_one_primary_address(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let company = create(&t, &alice, "companies", &acme(), "c-1").await;
    let body = json!({
        "first_name": "Grace",
        "last_name": "Hopper",
        "emails": [{"address": "grace@navy.example"}, {"address": "g@acme.com"}],
        "phones": ["+1 555 0100"],
        "job_title": "Rear admiral",
        "company_id": company["id"]
    });
    let person = create(&t, &alice, "people", &body, "p-1").await;
    assert_eq!(person["emails"][0], json!({"address": "grace@navy.example", "primary": true}));
    assert_eq!(person["emails"][1]["primary"], false);
    assert_eq!(person["company_id"], company["id"]);

    let path = format!("/api/crm/people/{}", id(&person));
    let two = json!({"emails": [{"address": "a@x.io", "primary": true}, {"address": "b@x.io", "primary": true}]});
    let bad = t.as_(&alice).patch(&path).if_match(&etag(&person)).body_json(&two).send().await;
    assert_eq!(problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "emails");
    let nowhere = json!({"company_id": uuid::Uuid::now_v7()});
    let bad = t.as_(&alice).patch(&path).if_match(&etag(&person)).body_json(&nowhere).send().await;
    assert_eq!(problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "company_id");
    // A company in the trash cannot take new people.
    let company_path = format!("/api/crm/companies/{}", id(&company));
    ok(t.as_(&alice).delete(&company_path).if_match(&etag(&company)).send().await).await;
    let joiner = json!({"first_name": "New", "company_id": company["id"]});
    let resp = t.as_(&alice).post("/api/crm/people").idempotency_key("p-2").body_json(&joiner).send().await;
    problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    let left =
        ok(t.as_(&alice).patch(&path).if_match(&etag(&person)).body_json(&json!({"company_id": null})).send().await)
            .await;
    assert_eq!(left["company_id"], Json::Null);
    let updated = events(&t, "crm.person.updated").await;
    assert_eq!(updated[0].data["changed_fields"], json!(["company_id"]));
}

async fn owners_are_members_of_the_organization(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, acme_id) = owner(&t, "alice@example.com", "acme").await;
    let bob = member(&t, &acme_id, "bob@example.com", "member").await;
    let stranger = sign_up(&t, "carol@example.com", "Carol").await;
    let mut body = acme();
    body["owner_id"] = json!(stranger.id);
    let resp = t.as_(&alice).post("/api/crm/companies").idempotency_key("o-1").body_json(&body).send().await;
    assert_eq!(problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "owner_id");
    body["owner_id"] = json!(bob.id);
    let company = create(&t, &alice, "companies", &body, "o-2").await;
    assert_eq!(company["owner_id"], json!(bob.id));
    // Bob, a member, reads and writes; he may hand the company to nobody.
    let path = format!("/api/crm/companies/{}", id(&company));
    let as_bob = t.as_(&bob.bearer).in_org(&acme_id);
    let unowned =
        ok(as_bob.patch(&path).if_match(&etag(&company)).body_json(&json!({"owner_id": null})).send().await).await;
    assert_eq!(unowned["owner_id"], Json::Null);
    let to_stranger = json!({"owner_id": stranger.id});
    let resp = as_bob.patch(&path).if_match(&etag(&unowned)).body_json(&to_stranger).send().await;
    problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    let body = json!({"first_name": "Nobody", "owner_id": null});
    let resp = as_bob.post("/api/crm/people").idempotency_key("o-3").body_json(&body).send().await;
    resp.assert_status(StatusCode::CREATED);
    assert_eq!(json(resp).await["owner_id"], Json::Null);
}

async fn callers_need_a_token_and_a_permission(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, acme_id) = owner(&t, "alice@example.com", "acme").await;
    let company = create(&t, &alice, "companies", &acme(), "c-1").await;
    let path = format!("/api/crm/companies/{}", id(&company));
    problem(t.client().get(&path).send().await, StatusCode::UNAUTHORIZED).await;
    problem(t.client().get("/api/crm/people").send().await, StatusCode::UNAUTHORIZED).await;
    // Owners narrowed to crm:read may read, not write.
    let roles = json!({"roles": {"owner": ["crm:read"]}});
    t.app.adapters.documents.upsert("role_permissions", &acme_id, roles).await.unwrap();
    t.app.verifier.roles_changed(&acme_id).await;
    ok(t.as_(&alice).get(&path).send().await).await;
    let a = t.as_(&alice);
    let resp = a.post("/api/crm/people").idempotency_key("f-1").body_json(&json!({"first_name": "X"})).send().await;
    problem(resp, StatusCode::FORBIDDEN).await;
    problem(a.delete(&path).if_match(&etag(&company)).send().await, StatusCode::FORBIDDEN).await;
    let patch = a.patch(&path).if_match(&etag(&company)).body_json(&json!({"name": "Y"})).send().await;
    problem(patch, StatusCode::FORBIDDEN).await;
    let restore = a.post(format!("{path}/restore")).if_match(&etag(&company)).idempotency_key("f-2").send().await;
    problem(restore, StatusCode::FORBIDDEN).await;
}

async fn no_endpoint_reaches_another_organization(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let (mallory, _) = owner(&t, "mallory@example.com", "evil").await;
    let company = create(&t, &alice, "companies", &acme(), "x-1").await;
    let ada = json!({"first_name": "Ada", "emails": [{"address": "ada@acme.com"}], "company_id": company["id"]});
    let person = create(&t, &alice, "people", &ada, "x-2").await;
    let m = t.as_(&mallory);
    for (kind, record) in [("companies", &company), ("people", &person)] {
        let path = format!("/api/crm/{kind}/{}", id(record));
        let e = etag(record);
        let calls = [
            m.get(&path),
            m.patch(&path).if_match(&e).body_json(&json!({"tags": ["mine"]})),
            m.delete(&path).if_match(&e),
            m.post(format!("{path}/restore")).if_match(&e).idempotency_key("m"),
        ];
        for call in calls {
            let body = problem(call.send().await, StatusCode::NOT_FOUND).await;
            assert!(!body.to_string().contains("Acme"), "nothing of Acme's leaks: {body}");
        }
        for list in [format!("/api/crm/{kind}"), format!("/api/crm/{kind}?deleted=true")] {
            assert_eq!(ok(m.get(&list).send().await).await["items"], json!([]), "{list}");
        }
    }
    // Acme's records are no duplicates of Evil's, nor a company Evil's people may name.
    create(&t, &mallory, "companies", &acme(), "m-1").await;
    create(&t, &mallory, "people", &json!({"first_name": "Ada", "emails": [{"address": "ada@acme.com"}]}), "m-2").await;
    let poach = json!({"first_name": "Spy", "company_id": company["id"]});
    let resp = m.post("/api/crm/people").idempotency_key("m-3").body_json(&poach).send().await;
    problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    // And Alice's records are untouched.
    let read = ok(t.as_(&alice).get(format!("/api/crm/companies/{}", id(&company))).send().await).await;
    assert_eq!((read["version"].clone(), read["tags"].clone()), (json!(1), company["tags"].clone()));
}

async fn lists_page_with_cursors_and_filter_by_owner(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, acme_id) = owner(&t, "alice@example.com", "acme").await;
    let bob = member(&t, &acme_id, "bob@example.com", "member").await;
    let mut made = Vec::new();
    for i in 0..5 {
        let mut body = json!({"name": format!("Company {i}")});
        if i % 2 == 1 {
            body["owner_id"] = json!(bob.id);
        }
        made.push(create(&t, &alice, "companies", &body, &format!("l-{i}")).await["id"].clone());
    }
    let mut seen = Vec::new();
    let mut url = "/api/crm/companies?limit=2".to_owned();
    loop {
        let page = ok(t.as_(&alice).get(&url).send().await).await;
        seen.extend(page["items"].as_array().unwrap().iter().map(|c| c["id"].clone()));
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("/api/crm/companies?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    made.reverse();
    assert_eq!(seen, made, "newest first, each once");
    let asc = ok(t.as_(&alice).get("/api/crm/companies?direction=asc&limit=1").send().await).await;
    assert_eq!(asc["items"][0]["id"], made[4]);
    let bobs = ok(t.as_(&alice).get(format!("/api/crm/companies?owner_id={}", bob.id)).send().await).await;
    assert_eq!(bobs["items"].as_array().unwrap().len(), 2);
    problem(t.as_(&alice).get("/api/crm/companies?cursor=zz").send().await, StatusCode::UNPROCESSABLE_ENTITY).await;
}
