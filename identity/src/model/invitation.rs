//! Invitations: pending for 48 hours, answered once, only by the invitee.

use std::time::Duration;

use time::OffsetDateTime;

use crate::error::AuthError;

/// How long an invitation stays open (Better Auth: 48 h).
pub const INVITATION_TTL: Duration = Duration::from_secs(48 * 3600);

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    /// Waiting for an answer.
    Pending,
    /// The invitee joined.
    Accepted,
    /// The invitee declined.
    Rejected,
    /// An admin withdrew it.
    Canceled,
}

impl InvitationStatus {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Canceled => "canceled",
        }
    }

    /// Reads a stored value; unknown values count as not pending.
    pub fn from_stored(value: &str) -> Option<Self> {
        match value {
            "pending" => Some(Self::Pending),
            "accepted" => Some(Self::Accepted),
            "rejected" => Some(Self::Rejected),
            "canceled" => Some(Self::Canceled),
            _ => None,
        }
    }
}

/// Expiry of an invitation created at `now`.
pub fn expires_at(now: OffsetDateTime) -> OffsetDateTime {
    now + time::Duration::try_from(INVITATION_TTL).unwrap_or(time::Duration::DAY)
}

/// Whether an invitation (`status`, `expires`, addressed to `invitee`) can
/// be answered at `now` by the user with `email`: 400
/// `INVITATION_NOT_FOUND` unless pending and unexpired, 403
/// `YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION` for anyone else.
pub fn check_answerable(
    status: &str,
    expires: OffsetDateTime,
    invitee: &str,
    email: &str,
    now: OffsetDateTime,
) -> Result<(), AuthError> {
    if InvitationStatus::from_stored(status) != Some(InvitationStatus::Pending) || expires <= now {
        return Err(AuthError::InvitationNotFound);
    }
    if !invitee.eq_ignore_ascii_case(email) {
        return Err(AuthError::NotRecipient);
    }
    Ok(())
}

/// Whether a still-open invitation blocks a new one.
pub fn is_open(status: &str, expires: OffsetDateTime, now: OffsetDateTime) -> bool {
    InvitationStatus::from_stored(status) == Some(InvitationStatus::Pending) && expires > now
}

#[cfg(test)]
mod tests {
    use crate::error::ErrorCode;
    use time::macros::datetime;

    use super::*;

    #[test]
    fn invitations_last_48_hours() {
        let now = datetime!(2026-11-27 10:00 UTC);
        assert_eq!(expires_at(now), datetime!(2026-11-29 10:00 UTC));
    }

    #[test]
    fn only_the_invitee_answers_a_pending_unexpired_invitation() {
        let now = datetime!(2026-11-27 10:00 UTC);
        let later = expires_at(now);
        assert!(check_answerable("pending", later, "bob@example.com", "BOB@example.com", now).is_ok());
        assert_eq!(
            check_answerable("pending", later, "bob@example.com", "eve@example.com", now).unwrap_err().code(),
            ErrorCode::YouAreNotTheRecipientOfTheInvitation
        );
        for status in ["accepted", "rejected", "canceled", "weird"] {
            assert_eq!(
                check_answerable(status, later, "bob@example.com", "bob@example.com", now).unwrap_err().code(),
                ErrorCode::InvitationNotFound
            );
        }
        assert_eq!(
            check_answerable("pending", now, "bob@example.com", "bob@example.com", now).unwrap_err().code(),
            ErrorCode::InvitationNotFound
        );
        assert!(is_open("pending", later, now));
        assert!(!is_open("pending", now, now));
        assert!(!is_open("accepted", later, now));
    }
}
