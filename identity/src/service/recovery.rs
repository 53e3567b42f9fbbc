//! Getting back into an account: a password reset through a mailed link
//! (Better Auth's `request-password-reset`, `reset-password/:token`,
//! `reset-password`), and `verify-password` for a signed-in user.
//!
//! What a mail costs happens after the answer: asking for a reset answers
//! the same, at once, whether or not the address exists, and the lookup,
//! the token and the mail follow in the background. That work is bounded
//! ([`MailThrottle`]): a flood beyond it is answered alike and its mail
//! dropped with a warning.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use time::OffsetDateTime;
use tokio::sync::Semaphore;

use super::{Authenticated, ClientInfo, IdentityService};
use crate::audit::{LogKind, LogRecord};
use crate::crypto::password::Verification;
use crate::error::AuthError;
use crate::model::{EmailAddress, NewPassword, id, password};
use crate::ports::{AccountMail, AccountMailKind, InvitationMail, Mailer};

/// Mail jobs running at once after their answers went.
const MAIL_JOBS: usize = 32;

/// How often one user is sent a fresh verification mail on sign-in.
pub(super) const RESEND_EVERY: Duration = Duration::from_secs(60);

/// Users remembered for [`RESEND_EVERY`] before old entries are swept.
const REMEMBERED: usize = 4096;

/// The identifier prefix of password-reset rows (Better Auth's).
const RESET_PREFIX: &str = "reset-password:";

/// Bounds on mail work: [`MAIL_JOBS`] background jobs at once, and one
/// verification mail per user per [`RESEND_EVERY`] on sign-in attempts
/// (per process).
#[derive(Clone)]
pub struct MailThrottle {
    slots: Arc<Semaphore>,
    recent: Arc<Mutex<HashMap<String, Instant>>>,
}

impl Default for MailThrottle {
    fn default() -> Self {
        Self { slots: Arc::new(Semaphore::new(MAIL_JOBS)), recent: Arc::new(Mutex::new(HashMap::new())) }
    }
}

impl MailThrottle {
    /// Whether `user` may be sent another verification mail at `now`;
    /// true records it.
    pub fn allow(&self, user: &str, now: Instant) -> bool {
        let Ok(mut recent) = self.recent.lock() else { return false };
        if recent.get(user).is_some_and(|at| now.duration_since(*at) < RESEND_EVERY) {
            return false;
        }
        if recent.len() >= REMEMBERED {
            recent.retain(|_, at| now.duration_since(*at) < RESEND_EVERY);
        }
        if recent.len() >= REMEMBERED {
            return false;
        }
        recent.insert(user.to_owned(), now);
        true
    }
}

/// The mailer until one is given: nothing is sent, and the log says so.
pub(super) struct UnsentMail;

#[async_trait]
impl Mailer for UnsentMail {
    async fn send_invitation(&self, mail: &InvitationMail) -> anyhow::Result<()> {
        anyhow::bail!("no mailer: the invitation to {} was not sent", mail.to)
    }

    async fn send_account_mail(&self, mail: &AccountMail) -> anyhow::Result<()> {
        anyhow::bail!("no mailer: the {} mail to {} was not sent", mail.kind.template(), mail.to)
    }
}

/// `text` as a URL query value.
pub(super) fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

impl IdentityService {
    /// Runs `job` after the answer, if a mail slot is free; otherwise the
    /// mail is dropped with a warning (the answer is the same either way).
    pub(super) fn in_background(
        &self,
        what: &'static str,
        job: impl Future<Output = Result<(), AuthError>> + Send + 'static,
    ) {
        match self.mail.slots.clone().try_acquire_owned() {
            Ok(permit) => {
                tokio::spawn(async move {
                    if let Err(e) = job.await {
                        tracing::warn!(what, error = %e, "mail work failed");
                    }
                    drop(permit);
                });
            }
            Err(_) => tracing::warn!(what, "mail work at capacity ({MAIL_JOBS} at once): this mail is dropped"),
        }
    }

    /// Asks for a password reset: answers at once, the same whether or not
    /// `email` belongs to someone. For a user, a single-use token valid for
    /// `reset_password_ttl` is stored and its link mailed, leading through
    /// `reset-password/:token` to `redirect_to` (a checked path or trusted
    /// URL; default `/`). A malformed address is a 400.
    pub fn request_password_reset(&self, email: &str, redirect_to: Option<&str>) -> Result<(), AuthError> {
        let email = EmailAddress::parse(email)?;
        let service = self.clone();
        let redirect = redirect_to.unwrap_or("/").to_owned();
        self.in_background("password reset", async move {
            let Some((user, _)) = service.store.find_user_by_email(email.as_str()).await? else { return Ok(()) };
            let token = id::generate();
            let now = OffsetDateTime::now_utc();
            let ttl = service.settings.reset_password_ttl;
            let expires = now + ttl;
            service.store.insert_verification(&format!("{RESET_PREFIX}{token}"), &user.id, expires, now).await?;
            let path = format!("/api/auth/reset-password/{token}?callbackURL={}", query_value(&redirect));
            let mail = AccountMail {
                kind: AccountMailKind::ResetPassword,
                to: user.email.clone(),
                name: user.name.clone(),
                url: service.settings.public_link(&path),
                expires_minutes: ttl.as_secs() / 60,
                new_email: None,
            };
            service.mailer.send_account_mail(&mail).await.map_err(AuthError::Backend)
        });
        Ok(())
    }

    /// Whether a reset token is stored and unexpired (for the link's redirect).
    pub async fn reset_token_is_valid(&self, token: &str) -> Result<bool, AuthError> {
        if !id::is_well_formed(token) {
            return Ok(false);
        }
        let found = self.store.verification(&format!("{RESET_PREFIX}{token}"), OffsetDateTime::now_utc()).await?;
        Ok(found.is_some())
    }

    /// Sets a new password with a mailed reset token, once: the token is
    /// spent, and with `revoke_sessions_on_password_reset` every session of
    /// the user ends. An unknown, used or expired token is 400
    /// `INVALID_TOKEN`; a password outside 8–128 characters is refused
    /// first.
    pub async fn reset_password(&self, token: &str, new: &str, client: &ClientInfo) -> Result<(), AuthError> {
        let new_password = NewPassword::parse(new)?;
        if !id::is_well_formed(token) {
            return Err(AuthError::InvalidToken);
        }
        let identifier = format!("{RESET_PREFIX}{token}");
        let now = OffsetDateTime::now_utc();
        if self.store.verification(&identifier, now).await?.is_none() {
            return Err(AuthError::InvalidToken);
        }
        let hash = self.hashing.hash(new_password.expose().to_owned()).await?;
        let revoke = self.settings.revoke_sessions_on_password_reset;
        let Some((user_id, ended)) = self.store.reset_password(&identifier, &hash, now, revoke).await? else {
            return Err(AuthError::InvalidToken);
        };
        self.ended(ended).await;
        let record = LogRecord {
            user_id: Some(user_id),
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
            outcome: Some("success"),
            ..LogRecord::default()
        };
        self.log.record(LogKind::PasswordReset, record).await;
        Ok(())
    }

    /// Checks the signed-in user's password (400 `INVALID_PASSWORD`).
    pub async fn verify_password(&self, auth: &Authenticated, password_text: &str) -> Result<(), AuthError> {
        let stored = self.store.password_hash(&auth.user.id).await?.ok_or(AuthError::InvalidPassword)?;
        self.password_matches(stored, password_text).await
    }

    /// Checks `password_text` against the `stored` hash (400 `INVALID_PASSWORD`).
    pub(super) async fn password_matches(&self, stored: String, password_text: &str) -> Result<(), AuthError> {
        match self.hashing.verify(password::normalize(password_text), stored).await? {
            Verification::Valid { .. } => Ok(()),
            Verification::Invalid => Err(AuthError::InvalidPassword),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_gets_one_verification_mail_a_minute() {
        let throttle = MailThrottle::default();
        let start = Instant::now();
        assert!(throttle.allow("u1", start));
        assert!(!throttle.allow("u1", start + Duration::from_secs(59)));
        assert!(throttle.allow("u2", start + Duration::from_secs(59)));
        assert!(throttle.allow("u1", start + Duration::from_secs(61)));
    }

    #[test]
    fn the_throttle_forgets_old_users_rather_than_growing() {
        let throttle = MailThrottle::default();
        let start = Instant::now();
        for i in 0..REMEMBERED {
            assert!(throttle.allow(&format!("u{i}"), start));
        }
        // Full of recent users: refused rather than grown.
        assert!(!throttle.allow("late", start + Duration::from_secs(1)));
        // A minute on, the old ones are swept.
        assert!(throttle.allow("late", start + Duration::from_secs(61)));
        assert_eq!(throttle.recent.lock().unwrap().len(), 1);
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(query_value("/welcome?next=a b&c"), "%2Fwelcome%3Fnext%3Da%20b%26c");
        assert_eq!(query_value("plain-text_1.0~"), "plain-text_1.0~");
    }
}
