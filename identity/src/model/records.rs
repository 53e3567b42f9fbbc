//! The identity records as the rules see them (not storage rows, not DTOs).

use time::OffsetDateTime;

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// 32-char id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Lower-cased e-mail, unique.
    pub email: String,
    /// Whether the e-mail was verified.
    pub email_verified: bool,
    /// Avatar URL.
    pub image: Option<String>,
    /// When created.
    pub created_at: OffsetDateTime,
    /// When last changed.
    pub updated_at: OffsetDateTime,
    /// Platform role(s), comma-joined (`user`, `admin`).
    pub role: Option<String>,
    /// Whether banned.
    pub banned: bool,
    /// Why banned.
    pub ban_reason: Option<String>,
    /// When the ban ends; none means forever.
    pub ban_expires: Option<OffsetDateTime>,
    /// Whether sign-in asks for a second factor (TOTP or a backup code).
    pub two_factor_enabled: bool,
}

impl User {
    /// A new, unbanned, unverified user created at `now`.
    pub fn new(
        id: String,
        name: String,
        email: String,
        image: Option<String>,
        role: String,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            id,
            name,
            email,
            email_verified: false,
            image,
            created_at: now,
            updated_at: now,
            role: Some(role),
            banned: false,
            ban_reason: None,
            ban_expires: None,
            two_factor_enabled: false,
        }
    }

    /// Whether a ban is in force at `now` (an expired ban no longer counts).
    pub fn is_banned_at(&self, now: OffsetDateTime) -> bool {
        self.banned && self.ban_expires.is_none_or(|until| until > now)
    }
}

/// A signed-in session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// 32-char id.
    pub id: String,
    /// The raw 32-char token (the cookie carries it signed).
    pub token: String,
    /// The user.
    pub user_id: String,
    /// When it ends.
    pub expires_at: OffsetDateTime,
    /// When created.
    pub created_at: OffsetDateTime,
    /// When last refreshed.
    pub updated_at: OffsetDateTime,
    /// Client IP at sign-in.
    pub ip_address: Option<String>,
    /// Client user agent at sign-in.
    pub user_agent: Option<String>,
    /// The organization the session acts in.
    pub active_organization_id: Option<String>,
    /// The admin impersonating the user, if any.
    pub impersonated_by: Option<String>,
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn user(banned: bool, ban_expires: Option<OffsetDateTime>) -> User {
        let t = datetime!(2026-01-01 0:00 UTC);
        User {
            id: "u".into(),
            name: "n".into(),
            email: "e@x.io".into(),
            email_verified: false,
            image: None,
            created_at: t,
            updated_at: t,
            role: Some("user".into()),
            banned,
            ban_reason: None,
            ban_expires,
            two_factor_enabled: false,
        }
    }

    #[test]
    fn bans_end_at_their_expiry() {
        let now = datetime!(2026-06-01 0:00 UTC);
        assert!(!user(false, None).is_banned_at(now));
        assert!(user(true, None).is_banned_at(now));
        assert!(user(true, Some(now + time::Duration::hours(1))).is_banned_at(now));
        assert!(!user(true, Some(now)).is_banned_at(now));
    }
}
