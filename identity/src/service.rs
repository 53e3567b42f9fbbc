//! Identity's use cases: sign-up, sign-in, session resolution with sliding
//! expiry, sign-out, session listing and revocation, password and profile
//! changes, service JWTs. Talks only to the [`IdentityStore`] port; password
//! hashing runs on the blocking pool.

use std::sync::Arc;

use time::OffsetDateTime;

pub mod admin;
pub mod api_keys;
mod deletion;
mod email_change;
pub mod invitations;
pub mod organizations;
mod recovery;
pub mod roles;
mod two_factor;
mod verification;

pub use deletion::{AccountDeletion, DeletionProof};
pub use email_change::EmailChange;
pub use recovery::MailThrottle;
pub use two_factor::{DEFAULT_ISSUER, FactorHolder, FactorVerified, SecondFactor, TwoFactorSetup};

use crate::audit::{LogKind, LogRecord, SessionLog};
use crate::crypto::hashing::PasswordWorkers;
use crate::crypto::jwt::{self, Claims};
use crate::crypto::keys;
use crate::crypto::password::Verification;
use crate::error::AuthError;
use crate::events;
use crate::model::{EmailAddress, NewPassword, Session, SessionPolicy, SessionTiming, User, id, password, profile};
use crate::ports::{
    AccessInvalidation, FoundSession, IdentityStore, Mailer, NoInvalidation, SigningKeyRecord, StoreError,
};
use crate::settings::IdentitySettings;

impl From<StoreError> for AuthError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::EmailTaken => AuthError::UserAlreadyExists,
            StoreError::SlugTaken => AuthError::OrganizationAlreadyExists,
            StoreError::Conflict => AuthError::InvitationNotFound,
            StoreError::LastOwner => AuthError::LastOwner,
            StoreError::RoleTaken => crate::model::custom_role::taken(),
            StoreError::RoleInUse => AuthError::rule(
                crate::error::ErrorCode::RoleIsAssignedToMembers,
                "Cannot delete a role that is assigned to members. Please reassign the members to a different role first",
                400,
            ),
            StoreError::TooManyRoles => {
                AuthError::rule(crate::error::ErrorCode::TooManyRoles, "This organization has too many roles", 400)
            }
            StoreError::Backend(cause) => AuthError::from(cause),
        }
    }
}

/// Where a request came from, recorded on new sessions.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// Client IP (from the connection or a trusted proxy header).
    pub ip: Option<String>,
    /// `User-Agent`.
    pub user_agent: Option<String>,
}

/// Input of e-mail sign-up.
#[derive(Debug, Clone)]
pub struct SignUp {
    /// Display name.
    pub name: String,
    /// E-mail, as typed.
    pub email: String,
    /// Password, as typed.
    pub password: String,
    /// Avatar URL.
    pub image: Option<String>,
    /// Keep the session for 7 days (default) rather than 1.
    pub remember_me: bool,
    /// Where the verification link leads once opened (checked by the caller).
    pub callback_url: Option<String>,
}

/// A new user, and their first session unless the e-mail address must be
/// verified first.
#[derive(Debug, Clone)]
pub struct SignedUp {
    /// The user.
    pub user: User,
    /// Their session; `None` while verification is required.
    pub session: Option<Session>,
}

/// A user with a session: the result of signing in, or of resolving a token.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The user, re-read on every request (role and ban changes are immediate).
    pub user: User,
    /// The session.
    pub session: Session,
    /// The session's expiry was just slid forward: re-issue the cookie.
    pub refreshed: bool,
    /// The user's role in the session's active organization, when it was
    /// read with the session (saves the JWT a query).
    pub active_role: Option<String>,
}

/// What a correct password leads to.
#[derive(Debug, Clone)]
pub enum SignInOutcome {
    /// A session is open.
    SignedIn(Box<Authenticated>),
    /// The user turned two-factor on and this device is not trusted: no
    /// session yet. The challenge's identifier goes into the signed
    /// `two_factor` cookie, and `verify-totp` or `verify-backup-code`
    /// opens the session.
    SecondFactorRequired {
        /// The challenge's `verification` identifier.
        challenge: String,
    },
}

/// The identity use cases.
#[derive(Clone)]
pub struct IdentityService {
    store: Arc<dyn IdentityStore>,
    settings: IdentitySettings,
    policy: SessionPolicy,
    log: SessionLog,
    hashing: PasswordWorkers,
    access: Arc<dyn AccessInvalidation>,
    mailer: Arc<dyn Mailer>,
    mail: MailThrottle,
}

/// Runs CPU-heavy work other than password hashing (key generation) on the
/// blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AuthError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AuthError::Backend(anyhow::anyhow!("password worker failed: {e}")))
}

impl IdentityService {
    /// A service over `store` with `settings`, writing sign-ins, sign-outs
    /// and revocations to `log` and hashing passwords on `hashing`.
    pub fn new(
        store: Arc<dyn IdentityStore>,
        settings: IdentitySettings,
        log: SessionLog,
        hashing: PasswordWorkers,
    ) -> Self {
        let policy = SessionPolicy { ttl: settings.session_ttl, update_age: settings.session_update_age };
        Self {
            store,
            settings,
            policy,
            log,
            hashing,
            access: Arc::new(NoInvalidation),
            mailer: Arc::new(recovery::UnsentMail),
            mail: MailThrottle::default(),
        }
    }

    /// Sends verification and password-reset mail through `mailer` (by
    /// default it is only logged as unsent).
    pub fn with_mailer(mut self, mailer: Arc<dyn Mailer>) -> Self {
        self.mailer = mailer;
        self
    }

    /// Tells `access` of every session this service ends, so JWTs minted
    /// from them stop working in this process at once (other processes
    /// learn it from `identity.session.revoked`).
    pub fn with_access(mut self, access: Arc<dyn AccessInvalidation>) -> Self {
        self.access = access;
        self
    }

    /// Announces ended sessions to the verifier's cache.
    async fn ended(&self, session_ids: Vec<String>) -> Vec<String> {
        if !session_ids.is_empty() {
            self.access.sessions_revoked(&session_ids).await;
        }
        session_ids
    }

    async fn record(
        &self,
        kind: LogKind,
        user: Option<&User>,
        email: Option<&str>,
        client: &ClientInfo,
        failure: Option<&str>,
    ) {
        let record = LogRecord {
            user_id: user.map(|u| u.id.clone()),
            email: email.map(str::to_owned).or_else(|| user.map(|u| u.email.clone())),
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
            outcome: Some(if failure.is_some() { "failure" } else { "success" }),
            reason: failure.map(str::to_owned),
            ..LogRecord::default()
        };
        self.log.record(kind, record).await;
    }

    /// The settings in force.
    pub fn settings(&self) -> &IdentitySettings {
        &self.settings
    }

    fn new_session(&self, user_id: &str, remember_me: bool, client: &ClientInfo, now: OffsetDateTime) -> Session {
        Session {
            id: id::generate(),
            token: id::generate(),
            user_id: user_id.to_owned(),
            expires_at: self.policy.expires_at(now, remember_me),
            created_at: now,
            updated_at: now,
            ip_address: Some(client.ip.clone().unwrap_or_default()),
            user_agent: client.user_agent.clone(),
            active_organization_id: None,
            impersonated_by: None,
        }
    }

    /// Creates a user with an e-mail + password credential and signs it in
    /// (unless `require_email_verification`: then no session until the
    /// address is verified). Mails the verification link when configured.
    /// Fails on invalid input (400), a taken e-mail (422), or storage errors.
    pub async fn sign_up(&self, input: SignUp, client: &ClientInfo) -> Result<SignedUp, AuthError> {
        profile::check_name(&input.name)?;
        let email = EmailAddress::parse(&input.email)?;
        if let Some(image) = &input.image {
            profile::check_image(image)?;
        }
        let new_password = NewPassword::parse(&input.password)?;
        let hash = self.hashing.hash(new_password.expose().to_owned()).await?;
        let now = OffsetDateTime::now_utc();
        let user = User::new(id::generate(), input.name, email.as_str().to_owned(), input.image, "user".into(), now);
        let session = (!self.settings.require_email_verification)
            .then(|| self.new_session(&user.id, input.remember_me, client, now));
        self.store.create_user(&user, &hash, session.as_ref(), &events::user_created(&user)).await?;
        self.record(LogKind::SignUp, Some(&user), None, client, None).await;
        if self.settings.verifies_on_sign_up() {
            self.mail_verification(&user, input.callback_url.as_deref().unwrap_or("/"));
        }
        Ok(SignedUp { user, session })
    }

    /// Checks e-mail and password and opens a session, or, for a user with
    /// two-factor on, a challenge for the second factor (unless
    /// `trusted_device`, from the signed `trust_device` cookie, is one they
    /// trusted). An unknown e-mail costs the same hashing work as a wrong
    /// password and gets the same answer (401). Banned users get 403;
    /// expired bans are lifted. Better Auth scrypt hashes are replaced by
    /// argon2id when upgrading is on.
    pub async fn sign_in(
        &self,
        email: &str,
        password_text: &str,
        remember_me: bool,
        trusted_device: Option<&str>,
        client: &ClientInfo,
    ) -> Result<SignInOutcome, AuthError> {
        let email = EmailAddress::parse(email)?;
        let normalized = password::normalize(password_text);
        let found = self.store.find_user_by_email(email.as_str()).await?;
        let Some((user, Some(stored))) = found else {
            self.hashing.verify_dummy(normalized).await?;
            self.record(LogKind::SignIn, None, Some(email.as_str()), client, Some("unknown e-mail or no password"))
                .await;
            return Err(AuthError::InvalidEmailOrPassword);
        };
        let verification = self.hashing.verify(normalized.clone(), stored).await?;
        let Verification::Valid { upgrade } = verification else {
            self.record(LogKind::SignIn, Some(&user), None, client, Some("wrong password")).await;
            return Err(AuthError::InvalidEmailOrPassword);
        };
        let now = OffsetDateTime::now_utc();
        if user.is_banned_at(now) {
            self.record(LogKind::SignIn, Some(&user), None, client, Some("banned")).await;
            return Err(AuthError::BannedUser);
        }
        if let Err(unverified) = self.require_verified(&user) {
            self.record(LogKind::SignIn, Some(&user), None, client, Some("e-mail not verified")).await;
            return Err(unverified);
        }
        if user.banned {
            self.store.clear_ban(&user.id, now).await?;
        }
        if upgrade && self.settings.upgrade_legacy_hashes {
            let rehashed = self.hashing.hash(normalized).await?;
            self.store.set_password_hash(&user.id, &rehashed, now).await?;
        }
        if user.two_factor_enabled && !self.is_trusted_device(&user.id, trusted_device, now).await? {
            let challenge = self.open_challenge(&user.id, remember_me, now).await?;
            return Ok(SignInOutcome::SecondFactorRequired { challenge });
        }
        let session = self.new_session(&user.id, remember_me, client, now);
        self.store.create_session(&session).await?;
        let user = User { banned: false, ban_reason: None, ban_expires: None, ..user };
        self.record(LogKind::SignIn, Some(&user), None, client, None).await;
        Ok(SignInOutcome::SignedIn(Box::new(Authenticated { user, session, refreshed: false, active_role: None })))
    }

    /// Resolves a raw session token: `None` when unknown, expired (the row
    /// is deleted) or its user is banned; slides the expiry when due unless
    /// `disable_refresh`.
    pub async fn authenticate(&self, token: &str, disable_refresh: bool) -> Result<Option<Authenticated>, AuthError> {
        if !id::is_well_formed(token) {
            return Ok(None);
        }
        let Some(FoundSession { mut session, user, active_role }) = self.store.find_session(token).await? else {
            return Ok(None);
        };
        let now = OffsetDateTime::now_utc();
        if user.is_banned_at(now) {
            return Ok(None);
        }
        let remembered = self.policy.is_remembered(session.created_at, session.expires_at);
        match self.policy.timing(session.expires_at, remembered, now) {
            SessionTiming::Expired => {
                let ended = self.store.delete_session(token, None).await?;
                self.ended(ended).await;
                Ok(None)
            }
            SessionTiming::Refresh(expires_at) if !disable_refresh => {
                self.store.refresh_session(&session.id, expires_at, now).await?;
                session.expires_at = expires_at;
                session.updated_at = now;
                Ok(Some(Authenticated { user, session, refreshed: true, active_role }))
            }
            _ => Ok(Some(Authenticated { user, session, refreshed: false, active_role })),
        }
    }

    /// Ends the session with this token (no-op when unknown).
    pub async fn sign_out(&self, token: &str, client: &ClientInfo) -> Result<(), AuthError> {
        let user = self.store.find_session(token).await?.map(|found| found.user);
        let ended = self.store.delete_session(token, None).await?;
        self.ended(ended).await;
        if user.is_some() {
            self.record(LogKind::SignOut, user.as_ref(), None, client, None).await;
        }
        Ok(())
    }

    /// The caller's live sessions, newest first.
    pub async fn list_sessions(&self, auth: &Authenticated) -> Result<Vec<Session>, AuthError> {
        Ok(self.store.list_sessions(&auth.user.id, OffsetDateTime::now_utc()).await?)
    }

    /// Revokes one of the caller's sessions by raw token; other users'
    /// tokens are silently ignored (as Better Auth does). True when revoked.
    pub async fn revoke_session(&self, auth: &Authenticated, token: &str) -> Result<bool, AuthError> {
        let ended = self.store.delete_session(token, Some(&auth.user.id)).await?;
        Ok(!self.ended(ended).await.is_empty())
    }

    /// Revokes every session of the caller, the current one included.
    pub async fn revoke_sessions(&self, auth: &Authenticated) -> Result<(), AuthError> {
        let ended = self.store.delete_user_sessions(&auth.user.id, None).await?;
        self.ended(ended).await;
        self.record(LogKind::SessionRevoked, Some(&auth.user), None, &ClientInfo::default(), None).await;
        Ok(())
    }

    /// Revokes every session of the caller but the current one.
    pub async fn revoke_other_sessions(&self, auth: &Authenticated) -> Result<(), AuthError> {
        let ended = self.store.delete_user_sessions(&auth.user.id, Some(&auth.session.token)).await?;
        self.ended(ended).await;
        Ok(())
    }

    /// Changes the caller's password after checking the current one (400
    /// `INVALID_PASSWORD` otherwise). With `revoke_others`, every session
    /// is revoked and a fresh one returned.
    pub async fn change_password(
        &self,
        auth: &Authenticated,
        current: &str,
        new: &str,
        revoke_others: bool,
        client: &ClientInfo,
    ) -> Result<Option<Session>, AuthError> {
        let new_password = NewPassword::parse(new)?;
        let stored = self.store.password_hash(&auth.user.id).await?.ok_or(AuthError::InvalidPassword)?;
        let current = password::normalize(current);
        if self.hashing.verify(current, stored).await? == Verification::Invalid {
            return Err(AuthError::InvalidPassword);
        }
        let hash = self.hashing.hash(new_password.expose().to_owned()).await?;
        let now = OffsetDateTime::now_utc();
        self.store.set_password_hash(&auth.user.id, &hash, now).await?;
        if !revoke_others {
            return Ok(None);
        }
        let ended = self.store.delete_user_sessions(&auth.user.id, None).await?;
        self.ended(ended).await;
        let remembered = self.policy.is_remembered(auth.session.created_at, auth.session.expires_at);
        let session = self.new_session(&auth.user.id, remembered, client, now);
        self.store.create_session(&session).await?;
        Ok(Some(session))
    }

    /// Updates the caller's name and/or image (`Some(None)` clears it).
    pub async fn update_user(
        &self,
        auth: &Authenticated,
        name: Option<&str>,
        image: Option<Option<&str>>,
    ) -> Result<User, AuthError> {
        if let Some(name) = name {
            profile::check_name(name)?;
        }
        if let Some(Some(image)) = image {
            profile::check_image(image)?;
        }
        let updated = self.store.update_profile(&auth.user.id, name, image, OffsetDateTime::now_utc()).await?;
        updated.ok_or(AuthError::Unauthorized)
    }

    /// A short-lived HS256 service JWT for the session; `user_claims` is the
    /// user object as the API renders it (flattened into the claims).
    pub async fn issue_jwt(
        &self,
        auth: &Authenticated,
        user_claims: serde_json::Map<String, serde_json::Value>,
    ) -> Result<String, AuthError> {
        let org_role = match (&auth.session.active_organization_id, &auth.active_role) {
            (Some(_), Some(role)) => Some(role.clone()),
            (Some(org), None) => self.store.member_role(org, &auth.user.id).await?,
            (None, _) => None,
        };
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let ttl = i64::try_from(self.settings.jwt_ttl.as_secs()).unwrap_or(900);
        let claims = Claims {
            sub: auth.user.id.clone(),
            sid: auth.session.id.clone(),
            org: auth.session.active_organization_id.clone(),
            org_role,
            iat: now,
            exp: now + ttl,
            iss: self.settings.public_origin.clone(),
            aud: self.settings.public_origin.clone(),
            extra: user_claims,
        };
        if !self.settings.eddsa {
            return Ok(jwt::sign_hs256(&self.settings.secret, &claims)?);
        }
        let key = self.signing_key().await?;
        Ok(jwt::sign_eddsa(&self.settings.secret, &key.id, &key.private_key, &claims)?)
    }

    /// The newest Ed25519 signing key, created on first use (as Better Auth
    /// creates its key lazily).
    async fn signing_key(&self) -> Result<SigningKeyRecord, AuthError> {
        if let Some(key) = self.store.latest_signing_key().await? {
            return Ok(key);
        }
        let secret = self.settings.secret.clone();
        let (public_key, private_key) = blocking(move || keys::generate(&secret)).await??;
        let key =
            SigningKeyRecord { id: id::generate(), public_key, private_key, created_at: OffsetDateTime::now_utc() };
        self.store.insert_signing_key(&key).await?;
        Ok(key)
    }

    /// The public keys verifiers need: empty in HS256 mode (the shared secret
    /// is never published), the Ed25519 keys (created if none) in EdDSA mode.
    pub async fn public_keys(&self) -> Result<Vec<(String, keys::PublicJwk)>, AuthError> {
        if !self.settings.eddsa {
            return Ok(Vec::new());
        }
        self.signing_key().await?;
        let mut published = Vec::new();
        for key in self.store.signing_keys().await? {
            match serde_json::from_str::<keys::PublicJwk>(&key.public_key) {
                Ok(jwk) => published.push((key.id, jwk)),
                Err(e) => tracing::warn!(kid = %key.id, error = %e, "skipping an unreadable public key"),
            }
        }
        Ok(published)
    }
}
