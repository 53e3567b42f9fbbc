//! The leave API over HTTP, on SQLite and PostgreSQL: a request from
//! asking through approval and cancellation with the ledger and balances
//! following; each rule refused by name; who may do what, and tenant
//! isolation; a member leaving, handled once.

use gremlin_kernel::EventEnvelope;
use gremlin_kernel::sql::statement;
use poem::http::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value as Json, json};

use crate::both_backends;
use crate::support::leave::{created, day, etag, member_left, monday, next_year, ok};
use crate::support::{Backend, KitHeaders, TestApp, member, owner, problem};

both_backends! {
    an_approver_sees_only_their_members => an_approver_sees_only_their_members,
    two_requests_that_fit_only_one_at_a_time_are_not_both_taken => two_requests_that_fit_only_one_at_a_time_are_not_both_taken,
    a_request_goes_from_asked_to_approved_to_cancelled => a_request_goes_from_asked_to_approved_to_cancelled,
    each_broken_rule_is_named => each_broken_rule_is_named,
    who_may_do_what_and_nothing_crosses_organizations => who_may_do_what_and_nothing_crosses_organizations,
    a_member_leaving_closes_their_leave_once => a_member_leaving_closes_their_leave_once,
}

fn year_span() -> (String, String) {
    let year = next_year();
    (format!("{year}-01-01"), format!("{year}-12-31"))
}

fn annual(name: &str) -> Json {
    json!({"name": name, "max_consecutive_days": "10", "carry_forward_cap": "5", "carry_forward_expiry_days": 90})
}

/// An organization with an annual leave type, Bob (a member with 20 days
/// next year) and Carol (his approver).
struct Team {
    owner: String,
    org: String,
    bob: String,
    bob_id: String,
    carol: String,
    annual: String,
}

async fn team(t: &TestApp) -> Team {
    let (owner_auth, org) = owner(t, "olivia@example.com", "acme").await;
    let bob = member(t, &org, "bob@example.com", "member").await;
    let carol = member(t, &org, "carol@example.com", "member").await;
    let annual = created(t, &owner_auth, &org, "/api/leave/types", annual("Annual leave"), "t-1").await;
    let path = format!("/api/leave/members/{}/profile", bob.id);
    let profile =
        json!({"approver_id": carol.id, "working_week": ["monday", "tuesday", "wednesday", "thursday", "friday"]});
    let resp = t.as_(&owner_auth).in_org(&org).put(&path).if_match("\"0\"").body_json(&profile).send().await;
    assert_eq!(ok(resp).await["approver_id"], json!(carol.id));
    let (from, to) = year_span();
    let grant = json!({"user_id": bob.id, "leave_type_id": annual["id"], "from": from, "to": to, "days": "20"});
    created(t, &owner_auth, &org, "/api/leave/allocations", grant, "a-1").await;
    Team {
        owner: owner_auth,
        org,
        bob: bob.bearer,
        bob_id: bob.id,
        carol: carol.bearer,
        annual: annual["id"].as_str().unwrap().to_owned(),
    }
}

async fn balance(t: &TestApp, auth: &str, org: &str, user: &str, type_id: &str) -> Json {
    let at = monday(2).to_string();
    let all =
        ok(t.as_(auth).in_org(org).get(format!("/api/leave/members/{user}/balances?as_of={at}")).send().await).await;
    all["items"].as_array().unwrap().iter().find(|b| b["leave_type_id"] == type_id).unwrap().clone()
}

async fn events(t: &TestApp, prefix: &str) -> Vec<String> {
    let db = &t.app.adapters.db;
    let sql = "SELECT event_type FROM outbox WHERE event_type LIKE $1 ORDER BY seq";
    let rows = db.query_all_raw(statement(db.get_database_backend(), sql, vec![format!("{prefix}%").into()])).await;
    rows.unwrap().iter().map(|r| r.try_get::<String>("", "event_type").unwrap()).collect()
}

async fn a_request_goes_from_asked_to_approved_to_cancelled(backend: Backend) {
    let t = TestApp::new(backend).await;
    let team = team(&t).await;
    let (bob, org) = (&team.bob, &team.org);
    // Monday to Friday of week 11, starting on the Monday afternoon: 4.5 days.
    let ask = json!({"leave_type_id": team.annual, "from": day(monday(11), 0), "to": day(monday(11), 4),
                     "starts": "afternoon", "reason": "Family"});
    let request = created(&t, bob, org, "/api/leave/requests", ask.clone(), "r-1").await;
    assert_eq!((request["status"].clone(), request["days"].clone()), (json!("pending"), json!("4.5")));
    // The same key answers the same request.
    let again = created(&t, bob, org, "/api/leave/requests", ask, "r-1").await;
    assert_eq!(again["id"], request["id"]);
    let b = balance(&t, bob, org, "me", &team.annual).await;
    assert_eq!((b["pending"].clone(), b["available"].clone()), (json!("4.5"), json!("15.5")));

    let id = request["id"].as_str().unwrap();
    let approve = format!("/api/leave/requests/{id}/approve");
    // Nobody approves their own leave.
    let resp = t
        .as_(bob)
        .in_org(org)
        .post(&approve)
        .if_match(&etag(&request))
        .idempotency_key("d-0")
        .body_json(&json!({}))
        .send()
        .await;
    problem(resp, StatusCode::FORBIDDEN).await;
    // Carol, his approver, sees her queue and approves.
    let queue =
        ok(t.as_(&team.carol).in_org(org).get("/api/leave/requests?approver_id=me&status=pending").send().await).await;
    assert_eq!(queue["items"][0]["id"], request["id"]);
    let body = json!({"note": "Enjoy"});
    let resp = t
        .as_(&team.carol)
        .in_org(org)
        .post(&approve)
        .if_match(&etag(&request))
        .idempotency_key("d-1")
        .body_json(&body)
        .send()
        .await;
    let approved = ok(resp).await;
    assert_eq!((approved["status"].clone(), approved["decision_note"].clone()), (json!("approved"), json!("Enjoy")));
    let b = balance(&t, bob, org, "me", &team.annual).await;
    assert_eq!(
        (b["pending"].clone(), b["booked"].clone(), b["available"].clone()),
        (json!("0"), json!("4.5"), json!("15.5"))
    );
    // A second decision finds it decided; a stale version is refused.
    let resp = t
        .as_(&team.carol)
        .in_org(org)
        .post(&approve)
        .if_match(&etag(&approved))
        .idempotency_key("d-2")
        .body_json(&json!({}))
        .send()
        .await;
    problem(resp, StatusCode::CONFLICT).await;
    let cancel = format!("/api/leave/requests/{id}/cancel");
    let resp = t.as_(bob).in_org(org).post(&cancel).if_match(&etag(&request)).idempotency_key("c-0").send().await;
    problem(resp, StatusCode::PRECONDITION_FAILED).await;
    let resp = t.as_(bob).in_org(org).post(&cancel).idempotency_key("c-1").send().await;
    problem(resp, StatusCode::PRECONDITION_REQUIRED).await;
    // Bob cancels: the days come back through a new entry.
    let cancelled =
        ok(t.as_(bob).in_org(org).post(&cancel).if_match(&etag(&approved)).idempotency_key("c-2").send().await).await;
    assert_eq!(cancelled["status"], "cancelled");
    let b = balance(&t, bob, org, "me", &team.annual).await;
    assert_eq!((b["booked"].clone(), b["available"].clone()), (json!("0"), json!("20")));
    let ledger = ok(t.as_(bob).in_org(org).get("/api/leave/members/me/ledger").send().await).await;
    let kinds: Vec<(&str, &str)> = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["days"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("allocation", "20"), ("taken", "-4.5"), ("cancellation", "4.5")]);
    assert_eq!(
        events(&t, "leave.").await,
        ["leave.type.created", "leave.allocated", "leave.requested", "leave.approved", "leave.cancelled"]
    );
    // A type needing no approval is approved at once; unpaid needs no allocation.
    let sick = json!({"name": "Unpaid leave", "paid": false, "requires_approval": false});
    let sick = created(&t, &team.owner, org, "/api/leave/types", sick, "t-2").await;
    let ask = json!({"leave_type_id": sick["id"], "from": day(monday(20), 0), "to": day(monday(20), 0)});
    let taken = created(&t, bob, org, "/api/leave/requests", ask, "r-2").await;
    assert_eq!((taken["status"].clone(), taken["days"].clone()), (json!("approved"), json!("1")));
}

async fn each_broken_rule_is_named(backend: Backend) {
    let t = TestApp::new(backend).await;
    let team = team(&t).await;
    let (bob, org) = (&team.bob, &team.org);
    let refused = |from: String, to: String, starts: &str, ends: &str| {
        let body = json!({"leave_type_id": team.annual, "from": from, "to": to, "starts": starts, "ends": ends});
        let t = &t;
        async move {
            let key = uuid::Uuid::new_v4().to_string();
            let resp =
                t.as_(bob).in_org(org).post("/api/leave/requests").idempotency_key(&key).body_json(&body).send().await;
            let p = problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(p["type"], "urn:gremlin:problem:rule", "{p}");
            p["rule"].as_str().unwrap().to_owned()
        }
    };
    let m = monday(11);
    // A weekend holds no working day.
    assert_eq!(refused(day(m, 5), day(m, 6), "morning", "afternoon").await, "zero_days");
    // Nothing granted the year after next.
    assert_eq!(refused(day(m, 365), day(m, 366), "morning", "afternoon").await, "outside_allocation");
    // More than granted: 2 days of training, 3 asked.
    let training = created(&t, &team.owner, org, "/api/leave/types", json!({"name": "Training"}), "t-4").await;
    let (from, to) = year_span();
    let grant = json!({"user_id": team.bob_id, "leave_type_id": training["id"], "from": from, "to": to, "days": "2"});
    created(&t, &team.owner, org, "/api/leave/allocations", grant, "a-4").await;
    let ask = json!({"leave_type_id": training["id"], "from": day(monday(30), 0), "to": day(monday(30), 2)});
    let resp = t.as_(bob).in_org(org).post("/api/leave/requests").idempotency_key("i-1").body_json(&ask).send().await;
    assert_eq!(problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await["rule"], "insufficient_balance");
    // Two half days on one date are fine; a whole day over either is not.
    let morning = json!({"leave_type_id": team.annual, "from": day(m, 2), "to": day(m, 2), "ends": "morning"});
    created(&t, bob, org, "/api/leave/requests", morning, "h-1").await;
    let afternoon = json!({"leave_type_id": team.annual, "from": day(m, 2), "to": day(m, 2), "starts": "afternoon"});
    created(&t, bob, org, "/api/leave/requests", afternoon, "h-2").await;
    assert_eq!(refused(day(m, 1), day(m, 2), "morning", "afternoon").await, "overlap");
    // Week 20 (5 days) and week 21 (5) make 10 in a row; one more day is too many.
    let w20 = json!({"leave_type_id": team.annual, "from": day(monday(20), 0), "to": day(monday(20), 4)});
    created(&t, bob, org, "/api/leave/requests", w20, "w-20").await;
    let w21 = json!({"leave_type_id": team.annual, "from": day(monday(21), 0), "to": day(monday(21), 4)});
    created(&t, bob, org, "/api/leave/requests", w21, "w-21").await;
    assert_eq!(refused(day(monday(22), 0), day(monday(22), 0), "morning", "afternoon").await, "consecutive_limit");
    // Notice: a type wanting 500 days' notice cannot be taken next year.
    let planned = json!({"name": "Sabbatical", "paid": false, "min_notice_days": 366});
    let planned = created(&t, &team.owner, org, "/api/leave/types", planned, "t-3").await;
    let ask = json!({"leave_type_id": planned["id"], "from": day(monday(2), 0), "to": day(monday(2), 0)});
    let resp = t.as_(bob).in_org(org).post("/api/leave/requests").idempotency_key("n-1").body_json(&ask).send().await;
    assert_eq!(problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await["rule"], "notice");
    // Malformed spans and dates are 422s naming the field, not rules.
    let backwards = json!({"leave_type_id": team.annual, "from": day(m, 3), "to": day(m, 1)});
    let resp =
        t.as_(bob).in_org(org).post("/api/leave/requests").idempotency_key("b-1").body_json(&backwards).send().await;
    assert_eq!(problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "to");
    let far = json!({"leave_type_id": team.annual, "from": "9999-12-30", "to": "9999-12-31"});
    let resp = t.as_(bob).in_org(org).post("/api/leave/requests").idempotency_key("b-2").body_json(&far).send().await;
    assert_eq!(problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "from");
}

async fn who_may_do_what_and_nothing_crosses_organizations(backend: Backend) {
    let t = TestApp::new(backend).await;
    let team = team(&t).await;
    let (bob, org) = (&team.bob, &team.org);
    // Members read and request; they do not manage.
    let resp =
        t.as_(bob).in_org(org).post("/api/leave/types").idempotency_key("x").body_json(&annual("Mine")).send().await;
    problem(resp, StatusCode::FORBIDDEN).await;
    let grant = json!({"user_id": team.bob_id, "leave_type_id": team.annual, "from": "2030-01-01", "to": "2030-12-31", "days": "99"});
    let resp =
        t.as_(bob).in_org(org).post("/api/leave/allocations").idempotency_key("y").body_json(&grant).send().await;
    problem(resp, StatusCode::FORBIDDEN).await;
    // Carol approves Bob: she sees his requests, not his balances (those are
    // his own and leave:manage's).
    ok(t.as_(&team.carol).in_org(org).get(format!("/api/leave/requests?user_id={}", team.bob_id)).send().await).await;
    let resp = t.as_(&team.carol).in_org(org).get(format!("/api/leave/members/{}/balances", team.bob_id)).send().await;
    problem(resp, StatusCode::FORBIDDEN).await;
    let resp = t.as_(bob).in_org(org).get("/api/leave/members/me/profile").send().await;
    ok(resp).await;
    let carol_profile = ok(t.as_(&team.carol).in_org(org).get("/api/leave/members/me/profile").send().await).await;
    let carol_id = carol_profile["user_id"].as_str().unwrap();
    let resp = t.as_(bob).in_org(org).get(format!("/api/leave/members/{carol_id}/balances")).send().await;
    problem(resp, StatusCode::FORBIDDEN).await;
    // Overlapping periods of one type are refused.
    let (from, to) = year_span();
    let twice = json!({"user_id": team.bob_id, "leave_type_id": team.annual, "from": from, "to": to, "days": "5"});
    let resp = t
        .as_(&team.owner)
        .in_org(org)
        .post("/api/leave/allocations")
        .idempotency_key("a-2")
        .body_json(&twice)
        .send()
        .await;
    problem(resp, StatusCode::CONFLICT).await;
    // Names are unique without case.
    let resp = t
        .as_(&team.owner)
        .in_org(org)
        .post("/api/leave/types")
        .idempotency_key("t-9")
        .body_json(&annual("ANNUAL LEAVE"))
        .send()
        .await;
    problem(resp, StatusCode::CONFLICT).await;
    // An approver must be a member, and not the member themselves.
    let path = format!("/api/leave/members/{}/profile", team.bob_id);
    let own = json!({"approver_id": team.bob_id});
    let resp = t.as_(&team.owner).in_org(org).put(&path).if_match("\"1\"").body_json(&own).send().await;
    assert_eq!(problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "approver_id");
    let stranger = json!({"approver_id": "nobody-here"});
    let resp = t.as_(&team.owner).in_org(org).put(&path).if_match("\"1\"").body_json(&stranger).send().await;
    problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;

    // Another organization sees none of it.
    let ask = json!({"leave_type_id": team.annual, "from": day(monday(11), 0), "to": day(monday(11), 0)});
    let request = created(&t, bob, org, "/api/leave/requests", ask, "r-1").await;
    let (mallory, evil) = owner(&t, "mallory@example.com", "evil").await;
    let id = request["id"].as_str().unwrap();
    let resp = t.as_(&mallory).in_org(&evil).get(format!("/api/leave/requests/{id}")).send().await;
    problem(resp, StatusCode::NOT_FOUND).await;
    let approve = format!("/api/leave/requests/{id}/approve");
    let resp = t
        .as_(&mallory)
        .in_org(&evil)
        .post(&approve)
        .if_match("\"1\"")
        .idempotency_key("m-1")
        .body_json(&json!({}))
        .send()
        .await;
    problem(resp, StatusCode::NOT_FOUND).await;
    let resp = t.as_(&mallory).in_org(&evil).get(format!("/api/leave/types/{}", team.annual)).send().await;
    problem(resp, StatusCode::NOT_FOUND).await;
    let everyone = ok(t.as_(&mallory).in_org(&evil).get("/api/leave/requests").send().await).await;
    assert_eq!(everyone["items"], json!([]));
    // Asking with another organization's type names no type of theirs.
    let theirs = json!({"leave_type_id": team.annual, "from": day(monday(11), 0), "to": day(monday(11), 0)});
    let resp = t
        .as_(&mallory)
        .in_org(&evil)
        .post("/api/leave/requests")
        .idempotency_key("m-2")
        .body_json(&theirs)
        .send()
        .await;
    let refused = problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused["errors"][0]["field"], "leave_type_id");
    // Without a token, nothing.
    problem(t.client().get("/api/leave/types").send().await, StatusCode::UNAUTHORIZED).await;
}

async fn a_member_leaving_closes_their_leave_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let team = team(&t).await;
    let (bob, org) = (&team.bob, &team.org);
    let pending = json!({"leave_type_id": team.annual, "from": day(monday(11), 0), "to": day(monday(11), 1)});
    let pending = created(&t, bob, org, "/api/leave/requests", pending, "r-1").await;
    let approved = json!({"leave_type_id": team.annual, "from": day(monday(14), 0), "to": day(monday(14), 0)});
    let approved = created(&t, bob, org, "/api/leave/requests", approved, "r-2").await;
    let path = format!("/api/leave/requests/{}/approve", approved["id"].as_str().unwrap());
    let resp = t
        .as_(&team.carol)
        .in_org(org)
        .post(&path)
        .if_match("\"1\"")
        .idempotency_key("d-1")
        .body_json(&json!({}))
        .send()
        .await;
    ok(resp).await;

    let left = member_left(&t, org, &team.bob_id).await;
    let consumer = t.app.consumers.iter().find(|c| c.spec.durable_name == "leave-members-leaving").unwrap();
    (consumer.handler)(left).await.unwrap(); // redelivered: nothing more
    // A misshapen event is skipped, not retried forever.
    let odd = EventEnvelope::new("identity.member.removed", "identity", None, "member/x", json!({"nope": 1}));
    (consumer.handler)(odd).await.unwrap();

    for request in [&pending, &approved] {
        let path = format!("/api/leave/requests/{}", request["id"].as_str().unwrap());
        let now = ok(t.as_(&team.owner).in_org(org).get(path).send().await).await;
        assert_eq!(now["status"], "cancelled");
    }
    let path = format!("/api/leave/members/{}/ledger", team.bob_id);
    let ledger = ok(t.as_(&team.owner).in_org(org).get(path).send().await).await;
    let kinds: Vec<&str> = ledger["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["allocation", "taken", "cancellation"]);
    let path = format!("/api/leave/members/{}/profile", team.bob_id);
    let profile = ok(t.as_(&team.owner).in_org(org).get(path).send().await).await;
    assert!(profile["closed_at"].is_string(), "{profile}");
    // A manager asking for him now meets the closed profile.
    let ask = json!({"user_id": team.bob_id, "leave_type_id": team.annual, "from": day(monday(30), 0), "to": day(monday(30), 0)});
    let resp =
        t.as_(&team.owner).in_org(org).post("/api/leave/requests").idempotency_key("r-3").body_json(&ask).send().await;
    // He is still a member in this test's directory, so the closed profile is what refuses.
    assert_eq!(problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await["rule"], "profile_closed");
}

async fn an_approver_sees_only_their_members(backend: Backend) {
    let t = TestApp::new(backend).await;
    let team = team(&t).await;
    let org = &team.org;
    let dave = member(&t, org, "dave@example.com", "member").await;
    let grant = json!({"user_id": dave.id, "leave_type_id": team.annual, "from": year_span().0, "to": year_span().1, "days": "5"});
    created(&t, &team.owner, org, "/api/leave/allocations", grant, "a-9").await;
    let ask = |n: i64| json!({"leave_type_id": team.annual, "from": day(monday(11), n), "to": day(monday(11), n)});
    let bobs = created(&t, &team.bob, org, "/api/leave/requests", ask(0), "r-b").await;
    let daves = created(&t, &dave.bearer, org, "/api/leave/requests", ask(1), "r-d").await;
    // Carol's queue holds Bob's request only; Dave's is not hers to see.
    let queue = ok(t.as_(&team.carol).in_org(org).get("/api/leave/requests?approver_id=me").send().await).await;
    let ids: Vec<&Json> = queue["items"].as_array().unwrap().iter().map(|r| &r["id"]).collect();
    assert_eq!(ids, [&bobs["id"]]);
    let path = format!("/api/leave/requests/{}", daves["id"].as_str().unwrap());
    problem(t.as_(&team.carol).in_org(org).get(&path).send().await, StatusCode::NOT_FOUND).await;
    let approve = format!("{path}/approve");
    let resp = t
        .as_(&team.carol)
        .in_org(org)
        .post(&approve)
        .if_match("\"1\"")
        .idempotency_key("d-1")
        .body_json(&json!({}))
        .send()
        .await;
    problem(resp, StatusCode::NOT_FOUND).await;
    let listed = t.as_(&team.carol).in_org(org).get(format!("/api/leave/requests?user_id={}", dave.id)).send().await;
    problem(listed, StatusCode::FORBIDDEN).await;
    // Nor is another approver's queue.
    let resp = t.as_(&dave.bearer).in_org(org).get("/api/leave/requests?approver_id=somebody-else").send().await;
    problem(resp, StatusCode::FORBIDDEN).await;
    // The team calendar for Carol's members shows Bob only; for all, both.
    let (from, to) = (day(monday(11), 0), day(monday(11), 6));
    let mine = ok(t
        .as_(&team.carol)
        .in_org(org)
        .get(format!("/api/leave/calendar?from={from}&to={to}&approver_id=me"))
        .send()
        .await)
    .await;
    assert_eq!(mine["requests"].as_array().unwrap().len(), 1);
    let all =
        ok(t.as_(&team.carol).in_org(org).get(format!("/api/leave/calendar?from={from}&to={to}")).send().await).await;
    assert_eq!(all["requests"].as_array().unwrap().len(), 2);
}

async fn two_requests_that_fit_only_one_at_a_time_are_not_both_taken(backend: Backend) {
    let t = TestApp::new(backend).await;
    let team = team(&t).await;
    let (bob, org) = (&team.bob, &team.org);
    // 15 days of study leave; two requests of 10 sent at once: each fits,
    // both do not. The member's profile row serializes them.
    let study = created(&t, &team.owner, org, "/api/leave/types", json!({"name": "Study"}), "t-s").await;
    let (from, to) = year_span();
    let grant = json!({"user_id": team.bob_id, "leave_type_id": study["id"], "from": from, "to": to, "days": "15"});
    created(&t, &team.owner, org, "/api/leave/allocations", grant, "a-s").await;
    let fortnight =
        |week: u8| json!({"leave_type_id": study["id"], "from": day(monday(week), 0), "to": day(monday(week + 1), 4)});
    let ask = |key: &'static str, week: u8| {
        let t = &t;
        async move {
            let body = fortnight(week);
            t.as_(bob).in_org(org).post("/api/leave/requests").idempotency_key(key).body_json(&body).send().await
        }
    };
    let (first, second) = tokio::join!(ask("p-1", 14), ask("p-2", 30));
    let mut statuses = [first.0.status(), second.0.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::UNPROCESSABLE_ENTITY]);
    let b = balance(&t, bob, org, "me", study["id"].as_str().unwrap()).await;
    assert_eq!((b["pending"].clone(), b["available"].clone()), (json!("10"), json!("5")));
}
