//! The orders HTTP API through the real router on SQLite and PostgreSQL,
//! with callers authenticated by identity: 401/403/404 rules, ETag and
//! If-Match, idempotent creates, and the whole lifecycle.

use gremlin_identity::ports::AccessInvalidation;
use poem::http::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::support::orders::{body, create, create_with_key};
use crate::support::{Backend, KitHeaders, TestApp, json, owner, problem, sign_up};

both_backends! {
    callers_need_a_token_a_permission_and_their_own_organization => callers_need_a_token_a_permission_and_their_own_organization,
    changes_need_the_current_etag => changes_need_the_current_etag,
    idempotency_keys_make_one_order => idempotency_keys_make_one_order,
    the_lifecycle_over_http => the_lifecycle_over_http,
    each_organization_sets_its_number_prefix => each_organization_sets_its_number_prefix,
    cookie_writes_need_a_trusted_origin => cookie_writes_need_a_trusted_origin,
    a_warm_order_read_is_one_statement => a_warm_order_read_is_one_statement,
    an_empty_customer_answers_without_nulls => an_empty_customer_answers_without_nulls,
}

/// Found by fuzzing as an owner: `"customer": {}` was answered with three
/// `null`s that `OrderCustomer` does not allow. Absent fields stay absent.
async fn an_empty_customer_answers_without_nulls(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let body = json!({"currency": "EUR", "customer": {}, "lines": []});
    let resp = t.as_(&alice).post("/api/orders").idempotency_key("empty-customer").body_json(&body).send().await;
    resp.assert_status(StatusCode::CREATED);
    let order = json(resp).await;
    assert_eq!(order["customer"], json!({}), "{order}");
    let id = order["id"].as_str().unwrap();
    let read = json(t.as_(&alice).get(format!("/api/orders/{id}")).send().await).await;
    assert!(read["customer"].as_object().is_none_or(|c| c.values().all(|v| !v.is_null())), "{read}");
}

/// The round trips of an authenticated order read once the caller's
/// membership, session and the organization's role overrides are cached:
/// the order with its lines, one statement. A regression fails here.
async fn a_warm_order_read_is_one_statement(backend: Backend) {
    // The outbox relay polls rarely, so only the request's statements count.
    let t = TestApp::custom(backend, |s| s.outbox.poll_interval_ms = 600_000, |b| b).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let order = create(&t, &alice).await;
    let url = format!("/api/orders/{}", order["id"].as_str().unwrap());
    t.as_(&alice).get(&url).send().await.assert_status_is_ok();
    let counter = t.app.adapters.db_statements.clone();
    let before = counter.load(std::sync::atomic::Ordering::Relaxed);
    let read = t.as_(&alice).get(&url).send().await;
    let used = counter.load(std::sync::atomic::Ordering::Relaxed) - before;
    read.assert_status_is_ok();
    assert_eq!(json(read).await["lines"].as_array().map(Vec::len), Some(1), "the lines come with the order");
    assert_eq!(used, 1, "a warm order read sent {used} SQL statements");
}

async fn callers_need_a_token_a_permission_and_their_own_organization(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, acme) = owner(&t, "alice@example.com", "acme").await;
    let order = create(&t, &alice).await;
    assert_eq!((order["number"].clone(), order["grand_total"].clone()), (json!("SO-000001"), json!("43.18")));
    let id = order["id"].as_str().unwrap().to_owned();

    problem(t.client().get(format!("/api/orders/{id}")).send().await, StatusCode::UNAUTHORIZED).await;
    // A browser's session cookie (percent-encoded, as Set-Cookie sent it) works too.
    let session = sign_up(&t, "carol@example.com", "Carol").await;
    let cookie = format!(
        "better-auth.session_token={}",
        session.signed.replace('/', "%2F").replace('+', "%2B").replace('=', "%3D")
    );
    let by_cookie = t
        .client()
        .get(format!("/api/orders/{id}"))
        .header("cookie", &cookie)
        .header("x-organization-id", &acme)
        .send()
        .await;
    problem(by_cookie, StatusCode::FORBIDDEN).await;
    problem(t.client().get("/api/orders").send().await, StatusCode::UNAUTHORIZED).await;
    problem(t.client().post("/api/orders").body_json(&body()).send().await, StatusCode::UNAUTHORIZED).await;

    // Another organization: every endpoint answers 404, the list never shows it.
    let (mallory_bearer, _) = owner(&t, "mallory@example.com", "evil").await;
    let mallory = t.as_(&mallory_bearer);
    let url = format!("/api/orders/{id}");
    let attempts = [
        mallory.get(&url),
        mallory.post(format!("{url}/place")),
        mallory.delete(&url),
        mallory.post(format!("{url}/confirm")),
        mallory.post(format!("{url}/fulfil")),
        mallory.patch(&url).body_json(&json!({"notes": "pwned"})),
        mallory.put(format!("{url}/lines")).body_json(&json!({"lines": []})),
        mallory.post(format!("{url}/lines")).body_json(&json!({"sku": "X", "quantity": "1", "unit_price": "1"})),
        mallory.delete(format!("{url}/lines/1")),
        mallory.post(format!("{url}/cancel")).body_json(&json!({"reason": "x"})),
    ];
    for attempt in attempts {
        problem(attempt.if_match("\"1\"").send().await, StatusCode::NOT_FOUND).await;
    }
    let listed = json(mallory.get("/api/orders").send().await).await;
    assert_eq!(listed["items"], json!([]));
    // Naming Acme with the header does not help Mallory: not a member.
    let forced = t.as_(&mallory_bearer).in_org(&acme).get(&url).send().await;
    problem(forced, StatusCode::FORBIDDEN).await;

    // Without the permission: the organization takes orders:write away from owners.
    t.app
        .adapters
        .documents
        .upsert("role_permissions", &acme, json!({"roles": {"owner": ["orders:read"]}}))
        .await
        .unwrap();
    t.app.verifier.roles_changed(&acme).await;
    problem(
        t.client().post("/api/orders").header("authorization", &alice).body_json(&body()).send().await,
        StatusCode::FORBIDDEN,
    )
    .await;
    t.client().get(format!("/api/orders/{id}")).header("authorization", &alice).send().await.assert_status_is_ok();
}

async fn changes_need_the_current_etag(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let order = create(&t, &alice).await;
    let id = order["id"].as_str().unwrap().to_owned();
    let alice = t.as_(&alice);
    let url = format!("/api/orders/{id}");
    alice.get(&url).send().await.assert_header("etag", "\"1\"");
    let note = |text: &str| json!({ "notes": text });
    problem(alice.patch(&url).body_json(&note("x")).send().await, StatusCode::PRECONDITION_REQUIRED).await;
    problem(alice.patch(&url).if_match("\"7\"").body_json(&note("x")).send().await, StatusCode::PRECONDITION_FAILED)
        .await;
    let updated = alice.patch(&url).if_match("\"1\"").body_json(&note("rush")).send().await;
    updated.assert_status_is_ok();
    updated.assert_header("etag", "\"2\"");
    problem(alice.patch(&url).if_match("\"1\"").body_json(&note("late")).send().await, StatusCode::PRECONDITION_FAILED)
        .await;
}

async fn idempotency_keys_make_one_order(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let first = create_with_key(&t, &alice, "k-1", &body()).await;
    first.assert_status(StatusCode::CREATED);
    let first = json(first).await;
    let again = json(create_with_key(&t, &alice, "k-1", &body()).await).await;
    assert_eq!(again["id"], first["id"], "the same key and body return the first order");
    let mut other = body();
    other["currency"] = json!("USD");
    problem(create_with_key(&t, &alice, "k-1", &other).await, StatusCode::UNPROCESSABLE_ENTITY).await;

    // 20 concurrent requests with one new key: one order.
    let requests = (0..20).map(|_| async {
        let resp = create_with_key(&t, &alice, "k-2", &body()).await;
        resp.assert_status(StatusCode::CREATED);
        json(resp).await["id"].as_str().unwrap().to_owned()
    });
    let ids: std::collections::HashSet<String> = futures_util::future::join_all(requests).await.into_iter().collect();
    assert_eq!(ids.len(), 1, "one order for one key");
    let list = json(t.client().get("/api/orders?limit=50").header("authorization", &alice).send().await).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "k-1 and k-2");
}

async fn the_lifecycle_over_http(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let order = create(&t, &alice).await;
    let id = order["id"].as_str().unwrap().to_owned();
    let step = |path: String, version: i64| {
        let t = &t;
        let alice = alice.clone();
        async move {
            t.client()
                .post(path)
                .header("authorization", &alice)
                .header("if-match", format!("\"{version}\""))
                .send()
                .await
        }
    };
    let added = json(
        t.client()
            .post(format!("/api/orders/{id}/lines"))
            .header("authorization", &alice)
            .header("if-match", "\"1\"")
            .body_json(&json!({"sku": "B", "quantity": "1", "unit_price": "5"}))
            .send()
            .await,
    )
    .await;
    assert_eq!((added["lines"].as_array().unwrap().len(), added["grand_total"].clone()), (2, json!("48.18")));
    let removed = json(
        t.client()
            .delete(format!("/api/orders/{id}/lines/2"))
            .header("authorization", &alice)
            .header("if-match", "\"2\"")
            .send()
            .await,
    )
    .await;
    assert_eq!(removed["lines"].as_array().unwrap().len(), 1);
    let placed = json(step(format!("/api/orders/{id}/place"), 3).await).await;
    assert_eq!(placed["status"], "placed");
    problem(
        t.client()
            .delete(format!("/api/orders/{id}"))
            .header("authorization", &alice)
            .header("if-match", "\"4\"")
            .send()
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    let confirmed = json(step(format!("/api/orders/{id}/confirm"), 4).await).await;
    assert_eq!(confirmed["status"], "confirmed");
    let fulfilled = json(step(format!("/api/orders/{id}/fulfil"), 5).await).await;
    assert_eq!(fulfilled["status"], "fulfilled");
    problem(
        t.client()
            .post(format!("/api/orders/{id}/cancel"))
            .header("authorization", &alice)
            .header("if-match", "\"6\"")
            .body_json(&json!({"reason": "late"}))
            .send()
            .await,
        StatusCode::CONFLICT,
    )
    .await;

    let draft = create(&t, &alice).await;
    let draft_id = draft["id"].as_str().unwrap();
    problem(
        t.client()
            .post("/api/orders")
            .header("authorization", &alice)
            .body_json(&json!({"currency": "EUR", "lines": [{"sku": "", "quantity": "0", "unit_price": "1"}]}))
            .send()
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    t.client()
        .delete(format!("/api/orders/{draft_id}"))
        .header("authorization", &alice)
        .header("if-match", "\"1\"")
        .send()
        .await
        .assert_status(StatusCode::NO_CONTENT);
    let page = json(
        t.client()
            .get("/api/orders?sort=number&direction=asc&status=fulfilled")
            .header("authorization", &alice)
            .send()
            .await,
    )
    .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    // Status, sort and direction are enums in the spec: a value outside
    // them is a malformed request (400), as for any typed parameter.
    for query in ["status=shipped", "sort=price", "direction=up", "created_from=yesterday"] {
        let resp = t.client().get(format!("/api/orders?{query}")).header("authorization", &alice).send().await;
        problem(resp, StatusCode::BAD_REQUEST).await;
    }
}

/// An invoice event published on the bus reaches the orders consumer and
/// moves the payment status; the same event handled again (what a
/// redelivery does) changes nothing; a payment in another currency fails
/// its handler, so the bus redelivers it and finally dead-letters it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoice_events_update_the_payment_status_through_the_bus() {
    let t = TestApp::new(Backend::Sqlite).await;
    let (alice, acme) = owner(&t, "alice@example.com", "acme").await;
    let order = create(&t, &alice).await;
    let consumer = t
        .app
        .consumers
        .iter()
        .find(|c| c.spec.durable_name == "orders-payment-status")
        .expect("orders consumer wired")
        .clone();
    let handler = consumer.handler.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(gremlin::consumers::run(t.app.adapters.events.clone(), consumer, async move {
        let _ = stopped.await;
    }));
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let event = gremlin_kernel::EventEnvelope::new(
        "invoice.paid",
        "invoices",
        Some(gremlin_kernel::OrganizationId::new(acme.clone())),
        "inv-1",
        json!({"order_id": order["id"], "amount_paid": "43.18", "currency": "EUR"}),
    );
    t.app.adapters.events.publish(&event).await.unwrap();
    let id = order["id"].as_str().unwrap().to_owned();
    let id = id.as_str();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let current =
            json(t.client().get(format!("/api/orders/{id}")).header("authorization", &alice).send().await).await;
        if current["payment_status"] == "paid" {
            assert_eq!(current["version"], 2);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the invoice event never arrived: {current}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Redelivered: the handler runs again on the same event id.
    handler(event.clone()).await.expect("a redelivery is acknowledged");
    let current = json(t.client().get(format!("/api/orders/{id}")).header("authorization", &alice).send().await).await;
    assert_eq!((current["payment_status"].clone(), current["version"].clone()), (json!("paid"), json!(2)));
    // Dollars for a euro order: the handler fails, so the event is never acked.
    let dollars = gremlin_kernel::EventEnvelope::new(
        "invoice.partially_paid",
        "invoices",
        Some(gremlin_kernel::OrganizationId::new(acme)),
        "inv-2",
        json!({"order_id": id, "amount_paid": "1.00", "currency": "USD"}),
    );
    assert!(handler(dollars).await.is_err(), "a payment in another currency is refused");
    let current = json(t.client().get(format!("/api/orders/{id}")).header("authorization", &alice).send().await).await;
    assert_eq!((current["payment_status"].clone(), current["version"].clone()), (json!("paid"), json!(2)));
    stop.send(()).unwrap();
    running.await.unwrap();
}

async fn each_organization_sets_its_number_prefix(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = owner(&t, "alice@example.com", "acme").await;
    let (bob, _) = owner(&t, "bob@example.com", "bobco").await;
    assert_eq!(create(&t, &alice).await["number"], "SO-000001");
    let set = t
        .client()
        .put("/api/orders/numbering")
        .header("authorization", &alice)
        .body_json(&json!({"prefix": "ACME-"}))
        .send()
        .await;
    set.assert_status_is_ok();
    assert_eq!(create(&t, &alice).await["number"], "ACME-000002", "the sequence continues under the new prefix");
    assert_eq!(create(&t, &bob).await["number"], "SO-000001", "other organizations are unaffected");
    problem(
        t.client()
            .put("/api/orders/numbering")
            .header("authorization", &alice)
            .body_json(&json!({"prefix": "bad prefix"}))
            .send()
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    problem(
        t.client().put("/api/orders/numbering").body_json(&json!({"prefix": "X-"})).send().await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

/// Better Auth's CSRF rule on business endpoints: a change authenticated by
/// the session cookie alone needs a trusted Origin (or Referer); reads and
/// bearer-authenticated calls do not.
async fn cookie_writes_need_a_trusted_origin(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, acme) = owner(&t, "alice@example.com", "acme").await;
    let session = sign_up(&t, "bob@example.com", "Bob").await;
    // Bob owns his own organization, so his cookie may create orders there.
    let bob_org = crate::support::create_organization(&t, &session.bearer, "Bob Co", "bob-co").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(bob_org, acme);
    let cookie = format!("better-auth.session_token={}", session.signed.replace('=', "%3D"));
    let client = t.client();
    let post = |headers: &[(&'static str, &str)]| {
        let mut req = client.post("/api/orders").header("x-organization-id", &bob_org);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req.body_json(&body()).send()
    };
    let evil =
        problem(post(&[("cookie", &cookie), ("origin", "https://evil.example")]).await, StatusCode::FORBIDDEN).await;
    assert!(evil["detail"].as_str().unwrap().contains("https://evil.example"), "{evil}");
    problem(post(&[("cookie", &cookie)]).await, StatusCode::FORBIDDEN).await;
    problem(post(&[("cookie", &cookie), ("origin", "null")]).await, StatusCode::FORBIDDEN).await;
    post(&[("cookie", &cookie), ("origin", "http://127.0.0.1:8080")]).await.assert_status(StatusCode::CREATED);
    // A Referer from the trusted origin stands in for a missing Origin.
    post(&[("cookie", &cookie), ("referer", "http://127.0.0.1:8080/console/orders")])
        .await
        .assert_status(StatusCode::CREATED);
    // A bearer token needs no origin, and reads need none either.
    post(&[("authorization", &session.bearer), ("origin", "https://evil.example")])
        .await
        .assert_status(StatusCode::CREATED);
    client
        .get("/api/orders")
        .header("cookie", &cookie)
        .header("x-organization-id", &bob_org)
        .send()
        .await
        .assert_status_is_ok();
}

/// Behind an https public URL identity names its session cookie
/// `__Secure-<prefix>.session_token`; business endpoints accept that same
/// cookie (they looked for the name without `__Secure-`, so a browser
/// signed in over https was 401 on every business call).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn business_endpoints_take_the_session_cookie_identity_sets_over_https() {
    let t = TestApp::custom(Backend::Sqlite, |s| s.server.public_url = "https://app.example".into(), |b| b).await;
    let (_, acme) = owner(&t, "alice@example.com", "acme").await;
    let signed_in = t
        .client()
        .post("/api/auth/sign-in/email")
        .body_json(&json!({"email": "alice@example.com", "password": crate::support::PASSWORD}))
        .send()
        .await;
    signed_in.assert_status_is_ok();
    let set_cookie = crate::support::set_cookies(&signed_in)
        .into_iter()
        .find(|c| c.starts_with("__Secure-better-auth.session_token="))
        .expect("identity sets the __Secure- session cookie over https");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    t.client()
        .get("/api/orders")
        .header("cookie", &cookie)
        .header("x-organization-id", &acme)
        .send()
        .await
        .assert_status_is_ok();
}
