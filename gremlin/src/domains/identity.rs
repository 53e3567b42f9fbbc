//! Wiring identity's API: its SQL store, the session log, the admin use
//! cases and the mailer (the verifier is in [`super::verifier`]).

use std::sync::Arc;

use gremlin_config::Settings;
use gremlin_identity::api::admin::AdminApi;
use gremlin_identity::api::{
    AccountApi, AccountDeletionApi, ApiKeyApi, AuthApis, OrganizationApi, RoleApi, TwoFactorApi,
};
use gremlin_identity::crypto::hashing::PasswordWorkers;
use gremlin_identity::ports::AccessInvalidation;
use gremlin_identity::service::admin::AdminService;
use gremlin_identity::service::invitations::InvitationService;
use gremlin_identity::service::organizations::OrganizationService;
use gremlin_identity::store::SqlIdentityStore;
use gremlin_identity::verifier::Verifier;
use gremlin_identity::{IdentityApi, IdentityService};

use crate::infra::Adapters;

/// The admin use cases (also used by `gremlin admin create-user`).
pub fn admin_service(
    settings: &Settings,
    adapters: &Adapters,
    access: Arc<dyn AccessInvalidation>,
    hashing: PasswordWorkers,
) -> AdminService {
    let store = Arc::new(SqlIdentityStore::new(adapters.db.clone()));
    AdminService::new(store.clone(), store, access, super::verifier::session_log(settings, adapters), hashing)
}

/// The password-hashing workers: `auth.password_hash_concurrency` threads
/// behind a queue of `auth.password_hash_queue`.
///
/// Fails when the operating system refuses to start a thread.
pub fn password_workers(settings: &Settings) -> anyhow::Result<PasswordWorkers> {
    PasswordWorkers::start(settings.auth.password_hash_concurrency, settings.auth.password_hash_queue)
}

/// Identity's APIs (sessions, organizations, admin) over the SQL database.
pub fn api(settings: &Settings, adapters: &Adapters, verifier: Arc<Verifier>) -> anyhow::Result<AuthApis> {
    let store = Arc::new(SqlIdentityStore::new(adapters.db.clone()));
    let log = super::verifier::session_log(settings, adapters);
    let hashing = password_workers(settings)?;
    let mailer = crate::infra::mail::from_settings(settings)?;
    let identity = IdentityService::new(
        store.clone(),
        super::verifier::identity_settings(settings)?,
        log.clone(),
        hashing.clone(),
    )
    .with_access(verifier.clone())
    .with_mailer(mailer.clone());
    let organizations =
        OrganizationService::new(store.clone(), verifier.clone()).with_log(log.clone()).with_grants(verifier.clone());
    let invitations = InvitationService::new(store, mailer, verifier.clone());
    let admin = admin_service(settings, adapters, verifier, hashing);
    Ok(AuthApis {
        identity: IdentityApi::new(identity.clone()),
        account: AccountApi::new(identity.clone()),
        deletion: AccountDeletionApi::new(identity.clone()),
        two_factor: TwoFactorApi::new(identity.clone()),
        roles: RoleApi::new(identity.clone(), organizations.clone()),
        api_keys: ApiKeyApi::new(identity.clone(), organizations.clone()),
        organizations: OrganizationApi::new(identity.clone(), organizations, invitations),
        admin: AdminApi::new(identity, admin, log),
    })
}
