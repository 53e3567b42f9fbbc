//! Getting back into an account and proving an address (Better Auth's
//! paths and bodies): `request-password-reset`, `reset-password/:token`,
//! `reset-password`, `send-verification-email`, `verify-email`,
//! `change-email`, `verify-password`. Links are mailed; nothing here says
//! whether an address belongs to someone.

use gremlin_kernel::Nullable;
use gremlin_kernel::http::{OptionalSessionAuth, SessionAuth};
use poem::Request;
use poem::web::cookie::CookieJar;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::context;
use super::dto::{Status, UserDto};
use super::problem::AuthProblemResponse;
use crate::error::AuthError;
use crate::service::{EmailChange, IdentityService};

type Result<T> = std::result::Result<T, AuthProblemResponse>;

/// What a reset request answers, whoever the address belongs to.
const RESET_SENT: &str = "If this email exists in our system, check your email for the reset link";

#[derive(Tags)]
pub(super) enum AccountTag {
    /// Password reset and e-mail verification through mailed links (Better Auth compatible).
    Account,
}

/// `POST /request-password-reset` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct PasswordResetRequestBody {
    /// The account's e-mail address.
    pub email: String,
    /// Where the mailed link leads (relative, or on a trusted origin),
    /// with `?token=…`, or `?error=INVALID_TOKEN` once the link is spent or
    /// expired. Default `/`.
    pub redirect_to: Option<String>,
}

/// `POST /request-password-reset` answer.
#[derive(Debug, Object)]
pub struct PasswordResetRequested {
    /// Always true.
    pub status: bool,
    /// The same sentence for every address.
    pub message: String,
}

/// `POST /reset-password` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct ResetPasswordBody {
    /// The new password, 8 to 128 characters.
    pub new_password: String,
    /// The token from the mailed link (or in the `token` query parameter).
    pub token: Option<String>,
}

/// `POST /send-verification-email` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SendVerificationBody {
    /// The address to verify; signed in, it must be the caller's own.
    pub email: String,
    /// Where the mailed link leads once opened (relative, or on a trusted
    /// origin). Default `/`.
    #[oai(rename = "callbackURL")]
    pub callback_url: Option<String>,
}

/// `GET /verify-email` answer without a callback URL.
#[derive(Debug, Object)]
pub struct EmailVerified {
    /// Always true.
    pub status: bool,
    /// The user, when a session was opened (`auth.auto_sign_in_after_verification`); otherwise null.
    pub user: Nullable<UserDto>,
}

/// `POST /change-email` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct ChangeEmailBody {
    /// The new address.
    pub new_email: String,
    /// Where the confirmation link leads once opened (relative, or on a
    /// trusted origin). Default `/`.
    #[oai(rename = "callbackURL")]
    pub callback_url: Option<String>,
}

/// `POST /change-email` answer.
#[derive(Debug, Object)]
pub struct EmailChangeResult {
    /// Always true.
    pub status: bool,
    /// `Email updated` (an unverified address, replaced at once) or
    /// `Verification email sent` (to the new address, which must confirm).
    pub message: String,
    /// The user after an immediate change; otherwise null.
    pub user: Nullable<UserDto>,
}

/// `POST /verify-password` body.
#[derive(Debug, Object)]
pub struct VerifyPasswordBody {
    /// The caller's password.
    pub password: String,
}

/// An answer that may send the browser on.
#[derive(Debug, ApiResponse)]
pub enum MaybeRedirect<T: poem_openapi::types::ToJSON> {
    /// Done; no callback URL was given.
    #[oai(status = 200)]
    Ok(Json<T>),
    /// Done, or refused, and sent on to the callback URL (an error as
    /// `?error=…`).
    #[oai(status = 302)]
    Found(#[oai(header = "Location")] String),
}

/// A reset link's answer: always on to the callback URL.
#[derive(Debug, ApiResponse)]
pub enum ResetLinkResponse {
    /// On to `callbackURL?token=…`, or `callbackURL?error=INVALID_TOKEN`
    /// when the link is spent, expired or unknown.
    #[oai(status = 302)]
    Found(#[oai(header = "Location")] String),
}

/// `url` with `key=value` added to its query.
fn with_query(url: &str, key: &str, value: &str) -> String {
    let glue = if url.contains('?') { '&' } else { '?' };
    format!("{url}{glue}{key}={value}")
}

/// The account API, mounted at `/api/auth`.
pub struct AccountApi {
    service: IdentityService,
}

impl AccountApi {
    /// The API over `service`.
    pub fn new(service: IdentityService) -> Self {
        Self { service }
    }
}

#[OpenApi(prefix_path = "/api/auth", tag = "AccountTag::Account")]
impl AccountApi {
    /// Ask for a password reset.
    ///
    /// Mails a single-use link valid for one hour to the address, if it
    /// belongs to someone; the answer is the same, and as quick, either way.
    #[oai(path = "/request-password-reset", method = "post", operation_id = "identity.request_password_reset")]
    async fn request_password_reset(
        &self,
        req: &Request,
        body: Json<PasswordResetRequestBody>,
    ) -> Result<Json<PasswordResetRequested>> {
        let settings = self.service.settings();
        context::check_origin(req, settings, false)?;
        context::check_callback(body.redirect_to.as_deref(), settings)?;
        self.service.request_password_reset(&body.email, body.redirect_to.as_deref())?;
        Ok(Json(PasswordResetRequested { status: true, message: RESET_SENT.into() }))
    }

    /// Open a password-reset link.
    ///
    /// Where the mailed link lands: sends the browser on to `callbackURL`
    /// with the token, or with `error=INVALID_TOKEN` once it is spent or
    /// expired.
    #[oai(path = "/reset-password/:token", method = "get", operation_id = "identity.reset_password_link")]
    async fn reset_password_link(
        &self,
        token: Path<String>,
        /// Where to go on (relative, or on a trusted origin).
        #[oai(name = "callbackURL")]
        callback_url: Query<String>,
    ) -> Result<ResetLinkResponse> {
        context::check_callback(Some(&callback_url.0), self.service.settings())?;
        let location = if self.service.reset_token_is_valid(&token.0).await? {
            with_query(&callback_url.0, "token", &token.0)
        } else {
            with_query(&callback_url.0, "error", "INVALID_TOKEN")
        };
        Ok(ResetLinkResponse::Found(location))
    }

    /// Reset a password.
    ///
    /// Sets a new password with the mailed token, which then stops working;
    /// every session of the user ends when `auth.revoke_sessions_on_password_reset`
    /// is set. An unknown, spent or expired token is 400 `INVALID_TOKEN`.
    #[oai(path = "/reset-password", method = "post", operation_id = "identity.reset_password")]
    async fn reset_password(
        &self,
        req: &Request,
        body: Json<ResetPasswordBody>,
        /// The token, when not in the body.
        token: Query<Option<String>>,
    ) -> Result<Json<Status>> {
        context::check_origin(req, self.service.settings(), false)?;
        let token = body.0.token.or(token.0).ok_or(AuthError::InvalidToken)?;
        self.service.reset_password(&token, &body.0.new_password, &context::client_info(req)).await?;
        Ok(Json(Status { status: true }))
    }

    /// Send a verification e-mail.
    ///
    /// Mails a link (valid one hour) that marks the address verified.
    /// Signed in, only to the caller's own unverified address
    /// (`EMAIL_MISMATCH`, `EMAIL_ALREADY_VERIFIED`); signed out, the answer
    /// is the same for any address.
    #[oai(path = "/send-verification-email", method = "post", operation_id = "identity.send_verification_email")]
    async fn send_verification_email(
        &self,
        _session: OptionalSessionAuth,
        req: &Request,
        body: Json<SendVerificationBody>,
    ) -> Result<Json<Status>> {
        let settings = self.service.settings();
        context::check_origin(req, settings, false)?;
        context::check_callback(body.callback_url.as_deref(), settings)?;
        let signed_in = match context::credential(req, settings).token() {
            Some(token) => self.service.authenticate(token, true).await?,
            None => None,
        };
        self.service.send_verification_email(&body.email, body.callback_url.as_deref(), signed_in.as_ref())?;
        Ok(Json(Status { status: true }))
    }

    /// Verify an e-mail address.
    ///
    /// Where the mailed link lands: marks the address verified (and, with
    /// `auth.auto_sign_in_after_verification`, opens a session and sets its
    /// cookie). With `callbackURL` the browser is sent on, errors as
    /// `?error=invalid_token`, `token_expired` or `user_not_found`; without
    /// it, errors are 401 `INVALID_TOKEN` / `TOKEN_EXPIRED` and 404.
    #[oai(path = "/verify-email", method = "get", operation_id = "identity.verify_email")]
    async fn verify_email(
        &self,
        req: &Request,
        jar: &CookieJar,
        /// The token from the mailed link.
        token: Query<String>,
        /// Where to go on (relative, or on a trusted origin).
        #[oai(name = "callbackURL")]
        callback_url: Query<Option<String>>,
    ) -> Result<MaybeRedirect<EmailVerified>> {
        let settings = self.service.settings();
        context::check_callback(callback_url.0.as_deref(), settings)?;
        let verified = self.service.verify_email(&token.0, &context::client_info(req)).await;
        let (user, session) = match (verified, callback_url.0.as_deref()) {
            (Ok(done), _) => done,
            (Err(e), Some(callback)) => {
                let error = match e {
                    AuthError::InvalidVerificationToken { expired: true } => "token_expired",
                    AuthError::InvalidVerificationToken { expired: false } => "invalid_token",
                    AuthError::UserNotFound => "user_not_found",
                    other => return Err(other.into()),
                };
                return Ok(MaybeRedirect::Found(with_query(callback, "error", error)));
            }
            (Err(e), None) => return Err(e.into()),
        };
        if let Some(session) = &session {
            context::set_session_cookie(jar, settings, session, true);
        }
        match callback_url.0 {
            Some(callback) => Ok(MaybeRedirect::Found(callback)),
            None => {
                let user = session.is_some().then(|| UserDto::from(&user));
                Ok(MaybeRedirect::Ok(Json(EmailVerified { status: true, user: Nullable(user) })))
            }
        }
    }

    /// Change my e-mail address.
    ///
    /// An unverified address is replaced at once. A verified one changes
    /// only when the new address confirms it through the link mailed to
    /// it (valid one hour); the old address is told. The same address is
    /// 400, one in use 422 `USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL`.
    #[oai(path = "/change-email", method = "post", operation_id = "identity.change_email")]
    async fn change_email(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<ChangeEmailBody>,
    ) -> Result<Json<EmailChangeResult>> {
        context::check_callback(body.callback_url.as_deref(), self.service.settings())?;
        let auth = context::authenticate(&self.service, req, true).await?;
        let change = self
            .service
            .change_email(&auth, &body.new_email, body.callback_url.as_deref(), &context::client_info(req))
            .await?;
        Ok(Json(match change {
            EmailChange::Updated(user) => EmailChangeResult {
                status: true,
                message: "Email updated".into(),
                user: Nullable(Some(UserDto::from(&user))),
            },
            EmailChange::VerificationSent => {
                EmailChangeResult { status: true, message: "Verification email sent".into(), user: Nullable(None) }
            }
        }))
    }

    /// Check my password.
    ///
    /// Whether the password is the signed-in user's (400 `INVALID_PASSWORD`
    /// otherwise), before a sensitive change.
    #[oai(path = "/verify-password", method = "post", operation_id = "identity.verify_password")]
    async fn verify_password(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<VerifyPasswordBody>,
    ) -> Result<Json<Status>> {
        let auth = context::authenticate(&self.service, req, true).await?;
        self.service.verify_password(&auth, &body.password).await?;
        Ok(Json(Status { status: true }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_join_an_existing_query() {
        assert_eq!(with_query("/reset", "token", "t1"), "/reset?token=t1");
        assert_eq!(with_query("/reset?step=2", "error", "INVALID_TOKEN"), "/reset?step=2&error=INVALID_TOKEN");
    }
}
