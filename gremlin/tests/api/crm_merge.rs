//! CRM merges and forecasts over HTTP, on SQLite and PostgreSQL: a
//! duplicate folded into its survivor with the fields the caller takes and
//! everything that pointed at it; a merge racing an update; who may merge;
//! a pipeline's forecast per stage, month and currency.

use futures_util::future::join;
use poem::http::StatusCode;
use serde_json::{Value as Json, json};

use crate::both_backends;
use crate::support::{Backend, KitHeaders, TestApp, json, member, owner, problem};

both_backends! {
    a_merge_takes_the_chosen_fields_and_everything_pointing_at_the_duplicate => a_merge_takes_the_chosen_fields_and_everything_pointing_at_the_duplicate,
    a_merge_racing_an_update_leaves_one_consistent_outcome => a_merge_racing_an_update_leaves_one_consistent_outcome,
    a_forecast_weighs_open_deals_by_stage_and_month => a_forecast_weighs_open_deals_by_stage_and_month,
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
    let url = format!("/api/crm/{path}?allow_duplicate=true");
    let resp = t.as_(auth).post(url).idempotency_key(key).body_json(&body).send().await;
    resp.assert_status(StatusCode::CREATED);
    json(resp).await
}

async fn get(t: &TestApp, auth: &str, path: &str) -> Json {
    ok(t.as_(auth).get(path).send().await).await
}

async fn a_merge_takes_the_chosen_fields_and_everything_pointing_at_the_duplicate(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, acme_id) = owner(&t, "alice@example.com", "acme").await;
    let bob = member(&t, &acme_id, "bob@example.com", "member").await;
    let (mallory, _) = owner(&t, "mallory@example.com", "evil").await;
    let survivor = created(&t, &alice, "companies", json!({"name": "Acme Corp", "tags": ["vip"]}), "c-1").await;
    let duplicate = created(
        &t,
        &alice,
        "companies",
        json!({"name": "ACME", "domain": "acme.com", "employees": 45, "tags": ["partner"]}),
        "c-2",
    )
    .await;
    let person =
        created(&t, &alice, "people", json!({"first_name": "Ada", "company_id": duplicate["id"]}), "p-1").await;
    let deal = created(&t, &alice, "deals", json!({"name": "Fleet", "company_id": duplicate["id"]}), "d-1").await;
    let note = json!({"kind": "note", "record_kind": "company", "record_id": duplicate["id"], "body": "Met them"});
    created(&t, &alice, "activities", note, "n-1").await;

    let path = format!("/api/crm/companies/{}/merge", id(&survivor));
    let body =
        json!({"merge_id": duplicate["id"], "merge_version": duplicate["version"], "take": ["domain", "employees"]});
    // Members may not merge; another organization cannot; unknown fields are named.
    let as_bob = t.as_(&bob.bearer).in_org(&acme_id);
    problem(
        as_bob.post(&path).if_match(&etag(&survivor)).idempotency_key("m-0").body_json(&body).send().await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        t.as_(&mallory).post(&path).if_match(&etag(&survivor)).idempotency_key("m-0").body_json(&body).send().await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let mut colour = body.clone();
    colour["take"] = json!(["colour"]);
    let resp =
        t.as_(&alice).post(&path).if_match(&etag(&survivor)).idempotency_key("m-1").body_json(&colour).send().await;
    assert_eq!(problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "take[0]");
    let mut itself = body.clone();
    itself["merge_id"] = survivor["id"].clone();
    let resp =
        t.as_(&alice).post(&path).if_match(&etag(&survivor)).idempotency_key("m-2").body_json(&itself).send().await;
    problem(resp, StatusCode::UNPROCESSABLE_ENTITY).await;

    let merged =
        ok(t.as_(&alice).post(&path).if_match(&etag(&survivor)).idempotency_key("m-3").body_json(&body).send().await)
            .await;
    assert_eq!(
        (merged["name"].clone(), merged["domain"].clone(), merged["employees"].clone()),
        (json!("Acme Corp"), json!("acme.com"), json!(45))
    );
    assert_eq!(merged["tags"], json!(["vip", "partner"]));
    // The duplicate is in the trash; its person, deal, note and timeline are the survivor's.
    let gone = get(&t, &alice, &format!("/api/crm/companies/{}", id(&duplicate))).await;
    assert!(gone["deleted_at"].is_string());
    assert_eq!(get(&t, &alice, &format!("/api/crm/people/{}", id(&person))).await["company_id"], survivor["id"]);
    assert_eq!(get(&t, &alice, &format!("/api/crm/deals/{}", id(&deal))).await["company_id"], survivor["id"]);
    let timeline = get(&t, &alice, &format!("/api/crm/companies/{}/timeline", id(&survivor))).await;
    let kinds: Vec<&str> = timeline["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "created").count(), 2, "both records' histories: {kinds:?}");
    assert!(kinds.contains(&"note") && kinds[0] == "merged", "{kinds:?}");
    assert_eq!(timeline["items"][0]["data"]["taken"], json!(["domain", "employees"]));
    // A repeat under the key answers the merge; a new merge of the deleted duplicate is refused.
    let again =
        t.as_(&alice).post(&path).if_match(&etag(&survivor)).idempotency_key("m-3").body_json(&body).send().await;
    assert_eq!(ok(again).await["version"], merged["version"]);
    let mut stale = body.clone();
    stale["merge_version"] = gone["version"].clone();
    let resp = t.as_(&alice).post(&path).if_match(&etag(&merged)).idempotency_key("m-4").body_json(&stale).send().await;
    problem(resp, StatusCode::CONFLICT).await;

    // People merge the same way; their deals follow.
    let ada =
        created(&t, &alice, "people", json!({"first_name": "Ada", "emails": [{"address": "ada@x.io"}]}), "p-2").await;
    let ada2 =
        created(&t, &alice, "people", json!({"first_name": "Ada", "last_name": "L", "phones": ["+1 555 0100"]}), "p-3")
            .await;
    let contact_deal = created(&t, &alice, "deals", json!({"name": "Pens", "contact_id": ada2["id"]}), "d-2").await;
    let merge = json!({"merge_id": ada2["id"], "merge_version": ada2["version"], "take": ["last_name", "phones"]});
    let url = format!("/api/crm/people/{}/merge", id(&ada));
    let ada =
        ok(t.as_(&alice).post(&url).if_match(&etag(&ada)).idempotency_key("m-5").body_json(&merge).send().await).await;
    assert_eq!((ada["last_name"].clone(), ada["phones"].clone()), (json!("L"), json!(["+1 555 0100"])));
    assert_eq!(ada["emails"][0]["address"], "ada@x.io");
    assert_eq!(get(&t, &alice, &format!("/api/crm/deals/{}", id(&contact_deal))).await["contact_id"], ada["id"]);
}

async fn a_merge_racing_an_update_leaves_one_consistent_outcome(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    for round in 0..4 {
        let survivor =
            created(&t, &alice, "companies", json!({"name": format!("Keep {round}")}), &format!("k-{round}")).await;
        let duplicate =
            created(&t, &alice, "companies", json!({"name": format!("Dup {round}")}), &format!("d-{round}")).await;
        let merge = json!({"merge_id": duplicate["id"], "merge_version": duplicate["version"], "take": ["name"]});
        let a = t.as_(&alice);
        let merging = a
            .post(format!("/api/crm/companies/{}/merge", id(&survivor)))
            .if_match(&etag(&survivor))
            .idempotency_key(&format!("m-{round}"))
            .body_json(&merge)
            .send();
        let updating = a
            .patch(format!("/api/crm/companies/{}", id(&duplicate)))
            .if_match(&etag(&duplicate))
            .body_json(&json!({"name": format!("Renamed {round}")}))
            .send();
        let (merged, updated) = join(merging, updating).await;
        let (merged, updated) = (merged.0.status(), updated.0.status());
        let keep = get(&t, &alice, &format!("/api/crm/companies/{}", id(&survivor))).await;
        let dup = get(&t, &alice, &format!("/api/crm/companies/{}", id(&duplicate))).await;
        match (merged.is_success(), updated.is_success()) {
            // The merge won: the update found the duplicate deleted or changed.
            (true, false) => {
                assert!(dup["deleted_at"].is_string(), "round {round}");
                assert_eq!(keep["name"], format!("Dup {round}"));
            }
            // The update won: the merge found the duplicate at another version.
            (false, true) => {
                assert_eq!((merged.as_u16(), dup["name"].clone()), (409, json!(format!("Renamed {round}"))));
                assert_eq!(
                    (dup["deleted_at"].clone(), keep["name"].clone()),
                    (Json::Null, json!(format!("Keep {round}")))
                );
            }
            other => panic!("round {round}: both or neither landed: {other:?} ({merged}, {updated})"),
        }
    }
}

async fn a_forecast_weighs_open_deals_by_stage_and_month(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let (mallory, _) = owner(&t, "mallory@example.com", "evil").await;
    let pipelines = get(&t, &alice, "/api/crm/pipelines").await;
    let pipeline = &pipelines["items"][0];
    let stage = |i: usize| pipeline["stages"][i]["id"].clone();
    let today = time::OffsetDateTime::now_utc().date();
    for (i, (stage_index, amount, currency, close)) in [
        (0, "1000", "EUR", Some("2030-01-15")),
        (3, "500.50", "EUR", Some("2030-01-31")),
        (3, "200", "USD", None),
        (4, "300", "EUR", None),
        (5, "50", "EUR", None),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = json!({"name": format!("Deal {i}"), "stage_id": stage(stage_index), "amount": {"amount": amount, "currency": currency}});
        if let Some(close) = close {
            body["expected_close_on"] = json!(close);
        }
        created(&t, &alice, "deals", body, &format!("d-{i}")).await;
    }
    let url = format!("/api/crm/pipelines/{}/forecast", pipeline["id"].as_str().unwrap());
    let f = get(&t, &alice, &url).await;
    assert_eq!(f["stages"].as_array().unwrap().len(), 4, "open stages only");
    assert_eq!(f["stages"][0]["totals"], json!([{"currency": "EUR", "deals": 1, "amount": "1000", "weighted": "100"}]));
    let negotiation = &f["stages"][3]["totals"];
    assert_eq!(
        (negotiation[0]["currency"].clone(), negotiation[0]["weighted"].clone()),
        (json!("EUR"), json!("300.3"))
    );
    assert_eq!(negotiation[1]["amount"], "200");
    let january = f["months"].as_array().unwrap().iter().find(|m| m["month"] == "2030-01").unwrap();
    assert_eq!(
        (january["totals"][0]["deals"].clone(), january["totals"][0]["amount"].clone()),
        (json!(2), json!("1500.5"))
    );
    assert_eq!(f["won"], json!([{"currency": "EUR", "deals": 1, "amount": "300", "weighted": "300"}]));
    assert_eq!(f["lost"][0]["amount"], "50");
    assert_eq!(f["from"], json!(today.replace_day(1).unwrap().to_string()));
    // Another period: nothing closed in it.
    let past = get(&t, &alice, &format!("{url}?from=2020-01-01&to=2020-12-31")).await;
    assert_eq!((past["won"].clone(), past["lost"].clone()), (json!([]), json!([])));
    problem(
        t.as_(&alice).get(format!("{url}?from=2021-01-01&to=2020-01-01")).send().await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    problem(t.as_(&mallory).get(&url).send().await, StatusCode::NOT_FOUND).await;
}
