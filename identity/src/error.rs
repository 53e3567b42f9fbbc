//! Identity's errors, with Better Auth's machine codes (`INVALID_EMAIL_OR_PASSWORD`,
//! …) so its clients branch on them as before; the HTTP edge renders them as
//! problem+json that also carries Better Auth's `code` and `message` fields.

mod code;

pub use code::ErrorCode;

/// Why an identity use case failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Sign-up with an e-mail that is taken (422).
    #[error("User already exists. Use another email.")]
    UserAlreadyExists,
    /// Wrong password or unknown e-mail, deliberately indistinguishable (401).
    #[error("Invalid email or password")]
    InvalidEmailOrPassword,
    /// The current password given to change-password is wrong (400).
    #[error("Invalid password")]
    InvalidPassword,
    /// Fewer than 8 characters (400).
    #[error("Password too short")]
    PasswordTooShort,
    /// More than 128 characters (400).
    #[error("Password too long")]
    PasswordTooLong,
    /// A field is missing or malformed (400).
    #[error("[body.{field}] {message}")]
    Validation {
        /// The offending field.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// No valid session or token (401).
    #[error("Unauthorized")]
    Unauthorized,
    /// A cookie-authenticated mutation without `Origin`/`Referer` (403).
    #[error("Missing or null Origin")]
    MissingOrNullOrigin,
    /// A cookie-authenticated mutation from an untrusted origin (403).
    #[error("Invalid origin")]
    InvalidOrigin,
    /// The user is banned (403).
    #[error("You have been banned from this application. Please contact support if you believe this is an error.")]
    BannedUser,
    /// The slug belongs to another organization (400).
    #[error("Organization already exists")]
    OrganizationAlreadyExists,
    /// check-slug: the slug is in use (400).
    #[error("Slug is taken")]
    SlugIsTaken,
    /// No such organization (400, as Better Auth answers).
    #[error("Organization not found")]
    OrganizationNotFound,
    /// No organization given and none active on the session (400).
    #[error("No active organization")]
    NoActiveOrganization,
    /// The caller is not a member of the organization (403).
    #[error("You are not a member of this organization")]
    NotAMember,
    /// No such member in the organization (400).
    #[error("Member not found")]
    MemberNotFound,
    /// The change would leave the organization without an owner (400).
    #[error("You cannot leave the organization as the only owner")]
    LastOwner,
    /// No pending, unexpired invitation with this id (400).
    #[error("Invitation not found")]
    InvitationNotFound,
    /// The invitation is addressed to someone else (403).
    #[error("You are not the recipient of the invitation")]
    NotRecipient,
    /// The invitee is already a member (400).
    #[error("User is already a member of this organization")]
    AlreadyMember,
    /// An open invitation exists; pass `resend` to send it again (400).
    #[error("User is already invited to this organization")]
    AlreadyInvited,
    /// No such user (404).
    #[error("User not found")]
    UserNotFound,
    /// A password-reset token that is unknown, used or expired (400).
    #[error("Invalid token")]
    InvalidToken,
    /// An e-mail verification link that is not ours or altered (401, code
    /// `INVALID_TOKEN`), or expired (401, code `TOKEN_EXPIRED`).
    #[error("{}", if *expired { "Token expired" } else { "Invalid token" })]
    InvalidVerificationToken {
        /// It was ours but its time is up.
        expired: bool,
    },
    /// Sign-in before the address is verified, when that is required (403);
    /// a fresh verification mail is on its way.
    #[error("Email not verified")]
    EmailNotVerified,
    /// Listing one's invitations before the address is verified (403).
    #[error("Email verification required to view or list invitations for the session email")]
    EmailVerificationRequired,
    /// A verification mail asked for an address already verified (400).
    #[error("Email is already verified")]
    EmailAlreadyVerified,
    /// A signed-in user asked to verify another address than theirs (400).
    #[error("You can only send a verification email to your own email")]
    EmailMismatch,
    /// A rule of Better Auth's with its own code and status: an admin may
    /// not ban, remove or impersonate in these ways (400/403); a deletion
    /// needs a fresh session (400 `SESSION_EXPIRED`); …
    #[error("{message}")]
    Rule {
        /// Better Auth's code (`YOU_CANNOT_BAN_YOURSELF`, …).
        code: ErrorCode,
        /// Human message.
        message: &'static str,
        /// HTTP status.
        status: u16,
    },
    /// The caller's role does not allow this (403, with Better Auth's code).
    #[error("You are not allowed to do this")]
    Forbidden {
        /// Better Auth's code, such as `YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER`.
        code: ErrorCode,
    },
    /// A bounded resource (password hashing, database connections) is at
    /// capacity; retry after the given seconds (503 with `Retry-After`).
    #[error("The server is busy; retry in {retry_after_secs} s")]
    Busy {
        /// Seconds to wait before retrying.
        retry_after_secs: u64,
    },
    /// Anything unexpected (500); the cause is logged, never sent.
    #[error("internal error: {0:#}")]
    Backend(anyhow::Error),
}

impl From<anyhow::Error> for AuthError {
    /// An infrastructure failure: a database pool that stayed exhausted for
    /// `database.acquire_timeout_secs` is [`AuthError::Busy`], anything else
    /// [`AuthError::Backend`].
    fn from(cause: anyhow::Error) -> Self {
        match gremlin_kernel::overload::retry_after(&cause) {
            Some(retry_after_secs) => {
                gremlin_kernel::overload::record_pool_timeout(&cause);
                Self::Busy { retry_after_secs }
            }
            None => Self::Backend(cause),
        }
    }
}

impl From<crate::crypto::hashing::HashError> for AuthError {
    fn from(e: crate::crypto::hashing::HashError) -> Self {
        match e {
            crate::crypto::hashing::HashError::Busy { retry_after_secs } => Self::Busy { retry_after_secs },
            crate::crypto::hashing::HashError::Failed(cause) => Self::Backend(cause),
        }
    }
}

impl AuthError {
    /// A validation error for one field.
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::Validation { field: field.to_owned(), message: message.into() }
    }

    /// A rule's refusal with Better Auth's `code`, `message` and HTTP `status`.
    pub fn rule(code: ErrorCode, message: &'static str, status: u16) -> Self {
        Self::Rule { code, message, status }
    }

    /// Better Auth's machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::UserAlreadyExists => ErrorCode::UserAlreadyExistsUseAnotherEmail,
            Self::InvalidEmailOrPassword => ErrorCode::InvalidEmailOrPassword,
            Self::InvalidPassword => ErrorCode::InvalidPassword,
            Self::PasswordTooShort => ErrorCode::PasswordTooShort,
            Self::PasswordTooLong => ErrorCode::PasswordTooLong,
            Self::Validation { .. } => ErrorCode::ValidationError,
            Self::Unauthorized => ErrorCode::Unauthorized,
            Self::MissingOrNullOrigin => ErrorCode::MissingOrNullOrigin,
            Self::InvalidOrigin => ErrorCode::InvalidOrigin,
            Self::BannedUser => ErrorCode::BannedUser,
            Self::OrganizationAlreadyExists => ErrorCode::OrganizationAlreadyExists,
            Self::OrganizationNotFound => ErrorCode::OrganizationNotFound,
            Self::SlugIsTaken => ErrorCode::SlugIsTaken,
            Self::NoActiveOrganization => ErrorCode::NoActiveOrganization,
            Self::NotAMember => ErrorCode::YouAreNotAMemberOfThisOrganization,
            Self::MemberNotFound => ErrorCode::MemberNotFound,
            Self::LastOwner => ErrorCode::YouCannotLeaveTheOrganizationAsTheOnlyOwner,
            Self::Forbidden { code } => *code,
            Self::UserNotFound => ErrorCode::UserNotFound,
            Self::InvalidToken | Self::InvalidVerificationToken { expired: false } => ErrorCode::InvalidToken,
            Self::InvalidVerificationToken { expired: true } => ErrorCode::TokenExpired,
            Self::EmailNotVerified => ErrorCode::EmailNotVerified,
            Self::EmailVerificationRequired => ErrorCode::EmailVerificationRequiredForInvitation,
            Self::EmailAlreadyVerified => ErrorCode::EmailAlreadyVerified,
            Self::EmailMismatch => ErrorCode::EmailMismatch,
            Self::Rule { code, .. } => *code,
            Self::InvitationNotFound => ErrorCode::InvitationNotFound,
            Self::NotRecipient => ErrorCode::YouAreNotTheRecipientOfTheInvitation,
            Self::AlreadyMember => ErrorCode::UserIsAlreadyAMemberOfThisOrganization,
            Self::AlreadyInvited => ErrorCode::UserIsAlreadyInvitedToThisOrganization,
            Self::Busy { .. } => ErrorCode::ServiceUnavailable,
            Self::Backend(_) => ErrorCode::InternalServerError,
        }
    }

    /// The HTTP status Better Auth answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::UserAlreadyExists => 422,
            Self::InvalidEmailOrPassword | Self::Unauthorized | Self::InvalidVerificationToken { .. } => 401,
            Self::InvalidPassword
            | Self::PasswordTooShort
            | Self::PasswordTooLong
            | Self::Validation { .. }
            | Self::OrganizationAlreadyExists
            | Self::OrganizationNotFound
            | Self::SlugIsTaken
            | Self::NoActiveOrganization
            | Self::MemberNotFound
            | Self::LastOwner
            | Self::InvitationNotFound
            | Self::AlreadyMember
            | Self::AlreadyInvited
            | Self::InvalidToken
            | Self::EmailAlreadyVerified
            | Self::EmailMismatch => 400,
            Self::MissingOrNullOrigin
            | Self::InvalidOrigin
            | Self::BannedUser
            | Self::NotAMember
            | Self::NotRecipient
            | Self::EmailNotVerified
            | Self::EmailVerificationRequired
            | Self::Forbidden { .. } => 403,
            Self::UserNotFound => 404,
            Self::Rule { status, .. } => *status,
            Self::Busy { .. } => 503,
            Self::Backend(_) => 500,
        }
    }

    /// The message for the client: never an internal cause.
    pub fn client_message(&self) -> String {
        match self {
            Self::Backend(_) => "an unexpected error occurred; it has been logged".to_owned(),
            other => other.to_string(),
        }
    }
}
