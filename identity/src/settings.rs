//! What identity needs from configuration, already parsed: the composition
//! root builds it from `gremlin-config`'s `[auth]` and `[server]` sections.

use std::time::Duration;

/// Identity's settings.
#[derive(Clone)]
pub struct IdentitySettings {
    /// The shared secret: signs session cookies and HS256 JWTs.
    pub secret: String,
    /// Cookie name prefix (`better-auth` → `better-auth.session_token`).
    pub cookie_prefix: String,
    /// Mark cookies `Secure` and prefix them `__Secure-` (https public URL).
    pub secure_cookies: bool,
    /// The public origin (`https://api.example.com`): JWT `iss`/`aud` and
    /// the first trusted origin.
    pub public_origin: String,
    /// Other origins allowed to send cookie-authenticated mutations.
    pub trusted_origins: Vec<String>,
    /// Session lifetime (Better Auth: 7 days).
    pub session_ttl: Duration,
    /// Sessions are slid forward at most this often (Better Auth: 1 day).
    pub session_update_age: Duration,
    /// Service JWT lifetime (15 minutes).
    pub jwt_ttl: Duration,
    /// Re-hash Better Auth scrypt passwords as argon2id on sign-in. Turn off
    /// while a Better Auth server still shares the database.
    pub upgrade_legacy_hashes: bool,
    /// Sign service JWTs with Ed25519 keys from `jwks` instead of HS256.
    pub eddsa: bool,
    /// Refuse sign-in until the e-mail address is verified (and open no
    /// session at sign-up).
    pub require_email_verification: bool,
    /// Mail the verification link on sign-up (also whenever verification
    /// is required).
    pub send_verification_on_sign_up: bool,
    /// Open a session when an address is verified through its link.
    pub auto_sign_in_after_verification: bool,
    /// End every session of a user whose password is reset.
    pub revoke_sessions_on_password_reset: bool,
    /// How long a password-reset link works (Better Auth: 1 hour).
    pub reset_password_ttl: Duration,
    /// How long an e-mail verification link works (Better Auth: 1 hour).
    pub verification_ttl: Duration,
    /// Users may delete their own account (`delete-user`); otherwise it is
    /// 404, as Better Auth answers with `deleteUser` off (its default).
    pub allow_account_deletion: bool,
    /// A deletion is confirmed through a link mailed to the user instead
    /// of at once (Better Auth's `sendDeleteAccountVerification`).
    pub confirm_account_deletion_by_email: bool,
    /// How long a deletion link works (Better Auth: 1 day).
    pub delete_account_ttl: Duration,
    /// A session younger than this may delete its user without the
    /// password (Better Auth's `freshAge`: 1 day); zero: any session may.
    pub fresh_session_age: Duration,
}

impl IdentitySettings {
    /// Defaults matching Better Auth, for `secret` and `public_origin`.
    pub fn new(secret: impl Into<String>, public_origin: impl Into<String>) -> Self {
        let public_origin = public_origin.into();
        Self {
            secret: secret.into(),
            cookie_prefix: "better-auth".into(),
            secure_cookies: public_origin.starts_with("https://"),
            public_origin,
            trusted_origins: Vec::new(),
            session_ttl: Duration::from_secs(7 * 24 * 3600),
            session_update_age: Duration::from_secs(24 * 3600),
            jwt_ttl: Duration::from_secs(15 * 60),
            upgrade_legacy_hashes: true,
            eddsa: false,
            require_email_verification: false,
            send_verification_on_sign_up: false,
            auto_sign_in_after_verification: false,
            revoke_sessions_on_password_reset: false,
            reset_password_ttl: Duration::from_secs(3600),
            verification_ttl: Duration::from_secs(3600),
            allow_account_deletion: false,
            confirm_account_deletion_by_email: false,
            delete_account_ttl: Duration::from_secs(24 * 3600),
            fresh_session_age: Duration::from_secs(24 * 3600),
        }
    }

    /// Whether sign-up mails the verification link.
    pub fn verifies_on_sign_up(&self) -> bool {
        self.send_verification_on_sign_up || self.require_email_verification
    }

    /// `path` (`/api/auth/verify-email?…`) as an absolute URL on the public
    /// origin, as mailed links are.
    pub fn public_link(&self, path: &str) -> String {
        format!("{}{path}", self.public_origin.trim_end_matches('/'))
    }

    /// Whether `origin` may send cookie-authenticated mutations.
    pub fn is_trusted_origin(&self, origin: &str) -> bool {
        let trusted =
            std::iter::once(self.public_origin.as_str()).chain(self.trusted_origins.iter().map(String::as_str));
        gremlin_kernel::caller::origin_is_trusted(origin, trusted)
    }

    /// The session cookie's name.
    pub fn session_cookie(&self) -> String {
        self.cookie_name("session_token")
    }

    /// A cookie name with the prefix (and `__Secure-` over https).
    pub fn cookie_name(&self, name: &str) -> String {
        let secure = if self.secure_cookies { "__Secure-" } else { "" };
        format!("{secure}{}.{name}", self.cookie_prefix)
    }
}
