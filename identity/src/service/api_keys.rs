//! Organization API keys: created, listed, changed and deleted by those
//! who may update the organization (owners and admins by default, or a
//! role allowing `organization: ["update"]`), each holding a subset of
//! the domain permissions its creator holds. The secret is returned once
//! and stored only hashed. Business domains accept the key through the
//! verifier (`Authorization: Bearer grm_…` or `x-api-key`).

use time::OffsetDateTime;

use super::Authenticated;
use super::organizations::OrganizationService;
use crate::audit::{LogKind, LogRecord};
use crate::crypto::api_key as secret;
use crate::error::{AuthError, ErrorCode};
use crate::model::api_key::{self, DEFAULT_RATE_LIMIT_MAX, DEFAULT_RATE_LIMIT_WINDOW_MS};
use crate::model::custom_role::Statements;
use crate::model::{ApiKey, Member, OrgAction, id};

/// A key to create.
#[derive(Debug, Clone, Default)]
pub struct NewApiKey {
    /// Display name (1–64 characters).
    pub name: Option<String>,
    /// Lifetime in seconds (one day to one year); none: no expiry.
    pub expires_in: Option<u64>,
    /// Domain permissions, each held by the creator.
    pub permissions: Statements,
    /// Whether the key's own rate limit applies (default true).
    pub rate_limit_enabled: Option<bool>,
    /// The key's rate-limit window, milliseconds (default 60 000).
    pub rate_limit_window_ms: Option<u32>,
    /// Requests per window (default 600).
    pub rate_limit_max: Option<u32>,
}

/// Changes to a key; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct ApiKeyChanges {
    /// A new name.
    pub name: Option<String>,
    /// Turn it off (or back on).
    pub enabled: Option<bool>,
    /// A new lifetime from now, in seconds.
    pub expires_in: Option<u64>,
    /// New permissions (replacing the old), each held by the caller.
    pub permissions: Option<Statements>,
    /// Whether its own rate limit applies.
    pub rate_limit_enabled: Option<bool>,
    /// Its rate-limit window, milliseconds.
    pub rate_limit_window_ms: Option<u32>,
    /// Requests per window.
    pub rate_limit_max: Option<u32>,
}

fn not_found() -> AuthError {
    AuthError::rule(ErrorCode::KeyNotFound, "API Key not found", 404)
}

impl OrganizationService {
    /// The organization named or active and the caller's membership, once
    /// the caller may manage its keys.
    async fn key_manager(&self, auth: &Authenticated, organization_id: Option<&str>) -> Result<Member, AuthError> {
        let (_, member) = self.resolve(auth, organization_id, None).await?;
        let (roles, custom) = self.roles_of(&member).await?;
        if !roles.allows(OrgAction::UpdateOrganization, &custom) {
            return Err(OrgAction::UpdateOrganization.forbidden());
        }
        Ok(member)
    }

    /// 400 `INVALID_RESOURCE` for permissions no key can hold, 403 for one
    /// the caller does not hold.
    async fn check_key_permissions(&self, member: &Member, permissions: &Statements) -> Result<(), AuthError> {
        let held = self.grants.granted(&member.organization_id, &member.role).await?;
        match api_key::check_permissions(permissions, &self.grants.registered(), &held)? {
            Ok(()) => Ok(()),
            Err(_) => {
                let message = "An API key cannot hold a permission its creator does not hold";
                Err(AuthError::rule(ErrorCode::YouAreNotAllowedToUpdateThisOrganization, message, 403))
            }
        }
    }

    async fn log_key(&self, kind: LogKind, auth: &Authenticated, key: &ApiKey) {
        if let Some(log) = &self.log {
            let record = LogRecord {
                user_id: Some(auth.user.id.clone()),
                organization_id: key.organization_id.clone(),
                reason: Some(key.label()),
                actor_id: Some(auth.user.id.clone()),
                impersonator_id: auth.session.impersonated_by.clone(),
                outcome: Some("success"),
                ..LogRecord::default()
            };
            log.record(kind, record).await;
        }
    }

    /// Creates a key; returns it and its secret, which is never shown again.
    pub async fn create_api_key(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        input: NewApiKey,
    ) -> Result<(ApiKey, String), AuthError> {
        let member = self.key_manager(auth, organization_id).await?;
        let name = input.name.as_deref().map(api_key::check_name).transpose()?;
        let expires_in = input.expires_in.map(api_key::check_expires_in).transpose()?;
        let window = input.rate_limit_window_ms.unwrap_or(DEFAULT_RATE_LIMIT_WINDOW_MS);
        let max = input.rate_limit_max.unwrap_or(DEFAULT_RATE_LIMIT_MAX);
        api_key::check_rate_limit(window, max)?;
        self.check_key_permissions(&member, &input.permissions).await?;
        let key_secret = secret::generate();
        let now = OffsetDateTime::now_utc();
        let key = ApiKey {
            id: id::generate(),
            name,
            start: Some(secret::start(&key_secret)),
            prefix: Some(secret::PREFIX.to_owned()),
            organization_id: Some(member.organization_id.clone()),
            created_by: auth.user.id.clone(),
            permissions: input.permissions,
            enabled: true,
            rate_limit_enabled: input.rate_limit_enabled.unwrap_or(true),
            rate_limit_window_ms: window,
            rate_limit_max: max,
            expires_at: expires_in.map(|ttl| now + ttl),
            last_request: None,
            created_at: now,
            updated_at: now,
        };
        self.store.insert_api_key(&key, &secret::hash(&key_secret)).await?;
        self.log_key(LogKind::ApiKeyCreated, auth, &key).await;
        Ok((key, key_secret))
    }

    /// The organization's keys, newest first (without secrets).
    pub async fn list_api_keys(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
    ) -> Result<Vec<ApiKey>, AuthError> {
        let member = self.key_manager(auth, organization_id).await?;
        Ok(self.store.api_keys(&member.organization_id).await?)
    }

    /// One key of the organization; 404 `KEY_NOT_FOUND`.
    pub async fn get_api_key(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        id: &str,
    ) -> Result<ApiKey, AuthError> {
        let member = self.key_manager(auth, organization_id).await?;
        self.store.find_api_key(&member.organization_id, id).await?.ok_or_else(not_found)
    }

    /// Renames, disables, re-enables, re-times or narrows a key.
    pub async fn update_api_key(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        id: &str,
        changes: ApiKeyChanges,
    ) -> Result<ApiKey, AuthError> {
        let member = self.key_manager(auth, organization_id).await?;
        let mut key = self.store.find_api_key(&member.organization_id, id).await?.ok_or_else(not_found)?;
        let now = OffsetDateTime::now_utc();
        if let Some(name) = changes.name {
            key.name = Some(api_key::check_name(&name)?);
        }
        if let Some(enabled) = changes.enabled {
            key.enabled = enabled;
        }
        if let Some(secs) = changes.expires_in {
            key.expires_at = Some(now + api_key::check_expires_in(secs)?);
        }
        if let Some(permissions) = changes.permissions {
            self.check_key_permissions(&member, &permissions).await?;
            key.permissions = permissions;
        }
        if let Some(enabled) = changes.rate_limit_enabled {
            key.rate_limit_enabled = enabled;
        }
        key.rate_limit_window_ms = changes.rate_limit_window_ms.unwrap_or(key.rate_limit_window_ms);
        key.rate_limit_max = changes.rate_limit_max.unwrap_or(key.rate_limit_max);
        api_key::check_rate_limit(key.rate_limit_window_ms, key.rate_limit_max)?;
        key.updated_at = now;
        self.store.update_api_key(&key).await?;
        self.log_key(LogKind::ApiKeyUpdated, auth, &key).await;
        Ok(key)
    }

    /// Deletes a key: the next request with it is refused (401).
    pub async fn delete_api_key(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        id: &str,
    ) -> Result<(), AuthError> {
        let member = self.key_manager(auth, organization_id).await?;
        let key = self.store.find_api_key(&member.organization_id, id).await?.ok_or_else(not_found)?;
        if !self.store.delete_api_key(&member.organization_id, id).await? {
            return Err(not_found());
        }
        self.log_key(LogKind::ApiKeyDeleted, auth, &key).await;
        Ok(())
    }
}
