//! Wiring identity: its settings from `[auth]`/`[server]`, its SQL store,
//! the verifier every domain uses, and the mailer.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use gremlin_config::Settings;
use gremlin_identity::api::OrganizationApi;
use gremlin_identity::api::admin::AdminApi;
use gremlin_identity::audit::SessionLog;
use gremlin_identity::ports::AccessInvalidation;
use gremlin_identity::service::admin::AdminService;
use gremlin_identity::service::invitations::InvitationService;
use gremlin_identity::service::organizations::OrganizationService;
use gremlin_identity::store::SqlIdentityStore;
use gremlin_identity::verifier::remote_jwks::RemoteJwks;
use gremlin_identity::verifier::{ExternalIssuer, PermissionRegistry, Verifier, VerifierSettings};
use gremlin_identity::{IdentityApi, IdentityService, IdentitySettings};

use crate::infra::Adapters;

/// Identity's settings from Gremlin's.
pub fn settings(settings: &Settings) -> anyhow::Result<IdentitySettings> {
    let secret = settings.auth.secret.as_ref().context("auth.secret is not resolved")?.expose().to_owned();
    let public = url::Url::parse(&settings.server.public_url).context("server.public_url")?;
    let origin = public.origin().ascii_serialization();
    let mut identity = IdentitySettings::new(secret, origin);
    identity.cookie_prefix.clone_from(&settings.auth.cookie_prefix);
    identity.trusted_origins.clone_from(&settings.auth.trusted_origins);
    identity.upgrade_legacy_hashes = settings.auth.upgrade_legacy_hashes;
    identity.eddsa = settings.auth.jwt_algorithm == gremlin_config::JwtAlgorithm::EdDSA;
    Ok(identity)
}

/// The verifier over identity's tables, the cache and the documents, with
/// the permissions the compiled domains registered.
pub fn verifier(
    settings: &Settings,
    adapters: &Adapters,
    registry: PermissionRegistry,
) -> anyhow::Result<Arc<Verifier>> {
    let identity = self::settings(settings)?;
    let verifier_settings = VerifierSettings {
        secret: identity.secret,
        issuer: identity.public_origin.clone(),
        audience: identity.public_origin,
        cache_ttl: Duration::from_secs(settings.auth.membership_cache_secs),
        cache_prefix: settings.cache.key_prefix.clone(),
        external: external_issuer(settings)?,
    };
    let reader = Arc::new(SqlIdentityStore::new(adapters.db.clone()));
    Ok(Arc::new(Verifier::new(
        verifier_settings,
        reader,
        adapters.cache.clone(),
        adapters.documents.clone(),
        Arc::new(registry),
    )))
}

/// The session log over the document store.
pub fn session_log(settings: &Settings, adapters: &Adapters) -> SessionLog {
    SessionLog::new(adapters.documents.clone(), Duration::from_secs(settings.auth.session_log_retention_days * 86_400))
}

/// The admin use cases (also used by `gremlin admin create-user`).
pub fn admin_service(settings: &Settings, adapters: &Adapters, access: Arc<dyn AccessInvalidation>) -> AdminService {
    let store = Arc::new(SqlIdentityStore::new(adapters.db.clone()));
    AdminService::new(store.clone(), store, access, session_log(settings, adapters))
}

/// The external issuer configured by `auth.jwks_url`, if any.
fn external_issuer(settings: &Settings) -> anyhow::Result<Option<ExternalIssuer>> {
    let Some(url) = &settings.auth.jwks_url else { return Ok(None) };
    let issuer = settings.auth.jwks_issuer.clone().context("auth.jwks_issuer is required with auth.jwks_url")?;
    let audience = settings.auth.jwks_audience.clone().unwrap_or_else(|| issuer.clone());
    let jwks = Arc::new(RemoteJwks::new(url.clone()).context("building the JWKS client")?);
    Ok(Some(ExternalIssuer { jwks, issuer, audience }))
}

/// Identity's APIs (sessions, organizations, admin) over the SQL database.
pub fn api(
    settings: &Settings,
    adapters: &Adapters,
    verifier: Arc<Verifier>,
) -> anyhow::Result<(IdentityApi, OrganizationApi, AdminApi)> {
    let store = Arc::new(SqlIdentityStore::new(adapters.db.clone()));
    let log = session_log(settings, adapters);
    let identity = IdentityService::new(store.clone(), self::settings(settings)?, log.clone());
    let organizations = OrganizationService::new(store.clone(), verifier.clone()).with_log(log.clone());
    let invitations = InvitationService::new(store, crate::infra::mail::from_settings(settings)?, verifier.clone());
    let admin = admin_service(settings, adapters, verifier);
    Ok((
        IdentityApi::new(identity.clone()),
        OrganizationApi::new(identity.clone(), organizations, invitations),
        AdminApi::new(identity, admin, log),
    ))
}
