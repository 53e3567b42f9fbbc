//! A user deleting their own account (Better Auth's `delete-user` and
//! `delete-user/callback`), off unless `auth.allow_account_deletion`.

use gremlin_kernel::http::SessionAuth;
use poem::Request;
use poem::web::cookie::CookieJar;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::account::{AccountTag, MaybeRedirect};
use super::context;
use super::problem::AuthProblemResponse;
use crate::service::{AccountDeletion, DeletionProof, IdentityService};

type Result<T> = std::result::Result<T, AuthProblemResponse>;

/// `POST /delete-user` body: how the deletion is proven (none of it when
/// the session is fresh, or when the deletion is confirmed by mail).
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct DeleteUserBody {
    /// The caller's password; required once the session is older than
    /// `auth.fresh_session_secs`.
    pub password: Option<String>,
    /// The token of a mailed deletion link, deleting at once.
    pub token: Option<String>,
    /// Where the mailed link leads once the account is gone (relative, or
    /// on a trusted origin). Default `/`.
    #[oai(rename = "callbackURL")]
    pub callback_url: Option<String>,
}

/// What a deletion request did.
#[derive(Debug, Object)]
pub struct UserDeletionResult {
    /// Always true.
    pub success: bool,
    /// `User deleted`, or `Verification email sent` when the deletion waits
    /// for the mailed link.
    pub message: String,
}

impl UserDeletionResult {
    fn deleted() -> Self {
        Self { success: true, message: "User deleted".into() }
    }
}

/// Account deletion, mounted at `/api/auth`.
pub struct AccountDeletionApi {
    service: IdentityService,
}

impl AccountDeletionApi {
    /// The API over `service`.
    pub fn new(service: IdentityService) -> Self {
        Self { service }
    }
}

#[OpenApi(prefix_path = "/api/auth", tag = "AccountTag::Account")]
impl AccountDeletionApi {
    /// Delete my account.
    ///
    /// Deletes the caller with their sessions, accounts and memberships, or
    /// (with `auth.confirm_account_deletion_by_email`) mails them a link
    /// valid one day that will. Proven by `password`, or by a session
    /// younger than `auth.fresh_session_secs` (400 `SESSION_EXPIRED`
    /// otherwise). An organization they alone own must change hands first
    /// (400 `YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER`). 404
    /// unless `auth.allow_account_deletion` is set.
    #[oai(path = "/delete-user", method = "post", operation_id = "identity.delete_user")]
    async fn delete_user(
        &self,
        _session: SessionAuth,
        req: &Request,
        jar: &CookieJar,
        body: Json<DeleteUserBody>,
    ) -> Result<Json<UserDeletionResult>> {
        let settings = self.service.settings();
        context::check_callback(body.callback_url.as_deref(), settings)?;
        let auth = context::authenticate(&self.service, req, true).await?;
        let proof = DeletionProof { password: body.password.as_deref(), token: body.token.as_deref() };
        let client = context::client_info(req);
        match self.service.delete_account(&auth, proof, body.callback_url.as_deref(), &client).await? {
            AccountDeletion::Deleted => {
                context::clear_session_cookies(jar, settings);
                Ok(Json(UserDeletionResult::deleted()))
            }
            AccountDeletion::ConfirmationSent => {
                Ok(Json(UserDeletionResult { success: true, message: "Verification email sent".into() }))
            }
        }
    }

    /// Confirm deleting my account.
    ///
    /// Where the mailed deletion link lands, in the browser signed in as
    /// the same user: deletes the account and sends the browser on to
    /// `callbackURL` (or answers JSON without one). A link spent, expired or
    /// sent to someone else is 404 `INVALID_TOKEN`.
    #[oai(path = "/delete-user/callback", method = "get", operation_id = "identity.delete_user_callback")]
    async fn delete_user_callback(
        &self,
        _session: SessionAuth,
        req: &Request,
        jar: &CookieJar,
        /// The token from the mailed link.
        token: Query<String>,
        /// Where to go once the account is gone (relative, or on a trusted origin).
        #[oai(name = "callbackURL")]
        callback_url: Query<Option<String>>,
    ) -> Result<MaybeRedirect<UserDeletionResult>> {
        let settings = self.service.settings();
        context::check_callback(callback_url.0.as_deref(), settings)?;
        let auth = context::authenticate(&self.service, req, false).await?;
        self.service.delete_with_token(&auth, &token.0, &context::client_info(req)).await?;
        context::clear_session_cookies(jar, settings);
        Ok(match callback_url.0 {
            Some(callback) => MaybeRedirect::Found(callback),
            None => MaybeRedirect::Ok(Json(UserDeletionResult::deleted())),
        })
    }
}
