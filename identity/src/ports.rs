//! What identity's use cases need from storage. The SQL adapter in `store`
//! implements it; tests run the service against real databases through it.

use async_trait::async_trait;
use gremlin_kernel::EventEnvelope;
use time::OffsetDateTime;

use crate::model::{Session, User};

/// Why storage refused an operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The e-mail belongs to another user.
    #[error("e-mail already registered")]
    EmailTaken,
    /// Anything else, with its cause.
    #[error(transparent)]
    Backend(#[from] anyhow::Error),
}

/// Users, credentials and sessions.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// Creates the user, its credential account (with `password_hash`), its
    /// first session and records `event`, all in one transaction. Fails with
    /// `EmailTaken` when the e-mail exists.
    async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        session: &Session,
        event: &EventEnvelope,
    ) -> Result<(), StoreError>;

    /// The user with this (lower-cased) e-mail and its credential hash.
    async fn find_user_by_email(&self, email: &str) -> Result<Option<(User, Option<String>)>, StoreError>;

    /// The user's credential hash.
    async fn password_hash(&self, user_id: &str) -> Result<Option<String>, StoreError>;

    /// Replaces the user's credential hash.
    async fn set_password_hash(&self, user_id: &str, hash: &str, now: OffsetDateTime) -> Result<(), StoreError>;

    /// Lifts an expired ban.
    async fn clear_ban(&self, user_id: &str, now: OffsetDateTime) -> Result<(), StoreError>;

    /// Stores a new session.
    async fn create_session(&self, session: &Session) -> Result<(), StoreError>;

    /// The session with this raw token and its user, in one query.
    async fn find_session(&self, token: &str) -> Result<Option<(Session, User)>, StoreError>;

    /// Slides a session's expiry.
    async fn refresh_session(
        &self,
        session_id: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Deletes the session with this token, if it belongs to `user_id`
    /// (any user when `None`); true when one was deleted.
    async fn delete_session(&self, token: &str, user_id: Option<&str>) -> Result<bool, StoreError>;

    /// Deletes all of a user's sessions except the one with `keep_token`.
    async fn delete_user_sessions(&self, user_id: &str, keep_token: Option<&str>) -> Result<u64, StoreError>;

    /// The user's unexpired sessions, newest first.
    async fn list_sessions(&self, user_id: &str, now: OffsetDateTime) -> Result<Vec<Session>, StoreError>;

    /// Changes name and/or image (`Some(None)` clears the image); returns the
    /// updated user.
    async fn update_profile(
        &self,
        user_id: &str,
        name: Option<&str>,
        image: Option<Option<&str>>,
        now: OffsetDateTime,
    ) -> Result<Option<User>, StoreError>;
}
