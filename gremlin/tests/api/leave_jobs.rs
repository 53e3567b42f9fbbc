//! Leave's holiday calendars, team calendar, feeds, corrections and jobs
//! over HTTP, on SQLite and PostgreSQL: holidays (whole and half days,
//! typed or imported from iCalendar) shape the days a request takes; the
//! team calendar shows who is away; an `.ics` feed opens by its token (and
//! parses with a real iCalendar parser) until revoked or its owner leaves;
//! accrual, roll-over and carried days lapsing each write their entries
//! once, and balances follow.

use poem::http::StatusCode;
use serde_json::{Value as Json, json};

use crate::both_backends;
use crate::support::leave::{created, day, etag, monday, next_year, ok};
use crate::support::{Backend, KitHeaders, TestApp, create_organization, member, owner, problem, sign_up};

both_backends! {
    feeds_open_by_token_until_revoked_or_their_owner_leaves => feeds_open_by_token_until_revoked_or_their_owner_leaves,
    holidays_shape_the_days_a_request_takes => holidays_shape_the_days_a_request_takes,
    jobs_accrue_roll_over_and_lapse_once => jobs_accrue_roll_over_and_lapse_once,
}

async fn holidays_shape_the_days_a_request_takes(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (olivia, org) = owner(&t, "olivia@example.com", "acme").await;
    let bob = member(&t, &org, "bob@example.com", "member").await;
    let unpaid = created(&t, &olivia, &org, "/api/leave/types", json!({"name": "Unpaid", "paid": false}), "t-1").await;
    let m = monday(11);
    let berlin = json!({"name": "Berlin", "is_default": true, "holidays": [
        {"date": day(m, 2), "name": "Founders' Day"},
        {"date": day(m, 4), "name": "Friday afternoon off", "half": "afternoon"}
    ]});
    let berlin = created(&t, &olivia, &org, "/api/leave/calendars", berlin, "c-1").await;
    // Monday to Friday less a holiday and a half: 3.5 days.
    let ask = json!({"leave_type_id": unpaid["id"], "from": day(m, 0), "to": day(m, 4), "reason": "Private"});
    let week = created(&t, &bob.bearer, &org, "/api/leave/requests", ask, "r-1").await;
    assert_eq!(week["days"], "3.5");

    // Importing next year from a feed replaces that year's holidays.
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:{}\r\nSUMMARY:Imported\\, once\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        day(monday(12), 1).replace('-', "")
    );
    let path = format!("/api/leave/calendars/{}/import", berlin["id"].as_str().unwrap());
    let import = json!({"year": next_year(), "ics": ics});
    let resp = t
        .as_(&olivia)
        .in_org(&org)
        .post(&path)
        .if_match("\"9\"")
        .idempotency_key("i-0")
        .body_json(&import)
        .send()
        .await;
    problem(resp, StatusCode::PRECONDITION_FAILED).await;
    let bad = json!({"year": next_year(), "ics": "not a calendar"});
    let resp = t
        .as_(&olivia)
        .in_org(&org)
        .post(&path)
        .if_match(&etag(&berlin))
        .idempotency_key("i-1")
        .body_json(&bad)
        .send()
        .await;
    assert_eq!(problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "ics");
    let resp = t
        .as_(&olivia)
        .in_org(&org)
        .post(&path)
        .if_match(&etag(&berlin))
        .idempotency_key("i-2")
        .body_json(&import)
        .send()
        .await;
    let imported = ok(resp).await;
    assert_eq!(imported["holidays"], json!([{"date": day(monday(12), 1), "name": "Imported, once"}]));
    let ask = json!({"leave_type_id": unpaid["id"], "from": day(monday(12), 0), "to": day(monday(12), 1)});
    assert_eq!(created(&t, &bob.bearer, &org, "/api/leave/requests", ask, "r-2").await["days"], "1");

    // A member's own (empty) calendar replaces the default.
    let plain = created(&t, &olivia, &org, "/api/leave/calendars", json!({"name": "No holidays"}), "c-2").await;
    let profile = json!({"calendar_id": plain["id"]});
    let resp = t
        .as_(&olivia)
        .in_org(&org)
        .put(format!("/api/leave/members/{}/profile", bob.id))
        .if_match("\"0\"")
        .body_json(&profile)
        .send()
        .await;
    ok(resp).await;
    let ask = json!({"leave_type_id": unpaid["id"], "from": day(monday(13), 1), "to": day(monday(13), 1)});
    assert_eq!(created(&t, &bob.bearer, &org, "/api/leave/requests", ask, "r-3").await["days"], "1");

    // The team calendar shows who is away, without reasons, and the default holidays.
    let (from, to) = (day(monday(11), 0), day(monday(12), 6));
    let team =
        ok(t.as_(&bob.bearer).in_org(&org).get(format!("/api/leave/calendar?from={from}&to={to}")).send().await).await;
    let away: Vec<&Json> = team["requests"].as_array().unwrap().iter().collect();
    assert_eq!(away.len(), 2, "{team}");
    assert_eq!((away[0]["id"].clone(), away[0]["reason"].clone()), (week["id"].clone(), Json::Null));
    assert_eq!(team["holidays"][0]["name"], "Imported, once");

    // Members read calendars but do not make them; one holiday per date.
    let resp = t
        .as_(&bob.bearer)
        .in_org(&org)
        .post("/api/leave/calendars")
        .idempotency_key("c-3")
        .body_json(&json!({"name": "Mine"}))
        .send()
        .await;
    problem(resp, StatusCode::FORBIDDEN).await;
    let twice =
        json!({"name": "Twice", "holidays": [{"date": day(m, 0), "name": "A"}, {"date": day(m, 0), "name": "B"}]});
    let resp =
        t.as_(&olivia).in_org(&org).post("/api/leave/calendars").idempotency_key("c-4").body_json(&twice).send().await;
    problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    let list = ok(t.as_(&bob.bearer).in_org(&org).get("/api/leave/calendars").send().await).await;
    let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Berlin", "No holidays"]);
    // Another organization sees none of them.
    let (mallory, evil) = owner(&t, "mallory@example.com", "evil").await;
    let resp = t
        .as_(&mallory)
        .in_org(&evil)
        .get(format!("/api/leave/calendars/{}", berlin["id"].as_str().unwrap()))
        .send()
        .await;
    problem(resp, StatusCode::NOT_FOUND).await;
    let theirs =
        ok(t.as_(&mallory).in_org(&evil).get(format!("/api/leave/calendar?from={from}&to={to}")).send().await).await;
    assert_eq!((theirs["requests"].clone(), theirs["holidays"].clone()), (json!([]), json!([])));
}

async fn jobs_accrue_roll_over_and_lapse_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (olivia, org) = owner(&t, "olivia@example.com", "acme").await;
    let bob = member(&t, &org, "bob@example.com", "member").await;
    let y = next_year();
    let earned = json!({"name": "Earned", "accrual": {"yearly_days": "24", "rounding": "0.5"}});
    let earned = created(&t, &olivia, &org, "/api/leave/types", earned, "t-1").await;
    let annual = json!({"name": "Annual", "carry_forward_cap": "5", "carry_forward_expiry_days": 90});
    let annual = created(&t, &olivia, &org, "/api/leave/types", annual, "t-2").await;
    for (ty, days, key) in [(&earned, "0", "a-1"), (&annual, "20", "a-2")] {
        let grant = json!({"user_id": bob.id, "leave_type_id": ty["id"], "from": format!("{y}-01-01"), "to": format!("{y}-12-31"), "days": days});
        created(&t, &olivia, &org, "/api/leave/allocations", grant, key).await;
    }
    let run = |path: &'static str, body: Json, key: &'static str| {
        let (t, olivia, org) = (&t, olivia.clone(), org.clone());
        async move {
            ok(t.as_(&olivia)
                .in_org(&org)
                .post(format!("/api/leave/jobs/{path}"))
                .idempotency_key(key)
                .body_json(&body)
                .send()
                .await)
            .await
        }
    };
    // March's accrual: 24 / 12 = 2 days, once.
    let march = json!({"month": format!("{y}-03-01")});
    assert_eq!(run("accrual", march.clone(), "j-1").await, json!({"written": 1, "already": 0}));
    assert_eq!(
        run("accrual", march.clone(), "j-1").await,
        json!({"written": 1, "already": 0}),
        "a replay answers the same"
    );
    assert_eq!(run("accrual", march, "j-2").await, json!({"written": 0, "already": 1}), "a re-run writes nothing");
    let path = format!("/api/leave/members/{}/ledger?leave_type_id={}", bob.id, earned["id"].as_str().unwrap());
    let ledger = ok(t.as_(&olivia).in_org(&org).get(&path).send().await).await;
    let accrued = &ledger["items"][1];
    assert_eq!(
        (accrued["kind"].clone(), accrued["days"].clone(), accrued["on"].clone()),
        (json!("accrual"), json!("2"), json!(format!("{y}-03-01")))
    );

    // A correction: 12 days used elsewhere. Members cannot correct; zero is no correction.
    let fix = json!({"leave_type_id": annual["id"], "days": "-12", "on": format!("{y}-06-01"), "note": "Taken before Gremlin"});
    let corrections = format!("/api/leave/members/{}/corrections", bob.id);
    let resp = t.as_(&bob.bearer).in_org(&org).post(&corrections).idempotency_key("f-0").body_json(&fix).send().await;
    problem(resp, StatusCode::FORBIDDEN).await;
    let zero = json!({"leave_type_id": annual["id"], "days": "0", "on": format!("{y}-06-01"), "note": "x"});
    let resp = t.as_(&olivia).in_org(&org).post(&corrections).idempotency_key("f-1").body_json(&zero).send().await;
    problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    created(&t, &olivia, &org, &corrections, fix, "f-2").await;

    // Year end: 8 annual days unused; all lapse, 5 come back carried
    // (lapsing 90 days on). The 2 earned days lapse too (no carry-forward).
    let end = json!({"period_end": format!("{y}-12-31")});
    assert_eq!(run("rollover", end.clone(), "j-3").await, json!({"written": 3, "already": 0}));
    assert_eq!(run("rollover", end, "j-4").await, json!({"written": 0, "already": 3}));
    let balance = |at: String| {
        let (t, olivia, org, user, ty) = (&t, olivia.clone(), org.clone(), bob.id.clone(), annual["id"].clone());
        async move {
            let all = ok(t
                .as_(&olivia)
                .in_org(&org)
                .get(format!("/api/leave/members/{user}/balances?as_of={at}"))
                .send()
                .await)
            .await;
            all["items"].as_array().unwrap().iter().find(|b| b["leave_type_id"] == ty).unwrap().clone()
        }
    };
    let january = balance(format!("{}-01-10", y + 1)).await;
    assert_eq!((january["available"].clone(), january["expiring_soon"].clone()), (json!("5"), json!("0")));
    let march = balance(format!("{}-03-15", y + 1)).await;
    assert_eq!(march["expiring_soon"], "5");
    // Past their date the carried days are gone, before and after the job records it.
    let april = balance(format!("{}-04-05", y + 1)).await;
    assert_eq!((april["available"].clone(), april["expired"].clone()), (json!("0"), json!("13")));
    let lapse = json!({"as_of": format!("{}-04-05", y + 1)});
    assert_eq!(run("carry-expiry", lapse.clone(), "j-5").await, json!({"written": 1, "already": 0}));
    assert_eq!(run("carry-expiry", lapse, "j-6").await, json!({"written": 0, "already": 1}));
    assert_eq!(balance(format!("{}-04-05", y + 1)).await, april);
    // Jobs are for managers.
    let resp = t
        .as_(&bob.bearer)
        .in_org(&org)
        .post("/api/leave/jobs/accrual")
        .idempotency_key("j-7")
        .body_json(&json!({"month": format!("{y}-04-01")}))
        .send()
        .await;
    problem(resp, StatusCode::FORBIDDEN).await;
}

/// Every event of an iCalendar text, read by the `icalendar` crate: its
/// summary and first day.
fn parsed_events(text: &str) -> Vec<(String, String)> {
    let calendar: icalendar::Calendar = text.parse().expect("the feed parses as iCalendar");
    calendar
        .components
        .iter()
        .filter_map(|c| match c {
            icalendar::CalendarComponent::Event(e) => {
                use icalendar::Component;
                let start = match e.get_start()? {
                    icalendar::DatePerhapsTime::Date(d) => d.to_string(),
                    other => format!("{other:?}"),
                };
                Some((e.get_summary()?.to_owned(), start))
            }
            _ => None,
        })
        .collect()
}

async fn feeds_open_by_token_until_revoked_or_their_owner_leaves(backend: Backend) {
    let t = TestApp::new(backend).await;
    let olivia = sign_up(&t, "olivia@example.com", "Olivia").await;
    let org = create_organization(&t, &olivia.bearer, "Acme", "acme").await["id"].as_str().unwrap().to_owned();
    let bob = member(&t, &org, "bob@example.com", "member").await;
    let unpaid =
        created(&t, &olivia.bearer, &org, "/api/leave/types", json!({"name": "Unpaid", "paid": false}), "t-1").await;
    let ask = json!({"leave_type_id": unpaid["id"], "from": day(monday(11), 0), "to": day(monday(11), 1), "starts": "afternoon"});
    created(&t, &bob.bearer, &org, "/api/leave/requests", ask, "r-1").await;

    let feed = created(&t, &bob.bearer, &org, "/api/leave/feeds", json!({"scope": "member"}), "f-1").await;
    let path = feed["path"].as_str().unwrap().to_owned();
    // Calendar apps send nothing but the URL.
    let resp = t.client().get(&path).send().await;
    resp.assert_status_is_ok();
    resp.assert_header("content-type", "text/calendar; charset=utf-8");
    let text = resp.0.into_body().into_string().await.unwrap();
    let events = parsed_events(&text);
    assert_eq!(events.len(), 1, "{text}");
    assert!(events[0].0.starts_with("On leave: Unpaid (from the afternoon of"), "{events:?}");
    assert_eq!(events[0].1, day(monday(11), 0));
    // The organization's feed shows everyone who is away.
    let team = created(&t, &olivia.bearer, &org, "/api/leave/feeds", json!({"scope": "organization"}), "f-2").await;
    let text = t.client().get(team["path"].as_str().unwrap()).send().await.0.into_body().into_string().await.unwrap();
    assert_eq!(parsed_events(&text).len(), 1);
    assert!(parsed_events(&text)[0].0.starts_with(&format!("{} on leave", bob.id)));
    // A wrong token is not found; no token is unauthenticated.
    problem(
        t.client().get(format!("/api/leave/feed.ics?token={}", "0".repeat(64))).send().await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(t.client().get("/api/leave/feed.ics").send().await, StatusCode::UNAUTHORIZED).await;
    // Listing shows no token; a replayed create answers without it.
    let mine = ok(t.as_(&bob.bearer).in_org(&org).get("/api/leave/feeds").send().await).await;
    assert!(mine["items"][0].get("token").is_none());
    let replay = created(&t, &bob.bearer, &org, "/api/leave/feeds", json!({"scope": "member"}), "f-1").await;
    assert_eq!((replay["id"].clone(), replay["token"].clone()), (feed["id"].clone(), json!("")));
    // Revoked, it is gone; nobody else revokes it.
    let revoke = format!("/api/leave/feeds/{}", feed["id"].as_str().unwrap());
    let (mallory, evil) = owner(&t, "mallory@example.com", "evil").await;
    problem(t.as_(&mallory).in_org(&evil).delete(&revoke).if_match("\"1\"").send().await, StatusCode::NOT_FOUND).await;
    let revoked = ok(t.as_(&bob.bearer).in_org(&org).delete(&revoke).if_match("\"1\"").send().await).await;
    assert!(revoked["revoked_at"].is_string());
    problem(t.client().get(&path).send().await, StatusCode::NOT_FOUND).await;
    // A feed of a member who leaves stops working at once.
    let again = created(&t, &bob.bearer, &org, "/api/leave/feeds", json!({"scope": "member"}), "f-3").await;
    t.client().get(again["path"].as_str().unwrap()).send().await.assert_status_is_ok();
    let remove = json!({"memberIdOrEmail": "bob@example.com", "organizationId": org});
    t.as_(&olivia.bearer)
        .post("/api/auth/organization/remove-member")
        .body_json(&remove)
        .send()
        .await
        .assert_status_is_ok();
    problem(t.client().get(again["path"].as_str().unwrap()).send().await, StatusCode::NOT_FOUND).await;
}
