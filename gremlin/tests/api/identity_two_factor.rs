//! Two-factor sign-in (Better Auth's `two-factor` plugin), on SQLite and
//! PostgreSQL: set up with the password, on after one code; then a
//! password alone opens no session, only a challenge that a TOTP or backup
//! code completes, once; wrong codes end the challenge after five, however
//! many arrive at once; backup codes work once and can be replaced; a
//! trusted device skips the second factor until two-factor is turned off;
//! secrets are stored encrypted.

use gremlin_identity::crypto::keys;
use gremlin_identity::model::two_factor::{MAX_ATTEMPTS, totp_now, verify_totp};
use gremlin_kernel::sql::statement;
use poem::http::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::both_backends;
use crate::support::two_factor::{self, now, secret_of};
use crate::support::{Backend, PASSWORD, SignedUp, TestApp, json, problem_code, set_cookies, sign_up};

both_backends! {
    a_second_factor_guards_sign_in_once_turned_on => a_second_factor_guards_sign_in_once_turned_on,
    wrong_codes_end_the_sign_in_after_five => wrong_codes_end_the_sign_in_after_five,
    backup_codes_work_once_and_can_be_replaced => backup_codes_work_once_and_can_be_replaced,
    a_trusted_device_skips_the_code_until_two_factor_is_off => a_trusted_device_skips_the_code_until_two_factor_is_off,
}

/// The origin test requests come from when they carry cookies.
const ORIGIN: &str = "http://127.0.0.1:8080";

/// A six-digit code that `secret` does not accept now.
fn wrong_code(secret: &str) -> String {
    (0..1_000_000).map(|n| format!("{n:06}")).find(|c| !verify_totp(secret, c, now())).unwrap()
}

/// `name=value` of the cookie `name` among `resp`'s `Set-Cookie` headers.
fn cookie(resp: &poem::test::TestResponse, name: &str) -> Option<String> {
    set_cookies(resp)
        .into_iter()
        .find(|c| c.starts_with(&format!("better-auth.{name}=")) && !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

async fn post(t: &TestApp, who: &SignedUp, path: &str, body: serde_json::Value) -> poem::test::TestResponse {
    t.client()
        .post(format!("/api/auth/two-factor/{path}"))
        .header("authorization", &who.bearer)
        .body_json(&body)
        .send()
        .await
}

/// Sets two-factor up for `who` and turns it on with a first code.
async fn turn_on(t: &TestApp, who: &SignedUp) -> (String, Vec<String>) {
    two_factor::turn_on(t, &who.bearer).await
}

/// Signs in with the password, sending `cookies`; the answer.
async fn sign_in_with(t: &TestApp, email: &str, cookies: &[&str]) -> poem::test::TestResponse {
    let client = t.client();
    let mut request = client.post("/api/auth/sign-in/email").body_json(&json!({"email": email, "password": PASSWORD}));
    if !cookies.is_empty() {
        request = request.header("cookie", cookies.join("; ")).header("origin", ORIGIN);
    }
    request.send().await
}

/// Signs in and expects the demand for a second factor; its cookie.
async fn challenge(t: &TestApp, email: &str) -> String {
    let resp = sign_in_with(t, email, &[]).await;
    resp.assert_status_is_ok();
    assert!(resp.0.headers().get("set-auth-token").is_none(), "no session before the second factor");
    assert!(cookie(&resp, "session_token").is_none());
    let pending = cookie(&resp, "two_factor").expect("the two_factor cookie");
    assert_eq!(json(resp).await["twoFactorRedirect"], true);
    pending
}

/// Gives a second factor with the sign-in's cookie.
async fn give(t: &TestApp, pending: &str, path: &str, body: serde_json::Value) -> poem::test::TestResponse {
    t.client()
        .post(format!("/api/auth/two-factor/{path}"))
        .header("cookie", pending)
        .header("origin", ORIGIN)
        .body_json(&body)
        .send()
        .await
}

/// The attempts the sign-in behind the `two_factor` cookie `pending` has
/// counted, read from its `verification` row.
async fn attempts_counted(t: &TestApp, pending: &str) -> u32 {
    let signed = pending.split_once('=').unwrap().1.replace("%3D", "=").replace("%2F", "/").replace("%2B", "+");
    let identifier = signed.rsplit_once('.').unwrap().0.to_owned();
    let db = &t.app.adapters.db;
    let sql = r#"SELECT "value" FROM "verification" WHERE "identifier" = $1"#;
    let row = db.query_one_raw(statement(db.get_database_backend(), sql, vec![identifier.into()])).await.unwrap();
    let value: String = row.expect("the challenge's row").try_get_by_index(0).unwrap();
    value.split(':').nth(1).unwrap().parse().unwrap()
}

async fn session_of(t: &TestApp, resp: poem::test::TestResponse) -> serde_json::Value {
    resp.assert_status_is_ok();
    let signed = resp.0.headers().get("set-auth-token").expect("set-auth-token").to_str().unwrap().to_owned();
    assert!(cookie(&resp, "session_token").is_some());
    let session =
        t.client().get("/api/auth/get-session").header("authorization", format!("Bearer {signed}")).send().await;
    json(session).await
}

async fn a_second_factor_guards_sign_in_once_turned_on(backend: Backend) {
    let t = TestApp::new(backend).await;
    let ann = sign_up(&t, "ann@example.com", "Ann").await;
    // Set-up needs the password and a session.
    let resp = post(&t, &ann, "enable", json!({"password": "not-the-password"})).await;
    assert_eq!(problem_code(resp, StatusCode::BAD_REQUEST).await, "INVALID_PASSWORD");
    let resp = t.client().post("/api/auth/two-factor/enable").body_json(&json!({"password": PASSWORD})).send().await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    let resp = post(&t, &ann, "get-totp-uri", json!({"password": PASSWORD})).await;
    assert_eq!(problem_code(resp, StatusCode::BAD_REQUEST).await, "TOTP_NOT_ENABLED");
    let setup = json(post(&t, &ann, "enable", json!({"password": PASSWORD, "issuer": "Acme"})).await).await;
    let uri = setup["totpURI"].as_str().unwrap().to_owned();
    assert!(uri.starts_with("otpauth://totp/Acme:ann%40example.com?secret="), "{uri}");
    let secret = secret_of(&uri);
    assert_eq!(setup["backupCodes"].as_array().unwrap().len(), 10);

    // Stored encrypted under the auth secret, never in the clear.
    let db = &t.app.adapters.db;
    let sql = r#"SELECT "secret", "backupCodes" FROM "twoFactor" WHERE "userId" = $1"#;
    let row = db.query_one_raw(statement(db.get_database_backend(), sql, vec![ann.id.clone().into()])).await.unwrap();
    let row = row.expect("a twoFactor row");
    let (stored, codes): (String, String) = (row.try_get_by_index(0).unwrap(), row.try_get_by_index(1).unwrap());
    assert!(!stored.contains(&secret) && !codes.contains(setup["backupCodes"][0].as_str().unwrap()));
    let auth_secret = t.app.settings.auth.secret.as_ref().unwrap().expose();
    assert_eq!(keys::decrypt(auth_secret, &stored).unwrap(), secret);

    // Set up but not on until a code is given: sign-in still opens a session.
    assert!(sign_in_with(&t, "ann@example.com", &[]).await.0.headers().get("set-auth-token").is_some());
    let resp = post(&t, &ann, "verify-totp", json!({"code": wrong_code(&secret)})).await;
    assert_eq!(problem_code(resp, StatusCode::UNAUTHORIZED).await, "INVALID_CODE");
    let resp = post(&t, &ann, "verify-totp", json!({"code": totp_now(&secret, now())})).await;
    assert_eq!(json(resp).await["user"]["twoFactorEnabled"], true);
    let same = json(post(&t, &ann, "get-totp-uri", json!({"password": PASSWORD, "issuer": "Acme"})).await).await;
    assert_eq!(same["totpURI"], uri.as_str());

    // Now the password alone opens nothing; the code finishes the sign-in.
    let pending = challenge(&t, "ann@example.com").await;
    let resp = t.client().post("/api/auth/two-factor/verify-totp").body_json(&json!({"code": "123456"})).send().await;
    assert_eq!(problem_code(resp, StatusCode::UNAUTHORIZED).await, "UNAUTHORIZED");
    let forged = format!("{}x", pending);
    let resp = give(&t, &forged, "verify-totp", json!({"code": totp_now(&secret, now())})).await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    let session =
        session_of(&t, give(&t, &pending, "verify-totp", json!({"code": totp_now(&secret, now())})).await).await;
    assert_eq!(session["user"]["email"], "ann@example.com");
    assert_eq!(session["user"]["twoFactorEnabled"], true);
    // The challenge works once.
    let resp = give(&t, &pending, "verify-totp", json!({"code": totp_now(&secret, now())})).await;
    assert_eq!(problem_code(resp, StatusCode::UNAUTHORIZED).await, "INVALID_TWO_FACTOR_COOKIE");
    // Another signed value (a session cookie's) is no challenge.
    let as_challenge =
        format!("better-auth.two_factor={}", ann.signed.replace('=', "%3D").replace('/', "%2F").replace('+', "%2B"));
    let resp = give(&t, &as_challenge, "verify-totp", json!({"code": totp_now(&secret, now())})).await;
    assert_eq!(problem_code(resp, StatusCode::UNAUTHORIZED).await, "INVALID_TWO_FACTOR_COOKIE");
}

async fn wrong_codes_end_the_sign_in_after_five(backend: Backend) {
    let t = TestApp::new(backend).await;
    let bo = sign_up(&t, "bo@example.com", "Bo").await;
    let (secret, _) = turn_on(&t, &bo).await;
    let pending = challenge(&t, "bo@example.com").await;
    for _ in 0..MAX_ATTEMPTS {
        let resp = give(&t, &pending, "verify-totp", json!({"code": wrong_code(&secret)})).await;
        assert_eq!(problem_code(resp, StatusCode::UNAUTHORIZED).await, "INVALID_CODE");
    }
    let resp = give(&t, &pending, "verify-totp", json!({"code": totp_now(&secret, now())})).await;
    assert_eq!(problem_code(resp, StatusCode::UNAUTHORIZED).await, "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE");
    let resp = give(&t, &pending, "verify-totp", json!({"code": totp_now(&secret, now())})).await;
    assert_eq!(problem_code(resp, StatusCode::UNAUTHORIZED).await, "INVALID_TWO_FACTOR_COOKIE");

    // Thirty guesses at once: each is counted before its code is checked
    // (or refused unchecked when another counted first), so parallel and
    // later guesses together still check at most five codes.
    let pending = challenge(&t, "bo@example.com").await;
    let wrong = wrong_code(&secret);
    let guesses = (0..30).map(|_| give(&t, &pending, "verify-totp", json!({"code": wrong})));
    for resp in futures_util::future::join_all(guesses).await {
        resp.assert_status(StatusCode::UNAUTHORIZED);
    }
    let counted = attempts_counted(&t, &pending).await;
    assert!((1..=MAX_ATTEMPTS).contains(&counted), "{counted} attempts counted");
    for _ in counted..MAX_ATTEMPTS {
        let resp = give(&t, &pending, "verify-totp", json!({"code": wrong})).await;
        assert_eq!(problem_code(resp, StatusCode::UNAUTHORIZED).await, "INVALID_CODE");
    }
    let resp = give(&t, &pending, "verify-totp", json!({"code": totp_now(&secret, now())})).await;
    assert_eq!(problem_code(resp, StatusCode::UNAUTHORIZED).await, "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE");
    // A fresh sign-in gets fresh attempts.
    let pending = challenge(&t, "bo@example.com").await;
    session_of(&t, give(&t, &pending, "verify-totp", json!({"code": totp_now(&secret, now())})).await).await;
}

async fn backup_codes_work_once_and_can_be_replaced(backend: Backend) {
    let t = TestApp::new(backend).await;
    let cy = sign_up(&t, "cy@example.com", "Cy").await;
    // Backup codes are only for a turned-on second factor.
    let resp = post(&t, &cy, "generate-backup-codes", json!({"password": PASSWORD})).await;
    assert_eq!(problem_code(resp, StatusCode::BAD_REQUEST).await, "TWO_FACTOR_NOT_ENABLED");
    let (_, codes) = turn_on(&t, &cy).await;

    let pending = challenge(&t, "cy@example.com").await;
    session_of(&t, give(&t, &pending, "verify-backup-code", json!({"code": codes[0]})).await).await;
    let pending = challenge(&t, "cy@example.com").await;
    let resp = give(&t, &pending, "verify-backup-code", json!({"code": codes[0]})).await;
    assert_eq!(problem_code(resp, StatusCode::UNAUTHORIZED).await, "INVALID_BACKUP_CODE");
    // Sent twice at once, a code is spent once.
    let (first, second) = futures_util::join!(
        give(&t, &pending, "verify-backup-code", json!({"code": codes[1]})),
        give(&t, &pending, "verify-backup-code", json!({"code": codes[1]}))
    );
    let statuses = [first.0.status(), second.0.status()];
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");

    // New codes replace the old ones.
    let resp = post(&t, &cy, "generate-backup-codes", json!({"password": "wrong-password-1"})).await;
    assert_eq!(problem_code(resp, StatusCode::BAD_REQUEST).await, "INVALID_PASSWORD");
    let fresh = json(post(&t, &cy, "generate-backup-codes", json!({"password": PASSWORD})).await).await;
    let fresh: Vec<String> =
        fresh["backupCodes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(fresh.len(), 10);
    let pending = challenge(&t, "cy@example.com").await;
    let resp = give(&t, &pending, "verify-backup-code", json!({"code": codes[2]})).await;
    assert_eq!(problem_code(resp, StatusCode::UNAUTHORIZED).await, "INVALID_BACKUP_CODE");
    // With disableSession the token comes in the body only.
    let resp = give(&t, &pending, "verify-backup-code", json!({"code": fresh[0], "disableSession": true})).await;
    resp.assert_status_is_ok();
    assert!(cookie(&resp, "session_token").is_none());
    let token = json(resp).await["token"].as_str().unwrap().to_owned();
    let session =
        t.client().get("/api/auth/get-session").header("authorization", format!("Bearer {token}")).send().await;
    assert_eq!(json(session).await["user"]["email"], "cy@example.com");
}

async fn a_trusted_device_skips_the_code_until_two_factor_is_off(backend: Backend) {
    let t = TestApp::new(backend).await;
    let di = sign_up(&t, "di@example.com", "Di").await;
    let ed = sign_up(&t, "ed@example.com", "Ed").await;
    let (secret, _) = turn_on(&t, &di).await;
    turn_on(&t, &ed).await;

    let pending = challenge(&t, "di@example.com").await;
    let resp = give(&t, &pending, "verify-totp", json!({"code": totp_now(&secret, now()), "trustDevice": true})).await;
    let device = cookie(&resp, "trust_device").expect("a trust_device cookie");
    let attributes = set_cookies(&resp).into_iter().find(|c| c.starts_with("better-auth.trust_device=")).unwrap();
    assert!(attributes.contains("Max-Age=2592000") && attributes.contains("HttpOnly"), "{attributes}");
    session_of(&t, resp).await;

    // This device signs Di in at once, but not Ed.
    let resp = sign_in_with(&t, "di@example.com", &[&device]).await;
    assert!(resp.0.headers().get("set-auth-token").is_some(), "a trusted device skips the code");
    let resp = sign_in_with(&t, "ed@example.com", &[&device]).await;
    assert_eq!(json(resp).await["twoFactorRedirect"], true);

    // Turning two-factor off needs the password, forgets the device, and
    // signs in with the password alone.
    let resp = post(&t, &di, "disable", json!({"password": "wrong-password-1"})).await;
    assert_eq!(problem_code(resp, StatusCode::BAD_REQUEST).await, "INVALID_PASSWORD");
    assert_eq!(json(post(&t, &di, "disable", json!({"password": PASSWORD})).await).await["status"], true);
    let resp = sign_in_with(&t, "di@example.com", &[]).await;
    assert_eq!(json(resp).await["user"]["twoFactorEnabled"], false);
    turn_on(&t, &di).await;
    let resp = sign_in_with(&t, "di@example.com", &[&device]).await;
    assert_eq!(json(resp).await["twoFactorRedirect"], true, "the device was forgotten");
}
