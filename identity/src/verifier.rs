//! The verifier every business domain uses at its boundary: turns a
//! request's credentials into a [`Principal`] for one organization.
//!
//! Credentials: an organization API key (`x-api-key`, or `Authorization:
//! Bearer grm_…`; see [`api_keys`]), an HS256 service JWT (`Authorization: Bearer <jwt>`,
//! checked for algorithm, signature, `exp`/`nbf` with 30 s leeway, `iss`,
//! `aud`), or a session token (bearer, signed or raw, or the session
//! cookie). The organization is `X-Organization-Id` when sent, else the
//! token's `org` claim or the session's active organization; the caller
//! must be a member of it. Memberships, role overrides and the sessions
//! JWTs name are cached through the `Cache` port (read in one round trip)
//! and invalidated by identity's events (and at once in the identity
//! process); banned users and removed members lose access immediately.
//!
//! Reads `member`, `user` and `session` only; never writes them. Depends on
//! no business domain: they contribute permissions to the registry.

mod api_keys;
pub mod registry;
pub mod remote_jwks;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
pub use gremlin_kernel::CallerCredentials;
use gremlin_kernel::{
    Cache, DocumentStore, DomainError, EventEnvelope, OrganizationId, Principal, PrincipalResolver, UserId,
};
use jsonwebtoken::Algorithm;
use time::OffsetDateTime;

use crate::crypto::{jwt, signed_token};
use crate::model::id;
use crate::ports::{AccessInvalidation, Membership, MembershipReader};
pub use api_keys::API_KEY_ROLE;
pub use registry::{PermissionRegistry, RoleOverrides};

/// Document collection holding per-organization role overrides. The
/// verifier caches them like memberships: whoever writes them calls
/// [`AccessInvalidation::roles_changed`]; a document written straight into
/// the store takes effect within `auth.membership_cache_secs`.
pub const ROLE_OVERRIDES_COLLECTION: &str = "role_permissions";

/// How the verifier checks tokens.
#[derive(Clone)]
pub struct VerifierSettings {
    /// The shared secret (HS256 JWTs, signed session tokens).
    pub secret: String,
    /// Expected `iss`.
    pub issuer: String,
    /// Expected `aud`.
    pub audience: String,
    /// How long a membership stays cached without an event.
    pub cache_ttl: Duration,
    /// Cache key prefix (one per deployment).
    pub cache_prefix: String,
    /// Another issuer whose tokens are accepted (a Better Auth server):
    /// its key set and expected `iss` / `aud`.
    pub external: Option<ExternalIssuer>,
    /// Origins a cookie-authenticated request that changes something may
    /// come from (`server.public_url` and `auth.trusted_origins`), as
    /// identity's own endpoints require.
    pub trusted_origins: Vec<String>,
}

/// An external token issuer, verified through its JWKS.
#[derive(Clone)]
pub struct ExternalIssuer {
    /// Its published keys.
    pub jwks: std::sync::Arc<remote_jwks::RemoteJwks>,
    /// Expected `iss`.
    pub issuer: String,
    /// Expected `aud`.
    pub audience: String,
}

/// Resolves callers to principals.
pub struct Verifier {
    settings: VerifierSettings,
    reader: Arc<dyn MembershipReader>,
    cache: Arc<dyn Cache>,
    documents: Arc<dyn DocumentStore>,
    registry: Arc<PermissionRegistry>,
    log: Option<crate::audit::SessionLog>,
}

/// Who a credential names, before the organization is chosen.
struct Caller {
    user_id: String,
    /// The token's `org` claim or the session's active organization.
    default_org: Option<String>,
    /// The session a JWT was minted from, still to be checked live.
    session_id: Option<String>,
}

/// What the verifier caches about a session a JWT names.
#[derive(serde::Serialize, serde::Deserialize)]
struct CachedSession {
    user_id: String,
    /// Unix seconds.
    expires_at: i64,
}

/// What the verifier knows of a caller in one organization.
struct Standing {
    membership: Option<Membership>,
    /// For a JWT: the session it was minted from (`None`: gone).
    session: Option<CachedSession>,
    /// The organization's role overrides (`None`: the registry's defaults).
    overrides: Option<RoleOverrides>,
}

fn unauthenticated(detail: &str) -> DomainError {
    DomainError::Unauthenticated { detail: detail.to_owned() }
}

/// A storage failure while verifying, its cause kept so an exhausted pool
/// is still recognised as overload (503) at the edge.
fn backend(e: impl Into<anyhow::Error>) -> DomainError {
    DomainError::Backend(e.into().context("verifying caller"))
}

impl Verifier {
    /// A verifier over identity's tables (read-only), the cache, the
    /// document store (role overrides) and the permission registry.
    pub fn new(
        settings: VerifierSettings,
        reader: Arc<dyn MembershipReader>,
        cache: Arc<dyn Cache>,
        documents: Arc<dyn DocumentStore>,
        registry: Arc<PermissionRegistry>,
    ) -> Self {
        Self { settings, reader, cache, documents, registry, log: None }
    }

    /// Records API key use in `log` (at most once a minute per key).
    pub fn with_session_log(mut self, log: crate::audit::SessionLog) -> Self {
        self.log = Some(log);
        self
    }

    /// Resolves the caller. Fails with 401 when no valid credential is
    /// presented, 403 when no organization is selected or the caller is not
    /// a member of it.
    pub async fn principal(&self, credentials: &CallerCredentials) -> Result<Principal, DomainError> {
        if let Some(key) = api_keys::presented(credentials) {
            return self.key_principal(&key, credentials).await;
        }
        let caller = self.authenticate(credentials).await?;
        let organization =
            credentials.organization.clone().filter(|o| !o.is_empty()).or(caller.default_org).ok_or_else(|| {
                DomainError::Forbidden {
                    detail: "no organization selected: send X-Organization-Id or set an active organization".into(),
                }
            })?;
        let Standing { membership, session, overrides } =
            self.standing(&organization, &caller.user_id, caller.session_id.as_deref()).await?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        if caller.session_id.is_some() {
            match session {
                Some(s) if s.user_id == caller.user_id && s.expires_at > now => {}
                _ => {
                    return Err(unauthenticated(
                        "the session this token was issued from has ended (signed out or revoked): sign in again",
                    ));
                }
            }
        }
        let membership = match membership {
            Some(m) if m.banned && m.ban_expires.is_none_or(|until| until > now) => {
                return Err(unauthenticated("the user is banned"));
            }
            Some(m) => m,
            None => return Err(DomainError::Forbidden { detail: "you are not a member of this organization".into() }),
        };
        Ok(Principal {
            user_id: UserId::new(caller.user_id),
            organization_id: OrganizationId::new(organization),
            permissions: self.registry.grants(&membership.role, overrides.as_ref()),
            role: membership.role,
        })
    }

    async fn authenticate(&self, credentials: &CallerCredentials) -> Result<Caller, DomainError> {
        let bearer = credentials.authorization.as_deref().and_then(|h| {
            let (scheme, value) = h.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| value.trim().to_owned())
        });
        let token = match (bearer, &credentials.session_cookie) {
            (Some(value), _) if value.split('.').count() == 3 => {
                let claims = self.verify_jwt(&value).await?;
                // Gremlin's tokens name the session they were minted from;
                // Better Auth's carry no `sid` and live until `exp`.
                let session_id = Some(claims.sid).filter(|sid| !sid.is_empty());
                return Ok(Caller { user_id: claims.sub, default_org: claims.org, session_id });
            }
            (Some(value), _) if value.contains('.') => {
                signed_token::verify(&self.settings.secret, &signed_token::percent_decode(&value))
            }
            (Some(value), _) => Some(value),
            (None, Some(cookie)) => {
                self.check_cookie_origin(credentials)?;
                signed_token::verify(&self.settings.secret, &signed_token::percent_decode(cookie))
            }
            (None, None) => None,
        };
        let token = token
            .filter(|t| id::is_well_formed(t))
            .ok_or_else(|| unauthenticated("send a service JWT or a session token"))?;
        let session = self
            .reader
            .session_identity(&token)
            .await
            .map_err(backend)?
            .ok_or_else(|| unauthenticated("unknown session"))?;
        if session.expires_at <= OffsetDateTime::now_utc() {
            return Err(unauthenticated("the session has expired"));
        }
        Ok(Caller { user_id: session.user_id, default_org: session.active_organization_id, session_id: None })
    }

    /// Verifies a JWT: HS256 with the shared secret, or EdDSA with the
    /// published key named by `kid`. Any other algorithm is refused.
    async fn verify_jwt(&self, token: &str) -> Result<jwt::Claims, DomainError> {
        let (issuer, audience) = (&self.settings.issuer, &self.settings.audience);
        match jwt::peek(token) {
            Some((Algorithm::HS256, _)) => jwt::verify_hs256(&self.settings.secret, token, issuer, audience)
                .map_err(|e| unauthenticated(&format!("invalid token: {e}"))),
            Some((alg, Some(kid))) if remote_jwks::ALLOWED.contains(&alg) => {
                if alg == Algorithm::EdDSA
                    && let Some(public) = self.reader.signing_key(&kid).await.map_err(backend)?
                {
                    // The shared `jwks` table holds our keys and, beside a
                    // Better Auth server on the same database, its keys too:
                    // a token claiming the external issuer is held to that
                    // issuer's `iss` and `aud`, anything else to ours.
                    let (issuer, audience) = match &self.settings.external {
                        Some(external) if jwt::peek_issuer(token).as_deref() == Some(external.issuer.as_str()) => {
                            (&external.issuer, &external.audience)
                        }
                        _ => (issuer, audience),
                    };
                    return jwt::verify_eddsa(&public, token, issuer, audience)
                        .map_err(|e| unauthenticated(&format!("invalid token: {e}")));
                }
                let external = self.settings.external.as_ref().ok_or_else(|| unauthenticated("unknown signing key"))?;
                let (key_alg, key) = external
                    .jwks
                    .key(&kid)
                    .await
                    .map_err(|e| DomainError::Unavailable {
                        detail: format!("the issuer's key set cannot be read: {e:#}"),
                    })?
                    .ok_or_else(|| unauthenticated("unknown signing key"))?;
                if key_alg != alg {
                    return Err(unauthenticated("the token's algorithm does not match its key"));
                }
                jwt::verify_with(&key, alg, token, &external.issuer, &external.audience)
                    .map_err(|e| unauthenticated(&format!("invalid token: {e}")))
            }
            _ => Err(unauthenticated("unsupported token: use HS256, or EdDSA/RS256/ES256 with a kid")),
        }
    }

    /// Better Auth's CSRF rule for business endpoints: a request that
    /// changes something and authenticates with the session cookie alone
    /// must name a trusted origin, or a page on another site could make the
    /// browser act for its user.
    fn check_cookie_origin(&self, credentials: &CallerCredentials) -> Result<(), DomainError> {
        if !credentials.changes_state {
            return Ok(());
        }
        let trusted = |origin| {
            gremlin_kernel::caller::origin_is_trusted(origin, self.settings.trusted_origins.iter().map(String::as_str))
        };
        match credentials.origin.as_deref() {
            Some(origin) if trusted(origin) => Ok(()),
            Some(origin) => Err(DomainError::Forbidden {
                detail: format!(
                    "origin {origin} is not trusted for cookie-authenticated changes; \
                     add it to auth.trusted_origins or send a bearer token"
                ),
            }),
            None => Err(DomainError::Forbidden {
                detail: "a cookie-authenticated change needs an Origin (or Referer) header from a trusted origin"
                    .into(),
            }),
        }
    }

    fn cache_key(&self, organization_id: &str, user_id: &str) -> String {
        format!("{}membership:{organization_id}:{user_id}", self.settings.cache_prefix)
    }

    fn user_index_key(&self, user_id: &str) -> String {
        format!("{}membership-user:{user_id}", self.settings.cache_prefix)
    }

    fn org_index_key(&self, organization_id: &str) -> String {
        format!("{}membership-org:{organization_id}", self.settings.cache_prefix)
    }

    /// Adds `member` to the list cached under `index` (best effort: a lost
    /// update only means an entry lives until its TTL).
    async fn remember(&self, index: &str, member: &str) {
        let mut list: Vec<String> = self
            .cache
            .get(index)
            .await
            .ok()
            .flatten()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        if list.iter().any(|m| m == member) {
            return;
        }
        list.push(member.to_owned());
        if let Ok(bytes) = serde_json::to_vec(&list) {
            let _ = self.cache.set(index, &bytes, self.settings.cache_ttl).await;
        }
    }

    async fn indexed(&self, index: &str) -> Vec<String> {
        self.cache.get(index).await.ok().flatten().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    fn session_key(&self, session_id: &str) -> String {
        format!("{}session:{session_id}", self.settings.cache_prefix)
    }

    fn roles_key(&self, organization_id: &str) -> String {
        format!("{}roles:{organization_id}", self.settings.cache_prefix)
    }

    /// The caller's membership, the organization's role overrides and, for
    /// a JWT, the state of the session it was minted from: all cached
    /// entries in one cache round trip, the stores read only for what the
    /// cache lacks. A cache that is down falls back to the stores.
    async fn standing(
        &self,
        organization_id: &str,
        user_id: &str,
        session_id: Option<&str>,
    ) -> Result<Standing, DomainError> {
        let membership_key = self.cache_key(organization_id, user_id);
        let roles_key = self.roles_key(organization_id);
        let session_key = session_id.map(|sid| self.session_key(sid));
        let keys: Vec<&str> =
            [membership_key.as_str(), roles_key.as_str()].into_iter().chain(session_key.as_deref()).collect();
        let cached = self.cache.get_many(&keys).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "verifier cache unavailable; reading the stores");
            Vec::new()
        });
        let decoded = |i: usize| cached.get(i).cloned().flatten();
        let membership = match decoded(0).and_then(|b| serde_json::from_slice::<Option<Membership>>(&b).ok()) {
            Some(cached) => cached,
            None => self.load_membership(&membership_key, organization_id, user_id).await?,
        };
        let overrides = match decoded(1).and_then(|b| serde_json::from_slice::<Option<RoleOverrides>>(&b).ok()) {
            Some(cached) => cached,
            None => self.load_overrides(&roles_key, organization_id).await?,
        };
        let session = match (session_id, session_key) {
            (Some(sid), Some(key)) => match decoded(2).and_then(|b| serde_json::from_slice(&b).ok()) {
                Some(cached) => cached,
                None => self.load_session(&key, sid).await?,
            },
            _ => None,
        };
        Ok(Standing { membership, session, overrides })
    }

    /// Whether `user_id` belongs to `organization_id` and is not banned,
    /// from the membership cache (one round trip), else the store.
    pub async fn is_member(&self, organization_id: &str, user_id: &str) -> Result<bool, DomainError> {
        let key = self.cache_key(organization_id, user_id);
        let cached = self.cache.get(&key).await.ok().flatten();
        let membership = match cached.and_then(|b| serde_json::from_slice::<Option<Membership>>(&b).ok()) {
            Some(cached) => cached,
            None => self.load_membership(&key, organization_id, user_id).await?,
        };
        let now = OffsetDateTime::now_utc().unix_timestamp();
        Ok(membership.is_some_and(|m| !(m.banned && m.ban_expires.is_none_or(|until| until > now))))
    }

    /// Reads a membership from the database and caches it, indexed by user
    /// and by organization so a ban or a deleted organization can drop it.
    async fn load_membership(
        &self,
        key: &str,
        organization_id: &str,
        user_id: &str,
    ) -> Result<Option<Membership>, DomainError> {
        let membership = self.reader.membership_of(organization_id, user_id).await.map_err(backend)?;
        if let Ok(bytes) = serde_json::to_vec(&membership) {
            if let Err(e) = self.cache.set(key, &bytes, self.settings.cache_ttl).await {
                tracing::warn!(error = %e, "could not cache membership");
            }
            self.remember(&self.user_index_key(user_id), organization_id).await;
            self.remember(&self.org_index_key(organization_id), user_id).await;
        }
        Ok(membership)
    }

    /// Reads a session by id from the database and caches what the
    /// verifier needs of it (`None`: it is gone).
    async fn load_session(&self, key: &str, session_id: &str) -> Result<Option<CachedSession>, DomainError> {
        let session = self
            .reader
            .session_by_id(session_id)
            .await
            .map_err(backend)?
            .map(|s| CachedSession { user_id: s.user_id, expires_at: s.expires_at.unix_timestamp() });
        self.cache_session(key, &session).await;
        Ok(session)
    }

    async fn cache_session(&self, key: &str, session: &Option<CachedSession>) {
        if let Ok(bytes) = serde_json::to_vec(session)
            && let Err(e) = self.cache.set(key, &bytes, self.settings.cache_ttl).await
        {
            tracing::warn!(error = %e, "could not cache a session's state");
        }
    }

    /// Reads the organization's role overrides (the `role_permissions`
    /// document, then the domain permissions of its own roles, which win
    /// for their names) and caches them (`None` too: most organizations
    /// have neither).
    async fn load_overrides(&self, key: &str, organization_id: &str) -> Result<Option<RoleOverrides>, DomainError> {
        let doc = self.documents.get(ROLE_OVERRIDES_COLLECTION, organization_id).await.map_err(backend)?;
        let mut overrides: RoleOverrides =
            doc.and_then(|d| serde_json::from_value(d.body.get("roles")?.clone()).ok()).unwrap_or_default();
        overrides.extend(self.reader.custom_role_grants(organization_id).await.map_err(backend)?);
        let overrides = Some(overrides).filter(|o| !o.is_empty());
        if let Ok(bytes) = serde_json::to_vec(&overrides)
            && let Err(e) = self.cache.set(key, &bytes, self.settings.cache_ttl).await
        {
            tracing::warn!(error = %e, "could not cache role overrides");
        }
        Ok(overrides)
    }

    /// The domain permissions `roles` hold in `organization_id`, with the
    /// organization's overrides (cached like a caller's).
    pub async fn domain_grants(&self, organization_id: &str, roles: &str) -> Result<BTreeSet<String>, DomainError> {
        let key = self.roles_key(organization_id);
        let cached = self.cache.get(&key).await.ok().flatten();
        let overrides = match cached.and_then(|b| serde_json::from_slice::<Option<RoleOverrides>>(&b).ok()) {
            Some(cached) => cached,
            None => self.load_overrides(&key, organization_id).await?,
        };
        Ok(self.registry.grants(roles, overrides.as_ref()).into_iter().map(String::from).collect())
    }

    /// Drops cached memberships named by an identity event.
    pub async fn handle_event(&self, event: &EventEnvelope) {
        let user = event.data.get("user_id").and_then(|v| v.as_str());
        let org = event.organization_id.as_ref().map(|o| o.as_str().to_owned());
        match (event.event_type.as_str(), user) {
            ("identity.member.added" | "identity.member.removed" | "identity.member.role_changed", Some(user)) => {
                self.membership_changed(org.as_deref(), user).await;
            }
            ("identity.user.banned" | "identity.user.unbanned" | "identity.user.deleted", Some(user)) => {
                self.membership_changed(None, user).await
            }
            ("identity.session.revoked", _) => {
                match crate::events::SESSIONS_REVOKED.read::<crate::events::SessionsRevoked>(event) {
                    Ok(revoked) => self.sessions_revoked(&revoked.session_ids).await,
                    Err(e) => tracing::warn!(error = %e, "ignoring a malformed identity.session.revoked"),
                }
            }
            ("identity.organization.role_changed", _) => {
                if let Some(org) = org {
                    self.roles_changed(&org).await;
                }
            }
            ("identity.organization.deleted", _) => {
                if let Some(org) = org {
                    self.organization_deleted(&org).await;
                }
            }
            _ => {}
        }
    }
}

#[async_trait]
impl crate::ports::DomainGrants for Verifier {
    async fn granted(&self, organization_id: &str, roles: &str) -> Result<BTreeSet<String>, crate::ports::StoreError> {
        self.domain_grants(organization_id, roles)
            .await
            .map_err(|e| crate::ports::StoreError::Backend(anyhow::anyhow!("reading role grants: {e}")))
    }

    fn registered(&self) -> BTreeSet<String> {
        self.registry.permissions().map(|p| String::from(p.clone())).collect()
    }
}

#[async_trait]
impl AccessInvalidation for Verifier {
    async fn membership_changed(&self, organization_id: Option<&str>, user_id: &str) {
        let orgs = match organization_id {
            Some(org) => vec![org.to_owned()],
            None => self.indexed(&self.user_index_key(user_id)).await,
        };
        for org in orgs {
            if let Err(e) = self.cache.delete(&self.cache_key(&org, user_id)).await {
                tracing::warn!(error = %e, "could not drop a cached membership; it expires within the TTL");
            }
        }
    }

    async fn organization_deleted(&self, organization_id: &str) {
        self.roles_changed(organization_id).await;
        for user in self.indexed(&self.org_index_key(organization_id)).await {
            let _ = self.cache.delete(&self.cache_key(organization_id, &user)).await;
        }
    }

    async fn roles_changed(&self, organization_id: &str) {
        if let Err(e) = self.cache.delete(&self.roles_key(organization_id)).await {
            tracing::warn!(error = %e, "could not drop cached role overrides; they expire within the TTL");
        }
    }

    /// Caches each session as gone (a tombstone for the TTL, so the next
    /// JWT from it is refused without a database read).
    async fn sessions_revoked(&self, session_ids: &[String]) {
        for sid in session_ids {
            self.cache_session(&self.session_key(sid), &None).await;
        }
    }
}

#[async_trait]
impl PrincipalResolver for Verifier {
    async fn principal(&self, credentials: &CallerCredentials) -> Result<Principal, DomainError> {
        Verifier::principal(self, credentials).await
    }
}

#[async_trait::async_trait]
impl gremlin_kernel::MemberDirectory for Verifier {
    async fn is_member(
        &self,
        organization: &gremlin_kernel::OrganizationId,
        user: &gremlin_kernel::UserId,
    ) -> Result<bool, DomainError> {
        Verifier::is_member(self, organization.as_str(), user.as_str()).await
    }
}
