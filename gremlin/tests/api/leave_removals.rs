//! Taking back what leave managers set up, on SQLite and PostgreSQL: an
//! unused type or calendar is deleted and a used one kept (the rule named);
//! a withdrawn allocation gives its days back through the ledger and frees
//! its period; a member who left keeps their history for managers; a
//! member's own balances are one statement.

use gremlin_kernel::sql::statement;
use poem::http::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value as Json, json};

use crate::both_backends;
use crate::support::leave::{created, day, etag, member_left, monday, next_year, ok};
use crate::support::{Backend, KitHeaders, TestApp, member, owner, problem};

both_backends! {
    unused_types_and_calendars_go_and_used_ones_stay => unused_types_and_calendars_go_and_used_ones_stay,
    a_withdrawn_allocation_gives_its_days_back_and_frees_its_period => a_withdrawn_allocation_gives_its_days_back_and_frees_its_period,
    a_manager_still_reads_the_leave_of_a_member_who_left => a_manager_still_reads_the_leave_of_a_member_who_left,
    a_warm_balance_read_is_one_statement => a_warm_balance_read_is_one_statement,
}

async fn events(t: &TestApp, prefix: &str) -> Vec<String> {
    let db = &t.app.adapters.db;
    let sql = "SELECT event_type FROM outbox WHERE event_type LIKE $1 ORDER BY seq";
    let rows = db.query_all_raw(statement(db.get_database_backend(), sql, vec![format!("{prefix}%").into()])).await;
    rows.unwrap().iter().map(|r| r.try_get::<String>("", "event_type").unwrap()).collect()
}

async fn delete_calendar(t: &TestApp, auth: &str, org: &str, c: &Json) -> poem::test::TestResponse {
    let path = format!("/api/leave/calendars/{}", c["id"].as_str().unwrap());
    t.as_(auth).in_org(org).delete(path).if_match(&etag(c)).send().await
}

async fn withdraw(t: &TestApp, auth: &str, org: &str, path: &str, key: &str) -> poem::test::TestResponse {
    let body = json!({"note": "granted to the wrong person"});
    t.as_(auth).in_org(org).post(path).if_match("\"1\"").idempotency_key(key).body_json(&body).send().await
}

fn year() -> (String, String) {
    let y = next_year();
    (format!("{y}-01-01"), format!("{y}-12-31"))
}

async fn unused_types_and_calendars_go_and_used_ones_stay(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (olivia, org) = owner(&t, "olivia@example.com", "acme").await;
    let bob = member(&t, &org, "bob@example.com", "member").await;
    let (mallory, evil) = owner(&t, "mallory@example.com", "evil").await;

    // A type nothing names goes, at its version; a member may not delete it.
    let spare = created(&t, &olivia, &org, "/api/leave/types", json!({"name": "Sabbatical"}), "t-1").await;
    let path = format!("/api/leave/types/{}", spare["id"].as_str().unwrap());
    problem(t.as_(&bob.bearer).in_org(&org).delete(&path).if_match(&etag(&spare)).send().await, StatusCode::FORBIDDEN)
        .await;
    problem(t.as_(&mallory).in_org(&evil).delete(&path).if_match(&etag(&spare)).send().await, StatusCode::NOT_FOUND)
        .await;
    problem(t.as_(&olivia).in_org(&org).delete(&path).if_match("\"7\"").send().await, StatusCode::PRECONDITION_FAILED)
        .await;
    t.as_(&olivia)
        .in_org(&org)
        .delete(&path)
        .if_match(&etag(&spare))
        .send()
        .await
        .assert_status(StatusCode::NO_CONTENT);
    problem(t.as_(&olivia).in_org(&org).get(&path).send().await, StatusCode::NOT_FOUND).await;
    assert_eq!(events(&t, "leave.type.").await, ["leave.type.created", "leave.type.deleted"]);

    // A type with an allocation stays.
    let annual = created(&t, &olivia, &org, "/api/leave/types", json!({"name": "Annual"}), "t-2").await;
    let (from, to) = year();
    let grant = json!({"user_id": bob.id, "leave_type_id": annual["id"], "from": from, "to": to, "days": "20"});
    created(&t, &olivia, &org, "/api/leave/allocations", grant, "a-1").await;
    let path = format!("/api/leave/types/{}", annual["id"].as_str().unwrap());
    let resp = t.as_(&olivia).in_org(&org).delete(&path).if_match(&etag(&annual)).send().await;
    assert_eq!(problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await["rule"], "leave_type_in_use");

    // Calendars: the default and one a profile names stay; another goes
    // with its holidays.
    let holidays = json!([{"date": day(monday(11), 2), "name": "Founders' Day"}]);
    let berlin = json!({"name": "Berlin", "is_default": true, "holidays": holidays});
    let berlin = created(&t, &olivia, &org, "/api/leave/calendars", berlin, "c-1").await;
    let paris = json!({"name": "Paris", "holidays": holidays});
    let paris = created(&t, &olivia, &org, "/api/leave/calendars", paris, "c-2").await;
    let madrid = json!({"name": "Madrid", "holidays": holidays});
    let madrid = created(&t, &olivia, &org, "/api/leave/calendars", madrid, "c-3").await;
    let profile = format!("/api/leave/members/{}/profile", bob.id);
    let body = json!({"calendar_id": paris["id"]});
    ok(t.as_(&olivia).in_org(&org).put(&profile).if_match("\"0\"").body_json(&body).send().await).await;
    assert_eq!(
        problem(delete_calendar(&t, &olivia, &org, &berlin).await, StatusCode::UNPROCESSABLE_ENTITY).await["rule"],
        "default_calendar"
    );
    assert_eq!(
        problem(delete_calendar(&t, &olivia, &org, &paris).await, StatusCode::UNPROCESSABLE_ENTITY).await["rule"],
        "calendar_in_use"
    );
    let foreign = format!("/api/leave/calendars/{}", madrid["id"].as_str().unwrap());
    problem(t.as_(&mallory).in_org(&evil).delete(&foreign).if_match("\"1\"").send().await, StatusCode::NOT_FOUND).await;
    delete_calendar(&t, &olivia, &org, &madrid).await.assert_status(StatusCode::NO_CONTENT);
    problem(t.as_(&olivia).in_org(&org).get(&foreign).send().await, StatusCode::NOT_FOUND).await;
    let left = ok(t.as_(&olivia).in_org(&org).get("/api/leave/calendars").send().await).await;
    let names: Vec<&str> = left["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Berlin", "Paris"]);
}

async fn a_withdrawn_allocation_gives_its_days_back_and_frees_its_period(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (olivia, org) = owner(&t, "olivia@example.com", "acme").await;
    let bob = member(&t, &org, "bob@example.com", "member").await;
    let annual = created(&t, &olivia, &org, "/api/leave/types", json!({"name": "Annual"}), "t-1").await;
    let (from, to) = year();
    let grant = json!({"user_id": bob.id, "leave_type_id": annual["id"], "from": from, "to": to, "days": "20"});
    let allocation = created(&t, &olivia, &org, "/api/leave/allocations", grant.clone(), "a-1").await;
    let id = allocation["id"].as_str().unwrap();
    let path_w = format!("/api/leave/allocations/{id}/withdraw");

    // A pending request needs its days: refused by name.
    let ask = json!({"leave_type_id": annual["id"], "from": day(monday(11), 0), "to": day(monday(11), 2)});
    let request = created(&t, &bob.bearer, &org, "/api/leave/requests", ask, "r-1").await;
    let resp = withdraw(&t, &olivia, &org, &path_w, "w-0").await;
    assert_eq!(problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await["rule"], "allocation_in_use");
    let cancel = format!("/api/leave/requests/{}/cancel", request["id"].as_str().unwrap());
    let resp = t
        .as_(&bob.bearer)
        .in_org(&org)
        .post(&cancel)
        .if_match(&etag(&request))
        .idempotency_key("c-1")
        .body_json(&json!({}))
        .send()
        .await;
    ok(resp).await;

    // Only a manager withdraws, and only in their organization.
    problem(withdraw(&t, &bob.bearer, &org, &path_w, "w-1").await, StatusCode::FORBIDDEN).await;
    let (mallory, evil) = owner(&t, "mallory@example.com", "evil").await;
    problem(withdraw(&t, &mallory, &evil, &path_w, "w-2").await, StatusCode::NOT_FOUND).await;
    problem(
        t.as_(&mallory).in_org(&evil).get(format!("/api/leave/allocations/{id}")).send().await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let withdrawn = ok(withdraw(&t, &olivia, &org, &path_w, "w-3").await).await;
    assert!(withdrawn["withdrawn_at"].is_string(), "{withdrawn}");
    // The same key answers the same; another key meets a withdrawn one.
    assert_eq!(ok(withdraw(&t, &olivia, &org, &path_w, "w-3").await).await["withdrawn_at"], withdrawn["withdrawn_at"]);
    problem(withdraw(&t, &olivia, &org, &path_w, "w-4").await, StatusCode::CONFLICT).await;
    let read = t.as_(&bob.bearer).in_org(&org).get(format!("/api/leave/allocations/{id}")).send().await;
    read.assert_header("etag", "\"2\"");
    assert_eq!(ok(read).await["withdrawn_by"], withdrawn["withdrawn_by"]);

    let ledger =
        ok(t.as_(&olivia).in_org(&org).get(format!("/api/leave/members/{}/ledger", bob.id)).send().await).await;
    let entries: Vec<(&str, &str)> = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["days"].as_str().unwrap()))
        .collect();
    assert_eq!(entries, [("allocation", "20"), ("withdrawal", "-20")]);
    let at = monday(2);
    let path = format!("/api/leave/members/{}/balances?as_of={at}", bob.id);
    let balances = ok(t.as_(&olivia).in_org(&org).get(&path).send().await).await;
    assert_eq!(
        (balances["items"][0]["granted"].clone(), balances["items"][0]["available"].clone()),
        (json!("0"), json!("0"))
    );
    // Nothing stands on the period now: asking is refused, granting again is not.
    let ask = json!({"leave_type_id": annual["id"], "from": day(monday(12), 0), "to": day(monday(12), 0)});
    let resp =
        t.as_(&bob.bearer).in_org(&org).post("/api/leave/requests").idempotency_key("r-2").body_json(&ask).send().await;
    problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    let regrant = json!({"user_id": bob.id, "leave_type_id": annual["id"], "from": from, "to": to, "days": "18"});
    let again = created(&t, &olivia, &org, "/api/leave/allocations", regrant, "a-2").await;
    assert!(again["withdrawn_at"].is_null(), "{again}");
    let balances = ok(t.as_(&olivia).in_org(&org).get(&path).send().await).await;
    assert_eq!(balances["items"][0]["available"], "18");
    assert_eq!(events(&t, "leave.alloc").await, ["leave.allocated", "leave.allocation_withdrawn", "leave.allocated"]);
}

async fn a_manager_still_reads_the_leave_of_a_member_who_left(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (olivia, org) = owner(&t, "olivia@example.com", "acme").await;
    let olivia_session = crate::support::sign_in(&t, "olivia@example.com").await.bearer;
    let bob = member(&t, &org, "bob@example.com", "member").await;
    let carol = member(&t, &org, "carol@example.com", "admin").await;
    let dave = member(&t, &org, "dave@example.com", "member").await;
    let annual = created(&t, &olivia, &org, "/api/leave/types", json!({"name": "Annual"}), "t-1").await;
    let (from, to) = year();
    let grant = json!({"user_id": bob.id, "leave_type_id": annual["id"], "from": from, "to": to, "days": "20"});
    created(&t, &olivia, &org, "/api/leave/allocations", grant, "a-1").await;

    let remove = json!({"memberIdOrEmail": "bob@example.com", "organizationId": org});
    t.as_(&olivia_session)
        .post("/api/auth/organization/remove-member")
        .body_json(&remove)
        .send()
        .await
        .assert_status_is_ok();
    member_left(&t, &org, &bob.id).await;

    // Managers (the owner, an admin) still read his history; a member does not.
    for manager in [&olivia, &carol.bearer] {
        let ledger = t.as_(manager).in_org(&org).get(format!("/api/leave/members/{}/ledger", bob.id)).send().await;
        assert_eq!(ok(ledger).await["items"][0]["kind"], "allocation");
        let path = format!("/api/leave/members/{}/balances?as_of={}", bob.id, monday(2));
        let balances = t.as_(manager).in_org(&org).get(path).send().await;
        assert_eq!(ok(balances).await["items"][0]["granted"], "20");
    }
    let ledger = t.as_(&dave.bearer).in_org(&org).get(format!("/api/leave/members/{}/ledger", bob.id)).send().await;
    problem(ledger, StatusCode::NOT_FOUND).await;
    // Someone who never was a member does not exist, even to a manager.
    let stranger = t.as_(&olivia).in_org(&org).get("/api/leave/members/u-nobody/ledger").send().await;
    problem(stranger, StatusCode::NOT_FOUND).await;
    // Nothing new is granted to him.
    let grant = json!({"user_id": bob.id, "leave_type_id": annual["id"], "from": from, "to": to, "days": "1"});
    let resp = t
        .as_(&olivia)
        .in_org(&org)
        .post("/api/leave/allocations")
        .idempotency_key("a-2")
        .body_json(&grant)
        .send()
        .await;
    problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
}

/// A member's balances once the caller is cached: the types, the ledger
/// and the pending days in one statement. A regression fails here.
async fn a_warm_balance_read_is_one_statement(backend: Backend) {
    let t = TestApp::custom(backend, |s| s.outbox.poll_interval_ms = 600_000, |b| b).await;
    let (olivia, org) = owner(&t, "olivia@example.com", "acme").await;
    let me = ok(t.as_(&olivia).in_org(&org).get("/api/leave/members/me/profile").send().await).await;
    for (i, name) in ["Annual", "Sick", "Unpaid"].iter().enumerate() {
        let t_ = created(&t, &olivia, &org, "/api/leave/types", json!({"name": name}), &format!("t-{i}")).await;
        let (from, to) = year();
        let grant = json!({"user_id": me["user_id"], "leave_type_id": t_["id"], "from": from, "to": to, "days": "10"});
        created(&t, &olivia, &org, "/api/leave/allocations", grant, &format!("a-{i}")).await;
    }
    let url = "/api/leave/members/me/balances";
    t.as_(&olivia).in_org(&org).get(url).send().await.assert_status_is_ok();
    let counter = t.app.adapters.db_statements.clone();
    let before = counter.load(std::sync::atomic::Ordering::Relaxed);
    let read = t.as_(&olivia).in_org(&org).get(url).send().await;
    let used = counter.load(std::sync::atomic::Ordering::Relaxed) - before;
    let body = ok(read).await;
    assert_eq!(body["items"].as_array().map(Vec::len), Some(3), "{body}");
    assert_eq!(used, 1, "a warm balance read sent {used} SQL statements");
}
