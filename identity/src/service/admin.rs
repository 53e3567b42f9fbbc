//! Platform administration (Better Auth's admin plugin): list, create,
//! read, update and remove users, set roles and passwords, ban and unban,
//! manage a user's sessions, impersonate. Callers must hold the platform
//! `admin` role. Bans, role changes and impersonation are written to the
//! session log.

use std::sync::Arc;

use time::OffsetDateTime;

use super::{Authenticated, ClientInfo};
use crate::audit::{LogKind, LogRecord, SessionLog};
use crate::crypto::hashing::PasswordWorkers;
use crate::error::{AuthError, ErrorCode};
use crate::events;
use crate::model::admin::{self, UserQuery, UserQueryParams};
use crate::model::{EmailAddress, NewPassword, Session, User, id, profile};
use crate::ports::{AccessInvalidation, AdminStore, IdentityStore, UserChanges, UserDeletion};

/// How long an impersonation session lasts.
pub const IMPERSONATION_TTL: time::Duration = time::Duration::HOUR;

/// Input of admin user creation.
#[derive(Debug, Clone)]
pub struct CreateUser {
    /// E-mail.
    pub email: String,
    /// Password.
    pub password: String,
    /// Display name.
    pub name: String,
    /// Platform role(s); default `user`.
    pub roles: Vec<String>,
}

/// Administration use cases.
#[derive(Clone)]
pub struct AdminService {
    users: Arc<dyn IdentityStore>,
    admin: Arc<dyn AdminStore>,
    access: Arc<dyn AccessInvalidation>,
    log: SessionLog,
    hashing: PasswordWorkers,
}

impl AdminService {
    /// A service over the stores, announcing bans to `access`, writing to
    /// `log` and hashing passwords on `hashing`.
    pub fn new(
        users: Arc<dyn IdentityStore>,
        admin: Arc<dyn AdminStore>,
        access: Arc<dyn AccessInvalidation>,
        log: SessionLog,
        hashing: PasswordWorkers,
    ) -> Self {
        Self { users, admin, access, log, hashing }
    }

    /// Fails with 403 `YOU_ARE_NOT_ALLOWED_TO_<ACTION>` unless the caller is a platform admin.
    pub fn require_admin(auth: &Authenticated, action_code: ErrorCode) -> Result<(), AuthError> {
        if admin::is_admin(auth.user.role.as_deref()) {
            return Ok(());
        }
        Err(AuthError::Forbidden { code: action_code })
    }

    async fn user(&self, user_id: &str) -> Result<User, AuthError> {
        self.admin.find_user(user_id).await?.ok_or(AuthError::UserNotFound)
    }

    /// A page of users (all when no limit) and the total matching.
    pub async fn list_users(
        &self,
        auth: &Authenticated,
        params: UserQueryParams,
    ) -> Result<(Vec<User>, u64, UserQuery), AuthError> {
        Self::require_admin(auth, ErrorCode::YouAreNotAllowedToListUsers)?;
        let query = UserQuery::parse(params)?;
        let (users, total) = self.admin.list_users(&query).await?;
        Ok((users, total, query))
    }

    /// Creates a user with a password credential (no session).
    pub async fn create_user(&self, actor_id: Option<&str>, input: CreateUser) -> Result<User, AuthError> {
        profile::check_name(&input.name)?;
        let email = EmailAddress::parse(&input.email)?;
        let role = if input.roles.is_empty() { "user".to_owned() } else { admin::parse_platform_roles(&input.roles)? };
        let new_password = NewPassword::parse(&input.password)?;
        let hash = self.hashing.hash(new_password.expose().to_owned()).await?;
        let now = OffsetDateTime::now_utc();
        let user = User::new(id::generate(), input.name, email.as_str().to_owned(), None, role, now);
        self.users.create_user(&user, &hash, None, &events::user_created(&user)).await?;
        tracing::info!(user_id = %user.id, created_by = actor_id.unwrap_or("cli"), "user created by an administrator");
        Ok(user)
    }

    /// Creates a user as an admin caller.
    pub async fn create_user_as(&self, auth: &Authenticated, input: CreateUser) -> Result<User, AuthError> {
        Self::require_admin(auth, ErrorCode::YouAreNotAllowedToCreateUsers)?;
        self.create_user(Some(&auth.user.id), input).await
    }

    /// One user.
    pub async fn get_user(&self, auth: &Authenticated, user_id: &str) -> Result<User, AuthError> {
        Self::require_admin(auth, ErrorCode::YouAreNotAllowedToGetUser)?;
        self.user(user_id).await
    }

    /// Whether the caller's platform role(s), or those of `user_id`
    /// (admins only, 403 `YOU_ARE_NOT_ALLOWED_TO_GET_USER`; 404 when
    /// unknown), allow every requested admin action.
    pub async fn has_permission(
        &self,
        auth: &Authenticated,
        user_id: Option<&str>,
        requested: &crate::model::access::Requested,
    ) -> Result<bool, AuthError> {
        let role = match user_id.filter(|u| *u != auth.user.id) {
            None => auth.user.role.clone(),
            Some(other) => self.get_user(auth, other).await?.role,
        };
        Ok(crate::model::access::platform_allows(role.as_deref(), requested))
    }

    /// Changes a user's profile fields.
    pub async fn update_user(
        &self,
        auth: &Authenticated,
        user_id: &str,
        mut changes: UserChanges,
    ) -> Result<User, AuthError> {
        Self::require_admin(auth, ErrorCode::YouAreNotAllowedToUpdateUsers)?;
        if let Some(name) = &changes.name {
            profile::check_name(name)?;
        }
        if let Some(email) = &changes.email {
            changes.email = Some(EmailAddress::parse(email)?.as_str().to_owned());
        }
        if let Some(Some(image)) = &changes.image {
            profile::check_image(image)?;
        }
        self.admin.update_user(user_id, &changes, OffsetDateTime::now_utc()).await?.ok_or(AuthError::UserNotFound)
    }

    /// Sets the platform role(s), validated against the known roles.
    pub async fn set_role(
        &self,
        auth: &Authenticated,
        user_id: &str,
        roles: &[String],
        client: &ClientInfo,
    ) -> Result<User, AuthError> {
        Self::require_admin(auth, ErrorCode::YouAreNotAllowedToChangeUsersRole)?;
        let role = admin::parse_platform_roles(roles)?;
        let event = events::user_role_changed(user_id, &role, &auth.user.id);
        let user = self
            .admin
            .set_role(user_id, &role, OffsetDateTime::now_utc(), &event)
            .await?
            .ok_or(AuthError::UserNotFound)?;
        self.log(LogKind::RoleChange, auth, &user.id, client, Some(format!("platform role: {role}"))).await;
        Ok(user)
    }

    /// Replaces a user's password.
    pub async fn set_user_password(
        &self,
        auth: &Authenticated,
        user_id: &str,
        new_password: &str,
    ) -> Result<(), AuthError> {
        Self::require_admin(auth, ErrorCode::YouAreNotAllowedToSetUsersPassword)?;
        let new_password = NewPassword::parse(new_password)?;
        self.user(user_id).await?;
        let hash = self.hashing.hash(new_password.expose().to_owned()).await?;
        self.users.set_password_hash(user_id, &hash, OffsetDateTime::now_utc()).await?;
        Ok(())
    }

    /// Bans a user (optionally until `expires_in_secs`), ending every session.
    pub async fn ban(
        &self,
        auth: &Authenticated,
        user_id: &str,
        reason: Option<String>,
        expires_in_secs: Option<u64>,
        client: &ClientInfo,
    ) -> Result<User, AuthError> {
        Self::require_admin(auth, ErrorCode::YouAreNotAllowedToBanUsers)?;
        if user_id == auth.user.id {
            return Err(AuthError::rule(ErrorCode::YouCannotBanYourself, "You cannot ban yourself", 400));
        }
        let now = OffsetDateTime::now_utc();
        let reason = reason.filter(|r| !r.trim().is_empty()).unwrap_or_else(|| "No reason".to_owned());
        let expires = expires_in_secs
            .map(|s| now + time::Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX / 2).min(100 * 365 * 86_400)));
        let mut target = self.user(user_id).await?;
        target.ban_reason = Some(reason.clone());
        target.ban_expires = expires;
        let event = events::user_banned(&target, &auth.user.id);
        let user = self
            .admin
            .set_ban(user_id, true, Some(&reason), expires, now, &event)
            .await?
            .ok_or(AuthError::UserNotFound)?;
        self.access.membership_changed(None, user_id).await;
        self.log(LogKind::Ban, auth, user_id, client, Some(reason)).await;
        Ok(user)
    }

    /// Lifts a ban.
    pub async fn unban(&self, auth: &Authenticated, user_id: &str, client: &ClientInfo) -> Result<User, AuthError> {
        Self::require_admin(auth, ErrorCode::YouAreNotAllowedToBanUsers)?;
        let event = events::user_unbanned(user_id, &auth.user.id);
        let user = self
            .admin
            .set_ban(user_id, false, None, None, OffsetDateTime::now_utc(), &event)
            .await?
            .ok_or(AuthError::UserNotFound)?;
        self.access.membership_changed(None, user_id).await;
        self.log(LogKind::Unban, auth, user_id, client, None).await;
        Ok(user)
    }

    /// A user's live sessions.
    pub async fn list_user_sessions(&self, auth: &Authenticated, user_id: &str) -> Result<Vec<Session>, AuthError> {
        Self::require_admin(auth, ErrorCode::YouAreNotAllowedToListUsersSessions)?;
        Ok(self.users.list_sessions(user_id, OffsetDateTime::now_utc()).await?)
    }

    /// Ends one session by its raw token.
    pub async fn revoke_user_session(
        &self,
        auth: &Authenticated,
        token: &str,
        client: &ClientInfo,
    ) -> Result<(), AuthError> {
        Self::require_admin(auth, ErrorCode::YouAreNotAllowedToRevokeUsersSessions)?;
        let ended = self.users.delete_session(token, None).await?;
        self.access.sessions_revoked(&ended).await;
        self.log(LogKind::SessionRevoked, auth, "", client, Some("one session, by an administrator".into())).await;
        Ok(())
    }

    /// Ends every session of a user.
    pub async fn revoke_user_sessions(
        &self,
        auth: &Authenticated,
        user_id: &str,
        client: &ClientInfo,
    ) -> Result<(), AuthError> {
        Self::require_admin(auth, ErrorCode::YouAreNotAllowedToRevokeUsersSessions)?;
        let ended = self.users.delete_user_sessions(user_id, None).await?;
        self.access.sessions_revoked(&ended).await;
        self.log(LogKind::SessionRevoked, auth, user_id, client, Some("all sessions, by an administrator".into()))
            .await;
        Ok(())
    }

    /// Deletes a user and everything that hangs off it (Better Auth's
    /// admin `remove-user`: organizations they alone owned keep no owner).
    pub async fn remove_user(&self, auth: &Authenticated, user_id: &str) -> Result<(), AuthError> {
        Self::require_admin(auth, ErrorCode::YouAreNotAllowedToDeleteUsers)?;
        if user_id == auth.user.id {
            return Err(AuthError::rule(ErrorCode::YouCannotRemoveYourself, "You cannot remove yourself", 400));
        }
        let deletion = UserDeletion { user_id, deleted_by: &auth.user.id, keep_owners: false, token: None };
        let deleted = self.users.delete_user(&deletion).await?.ok_or(AuthError::UserNotFound)?;
        self.access.sessions_revoked(&deleted.sessions).await;
        self.access.membership_changed(None, user_id).await;
        Ok(())
    }

    /// Opens a one-hour session as `user_id`, recorded as impersonated by
    /// the caller. Admins cannot impersonate admins.
    pub async fn impersonate(
        &self,
        auth: &Authenticated,
        user_id: &str,
        client: &ClientInfo,
    ) -> Result<(User, Session), AuthError> {
        Self::require_admin(auth, ErrorCode::YouAreNotAllowedToImpersonateUsers)?;
        let target = self.user(user_id).await?;
        if admin::is_admin(target.role.as_deref()) {
            return Err(AuthError::rule(ErrorCode::YouCannotImpersonateAdmins, "You cannot impersonate admins", 403));
        }
        let now = OffsetDateTime::now_utc();
        let session = Session {
            id: id::generate(),
            token: id::generate(),
            user_id: target.id.clone(),
            expires_at: now + IMPERSONATION_TTL,
            created_at: now,
            updated_at: now,
            ip_address: Some(client.ip.clone().unwrap_or_default()),
            user_agent: client.user_agent.clone(),
            active_organization_id: None,
            impersonated_by: Some(auth.user.id.clone()),
        };
        self.users.create_session(&session).await?;
        self.log(LogKind::ImpersonationStart, auth, &target.id, client, None).await;
        Ok((target, session))
    }

    /// Ends the impersonation session the caller is using.
    pub async fn stop_impersonating(&self, auth: &Authenticated, client: &ClientInfo) -> Result<String, AuthError> {
        let Some(admin_id) = auth.session.impersonated_by.clone() else {
            return Err(AuthError::rule(ErrorCode::YouAreNotImpersonating, "You are not impersonating anyone", 400));
        };
        let ended = self.users.delete_session(&auth.session.token, None).await?;
        self.access.sessions_revoked(&ended).await;
        let record = LogRecord {
            user_id: Some(auth.user.id.clone()),
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
            actor_id: Some(admin_id.clone()),
            impersonator_id: Some(admin_id.clone()),
            ..LogRecord::default()
        };
        self.log.record(LogKind::ImpersonationStop, record).await;
        Ok(admin_id)
    }

    async fn log(
        &self,
        kind: LogKind,
        auth: &Authenticated,
        user_id: &str,
        client: &ClientInfo,
        reason: Option<String>,
    ) {
        let record = LogRecord {
            user_id: (!user_id.is_empty()).then(|| user_id.to_owned()),
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
            reason,
            actor_id: Some(auth.user.id.clone()),
            impersonator_id: auth.session.impersonated_by.clone(),
            ..LogRecord::default()
        };
        self.log.record(kind, record).await;
    }
}
