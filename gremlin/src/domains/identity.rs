//! Wiring identity: its settings from `[auth]`/`[server]`, its SQL store.

use std::sync::Arc;

use anyhow::Context;
use gremlin_config::Settings;
use gremlin_identity::api::OrganizationApi;
use gremlin_identity::service::invitations::InvitationService;
use gremlin_identity::service::organizations::OrganizationService;
use gremlin_identity::store::SqlIdentityStore;
use gremlin_identity::{IdentityApi, IdentityService, IdentitySettings};

use crate::infra::Adapters;
use crate::infra::mail::LogMailer;

/// Identity's settings from Gremlin's.
pub fn settings(settings: &Settings) -> anyhow::Result<IdentitySettings> {
    let secret = settings.auth.secret.as_ref().context("auth.secret is not resolved")?.expose().to_owned();
    let public = url::Url::parse(&settings.server.public_url).context("server.public_url")?;
    let origin = public.origin().ascii_serialization();
    let mut identity = IdentitySettings::new(secret, origin);
    identity.cookie_prefix.clone_from(&settings.auth.cookie_prefix);
    identity.trusted_origins.clone_from(&settings.auth.trusted_origins);
    identity.upgrade_legacy_hashes = settings.auth.upgrade_legacy_hashes;
    Ok(identity)
}

/// Identity's APIs (sessions, organizations) over the SQL database.
pub fn api(settings: &Settings, adapters: &Adapters) -> anyhow::Result<(IdentityApi, OrganizationApi)> {
    let store = Arc::new(SqlIdentityStore::new(adapters.db.clone()));
    let identity = IdentityService::new(store.clone(), self::settings(settings)?);
    let organizations = OrganizationService::new(store.clone());
    let invitations = InvitationService::new(store, Arc::new(LogMailer));
    Ok((IdentityApi::new(identity.clone()), OrganizationApi::new(identity, organizations, invitations)))
}
