//! The endpoints. Each reads the request the Better Auth way (see
//! `context`), calls one use case and answers with Better Auth's body,
//! cookies and headers.

use gremlin_kernel::Nullable;
use gremlin_kernel::http::{OptionalSessionAuth, SessionAuth};
use poem::Request;
use poem::web::cookie::CookieJar;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags};

use super::context::{self, Credential};
use super::dto::*;
use super::problem::AuthProblemResponse;
use crate::error::AuthError;
use crate::model::two_factor::CHALLENGE_TTL;
use crate::service::{Authenticated, IdentityService, SignInOutcome, SignUp};

type Result<T> = std::result::Result<T, AuthProblemResponse>;

const EXPOSE_TOKEN: &str = "set-auth-token";
/// The cookie naming a sign-in that waits for its second factor.
pub(super) const TWO_FACTOR_COOKIE: &str = "two_factor";
/// The cookie of a device trusted to skip the second factor.
pub(super) const TRUST_DEVICE_COOKIE: &str = "trust_device";

#[derive(Tags)]
enum IdentityTag {
    /// Sign-up, sign-in, sessions and service tokens (Better Auth compatible).
    Identity,
}

/// Sign-up answer: body, signed token header.
#[derive(Debug, ApiResponse)]
pub enum SignUpResponse {
    /// Signed up and signed in (the session cookie is set), or, when the
    /// e-mail address must be verified first, signed up without a session
    /// (`token` null, no cookie, the verification link mailed).
    #[oai(status = 200)]
    Ok(
        Json<TokenAndUser>,
        #[oai(header = "set-auth-token")] Option<String>,
        #[oai(header = "access-control-expose-headers")] Option<String>,
    ),
}

/// Sign-in answer.
#[derive(Debug, ApiResponse)]
pub enum SignInResponse {
    /// Signed in (the session cookie and `set-auth-token` are set); or, for
    /// a user with two-factor on, `{"twoFactorRedirect": true}` and the
    /// `two_factor` cookie, with no session until the second factor.
    #[oai(status = 200)]
    Ok(
        Json<SignInAnswer>,
        #[oai(header = "set-auth-token")] Option<String>,
        #[oai(header = "access-control-expose-headers")] Option<String>,
    ),
}

/// get-session answer: the session or `null`, never cached.
#[derive(Debug, ApiResponse)]
pub enum GetSessionResponse {
    /// The session and user, or `null` when not signed in.
    #[oai(status = 200)]
    Ok(
        Json<Nullable<SessionAndUser>>,
        #[oai(header = "cache-control")] String,
        #[oai(header = "set-auth-jwt")] Option<String>,
        #[oai(header = "set-auth-token")] Option<String>,
        #[oai(header = "access-control-expose-headers")] Option<String>,
    ),
}

/// change-password answer.
#[derive(Debug, ApiResponse)]
pub enum ChangePasswordResponse {
    /// Changed; with a new session token when others were revoked.
    #[oai(status = 200)]
    Ok(Json<ChangePasswordResult>, #[oai(header = "set-auth-token")] Option<String>),
}

/// The identity API, mounted at `/api/auth`.
pub struct IdentityApi {
    service: IdentityService,
}

impl IdentityApi {
    /// The API over `service`.
    pub fn new(service: IdentityService) -> Self {
        Self { service }
    }

    async fn require(&self, req: &Request) -> std::result::Result<Authenticated, AuthError> {
        context::authenticate(&self.service, req, false).await
    }

    async fn require_for_mutation(&self, req: &Request) -> std::result::Result<Authenticated, AuthError> {
        context::authenticate(&self.service, req, true).await
    }
}

#[OpenApi(prefix_path = "/api/auth", tag = "IdentityTag::Identity")]
impl IdentityApi {
    /// Sign up with e-mail and password.
    ///
    /// Create a user with e-mail and password, and sign it in; with
    /// `auth.require_email_verification`, no session opens until the
    /// mailed link is followed.
    #[oai(path = "/sign-up/email", method = "post", operation_id = "identity.sign_up_email")]
    async fn sign_up_email(
        &self,
        req: &Request,
        jar: &CookieJar,
        body: Json<SignUpEmailBody>,
    ) -> Result<SignUpResponse> {
        let settings = self.service.settings();
        context::check_origin(req, settings, true)?;
        context::check_callback(body.callback_url.as_deref(), settings)?;
        let remember_me = body.remember_me.unwrap_or(true);
        let input = SignUp {
            name: body.0.name,
            email: body.0.email,
            password: body.0.password,
            image: body.0.image,
            remember_me,
            callback_url: body.0.callback_url,
        };
        let signed_up = self.service.sign_up(input, &context::client_info(req)).await?;
        let user = UserDto::from(&signed_up.user);
        let Some(session) = signed_up.session else {
            return Ok(SignUpResponse::Ok(Json(TokenAndUser { token: Nullable(None), user }), None, None));
        };
        let signed = context::set_session_cookie(jar, settings, &session, remember_me);
        let body = TokenAndUser { token: Nullable(Some(session.token.clone())), user };
        Ok(SignUpResponse::Ok(Json(body), Some(signed), Some(EXPOSE_TOKEN.into())))
    }

    /// Sign in with e-mail and password.
    ///
    /// Sign in with e-mail and password; opens a new session. With
    /// `auth.require_email_verification`, an unverified address is 403
    /// `EMAIL_NOT_VERIFIED` and a fresh link is mailed (at most one a
    /// minute).
    #[oai(path = "/sign-in/email", method = "post", operation_id = "identity.sign_in_email")]
    async fn sign_in_email(
        &self,
        req: &Request,
        jar: &CookieJar,
        body: Json<SignInEmailBody>,
    ) -> Result<SignInResponse> {
        let settings = self.service.settings();
        context::check_origin(req, settings, true)?;
        context::check_callback(body.callback_url.as_deref(), settings)?;
        let remember_me = body.remember_me.unwrap_or(true);
        let trusted = context::signed_cookie(req, settings, TRUST_DEVICE_COOKIE);
        let client = context::client_info(req);
        let outcome = self.service.sign_in(&body.email, &body.password, remember_me, trusted.as_deref(), &client);
        let auth = match outcome.await? {
            SignInOutcome::SignedIn(auth) => auth,
            SignInOutcome::SecondFactorRequired { challenge } => {
                context::set_signed_cookie(jar, settings, TWO_FACTOR_COOKIE, &challenge, CHALLENGE_TTL);
                let body = TwoFactorRedirect { two_factor_redirect: true, two_factor_methods: vec!["totp".into()] };
                return Ok(SignInResponse::Ok(Json(SignInAnswer::SecondFactor(body)), None, None));
            }
        };
        let signed = context::set_session_cookie(jar, settings, &auth.session, remember_me);
        let result = SignInResult {
            redirect: body.callback_url.is_some(),
            token: auth.session.token.clone(),
            url: body.0.callback_url,
            user: UserDto::from(&auth.user),
        };
        Ok(SignInResponse::Ok(Json(SignInAnswer::SignedIn(Box::new(result))), Some(signed), Some(EXPOSE_TOKEN.into())))
    }

    /// Get the current session.
    ///
    /// The current session and user, or `null`. Slides the session's expiry
    /// at most once a day (unless `disableRefresh`) and returns a fresh
    /// service JWT in `set-auth-jwt`.
    #[oai(path = "/get-session", method = "get", operation_id = "identity.get_session")]
    async fn get_session(
        &self,
        _session: OptionalSessionAuth,
        req: &Request,
        jar: &CookieJar,
        #[oai(name = "disableRefresh")] disable_refresh: Query<Option<bool>>,
        #[oai(name = "disableCookieCache")] _disable_cookie_cache: Query<Option<bool>>,
    ) -> Result<GetSessionResponse> {
        let settings = self.service.settings();
        let credential = context::credential(req, settings);
        let found = match credential.token() {
            Some(token) => self.service.authenticate(token, disable_refresh.0.unwrap_or(false)).await?,
            None => None,
        };
        let no_store = "no-store".to_owned();
        let Some(auth) = found else {
            if matches!(credential, Credential::Cookie(_)) || req.cookie().get(&settings.session_cookie()).is_some() {
                context::clear_session_cookies(jar, settings);
            }
            return Ok(GetSessionResponse::Ok(Json(Nullable(None)), no_store, None, None, None));
        };
        let user = UserDto::from(&auth.user);
        let jwt = self.service.issue_jwt(&auth, user.to_claims()).await?;
        let refreshed = auth.refreshed.then(|| context::set_session_cookie(jar, settings, &auth.session, true));
        let expose = if refreshed.is_some() { "set-auth-jwt, set-auth-token" } else { "set-auth-jwt" };
        let body = SessionAndUser { session: SessionDto::from(&auth.session), user };
        Ok(GetSessionResponse::Ok(Json(Nullable(Some(body))), no_store, Some(jwt), refreshed, Some(expose.into())))
    }

    /// Sign out.
    ///
    /// Sign out: deletes the session and clears the cookies. Succeeds
    /// without a session too.
    #[oai(path = "/sign-out", method = "post", operation_id = "identity.sign_out")]
    async fn sign_out(&self, _session: OptionalSessionAuth, req: &Request, jar: &CookieJar) -> Result<Json<Success>> {
        let settings = self.service.settings();
        context::check_origin(req, settings, false)?;
        if let Some(token) = context::credential(req, settings).token() {
            self.service.sign_out(token, &context::client_info(req)).await?;
        }
        context::clear_session_cookies(jar, settings);
        Ok(Json(Success { success: true }))
    }

    /// List my sessions.
    ///
    /// The caller's live sessions, newest first (with their raw tokens, as
    /// Better Auth returns them).
    #[oai(path = "/list-sessions", method = "get", operation_id = "identity.list_sessions")]
    async fn list_sessions(&self, _session: SessionAuth, req: &Request) -> Result<Json<Vec<SessionDto>>> {
        let auth = self.require(req).await?;
        let sessions = self.service.list_sessions(&auth).await?;
        Ok(Json(sessions.iter().map(SessionDto::from).collect()))
    }

    /// Revoke one of my sessions.
    ///
    /// Revoke one of the caller's sessions by its raw token. Unknown and
    /// other users' tokens are ignored.
    #[oai(path = "/revoke-session", method = "post", operation_id = "identity.revoke_session")]
    async fn revoke_session(
        &self,
        _session: SessionAuth,
        req: &Request,
        jar: &CookieJar,
        body: Json<RevokeSessionBody>,
    ) -> Result<Json<Status>> {
        let auth = self.require_for_mutation(req).await?;
        self.service.revoke_session(&auth, &body.token).await?;
        if body.token == auth.session.token {
            context::clear_session_cookies(jar, self.service.settings());
        }
        Ok(Json(Status { status: true }))
    }

    /// Revoke all my sessions.
    ///
    /// Revoke every session of the caller, this one included.
    #[oai(path = "/revoke-sessions", method = "post", operation_id = "identity.revoke_sessions")]
    async fn revoke_sessions(&self, _session: SessionAuth, req: &Request, jar: &CookieJar) -> Result<Json<Status>> {
        let auth = self.require_for_mutation(req).await?;
        self.service.revoke_sessions(&auth).await?;
        context::clear_session_cookies(jar, self.service.settings());
        Ok(Json(Status { status: true }))
    }

    /// Revoke my other sessions.
    ///
    /// Revoke every session of the caller except this one.
    #[oai(path = "/revoke-other-sessions", method = "post", operation_id = "identity.revoke_other_sessions")]
    async fn revoke_other_sessions(&self, _session: SessionAuth, req: &Request) -> Result<Json<Status>> {
        let auth = self.require_for_mutation(req).await?;
        self.service.revoke_other_sessions(&auth).await?;
        Ok(Json(Status { status: true }))
    }

    /// Change my password.
    ///
    /// Change the caller's password; optionally sign out everywhere (a new
    /// session is then issued to this client).
    #[oai(path = "/change-password", method = "post", operation_id = "identity.change_password")]
    async fn change_password(
        &self,
        _session: SessionAuth,
        req: &Request,
        jar: &CookieJar,
        body: Json<ChangePasswordBody>,
    ) -> Result<ChangePasswordResponse> {
        let auth = self.require_for_mutation(req).await?;
        let revoke = body.revoke_other_sessions.unwrap_or(false);
        let new_session = self
            .service
            .change_password(&auth, &body.current_password, &body.new_password, revoke, &context::client_info(req))
            .await?;
        let signed = new_session.as_ref().map(|s| context::set_session_cookie(jar, self.service.settings(), s, true));
        let result =
            ChangePasswordResult { token: new_session.map(|s| s.token).into(), user: UserDto::from(&auth.user) };
        Ok(ChangePasswordResponse::Ok(Json(result), signed))
    }

    /// Update my profile.
    ///
    /// Change the caller's name and/or image.
    #[oai(path = "/update-user", method = "post", operation_id = "identity.update_user")]
    async fn update_user(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<UpdateUserBody>,
    ) -> Result<Json<Status>> {
        let auth = self.require_for_mutation(req).await?;
        let image = change(body.0.image);
        self.service.update_user(&auth, body.0.name.as_deref(), image.as_ref().map(|i| i.as_deref())).await?;
        Ok(Json(Status { status: true }))
    }

    /// Get a service JWT.
    ///
    /// A 15-minute HS256 JWT for calling Gremlin services.
    #[oai(path = "/token", method = "get", operation_id = "identity.token")]
    async fn token(&self, _session: SessionAuth, req: &Request) -> Result<Json<JwtToken>> {
        let auth = self.require(req).await?;
        let token = self.service.issue_jwt(&auth, UserDto::from(&auth.user).to_claims()).await?;
        Ok(Json(JwtToken { token }))
    }

    /// JWT verification keys.
    ///
    /// Public keys for verifying JWTs. Empty in HS256 mode: verifiers hold
    /// the shared secret instead.
    #[oai(path = "/jwks", method = "get", operation_id = "identity.jwks")]
    async fn jwks(&self) -> Result<Json<JwkSet>> {
        let keys = self.service.public_keys().await?;
        let keys = keys
            .into_iter()
            .map(|(kid, jwk)| PublicJwk {
                kid,
                kty: jwk.kty,
                alg: crate::crypto::keys::ALG.into(),
                crv: Some(jwk.crv),
                x: Some(jwk.x),
            })
            .collect();
        Ok(Json(JwkSet { keys }))
    }
}
