//! Password reset and e-mail verification through mail a real SMTP server
//! (the sink `make services` starts) received, on SQLite and PostgreSQL,
//! with Better Auth's paths, bodies and codes: a reset link works once, an
//! unknown address is answered alike, a verification link unlocks sign-in
//! when verification is required, and operators' templates shape the mail.

use poem::http::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::support::mailbox::{address, arrived, mail_to, smtp_url};
use crate::support::{Backend, PASSWORD, TestApp, json, problem, sign_in, sign_up};

both_backends! {
    a_verified_address_changes_once_the_new_one_confirms => a_verified_address_changes_once_the_new_one_confirms,
    a_password_is_reset_once_through_the_mailed_link => a_password_is_reset_once_through_the_mailed_link,
    a_verified_address_unlocks_sign_in_when_verification_is_required => a_verified_address_unlocks_sign_in_when_verification_is_required,
}

const NEW_PASSWORD: &str = "a-brand-new-passphrase-2";

async fn app(backend: Backend, configure: impl FnOnce(&mut gremlin_config::Settings)) -> TestApp {
    TestApp::custom(
        backend,
        |s| {
            s.mail.url = gremlin_config::ServiceUrl::new(smtp_url());
            s.mail.from = "Gremlin <no-reply@gremlin.test>".into();
            s.server.public_url = "http://gremlin.test".into();
            configure(s);
        },
        |b| b,
    )
    .await
}

/// The path and query of an absolute link on the test's public origin.
fn local(link: &str) -> String {
    link.strip_prefix("http://gremlin.test").unwrap_or_else(|| panic!("{link} is not on the public origin")).to_owned()
}

async fn sign_in_status(t: &TestApp, email: &str, password: &str) -> (StatusCode, serde_json::Value) {
    let body = json!({"email": email, "password": password});
    let resp = t.client().post("/api/auth/sign-in/email").body_json(&body).send().await;
    let status = resp.0.status();
    (status, json(resp).await)
}

async fn a_password_is_reset_once_through_the_mailed_link(backend: Backend) {
    let t = app(backend, |s| s.auth.revoke_sessions_on_password_reset = true).await;
    let ada = address("ada");
    let before = sign_up(&t, &ada, "Ada").await;
    let ghost = address("ghost");

    // The same answer for an address nobody has.
    let ask = |email: &str| json!({"email": email, "redirectTo": "/reset"});
    let mut answers = Vec::new();
    for email in [&ghost, &ada] {
        let resp = t.client().post("/api/auth/request-password-reset").body_json(&ask(email)).send().await;
        resp.assert_status_is_ok();
        answers.push(json(resp).await);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[1]["status"], true);
    // A redirect elsewhere than the public origin is refused before anything.
    let evil = json!({"email": ada, "redirectTo": "https://evil.example/steal"});
    problem(t.client().post("/api/auth/request-password-reset").body_json(&evil).send().await, StatusCode::BAD_REQUEST)
        .await;

    let mail = mail_to(&ada, 1).await.remove(0);
    assert_eq!((mail.from.as_str(), mail.subject.as_str()), ("no-reply@gremlin.test", "Reset your password"));
    let link = mail.link("http://gremlin.test/api/auth/reset-password/");
    assert!(mail.html.contains(&link.replace('&', "&amp;")), "the HTML part carries the same link");
    assert!(arrived(&ghost).is_empty(), "nobody at an unknown address is mailed");

    // The link sends the browser on with the token.
    let resp = t.client().get(local(&link)).send().await;
    resp.assert_status(StatusCode::FOUND);
    let location = resp.0.headers()["location"].to_str().unwrap().to_owned();
    let token = location.strip_prefix("/reset?token=").unwrap_or_else(|| panic!("{location}")).to_owned();

    // Too short a password leaves the token usable.
    let short = json!({"newPassword": "short", "token": token});
    let resp = t.client().post("/api/auth/reset-password").body_json(&short).send().await;
    assert_eq!(problem(resp, StatusCode::BAD_REQUEST).await["code"], "PASSWORD_TOO_SHORT");
    let reset = json!({"newPassword": NEW_PASSWORD, "token": token});
    let resp = t.client().post("/api/auth/reset-password").body_json(&reset).send().await;
    resp.assert_status_is_ok();
    assert_eq!(json(resp).await, json!({"status": true}));

    // Once only; the link now says so.
    let resp = t.client().post("/api/auth/reset-password").body_json(&reset).send().await;
    assert_eq!(problem(resp, StatusCode::BAD_REQUEST).await["code"], "INVALID_TOKEN");
    let resp = t.client().get(local(&link)).send().await;
    resp.assert_status(StatusCode::FOUND);
    resp.assert_header("location", "/reset?error=INVALID_TOKEN");

    // The new password signs in, the old one does not, and the sessions
    // from before are over.
    assert_eq!(sign_in_status(&t, &ada, PASSWORD).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(sign_in_status(&t, &ada, NEW_PASSWORD).await.0, StatusCode::OK);
    let session =
        json(t.client().get("/api/auth/get-session").header("authorization", &before.bearer).send().await).await;
    assert!(session.is_null(), "{session}");

    // A token past its hour, or never issued, is refused alike.
    let db = &t.app.adapters.db;
    let expired = chrono_free_past();
    let sql = r#"INSERT INTO "verification" ("id", "identifier", "value", "expiresAt", "createdAt", "updatedAt") VALUES ($1, $2, $3, $4, $4, $4)"#;
    let values: Vec<sea_orm::Value> = vec![
        "v-expired".into(),
        "reset-password:Expired0Token0Of0Thirty0Two0Chars".into(),
        before.id.clone().into(),
        expired.into(),
    ];
    sea_orm::ConnectionTrait::execute_raw(db, gremlin_kernel::sql::statement(db.get_database_backend(), sql, values))
        .await
        .unwrap();
    for token in ["Expired0Token0Of0Thirty0Two0Chars", "NeverIssued0Token0Of0Thirty0Two0"] {
        let body = json!({"newPassword": NEW_PASSWORD, "token": token});
        let resp = t.client().post("/api/auth/reset-password").body_json(&body).send().await;
        assert_eq!(problem(resp, StatusCode::BAD_REQUEST).await["code"], "INVALID_TOKEN", "{token}");
    }
}

fn chrono_free_past() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() - time::Duration::hours(2)
}

async fn a_verified_address_unlocks_sign_in_when_verification_is_required(backend: Backend) {
    let t = app(backend, |s| {
        s.auth.require_email_verification = true;
        s.auth.auto_sign_in_after_verification = true;
    })
    .await;
    let bea = address("bea");
    let body = json!({"name": "Bea", "email": bea, "password": PASSWORD, "callbackURL": "/welcome"});
    let resp = t.client().post("/api/auth/sign-up/email").body_json(&body).send().await;
    resp.assert_status_is_ok();
    assert!(resp.0.headers().get("set-cookie").is_none(), "no session before the address is verified");
    let signed_up = json(resp).await;
    assert!(signed_up["token"].is_null(), "{signed_up}");
    assert_eq!(signed_up["user"]["emailVerified"], false);
    let first = mail_to(&bea, 1).await.remove(0);
    assert_eq!(first.subject, "Verify your e-mail address");

    // Signing in is refused, and mails a fresh link.
    let (status, refused) = sign_in_status(&t, &bea, PASSWORD).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::FORBIDDEN, Some("EMAIL_NOT_VERIFIED")));
    let fresh = mail_to(&bea, 1).await.remove(0);
    // A wrong password is still just a wrong password.
    assert_eq!(sign_in_status(&t, &bea, "not-the-password-9").await.0, StatusCode::UNAUTHORIZED);

    // An altered link is refused; with a callback the browser hears why.
    let link = fresh.link("http://gremlin.test/api/auth/verify-email?");
    let token = link.split("token=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let altered = format!("/api/auth/verify-email?token={}x", token);
    assert_eq!(problem(t.client().get(&altered).send().await, StatusCode::UNAUTHORIZED).await["code"], "INVALID_TOKEN");
    let resp = t.client().get(format!("{altered}&callbackURL=/welcome")).send().await;
    resp.assert_status(StatusCode::FOUND);
    resp.assert_header("location", "/welcome?error=invalid_token");

    // The first link (sign-up's) works: verified, signed in, sent on.
    let resp = t.client().get(local(&first.link("http://gremlin.test/api/auth/verify-email?"))).send().await;
    resp.assert_status(StatusCode::FOUND);
    resp.assert_header("location", "/welcome");
    let cookie = resp.0.headers().get("set-cookie").expect("a session cookie").to_str().unwrap().to_owned();
    assert!(cookie.starts_with("better-auth.session_token="), "{cookie}");
    let (status, signed_in) = sign_in_status(&t, &bea, PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(signed_in["user"]["emailVerified"], true);

    // Verified, asking again is refused when signed in and silent when not.
    let bea_session = sign_in(&t, &bea).await;
    let again = json!({"email": bea});
    let resp = t
        .client()
        .post("/api/auth/send-verification-email")
        .header("authorization", &bea_session.bearer)
        .body_json(&again)
        .send()
        .await;
    assert_eq!(problem(resp, StatusCode::BAD_REQUEST).await["code"], "EMAIL_ALREADY_VERIFIED");
    let other = json!({"email": address("someone-else")});
    let resp = t
        .client()
        .post("/api/auth/send-verification-email")
        .header("authorization", &bea_session.bearer)
        .body_json(&other)
        .send()
        .await;
    assert_eq!(problem(resp, StatusCode::BAD_REQUEST).await["code"], "EMAIL_MISMATCH");
    let resp = t.client().post("/api/auth/send-verification-email").body_json(&again).send().await;
    assert_eq!(json(resp).await, json!({"status": true}));
}

async fn change_email(t: &TestApp, bearer: &str, body: serde_json::Value) -> poem::test::TestResponse {
    t.client().post("/api/auth/change-email").header("authorization", bearer).body_json(&body).send().await
}

async fn a_verified_address_changes_once_the_new_one_confirms(backend: Backend) {
    let t = app(backend, |_| {}).await;
    let (old, new) = (address("fay"), address("fay-new"));
    let fay = sign_up(&t, &old, "Fay").await;
    let db = &t.app.adapters.db;
    let sql = r#"UPDATE "user" SET "emailVerified" = $1 WHERE "id" = $2"#;
    let values: Vec<sea_orm::Value> = vec![true.into(), fay.id.clone().into()];
    sea_orm::ConnectionTrait::execute_raw(db, gremlin_kernel::sql::statement(db.get_database_backend(), sql, values))
        .await
        .unwrap();

    // The same address, or someone else's, is refused.
    let same = change_email(&t, &fay.bearer, json!({"newEmail": old.to_uppercase()})).await;
    problem(same, StatusCode::BAD_REQUEST).await;
    let gus = address("gus");
    sign_up(&t, &gus, "Gus").await;
    let taken = change_email(&t, &fay.bearer, json!({"newEmail": gus})).await;
    assert_eq!(problem(taken, StatusCode::UNPROCESSABLE_ENTITY).await["code"], "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");

    let asked = change_email(&t, &fay.bearer, json!({"newEmail": new, "callbackURL": "/settings"})).await;
    asked.assert_status_is_ok();
    let asked = json(asked).await;
    assert_eq!((asked["message"].as_str(), asked["user"].is_null()), (Some("Verification email sent"), true));
    let confirm = mail_to(&new, 1).await.remove(0);
    assert_eq!(confirm.subject, "Confirm your new e-mail address");
    let notice = mail_to(&old, 1).await.remove(0);
    assert_eq!(notice.subject, "Your e-mail address is being changed");
    assert!(notice.text.contains(&new) && !notice.text.contains("token="), "{}", notice.text);
    // Nothing changes until the new address confirms.
    assert_eq!(sign_in_status(&t, &old, PASSWORD).await.0, StatusCode::OK);
    let link = local(&confirm.link("http://gremlin.test/api/auth/verify-email?"));
    let resp = t.client().get(&link).send().await;
    resp.assert_status(StatusCode::FOUND);
    resp.assert_header("location", "/settings");
    assert_eq!(sign_in_status(&t, &old, PASSWORD).await.0, StatusCode::UNAUTHORIZED);
    let (status, signed_in) = sign_in_status(&t, &new, PASSWORD).await;
    assert_eq!((status, signed_in["user"]["emailVerified"].clone()), (StatusCode::OK, json!(true)));
    // The link works once.
    problem(t.client().get(link.split("&callbackURL").next().unwrap()).send().await, StatusCode::NOT_FOUND).await;

    // An unverified address is replaced at once.
    let hal = sign_up(&t, &address("hal"), "Hal").await;
    let hal_new = address("hal-new");
    let done = json(change_email(&t, &hal.bearer, json!({"newEmail": hal_new})).await).await;
    assert_eq!(
        (done["message"].as_str(), done["user"]["email"].as_str()),
        (Some("Email updated"), Some(hal_new.as_str()))
    );
    assert_eq!(sign_in_status(&t, &hal_new, PASSWORD).await.0, StatusCode::OK);
}

/// Signed out, anyone may ask for a link to an unverified address; the
/// link verifies it without a session unless configured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_asked_for_while_signed_out_verifies_without_signing_in() {
    let t = app(Backend::Sqlite, |_| {}).await;
    let cy = address("cy");
    sign_up(&t, &cy, "Cy").await;
    assert!(arrived(&cy).is_empty(), "no verification mail on sign-up unless configured");
    let ask = json!({"email": cy, "callbackURL": "/done"});
    t.client().post("/api/auth/send-verification-email").body_json(&ask).send().await.assert_status_is_ok();
    let mail = mail_to(&cy, 1).await.remove(0);
    let link = mail.link("http://gremlin.test/api/auth/verify-email?");
    let without_callback = local(&link).split("&callbackURL").next().unwrap().to_owned();
    let resp = t.client().get(&without_callback).send().await;
    resp.assert_status_is_ok();
    assert!(resp.0.headers().get("set-cookie").is_none());
    assert_eq!(json(resp).await, json!({"status": true, "user": null}));
    let (status, signed_in) = sign_in_status(&t, &cy, PASSWORD).await;
    assert_eq!((status, signed_in["user"]["emailVerified"].clone()), (StatusCode::OK, json!(true)));
}

/// An operator's template directory replaces the parts it holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operators_templates_shape_the_mail() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("reset_password.subject.txt"), "Password help for {{name}}").unwrap();
    std::fs::write(dir.path().join("reset_password.txt"), "Hi {{name}}, go to {{url}} within {{expires_minutes}} min.")
        .unwrap();
    let path = dir.path().to_string_lossy().into_owned();
    let t = app(Backend::Sqlite, |s| s.mail.templates_dir = Some(path)).await;
    let dee = address("dee");
    sign_up(&t, &dee, "Dee").await;
    let ask = json!({"email": dee});
    t.client().post("/api/auth/request-password-reset").body_json(&ask).send().await.assert_status_is_ok();
    let mail = mail_to(&dee, 1).await.remove(0);
    assert_eq!(mail.subject, "Password help for Dee");
    assert!(mail.text.starts_with("Hi Dee, go to http://gremlin.test/api/auth/reset-password/"), "{}", mail.text);
    assert!(mail.text.ends_with("within 60 min."), "{}", mail.text);
    assert!(mail.html.contains("Choose a new password"), "the built-in HTML part stays");
}

async fn check(t: &TestApp, bearer: &str, password: &str) -> poem::test::TestResponse {
    let body = json!({"password": password});
    t.client().post("/api/auth/verify-password").header("authorization", bearer).body_json(&body).send().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_user_checks_their_password() {
    let t = app(Backend::Sqlite, |_| {}).await;
    let eve = sign_up(&t, &address("eve"), "Eve").await;
    assert_eq!(json(check(&t, &eve.bearer, PASSWORD).await).await, json!({"status": true}));
    assert_eq!(
        problem(check(&t, &eve.bearer, "wrong-password-1").await, StatusCode::BAD_REQUEST).await["code"],
        "INVALID_PASSWORD"
    );
    let anonymous = t.client().post("/api/auth/verify-password").body_json(&json!({"password": PASSWORD})).send().await;
    problem(anonymous, StatusCode::UNAUTHORIZED).await;
}

/// A bad template fails start-up, naming the file and the placeholder.
#[tokio::test]
async fn a_template_with_an_unknown_placeholder_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("verify_email.txt"), "Open {{link}}").unwrap();
    let db = crate::support::TestDb::migrated(Backend::Sqlite).await;
    let mut s = db.settings();
    s.mail.templates_dir = Some(dir.path().to_string_lossy().into_owned());
    let Err(err) = gremlin::AppBuilder::new(s).build().await else { panic!("the app built with a bad template") };
    let err = format!("{err:#}");
    assert!(err.contains("verify_email.txt") && err.contains("{{link}}"), "{err}");
}
