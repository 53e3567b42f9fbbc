//! Platform administration through the real router, on SQLite and
//! PostgreSQL: admin-only access, the user list, user management, bans,
//! impersonation, session logs, and the CLI that creates the first admin.

use gremlin_kernel::sql::statement;
use poem::http::StatusCode;
use poem::test::TestResponse;
use sea_orm::ConnectionTrait;
use serde_json::{Value as Json, json};

use crate::both_backends;
use crate::support::{Backend, PASSWORD, SignedUp, TestApp, json, sign_up};

both_backends! {
    only_platform_admins_administer => only_platform_admins_administer,
    users_are_searched_sorted_and_paged => users_are_searched_sorted_and_paged,
    users_are_created_updated_and_removed => users_are_created_updated_and_removed,
    bans_end_sessions_and_are_logged => bans_end_sessions_and_are_logged,
    impersonation_is_bounded_and_recorded => impersonation_is_bounded_and_recorded,
    the_cli_creates_the_first_admin => the_cli_creates_the_first_admin,
}

type Someone = SignedUp;

/// Promotes a user in SQL, as Better Auth's documentation does for the first admin.
async fn make_admin(t: &TestApp, user: &Someone) {
    let db = &t.app.adapters.db;
    db.execute_raw(statement(
        db.get_database_backend(),
        r#"UPDATE "user" SET "role" = 'admin' WHERE "id" = $1"#,
        vec![user.id.clone().into()],
    ))
    .await
    .unwrap();
}

async fn admin_post(t: &TestApp, who: &Someone, path: &str, body: Json) -> TestResponse {
    t.client().post(format!("/api/auth/admin{path}")).header("authorization", &who.bearer).body_json(&body).send().await
}

async fn admin_get(t: &TestApp, who: &Someone, path: &str) -> TestResponse {
    t.client().get(format!("/api/auth/admin{path}")).header("authorization", &who.bearer).send().await
}

async fn expect(resp: TestResponse, status: StatusCode, code: &str) {
    resp.assert_status(status);
    let body = json(resp).await;
    assert_eq!(body["code"], code, "{body}");
}

async fn only_platform_admins_administer(backend: Backend) {
    let t = TestApp::new(backend).await;
    let user = sign_up(&t, "user@example.com", "User").await;
    expect(admin_get(&t, &user, "/list-users").await, StatusCode::FORBIDDEN, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS").await;
    expect(
        admin_post(&t, &user, "/ban-user", json!({"userId": user.id})).await,
        StatusCode::FORBIDDEN,
        "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS",
    )
    .await;
    expect(
        admin_get(&t, &user, "/session-logs").await,
        StatusCode::FORBIDDEN,
        "YOU_ARE_NOT_ALLOWED_TO_LIST_SESSION_LOGS",
    )
    .await;
    let anonymous = t.client().get("/api/auth/admin/list-users").send().await;
    expect(anonymous, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    make_admin(&t, &user).await;
    admin_get(&t, &user, "/list-users").await.assert_status_is_ok();
}

async fn users_are_searched_sorted_and_paged(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = sign_up(&t, "admin@corp.example", "Ada").await;
    make_admin(&t, &admin).await;
    for (email, name) in [
        ("bob@example.com", "Bob"),
        ("carol@example.com", "Carol"),
        ("dan@other.example", "Dan"),
        ("eve_x@example.com", "Eve"),
    ] {
        sign_up(&t, email, name).await;
    }
    let all = json(admin_get(&t, &admin, "/list-users").await).await;
    assert_eq!((all["total"].clone(), all["users"].as_array().unwrap().len()), (json!(5), 5));
    assert!(all.get("limit").is_none(), "no limit echoed when none was asked");

    let page = json(admin_get(&t, &admin, "/list-users?searchField=email&searchOperator=ends_with&searchValue=EXAMPLE.COM&sortBy=name&sortDirection=desc&limit=2&offset=1").await).await;
    let names: Vec<&str> = page["users"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Carol", "Bob"], "Eve, Carol, Bob sorted desc; offset 1, limit 2");
    assert_eq!((page["total"].clone(), page["limit"].clone(), page["offset"].clone()), (json!(3), json!(2), json!(1)));
    let literal = json(admin_get(&t, &admin, "/list-users?searchValue=_x").await).await;
    assert_eq!(literal["total"], 1, "`_` matches itself, not any character");
    let admins =
        json(admin_get(&t, &admin, "/list-users?filterField=role&filterOperator=eq&filterValue=admin").await).await;
    assert_eq!(admins["users"][0]["email"], "admin@corp.example");
    assert_eq!(admins["total"], 1);
    for bad in [
        "sortBy=password",
        "sortDirection=sideways",
        "filterField=password&filterValue=x",
        "searchOperator=regex&searchValue=x",
    ] {
        expect(admin_get(&t, &admin, &format!("/list-users?{bad}")).await, StatusCode::BAD_REQUEST, "VALIDATION_ERROR")
            .await;
    }
}

async fn users_are_created_updated_and_removed(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = sign_up(&t, "admin@example.com", "Ada").await;
    make_admin(&t, &admin).await;
    let created = json(
        admin_post(
            &t,
            &admin,
            "/create-user",
            json!({"email": "New@Example.com", "password": PASSWORD, "name": "Newbie"}),
        )
        .await,
    )
    .await;
    let id = created["user"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (created["user"]["email"].clone(), created["user"]["role"].clone()),
        (json!("new@example.com"), json!("user"))
    );
    expect(
        admin_post(
            &t,
            &admin,
            "/create-user",
            json!({"email": "new@example.com", "password": PASSWORD, "name": "Again"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
    )
    .await;
    let fetched = json(admin_get(&t, &admin, &format!("/get-user?id={id}")).await).await;
    assert_eq!(fetched["user"]["name"], "Newbie");
    expect(admin_get(&t, &admin, "/get-user?id=nobody").await, StatusCode::NOT_FOUND, "USER_NOT_FOUND").await;

    let updated = json(
        admin_post(
            &t,
            &admin,
            "/update-user",
            json!({"userId": id, "data": {"name": "Renamed", "emailVerified": true}}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (updated["user"]["name"].clone(), updated["user"]["emailVerified"].clone()),
        (json!("Renamed"), json!(true))
    );
    expect(
        admin_post(&t, &admin, "/set-role", json!({"userId": id, "role": "superuser"})).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    let promoted =
        json(admin_post(&t, &admin, "/set-role", json!({"userId": id, "role": ["admin", "user"]})).await).await;
    assert_eq!(promoted["user"]["role"], "admin,user");
    admin_post(&t, &admin, "/set-user-password", json!({"userId": id, "newPassword": "brand-new-password-7"}))
        .await
        .assert_status_is_ok();
    let signed_in = t
        .client()
        .post("/api/auth/sign-in/email")
        .body_json(&json!({"email": "new@example.com", "password": "brand-new-password-7"}))
        .send()
        .await;
    signed_in.assert_status_is_ok();

    expect(
        admin_post(&t, &admin, "/remove-user", json!({"userId": admin.id})).await,
        StatusCode::BAD_REQUEST,
        "YOU_CANNOT_REMOVE_YOURSELF",
    )
    .await;
    assert_eq!(
        json(admin_post(&t, &admin, "/remove-user", json!({"userId": id})).await).await,
        json!({"success": true})
    );
    expect(admin_get(&t, &admin, &format!("/get-user?id={id}")).await, StatusCode::NOT_FOUND, "USER_NOT_FOUND").await;
    let gone = t
        .client()
        .post("/api/auth/sign-in/email")
        .body_json(&json!({"email": "new@example.com", "password": "brand-new-password-7"}))
        .send()
        .await;
    gone.assert_status(StatusCode::UNAUTHORIZED);
}

async fn bans_end_sessions_and_are_logged(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = sign_up(&t, "admin@example.com", "Ada").await;
    make_admin(&t, &admin).await;
    let bob = sign_up(&t, "bob@example.com", "Bob").await;
    expect(
        admin_post(&t, &admin, "/ban-user", json!({"userId": admin.id})).await,
        StatusCode::BAD_REQUEST,
        "YOU_CANNOT_BAN_YOURSELF",
    )
    .await;
    let banned = json(
        admin_post(&t, &admin, "/ban-user", json!({"userId": bob.id, "banReason": "spam", "banExpiresIn": 3600})).await,
    )
    .await;
    assert_eq!((banned["user"]["banned"].clone(), banned["user"]["banReason"].clone()), (json!(true), json!("spam")));
    assert!(banned["user"]["banExpires"].is_string());
    let session = json(t.client().get("/api/auth/get-session").header("authorization", &bob.bearer).send().await).await;
    assert_eq!(session, Json::Null, "sessions end with the ban");
    expect(
        t.client()
            .post("/api/auth/sign-in/email")
            .body_json(&json!({"email": "bob@example.com", "password": PASSWORD}))
            .send()
            .await,
        StatusCode::FORBIDDEN,
        "BANNED_USER",
    )
    .await;
    let unbanned = json(admin_post(&t, &admin, "/unban-user", json!({"userId": bob.id})).await).await;
    assert_eq!((unbanned["user"]["banned"].clone(), unbanned["user"]["banReason"].clone()), (json!(false), Json::Null));
    t.client()
        .post("/api/auth/sign-in/email")
        .body_json(&json!({"email": "bob@example.com", "password": PASSWORD}))
        .send()
        .await
        .assert_status_is_ok();

    let db = &t.app.adapters.db;
    let rows = db
        .query_all_raw(statement(db.get_database_backend(), "SELECT event_type FROM outbox ORDER BY seq", vec![]))
        .await
        .unwrap();
    let events: Vec<String> = rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect();
    assert!(
        events.contains(&"identity.user.banned".to_owned()) && events.contains(&"identity.user.unbanned".to_owned()),
        "{events:?}"
    );

    let logs = json(admin_get(&t, &admin, &format!("/session-logs?userId={}", bob.id)).await).await;
    let kinds: Vec<(&str, &str)> = logs["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("sign_in", "success"),
            ("unban", "success"),
            ("sign_in", "failure"),
            ("ban", "success"),
            ("sign_up", "success")
        ],
        "newest first"
    );
    let ban = logs["entries"].as_array().unwrap().iter().find(|e| e["kind"] == "ban").unwrap();
    assert_eq!((ban["actor_id"].clone(), ban["reason"].clone()), (json!(admin.id), json!("spam")));
    let failed = json(admin_get(&t, &admin, "/session-logs?kind=sign_in&limit=1").await).await;
    assert_eq!(failed["entries"].as_array().unwrap().len(), 1);
    let cursor = failed["next_cursor"].as_str().expect("more sign-ins to page through").to_owned();
    let next = json(admin_get(&t, &admin, &format!("/session-logs?kind=sign_in&limit=1&cursor={cursor}")).await).await;
    assert_eq!(next["entries"][0]["outcome"], "failure");
    expect(admin_get(&t, &admin, "/session-logs?cursor=zz").await, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    expect(admin_get(&t, &admin, "/session-logs?since=yesterday").await, StatusCode::BAD_REQUEST, "VALIDATION_ERROR")
        .await;
}

async fn impersonation_is_bounded_and_recorded(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = sign_up(&t, "admin@example.com", "Ada").await;
    make_admin(&t, &admin).await;
    let other_admin = sign_up(&t, "root@example.com", "Root").await;
    make_admin(&t, &other_admin).await;
    let bob = sign_up(&t, "bob@example.com", "Bob").await;
    expect(
        admin_post(&t, &admin, "/impersonate-user", json!({"userId": other_admin.id})).await,
        StatusCode::FORBIDDEN,
        "YOU_CANNOT_IMPERSONATE_ADMINS",
    )
    .await;

    let admin_cookie = format!(
        "better-auth.session_token={}",
        admin.bearer.trim_start_matches("Bearer ").replace('/', "%2F").replace('+', "%2B").replace('=', "%3D")
    );
    let resp = t
        .client()
        .post("/api/auth/admin/impersonate-user")
        .header("cookie", &admin_cookie)
        .header("origin", "http://127.0.0.1:8080")
        .body_json(&json!({"userId": bob.id}))
        .send()
        .await;
    resp.assert_status_is_ok();
    let cookies: Vec<String> = resp
        .0
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let body = json(resp).await;
    assert_eq!(
        (body["user"]["id"].clone(), body["session"]["impersonatedBy"].clone()),
        (json!(bob.id), json!(admin.id))
    );
    let created = time::OffsetDateTime::parse(
        body["session"]["createdAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let expires = time::OffsetDateTime::parse(
        body["session"]["expiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(expires - created, time::Duration::HOUR);

    let jar = cookies.join("; ");
    let stopped = t
        .client()
        .post("/api/auth/admin/stop-impersonating")
        .header("cookie", &jar)
        .header("origin", "http://127.0.0.1:8080")
        .send()
        .await;
    stopped.assert_status_is_ok();
    let restored = json(stopped).await;
    assert_eq!(restored["user"]["id"], admin.id.as_str(), "the admin's own session is back");
    let impersonation = json(t.client().get("/api/auth/get-session").header("cookie", &jar).send().await).await;
    assert_eq!(impersonation, Json::Null, "the impersonation session is gone");

    let logs = json(admin_get(&t, &admin, &format!("/session-logs?userId={}", bob.id)).await).await;
    let kinds: Vec<&str> = logs["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(&kinds[..2], ["impersonation_stop", "impersonation_start"]);
    assert_eq!(logs["entries"][0]["impersonator_id"], admin.id.as_str());
    expect(
        admin_post(&t, &bob, "/stop-impersonating", json!({})).await,
        StatusCode::BAD_REQUEST,
        "YOU_ARE_NOT_IMPERSONATING",
    )
    .await;
}

async fn the_cli_creates_the_first_admin(backend: Backend) {
    let t = TestApp::new(backend).await;
    let command = gremlin::cli::AdminCommand::CreateUser {
        email: "first@example.com".into(),
        name: None,
        role: vec!["admin".into()],
        password_stdin: true,
    };
    let mut out = Vec::new();
    gremlin::commands::admin(t.app.settings.clone(), &command, &mut "first-admin-password\n".as_bytes(), &mut out)
        .await
        .unwrap();
    let printed = String::from_utf8(out).unwrap();
    assert!(
        printed.contains("first@example.com") && printed.contains("role admin") && !printed.contains("password"),
        "{printed}"
    );
    let resp = t
        .client()
        .post("/api/auth/sign-in/email")
        .body_json(&json!({"email": "first@example.com", "password": "first-admin-password"}))
        .send()
        .await;
    resp.assert_status_is_ok();
    let signed = resp.0.headers().get("set-auth-token").unwrap().to_str().unwrap().to_owned();
    assert_eq!(json(resp).await["user"]["role"], "admin");
    t.client()
        .get("/api/auth/admin/list-users")
        .header("authorization", format!("Bearer {signed}"))
        .send()
        .await
        .assert_status_is_ok();

    let generated = gremlin::cli::AdminCommand::CreateUser {
        email: "second@example.com".into(),
        name: Some("Second".into()),
        role: vec!["user".into()],
        password_stdin: false,
    };
    let mut out = Vec::new();
    gremlin::commands::admin(t.app.settings.clone(), &generated, &mut "".as_bytes(), &mut out).await.unwrap();
    let printed = String::from_utf8(out).unwrap();
    let password = printed
        .lines()
        .find_map(|l| l.strip_prefix("password (shown once): "))
        .expect("generated password printed")
        .to_owned();
    assert_eq!(password.len(), 24);
    t.client()
        .post("/api/auth/sign-in/email")
        .body_json(&json!({"email": "second@example.com", "password": password}))
        .send()
        .await
        .assert_status_is_ok();
}
