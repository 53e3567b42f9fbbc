//! Asking identity what one may do and who one is in an organization, on
//! SQLite and PostgreSQL, as Better Auth's organization and admin plugins
//! answer: `has-permission` (the plugin's statements and Gremlin's domain
//! permissions), `get-active-member`, `get-active-member-role`,
//! `list-user-invitations` (verified addresses only) and the admin
//! `has-permission`.

use gremlin_kernel::sql::statement;
use poem::http::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value as Json, json};

use crate::both_backends;
use crate::support::{Backend, SignedUp, TestApp, create_organization, json, member, problem, sign_up};

both_backends! {
    permissions_follow_the_roles_and_the_domains_grants => permissions_follow_the_roles_and_the_domains_grants,
    a_member_reads_their_membership_and_roles => a_member_reads_their_membership_and_roles,
    invitations_to_me_need_a_verified_address => invitations_to_me_need_a_verified_address,
    admin_permissions_are_the_platform_roles => admin_permissions_are_the_platform_roles,
}

async fn post(t: &TestApp, who: &SignedUp, path: &str, body: Json) -> poem::test::TestResponse {
    t.client().post(format!("/api/auth{path}")).header("authorization", &who.bearer).body_json(&body).send().await
}

async fn get(t: &TestApp, who: &SignedUp, path: &str) -> poem::test::TestResponse {
    t.client().get(format!("/api/auth{path}")).header("authorization", &who.bearer).send().await
}

async fn allowed(t: &TestApp, who: &SignedUp, org: &str, permissions: Json) -> bool {
    let resp =
        post(t, who, "/organization/has-permission", json!({"permissions": permissions, "organizationId": org})).await;
    resp.assert_status_is_ok();
    let answer = json(resp).await;
    assert!(answer["error"].is_null(), "{answer}");
    answer["success"].as_bool().unwrap()
}

async fn sql(t: &TestApp, text: &str, values: Vec<sea_orm::Value>) {
    let db = &t.app.adapters.db;
    db.execute_raw(statement(db.get_database_backend(), text, values)).await.unwrap();
}

async fn permissions_follow_the_roles_and_the_domains_grants(backend: Backend) {
    let t = TestApp::new(backend).await;
    let olivia = sign_up(&t, "olivia@example.com", "Olivia").await;
    let org = create_organization(&t, &olivia.bearer, "Acme", "acme").await["id"].as_str().unwrap().to_owned();
    let adam = member(&t, &org, "adam@example.com", "admin").await;
    let mia = member(&t, &org, "mia@example.com", "member").await;

    let delete_org = json!({"organization": ["delete"]});
    assert!(allowed(&t, &olivia, &org, delete_org.clone()).await);
    assert!(!allowed(&t, &adam, &org, delete_org).await);
    let manage_members = json!({"member": ["update", "delete"], "invitation": ["create"]});
    assert!(allowed(&t, &adam, &org, manage_members.clone()).await);
    assert!(!allowed(&t, &mia, &org, manage_members).await);
    // Domain resources: what the organization grants the role.
    assert!(allowed(&t, &mia, &org, json!({"orders": ["read"]})).await);
    assert!(!allowed(&t, &mia, &org, json!({"orders": ["read", "manage"]})).await);
    assert!(allowed(&t, &adam, &org, json!({"orders": ["manage"]})).await);
    assert!(!allowed(&t, &olivia, &org, json!({"nothing": ["at-all"]})).await);
    assert!(!allowed(&t, &olivia, &org, json!({})).await);
    // The session's active organization is the default.
    let resp = post(&t, &olivia, "/organization/has-permission", json!({"permissions": {"member": ["delete"]}})).await;
    assert_eq!(json(resp).await["success"], true);
    // Nobody asks about an organization they are not in.
    let mallory = sign_up(&t, "mallory@example.com", "Mallory").await;
    let resp = post(
        &t,
        &mallory,
        "/organization/has-permission",
        json!({"permissions": {"orders": ["read"]}, "organizationId": org}),
    )
    .await;
    problem(resp, StatusCode::FORBIDDEN).await;
    let anonymous =
        t.client().post("/api/auth/organization/has-permission").body_json(&json!({"permissions": {}})).send().await;
    problem(anonymous, StatusCode::UNAUTHORIZED).await;
}

async fn a_member_reads_their_membership_and_roles(backend: Backend) {
    let t = TestApp::new(backend).await;
    let olivia = sign_up(&t, "olivia@example.com", "Olivia").await;
    let org = create_organization(&t, &olivia.bearer, "Acme", "acme").await["id"].as_str().unwrap().to_owned();
    let mia = member(&t, &org, "mia@example.com", "member").await;

    let me = json(get(&t, &olivia, "/organization/get-active-member").await).await;
    assert_eq!((me["role"].as_str(), me["organizationId"].as_str()), (Some("owner"), Some(org.as_str())));
    assert_eq!(me["user"]["email"], "olivia@example.com");
    let role = json(get(&t, &olivia, "/organization/get-active-member-role").await).await;
    assert_eq!(role, json!({"role": "owner"}));
    let hers = json(get(&t, &olivia, &format!("/organization/get-active-member-role?userId={}", mia.id)).await).await;
    assert_eq!(hers, json!({"role": "member"}));
    let stranger = sign_up(&t, "stranger@example.com", "Stranger").await;
    let resp = get(&t, &olivia, &format!("/organization/get-active-member-role?userId={}", stranger.id)).await;
    assert_eq!(problem(resp, StatusCode::BAD_REQUEST).await["code"], "MEMBER_NOT_FOUND");
    // Mia's session has no active organization.
    let resp = get(&t, &mia, "/organization/get-active-member").await;
    assert_eq!(problem(resp, StatusCode::BAD_REQUEST).await["code"], "NO_ACTIVE_ORGANIZATION");
    let resp = get(&t, &stranger, &format!("/organization/get-active-member-role?organizationId={org}")).await;
    problem(resp, StatusCode::FORBIDDEN).await;
}

async fn invitations_to_me_need_a_verified_address(backend: Backend) {
    let t = TestApp::new(backend).await;
    let olivia = sign_up(&t, "olivia@example.com", "Olivia").await;
    let org = create_organization(&t, &olivia.bearer, "Acme", "acme").await["id"].as_str().unwrap().to_owned();
    let invite = json!({"email": "bob@example.com", "role": "member", "organizationId": org});
    let invitation = json(post(&t, &olivia, "/organization/invite-member", invite).await).await;
    let bob = sign_up(&t, "bob@example.com", "Bob").await;

    let resp = get(&t, &bob, "/organization/list-user-invitations").await;
    let refused = problem(resp, StatusCode::FORBIDDEN).await;
    assert_eq!(refused["code"], "EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION");
    sql(&t, r#"UPDATE "user" SET "emailVerified" = $1 WHERE "id" = $2"#, vec![true.into(), bob.id.clone().into()])
        .await;
    let mine = json(get(&t, &bob, "/organization/list-user-invitations").await).await;
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");
    assert_eq!((mine[0]["id"].clone(), mine[0]["organizationName"].clone()), (invitation["id"].clone(), json!("Acme")));
    // Answered, it is no longer listed; nobody else sees it.
    let accept = json!({"invitationId": invitation["id"]});
    post(&t, &bob, "/organization/accept-invitation", accept).await.assert_status_is_ok();
    assert_eq!(json(get(&t, &bob, "/organization/list-user-invitations").await).await, json!([]));
}

async fn admin_permissions_are_the_platform_roles(backend: Backend) {
    let t = TestApp::new(backend).await;
    let ada = sign_up(&t, "ada@example.com", "Ada").await;
    let uma = sign_up(&t, "uma@example.com", "Uma").await;
    sql(&t, r#"UPDATE "user" SET "role" = 'admin' WHERE "id" = $1"#, vec![ada.id.clone().into()]).await;
    let ask =
        |user: Option<&str>| json!({"permissions": {"user": ["ban", "get"], "session": ["revoke"]}, "userId": user});
    let answer = |resp| async { json(resp).await["success"].as_bool().unwrap() };
    assert!(answer(post(&t, &ada, "/admin/has-permission", ask(None)).await).await);
    assert!(!answer(post(&t, &uma, "/admin/has-permission", ask(None)).await).await);
    assert!(!answer(post(&t, &ada, "/admin/has-permission", ask(Some(&uma.id))).await).await);
    let resp = post(&t, &uma, "/admin/has-permission", ask(Some(&ada.id))).await;
    assert_eq!(problem(resp, StatusCode::FORBIDDEN).await["code"], "YOU_ARE_NOT_ALLOWED_TO_GET_USER");
    let resp = post(&t, &ada, "/admin/has-permission", ask(Some("no-such-user"))).await;
    problem(resp, StatusCode::NOT_FOUND).await;
}
