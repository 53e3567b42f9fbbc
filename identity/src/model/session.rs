//! Session lifetimes: Better Auth's 7-day sessions, slid forward at most
//! daily, and 1-day non-sliding sessions for `rememberMe: false`.

use std::time::Duration;

use time::OffsetDateTime;

/// Lifetimes in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Lifetime of a remembered session.
    pub ttl: Duration,
    /// Minimum time between two slides of a session's expiry.
    pub update_age: Duration,
}

/// What to do with a session presented at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionTiming {
    /// Past its expiry: delete it and treat the caller as signed out.
    Expired,
    /// Valid, and due to be slid forward to this new expiry.
    Refresh(OffsetDateTime),
    /// Valid as it is.
    Valid,
}

fn span(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::MAX)
}

impl SessionPolicy {
    /// Better Auth's defaults: 7 days, refreshed at most once a day.
    pub const BETTER_AUTH: Self =
        Self { ttl: Duration::from_secs(7 * 86_400), update_age: Duration::from_secs(86_400) };

    /// Expiry of a session created at `now`; one day when not remembered.
    pub fn expires_at(&self, now: OffsetDateTime, remember_me: bool) -> OffsetDateTime {
        if remember_me { now + span(self.ttl) } else { now + span(self.update_age) }
    }

    /// Whether a session was created with `rememberMe` (the default). Derived
    /// from the row itself — a remembered session always spans more than
    /// `update_age` — so bearer clients, which send no `dont_remember`
    /// cookie, cannot stretch a one-day session into a week.
    pub fn is_remembered(&self, created_at: OffsetDateTime, expires_at: OffsetDateTime) -> bool {
        expires_at - created_at > span(self.update_age)
    }

    /// Whether a session expiring at `expires_at` is expired, due for a
    /// slide (at least `update_age` since it was last set), or fine.
    /// Sessions not remembered are never slid.
    pub fn timing(&self, expires_at: OffsetDateTime, remember_me: bool, now: OffsetDateTime) -> SessionTiming {
        if expires_at <= now {
            return SessionTiming::Expired;
        }
        if remember_me && expires_at - span(self.ttl) + span(self.update_age) <= now {
            return SessionTiming::Refresh(now + span(self.ttl));
        }
        SessionTiming::Valid
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const P: SessionPolicy = SessionPolicy::BETTER_AUTH;

    #[test]
    fn remembered_sessions_last_seven_days_others_one() {
        let now = datetime!(2026-11-27 12:00 UTC);
        assert_eq!(P.expires_at(now, true), datetime!(2026-12-04 12:00 UTC));
        assert_eq!(P.expires_at(now, false), datetime!(2026-11-28 12:00 UTC));
    }

    #[test]
    fn sessions_slide_at_most_daily_and_expire() {
        let created = datetime!(2026-11-27 12:00 UTC);
        let expires = P.expires_at(created, true);
        assert_eq!(P.timing(expires, true, created + time::Duration::hours(23)), SessionTiming::Valid);
        let a_day_later = created + time::Duration::days(1);
        assert_eq!(P.timing(expires, true, a_day_later), SessionTiming::Refresh(a_day_later + time::Duration::days(7)));
        assert_eq!(P.timing(expires, true, expires), SessionTiming::Expired);
        assert_eq!(P.timing(expires, true, expires + time::Duration::seconds(1)), SessionTiming::Expired);
    }

    #[test]
    fn remembering_is_read_from_the_row() {
        let created = datetime!(2026-11-27 12:00 UTC);
        assert!(P.is_remembered(created, P.expires_at(created, true)));
        assert!(!P.is_remembered(created, P.expires_at(created, false)));
        let slid = P.expires_at(created + time::Duration::days(3), true);
        assert!(P.is_remembered(created, slid));
    }

    #[test]
    fn unremembered_sessions_never_slide() {
        let created = datetime!(2026-11-27 12:00 UTC);
        let expires = P.expires_at(created, false);
        assert_eq!(P.timing(expires, false, created + time::Duration::hours(23)), SessionTiming::Valid);
        assert_eq!(P.timing(expires, false, expires), SessionTiming::Expired);
    }
}
