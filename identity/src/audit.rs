//! Session logs: every sign-in (with its outcome), sign-out, revocation,
//! ban, impersonation and role change, written to the `session_logs`
//! collection of the `DocumentStore` with a retention period. Writing a log
//! never fails the action it records: a failure is itself logged.

use std::sync::Arc;
use std::time::Duration;

use gremlin_kernel::{DocumentStore, LogEntry};
use time::OffsetDateTime;

/// The collection session logs live in.
pub const SESSION_LOGS: &str = "session_logs";

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// A sign-in attempt (see `outcome`).
    SignIn,
    /// A sign-up (which signs in).
    SignUp,
    /// A sign-out.
    SignOut,
    /// Sessions revoked.
    SessionRevoked,
    /// A ban.
    Ban,
    /// A ban lifted.
    Unban,
    /// Impersonation began.
    ImpersonationStart,
    /// Impersonation ended.
    ImpersonationStop,
    /// A platform or organization role changed.
    RoleChange,
    /// A password reset through a mailed link.
    PasswordReset,
    /// An e-mail address verified through a mailed link.
    EmailVerified,
    /// A user's e-mail address changed.
    EmailChanged,
    /// A user deleted their own account.
    UserDeleted,
    /// An organization API key was created.
    ApiKeyCreated,
    /// An organization API key was changed (renamed, disabled, …).
    ApiKeyUpdated,
    /// An organization API key was deleted.
    ApiKeyDeleted,
    /// An organization API key was used (recorded at most once a minute per key).
    ApiKeyUsed,
    /// A user turned two-factor sign-in on (their first code verified).
    TwoFactorEnabled,
    /// A user turned two-factor sign-in off.
    TwoFactorDisabled,
    /// A second factor given (see `outcome`; `reason` says which check failed).
    SecondFactor,
    /// A user replaced their backup codes.
    BackupCodesGenerated,
}

impl LogKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::SignUp => "sign_up",
            Self::SignOut => "sign_out",
            Self::SessionRevoked => "session_revoked",
            Self::Ban => "ban",
            Self::Unban => "unban",
            Self::ImpersonationStart => "impersonation_start",
            Self::ImpersonationStop => "impersonation_stop",
            Self::RoleChange => "role_change",
            Self::PasswordReset => "password_reset",
            Self::EmailVerified => "email_verified",
            Self::EmailChanged => "email_changed",
            Self::UserDeleted => "user_deleted",
            Self::ApiKeyCreated => "api_key_created",
            Self::ApiKeyUpdated => "api_key_updated",
            Self::ApiKeyDeleted => "api_key_deleted",
            Self::ApiKeyUsed => "api_key_used",
            Self::TwoFactorEnabled => "two_factor_enabled",
            Self::TwoFactorDisabled => "two_factor_disabled",
            Self::SecondFactor => "second_factor",
            Self::BackupCodesGenerated => "backup_codes_generated",
        }
    }
}

/// One log record.
#[derive(Debug, Clone, Default)]
pub struct LogRecord {
    /// The user concerned.
    pub user_id: Option<String>,
    /// The e-mail given (failed sign-ins of unknown users have no id).
    pub email: Option<String>,
    /// The organization concerned.
    pub organization_id: Option<String>,
    /// Client IP.
    pub ip: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// `success` or `failure`.
    pub outcome: Option<&'static str>,
    /// Why it failed, or other detail.
    pub reason: Option<String>,
    /// Who did it, when not the user (an admin).
    pub actor_id: Option<String>,
    /// The admin impersonating the user, if any.
    pub impersonator_id: Option<String>,
}

/// Writes session logs.
#[derive(Clone)]
pub struct SessionLog {
    store: Arc<dyn DocumentStore>,
    retention: Duration,
}

impl SessionLog {
    /// A log writing to `store`, keeping entries for `retention`.
    pub fn new(store: Arc<dyn DocumentStore>, retention: Duration) -> Self {
        Self { store, retention }
    }

    /// The store the log is read back from.
    pub fn store(&self) -> &Arc<dyn DocumentStore> {
        &self.store
    }

    /// Records `kind` with `record`'s details.
    pub async fn record(&self, kind: LogKind, record: LogRecord) {
        let body = serde_json::json!({
            "kind": kind.as_str(),
            "user_id": record.user_id,
            "email": record.email,
            "organization_id": record.organization_id,
            "ip": record.ip,
            "user_agent": record.user_agent,
            "outcome": record.outcome.unwrap_or("success"),
            "reason": record.reason,
            "actor_id": record.actor_id,
            "impersonator_id": record.impersonator_id,
        });
        let entry = LogEntry { time: OffsetDateTime::now_utc(), body };
        if let Err(e) = self.store.append_log(SESSION_LOGS, entry, self.retention).await {
            tracing::warn!(kind = kind.as_str(), error = %e, "could not write a session log entry");
        }
    }
}
