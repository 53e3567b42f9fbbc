//! A user deleting their own account (Better Auth's `delete-user` and
//! `delete-user/callback`), on SQLite and PostgreSQL: off by default; the
//! password or a fresh session proves it; an organization's last owner
//! stays until ownership moves; once gone, every session and service JWT
//! of theirs is refused at once and services hear of it; a mailed link
//! confirms the deletion once, only for its own user.

use gremlin_kernel::sql::statement;
use poem::http::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::both_backends;
use crate::support::mailbox::{address, mail_to, smtp_url};
use crate::support::{
    Backend, PASSWORD, SignedUp, TestApp, create_organization, json, member, problem, problem_code, sign_up,
};

both_backends! {
    deleting_oneself_is_off_unless_allowed => deleting_oneself_is_off_unless_allowed,
    a_deletion_needs_the_password_or_a_fresh_session => a_deletion_needs_the_password_or_a_fresh_session,
    a_deleted_user_is_refused_everywhere_at_once => a_deleted_user_is_refused_everywhere_at_once,
    a_mailed_link_deletes_its_own_user_once => a_mailed_link_deletes_its_own_user_once,
}

async fn app(backend: Backend, by_mail: bool) -> TestApp {
    TestApp::custom(
        backend,
        |s| {
            s.auth.allow_account_deletion = true;
            s.auth.confirm_account_deletion_by_email = by_mail;
            s.mail.url = gremlin_config::ServiceUrl::new(smtp_url());
            s.server.public_url = "http://gremlin.test".into();
        },
        |b| b,
    )
    .await
}

async fn delete(t: &TestApp, who: &SignedUp, body: serde_json::Value) -> poem::test::TestResponse {
    t.client().post("/api/auth/delete-user").header("authorization", &who.bearer).body_json(&body).send().await
}

/// Makes every session of `user` a week old.
async fn age_sessions(t: &TestApp, user: &str) {
    let db = &t.app.adapters.db;
    let week_ago = time::OffsetDateTime::now_utc() - time::Duration::days(7);
    let sql = r#"UPDATE "session" SET "createdAt" = $1 WHERE "userId" = $2"#;
    db.execute_raw(statement(db.get_database_backend(), sql, vec![week_ago.into(), user.into()])).await.unwrap();
}

async fn events(t: &TestApp) -> Vec<(String, serde_json::Value)> {
    let db = &t.app.adapters.db;
    let sql = "SELECT event_type, envelope FROM outbox ORDER BY seq";
    let rows = db.query_all_raw(statement(db.get_database_backend(), sql, vec![])).await.unwrap();
    rows.iter()
        .map(|r| {
            let envelope: String = r.try_get_by_index(1).unwrap();
            (r.try_get_by_index(0).unwrap(), serde_json::from_str(&envelope).unwrap())
        })
        .collect()
}

async fn signs_in(t: &TestApp, email: &str) -> bool {
    let body = json!({"email": email, "password": PASSWORD});
    t.client().post("/api/auth/sign-in/email").body_json(&body).send().await.0.status() == StatusCode::OK
}

async fn deleting_oneself_is_off_unless_allowed(backend: Backend) {
    let t = TestApp::new(backend).await;
    let ada = sign_up(&t, "ada@example.com", "Ada").await;
    let resp = delete(&t, &ada, json!({"password": PASSWORD})).await;
    assert_eq!(problem_code(resp, StatusCode::NOT_FOUND).await, "NOT_FOUND");
    let resp =
        t.client().get("/api/auth/delete-user/callback?token=x").header("authorization", &ada.bearer).send().await;
    assert_eq!(problem_code(resp, StatusCode::NOT_FOUND).await, "NOT_FOUND");
    assert!(signs_in(&t, "ada@example.com").await);
    // No session, no deletion.
    let resp = t.client().post("/api/auth/delete-user").body_json(&json!({})).send().await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
}

async fn a_deletion_needs_the_password_or_a_fresh_session(backend: Backend) {
    let t = app(backend, false).await;
    let ada = sign_up(&t, "ada@example.com", "Ada").await;
    age_sessions(&t, &ada.id).await;
    assert_eq!(problem_code(delete(&t, &ada, json!({})).await, StatusCode::BAD_REQUEST).await, "SESSION_EXPIRED");
    let wrong = delete(&t, &ada, json!({"password": "not-her-password-9"})).await;
    assert_eq!(problem_code(wrong, StatusCode::BAD_REQUEST).await, "INVALID_PASSWORD");
    let evil = delete(&t, &ada, json!({"password": PASSWORD, "callbackURL": "https://evil.example/"})).await;
    problem(evil, StatusCode::BAD_REQUEST).await;
    assert!(signs_in(&t, "ada@example.com").await, "nothing was deleted");

    let resp = delete(&t, &ada, json!({"password": PASSWORD})).await;
    resp.assert_status_is_ok();
    let cleared = crate::support::set_cookies(&resp);
    assert!(cleared.iter().any(|c| c.starts_with("better-auth.session_token=;")), "{cleared:?}");
    assert_eq!(json(resp).await, json!({"success": true, "message": "User deleted"}));
    assert!(!signs_in(&t, "ada@example.com").await);

    // A fresh session needs no password.
    let bob = sign_up(&t, "bob@example.com", "Bob").await;
    delete(&t, &bob, json!({})).await.assert_status_is_ok();
    assert!(!signs_in(&t, "bob@example.com").await);
    // The address is free again.
    sign_up(&t, "bob@example.com", "Bob again").await;
}

async fn a_deleted_user_is_refused_everywhere_at_once(backend: Backend) {
    let t = app(backend, false).await;
    let olivia = sign_up(&t, "olivia@example.com", "Olivia").await;
    let org = create_organization(&t, &olivia.bearer, "Acme", "acme").await["id"].as_str().unwrap().to_owned();
    let token =
        json(t.as_(&olivia.bearer).get("/api/auth/token").send().await).await["token"].as_str().unwrap().to_owned();
    let jwt = format!("Bearer {token}");
    t.as_(&jwt).in_org(&org).get("/api/orders").send().await.assert_status_is_ok();

    // The only owner stays until ownership moves.
    let resp = delete(&t, &olivia, json!({"password": PASSWORD})).await;
    assert_eq!(
        problem_code(resp, StatusCode::BAD_REQUEST).await,
        "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER"
    );
    t.as_(&jwt).in_org(&org).get("/api/orders").send().await.assert_status_is_ok();
    let pat = member(&t, &org, "pat@example.com", "owner").await;

    let resp = delete(&t, &olivia, json!({"password": PASSWORD})).await;
    resp.assert_status_is_ok();
    // Her session, her service JWT: refused at once, as unauthenticated.
    let session = t.client().get("/api/auth/get-session").header("authorization", &olivia.bearer).send().await;
    assert!(json(session).await.is_null());
    problem(t.as_(&jwt).in_org(&org).get("/api/orders").send().await, StatusCode::UNAUTHORIZED).await;
    // The organization goes on with its other owner.
    t.as_(&pat.bearer).in_org(&org).get("/api/orders").send().await.assert_status_is_ok();
    let path = format!("/api/auth/organization/list-members?organizationId={org}");
    let members = json(t.as_(&pat.bearer).get(path).send().await).await;
    assert_eq!(members["total"], 1, "{members}");

    // Services hear of it: sessions ended, membership removed, user deleted.
    let recorded = events(&t).await;
    let of = |kind: &str| recorded.iter().filter(|(k, _)| k == kind).map(|(_, e)| e.clone()).collect::<Vec<_>>();
    let deleted = of("identity.user.deleted");
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["data"], json!({"user_id": olivia.id, "deleted_by": olivia.id, "organization_ids": [org]}),);
    let left = of("identity.member.removed");
    assert_eq!((left.len(), left[0]["data"]["user_id"].clone()), (1, json!(olivia.id)));
    assert!(of("identity.session.revoked").iter().any(|e| e["data"]["user_id"] == json!(olivia.id)));
    #[cfg(feature = "leave")]
    {
        // Leave closes what it kept for her from the same event.
        let consumer = t.app.consumers.iter().find(|c| c.spec.durable_name == "leave-members-leaving").unwrap();
        let envelope: gremlin_kernel::EventEnvelope = serde_json::from_value(left[0].clone()).unwrap();
        (consumer.handler)(envelope).await.expect("leave takes the event");
    }
}

async fn a_mailed_link_deletes_its_own_user_once(backend: Backend) {
    let t = app(backend, true).await;
    let ada_email = address("ada-deletes");
    let ada = sign_up(&t, &ada_email, "Ada").await;
    let eve_email = address("eve-deletes");
    let eve = sign_up(&t, &eve_email, "Eve").await;
    age_sessions(&t, &ada.id).await;

    // The mail is the proof: no password, an old session, nothing deleted yet.
    let resp = delete(&t, &ada, json!({"callbackURL": "/goodbye"})).await;
    assert_eq!(json(resp).await, json!({"success": true, "message": "Verification email sent"}));
    assert!(signs_in(&t, &ada_email).await);
    let mail = mail_to(&ada_email, 1).await.remove(0);
    assert_eq!(mail.subject, "Confirm deleting your account");
    let link = mail.link("http://gremlin.test/api/auth/delete-user/callback?");
    let path = link.strip_prefix("http://gremlin.test").unwrap().to_owned();
    assert!(path.contains("callbackURL=%2Fgoodbye"), "{path}");

    // Someone else's session cannot use it; an unknown token is refused alike.
    let resp = t.client().get(&path).header("authorization", &eve.bearer).send().await;
    assert_eq!(problem_code(resp, StatusCode::NOT_FOUND).await, "INVALID_TOKEN");
    let unknown = "/api/auth/delete-user/callback?token=NeverIssued0Token0Of0Thirty0Two0";
    let resp = t.client().get(unknown).header("authorization", &ada.bearer).send().await;
    assert_eq!(problem_code(resp, StatusCode::NOT_FOUND).await, "INVALID_TOKEN");
    assert!(signs_in(&t, &ada_email).await);

    let resp = t.client().get(&path).header("authorization", &ada.bearer).send().await;
    resp.assert_status(StatusCode::FOUND);
    resp.assert_header("location", "/goodbye");
    assert!(!signs_in(&t, &ada_email).await);
    // Once: her sessions are gone with her.
    t.client().get(&path).header("authorization", &ada.bearer).send().await.assert_status(StatusCode::UNAUTHORIZED);
    assert!(signs_in(&t, &eve_email).await);
}
