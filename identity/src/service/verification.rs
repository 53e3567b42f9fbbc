//! E-mail verification (Better Auth's `send-verification-email` and
//! `verify-email`): a signed link mailed to the address, which marks it
//! verified when opened. Sign-up mails it when configured; sign-in is
//! refused until verified when `require_email_verification` is on, and
//! the refusal mails a fresh link (at most one a minute per user).

use std::time::Instant;

use time::OffsetDateTime;

use super::recovery::query_value;
use super::{Authenticated, ClientInfo, IdentityService};
use crate::audit::LogKind;
use crate::crypto::email_token::{self, EmailClaims, TokenRefusal};
use crate::error::AuthError;
use crate::model::{EmailAddress, Session, User};
use crate::ports::{AccountMail, AccountMailKind};

impl IdentityService {
    /// A link (absolute URL) that verifies `email`, or with `update_to`
    /// moves the account from `email` to that address, then leads on to
    /// `callback`; valid for `verification_ttl`.
    pub(super) fn verification_link(
        &self,
        email: &str,
        update_to: Option<&str>,
        callback: &str,
    ) -> Result<String, AuthError> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let claims = EmailClaims {
            email: email.to_lowercase(),
            update_to: update_to.map(str::to_owned),
            iat: now,
            exp: now + i64::try_from(self.settings.verification_ttl.as_secs()).unwrap_or(3600),
        };
        let token = email_token::sign(&self.settings.secret, &claims)?;
        let path = format!("/api/auth/verify-email?token={token}&callbackURL={}", query_value(callback));
        Ok(self.settings.public_link(&path))
    }

    /// The verification mail for `user`'s address, its link leading on to
    /// `callback`.
    fn verification_mail(&self, user: &User, callback: &str) -> Result<AccountMail, AuthError> {
        Ok(AccountMail {
            kind: AccountMailKind::VerifyEmail,
            to: user.email.clone(),
            name: user.name.clone(),
            url: self.verification_link(&user.email, None, callback)?,
            expires_minutes: self.settings.verification_ttl.as_secs() / 60,
            new_email: None,
        })
    }

    /// Mails `user` a verification link after the answer.
    pub(super) fn mail_verification(&self, user: &User, callback: &str) {
        let mail = match self.verification_mail(user, callback) {
            Ok(mail) => mail,
            Err(e) => return tracing::warn!(error = %e, "could not make a verification link"),
        };
        let mailer = self.mailer.clone();
        self.in_background("e-mail verification", async move {
            mailer.send_account_mail(&mail).await.map_err(AuthError::Backend)
        });
    }

    /// Refuses a sign-in while the address is unverified and verification
    /// is required, mailing a fresh link at most once a minute per user.
    pub(super) fn require_verified(&self, user: &User) -> Result<(), AuthError> {
        if !self.settings.require_email_verification || user.email_verified {
            return Ok(());
        }
        if self.mail.allow(&user.id, Instant::now()) {
            self.mail_verification(user, "/");
        }
        Err(AuthError::EmailNotVerified)
    }

    /// Mails a verification link to `email`, leading on to `callback`
    /// (default `/`). Signed in, it must be the caller's own unverified
    /// address (400 `EMAIL_MISMATCH` / `EMAIL_ALREADY_VERIFIED`). Signed
    /// out, the answer is the same whether or not the address belongs to
    /// an unverified user, and only such a user gets mail.
    pub fn send_verification_email(
        &self,
        email: &str,
        callback: Option<&str>,
        signed_in: Option<&Authenticated>,
    ) -> Result<(), AuthError> {
        let email = EmailAddress::parse(email)?;
        let callback = callback.unwrap_or("/").to_owned();
        if let Some(auth) = signed_in {
            if !auth.user.email.eq_ignore_ascii_case(email.as_str()) {
                return Err(AuthError::EmailMismatch);
            }
            if auth.user.email_verified {
                return Err(AuthError::EmailAlreadyVerified);
            }
            self.mail_verification(&auth.user, &callback);
            return Ok(());
        }
        let service = self.clone();
        self.in_background("e-mail verification", async move {
            let Some((user, _)) = service.store.find_user_by_email(email.as_str()).await? else { return Ok(()) };
            if user.email_verified {
                return Ok(());
            }
            let mail = service.verification_mail(&user, &callback)?;
            service.mailer.send_account_mail(&mail).await.map_err(AuthError::Backend)
        });
        Ok(())
    }

    /// Marks the address a mailed link names verified; with
    /// `auto_sign_in_after_verification`, also opens a session. A link not
    /// ours or altered is 401 `INVALID_TOKEN`, an expired one 401
    /// `TOKEN_EXPIRED`, one for an address nobody has 404. A link that
    /// changes an address (`updateTo`, from change-email) gives the user
    /// the new address, verified, and opens no session.
    pub async fn verify_email(&self, token: &str, client: &ClientInfo) -> Result<(User, Option<Session>), AuthError> {
        let now = OffsetDateTime::now_utc();
        let claims = email_token::verify(&self.settings.secret, token, now.unix_timestamp())
            .map_err(|r| AuthError::InvalidVerificationToken { expired: r == TokenRefusal::Expired })?;
        if let Some(to) = &claims.update_to {
            return Ok((self.confirm_email_change(&claims.email, to, client).await?, None));
        }
        let user = self.store.mark_email_verified(&claims.email, now).await?.ok_or(AuthError::UserNotFound)?;
        self.record(LogKind::EmailVerified, Some(&user), None, client, None).await;
        // Two-factor users sign in with both factors, never through a link.
        if !self.settings.auto_sign_in_after_verification || user.is_banned_at(now) || user.two_factor_enabled {
            return Ok((user, None));
        }
        let session = self.new_session(&user.id, true, client, now);
        self.store.create_session(&session).await?;
        Ok((user, Some(session)))
    }
}
