//! Changing one's e-mail address (Better Auth's `change-email`): an
//! unverified address is replaced at once; a verified one only once the
//! new address confirms it through a mailed link (a verification token
//! naming the new address as `updateTo`), while the old address is told.

use time::OffsetDateTime;

use super::{Authenticated, ClientInfo, IdentityService};
use crate::audit::LogKind;
use crate::error::AuthError;
use crate::model::{EmailAddress, User};
use crate::ports::{AccountMail, AccountMailKind, StoreError};

/// What a change request did.
#[derive(Debug, Clone)]
pub enum EmailChange {
    /// The address was unverified: replaced now (and, when verification
    /// mail is on, a link sent to the new one).
    Updated(User),
    /// A confirmation link went to the new address and a notice to the old.
    VerificationSent,
}

fn taken(e: StoreError) -> AuthError {
    match e {
        StoreError::EmailTaken => AuthError::UserAlreadyExists,
        other => other.into(),
    }
}

impl IdentityService {
    /// Asks to change the caller's address to `new_email`, the link leading
    /// on to `callback`. The same address is 400; one another user has is
    /// 422 `USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL`.
    pub async fn change_email(
        &self,
        auth: &Authenticated,
        new_email: &str,
        callback: Option<&str>,
        client: &ClientInfo,
    ) -> Result<EmailChange, AuthError> {
        let new = EmailAddress::parse(new_email)?;
        if new.as_str().eq_ignore_ascii_case(&auth.user.email) {
            return Err(AuthError::validation("newEmail", "Email is the same"));
        }
        if self.store.find_user_by_email(new.as_str()).await?.is_some() {
            return Err(AuthError::UserAlreadyExists);
        }
        let callback = callback.unwrap_or("/");
        let now = OffsetDateTime::now_utc();
        if !auth.user.email_verified {
            let user = self.store.set_email(&auth.user.id, new.as_str(), false, now).await.map_err(taken)?;
            let user = user.ok_or(AuthError::Unauthorized)?;
            self.record(LogKind::EmailChanged, Some(&user), None, client, None).await;
            if self.settings.verifies_on_sign_up() {
                self.mail_verification(&user, callback);
            }
            return Ok(EmailChange::Updated(user));
        }
        let confirm = AccountMail {
            kind: AccountMailKind::ChangeEmail,
            to: new.as_str().to_owned(),
            name: auth.user.name.clone(),
            url: self.verification_link(&auth.user.email, Some(new.as_str()), callback)?,
            expires_minutes: self.settings.verification_ttl.as_secs() / 60,
            new_email: Some(new.as_str().to_owned()),
        };
        let notice = AccountMail {
            kind: AccountMailKind::ChangeEmailNotice,
            to: auth.user.email.clone(),
            url: String::new(),
            ..confirm.clone()
        };
        let mailer = self.mailer.clone();
        self.in_background("e-mail change", async move {
            mailer.send_account_mail(&confirm).await.map_err(AuthError::Backend)?;
            mailer.send_account_mail(&notice).await.map_err(AuthError::Backend)
        });
        Ok(EmailChange::VerificationSent)
    }

    /// Applies a confirmed change: the user who still has `from` gets `to`,
    /// verified. A link used before (nobody has `from` any more) is 404; an
    /// address taken meanwhile 422.
    pub(super) async fn confirm_email_change(
        &self,
        from: &str,
        to: &str,
        client: &ClientInfo,
    ) -> Result<User, AuthError> {
        let (user, _) = self.store.find_user_by_email(from).await?.ok_or(AuthError::UserNotFound)?;
        let now = OffsetDateTime::now_utc();
        let user =
            self.store.set_email(&user.id, to, true, now).await.map_err(taken)?.ok_or(AuthError::UserNotFound)?;
        self.record(LogKind::EmailChanged, Some(&user), None, client, None).await;
        Ok(user)
    }
}
