//! Organization API keys, on SQLite and PostgreSQL: an owner gives an
//! integration a key holding some of the organization's permissions; the
//! shop pushes orders with it and nothing else; the key never reaches
//! another organization, stops at once when disabled, deleted or expired,
//! keeps to its own rate limit, and its use is recorded.

use gremlin_kernel::sql::statement;
use poem::http::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, KitHeaders, SignedUp, TestApp, json, member, olivia_owning, problem, problem_code};

both_backends! {
    a_shop_pushes_orders_with_its_key_and_nothing_more => a_shop_pushes_orders_with_its_key_and_nothing_more,
    keys_are_made_only_by_admins_within_their_own_permissions => keys_are_made_only_by_admins_within_their_own_permissions,
    a_key_stops_at_once_when_disabled_deleted_or_expired => a_key_stops_at_once_when_disabled_deleted_or_expired,
    a_key_keeps_to_its_rate_limit_and_its_use_is_recorded => a_key_keeps_to_its_rate_limit_and_its_use_is_recorded,
}

async fn key_post(t: &TestApp, who: &SignedUp, path: &str, body: serde_json::Value) -> poem::test::TestResponse {
    t.as_(&who.bearer).post(format!("/api/auth/api-key{path}")).body_json(&body).send().await
}

async fn key_get(t: &TestApp, who: &SignedUp, path_and_query: &str) -> poem::test::TestResponse {
    t.as_(&who.bearer).get(format!("/api/auth/api-key{path_and_query}")).send().await
}

/// A key for the shop in `org`: its secret and id.
async fn shop_key(t: &TestApp, owner: &SignedUp, org: &str, extra: serde_json::Value) -> (String, String) {
    let mut body = json!({"organizationId": org, "name": "shop", "permissions": {"orders": ["read", "write"]}});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let created = json(key_post(t, owner, "/create", body).await).await;
    (created["key"].as_str().unwrap().to_owned(), created["id"].as_str().unwrap().to_owned())
}

fn order() -> serde_json::Value {
    json!({"currency": "EUR", "customer": {"name": "Web shop"}, "lines": []})
}

async fn a_shop_pushes_orders_with_its_key_and_nothing_more(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (olivia, acme) = olivia_owning(&t, "acme").await;
    let body = json!({"organizationId": acme, "name": "shop", "expiresIn": 30 * 86_400, "permissions": {"orders": ["read", "write"]}});
    let created = json(key_post(&t, &olivia, "/create", body).await).await;
    let secret = created["key"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("grm_") && secret.len() == 68, "{secret}");
    assert_eq!((created["start"].clone(), created["prefix"].clone()), (json!(&secret[..6]), json!("grm_")));
    assert_eq!(created["permissions"], json!({"orders": ["read", "write"]}));
    assert_eq!((created["organizationId"].clone(), created["enabled"].clone()), (json!(acme), json!(true)));
    assert!(created["expiresAt"].is_string() && created["lastRequest"].is_null());
    let id = created["id"].as_str().unwrap().to_owned();
    // Listed and read by prefix and start; the secret is never shown again.
    let listed = json(key_get(&t, &olivia, &format!("/list?organizationId={acme}")).await).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(listed[0].get("key").is_none() && listed[0]["id"] == json!(id));
    let read = json(key_get(&t, &olivia, &format!("/get?id={id}&organizationId={acme}")).await).await;
    assert!(read.get("key").is_none() && read["start"] == json!(&secret[..6]));
    // The database keeps only the hash.
    let db = &t.app.adapters.db;
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            r#"SELECT "key" FROM "apikey" WHERE "id" = $1"#,
            vec![id.clone().into()],
        ))
        .await
        .unwrap()
        .unwrap();
    let stored: String = row.try_get_by_index(0).unwrap();
    assert!(stored != secret && !stored.contains(&secret[4..]), "{stored}");

    // The shop pushes an order with the key as a bearer, or in x-api-key.
    let bearer = format!("Bearer {secret}");
    let resp = t.as_(&bearer).post("/api/orders").idempotency_key("shop-1").body_json(&order()).send().await;
    resp.assert_status(StatusCode::CREATED);
    let pushed = json(resp).await;
    assert_eq!(pushed["created_by"], json!(format!("apikey:{id}")), "{pushed}");
    let path = format!("/api/orders/{}", pushed["id"].as_str().unwrap());
    t.as_(&olivia.bearer).in_org(&acme).get(path).send().await.assert_status_is_ok();
    let resp = t.client().get("/api/orders").header("x-api-key", &secret).send().await;
    resp.assert_status_is_ok();
    assert_eq!(json(resp).await["items"].as_array().unwrap().len(), 1);
    // Beyond its permissions, 403; in another organization, 403.
    problem(t.as_(&bearer).get("/api/invoices").send().await, StatusCode::FORBIDDEN).await;
    let (_, evil) = olivia_owning(&t, "evil").await;
    problem(t.as_(&bearer).in_org(&evil).get("/api/orders").send().await, StatusCode::FORBIDDEN).await;
    // A made-up key is 401.
    let forged = format!("Bearer grm_{}", "a".repeat(64));
    problem(t.as_(&forged).get("/api/orders").send().await, StatusCode::UNAUTHORIZED).await;
}

async fn keys_are_made_only_by_admins_within_their_own_permissions(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (olivia, acme) = olivia_owning(&t, "acme").await;
    let bob = member(&t, &acme, "bob@acme.example", "member").await;
    let body = json!({"organizationId": acme, "permissions": {"orders": ["read"]}});
    let resp = key_post(&t, &bob, "/create", body.clone()).await;
    assert_eq!(problem_code(resp, StatusCode::FORBIDDEN).await, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION");
    problem(key_get(&t, &bob, &format!("/list?organizationId={acme}")).await, StatusCode::FORBIDDEN).await;

    // A role that may manage keys but only read orders cannot mint a writer.
    let role = json!({"organizationId": acme, "role": "integrator", "permission": {"organization": ["update"], "orders": ["read"]}});
    t.as_(&olivia.bearer)
        .post("/api/auth/organization/create-role")
        .body_json(&role)
        .send()
        .await
        .assert_status_is_ok();
    let ivy = member(&t, &acme, "ivy@acme.example", "integrator").await;
    key_post(&t, &ivy, "/create", body).await.assert_status_is_ok();
    let writer = json!({"organizationId": acme, "permissions": {"orders": ["read", "write"]}});
    problem(key_post(&t, &ivy, "/create", writer).await, StatusCode::FORBIDDEN).await;

    for (body, expected) in [
        (json!({"organizationId": acme, "permissions": {"payroll": ["read"]}}), "INVALID_RESOURCE"),
        (json!({"organizationId": acme, "permissions": {"member": ["create"]}}), "INVALID_RESOURCE"),
        (json!({"organizationId": acme, "permissions": {}}), "INVALID_RESOURCE"),
        (json!({"organizationId": acme, "expiresIn": 60, "permissions": {"orders": ["read"]}}), "VALIDATION_ERROR"),
        (json!({"organizationId": acme, "name": "", "permissions": {"orders": ["read"]}}), "VALIDATION_ERROR"),
        (json!({"organizationId": acme, "rateLimitMax": 0, "permissions": {"orders": ["read"]}}), "VALIDATION_ERROR"),
    ] {
        assert_eq!(problem_code(key_post(&t, &olivia, "/create", body).await, StatusCode::BAD_REQUEST).await, expected);
    }

    // Another organization's owner neither sees nor touches Acme's keys.
    let (_, id) = shop_key(&t, &olivia, &acme, json!({})).await;
    let (mallory, evil) = olivia_owning(&t, "evil").await;
    problem(key_get(&t, &mallory, &format!("/get?id={id}&organizationId={acme}")).await, StatusCode::FORBIDDEN).await;
    let resp = key_get(&t, &mallory, &format!("/get?id={id}&organizationId={evil}")).await;
    assert_eq!(problem_code(resp, StatusCode::NOT_FOUND).await, "KEY_NOT_FOUND");
    let resp = key_post(&t, &mallory, "/delete", json!({"keyId": id, "organizationId": evil})).await;
    assert_eq!(problem_code(resp, StatusCode::NOT_FOUND).await, "KEY_NOT_FOUND");
    let resp = key_post(&t, &mallory, "/update", json!({"keyId": id, "organizationId": evil, "enabled": false})).await;
    assert_eq!(problem_code(resp, StatusCode::NOT_FOUND).await, "KEY_NOT_FOUND");
    assert_eq!(json(key_get(&t, &mallory, &format!("/list?organizationId={evil}")).await).await, json!([]));
}

async fn a_key_stops_at_once_when_disabled_deleted_or_expired(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (olivia, acme) = olivia_owning(&t, "acme").await;
    let (secret, id) = shop_key(&t, &olivia, &acme, json!({})).await;
    let bearer = format!("Bearer {secret}");
    t.as_(&bearer).get("/api/orders").send().await.assert_status_is_ok();

    let off =
        json(key_post(&t, &olivia, "/update", json!({"keyId": id, "organizationId": acme, "enabled": false})).await)
            .await;
    assert_eq!(off["enabled"], false);
    problem(t.as_(&bearer).get("/api/orders").send().await, StatusCode::UNAUTHORIZED).await;
    let on = json!({"keyId": id, "organizationId": acme, "enabled": true, "name": "web shop", "permissions": {"orders": ["read"]}});
    let on = json(key_post(&t, &olivia, "/update", on).await).await;
    assert_eq!((on["name"].clone(), on["permissions"].clone()), (json!("web shop"), json!({"orders": ["read"]})));
    t.as_(&bearer).get("/api/orders").send().await.assert_status_is_ok();
    // Narrowed to reading: writing is refused now.
    let resp = t.as_(&bearer).post("/api/orders").idempotency_key("shop-2").body_json(&order()).send().await;
    problem(resp, StatusCode::FORBIDDEN).await;

    // Expired: refused.
    let db = &t.app.adapters.db;
    let past = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let sql = r#"UPDATE "apikey" SET "expiresAt" = $1 WHERE "id" = $2"#;
    db.execute_raw(statement(db.get_database_backend(), sql, vec![past.into(), id.clone().into()])).await.unwrap();
    problem(t.as_(&bearer).get("/api/orders").send().await, StatusCode::UNAUTHORIZED).await;
    let renewed = json!({"keyId": id, "organizationId": acme, "expiresIn": 86_400});
    key_post(&t, &olivia, "/update", renewed).await.assert_status_is_ok();
    t.as_(&bearer).get("/api/orders").send().await.assert_status_is_ok();

    // Deleted: refused, and gone from the organization.
    assert_eq!(
        json(key_post(&t, &olivia, "/delete", json!({"keyId": id, "organizationId": acme})).await).await,
        json!({"success": true})
    );
    problem(t.as_(&bearer).get("/api/orders").send().await, StatusCode::UNAUTHORIZED).await;
    let resp = key_get(&t, &olivia, &format!("/get?id={id}&organizationId={acme}")).await;
    assert_eq!(problem_code(resp, StatusCode::NOT_FOUND).await, "KEY_NOT_FOUND");
}

async fn a_key_keeps_to_its_rate_limit_and_its_use_is_recorded(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (olivia, acme) = olivia_owning(&t, "acme").await;
    let (secret, id) = shop_key(&t, &olivia, &acme, json!({"rateLimitMax": 2, "rateLimitTimeWindow": 60_000})).await;
    for _ in 0..2 {
        t.client().get("/api/orders").header("x-api-key", &secret).send().await.assert_status_is_ok();
    }
    let resp = t.client().get("/api/orders").header("x-api-key", &secret).send().await;
    resp.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.0.headers().contains_key("retry-after"));
    // Another key of the same organization has its own count.
    let (other, _) = shop_key(&t, &olivia, &acme, json!({})).await;
    t.client().get("/api/orders").header("x-api-key", &other).send().await.assert_status_is_ok();

    // Its last use is kept, and the session log shows it once a minute.
    let read = json(key_get(&t, &olivia, &format!("/get?id={id}&organizationId={acme}")).await).await;
    assert!(read["lastRequest"].is_string(), "{read}");
    let db = &t.app.adapters.db;
    let sql = r#"UPDATE "user" SET "role" = 'admin' WHERE "id" = $1"#;
    db.execute_raw(statement(db.get_database_backend(), sql, vec![olivia.id.clone().into()])).await.unwrap();
    let path = format!("/api/auth/admin/session-logs?kind=api_key_used&organizationId={acme}");
    let logs = json(t.as_(&olivia.bearer).get(path).send().await).await;
    let entries = logs["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "one per key within the minute: {logs}");
    let created =
        json(t.as_(&olivia.bearer).get("/api/auth/admin/session-logs?kind=api_key_created").send().await).await;
    assert_eq!(created["entries"].as_array().unwrap().len(), 2);
}
