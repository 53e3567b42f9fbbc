//! An organization's own roles (Better Auth's dynamic access control), on
//! SQLite and PostgreSQL: created, read, renamed and deleted under the
//! `ac` statement; never granting more than their author holds; given to
//! members like the built-ins, so business domains and identity's own
//! member actions honour them at once; never reaching across organizations.

use poem::http::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, KitHeaders, SignedUp, TestApp, json, member, olivia_owning, problem, problem_code};

both_backends! {
    roles_are_created_read_and_guarded => roles_are_created_read_and_guarded,
    a_role_grants_domain_and_member_permissions_at_once => a_role_grants_domain_and_member_permissions_at_once,
    roles_are_renamed_with_their_members_and_deleted_when_unused => roles_are_renamed_with_their_members_and_deleted_when_unused,
    roles_never_cross_organizations => roles_never_cross_organizations,
}

async fn org_post(t: &TestApp, who: &SignedUp, path: &str, body: serde_json::Value) -> poem::test::TestResponse {
    t.as_(&who.bearer).post(format!("/api/auth/organization{path}")).body_json(&body).send().await
}

async fn org_get(t: &TestApp, who: &SignedUp, path_and_query: &str) -> poem::test::TestResponse {
    t.as_(&who.bearer).get(format!("/api/auth/organization{path_and_query}")).send().await
}

async fn member_id(t: &TestApp, owner: &SignedUp, org: &str, user_id: &str) -> String {
    let members = json(org_get(t, owner, &format!("/list-members?organizationId={org}")).await).await;
    let found = members["members"].as_array().unwrap().iter().find(|m| m["userId"] == json!(user_id)).unwrap();
    found["id"].as_str().unwrap().to_owned()
}

async fn roles_are_created_read_and_guarded(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (olivia, org) = olivia_owning(&t, "acme").await;
    let body = json!({"organizationId": org, "role": "Cashier", "permission": {"orders": ["read", "write"], "invitation": ["create"]}});
    let created = json(org_post(&t, &olivia, "/create-role", body.clone()).await).await;
    assert_eq!(created["success"], true);
    let role = &created["roleData"];
    assert_eq!((role["role"].clone(), role["organizationId"].clone()), (json!("cashier"), json!(org)));
    assert_eq!(role["permission"], json!({"invitation": ["create"], "orders": ["read", "write"]}));
    assert_eq!(created["statements"], role["permission"]);
    assert!(role["updatedAt"].is_null());
    let id = role["id"].as_str().unwrap().to_owned();

    // Taken, built-in, unknown resource or action, nothing at all.
    for (body, expected) in [
        (body.clone(), "ROLE_NAME_IS_ALREADY_TAKEN"),
        (
            json!({"organizationId": org, "role": "admin", "permission": {"orders": ["read"]}}),
            "ROLE_NAME_IS_ALREADY_TAKEN",
        ),
        (json!({"organizationId": org, "role": "payroll", "permission": {"payroll": ["read"]}}), "INVALID_RESOURCE"),
        (json!({"organizationId": org, "role": "flyer", "permission": {"orders": ["fly"]}}), "INVALID_RESOURCE"),
        (json!({"organizationId": org, "role": "idle", "permission": {}}), "INVALID_RESOURCE"),
        (json!({"organizationId": org, "role": "a b", "permission": {"orders": ["read"]}}), "VALIDATION_ERROR"),
    ] {
        assert_eq!(
            problem_code(org_post(&t, &olivia, "/create-role", body).await, StatusCode::BAD_REQUEST).await,
            expected
        );
    }

    // Every member reads roles; only owners and admins make them, and an
    // admin cannot mint a role above their own.
    let bob = member(&t, &org, "bob@acme.example", "member").await;
    let listed = json(org_get(&t, &bob, &format!("/list-roles?organizationId={org}")).await).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["role"], "cashier");
    let by_id = json(org_get(&t, &bob, &format!("/get-role?organizationId={org}&roleId={id}")).await).await;
    let by_name = json(org_get(&t, &bob, &format!("/get-role?organizationId={org}&roleName=cashier")).await).await;
    assert_eq!((by_id["id"].clone(), by_name["id"].clone()), (json!(id), json!(id)));
    let missing = org_get(&t, &bob, &format!("/get-role?organizationId={org}&roleName=nobody")).await;
    assert_eq!(problem_code(missing, StatusCode::BAD_REQUEST).await, "ROLE_NOT_FOUND");
    let attempt = json!({"organizationId": org, "role": "clerk", "permission": {"orders": ["read"]}});
    let resp = org_post(&t, &bob, "/create-role", attempt).await;
    assert_eq!(problem_code(resp, StatusCode::FORBIDDEN).await, "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_ROLE");
    let ada = member(&t, &org, "ada@acme.example", "admin").await;
    let above = json!({"organizationId": org, "role": "closer", "permission": {"organization": ["delete"]}});
    let resp = org_post(&t, &ada, "/create-role", above).await;
    assert_eq!(problem_code(resp, StatusCode::FORBIDDEN).await, "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_ROLE");
    let within =
        json!({"organizationId": org, "role": "clerk", "permission": {"orders": ["read"], "member": ["update"]}});
    org_post(&t, &ada, "/create-role", within).await.assert_status_is_ok();
    // Without a session, nothing.
    t.client()
        .get(format!("/api/auth/organization/list-roles?organizationId={org}"))
        .send()
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

async fn a_role_grants_domain_and_member_permissions_at_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (olivia, org) = olivia_owning(&t, "acme").await;
    let body =
        json!({"organizationId": org, "role": "auditor", "permission": {"orders": ["read"], "invitation": ["create"]}});
    org_post(&t, &olivia, "/create-role", body).await.assert_status_is_ok();
    // An unknown custom role cannot be given.
    let carl = member(&t, &org, "carl@acme.example", "member").await;
    let carl_member = member_id(&t, &olivia, &org, &carl.id).await;
    let resp = org_post(
        &t,
        &olivia,
        "/update-member-role",
        json!({"memberId": carl_member, "role": "ghost", "organizationId": org}),
    )
    .await;
    assert_eq!(problem_code(resp, StatusCode::BAD_REQUEST).await, "VALIDATION_ERROR");
    let given = org_post(
        &t,
        &olivia,
        "/update-member-role",
        json!({"memberId": carl_member, "role": ["auditor"], "organizationId": org}),
    )
    .await;
    assert_eq!(json(given).await["role"], "auditor");

    // The business domain follows the role: reads yes, writes no.
    t.as_(&carl.bearer).in_org(&org).get("/api/orders").send().await.assert_status_is_ok();
    let order = json!({"currency": "EUR", "customer": {}, "lines": []});
    let resp = t
        .as_(&carl.bearer)
        .in_org(&org)
        .post("/api/orders")
        .idempotency_key("auditor-1")
        .body_json(&order)
        .send()
        .await;
    problem(resp, StatusCode::FORBIDDEN).await;
    let asked = json!({"organizationId": org, "permissions": {"orders": ["read"], "invitation": ["create"]}});
    assert_eq!(json(org_post(&t, &carl, "/has-permission", asked).await).await["success"], true);
    let asked = json!({"organizationId": org, "permissions": {"invitation": ["cancel"]}});
    assert_eq!(json(org_post(&t, &carl, "/has-permission", asked).await).await["success"], false);

    // Identity's own member actions follow it too: he may invite, not cancel.
    let invited = org_post(
        &t,
        &carl,
        "/invite-member",
        json!({"email": "dora@acme.example", "role": "member", "organizationId": org}),
    )
    .await;
    let invitation = json(invited).await["id"].as_str().unwrap().to_owned();
    let resp = org_post(&t, &carl, "/cancel-invitation", json!({"invitationId": invitation})).await;
    assert_eq!(problem_code(resp, StatusCode::FORBIDDEN).await, "YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION");
    // Not as an owner, though: only owners make owners.
    let resp = org_post(
        &t,
        &carl,
        "/invite-member",
        json!({"email": "eve@acme.example", "role": "owner", "organizationId": org}),
    )
    .await;
    problem(resp, StatusCode::FORBIDDEN).await;

    // Narrowed, it takes effect on the next request.
    let narrowed =
        json!({"organizationId": org, "roleName": "auditor", "data": {"permission": {"invitation": ["create"]}}});
    let updated = json(org_post(&t, &olivia, "/update-role", narrowed).await).await;
    assert_eq!(updated["roleData"]["permission"], json!({"invitation": ["create"]}));
    assert!(updated["roleData"]["updatedAt"].is_string());
    problem(t.as_(&carl.bearer).in_org(&org).get("/api/orders").send().await, StatusCode::FORBIDDEN).await;
}

async fn roles_are_renamed_with_their_members_and_deleted_when_unused(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (olivia, org) = olivia_owning(&t, "acme").await;
    let body = json!({"organizationId": org, "role": "auditor", "permission": {"orders": ["read"]}});
    let id =
        json(org_post(&t, &olivia, "/create-role", body).await).await["roleData"]["id"].as_str().unwrap().to_owned();
    let carl = member(&t, &org, "carl@acme.example", "member,auditor").await;
    t.as_(&carl.bearer).in_org(&org).get("/api/orders").send().await.assert_status_is_ok();
    let invited = org_post(
        &t,
        &olivia,
        "/invite-member",
        json!({"email": "dora@acme.example", "role": ["auditor"], "organizationId": org}),
    )
    .await;
    let invitation = json(invited).await["id"].as_str().unwrap().to_owned();

    let rename = json!({"organizationId": org, "roleId": id, "data": {"roleName": "Reviewer"}});
    assert_eq!(json(org_post(&t, &olivia, "/update-role", rename).await).await["roleData"]["role"], "reviewer");
    let carl_member = member_id(&t, &olivia, &org, &carl.id).await;
    let members = json(org_get(&t, &olivia, &format!("/list-members?organizationId={org}")).await).await;
    let carls = members["members"].as_array().unwrap().iter().find(|m| m["id"] == json!(carl_member)).unwrap().clone();
    assert_eq!(carls["role"], "member,reviewer");
    let pending = json(org_get(&t, &olivia, &format!("/get-invitation?id={invitation}")).await).await;
    assert!(pending.is_object());
    let invitations = json(org_get(&t, &olivia, &format!("/list-invitations?organizationId={org}")).await).await;
    assert_eq!(invitations[0]["role"], "reviewer", "{invitations}");
    // The renamed role still grants what it did.
    t.as_(&carl.bearer).in_org(&org).get("/api/orders").send().await.assert_status_is_ok();
    // A rename onto a taken or built-in name is refused.
    let clash = json!({"organizationId": org, "roleId": id, "data": {"roleName": "admin"}});
    assert_eq!(
        problem_code(org_post(&t, &olivia, "/update-role", clash).await, StatusCode::BAD_REQUEST).await,
        "ROLE_NAME_IS_ALREADY_TAKEN"
    );

    // Held, it stays; a built-in never goes; unused, it goes.
    let delete = json!({"organizationId": org, "roleName": "reviewer"});
    let resp = org_post(&t, &olivia, "/delete-role", delete.clone()).await;
    assert_eq!(problem_code(resp, StatusCode::BAD_REQUEST).await, "ROLE_IS_ASSIGNED_TO_MEMBERS");
    let resp = org_post(&t, &olivia, "/delete-role", json!({"organizationId": org, "roleName": "admin"})).await;
    assert_eq!(problem_code(resp, StatusCode::BAD_REQUEST).await, "CANNOT_DELETE_A_PRE_DEFINED_ROLE");
    let bob = member(&t, &org, "bob@acme.example", "member").await;
    let resp = org_post(&t, &bob, "/delete-role", delete.clone()).await;
    assert_eq!(problem_code(resp, StatusCode::FORBIDDEN).await, "YOU_ARE_NOT_ALLOWED_TO_DELETE_A_ROLE");
    org_post(
        &t,
        &olivia,
        "/update-member-role",
        json!({"memberId": carl_member, "role": "member", "organizationId": org}),
    )
    .await
    .assert_status_is_ok();
    assert_eq!(json(org_post(&t, &olivia, "/delete-role", delete.clone()).await).await, json!({"success": true}));
    assert_eq!(
        problem_code(org_post(&t, &olivia, "/delete-role", delete).await, StatusCode::BAD_REQUEST).await,
        "ROLE_NOT_FOUND"
    );
    let events = crate::support::outbox_types(&t).await;
    let changes = events.iter().filter(|e| *e == "identity.organization.role_changed").count();
    assert_eq!(changes, 3, "created, renamed, deleted: {events:?}");
}

async fn roles_never_cross_organizations(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (olivia, acme) = olivia_owning(&t, "acme").await;
    let (mallory, evil) = olivia_owning(&t, "evil").await;
    let body = json!({"organizationId": acme, "role": "auditor", "permission": {"orders": ["read"]}});
    let id =
        json(org_post(&t, &olivia, "/create-role", body).await).await["roleData"]["id"].as_str().unwrap().to_owned();

    // Mallory is no member of Acme: every role operation there is refused.
    for resp in [
        org_get(&t, &mallory, &format!("/list-roles?organizationId={acme}")).await,
        org_get(&t, &mallory, &format!("/get-role?organizationId={acme}&roleId={id}")).await,
        org_post(
            &t,
            &mallory,
            "/update-role",
            json!({"organizationId": acme, "roleId": id, "data": {"roleName": "x"}}),
        )
        .await,
        org_post(&t, &mallory, "/delete-role", json!({"organizationId": acme, "roleId": id})).await,
        org_post(
            &t,
            &mallory,
            "/create-role",
            json!({"organizationId": acme, "role": "mole", "permission": {"orders": ["read"]}}),
        )
        .await,
    ] {
        problem(resp, StatusCode::FORBIDDEN).await;
    }
    // Acme's role id names nothing in her own organization.
    let resp = org_get(&t, &mallory, &format!("/get-role?organizationId={evil}&roleId={id}")).await;
    assert_eq!(problem_code(resp, StatusCode::BAD_REQUEST).await, "ROLE_NOT_FOUND");
    let resp = org_post(&t, &mallory, "/delete-role", json!({"organizationId": evil, "roleId": id})).await;
    assert_eq!(problem_code(resp, StatusCode::BAD_REQUEST).await, "ROLE_NOT_FOUND");
    // Nor can she give her members Acme's role.
    let mole = member(&t, &evil, "mole@evil.example", "member").await;
    let mole_member = member_id(&t, &mallory, &evil, &mole.id).await;
    let resp = org_post(
        &t,
        &mallory,
        "/update-member-role",
        json!({"memberId": mole_member, "role": "auditor", "organizationId": evil}),
    )
    .await;
    assert_eq!(problem_code(resp, StatusCode::BAD_REQUEST).await, "VALIDATION_ERROR");
    assert_eq!(
        json(org_get(&t, &olivia, &format!("/list-roles?organizationId={acme}")).await).await[0]["id"],
        json!(id)
    );
}
