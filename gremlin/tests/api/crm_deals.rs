//! CRM deals and pipelines over HTTP, on SQLite and PostgreSQL: the default
//! pipeline, stages deciding status, probability and close date, board
//! moves (concurrent ones too), pipeline revisions that move deals, who may
//! do what and tenant isolation.

use futures_util::future::join_all;
use gremlin_kernel::sql::statement;
use poem::http::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value as Json, json};

use crate::both_backends;
use crate::support::{Backend, KitHeaders, TestApp, json, member, owner, problem};

both_backends! {
    the_default_pipeline_is_made_once_and_deals_start_in_it => the_default_pipeline_is_made_once_and_deals_start_in_it,
    deals_move_through_stages_and_close => deals_move_through_stages_and_close,
    board_moves_order_a_column_and_concurrent_moves_lose_nothing => board_moves_order_a_column_and_concurrent_moves_lose_nothing,
    revisions_move_the_deals_of_removed_and_rekinded_stages => revisions_move_the_deals_of_removed_and_rekinded_stages,
    deals_and_pipelines_stay_in_their_organization => deals_and_pipelines_stay_in_their_organization,
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

async fn default_pipeline(t: &TestApp, auth: &str) -> Json {
    let all = ok(t.as_(auth).get("/api/crm/pipelines").send().await).await;
    all["items"][0].clone()
}

/// The id of the stage named `name` in `pipeline`.
fn stage(pipeline: &Json, name: &str) -> String {
    let stages = pipeline["stages"].as_array().unwrap();
    stages.iter().find(|s| s["name"] == name).unwrap()["id"].as_str().unwrap().to_owned()
}

async fn create_deal(t: &TestApp, auth: &str, body: Json, key: &str) -> Json {
    let resp = t.as_(auth).post("/api/crm/deals").idempotency_key(key).body_json(&body).send().await;
    resp.assert_status(StatusCode::CREATED);
    json(resp).await
}

async fn patch(t: &TestApp, auth: &str, deal: &Json, body: Json) -> poem::test::TestResponse {
    t.as_(auth).patch(format!("/api/crm/deals/{}", id(deal))).if_match(&etag(deal)).body_json(&body).send().await
}

async fn move_deal(t: &TestApp, auth: &str, deal: &Json, body: Json, key: &str) -> poem::test::TestResponse {
    let path = format!("/api/crm/deals/{}/move", id(deal));
    t.as_(auth).post(path).if_match(&etag(deal)).idempotency_key(key).body_json(&body).send().await
}

/// The event types recorded for deal `deal`, oldest first.
async fn deal_events(t: &TestApp, deal: &str) -> Vec<(String, Json)> {
    let db = &t.app.adapters.db;
    let sql = "SELECT envelope FROM outbox WHERE event_type LIKE 'crm.deal.%' ORDER BY seq";
    let rows = db.query_all_raw(statement(db.get_database_backend(), sql, vec![])).await.unwrap();
    rows.iter()
        .map(|r| serde_json::from_str::<Json>(&r.try_get::<String>("", "envelope").unwrap()).unwrap())
        .filter(|e| e["subject"] == deal)
        .map(|e| (e["type"].as_str().unwrap().to_owned(), e["data"].clone()))
        .collect()
}

/// The ids of `stage`'s column, top first.
async fn column(t: &TestApp, auth: &str, stage: &str) -> Vec<String> {
    let url = format!("/api/crm/deals?stage_id={stage}&sort=position&direction=asc&limit=200");
    let page = ok(t.as_(auth).get(url).send().await).await;
    page["items"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_owned()).collect()
}

async fn the_default_pipeline_is_made_once_and_deals_start_in_it(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    // Two first uses at once make one default pipeline.
    let a = t.as_(&alice);
    let lists = join_all((0..3).map(|_| a.get("/api/crm/pipelines").send())).await;
    for list in lists {
        assert_eq!(json(list).await["items"].as_array().unwrap().len(), 1);
    }
    let pipeline = default_pipeline(&t, &alice).await;
    assert_eq!((pipeline["name"].clone(), pipeline["is_default"].clone()), (json!("Sales"), json!(true)));
    let kinds: Vec<&str> = pipeline["stages"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["open", "open", "open", "open", "won", "lost"]);

    let deal = create_deal(
        &t,
        &alice,
        json!({"name": "Fleet renewal", "amount": {"amount": "25000", "currency": "EUR"}}),
        "d-1",
    )
    .await;
    assert_eq!(deal["pipeline_id"], pipeline["id"]);
    assert_eq!(deal["stage_id"], json!(stage(&pipeline, "Qualification")));
    assert_eq!((deal["probability"].clone(), deal["status"].clone()), (json!(10), json!("open")));
    assert_eq!(deal["owner_id"], deal["created_by"]);
    // Created straight into a won stage: closed today, 100 %, and `won`.
    let won = json!({"name": "Done deal", "stage_id": stage(&pipeline, "Closed won"), "probability": 20});
    let won = create_deal(&t, &alice, won, "d-2").await;
    assert_eq!((won["status"].clone(), won["probability"].clone()), (json!("won"), json!(100)));
    assert_eq!(won["closed_on"], json!(time::OffsetDateTime::now_utc().date().to_string()));
    let types: Vec<String> = deal_events(&t, id(&won)).await.into_iter().map(|(t, _)| t).collect();
    assert_eq!(types, ["crm.deal.created", "crm.deal.won"]);
    // A stage and a pipeline that disagree, or unknown ones, are refused.
    let other = json!({"name": "X", "pipeline_id": uuid::Uuid::now_v7()});
    let resp = t.as_(&alice).post("/api/crm/deals").idempotency_key("d-3").body_json(&other).send().await;
    assert_eq!(problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "pipeline_id");
    let other = json!({"name": "X", "stage_id": uuid::Uuid::now_v7()});
    let resp = t.as_(&alice).post("/api/crm/deals").idempotency_key("d-4").body_json(&other).send().await;
    assert_eq!(problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "stage_id");
}

async fn deals_move_through_stages_and_close(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let pipeline = default_pipeline(&t, &alice).await;
    let deal = create_deal(&t, &alice, json!({"name": "Big one"}), "d-1").await;

    let proposal = ok(patch(&t, &alice, &deal, json!({"stage_id": stage(&pipeline, "Proposal")})).await).await;
    assert_eq!((proposal["probability"].clone(), proposal["version"].clone()), (json!(40), json!(2)));
    let likelier = ok(patch(&t, &alice, &proposal, json!({"probability": 55})).await).await;
    assert_eq!(likelier["probability"], 55);
    let reasoned = patch(&t, &alice, &likelier, json!({"lost_reason": "too early"})).await;
    assert_eq!(problem(reasoned, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "lost_reason");

    let won = ok(patch(&t, &alice, &likelier, json!({"stage_id": stage(&pipeline, "Closed won")})).await).await;
    assert_eq!((won["status"].clone(), won["probability"].clone()), (json!("won"), json!(100)));
    assert!(won["closed_on"].is_string());
    let sure = patch(&t, &alice, &won, json!({"probability": 90})).await;
    problem(sure, StatusCode::UNPROCESSABLE_ENTITY).await;
    let lost = json!({"stage_id": stage(&pipeline, "Closed lost"), "lost_reason": "Budget cut"});
    let lost = ok(patch(&t, &alice, &won, lost).await).await;
    assert_eq!((lost["status"].clone(), lost["lost_reason"].clone()), (json!("lost"), json!("Budget cut")));
    let reopened =
        ok(move_deal(&t, &alice, &lost, json!({"stage_id": stage(&pipeline, "Meeting")}), "m-1").await).await;
    assert_eq!(
        (reopened["status"].clone(), reopened["closed_on"].clone(), reopened["lost_reason"].clone()),
        (json!("open"), Json::Null, Json::Null)
    );
    assert_eq!(reopened["probability"], 20);

    let events = deal_events(&t, id(&deal)).await;
    let types: Vec<&str> = events.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "crm.deal.created",
            "crm.deal.updated",
            "crm.deal.stage_changed",
            "crm.deal.updated",
            "crm.deal.updated",
            "crm.deal.stage_changed",
            "crm.deal.won",
            "crm.deal.updated",
            "crm.deal.stage_changed",
            "crm.deal.lost",
            "crm.deal.updated",
            "crm.deal.stage_changed",
        ]
    );
    let (_, lost_event) = &events[9];
    assert_eq!(
        (lost_event["lost_reason"].clone(), lost_event["stage_name"].clone()),
        (json!("Budget cut"), json!("Closed lost"))
    );
    // The timeline names both stages of every move.
    let db = &t.app.adapters.db;
    let sql =
        "SELECT data FROM crm_timeline WHERE record_id = $1 AND kind = 'stage_changed' ORDER BY occurred_at_us, id";
    let rows = db.query_all_raw(statement(db.get_database_backend(), sql, vec![id(&deal).into()])).await.unwrap();
    let moves: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            let data: Json = serde_json::from_str(&r.try_get::<String>("", "data").unwrap()).unwrap();
            (data["from_stage"].as_str().unwrap().to_owned(), data["to_stage"].as_str().unwrap().to_owned())
        })
        .collect();
    let expected = [
        ("Qualification", "Proposal"),
        ("Proposal", "Closed won"),
        ("Closed won", "Closed lost"),
        ("Closed lost", "Meeting"),
    ];
    assert_eq!(moves, expected.map(|(a, b)| (a.to_owned(), b.to_owned())));
}

async fn board_moves_order_a_column_and_concurrent_moves_lose_nothing(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let pipeline = default_pipeline(&t, &alice).await;
    let first = stage(&pipeline, "Qualification");
    let mut deals = Vec::new();
    for i in 0..5 {
        deals.push(create_deal(&t, &alice, json!({"name": format!("Deal {i}")}), &format!("d-{i}")).await);
    }
    let ids: Vec<String> = deals.iter().map(|d| id(d).to_owned()).collect();
    assert_eq!(column(&t, &alice, &first).await, ids, "new deals go to the bottom");
    // The last to the top, the first after the third.
    let top = ok(move_deal(&t, &alice, &deals[4], json!({"stage_id": first}), "m-1").await).await;
    ok(move_deal(&t, &alice, &deals[0], json!({"stage_id": first, "after_deal_id": ids[2]}), "m-2").await).await;
    let order = [&ids[4], &ids[1], &ids[2], &ids[0], &ids[3]].map(|s| s.to_owned());
    assert_eq!(column(&t, &alice, &first).await, order);
    // A stale version, or a neighbour from another column, is refused.
    problem(move_deal(&t, &alice, &deals[4], json!({"stage_id": first}), "m-3").await, StatusCode::PRECONDITION_FAILED)
        .await;
    let elsewhere = json!({"stage_id": stage(&pipeline, "Meeting"), "after_deal_id": ids[1]});
    let resp = move_deal(&t, &alice, &top, elsewhere, "m-4").await;
    assert_eq!(problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "after_deal_id");

    // Squeezing many deals into one gap renumbers the column and keeps the order.
    let mut current: Vec<Json> = Vec::new();
    for d in &deals {
        current.push(ok(t.as_(&alice).get(format!("/api/crm/deals/{}", id(d))).send().await).await);
    }
    let mut extra = Vec::new();
    for i in 0..14 {
        let deal = create_deal(&t, &alice, json!({"name": format!("Squeezed {i}")}), &format!("s-{i}")).await;
        let placed = json!({"stage_id": first, "after_deal_id": ids[4]});
        ok(move_deal(&t, &alice, &deal, placed, &format!("sm-{i}")).await).await;
        extra.push(id(&deal).to_owned());
    }
    let mut expected = vec![ids[4].clone()];
    expected.extend(extra.iter().rev().cloned());
    expected.extend([&ids[1], &ids[2], &ids[0], &ids[3]].map(|s| s.to_owned()));
    assert_eq!(column(&t, &alice, &first).await, expected);

    // Ten deals moved to the top of another column at once: all arrive, each once.
    let meeting = stage(&pipeline, "Meeting");
    let mut movers = Vec::new();
    for i in 0..10 {
        movers.push(create_deal(&t, &alice, json!({"name": format!("Mover {i}")}), &format!("c-{i}")).await);
    }
    let moves = movers.iter().enumerate().map(|(i, d)| {
        let body = json!({"stage_id": meeting});
        let path = format!("/api/crm/deals/{}/move", id(d));
        let key = format!("cm-{i}");
        let auth = alice.clone();
        let t = &t;
        async move { t.as_(&auth).post(path).if_match(&etag(d)).idempotency_key(&key).body_json(&body).send().await }
    });
    for resp in join_all(moves).await {
        resp.assert_status_is_ok();
    }
    let mut arrived = column(&t, &alice, &meeting).await;
    arrived.sort();
    let mut sent: Vec<String> = movers.iter().map(|d| id(d).to_owned()).collect();
    sent.sort();
    assert_eq!(arrived, sent);
}

async fn revisions_move_the_deals_of_removed_and_rekinded_stages(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, acme_id) = owner(&t, "alice@example.com", "acme").await;
    let bob = member(&t, &acme_id, "bob@example.com", "member").await;
    let body = json!({"name": "Renewals", "stages": [
        {"name": "Due", "probability": 30, "kind": "open"},
        {"name": "Quoted", "probability": 60, "kind": "open"},
        {"name": "Renewed", "kind": "won"}
    ]});
    let as_bob = t.as_(&bob.bearer).in_org(&acme_id);
    let resp = as_bob.post("/api/crm/pipelines").idempotency_key("p-0").body_json(&body).send().await;
    problem(resp, StatusCode::FORBIDDEN).await;
    let resp = t.as_(&alice).post("/api/crm/pipelines").idempotency_key("p-1").body_json(&body).send().await;
    resp.assert_status(StatusCode::CREATED);
    let pipeline = json(resp).await;
    let probabilities: Vec<i64> =
        pipeline["stages"].as_array().unwrap().iter().map(|s| s["probability"].as_i64().unwrap()).collect();
    assert_eq!(probabilities, [30, 60, 100]);
    let due = stage(&pipeline, "Due");
    let quoted = stage(&pipeline, "Quoted");
    let deal = create_deal(&t, &alice, json!({"name": "Renew A", "pipeline_id": pipeline["id"]}), "d-1").await;
    assert_eq!(deal["stage_id"], json!(due));
    let quoted_deal = create_deal(&t, &alice, json!({"name": "Renew B", "stage_id": quoted}), "d-2").await;

    // Removing "Due", which holds a deal, needs a destination.
    let path = format!("/api/crm/pipelines/{}", id(&pipeline));
    let without_due = json!({"name": "Renewals", "stages": [
        {"id": quoted, "name": "Quoted", "probability": 60, "kind": "open"},
        {"id": stage(&pipeline, "Renewed"), "name": "Renewed", "kind": "won"}
    ]});
    let refused = t.as_(&alice).put(&path).if_match(&etag(&pipeline)).body_json(&without_due).send().await;
    let refused = problem(refused, StatusCode::CONFLICT).await;
    assert!(refused["detail"].as_str().unwrap().contains("`Due` holds 1 deal"), "{refused}");
    let as_bob_put = as_bob.put(&path).if_match(&etag(&pipeline)).body_json(&without_due).send().await;
    problem(as_bob_put, StatusCode::FORBIDDEN).await;
    let mut moving = without_due.clone();
    moving["move_deals"] = json!([{"from": due, "to": quoted}]);
    let revised = ok(t.as_(&alice).put(&path).if_match(&etag(&pipeline)).body_json(&moving).send().await).await;
    assert_eq!((revised["version"].clone(), revised["stages"].as_array().unwrap().len()), (json!(2), 2));
    let moved = ok(t.as_(&alice).get(format!("/api/crm/deals/{}", id(&deal))).send().await).await;
    assert_eq!((moved["stage_id"].clone(), moved["probability"].clone()), (json!(quoted), json!(60)));
    assert!(deal_events(&t, id(&deal)).await.iter().any(|(t, _)| t == "crm.deal.stage_changed"));

    // "Quoted" becomes a won stage: its deals are won.
    let rekinded = json!({"name": "Renewals", "stages": [
        {"name": "Due again", "probability": 25, "kind": "open"},
        {"id": quoted, "name": "Quoted", "kind": "won"}
    ], "move_deals": [{"from": stage(&pipeline, "Renewed"), "to": quoted}]});
    let revised = ok(t.as_(&alice).put(&path).if_match(&etag(&revised)).body_json(&rekinded).send().await).await;
    for d in [&deal, &quoted_deal] {
        let now = ok(t.as_(&alice).get(format!("/api/crm/deals/{}", id(d))).send().await).await;
        assert_eq!((now["status"].clone(), now["probability"].clone()), (json!("won"), json!(100)), "{now}");
        assert!(deal_events(&t, id(d)).await.iter().any(|(t, _)| t == "crm.deal.won"));
    }

    // A pipeline with deals (even in the trash) stays; an empty one goes; the default stays.
    problem(t.as_(&alice).delete(&path).if_match(&etag(&revised)).send().await, StatusCode::CONFLICT).await;
    for d in [&deal, &quoted_deal] {
        let now = ok(t.as_(&alice).get(format!("/api/crm/deals/{}", id(d))).send().await).await;
        let to_default = json!({"stage_id": stage(&default_pipeline(&t, &alice).await, "Meeting")});
        ok(patch(&t, &alice, &now, to_default).await).await;
    }
    let gone = t.as_(&alice).delete(&path).if_match(&etag(&revised)).send().await;
    gone.assert_status(StatusCode::NO_CONTENT);
    problem(t.as_(&alice).get(&path).send().await, StatusCode::NOT_FOUND).await;
    let default = default_pipeline(&t, &alice).await;
    let resp =
        t.as_(&alice).delete(format!("/api/crm/pipelines/{}", id(&default))).if_match(&etag(&default)).send().await;
    problem(resp, StatusCode::CONFLICT).await;
}

async fn deals_and_pipelines_stay_in_their_organization(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let (mallory, _) = owner(&t, "mallory@example.com", "evil").await;
    let pipeline = default_pipeline(&t, &alice).await;
    let a = t.as_(&alice);
    let company =
        json(a.post("/api/crm/companies").idempotency_key("c").body_json(&json!({"name": "Acme"})).send().await).await;
    let deal = create_deal(&t, &alice, json!({"name": "Secret deal", "company_id": company["id"]}), "d-1").await;
    let m = t.as_(&mallory);
    let deal_path = format!("/api/crm/deals/{}", id(&deal));
    let pipeline_path = format!("/api/crm/pipelines/{}", id(&pipeline));
    let e = etag(&deal);
    let calls = [
        m.get(&deal_path),
        m.patch(&deal_path).if_match(&e).body_json(&json!({"name": "mine"})),
        m.delete(&deal_path).if_match(&e),
        m.post(format!("{deal_path}/restore")).if_match(&e).idempotency_key("m-1"),
        m.get(&pipeline_path),
        m.put(&pipeline_path)
            .if_match(&etag(&pipeline))
            .body_json(&json!({"name": "x", "stages": [{"name": "a", "kind": "open"}]})),
        m.delete(&pipeline_path).if_match(&etag(&pipeline)),
    ];
    for call in calls {
        let body = problem(call.send().await, StatusCode::NOT_FOUND).await;
        assert!(!body.to_string().contains("Secret"), "{body}");
    }
    // Mallory's own stage, moving Alice's deal: still not found.
    let evil_stage = stage(&default_pipeline(&t, &mallory).await, "Meeting");
    let resp = m
        .post(format!("{deal_path}/move"))
        .if_match(&e)
        .idempotency_key("m-2")
        .body_json(&json!({"stage_id": evil_stage}));
    problem(resp.send().await, StatusCode::NOT_FOUND).await;
    // Acme's stage, company or contact cannot be named from Evil.
    for (body, field) in [
        (json!({"name": "x", "stage_id": stage(&pipeline, "Meeting")}), "stage_id"),
        (json!({"name": "x", "company_id": company["id"]}), "company_id"),
        (json!({"name": "x", "pipeline_id": pipeline["id"]}), "pipeline_id"),
    ] {
        let resp = m.post("/api/crm/deals").idempotency_key(field).body_json(&body).send().await;
        assert_eq!(problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], field);
    }
    assert_eq!(ok(m.get("/api/crm/deals").send().await).await["items"], json!([]));
    let evil_pipelines = ok(m.get("/api/crm/pipelines").send().await).await;
    assert_eq!(evil_pipelines["items"].as_array().unwrap().len(), 1);
    assert_ne!(evil_pipelines["items"][0]["id"], pipeline["id"]);
    problem(t.client().get("/api/crm/deals").send().await, StatusCode::UNAUTHORIZED).await;
    problem(t.client().get("/api/crm/pipelines").send().await, StatusCode::UNAUTHORIZED).await;
}
