//! The split deployment end to end: `gremlin` processes on one PostgreSQL
//! and one NATS JetStream, each serving one domain (identity, orders and,
//! for order to cash, invoices). A JWT issued by the identity process is accepted by the orders
//! process, and identity's events (a role changed, a member removed) reach
//! the orders process over NATS and take effect on its membership cache at
//! once (its cache TTL is an hour, so nothing else could explain it). A
//! member removed on identity has their leave closed by the leave service,
//! which hears of it only through the stream.

use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};

use crate::process::GremlinProcess;
use crate::support::{Backend, TestDb, TestStream, http_client, nats_url};

const SECRET: &str = "split-deployment-test-secret-0123456789abcdef";

/// The environment both services share.
fn shared_env(db: &TestDb, stream: &TestStream) -> Vec<(&'static str, String)> {
    vec![
        ("GREMLIN_DATABASE__URL", db.url.clone()),
        ("GREMLIN_EVENTS__URL", nats_url()),
        ("GREMLIN_EVENTS__STREAM", stream.options.stream.clone()),
        ("GREMLIN_EVENTS__SUBJECT_PREFIX", stream.options.subject_prefix.clone()),
        ("GREMLIN_AUTH_SECRET", SECRET.to_owned()),
        // Both sit behind one public address: the JWT issuer and audience.
        ("GREMLIN_PUBLIC_URL", "http://gremlin.test".to_owned()),
        ("GREMLIN_AUTH__MEMBERSHIP_CACHE_SECS", "3600".to_owned()),
        ("GREMLIN_OUTBOX__POLL_INTERVAL_MS", "50".to_owned()),
    ]
}

struct Caller<'a> {
    base: &'a str,
    auth: String,
}

impl Caller<'_> {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Json>) -> (u16, Json) {
        self.send_with(method, path, body, &[]).await
    }

    /// Sends with extra headers (`If-Match`, `Idempotency-Key`).
    async fn send_with(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Json>,
        headers: &[(&str, String)],
    ) -> (u16, Json) {
        let mut req = http_client().request(method, format!("{}{path}", self.base)).header("authorization", &self.auth);
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("the process answers");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Json::Null))
    }

    async fn post(&self, path: &str, body: Json) -> Json {
        let (status, body) = self.send(reqwest::Method::POST, path, Some(body)).await;
        assert_eq!(status, 200, "POST {path}: {body}");
        body
    }

    /// A service JWT (`Bearer …`) for this caller's session, from identity.
    async fn jwt(&self) -> String {
        let (status, token) = self.send(reqwest::Method::GET, "/api/auth/token", None).await;
        assert_eq!(status, 200, "{token}");
        format!("Bearer {}", token["token"].as_str().unwrap())
    }
}

/// Alice creates Acme and invites Bob, who accepts and makes it active,
/// all on identity; Acme's id.
async fn bob_joins_alices_organization(alice: &Caller<'_>, bob: &Caller<'_>) -> String {
    let org = alice.post("/api/auth/organization/create", json!({"name": "Acme", "slug": "acme"})).await;
    let org_id = org["id"].as_str().unwrap().to_owned();
    let invite = json!({"email": "bob@example.com", "role": "member", "organizationId": org_id});
    let invitation = alice.post("/api/auth/organization/invite-member", invite).await;
    bob.post("/api/auth/organization/accept-invitation", json!({"invitationId": invitation["id"]})).await;
    bob.post("/api/auth/organization/set-active", json!({"organizationId": org_id})).await;
    org_id
}

/// Signs up on the identity process; returns a bearer header and the user id.
async fn sign_up(identity: &str, email: &str) -> (String, String) {
    let resp = http_client()
        .post(format!("{identity}/api/auth/sign-up/email"))
        .json(&json!({"name": email, "email": email, "password": crate::support::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let token = resp.headers()["set-auth-token"].to_str().unwrap().to_owned();
    let body: Json = resp.json().await.unwrap();
    (format!("Bearer {token}"), body["user"]["id"].as_str().unwrap().to_owned())
}

/// Polls `check` until it returns true, for at most 10 s.
async fn eventually(what: &str, service: &GremlinProcess, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "{what} never happened; the service's log:\n{}", service.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn table_exists(db: &TestDb, table: &str) -> bool {
    use sea_orm::ConnectionTrait;
    let conn = sea_orm::Database::connect(&db.url).await.unwrap();
    let sql = format!("SELECT 1 FROM information_schema.tables WHERE table_name = '{table}'");
    let found = conn.query_one_raw(sea_orm::Statement::from_string(conn.get_database_backend(), sql)).await.unwrap();
    conn.close().await.unwrap();
    found.is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_and_orders_run_as_two_services_over_nats() {
    let db = TestDb::new(Backend::Postgres).await;
    let stream = TestStream::new();
    let env = shared_env(&db, &stream);
    let identity = GremlinProcess::start("identity", &env).await;
    // Each service creates only the tables it owns.
    assert!(table_exists(&db, "member").await && !table_exists(&db, "orders").await);
    let orders = GremlinProcess::start("orders", &env).await;
    assert!(table_exists(&db, "orders").await);

    // Each process serves its own domain only.
    let missing = http_client().post(format!("{}/api/auth/sign-up/email", orders.base)).send().await.unwrap();
    assert_eq!(missing.status(), 404, "the orders service has no identity endpoints");
    let missing = http_client().get(format!("{}/api/orders", identity.base)).send().await.unwrap();
    assert_eq!(missing.status(), 404, "the identity service has no orders endpoints");

    // Alice creates an organization and invites Bob, all on identity.
    let (alice_auth, _) = sign_up(&identity.base, "alice@example.com").await;
    let (bob_auth, bob_id) = sign_up(&identity.base, "bob@example.com").await;
    let alice = Caller { base: &identity.base, auth: alice_auth };
    let bob = Caller { base: &identity.base, auth: bob_auth };
    let org_id = bob_joins_alices_organization(&alice, &bob).await;
    let bob_on_orders = Caller { base: &orders.base, auth: bob.jwt().await };

    // Bob's JWT works on the orders service: a member reads and creates…
    let (status, list) = bob_on_orders.send(reqwest::Method::GET, "/api/orders", None).await;
    assert_eq!(status, 200, "{list}");
    let new_order = crate::support::orders::body();
    let (status, created) = bob_on_orders.send(reqwest::Method::POST, "/api/orders", Some(new_order)).await;
    assert_eq!(status, 201, "{created}");
    // …but may not manage (numbering needs `orders:manage`), and that
    // answer is now cached in the orders process.
    let numbering =
        || bob_on_orders.send(reqwest::Method::PUT, "/api/orders/numbering", Some(json!({"prefix": "BOB"})));
    assert_eq!(numbering().await.0, 403);

    // Alice promotes Bob on identity: the event reaches orders over NATS.
    let members = alice
        .send(reqwest::Method::GET, &format!("/api/auth/organization/list-members?organizationId={org_id}"), None)
        .await
        .1;
    let bob_member = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["userId"] == bob_id.as_str())
        .expect("bob is a member")["id"]
        .clone();
    alice
        .post(
            "/api/auth/organization/update-member-role",
            json!({"memberId": bob_member, "role": "admin", "organizationId": org_id}),
        )
        .await;
    eventually("the role change reaching orders", &orders, async || numbering().await.0 == 200).await;

    // Alice removes Bob: his still-valid JWT stops working on orders.
    alice
        .post(
            "/api/auth/organization/remove-member",
            json!({"memberIdOrEmail": "bob@example.com", "organizationId": org_id}),
        )
        .await;
    eventually("the removal reaching orders", &orders, async || {
        bob_on_orders.send(reqwest::Method::GET, "/api/orders", None).await.0 == 403
    })
    .await;

    // The orders service published its own event to the shared stream.
    let metrics = http_client().get(format!("{}/metrics", orders.base)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("outbox_published_total"), "{metrics}");
}

/// `If-Match` for a resource's JSON, and an `Idempotency-Key`.
fn change_headers(resource: &Json, key: &str) -> [(&'static str, String); 2] {
    [("if-match", format!("\"{}\"", resource["version"])), ("idempotency-key", key.to_owned())]
}

/// Order to cash as four services over NATS on one PostgreSQL: an order
/// confirmed on the orders service becomes a draft on the invoices service
/// (`order.confirmed`), the invoice's payments come back to the order
/// (`invoice.partially_paid`, `invoice.paid`), and the CRM service puts the
/// order and the paid invoice on the customer company's timeline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_to_cash_runs_across_four_services_over_nats() {
    let db = TestDb::new(Backend::Postgres).await;
    let stream = TestStream::new();
    let env = shared_env(&db, &stream);
    let identity = GremlinProcess::start("identity", &env).await;
    let orders = GremlinProcess::start("orders", &env).await;
    let invoices = GremlinProcess::start("invoices", &env).await;
    let crm = GremlinProcess::start("crm", &env).await;
    let missing = http_client().get(format!("{}/api/invoices", orders.base)).send().await.unwrap();
    assert_eq!(missing.status(), 404, "the orders service has no invoices endpoints");

    let (alice_auth, _) = sign_up(&identity.base, "alice@example.com").await;
    let alice = Caller { base: &identity.base, auth: alice_auth };
    let org = alice.post("/api/auth/organization/create", json!({"name": "Acme", "slug": "acme"})).await;
    alice.post("/api/auth/organization/set-active", json!({"organizationId": org["id"]})).await;
    let bearer = alice.jwt().await;
    let on_orders = Caller { base: &orders.base, auth: bearer.clone() };
    let on_invoices = Caller { base: &invoices.base, auth: bearer.clone() };
    let on_crm = Caller { base: &crm.base, auth: bearer };
    let company = json!({"name": "Acme Buyer GmbH", "domain": "buyer.example"});
    let (status, company) = on_crm
        .send_with(reqwest::Method::POST, "/api/crm/companies", Some(company), &[("idempotency-key", "c-1".to_owned())])
        .await;
    assert_eq!(status, 201, "{company}");

    let settings = json!({"draft_from_orders": true, "default_net_days": 14});
    let (status, saved) = on_invoices.send(reqwest::Method::PUT, "/api/invoices/settings", Some(settings)).await;
    assert_eq!(status, 200, "{saved}");

    // Create, place and confirm an order (43.18 EUR) for the company on the orders service.
    let mut body = crate::support::orders::body();
    body["customer"]["contact_id"] = company["id"].clone();
    let (status, order) = on_orders.send(reqwest::Method::POST, "/api/orders", Some(body)).await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_str().unwrap().to_owned();
    let (status, placed) = on_orders
        .send_with(reqwest::Method::POST, &format!("/api/orders/{id}/place"), None, &change_headers(&order, "o-1"))
        .await;
    assert_eq!(status, 200, "{placed}");
    let confirm = change_headers(&placed, "o-2");
    let (status, confirmed) =
        on_orders.send_with(reqwest::Method::POST, &format!("/api/orders/{id}/confirm"), None, &confirm).await;
    assert_eq!(status, 200, "{confirmed}");

    // The invoices service drafts it from `order.confirmed`.
    let drafts = format!("/api/invoices?order_id={id}");
    eventually("a draft invoice for the confirmed order", &invoices, async || {
        on_invoices.send(reqwest::Method::GET, &drafts, None).await.1["items"].as_array().is_some_and(|a| a.len() == 1)
    })
    .await;
    let draft = on_invoices.send(reqwest::Method::GET, &drafts, None).await.1["items"][0].clone();
    assert_eq!((&draft["total"], &draft["status"]), (&json!("43.18"), &json!("draft")), "{draft}");
    let invoice = draft["id"].as_str().unwrap().to_owned();
    let post = async |path: &str, body: Json, resource: &Json, key: &str| {
        let path = format!("/api/invoices/{invoice}{path}");
        let (status, body) =
            on_invoices.send_with(reqwest::Method::POST, &path, Some(body), &change_headers(resource, key)).await;
        assert_eq!(status, 200, "POST {path}: {body}");
        body
    };
    let open = post("/finalize", json!({}), &draft, "i-1").await;
    assert_eq!(open["number"], "INV-000001");

    // Half is paid: the order shows it, over NATS.
    let half = post("/payments", json!({"amount": "21.59", "method": "card"}), &open, "i-2").await;
    assert_eq!(half["status"], "open");
    let order_status = async || on_orders.send(reqwest::Method::GET, &format!("/api/orders/{id}"), None).await.1;
    eventually("the partial payment reaching the order", &orders, async || {
        order_status().await["payment_status"] == "partially_paid"
    })
    .await;
    assert_eq!(order_status().await["amount_paid"], "21.59");

    // The rest: paid on both sides.
    let paid = post("/payments", json!({"amount": "21.59", "method": "card"}), &half, "i-3").await;
    assert_eq!((&paid["status"], &paid["amount_due"]), (&json!("paid"), &json!("0")));
    eventually("the full payment reaching the order", &orders, async || {
        order_status().await["payment_status"] == "paid"
    })
    .await;
    assert_eq!(order_status().await["amount_paid"], "43.18");

    // The company's timeline on the CRM service shows the order and the paid invoice.
    let timeline = format!("/api/crm/companies/{}/timeline", company["id"].as_str().unwrap());
    let events = async || -> Vec<String> {
        let page = on_crm.send(reqwest::Method::GET, &timeline, None).await.1;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        items
            .iter()
            .filter(|i| i["kind"] == "event")
            .map(|i| i["data"]["event_type"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    eventually("the order and the paid invoice on the company's timeline", &crm, async || {
        let seen = events().await;
        ["order.created", "order.confirmed", "invoice.finalized", "invoice.paid"]
            .iter()
            .all(|e| seen.iter().any(|s| s == e))
    })
    .await;
    assert_eq!(events().await.len(), 4, "each event once: {:?}", events().await);
}

/// A split service will not run on embedded adapters or without its
/// servers, and says why (exit code 1, the reason on stderr).
#[test]
fn a_split_service_refuses_to_start_without_postgres_and_nats() {
    let secret = ("GREMLIN_AUTH_SECRET", SECRET.to_owned());
    let (code, err) = GremlinProcess::start_refused("orders", std::slice::from_ref(&secret));
    assert_ne!(code, 0);
    assert!(err.contains("split deployment") && err.contains("database.url"), "{err}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new(Backend::Postgres));
    let postgres = ("GREMLIN_DATABASE__URL", db.url.clone());
    let (code, err) = GremlinProcess::start_refused("orders", &[secret.clone(), postgres.clone()]);
    assert_ne!(code, 0);
    assert!(err.contains("events.url") && err.contains("NATS"), "{err}");

    let down_nats = ("GREMLIN_EVENTS__URL", "nats://127.0.0.1:1".to_owned());
    let (code, err) = GremlinProcess::start_refused("orders", &[secret.clone(), postgres, down_nats]);
    assert_ne!(code, 0);
    assert!(err.contains("cannot reach NATS at nats://127.0.0.1:1"), "{err}");

    let down_postgres = ("GREMLIN_DATABASE__URL", "postgres://postgres@127.0.0.1:1/gremlin".to_owned());
    let (code, err) =
        GremlinProcess::start_refused("orders", &[secret, down_postgres, ("GREMLIN_EVENTS__URL", nats_url())]);
    assert_ne!(code, 0);
    assert!(err.contains("shared PostgreSQL"), "{err}");
    drop(db);
}

/// Identity and leave as two services: a member asks for leave on the leave
/// service; removed on identity, their future request is cancelled by the
/// leave service, which hears of it only over NATS, and their calendar
/// feed stops answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_removed_on_identity_has_their_leave_closed_by_the_leave_service() {
    let db = TestDb::new(Backend::Postgres).await;
    let stream = TestStream::new();
    let env = shared_env(&db, &stream);
    let identity = GremlinProcess::start("identity", &env).await;
    let leave = GremlinProcess::start("leave", &env).await;
    assert!(table_exists(&db, "leave_requests").await);
    let missing = http_client().get(format!("{}/api/orders", leave.base)).send().await.unwrap();
    assert_eq!(missing.status(), 404, "the leave service serves leave only");

    let (alice_auth, _) = sign_up(&identity.base, "alice@example.com").await;
    let (bob_auth, bob_id) = sign_up(&identity.base, "bob@example.com").await;
    let alice = Caller { base: &identity.base, auth: alice_auth };
    let bob = Caller { base: &identity.base, auth: bob_auth };
    let org_id = bob_joins_alices_organization(&alice, &bob).await;
    let alice_on_leave = Caller { base: &leave.base, auth: alice.jwt().await };
    let bob_on_leave = Caller { base: &leave.base, auth: bob.jwt().await };

    let keyed = |key: &str| [("idempotency-key", key.to_owned())];
    let (status, kind) = alice_on_leave
        .send_with(
            reqwest::Method::POST,
            "/api/leave/types",
            Some(json!({"name": "Unpaid", "paid": false})),
            &keyed("t-1"),
        )
        .await;
    assert_eq!(status, 201, "{kind}");
    let next_year = time::OffsetDateTime::now_utc().year() + 1;
    let ask =
        json!({"leave_type_id": kind["id"], "from": format!("{next_year}-03-01"), "to": format!("{next_year}-03-03")});
    let (status, request) =
        bob_on_leave.send_with(reqwest::Method::POST, "/api/leave/requests", Some(ask), &keyed("r-1")).await;
    assert_eq!(status, 201, "{request}");
    let (status, feed) = bob_on_leave
        .send_with(reqwest::Method::POST, "/api/leave/feeds", Some(json!({"scope": "member"})), &keyed("f-1"))
        .await;
    assert_eq!(status, 201, "{feed}");
    let feed_url = format!("{}{}", leave.base, feed["path"].as_str().unwrap());
    assert_eq!(http_client().get(&feed_url).send().await.unwrap().status(), 200);

    alice
        .post(
            "/api/auth/organization/remove-member",
            json!({"memberIdOrEmail": "bob@example.com", "organizationId": org_id}),
        )
        .await;
    // Once he is gone his leave is shown to nobody (404), so the database
    // tells what the leave service did with the event.
    use sea_orm::ConnectionTrait;
    let conn = sea_orm::Database::connect(&db.url).await.unwrap();
    eventually("the removal reaching leave and cancelling his request", &leave, async || {
        let sql = format!("SELECT status FROM leave_requests WHERE user_id = '{bob_id}'");
        let row = conn
            .query_one_raw(sea_orm::Statement::from_string(conn.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<String>("", "status").unwrap() == "cancelled"
    })
    .await;
    let sql = format!("SELECT closed_at_us FROM leave_profiles WHERE user_id = '{bob_id}'");
    let row =
        conn.query_one_raw(sea_orm::Statement::from_string(conn.get_database_backend(), sql)).await.unwrap().unwrap();
    assert!(row.try_get::<Option<i64>>("", "closed_at_us").unwrap().is_some(), "his profile is closed");
    conn.close().await.unwrap();
    assert_eq!(http_client().get(&feed_url).send().await.unwrap().status(), 404, "his feed is gone");
}
