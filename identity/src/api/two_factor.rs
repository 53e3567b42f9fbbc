//! Better Auth's `two-factor` plugin endpoints under `/api/auth/two-factor`:
//! setting TOTP up and down with the password, and giving the second
//! factor, either to finish a sign-in (the signed `two_factor` cookie) or,
//! signed in, to turn two-factor on.

use gremlin_kernel::Nullable;
use gremlin_kernel::http::{OptionalSessionAuth, SessionAuth};
use poem::Request;
use poem::web::cookie::CookieJar;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use std::time::Duration;

use super::context;
use super::dto::{Status, TokenAndUser, UserDto};
use super::endpoints::{TRUST_DEVICE_COOKIE, TWO_FACTOR_COOKIE};
use super::problem::AuthProblemResponse;
use crate::model::two_factor::TRUSTED_DEVICE_TTL;
use crate::service::{FactorHolder, FactorVerified, IdentityService, SecondFactor};

type Result<T> = std::result::Result<T, AuthProblemResponse>;

#[derive(Tags)]
enum TwoFactorTag {
    /// Two-factor sign-in with TOTP and backup codes (Better Auth's
    /// two-factor plugin).
    TwoFactor,
}

/// A body holding only the caller's password.
#[derive(Debug, Object)]
pub struct PasswordBody {
    /// The caller's current password.
    pub password: String,
}

/// `POST /two-factor/enable` and `get-totp-uri` body.
#[derive(Debug, Object)]
pub struct TotpBody {
    /// The caller's current password.
    pub password: String,
    /// The name the authenticator app shows (1–100 characters); default
    /// `Gremlin`.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub issuer: Option<String>,
}

/// What set-up hands the user, once.
#[derive(Debug, Object)]
pub struct TwoFactorSetupResult {
    /// The `otpauth://totp/…` URI to show as a QR code.
    #[oai(rename = "totpURI")]
    pub totp_uri: String,
    /// Ten single-use codes (`abcde-12345`) for when the authenticator is lost.
    #[oai(rename = "backupCodes")]
    pub backup_codes: Vec<String>,
}

/// `{ "totpURI": … }`.
#[derive(Debug, Object)]
pub struct TotpUriResult {
    /// The `otpauth://totp/…` URI.
    #[oai(rename = "totpURI")]
    pub totp_uri: String,
}

/// New backup codes.
#[derive(Debug, Object)]
pub struct BackupCodesResult {
    /// Always true.
    pub status: bool,
    /// Ten single-use codes; the earlier ones no longer work.
    #[oai(rename = "backupCodes")]
    pub backup_codes: Vec<String>,
}

/// `POST /two-factor/verify-totp` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct VerifyTotpBody {
    /// The six digits the authenticator shows.
    #[oai(validator(max_length = 32))]
    pub code: String,
    /// Skip the second factor on this device for 30 days.
    pub trust_device: Option<bool>,
}

/// `POST /two-factor/verify-backup-code` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct VerifyBackupCodeBody {
    /// One unused backup code (`abcde-12345`); it is spent.
    #[oai(validator(max_length = 32))]
    pub code: String,
    /// Skip the second factor on this device for 30 days.
    pub trust_device: Option<bool>,
    /// Finish the sign-in without setting the session cookie (the token is
    /// still in the body).
    pub disable_session: Option<bool>,
}

/// A second factor accepted.
#[derive(Debug, ApiResponse)]
pub enum VerifiedResponse {
    /// The session (new when this finished a sign-in: its cookie and
    /// `set-auth-token` are set) and the user.
    #[oai(status = 200)]
    Ok(Json<TokenAndUser>, #[oai(header = "set-auth-token")] Option<String>),
}

/// Two-factor sign-in, mounted at `/api/auth`.
pub struct TwoFactorApi {
    service: IdentityService,
}

impl TwoFactorApi {
    /// The API over `service`.
    pub fn new(service: IdentityService) -> Self {
        Self { service }
    }

    /// Checks `factor` for the sign-in named by the `two_factor` cookie,
    /// or else for the signed-in caller, and sets the cookies that follow.
    async fn verify(
        &self,
        req: &Request,
        jar: &CookieJar,
        factor: SecondFactor<'_>,
        trust_device: bool,
        set_cookie: bool,
    ) -> Result<VerifiedResponse> {
        let settings = self.service.settings();
        context::check_origin(req, settings, false)?;
        let client = context::client_info(req);
        let verified = match context::signed_cookie(req, settings, TWO_FACTOR_COOKIE) {
            Some(challenge) => {
                let holder = FactorHolder::Pending(&challenge);
                self.service.verify_second_factor(holder, factor, trust_device, &client).await?
            }
            None => {
                let auth = context::authenticate(&self.service, req, true).await?;
                let holder = FactorHolder::SignedIn(&auth);
                self.service.verify_second_factor(holder, factor, trust_device, &client).await?
            }
        };
        let FactorVerified { auth, new_session, remember_me, trusted_device } = verified;
        if let Some(device) = trusted_device {
            context::set_signed_cookie(jar, settings, TRUST_DEVICE_COOKIE, &device, TRUSTED_DEVICE_TTL);
        }
        let mut signed = None;
        if new_session {
            context::set_signed_cookie(jar, settings, TWO_FACTOR_COOKIE, "", Duration::ZERO);
            if set_cookie {
                signed = Some(context::set_session_cookie(jar, settings, &auth.session, remember_me));
            }
        }
        let body = TokenAndUser { token: Nullable(Some(auth.session.token.clone())), user: UserDto::from(&auth.user) };
        Ok(VerifiedResponse::Ok(Json(body), signed))
    }
}

#[OpenApi(prefix_path = "/api/auth/two-factor", tag = "TwoFactorTag::TwoFactor")]
impl TwoFactorApi {
    /// Set up two-factor sign-in.
    ///
    /// Creates the caller's TOTP secret and ten backup codes (replacing
    /// earlier ones) after checking their password (400
    /// `INVALID_PASSWORD`). Sign-in asks for a code once the first code is
    /// given to `verify-totp`.
    #[oai(path = "/enable", method = "post", operation_id = "identity.two_factor_enable")]
    async fn enable(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<TotpBody>,
    ) -> Result<Json<TwoFactorSetupResult>> {
        let auth = context::authenticate(&self.service, req, true).await?;
        let setup = self.service.enable_two_factor(&auth, &body.password, body.issuer.as_deref()).await?;
        Ok(Json(TwoFactorSetupResult { totp_uri: setup.totp_uri, backup_codes: setup.backup_codes }))
    }

    /// Turn two-factor sign-in off.
    ///
    /// After checking the password: forgets the secret, the backup codes
    /// and every trusted device.
    #[oai(path = "/disable", method = "post", operation_id = "identity.two_factor_disable")]
    async fn disable(&self, _session: SessionAuth, req: &Request, body: Json<PasswordBody>) -> Result<Json<Status>> {
        let auth = context::authenticate(&self.service, req, true).await?;
        self.service.disable_two_factor(&auth, &body.password, &context::client_info(req)).await?;
        Ok(Json(Status { status: true }))
    }

    /// Show the TOTP URI again.
    ///
    /// The `otpauth://` URI of the caller's secret, after checking the
    /// password; 400 `TOTP_NOT_ENABLED` before set-up.
    #[oai(path = "/get-totp-uri", method = "post", operation_id = "identity.two_factor_get_totp_uri")]
    async fn get_totp_uri(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<TotpBody>,
    ) -> Result<Json<TotpUriResult>> {
        let auth = context::authenticate(&self.service, req, true).await?;
        let totp_uri = self.service.totp_uri(&auth, &body.password, body.issuer.as_deref()).await?;
        Ok(Json(TotpUriResult { totp_uri }))
    }

    /// Replace the backup codes.
    ///
    /// Ten new single-use codes after checking the password; the old ones
    /// stop working. 400 `TWO_FACTOR_NOT_ENABLED` while two-factor is off.
    #[oai(path = "/generate-backup-codes", method = "post", operation_id = "identity.two_factor_generate_backup_codes")]
    async fn generate_backup_codes(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<PasswordBody>,
    ) -> Result<Json<BackupCodesResult>> {
        let auth = context::authenticate(&self.service, req, true).await?;
        let client = context::client_info(req);
        let backup_codes = self.service.generate_backup_codes(&auth, &body.password, &client).await?;
        Ok(Json(BackupCodesResult { status: true, backup_codes }))
    }

    /// Give a TOTP code.
    ///
    /// With the `two_factor` cookie from sign-in: opens the session (at
    /// most 5 codes per sign-in, then 401
    /// `TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE` and the password again).
    /// Signed in: turns two-factor on. A wrong code is 401 `INVALID_CODE`;
    /// neither cookie nor session, or a spent or expired sign-in, 401
    /// `INVALID_TWO_FACTOR_COOKIE`.
    #[oai(path = "/verify-totp", method = "post", operation_id = "identity.two_factor_verify_totp")]
    async fn verify_totp(
        &self,
        _session: OptionalSessionAuth,
        req: &Request,
        jar: &CookieJar,
        body: Json<VerifyTotpBody>,
    ) -> Result<VerifiedResponse> {
        self.verify(req, jar, SecondFactor::Totp(&body.code), body.trust_device.unwrap_or(false), true).await
    }

    /// Give a backup code.
    ///
    /// Like `verify-totp`, with one of the backup codes, which is spent
    /// (401 `INVALID_BACKUP_CODE` for a wrong or spent one).
    #[oai(path = "/verify-backup-code", method = "post", operation_id = "identity.two_factor_verify_backup_code")]
    async fn verify_backup_code(
        &self,
        _session: OptionalSessionAuth,
        req: &Request,
        jar: &CookieJar,
        body: Json<VerifyBackupCodeBody>,
    ) -> Result<VerifiedResponse> {
        let factor = SecondFactor::BackupCode(&body.code);
        let set_cookie = !body.disable_session.unwrap_or(false);
        self.verify(req, jar, factor, body.trust_device.unwrap_or(false), set_cookie).await
    }
}
