//! A user deleting their own account (Better Auth's `delete-user` and
//! `delete-user/callback`): proven by the password, by a fresh session,
//! or by a link mailed to them when `confirm_account_deletion_by_email`
//! is set. An organization they alone own must change hands first.

use time::OffsetDateTime;

use super::recovery::query_value;
use super::{Authenticated, ClientInfo, IdentityService};
use crate::audit::LogKind;
use crate::error::{AuthError, ErrorCode};
use crate::model::id;
use crate::ports::{AccountMail, AccountMailKind, UserDeletion};

/// The identifier prefix of deletion-confirmation rows (Better Auth's).
const DELETE_PREFIX: &str = "delete-account-";

/// What a deletion request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountDeletion {
    /// The user and everything hanging off them are gone.
    Deleted,
    /// A confirmation link went to the user's address.
    ConfirmationSent,
}

/// How a deletion is proven.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeletionProof<'a> {
    /// The user's password.
    pub password: Option<&'a str>,
    /// The token from the mailed confirmation link.
    pub token: Option<&'a str>,
}

/// Whether a session created at `created_at` may still act without the
/// password at `now` (`fresh_for` zero: always).
pub fn is_fresh(created_at: OffsetDateTime, now: OffsetDateTime, fresh_for: std::time::Duration) -> bool {
    fresh_for.is_zero() || now - created_at <= fresh_for
}

impl IdentityService {
    fn deletion_allowed(&self) -> Result<(), AuthError> {
        if self.settings.allow_account_deletion {
            return Ok(());
        }
        Err(AuthError::rule(ErrorCode::NotFound, "Account deletion is not enabled (auth.allow_account_deletion)", 404))
    }

    /// Deletes the caller's account, or mails the link that will. A wrong
    /// password is 400 `INVALID_PASSWORD`; without a password, a session
    /// older than `fresh_session_age` is 400 `SESSION_EXPIRED`; an
    /// organization left without an owner 400
    /// `YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER`.
    pub async fn delete_account(
        &self,
        auth: &Authenticated,
        proof: DeletionProof<'_>,
        callback: Option<&str>,
        client: &ClientInfo,
    ) -> Result<AccountDeletion, AuthError> {
        self.deletion_allowed()?;
        if let Some(password) = proof.password {
            let Some(stored) = self.store.password_hash(&auth.user.id).await? else {
                let message = "Credential account not found";
                return Err(AuthError::rule(ErrorCode::CredentialAccountNotFound, message, 400));
            };
            self.password_matches(stored, password).await?;
        }
        if let Some(token) = proof.token {
            self.delete_with_token(auth, token, client).await?;
            return Ok(AccountDeletion::Deleted);
        }
        if self.settings.confirm_account_deletion_by_email {
            self.mail_deletion_link(auth, callback.unwrap_or("/")).await?;
            return Ok(AccountDeletion::ConfirmationSent);
        }
        let now = OffsetDateTime::now_utc();
        if proof.password.is_none() && !is_fresh(auth.session.created_at, now, self.settings.fresh_session_age) {
            let message = "Session expired. Re-authenticate to perform this action.";
            return Err(AuthError::rule(ErrorCode::SessionExpired, message, 400));
        }
        self.delete(auth, None, client).await?;
        Ok(AccountDeletion::Deleted)
    }

    /// Deletes the caller's account with the token of a mailed link, which
    /// must have been sent to them: otherwise, or once spent or expired,
    /// 404 `INVALID_TOKEN`.
    pub async fn delete_with_token(
        &self,
        auth: &Authenticated,
        token: &str,
        client: &ClientInfo,
    ) -> Result<(), AuthError> {
        self.deletion_allowed()?;
        let invalid = || AuthError::rule(ErrorCode::InvalidToken, "Invalid token", 404);
        if !id::is_well_formed(token) {
            return Err(invalid());
        }
        let identifier = format!("{DELETE_PREFIX}{token}");
        let owner = self.store.verification(&identifier, OffsetDateTime::now_utc()).await?;
        if owner.as_deref() != Some(auth.user.id.as_str()) {
            return Err(invalid());
        }
        self.delete(auth, Some(&identifier), client).await.map_err(|e| match e {
            AuthError::UserNotFound => invalid(),
            other => other,
        })
    }

    async fn delete(&self, auth: &Authenticated, token: Option<&str>, client: &ClientInfo) -> Result<(), AuthError> {
        let user_id = auth.user.id.as_str();
        let deletion = UserDeletion { user_id, deleted_by: user_id, keep_owners: true, token };
        let deleted = self.store.delete_user(&deletion).await?.ok_or(AuthError::UserNotFound)?;
        self.ended(deleted.sessions).await;
        self.access.membership_changed(None, user_id).await;
        self.record(LogKind::UserDeleted, Some(&auth.user), None, client, None).await;
        Ok(())
    }

    async fn mail_deletion_link(&self, auth: &Authenticated, callback: &str) -> Result<(), AuthError> {
        let token = id::generate();
        let now = OffsetDateTime::now_utc();
        let ttl = self.settings.delete_account_ttl;
        let identifier = format!("{DELETE_PREFIX}{token}");
        self.store.insert_verification(&identifier, &auth.user.id, now + ttl, now).await?;
        let path = format!("/api/auth/delete-user/callback?token={token}&callbackURL={}", query_value(callback));
        let mail = AccountMail {
            kind: AccountMailKind::DeleteAccount,
            to: auth.user.email.clone(),
            name: auth.user.name.clone(),
            url: self.settings.public_link(&path),
            expires_minutes: ttl.as_secs() / 60,
            new_email: None,
        };
        let mailer = self.mailer.clone();
        self.in_background("account deletion", async move {
            mailer.send_account_mail(&mail).await.map_err(AuthError::Backend)
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_session_is_fresh_for_its_age_and_always_with_zero() {
        let created = datetime!(2026-12-01 10:00 UTC);
        let day = Duration::from_secs(86_400);
        assert!(is_fresh(created, created, day));
        assert!(is_fresh(created, datetime!(2026-12-02 10:00 UTC), day));
        assert!(!is_fresh(created, datetime!(2026-12-02 10:00:01 UTC), day));
        assert!(is_fresh(created, datetime!(2030-01-01 0:00 UTC), Duration::ZERO));
    }
}
