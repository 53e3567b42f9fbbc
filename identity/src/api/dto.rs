//! Request and response bodies, field for field as Better Auth sends them
//! (camelCase, nullable fields as `null`, times as ISO-8601 with milliseconds).

use gremlin_kernel::Nullable;
use poem_openapi::Object;

pub use super::timestamp::Timestamp;
use crate::model::{Session, User};

/// `undefined` → leave as is (`None`), `null` → clear (`Some(None)`),
/// a value → set (`Some(Some(v))`).
pub fn change<T>(value: poem_openapi::types::MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        poem_openapi::types::MaybeUndefined::Undefined => None,
        poem_openapi::types::MaybeUndefined::Null => Some(None),
        poem_openapi::types::MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// A user.
#[derive(Debug, Clone, Object)]
#[oai(rename = "User", rename_all = "camelCase", example)]
pub struct UserDto {
    /// Display name.
    pub name: String,
    /// E-mail (lower-case).
    pub email: String,
    /// Whether the e-mail was verified.
    pub email_verified: bool,
    /// Avatar URL.
    pub image: Nullable<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update time.
    pub updated_at: Timestamp,
    /// Platform role(s), comma-joined.
    pub role: Nullable<String>,
    /// Whether banned.
    pub banned: bool,
    /// Ban reason.
    pub ban_reason: Nullable<String>,
    /// Ban end.
    pub ban_expires: Nullable<Timestamp>,
    /// Whether sign-in asks for a second factor (`two-factor/enable`, then
    /// one `verify-totp`).
    pub two_factor_enabled: bool,
    /// Id.
    pub id: String,
}

impl From<&User> for UserDto {
    fn from(u: &User) -> Self {
        Self {
            name: u.name.clone(),
            email: u.email.clone(),
            email_verified: u.email_verified,
            image: u.image.clone().into(),
            created_at: Timestamp(u.created_at),
            updated_at: Timestamp(u.updated_at),
            role: u.role.clone().into(),
            banned: u.banned,
            ban_reason: u.ban_reason.clone().into(),
            ban_expires: u.ban_expires.map(Timestamp).into(),
            two_factor_enabled: u.two_factor_enabled,
            id: u.id.clone(),
        }
    }
}

impl UserDto {
    /// The user as JSON claims for a JWT (Better Auth flattens it there).
    pub fn to_claims(&self) -> serde_json::Map<String, serde_json::Value> {
        let value = serde_json::json!({
            "name": self.name, "email": self.email, "emailVerified": self.email_verified,
            "image": self.image.0, "createdAt": self.created_at, "updatedAt": self.updated_at,
            "role": self.role.0, "banned": self.banned, "banReason": self.ban_reason.0,
            "banExpires": self.ban_expires.0, "twoFactorEnabled": self.two_factor_enabled,
            "id": self.id,
        });
        match value {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        }
    }
}

/// A session.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Session", rename_all = "camelCase", example)]
pub struct SessionDto {
    /// Expiry.
    pub expires_at: Timestamp,
    /// The raw session token.
    pub token: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last refresh.
    pub updated_at: Timestamp,
    /// Client IP at sign-in (`""` when unknown).
    pub ip_address: Nullable<String>,
    /// Client user agent at sign-in.
    pub user_agent: Nullable<String>,
    /// Owner.
    pub user_id: String,
    /// Active organization.
    pub active_organization_id: Nullable<String>,
    /// Impersonating admin.
    pub impersonated_by: Nullable<String>,
    /// Id.
    pub id: String,
}

impl From<&Session> for SessionDto {
    fn from(s: &Session) -> Self {
        Self {
            expires_at: Timestamp(s.expires_at),
            token: s.token.clone(),
            created_at: Timestamp(s.created_at),
            updated_at: Timestamp(s.updated_at),
            ip_address: s.ip_address.clone().into(),
            user_agent: s.user_agent.clone().into(),
            user_id: s.user_id.clone(),
            active_organization_id: s.active_organization_id.clone().into(),
            impersonated_by: s.impersonated_by.clone().into(),
            id: s.id.clone(),
        }
    }
}

/// `POST /sign-up/email` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", deny_unknown_fields, example, skip_serializing_if_is_none)]
pub struct SignUpEmailBody {
    /// Display name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Password, 8 to 128 characters.
    pub password: String,
    /// Avatar URL.
    pub image: Option<String>,
    /// Where the client goes next (relative, or on a trusted origin).
    #[oai(rename = "callbackURL")]
    pub callback_url: Option<String>,
    /// Keep the session 7 days (default) instead of 1.
    pub remember_me: Option<bool>,
}

/// `POST /sign-in/email` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SignInEmailBody {
    /// E-mail.
    pub email: String,
    /// Password.
    pub password: String,
    /// Where the client goes next (relative, or on a trusted origin).
    #[oai(rename = "callbackURL")]
    pub callback_url: Option<String>,
    /// Keep the session 7 days (default) instead of 1.
    pub remember_me: Option<bool>,
}

/// Token and user, answered by sign-up.
#[derive(Debug, Object)]
#[oai(example)]
pub struct TokenAndUser {
    /// The raw session token; `null` when the e-mail address must be
    /// verified before a session opens.
    pub token: Nullable<String>,
    /// The user.
    pub user: UserDto,
}

/// Answered by sign-in.
#[derive(Debug, Object)]
pub struct SignInResult {
    /// True when `url` should be followed.
    pub redirect: bool,
    /// The raw session token.
    pub token: String,
    /// The callback URL, when one was given.
    #[oai(skip_serializing_if_is_none)]
    pub url: Option<String>,
    /// The user.
    pub user: UserDto,
}

/// Sign-in stopped for the second factor (Better Auth's two-factor
/// plugin): no session yet, only the signed `two_factor` cookie (valid 10
/// minutes) naming this sign-in.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct TwoFactorRedirect {
    /// Always `true`: send a code to `two-factor/verify-totp` or
    /// `two-factor/verify-backup-code` with the cookie.
    pub two_factor_redirect: bool,
    /// The second factors the user has: `totp` (a backup code always
    /// works too).
    pub two_factor_methods: Vec<String>,
}

/// What sign-in answers: the session, or the demand for a second factor.
#[derive(Debug, poem_openapi::Union)]
#[oai(one_of)]
pub enum SignInAnswer {
    /// Signed in.
    SignedIn(Box<SignInResult>),
    /// A second factor is due.
    SecondFactor(TwoFactorRedirect),
}

/// Session and user, answered by get-session.
#[derive(Debug, Object)]
pub struct SessionAndUser {
    /// The session.
    pub session: SessionDto,
    /// The user.
    pub user: UserDto,
}

/// `{ "success": true }`.
#[derive(Debug, Object)]
pub struct Success {
    /// Always true.
    pub success: bool,
}

/// `{ "status": true }`.
#[derive(Debug, Object)]
pub struct Status {
    /// Whether the operation took effect.
    pub status: bool,
}

/// `POST /revoke-session` body.
#[derive(Debug, Object)]
pub struct RevokeSessionBody {
    /// The raw token of the session to revoke.
    pub token: String,
}

/// `POST /change-password` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct ChangePasswordBody {
    /// The new password, 8 to 128 characters.
    pub new_password: String,
    /// The current password.
    pub current_password: String,
    /// Also sign out every session (a new one is returned).
    pub revoke_other_sessions: Option<bool>,
}

/// Answered by change-password.
#[derive(Debug, Object)]
pub struct ChangePasswordResult {
    /// The new session token when other sessions were revoked.
    pub token: Nullable<String>,
    /// The user.
    pub user: UserDto,
}

/// `POST /update-user` body.
#[derive(Debug, Object)]
pub struct UpdateUserBody {
    /// New display name.
    pub name: Option<String>,
    /// New avatar URL; `null` removes it.
    pub image: poem_openapi::types::MaybeUndefined<String>,
}

/// `{ "token": "<JWT>" }`.
#[derive(Debug, Object)]
pub struct JwtToken {
    /// A 15-minute HS256 JWT for service calls.
    pub token: String,
}

/// A public JSON Web Key.
#[derive(Debug, Object)]
pub struct PublicJwk {
    /// Key id.
    pub kid: String,
    /// Key type.
    pub kty: String,
    /// Algorithm.
    pub alg: String,
    /// Curve.
    #[oai(skip_serializing_if_is_none)]
    pub crv: Option<String>,
    /// Public key.
    #[oai(skip_serializing_if_is_none)]
    pub x: Option<String>,
}

/// The public key set.
#[derive(Debug, Object)]
pub struct JwkSet {
    /// Public keys; empty in HS256 mode (the shared secret is not published).
    pub keys: Vec<PublicJwk>,
}
