//! Two-factor sign-in, Better Auth's `two-factor` plugin: a user sets up
//! TOTP with their password (the `otpauth://` URI and ten backup codes),
//! turns it on by giving one code, and from then on a correct password
//! only opens a challenge; the session opens once a TOTP or backup code
//! follows. A device can be trusted for 30 days. Secrets and backup codes
//! are stored encrypted under the auth secret, as Better Auth stores them.

use time::OffsetDateTime;

use super::{Authenticated, ClientInfo, IdentityService};
use crate::audit::LogKind;
use crate::crypto::keys;
use crate::error::{AuthError, ErrorCode};
use crate::model::two_factor::{self, CHALLENGE_PREFIX, Challenge, TRUSTED_DEVICE_PREFIX};
use crate::model::{User, id};
use crate::ports::TwoFactorRecord;

/// The issuer an authenticator app shows when the client names none.
pub const DEFAULT_ISSUER: &str = "Gremlin";

/// What setting up two-factor hands the user, once.
#[derive(Debug, Clone)]
pub struct TwoFactorSetup {
    /// The `otpauth://` URI to show as a QR code.
    pub totp_uri: String,
    /// Ten single-use codes for when the authenticator is lost.
    pub backup_codes: Vec<String>,
}

/// A second factor as given.
#[derive(Debug, Clone, Copy)]
pub enum SecondFactor<'a> {
    /// A six-digit code from the authenticator.
    Totp(&'a str),
    /// One of the backup codes.
    BackupCode(&'a str),
}

/// Who gives the second factor.
#[derive(Debug, Clone, Copy)]
pub enum FactorHolder<'a> {
    /// A sign-in waiting for it: the challenge identifier from the signed
    /// `two_factor` cookie.
    Pending(&'a str),
    /// A signed-in user (turning two-factor on with a first code).
    SignedIn(&'a Authenticated),
}

/// A second factor accepted.
#[derive(Debug, Clone)]
pub struct FactorVerified {
    /// The user and session: a new session for a pending sign-in.
    pub auth: Authenticated,
    /// A session was opened (set its cookie, clear the challenge's).
    pub new_session: bool,
    /// The new session lasts the long lifetime (no `dont_remember`).
    pub remember_me: bool,
    /// With `trust_device`, the trusted device's identifier for the
    /// signed `trust_device` cookie.
    pub trusted_device: Option<String>,
}

fn rule(code: ErrorCode, message: &'static str, status: u16) -> AuthError {
    AuthError::rule(code, message, status)
}

fn invalid_cookie() -> AuthError {
    rule(ErrorCode::InvalidTwoFactorCookie, "Invalid two factor cookie", 401)
}

fn totp_not_enabled() -> AuthError {
    rule(ErrorCode::TotpNotEnabled, "TOTP not enabled", 400)
}

fn two_factor_not_enabled() -> AuthError {
    rule(ErrorCode::TwoFactorNotEnabled, "Two factor isn't enabled", 400)
}

fn invalid_code() -> AuthError {
    rule(ErrorCode::InvalidCode, "Invalid code", 401)
}

impl IdentityService {
    fn seal(&self, plaintext: &str) -> Result<String, AuthError> {
        keys::seal(&self.settings.secret, plaintext).map_err(AuthError::Backend)
    }

    fn open(&self, sealed: &str) -> Result<String, AuthError> {
        keys::decrypt(&self.settings.secret, sealed).map_err(AuthError::Backend)
    }

    fn seal_codes(&self, codes: &[String]) -> Result<String, AuthError> {
        self.seal(&serde_json::to_string(codes).map_err(|e| AuthError::Backend(e.into()))?)
    }

    fn open_codes(&self, sealed: &str) -> Result<Vec<String>, AuthError> {
        serde_json::from_str(&self.open(sealed)?).map_err(|e| AuthError::Backend(e.into()))
    }

    async fn secrets(&self, user_id: &str) -> Result<TwoFactorRecord, AuthError> {
        self.store.two_factor(user_id).await?.ok_or_else(totp_not_enabled)
    }

    /// Sets up TOTP for the caller (replacing any earlier secret and codes)
    /// after checking their password (400 `INVALID_PASSWORD`). Sign-in asks
    /// for a code once the first code is verified with `verify-totp`.
    pub async fn enable_two_factor(
        &self,
        auth: &Authenticated,
        password: &str,
        issuer: Option<&str>,
    ) -> Result<TwoFactorSetup, AuthError> {
        self.verify_password(auth, password).await?;
        let secret = id::generate();
        let backup_codes = two_factor::new_backup_codes();
        let record = TwoFactorRecord { secret: self.seal(&secret)?, backup_codes: self.seal_codes(&backup_codes)? };
        self.store.save_two_factor(&auth.user.id, &record).await?;
        let totp_uri = two_factor::totp_uri(&secret, issuer.unwrap_or(DEFAULT_ISSUER), &auth.user.email);
        Ok(TwoFactorSetup { totp_uri, backup_codes })
    }

    /// The caller's `otpauth://` URI again (password first); 400
    /// `TOTP_NOT_ENABLED` before set-up.
    pub async fn totp_uri(
        &self,
        auth: &Authenticated,
        password: &str,
        issuer: Option<&str>,
    ) -> Result<String, AuthError> {
        self.verify_password(auth, password).await?;
        let secret = self.open(&self.secrets(&auth.user.id).await?.secret)?;
        Ok(two_factor::totp_uri(&secret, issuer.unwrap_or(DEFAULT_ISSUER), &auth.user.email))
    }

    /// Replaces the caller's backup codes with ten new ones (password
    /// first); 400 `TWO_FACTOR_NOT_ENABLED` while two-factor is off.
    pub async fn generate_backup_codes(
        &self,
        auth: &Authenticated,
        password: &str,
        client: &ClientInfo,
    ) -> Result<Vec<String>, AuthError> {
        self.verify_password(auth, password).await?;
        if !auth.user.two_factor_enabled {
            return Err(two_factor_not_enabled());
        }
        let current = self.secrets(&auth.user.id).await?;
        let codes = two_factor::new_backup_codes();
        let record = TwoFactorRecord { secret: current.secret, backup_codes: self.seal_codes(&codes)? };
        self.store.save_two_factor(&auth.user.id, &record).await?;
        self.record(LogKind::BackupCodesGenerated, Some(&auth.user), None, client, None).await;
        Ok(codes)
    }

    /// Turns two-factor off (password first): the secret, the backup codes
    /// and every trusted device are forgotten.
    pub async fn disable_two_factor(
        &self,
        auth: &Authenticated,
        password: &str,
        client: &ClientInfo,
    ) -> Result<(), AuthError> {
        self.verify_password(auth, password).await?;
        let now = OffsetDateTime::now_utc();
        self.store.set_two_factor_enabled(&auth.user.id, false, now).await?;
        self.record(LogKind::TwoFactorDisabled, Some(&auth.user), None, client, None).await;
        Ok(())
    }

    /// Whether `device` (from the signed `trust_device` cookie) is one
    /// this user trusted less than 30 days ago.
    pub(super) async fn is_trusted_device(
        &self,
        user_id: &str,
        device: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<bool, AuthError> {
        let Some(identifier) = device.filter(|d| d.starts_with(TRUSTED_DEVICE_PREFIX)) else { return Ok(false) };
        Ok(self.store.verification(identifier, now).await?.is_some_and(|owner| owner == user_id))
    }

    /// Opens a sign-in challenge for the second factor; its identifier goes
    /// into the signed `two_factor` cookie.
    pub(super) async fn open_challenge(
        &self,
        user_id: &str,
        remember_me: bool,
        now: OffsetDateTime,
    ) -> Result<String, AuthError> {
        let identifier = format!("{CHALLENGE_PREFIX}{}", id::generate());
        let value = Challenge { user_id: user_id.to_owned(), attempts: 0, remember_me }.encode();
        self.store.insert_verification(&identifier, &value, now + two_factor::CHALLENGE_TTL, now).await?;
        Ok(identifier)
    }

    /// Checks a second factor. For a pending sign-in, each attempt is
    /// counted before the code is checked, so at most
    /// [`two_factor::MAX_ATTEMPTS`] codes are ever tried against one
    /// challenge, however many arrive at once; then 401
    /// `TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE` and the password again. A
    /// right code opens the session and spends the challenge. For a
    /// signed-in user, a right TOTP code turns two-factor on.
    ///
    /// Errors: 401 `INVALID_TWO_FACTOR_COOKIE` (no, expired or spent
    /// challenge), 401 `INVALID_CODE` / `INVALID_BACKUP_CODE`, 400
    /// `TOTP_NOT_ENABLED` before set-up, 403 `BANNED_USER`.
    pub async fn verify_second_factor(
        &self,
        holder: FactorHolder<'_>,
        factor: SecondFactor<'_>,
        trust_device: bool,
        client: &ClientInfo,
    ) -> Result<FactorVerified, AuthError> {
        let now = OffsetDateTime::now_utc();
        let (auth, new_session, remember_me) = match holder {
            FactorHolder::Pending(identifier) => {
                let (user, challenge) = self.count_attempt(identifier, now).await?;
                self.check_and_log(&user, factor, client, now).await?;
                // Whatever attempts were counted meanwhile, one right code
                // ends the challenge; only one request can delete it.
                if !self.store.delete_verification(identifier).await? {
                    return Err(invalid_cookie());
                }
                let session = self.new_session(&user.id, challenge.remember_me, client, now);
                self.store.create_session(&session).await?;
                self.record(LogKind::SignIn, Some(&user), None, client, None).await;
                (Authenticated { user, session, refreshed: false, active_role: None }, true, challenge.remember_me)
            }
            FactorHolder::SignedIn(auth) => {
                self.check_and_log(&auth.user, factor, client, now).await?;
                let mut auth = auth.clone();
                if matches!(factor, SecondFactor::Totp(_)) && !auth.user.two_factor_enabled {
                    self.store.set_two_factor_enabled(&auth.user.id, true, now).await?;
                    auth.user.two_factor_enabled = true;
                    self.record(LogKind::TwoFactorEnabled, Some(&auth.user), None, client, None).await;
                }
                (auth, false, true)
            }
        };
        // Trusted only once the sign-in is really done.
        let trusted_device = if trust_device { Some(self.trust_device(&auth.user.id, now).await?) } else { None };
        Ok(FactorVerified { auth, new_session, remember_me, trusted_device })
    }

    /// Reads a pending sign-in and counts one attempt against it; the
    /// user and the challenge after counting.
    async fn count_attempt(&self, identifier: &str, now: OffsetDateTime) -> Result<(User, Challenge), AuthError> {
        if !identifier.starts_with(CHALLENGE_PREFIX) {
            return Err(invalid_cookie());
        }
        let value = self.store.verification(identifier, now).await?.ok_or_else(invalid_cookie)?;
        let challenge = Challenge::parse(&value).ok_or_else(invalid_cookie)?;
        let Some(counted) = challenge.attempted() else {
            self.store.delete_verification(identifier).await?;
            let message = "Too many attempts. Please request a new code.";
            return Err(rule(ErrorCode::TooManyAttemptsRequestNewCode, message, 401));
        };
        if !self.store.replace_verification(identifier, &value, &counted.encode()).await? {
            // Another attempt counted first; this one is refused rather
            // than retried, so the cap holds under any concurrency.
            return Err(invalid_code());
        }
        let user = self.store.user(&counted.user_id).await?.ok_or_else(invalid_cookie)?;
        if user.is_banned_at(now) {
            return Err(AuthError::BannedUser);
        }
        Ok((user, counted))
    }

    /// Checks `factor` and writes the attempt to the session log.
    async fn check_and_log(
        &self,
        user: &User,
        factor: SecondFactor<'_>,
        client: &ClientInfo,
        now: OffsetDateTime,
    ) -> Result<(), AuthError> {
        let checked = self.check_factor(user, factor, now).await;
        let failure = checked.as_ref().err().map(ToString::to_string);
        self.record(LogKind::SecondFactor, Some(user), None, client, failure.as_deref()).await;
        checked
    }

    async fn check_factor(&self, user: &User, factor: SecondFactor<'_>, now: OffsetDateTime) -> Result<(), AuthError> {
        let secrets = self.store.two_factor(&user.id).await?;
        match factor {
            SecondFactor::Totp(code) => {
                let secret = self.open(&secrets.ok_or_else(totp_not_enabled)?.secret)?;
                if two_factor::verify_totp(&secret, code, now.unix_timestamp()) {
                    return Ok(());
                }
                Err(invalid_code())
            }
            SecondFactor::BackupCode(code) => {
                let invalid = || rule(ErrorCode::InvalidBackupCode, "Invalid backup code", 401);
                let secrets = secrets.ok_or_else(two_factor_not_enabled)?;
                let codes = self.open_codes(&secrets.backup_codes)?;
                let left = two_factor::spend_backup_code(&codes, code).ok_or_else(invalid)?;
                let sealed = self.seal_codes(&left)?;
                // Spent at most once even when sent twice at once.
                if self.store.replace_backup_codes(&user.id, &secrets.backup_codes, &sealed).await? {
                    Ok(())
                } else {
                    Err(invalid())
                }
            }
        }
    }

    /// Trusts this device for 30 days; the identifier for its cookie.
    async fn trust_device(&self, user_id: &str, now: OffsetDateTime) -> Result<String, AuthError> {
        let identifier = format!("{TRUSTED_DEVICE_PREFIX}{}", id::generate());
        self.store.insert_verification(&identifier, user_id, now + two_factor::TRUSTED_DEVICE_TTL, now).await?;
        Ok(identifier)
    }
}
