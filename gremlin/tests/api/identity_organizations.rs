//! Organizations and members through the real router, on SQLite and
//! PostgreSQL: creation and activation, Better Auth's default roles, the
//! last-owner rule, tenant isolation, and the events each change records.

use gremlin_kernel::sql::statement;
use poem::http::StatusCode;
use poem::test::TestResponse;
use sea_orm::{ConnectionTrait, Value};
use serde_json::{Value as Json, json};

use crate::both_backends;
use crate::support::{Backend, TestApp, json, sign_up};

both_backends! {
    create_activates_lists_and_guards_the_slug => create_activates_lists_and_guards_the_slug,
    roles_follow_better_auth_defaults_and_an_owner_always_remains => roles_follow_better_auth_defaults_and_an_owner_always_remains,
    removed_members_lose_access_at_once => removed_members_lose_access_at_once,
    update_and_delete_need_the_right_role => update_and_delete_need_the_right_role,
    other_tenants_are_out_of_reach => other_tenants_are_out_of_reach,
    invitations_are_answered_once_by_their_recipient => invitations_are_answered_once_by_their_recipient,
    invitations_can_be_rejected_cancelled_or_expire => invitations_can_be_rejected_cancelled_or_expire,
    two_owners_demoting_each_other_at_once_leave_one_owner => two_owners_demoting_each_other_at_once_leave_one_owner,
}

/// Signs up and returns (bearer header, user id).
async fn user(t: &TestApp, email: &str) -> (String, String) {
    let signed = sign_up(t, email, email).await;
    (signed.bearer, signed.id)
}

async fn post(t: &TestApp, auth: &str, path: &str, body: Json) -> TestResponse {
    t.client().post(format!("/api/auth/organization{path}")).header("authorization", auth).body_json(&body).send().await
}

async fn get(t: &TestApp, auth: &str, path: &str) -> TestResponse {
    t.client().get(format!("/api/auth/organization{path}")).header("authorization", auth).send().await
}

async fn expect(resp: TestResponse, status: StatusCode, code: &str) {
    resp.assert_status(status);
    let body = json(resp).await;
    assert_eq!(body["code"], code, "{body}");
}

async fn create_org(t: &TestApp, auth: &str, slug: &str) -> Json {
    let resp =
        post(t, auth, "/create", json!({"name": format!("Org {slug}"), "slug": slug, "metadata": {"plan": "pro"}}))
            .await;
    resp.assert_status_is_ok();
    json(resp).await
}

/// Adds a membership directly, as an accepted invitation would.
async fn add_member(t: &TestApp, org_id: &str, user_id: &str, role: &str) -> String {
    let id = format!("m{}", &uuid::Uuid::new_v4().simple().to_string()[..31]);
    let db = &t.app.adapters.db;
    let sql =
        r#"INSERT INTO "member" ("id", "organizationId", "userId", "role", "createdAt") VALUES ($1, $2, $3, $4, $5)"#;
    let values: Vec<Value> =
        vec![id.clone().into(), org_id.into(), user_id.into(), role.into(), time::OffsetDateTime::now_utc().into()];
    db.execute_raw(statement(db.get_database_backend(), sql, values)).await.unwrap();
    id
}

async fn create_activates_lists_and_guards_the_slug(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, alice_id) = user(&t, "alice@example.com").await;
    let org = create_org(&t, &alice, "acme").await;
    assert_eq!(org["metadata"], json!({"plan": "pro"}), "an object in the create answer");
    assert_eq!(org["members"][0]["role"], "owner");
    assert_eq!(org["members"][0]["userId"], alice_id.as_str());
    let session = json(t.client().get("/api/auth/get-session").header("authorization", &alice).send().await).await;
    assert_eq!(session["session"]["activeOrganizationId"], org["id"], "the new organization is active");

    let list = json(get(&t, &alice, "/list").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["metadata"], "{\"plan\":\"pro\"}", "a JSON string in lists, as Better Auth sends it");

    expect(
        post(&t, &alice, "/create", json!({"name": "Again", "slug": "acme"})).await,
        StatusCode::BAD_REQUEST,
        "ORGANIZATION_ALREADY_EXISTS",
    )
    .await;
    expect(
        post(&t, &alice, "/create", json!({"name": "Bad", "slug": "Bad Slug!"})).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    expect(post(&t, &alice, "/check-slug", json!({"slug": "acme"})).await, StatusCode::BAD_REQUEST, "SLUG_IS_TAKEN")
        .await;
    assert_eq!(json(post(&t, &alice, "/check-slug", json!({"slug": "acme-two"})).await).await, json!({"status": true}));

    let second =
        post(&t, &alice, "/create", json!({"name": "Side", "slug": "side", "keepCurrentActiveOrganization": true}))
            .await;
    second.assert_status_is_ok();
    let session = json(t.client().get("/api/auth/get-session").header("authorization", &alice).send().await).await;
    assert_eq!(session["session"]["activeOrganizationId"], org["id"], "kept");
    let active = json(post(&t, &alice, "/set-active", json!({"organizationSlug": "side"})).await).await;
    assert_eq!(active["slug"], "side");
    assert_eq!(json(post(&t, &alice, "/set-active", json!({"organizationId": null})).await).await, Json::Null);
    let session = json(t.client().get("/api/auth/get-session").header("authorization", &alice).send().await).await;
    assert_eq!(session["session"]["activeOrganizationId"], Json::Null);

    let events = crate::support::outbox_types(&t).await;
    assert_eq!(events.iter().filter(|e| *e == "identity.organization.created").count(), 2);
    assert_eq!(events.iter().filter(|e| *e == "identity.member.added").count(), 2);
    expect(
        post(&t, "Bearer nope", "/create", json!({"name": "X", "slug": "x"})).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
    )
    .await;
}

async fn roles_follow_better_auth_defaults_and_an_owner_always_remains(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = user(&t, "alice@example.com").await;
    let (bob, bob_id) = user(&t, "bob@example.com").await;
    let (carol, carol_id) = user(&t, "carol@example.com").await;
    let org = create_org(&t, &alice, "acme").await;
    let org_id = org["id"].as_str().unwrap();
    let owner_member = org["members"][0]["id"].as_str().unwrap().to_owned();
    let bob_member = add_member(&t, org_id, &bob_id, "member").await;
    let carol_member = add_member(&t, org_id, &carol_id, "member").await;

    let page = json(get(&t, &alice, &format!("/list-members?organizationId={org_id}&limit=2")).await).await;
    assert_eq!(page["total"], 3);
    assert_eq!(page["members"].as_array().unwrap().len(), 2);
    assert_eq!(page["members"][0]["user"]["email"], "alice@example.com");

    // A plain member administers nothing.
    expect(
        post(
            &t,
            &carol,
            "/update-member-role",
            json!({"memberId": bob_member, "role": "admin", "organizationId": org_id}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER",
    )
    .await;
    // The owner promotes bob; role given as a list.
    let promoted = json(
        post(
            &t,
            &alice,
            "/update-member-role",
            json!({"memberId": bob_member, "role": ["admin"], "organizationId": org_id}),
        )
        .await,
    )
    .await;
    assert_eq!(promoted["role"], "admin");
    // An admin may manage members but not owners, nor make owners.
    expect(
        post(
            &t,
            &bob,
            "/update-member-role",
            json!({"memberId": owner_member, "role": "member", "organizationId": org_id}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER",
    )
    .await;
    expect(
        post(
            &t,
            &bob,
            "/update-member-role",
            json!({"memberId": carol_member, "role": "owner", "organizationId": org_id}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER",
    )
    .await;
    let carol_admin = json(
        post(
            &t,
            &bob,
            "/update-member-role",
            json!({"memberId": carol_member, "role": "admin,member", "organizationId": org_id}),
        )
        .await,
    )
    .await;
    assert_eq!(carol_admin["role"], "admin,member");
    expect(
        post(
            &t,
            &alice,
            "/update-member-role",
            json!({"memberId": bob_member, "role": "superuser", "organizationId": org_id}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    expect(
        post(
            &t,
            &alice,
            "/update-member-role",
            json!({"memberId": "nobody", "role": "admin", "organizationId": org_id}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "MEMBER_NOT_FOUND",
    )
    .await;

    // The only owner can neither step down nor leave; with a second owner both work.
    expect(
        post(
            &t,
            &alice,
            "/update-member-role",
            json!({"memberId": owner_member, "role": "admin", "organizationId": org_id}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER",
    )
    .await;
    expect(
        post(&t, &alice, "/leave", json!({"organizationId": org_id})).await,
        StatusCode::BAD_REQUEST,
        "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER",
    )
    .await;
    post(&t, &alice, "/update-member-role", json!({"memberId": bob_member, "role": "owner", "organizationId": org_id}))
        .await
        .assert_status_is_ok();
    let left = json(post(&t, &alice, "/leave", json!({"organizationId": org_id})).await).await;
    assert_eq!(left["id"], owner_member.as_str());
    expect(
        get(&t, &alice, &format!("/list-members?organizationId={org_id}")).await,
        StatusCode::FORBIDDEN,
        "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION",
    )
    .await;

    let events = crate::support::outbox_types(&t).await;
    assert_eq!(events.iter().filter(|e| *e == "identity.member.role_changed").count(), 3, "{events:?}");
    let logs = t
        .app
        .adapters
        .documents
        .query_log(
            "session_logs",
            &gremlin_kernel::LogQuery {
                filter: gremlin_kernel::DocumentFilter::default()
                    .eq("kind", "role_change")
                    .eq("organization_id", org_id),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(logs.items.len(), 3, "organization role changes are in the session log");
    assert!(logs.items.iter().any(|e| e.body["reason"] == "organization role: member -> admin"), "{:?}", logs.items);
    assert_eq!(events.iter().filter(|e| *e == "identity.member.removed").count(), 1, "{events:?}");
}

async fn removed_members_lose_access_at_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = user(&t, "alice@example.com").await;
    let (bob, bob_id) = user(&t, "bob@example.com").await;
    let org = create_org(&t, &alice, "acme").await;
    let org_id = org["id"].as_str().unwrap();
    add_member(&t, org_id, &bob_id, "member").await;
    post(&t, &bob, "/set-active", json!({"organizationId": org_id})).await.assert_status_is_ok();
    get(&t, &bob, "/list-members").await.assert_status_is_ok();

    let removed = json(
        post(&t, &alice, "/remove-member", json!({"memberIdOrEmail": "BOB@example.com", "organizationId": org_id}))
            .await,
    )
    .await;
    assert_eq!(removed["member"]["userId"], bob_id.as_str());
    let session = json(t.client().get("/api/auth/get-session").header("authorization", &bob).send().await).await;
    assert_eq!(session["session"]["activeOrganizationId"], Json::Null, "no longer active for bob");
    expect(
        get(&t, &bob, &format!("/list-members?organizationId={org_id}")).await,
        StatusCode::FORBIDDEN,
        "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION",
    )
    .await;
    expect(get(&t, &bob, "/list-members").await, StatusCode::BAD_REQUEST, "NO_ACTIVE_ORGANIZATION").await;
    let owner_member = org["members"][0]["id"].as_str().unwrap();
    expect(
        post(&t, &alice, "/remove-member", json!({"memberIdOrEmail": owner_member, "organizationId": org_id})).await,
        StatusCode::BAD_REQUEST,
        "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER",
    )
    .await;
}

async fn update_and_delete_need_the_right_role(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = user(&t, "alice@example.com").await;
    let (bob, bob_id) = user(&t, "bob@example.com").await;
    let (carol, carol_id) = user(&t, "carol@example.com").await;
    let org = create_org(&t, &alice, "acme").await;
    let org_id = org["id"].as_str().unwrap();
    add_member(&t, org_id, &bob_id, "admin").await;
    add_member(&t, org_id, &carol_id, "member").await;

    expect(
        post(&t, &carol, "/update", json!({"data": {"name": "Nope"}, "organizationId": org_id})).await,
        StatusCode::FORBIDDEN,
        "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION",
    )
    .await;
    let updated = json(post(&t, &bob, "/update", json!({"data": {"name": "Acme Corp", "slug": "acme-corp", "logo": "https://example.com/l.png", "metadata": {"tier": 2}}, "organizationId": org_id})).await).await;
    assert_eq!((updated["name"].clone(), updated["slug"].clone()), (json!("Acme Corp"), json!("acme-corp")));
    assert_eq!(updated["metadata"], "{\"tier\":2}");
    let cleared =
        json(post(&t, &bob, "/update", json!({"data": {"logo": null}, "organizationId": org_id})).await).await;
    assert_eq!(cleared["logo"], Json::Null);
    create_org(&t, &alice, "taken").await;
    expect(
        post(&t, &bob, "/update", json!({"data": {"slug": "taken"}, "organizationId": org_id})).await,
        StatusCode::BAD_REQUEST,
        "ORGANIZATION_ALREADY_EXISTS",
    )
    .await;

    expect(
        post(&t, &bob, "/delete", json!({"organizationId": org_id})).await,
        StatusCode::FORBIDDEN,
        "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION",
    )
    .await;
    post(&t, &alice, "/set-active", json!({"organizationId": org_id})).await.assert_status_is_ok();
    let deleted = json(post(&t, &alice, "/delete", json!({"organizationId": org_id})).await).await;
    assert_eq!(deleted, json!(org_id));
    let full = get(&t, &alice, &format!("/get-full-organization?organizationId={org_id}")).await;
    expect(full, StatusCode::BAD_REQUEST, "ORGANIZATION_NOT_FOUND").await;
    let session = json(t.client().get("/api/auth/get-session").header("authorization", &alice).send().await).await;
    assert_eq!(session["session"]["activeOrganizationId"], Json::Null);
    assert!(crate::support::outbox_types(&t).await.contains(&"identity.organization.deleted".to_owned()));
}

async fn other_tenants_are_out_of_reach(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = user(&t, "alice@example.com").await;
    let (mallory, _) = user(&t, "mallory@example.com").await;
    let acme = create_org(&t, &alice, "acme").await;
    let acme_id = acme["id"].as_str().unwrap();
    let owner_member = acme["members"][0]["id"].as_str().unwrap();
    create_org(&t, &mallory, "evil").await;

    let full = json(get(&t, &alice, &format!("/get-full-organization?organizationId={acme_id}")).await).await;
    assert_eq!(full["members"].as_array().unwrap().len(), 1);
    assert_eq!(full["invitations"], json!([]));
    let not_member = StatusCode::FORBIDDEN;
    expect(
        get(&t, &mallory, &format!("/get-full-organization?organizationId={acme_id}")).await,
        not_member,
        "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION",
    )
    .await;
    expect(
        get(&t, &mallory, "/get-full-organization?organizationSlug=acme").await,
        not_member,
        "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION",
    )
    .await;
    expect(
        get(&t, &mallory, &format!("/list-members?organizationId={acme_id}")).await,
        not_member,
        "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION",
    )
    .await;
    expect(
        post(&t, &mallory, "/set-active", json!({"organizationId": acme_id})).await,
        not_member,
        "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION",
    )
    .await;
    expect(
        post(&t, &mallory, "/update", json!({"data": {"name": "pwned"}, "organizationId": acme_id})).await,
        not_member,
        "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION",
    )
    .await;
    expect(
        post(&t, &mallory, "/delete", json!({"organizationId": acme_id})).await,
        not_member,
        "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION",
    )
    .await;
    // Mallory's own organization cannot be used to reach Acme's members.
    expect(
        post(&t, &mallory, "/remove-member", json!({"memberIdOrEmail": owner_member})).await,
        StatusCode::BAD_REQUEST,
        "MEMBER_NOT_FOUND",
    )
    .await;
    expect(
        post(&t, &mallory, "/update-member-role", json!({"memberId": owner_member, "role": "member"})).await,
        StatusCode::BAD_REQUEST,
        "MEMBER_NOT_FOUND",
    )
    .await;
    let list = json(get(&t, &mallory, "/list").await).await;
    assert!(list.as_array().unwrap().iter().all(|o| o["slug"] != "acme"));
}

async fn invitations_are_answered_once_by_their_recipient(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = user(&t, "alice@example.com").await;
    let (bob, bob_id) = user(&t, "bob@example.com").await;
    let (carol, carol_id) = user(&t, "carol@example.com").await;
    let org = create_org(&t, &alice, "acme").await;
    let org_id = org["id"].as_str().unwrap();

    let invited = json(
        post(
            &t,
            &alice,
            "/invite-member",
            json!({"email": "Bob@Example.com", "role": "member", "organizationId": org_id}),
        )
        .await,
    )
    .await;
    assert_eq!((invited["status"].clone(), invited["email"].clone()), (json!("pending"), json!("bob@example.com")));
    let invitation_id = invited["id"].as_str().unwrap().to_owned();
    let created = time::OffsetDateTime::parse(
        invited["createdAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let expires = time::OffsetDateTime::parse(
        invited["expiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(expires - created, time::Duration::hours(48));
    expect(
        post(
            &t,
            &alice,
            "/invite-member",
            json!({"email": "bob@example.com", "role": "member", "organizationId": org_id}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION",
    )
    .await;
    let resent = json(
        post(
            &t,
            &alice,
            "/invite-member",
            json!({"email": "bob@example.com", "role": "member", "organizationId": org_id, "resend": true}),
        )
        .await,
    )
    .await;
    assert_eq!(resent["id"], invitation_id.as_str(), "resend reuses the open invitation");
    let listed = json(get(&t, &alice, &format!("/list-invitations?organizationId={org_id}")).await).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    expect(
        get(&t, &carol, &format!("/get-invitation?id={invitation_id}")).await,
        StatusCode::FORBIDDEN,
        "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION",
    )
    .await;
    expect(
        post(&t, &carol, "/accept-invitation", json!({"invitationId": invitation_id})).await,
        StatusCode::FORBIDDEN,
        "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION",
    )
    .await;
    let details = json(get(&t, &bob, &format!("/get-invitation?id={invitation_id}")).await).await;
    assert_eq!(
        (details["organizationName"].clone(), details["inviterEmail"].clone()),
        (json!("Org acme"), json!("alice@example.com"))
    );

    let accepted = json(post(&t, &bob, "/accept-invitation", json!({"invitationId": invitation_id})).await).await;
    assert_eq!(accepted["invitation"]["status"], "accepted");
    assert_eq!(
        (accepted["member"]["userId"].clone(), accepted["member"]["role"].clone()),
        (json!(bob_id), json!("member"))
    );
    let session = json(t.client().get("/api/auth/get-session").header("authorization", &bob).send().await).await;
    assert_eq!(session["session"]["activeOrganizationId"], org["id"], "the joined organization is active");
    expect(
        post(&t, &bob, "/accept-invitation", json!({"invitationId": invitation_id})).await,
        StatusCode::BAD_REQUEST,
        "INVITATION_NOT_FOUND",
    )
    .await;
    expect(
        post(
            &t,
            &alice,
            "/invite-member",
            json!({"email": "bob@example.com", "role": "member", "organizationId": org_id}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION",
    )
    .await;

    // A plain member may not invite; an admin may, but not owners.
    expect(
        post(&t, &bob, "/invite-member", json!({"email": "x@example.com", "role": "member"})).await,
        StatusCode::FORBIDDEN,
        "YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION",
    )
    .await;
    add_member(&t, org_id, &carol_id, "admin").await;
    expect(
        post(
            &t,
            &carol,
            "/invite-member",
            json!({"email": "x@example.com", "role": ["owner"], "organizationId": org_id}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION",
    )
    .await;
    post(&t, &carol, "/invite-member", json!({"email": "x@example.com", "role": "admin", "organizationId": org_id}))
        .await
        .assert_status_is_ok();
    let added = crate::support::outbox_types(&t).await.iter().filter(|e| *e == "identity.member.added").count();
    assert_eq!(added, 2, "owner at creation, bob on acceptance");
}

async fn invitations_can_be_rejected_cancelled_or_expire(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = user(&t, "alice@example.com").await;
    let (dave, _) = user(&t, "dave@example.com").await;
    let (erin, _) = user(&t, "erin@example.com").await;
    let (frank, _) = user(&t, "frank@example.com").await;
    let org = create_org(&t, &alice, "acme").await;
    let org_id = org["id"].as_str().unwrap();
    let invite = |email: &'static str| {
        let t = &t;
        let alice = alice.clone();
        async move {
            let resp =
                post(t, &alice, "/invite-member", json!({"email": email, "role": "member", "organizationId": org_id}))
                    .await;
            json(resp).await["id"].as_str().unwrap().to_owned()
        }
    };

    let for_dave = invite("dave@example.com").await;
    let rejected = json(post(&t, &dave, "/reject-invitation", json!({"invitationId": for_dave})).await).await;
    assert_eq!((rejected["invitation"]["status"].clone(), rejected["member"].clone()), (json!("rejected"), Json::Null));
    expect(
        post(&t, &dave, "/accept-invitation", json!({"invitationId": for_dave})).await,
        StatusCode::BAD_REQUEST,
        "INVITATION_NOT_FOUND",
    )
    .await;

    let for_erin = invite("erin@example.com").await;
    expect(
        post(&t, &erin, "/cancel-invitation", json!({"invitationId": for_erin})).await,
        StatusCode::FORBIDDEN,
        "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION",
    )
    .await;
    let cancelled = json(post(&t, &alice, "/cancel-invitation", json!({"invitationId": for_erin})).await).await;
    assert_eq!(cancelled["status"], "canceled");
    expect(
        post(&t, &erin, "/accept-invitation", json!({"invitationId": for_erin})).await,
        StatusCode::BAD_REQUEST,
        "INVITATION_NOT_FOUND",
    )
    .await;

    let for_frank = invite("frank@example.com").await;
    let db = &t.app.adapters.db;
    let past = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
    db.execute_raw(statement(
        db.get_database_backend(),
        r#"UPDATE "invitation" SET "expiresAt" = $1 WHERE "id" = $2"#,
        vec![past.into(), for_frank.clone().into()],
    ))
    .await
    .unwrap();
    expect(
        post(&t, &frank, "/accept-invitation", json!({"invitationId": for_frank})).await,
        StatusCode::BAD_REQUEST,
        "INVITATION_NOT_FOUND",
    )
    .await;
    // An expired invitation no longer blocks a new one.
    let again = invite("frank@example.com").await;
    assert_ne!(again, for_frank);
    post(&t, &frank, "/accept-invitation", json!({"invitationId": again})).await.assert_status_is_ok();
}

/// Two owners demote (or remove) each other at the same moment: the
/// last-owner rule is checked inside the writing transaction, under the
/// organization's lock, so exactly one change wins and an owner remains.
async fn two_owners_demoting_each_other_at_once_leave_one_owner(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _) = user(&t, "alice@example.com").await;
    let (bob, bob_id) = user(&t, "bob@example.com").await;
    for round in 0..5 {
        let slug = format!("race-{round}");
        let org = create_org(&t, &alice, &slug).await;
        let org_id = org["id"].as_str().unwrap().to_owned();
        let alice_member = org["members"][0]["id"].as_str().unwrap().to_owned();
        let bob_member = add_member(&t, &org_id, &bob_id, "owner").await;
        let demote = |auth: String, member: String| {
            let org_id = org_id.clone();
            let t = &t;
            async move {
                let body = if round % 2 == 0 {
                    json!({"memberId": member, "role": "member", "organizationId": org_id})
                } else {
                    json!({"memberIdOrEmail": member, "organizationId": org_id})
                };
                let path = if round % 2 == 0 { "/update-member-role" } else { "/remove-member" };
                post(t, &auth, path, body).await.0.status()
            }
        };
        let (a, b) = tokio::join!(demote(alice.clone(), bob_member.clone()), demote(bob.clone(), alice_member.clone()));
        // The loser is refused as the last owner (400) or, when it ran after
        // the winner committed, as no longer an owner (403).
        let mut statuses = [a.as_u16(), b.as_u16()];
        statuses.sort_unstable();
        assert!(matches!(statuses, [200, 400 | 403]), "round {round}: exactly one change wins: {statuses:?}");
        let page = json(get(&t, &alice, &format!("/list-members?organizationId={org_id}")).await).await;
        let page = if page["members"].is_array() {
            page
        } else {
            json(get(&t, &bob, &format!("/list-members?organizationId={org_id}")).await).await
        };
        let owners = page["members"].as_array().unwrap().iter().filter(|m| m["role"] == "owner").count();
        assert_eq!(owners, 1, "round {round}: {page}");
    }
}
