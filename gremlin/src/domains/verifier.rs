//! Wiring the caller verifier every domain's API uses: it reads identity's
//! tables (users, sessions, members) from the shared database, caches
//! memberships through the Cache port and drops them on identity's events.
//! Compiled with any domain; an orders-only binary has it without
//! identity's endpoints.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use gremlin_config::Settings;
use gremlin_identity::IdentitySettings;
use gremlin_identity::audit::SessionLog;
use gremlin_identity::store::SqlIdentityStore;
use gremlin_identity::verifier::remote_jwks::RemoteJwks;
use gremlin_identity::verifier::{ExternalIssuer, PermissionRegistry, Verifier, VerifierSettings};

use crate::infra::Adapters;

/// Identity's settings from Gremlin's.
pub fn identity_settings(settings: &Settings) -> anyhow::Result<IdentitySettings> {
    let secret = settings.auth.secret.as_ref().context("auth.secret is not resolved")?.expose().to_owned();
    let public = url::Url::parse(&settings.server.public_url).context("server.public_url")?;
    let origin = public.origin().ascii_serialization();
    let mut identity = IdentitySettings::new(secret, origin);
    identity.cookie_prefix.clone_from(&settings.auth.cookie_prefix);
    identity.trusted_origins.clone_from(&settings.auth.trusted_origins);
    identity.upgrade_legacy_hashes = settings.auth.upgrade_legacy_hashes;
    identity.eddsa = settings.auth.jwt_algorithm == gremlin_config::JwtAlgorithm::EdDSA;
    identity.require_email_verification = settings.auth.require_email_verification;
    identity.send_verification_on_sign_up = settings.auth.send_verification_on_sign_up;
    identity.auto_sign_in_after_verification = settings.auth.auto_sign_in_after_verification;
    identity.revoke_sessions_on_password_reset = settings.auth.revoke_sessions_on_password_reset;
    identity.allow_account_deletion = settings.auth.allow_account_deletion;
    identity.confirm_account_deletion_by_email = settings.auth.confirm_account_deletion_by_email;
    identity.fresh_session_age = std::time::Duration::from_secs(settings.auth.fresh_session_secs);
    Ok(identity)
}

/// The session log over the document store (identity's sign-ins, the
/// verifier's API key use).
pub fn session_log(settings: &Settings, adapters: &Adapters) -> SessionLog {
    SessionLog::new(adapters.documents.clone(), Duration::from_secs(settings.auth.session_log_retention_days * 86_400))
}

/// The verifier over identity's tables, the cache and the documents, with
/// the permissions the compiled domains registered.
pub fn build(settings: &Settings, adapters: &Adapters, registry: PermissionRegistry) -> anyhow::Result<Arc<Verifier>> {
    let identity = identity_settings(settings)?;
    let mut trusted_origins = vec![identity.public_origin.clone()];
    trusted_origins.extend(identity.trusted_origins.iter().cloned());
    let verifier_settings = VerifierSettings {
        trusted_origins,
        secret: identity.secret,
        issuer: identity.public_origin.clone(),
        audience: identity.public_origin,
        cache_ttl: Duration::from_secs(settings.auth.membership_cache_secs),
        cache_prefix: settings.cache.key_prefix.clone(),
        external: external_issuer(settings)?,
    };
    let reader = Arc::new(SqlIdentityStore::new(adapters.db.clone()));
    Ok(Arc::new(
        Verifier::new(
            verifier_settings,
            reader,
            adapters.cache.clone(),
            adapters.documents.clone(),
            Arc::new(registry),
        )
        .with_session_log(session_log(settings, adapters)),
    ))
}

/// The external issuer configured by `auth.jwks_url`, if any.
fn external_issuer(settings: &Settings) -> anyhow::Result<Option<ExternalIssuer>> {
    let Some(url) = &settings.auth.jwks_url else { return Ok(None) };
    let issuer = settings.auth.jwks_issuer.clone().context("auth.jwks_issuer is required with auth.jwks_url")?;
    let audience = settings.auth.jwks_audience.clone().unwrap_or_else(|| issuer.clone());
    let jwks = Arc::new(RemoteJwks::new(url.clone()).context("building the JWKS client")?);
    Ok(Some(ExternalIssuer { jwks, issuer, audience }))
}

/// The consumer that drops the verifier's cached state on identity's
/// events. Every process keeps its own cache, so each needs every event:
/// the durable name is unique to the process, and the bus forgets it ten
/// minutes after the process is gone.
pub fn cache_consumer(verifier: Arc<Verifier>) -> gremlin_kernel::Consumer {
    let mut spec = gremlin_kernel::SubscriptionSpec::new(
        format!("verifier-cache-{}", uuid::Uuid::now_v7().simple()),
        &["identity.>"],
    );
    spec.expire_when_idle = Some(Duration::from_secs(600));
    gremlin_kernel::Consumer::new(spec, move |event| {
        let verifier = verifier.clone();
        async move {
            verifier.handle_event(&event).await;
            Ok(())
        }
    })
}
