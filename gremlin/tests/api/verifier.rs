//! The verifier business domains use: JWTs, session tokens and cookies
//! become a principal with the permissions of the caller's role; other
//! organizations, removed members and banned users are refused at once.

use std::sync::Arc;
use std::time::Duration;

use gremlin_identity::ports::AccessInvalidation;
use gremlin_identity::verifier::{CallerCredentials, PermissionRegistry, ROLE_OVERRIDES_COLLECTION, Verifier};
use gremlin_kernel::sql::statement;
use gremlin_kernel::{DomainError, EventEnvelope, OrganizationId, Principal};
use sea_orm::ConnectionTrait;
use serde_json::{Value as Json, json};

use crate::both_backends;
use crate::support::{self, Backend, TestApp, json};

both_backends! {
    every_credential_form_yields_the_principal => every_credential_form_yields_the_principal,
    membership_changes_take_effect_at_once => membership_changes_take_effect_at_once,
    the_member_directory_follows_memberships => the_member_directory_follows_memberships,
    a_jwt_stops_working_when_its_session_ends => a_jwt_stops_working_when_its_session_ends,
    other_processes_learn_of_ended_sessions_from_the_event => other_processes_learn_of_ended_sessions_from_the_event,
    organization_overrides_replace_role_defaults => organization_overrides_replace_role_defaults,
    identity_events_invalidate_the_cache_through_the_bus => identity_events_invalidate_the_cache_through_the_bus,
    eddsa_mode_publishes_keys_and_signs_verifiable_tokens => eddsa_mode_publishes_keys_and_signs_verifiable_tokens,
    tokens_of_an_external_issuer_verify_through_its_jwks => tokens_of_an_external_issuer_verify_through_its_jwks,
}

fn registry() -> PermissionRegistry {
    let mut r = PermissionRegistry::new();
    // The verifier is tested on its own, with permissions shaped like orders'.
    use gremlin_kernel::Permission;
    r.register(&Permission::declare("orders:read"), &["owner", "admin", "member"]);
    r.register(&Permission::declare("orders:write"), &["owner", "admin", "member"]);
    r.register(&Permission::declare("orders:manage"), &["owner", "admin"]);
    r
}

fn verifier(t: &TestApp) -> Arc<Verifier> {
    gremlin::domains::verifier::build(&t.app.settings, &t.app.adapters, registry()).unwrap()
}

struct Caller {
    bearer: String,
    raw_token: String,
    user_id: String,
}

async fn sign_up(t: &TestApp, email: &str) -> Caller {
    let s = support::sign_up(t, email, email).await;
    Caller { bearer: s.bearer, raw_token: s.raw_token, user_id: s.id }
}

async fn org_post(t: &TestApp, caller: &Caller, path: &str, body: Json) -> Json {
    let resp = t
        .client()
        .post(format!("/api/auth/organization{path}"))
        .header("authorization", &caller.bearer)
        .body_json(&body)
        .send()
        .await;
    resp.assert_status_is_ok();
    json(resp).await
}

fn bearer(value: &str) -> CallerCredentials {
    CallerCredentials { authorization: Some(value.to_owned()), ..CallerCredentials::default() }
}

fn permissions(p: &Principal) -> Vec<String> {
    p.permissions.iter().map(|x| x.to_string()).collect()
}

/// Alice owns Acme; Bob joined it as a member through an invitation.
async fn acme(t: &TestApp) -> (Caller, Caller, String) {
    let alice = sign_up(t, "alice@example.com").await;
    let bob = sign_up(t, "bob@example.com").await;
    let org = org_post(t, &alice, "/create", json!({"name": "Acme", "slug": "acme"})).await;
    let org_id = org["id"].as_str().unwrap().to_owned();
    let invitation = org_post(t, &alice, "/invite-member", json!({"email": "bob@example.com", "role": "member"})).await;
    org_post(t, &bob, "/accept-invitation", json!({"invitationId": invitation["id"]})).await;
    (alice, bob, org_id)
}

async fn every_credential_form_yields_the_principal(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _, org_id) = acme(&t).await;
    let v = verifier(&t);
    let jwt =
        json(t.client().get("/api/auth/token").header("authorization", &alice.bearer).send().await).await["token"]
            .as_str()
            .unwrap()
            .to_owned();

    let claims = gremlin_identity::crypto::jwt::verify_hs256(
        "test-secret-0123456789abcdef0123456789abcdef",
        &jwt,
        "http://127.0.0.1:8080",
        "http://127.0.0.1:8080",
    )
    .unwrap();
    assert_eq!((claims.org.as_deref(), claims.org_role.as_deref()), (Some(org_id.as_str()), Some("owner")));
    let cookie = alice.bearer.trim_start_matches("Bearer ").to_owned();
    let forms = [
        bearer(&format!("Bearer {jwt}")),
        bearer(&alice.bearer),
        bearer(&format!("Bearer {}", alice.raw_token)),
        CallerCredentials { session_cookie: Some(cookie), ..CallerCredentials::default() },
    ];
    for credentials in forms {
        let p = v.principal(&credentials).await.unwrap_or_else(|e| panic!("{credentials:?}: {e}"));
        assert_eq!(p.user_id.as_str(), alice.user_id);
        assert_eq!(p.organization_id, OrganizationId::new(org_id.clone()), "the active organization");
        assert_eq!(p.role, "owner");
        assert_eq!(permissions(&p), ["orders:manage", "orders:read", "orders:write"]);
    }

    // Business domains see it only through the kernel port.
    let resolver: Arc<dyn gremlin_kernel::PrincipalResolver> = v.clone();
    assert_eq!(resolver.principal(&bearer(&format!("Bearer {jwt}"))).await.unwrap().role, "owner");

    let unauthenticated =
        |r: Result<Principal, DomainError>| assert!(matches!(r, Err(DomainError::Unauthenticated { .. })), "{r:?}");
    unauthenticated(v.principal(&CallerCredentials::default()).await);
    unauthenticated(v.principal(&bearer("Bearer not.a.jwt")).await);
    unauthenticated(v.principal(&bearer(&format!("Bearer {}x", &jwt[..jwt.len() - 1]))).await);
    unauthenticated(v.principal(&bearer(&format!("Bearer {}", "x".repeat(32)))).await);
    let foreign = {
        let mut claims = gremlin_identity::crypto::jwt::verify_hs256(
            "test-secret-0123456789abcdef0123456789abcdef",
            &jwt,
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080",
        )
        .unwrap();
        claims.exp += 60;
        gremlin_identity::crypto::jwt::sign_hs256("another-secret-another-secret-xx", &claims).unwrap()
    };
    unauthenticated(v.principal(&bearer(&format!("Bearer {foreign}"))).await);

    // Another organization, by header: refused, never answered for.
    let mallory = sign_up(&t, "mallory@example.com").await;
    let evil = org_post(&t, &mallory, "/create", json!({"name": "Evil", "slug": "evil"})).await;
    let mut cross = bearer(&format!("Bearer {jwt}"));
    cross.organization = Some(evil["id"].as_str().unwrap().to_owned());
    assert!(matches!(v.principal(&cross).await, Err(DomainError::Forbidden { .. })));
    let mut to_acme = bearer(&mallory.bearer);
    to_acme.organization = Some(org_id);
    assert!(matches!(v.principal(&to_acme).await, Err(DomainError::Forbidden { .. })));
    // No organization at all.
    let loner = sign_up(&t, "loner@example.com").await;
    assert!(matches!(v.principal(&bearer(&loner.bearer)).await, Err(DomainError::Forbidden { .. })));
}

async fn membership_changes_take_effect_at_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, bob, org_id) = acme(&t).await;
    // The app's own verifier: the one identity's services invalidate.
    let v = t.app.verifier.clone();
    let mut credentials = bearer(&bob.bearer);
    credentials.organization = Some(org_id.clone());
    assert_eq!(v.principal(&credentials).await.unwrap().role, "member");

    let members = json(
        t.client()
            .get(format!("/api/auth/organization/list-members?organizationId={org_id}"))
            .header("authorization", &alice.bearer)
            .send()
            .await,
    )
    .await;
    let bob_member =
        members["members"].as_array().unwrap().iter().find(|m| m["userId"] == bob.user_id.as_str()).unwrap()["id"]
            .clone();
    org_post(&t, &alice, "/update-member-role", json!({"memberId": bob_member, "role": "admin"})).await;
    assert_eq!(v.principal(&credentials).await.unwrap().role, "admin", "role change seen at once despite the cache");

    org_post(&t, &alice, "/remove-member", json!({"memberIdOrEmail": "bob@example.com"})).await;
    assert!(
        matches!(v.principal(&credentials).await, Err(DomainError::Forbidden { .. })),
        "removed member loses access at once"
    );

    // Ban: identity announces identity.user.banned; the verifier drops every
    // cached membership of the user.
    let mut alice_credentials = bearer(&alice.bearer);
    alice_credentials.organization = Some(org_id.clone());
    v.principal(&alice_credentials).await.unwrap();
    ban_behind_the_apps_back(&t, &v, &alice.user_id).await;
    assert!(
        matches!(v.principal(&alice_credentials).await, Err(DomainError::Unauthenticated { .. })),
        "banned users lose access at once"
    );
}

/// What domains ask before storing a member's id (a CRM owner, a leave
/// approver): members are, others and other organizations' are not, and a
/// removal or a ban shows at once.
async fn the_member_directory_follows_memberships(backend: Backend) {
    use gremlin_kernel::{MemberDirectory, OrganizationId, UserId};
    let t = TestApp::new(backend).await;
    let (alice, bob, org_id) = acme(&t).await;
    let carol = sign_up(&t, "carol@example.com").await;
    let other = org_post(&t, &carol, "/create", json!({"name": "Globex", "slug": "globex"})).await;
    let directory: Arc<dyn MemberDirectory> = t.app.verifier.clone();
    let member = |org: &str, user: &str| {
        let (directory, org, user) = (directory.clone(), OrganizationId::new(org), UserId::new(user));
        async move { directory.is_member(&org, &user).await.unwrap() }
    };
    assert!(member(&org_id, &alice.user_id).await && member(&org_id, &bob.user_id).await);
    assert!(!member(&org_id, &carol.user_id).await, "not a member of acme");
    assert!(!member(other["id"].as_str().unwrap(), &bob.user_id).await, "another organization's");
    assert!(!member(&org_id, "no-such-user").await);
    org_post(&t, &alice, "/remove-member", json!({"memberIdOrEmail": "bob@example.com"})).await;
    assert!(!member(&org_id, &bob.user_id).await, "a removal shows at once");
    ban_behind_the_apps_back(&t, &t.app.verifier, &alice.user_id).await;
    assert!(!member(&org_id, &alice.user_id).await, "a banned user may not act");
}

/// Bans `user_id` in the database and tells `verifier` as identity's
/// `identity.user.banned` event would.
async fn ban_behind_the_apps_back(t: &TestApp, verifier: &Verifier, user_id: &str) {
    let db = &t.app.adapters.db;
    let sql = r#"UPDATE "user" SET "banned" = $1 WHERE "id" = $2"#;
    db.execute_raw(statement(db.get_database_backend(), sql, vec![true.into(), user_id.into()])).await.unwrap();
    let banned = EventEnvelope::new("identity.user.banned", "identity", None, user_id, json!({"user_id": user_id}));
    verifier.handle_event(&banned).await;
}

/// A service JWT minted from Alice's current session, sent for `org_id`.
async fn jwt_credentials(t: &TestApp, caller_bearer: &str, org_id: &str) -> CallerCredentials {
    let jwt =
        json(t.client().get("/api/auth/token").header("authorization", caller_bearer).send().await).await["token"]
            .as_str()
            .unwrap()
            .to_owned();
    let mut credentials = bearer(&format!("Bearer {jwt}"));
    credentials.organization = Some(org_id.to_owned());
    credentials
}

fn ended(result: Result<Principal, DomainError>) -> String {
    match result {
        Err(DomainError::Unauthenticated { detail }) => detail,
        other => panic!("expected 401 for a JWT of an ended session, got {other:?}"),
    }
}

async fn session_revocations_recorded(t: &TestApp) -> Vec<Json> {
    let db = &t.app.adapters.db;
    let stmt = statement(
        db.get_database_backend(),
        "SELECT envelope FROM outbox WHERE event_type = $1 ORDER BY created_at_us",
        vec!["identity.session.revoked".into()],
    );
    let rows = db.query_all_raw(stmt).await.unwrap();
    rows.iter().map(|r| serde_json::from_str(&r.try_get_by_index::<String>(0).unwrap()).unwrap()).collect()
}

async fn a_jwt_stops_working_when_its_session_ends(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, bob, org_id) = acme(&t).await;
    // The app's own verifier: the one identity's services tell at once.
    let v = t.app.verifier.clone();

    // Sign-out: the JWT was accepted (and its session cached as live), then
    // is refused the moment the session ends, not at its `exp`.
    let signed_out = jwt_credentials(&t, &alice.bearer, &org_id).await;
    assert_eq!(v.principal(&signed_out).await.unwrap().role, "owner");
    t.client().post("/api/auth/sign-out").header("authorization", &alice.bearer).send().await.assert_status_is_ok();
    assert!(ended(v.principal(&signed_out).await).contains("signed out or revoked"));

    // Revoking one session by token, and every session, end their JWTs too.
    let bob_second = support::sign_in(&t, "bob@example.com").await;
    let first = jwt_credentials(&t, &bob.bearer, &org_id).await;
    let second = jwt_credentials(&t, &bob_second.bearer, &org_id).await;
    assert!(v.principal(&first).await.is_ok() && v.principal(&second).await.is_ok());
    let revoke = t
        .client()
        .post("/api/auth/revoke-session")
        .header("authorization", &bob_second.bearer)
        .body_json(&json!({"token": bob.raw_token}))
        .send()
        .await;
    revoke.assert_status_is_ok();
    ended(v.principal(&first).await);
    assert!(v.principal(&second).await.is_ok(), "the other session's JWT still works");
    t.client()
        .post("/api/auth/revoke-sessions")
        .header("authorization", &bob_second.bearer)
        .send()
        .await
        .assert_status_is_ok();
    ended(v.principal(&second).await);

    // Each ending went through the outbox, naming the user and the sessions.
    let recorded = session_revocations_recorded(&t).await;
    assert_eq!(recorded.len(), 3, "{recorded:#?}");
    assert_eq!(recorded[0]["data"]["user_id"], alice.user_id.as_str());
    assert_eq!(recorded[1]["data"]["session_ids"].as_array().unwrap().len(), 1);
    assert!(recorded.iter().skip(1).all(|e| e["data"]["user_id"] == bob.user_id.as_str()));
}

/// Deletes the user's rows of `table` as another process would: nothing in
/// this one hears of it.
async fn delete_behind_the_apps_back(t: &TestApp, table: &str, user_id: &str) {
    let db = &t.app.adapters.db;
    let sql = format!(r#"DELETE FROM "{table}" WHERE "userId" = $1"#);
    db.execute_raw(statement(db.get_database_backend(), &sql, vec![user_id.into()])).await.unwrap();
}

/// A split business service: it shares no memory with identity and hears of
/// ended sessions only through `identity.session.revoked`. Until then it
/// answers from its cache, so checking the session costs it no round trip.
async fn other_processes_learn_of_ended_sessions_from_the_event(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (alice, _, org_id) = acme(&t).await;
    let other_process = verifier(&t);
    let credentials = jwt_credentials(&t, &alice.bearer, &org_id).await;
    other_process.principal(&credentials).await.unwrap();
    delete_behind_the_apps_back(&t, "session", &alice.user_id).await;
    assert!(other_process.principal(&credentials).await.is_ok(), "still cached: nothing told this process yet");
    let sid = gremlin_identity::crypto::jwt::verify_hs256(
        "test-secret-0123456789abcdef0123456789abcdef",
        credentials.authorization.as_deref().unwrap().trim_start_matches("Bearer "),
        "http://127.0.0.1:8080",
        "http://127.0.0.1:8080",
    )
    .unwrap()
    .sid;
    let revoked = EventEnvelope::new(
        "identity.session.revoked",
        "identity",
        None,
        alice.user_id.clone(),
        json!({"user_id": alice.user_id, "session_ids": [sid]}),
    );
    other_process.handle_event(&revoked).await;
    ended(other_process.principal(&credentials).await);
}

async fn organization_overrides_replace_role_defaults(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, bob, org_id) = acme(&t).await;
    let v = verifier(&t);
    let mut credentials = bearer(&bob.bearer);
    credentials.organization = Some(org_id.clone());
    assert_eq!(permissions(&v.principal(&credentials).await.unwrap()), ["orders:read", "orders:write"]);
    t.app
        .adapters
        .documents
        .upsert(ROLE_OVERRIDES_COLLECTION, &org_id, json!({"roles": {"member": ["orders:read"]}}))
        .await
        .unwrap();
    // Cached: the write is not seen until its writer announces it.
    assert_eq!(permissions(&v.principal(&credentials).await.unwrap()), ["orders:read", "orders:write"]);
    v.roles_changed(&org_id).await;
    assert_eq!(permissions(&v.principal(&credentials).await.unwrap()), ["orders:read"]);
}

async fn identity_events_invalidate_the_cache_through_the_bus(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, bob, org_id) = acme(&t).await;
    let v = t.app.verifier.clone();
    let mut credentials = bearer(&bob.bearer);
    credentials.organization = Some(org_id.clone());
    v.principal(&credentials).await.unwrap();
    // Another process removed bob: this process only hears the event.
    delete_behind_the_apps_back(&t, "member", &bob.user_id).await;
    assert!(v.principal(&credentials).await.is_ok(), "still cached: nothing told this process yet");

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let consumer = t.app.consumers[0].clone();
    let running = tokio::spawn(gremlin::consumers::run(t.app.adapters.events.clone(), consumer, async move {
        let _ = stopped.await;
    }));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let removed = EventEnvelope::new(
        "identity.member.removed",
        "identity",
        Some(OrganizationId::new(org_id.clone())),
        "m",
        json!({"user_id": bob.user_id}),
    );
    t.app.adapters.events.publish(&removed).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while v.principal(&credentials).await.is_ok() {
        assert!(std::time::Instant::now() < deadline, "the event never invalidated the cache");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(()).unwrap();
    running.await.unwrap();
}

async fn eddsa_mode_publishes_keys_and_signs_verifiable_tokens(backend: Backend) {
    let t = TestApp::custom(backend, |s| s.auth.jwt_algorithm = gremlin_config::JwtAlgorithm::EdDSA, |b| b).await;
    let (alice, _, org_id) = acme(&t).await;
    let jwks = json(t.client().get("/api/auth/jwks").send().await).await;
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{jwks}");
    assert_eq!(
        (keys[0]["kty"].clone(), keys[0]["crv"].clone(), keys[0]["alg"].clone()),
        (json!("OKP"), json!("Ed25519"), json!("EdDSA"))
    );
    let kid = keys[0]["kid"].as_str().unwrap().to_owned();
    let stored = {
        let db = &t.app.adapters.db;
        let row = db
            .query_one_raw(statement(
                db.get_database_backend(),
                r#"SELECT "privateKey", "alg" FROM "jwks" WHERE "id" = $1"#,
                vec![kid.clone().into()],
            ))
            .await
            .unwrap()
            .unwrap();
        (row.try_get_by_index::<String>(0).unwrap(), row.try_get_by_index::<String>(1).unwrap())
    };
    assert!(stored.0.starts_with('"'), "private key stored encrypted and JSON-quoted, as Better Auth does");
    assert_eq!(stored.1, "EdDSA");

    let jwt =
        json(t.client().get("/api/auth/token").header("authorization", &alice.bearer).send().await).await["token"]
            .as_str()
            .unwrap()
            .to_owned();
    let header = jsonwebtoken::decode_header(&jwt).unwrap();
    assert_eq!((header.alg, header.kid.as_deref()), (jsonwebtoken::Algorithm::EdDSA, Some(kid.as_str())));
    let key = jsonwebtoken::DecodingKey::from_ed_components(keys[0]["x"].as_str().unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.set_audience(&["http://127.0.0.1:8080"]);
    let claims = jsonwebtoken::decode::<serde_json::Value>(&jwt, &key, &validation)
        .expect("verifies with the published key")
        .claims;
    assert_eq!(claims["sub"], alice.user_id.as_str());

    let v = verifier(&t);
    let principal = v.principal(&bearer(&format!("Bearer {jwt}"))).await.unwrap();
    assert_eq!(principal.organization_id, OrganizationId::new(org_id));
    // A token naming a key that is not ours is refused.
    let mut forged_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    forged_header.kid = Some("unknown-key".into());
    let (_, private) = gremlin_identity::crypto::keys::generate("another").unwrap();
    let forged = jsonwebtoken::encode(
        &forged_header,
        &claims,
        &gremlin_identity::crypto::keys::encoding_key("another", &private).unwrap(),
    )
    .unwrap();
    assert!(matches!(
        v.principal(&bearer(&format!("Bearer {forged}"))).await,
        Err(DomainError::Unauthenticated { .. })
    ));
    // The same key keeps signing: still one key after more tokens.
    t.client().get("/api/auth/token").header("authorization", &alice.bearer).send().await.assert_status_is_ok();
    assert_eq!(json(t.client().get("/api/auth/jwks").send().await).await["keys"].as_array().unwrap().len(), 1);
}

/// Serves `document` at `/api/auth/jwks` on a free port, as a Better Auth
/// server would; returns its URL.
async fn serve_jwks(document: serde_json::Value) -> (String, tokio::sync::oneshot::Sender<()>) {
    use poem::listener::{Acceptor, Listener};
    let acceptor = poem::listener::TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
    let addr = *acceptor.local_addr()[0].as_socket_addr().unwrap();
    let route =
        poem::Route::new().at("/api/auth/jwks", poem::endpoint::make_sync(move |_| poem::web::Json(document.clone())));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(
        route,
        async move {
            let _ = stopped.await;
        },
        None,
    ));
    (format!("http://{addr}/api/auth/jwks"), stop)
}

async fn tokens_of_an_external_issuer_verify_through_its_jwks(backend: Backend) {
    let (public, private) = gremlin_identity::crypto::keys::generate("better-auth-secret").unwrap();
    let mut jwk: serde_json::Value = serde_json::from_str(&public).unwrap();
    jwk["kid"] = "ba-key-1".into();
    jwk["alg"] = "EdDSA".into();
    let (url, _stop) = serve_jwks(json!({"keys": [jwk]})).await;
    let t = TestApp::custom(
        backend,
        |s| {
            s.auth.jwks_url = Some(url.clone());
            s.auth.jwks_issuer = Some("http://ba.test".into());
        },
        |b| b,
    )
    .await;
    let (alice, _, org_id) = acme(&t).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let sign = |kid: &str, iss: &str| {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.kid = Some(kid.into());
        let claims = json!({"sub": alice.user_id, "email": "alice@example.com", "iat": now, "exp": now + 900, "iss": iss, "aud": iss});
        let key = gremlin_identity::crypto::keys::encoding_key("better-auth-secret", &private).unwrap();
        jsonwebtoken::encode(&header, &claims, &key).unwrap()
    };
    let v = t.app.verifier.clone();
    let mut credentials = bearer(&format!("Bearer {}", sign("ba-key-1", "http://ba.test")));
    credentials.organization = Some(org_id.clone());
    let principal = v.principal(&credentials).await.expect("a Better Auth token verifies through its JWKS");
    assert_eq!((principal.user_id.as_str(), principal.role.as_str()), (alice.user_id.as_str(), "owner"));

    let mut wrong_issuer = bearer(&format!("Bearer {}", sign("ba-key-1", "http://evil.test")));
    wrong_issuer.organization = Some(org_id.clone());
    assert!(matches!(v.principal(&wrong_issuer).await, Err(DomainError::Unauthenticated { .. })));
    let mut unknown_key = bearer(&format!("Bearer {}", sign("ba-key-2", "http://ba.test")));
    unknown_key.organization = Some(org_id.clone());
    assert!(matches!(v.principal(&unknown_key).await, Err(DomainError::Unauthenticated { .. })));

    // Better Auth beside Gremlin on one database keeps its keys in the shared
    // `jwks` table: a token signed with such a key is held to Better Auth's
    // issuer, not Gremlin's (was: refused with InvalidIssuer).
    let (shared_public, shared_private) = gremlin_identity::crypto::keys::generate("better-auth-secret").unwrap();
    use gremlin_identity::ports::IdentityStore;
    gremlin_identity::store::SqlIdentityStore::new(t.app.adapters.db.clone())
        .insert_signing_key(&gremlin_identity::ports::SigningKeyRecord {
            id: "ba-shared-key".into(),
            public_key: shared_public,
            private_key: "\"encrypted by Better Auth\"".into(),
            created_at: time::OffsetDateTime::now_utc(),
        })
        .await
        .unwrap();
    let sign_shared = |iss: &str| {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.kid = Some("ba-shared-key".into());
        let claims = json!({"sub": alice.user_id, "iat": now, "exp": now + 900, "iss": iss, "aud": iss});
        let key = gremlin_identity::crypto::keys::encoding_key("better-auth-secret", &shared_private).unwrap();
        jsonwebtoken::encode(&header, &claims, &key).unwrap()
    };
    let mut shared = bearer(&format!("Bearer {}", sign_shared("http://ba.test")));
    shared.organization = Some(org_id.clone());
    let principal = v.principal(&shared).await.expect("a Better Auth token signed with a key in the shared table");
    assert_eq!(principal.user_id.as_str(), alice.user_id.as_str());
    let mut impostor = bearer(&format!("Bearer {}", sign_shared("http://evil.test")));
    impostor.organization = Some(org_id.clone());
    assert!(matches!(v.principal(&impostor).await, Err(DomainError::Unauthenticated { .. })));

    // The issuer's key set unreachable: 503, not a silent pass or a 500.
    let mut settings = t.app.settings.clone();
    settings.auth.jwks_url = Some("http://127.0.0.1:1/api/auth/jwks".into());
    let offline = gremlin::domains::verifier::build(&settings, &t.app.adapters, registry()).unwrap();
    assert!(matches!(offline.principal(&credentials).await, Err(DomainError::Unavailable { .. })));
}
