//! Better Auth's machine codes, as one enum: every `code` identity can
//! answer (its own and those the HTTP layer gives on `/api/auth` paths:
//! `NOT_FOUND`, `TOO_MANY_REQUESTS`, …). Clients generated from the spec get
//! them as an enum, and a code nobody declared cannot be sent.

use std::fmt;

/// A Better Auth error code, written as Better Auth writes it
/// (`INVALID_EMAIL_OR_PASSWORD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, poem_openapi::Enum)]
#[oai(rename = "AuthErrorCode", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// `BANNED_USER`.
    BannedUser,
    /// `CANNOT_DELETE_A_PRE_DEFINED_ROLE`.
    CannotDeleteAPreDefinedRole,
    /// `CREDENTIAL_ACCOUNT_NOT_FOUND`.
    CredentialAccountNotFound,
    /// `EMAIL_ALREADY_VERIFIED`.
    EmailAlreadyVerified,
    /// `EMAIL_MISMATCH`.
    EmailMismatch,
    /// `EMAIL_NOT_VERIFIED`.
    EmailNotVerified,
    /// `EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION`.
    EmailVerificationRequiredForInvitation,
    /// `FAILED_TO_GET_USER_INFO`.
    FailedToGetUserInfo,
    /// `INTERNAL_SERVER_ERROR`.
    InternalServerError,
    /// `INVALID_BACKUP_CODE`.
    InvalidBackupCode,
    /// `INVALID_CODE`.
    InvalidCode,
    /// `INVALID_EMAIL_OR_PASSWORD`.
    InvalidEmailOrPassword,
    /// `INVALID_ORIGIN`.
    InvalidOrigin,
    /// `INVALID_PASSWORD`.
    InvalidPassword,
    /// `INVALID_RESOURCE`.
    InvalidResource,
    /// `INVALID_TOKEN`.
    InvalidToken,
    /// `INVALID_TWO_FACTOR_COOKIE`.
    InvalidTwoFactorCookie,
    /// `INVITATION_NOT_FOUND`.
    InvitationNotFound,
    /// `KEY_NOT_FOUND`.
    KeyNotFound,
    /// `MEMBER_NOT_FOUND`.
    MemberNotFound,
    /// `METHOD_NOT_ALLOWED`.
    MethodNotAllowed,
    /// `MISSING_OR_NULL_ORIGIN`.
    MissingOrNullOrigin,
    /// `NOT_FOUND`.
    NotFound,
    /// `NO_ACTIVE_ORGANIZATION`.
    NoActiveOrganization,
    /// `ORGANIZATION_ALREADY_EXISTS`.
    OrganizationAlreadyExists,
    /// `ORGANIZATION_NOT_FOUND`.
    OrganizationNotFound,
    /// `PASSWORD_TOO_LONG`.
    PasswordTooLong,
    /// `PASSWORD_TOO_SHORT`.
    PasswordTooShort,
    /// `PAYLOAD_TOO_LARGE`.
    PayloadTooLarge,
    /// `ROLE_IS_ASSIGNED_TO_MEMBERS`.
    RoleIsAssignedToMembers,
    /// `ROLE_NAME_IS_ALREADY_TAKEN`.
    RoleNameIsAlreadyTaken,
    /// `ROLE_NOT_FOUND`.
    RoleNotFound,
    /// `SERVICE_UNAVAILABLE`.
    ServiceUnavailable,
    /// `SESSION_EXPIRED`.
    SessionExpired,
    /// `SLUG_IS_TAKEN`.
    SlugIsTaken,
    /// `TOKEN_EXPIRED`.
    TokenExpired,
    /// `TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE`.
    TooManyAttemptsRequestNewCode,
    /// `TOO_MANY_REQUESTS`.
    TooManyRequests,
    /// `TOO_MANY_ROLES`.
    TooManyRoles,
    /// `TOTP_NOT_ENABLED`.
    TotpNotEnabled,
    /// `TWO_FACTOR_NOT_ENABLED`.
    TwoFactorNotEnabled,
    /// `UNAUTHORIZED`.
    Unauthorized,
    /// `USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL`.
    UserAlreadyExistsUseAnotherEmail,
    /// `USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION`.
    UserIsAlreadyAMemberOfThisOrganization,
    /// `USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION`.
    UserIsAlreadyInvitedToThisOrganization,
    /// `USER_NOT_FOUND`.
    UserNotFound,
    /// `VALIDATION_ERROR`.
    ValidationError,
    /// `YOU_ARE_NOT_ALLOWED_TO_BAN_USERS`.
    YouAreNotAllowedToBanUsers,
    /// `YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION`.
    YouAreNotAllowedToCancelThisInvitation,
    /// `YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE`.
    YouAreNotAllowedToChangeUsersRole,
    /// `YOU_ARE_NOT_ALLOWED_TO_CREATE_A_ROLE`.
    YouAreNotAllowedToCreateARole,
    /// `YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS`.
    YouAreNotAllowedToCreateUsers,
    /// `YOU_ARE_NOT_ALLOWED_TO_DELETE_A_ROLE`.
    YouAreNotAllowedToDeleteARole,
    /// `YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER`.
    YouAreNotAllowedToDeleteThisMember,
    /// `YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION`.
    YouAreNotAllowedToDeleteThisOrganization,
    /// `YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS`.
    YouAreNotAllowedToDeleteUsers,
    /// `YOU_ARE_NOT_ALLOWED_TO_GET_USER`.
    YouAreNotAllowedToGetUser,
    /// `YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS`.
    YouAreNotAllowedToImpersonateUsers,
    /// `YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION`.
    YouAreNotAllowedToInviteUsersToThisOrganization,
    /// `YOU_ARE_NOT_ALLOWED_TO_LIST_A_ROLE`.
    YouAreNotAllowedToListARole,
    /// `YOU_ARE_NOT_ALLOWED_TO_LIST_SESSION_LOGS`.
    YouAreNotAllowedToListSessionLogs,
    /// `YOU_ARE_NOT_ALLOWED_TO_LIST_USERS`.
    YouAreNotAllowedToListUsers,
    /// `YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS`.
    YouAreNotAllowedToListUsersSessions,
    /// `YOU_ARE_NOT_ALLOWED_TO_READ_A_ROLE`.
    YouAreNotAllowedToReadARole,
    /// `YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS`.
    YouAreNotAllowedToRevokeUsersSessions,
    /// `YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD`.
    YouAreNotAllowedToSetUsersPassword,
    /// `YOU_ARE_NOT_ALLOWED_TO_UPDATE_A_ROLE`.
    YouAreNotAllowedToUpdateARole,
    /// `YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER`.
    YouAreNotAllowedToUpdateThisMember,
    /// `YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION`.
    YouAreNotAllowedToUpdateThisOrganization,
    /// `YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS`.
    YouAreNotAllowedToUpdateUsers,
    /// `YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION`.
    YouAreNotAMemberOfThisOrganization,
    /// `YOU_ARE_NOT_IMPERSONATING`.
    YouAreNotImpersonating,
    /// `YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION`.
    YouAreNotTheRecipientOfTheInvitation,
    /// `YOU_CANNOT_BAN_YOURSELF`.
    YouCannotBanYourself,
    /// `YOU_CANNOT_IMPERSONATE_ADMINS`.
    YouCannotImpersonateAdmins,
    /// `YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER`.
    YouCannotLeaveTheOrganizationAsTheOnlyOwner,
    /// `YOU_CANNOT_REMOVE_YOURSELF`.
    YouCannotRemoveYourself,
}

/// Every code with its text.
const ALL: &[(ErrorCode, &str)] = &[
    (ErrorCode::BannedUser, "BANNED_USER"),
    (ErrorCode::CannotDeleteAPreDefinedRole, "CANNOT_DELETE_A_PRE_DEFINED_ROLE"),
    (ErrorCode::CredentialAccountNotFound, "CREDENTIAL_ACCOUNT_NOT_FOUND"),
    (ErrorCode::EmailAlreadyVerified, "EMAIL_ALREADY_VERIFIED"),
    (ErrorCode::EmailMismatch, "EMAIL_MISMATCH"),
    (ErrorCode::EmailNotVerified, "EMAIL_NOT_VERIFIED"),
    (ErrorCode::EmailVerificationRequiredForInvitation, "EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION"),
    (ErrorCode::FailedToGetUserInfo, "FAILED_TO_GET_USER_INFO"),
    (ErrorCode::InternalServerError, "INTERNAL_SERVER_ERROR"),
    (ErrorCode::InvalidBackupCode, "INVALID_BACKUP_CODE"),
    (ErrorCode::InvalidCode, "INVALID_CODE"),
    (ErrorCode::InvalidEmailOrPassword, "INVALID_EMAIL_OR_PASSWORD"),
    (ErrorCode::InvalidOrigin, "INVALID_ORIGIN"),
    (ErrorCode::InvalidPassword, "INVALID_PASSWORD"),
    (ErrorCode::InvalidResource, "INVALID_RESOURCE"),
    (ErrorCode::InvalidToken, "INVALID_TOKEN"),
    (ErrorCode::InvalidTwoFactorCookie, "INVALID_TWO_FACTOR_COOKIE"),
    (ErrorCode::InvitationNotFound, "INVITATION_NOT_FOUND"),
    (ErrorCode::KeyNotFound, "KEY_NOT_FOUND"),
    (ErrorCode::MemberNotFound, "MEMBER_NOT_FOUND"),
    (ErrorCode::MethodNotAllowed, "METHOD_NOT_ALLOWED"),
    (ErrorCode::MissingOrNullOrigin, "MISSING_OR_NULL_ORIGIN"),
    (ErrorCode::NotFound, "NOT_FOUND"),
    (ErrorCode::NoActiveOrganization, "NO_ACTIVE_ORGANIZATION"),
    (ErrorCode::OrganizationAlreadyExists, "ORGANIZATION_ALREADY_EXISTS"),
    (ErrorCode::OrganizationNotFound, "ORGANIZATION_NOT_FOUND"),
    (ErrorCode::PasswordTooLong, "PASSWORD_TOO_LONG"),
    (ErrorCode::PasswordTooShort, "PASSWORD_TOO_SHORT"),
    (ErrorCode::PayloadTooLarge, "PAYLOAD_TOO_LARGE"),
    (ErrorCode::RoleIsAssignedToMembers, "ROLE_IS_ASSIGNED_TO_MEMBERS"),
    (ErrorCode::RoleNameIsAlreadyTaken, "ROLE_NAME_IS_ALREADY_TAKEN"),
    (ErrorCode::RoleNotFound, "ROLE_NOT_FOUND"),
    (ErrorCode::ServiceUnavailable, "SERVICE_UNAVAILABLE"),
    (ErrorCode::SessionExpired, "SESSION_EXPIRED"),
    (ErrorCode::SlugIsTaken, "SLUG_IS_TAKEN"),
    (ErrorCode::TokenExpired, "TOKEN_EXPIRED"),
    (ErrorCode::TooManyAttemptsRequestNewCode, "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE"),
    (ErrorCode::TooManyRequests, "TOO_MANY_REQUESTS"),
    (ErrorCode::TooManyRoles, "TOO_MANY_ROLES"),
    (ErrorCode::TotpNotEnabled, "TOTP_NOT_ENABLED"),
    (ErrorCode::TwoFactorNotEnabled, "TWO_FACTOR_NOT_ENABLED"),
    (ErrorCode::Unauthorized, "UNAUTHORIZED"),
    (ErrorCode::UserAlreadyExistsUseAnotherEmail, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"),
    (ErrorCode::UserIsAlreadyAMemberOfThisOrganization, "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION"),
    (ErrorCode::UserIsAlreadyInvitedToThisOrganization, "USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION"),
    (ErrorCode::UserNotFound, "USER_NOT_FOUND"),
    (ErrorCode::ValidationError, "VALIDATION_ERROR"),
    (ErrorCode::YouAreNotAllowedToBanUsers, "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS"),
    (ErrorCode::YouAreNotAllowedToCancelThisInvitation, "YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION"),
    (ErrorCode::YouAreNotAllowedToChangeUsersRole, "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE"),
    (ErrorCode::YouAreNotAllowedToCreateARole, "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_ROLE"),
    (ErrorCode::YouAreNotAllowedToCreateUsers, "YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS"),
    (ErrorCode::YouAreNotAllowedToDeleteARole, "YOU_ARE_NOT_ALLOWED_TO_DELETE_A_ROLE"),
    (ErrorCode::YouAreNotAllowedToDeleteThisMember, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER"),
    (ErrorCode::YouAreNotAllowedToDeleteThisOrganization, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION"),
    (ErrorCode::YouAreNotAllowedToDeleteUsers, "YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS"),
    (ErrorCode::YouAreNotAllowedToGetUser, "YOU_ARE_NOT_ALLOWED_TO_GET_USER"),
    (ErrorCode::YouAreNotAllowedToImpersonateUsers, "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS"),
    (ErrorCode::YouAreNotAllowedToListARole, "YOU_ARE_NOT_ALLOWED_TO_LIST_A_ROLE"),
    (ErrorCode::YouAreNotAllowedToListSessionLogs, "YOU_ARE_NOT_ALLOWED_TO_LIST_SESSION_LOGS"),
    (ErrorCode::YouAreNotAllowedToListUsers, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS"),
    (ErrorCode::YouAreNotAllowedToListUsersSessions, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS"),
    (ErrorCode::YouAreNotAllowedToReadARole, "YOU_ARE_NOT_ALLOWED_TO_READ_A_ROLE"),
    (ErrorCode::YouAreNotAllowedToRevokeUsersSessions, "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS"),
    (ErrorCode::YouAreNotAllowedToSetUsersPassword, "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD"),
    (ErrorCode::YouAreNotAllowedToUpdateARole, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_A_ROLE"),
    (ErrorCode::YouAreNotAllowedToUpdateThisMember, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER"),
    (ErrorCode::YouAreNotAllowedToUpdateThisOrganization, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION"),
    (ErrorCode::YouAreNotAllowedToUpdateUsers, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS"),
    (ErrorCode::YouAreNotAMemberOfThisOrganization, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"),
    (ErrorCode::YouAreNotImpersonating, "YOU_ARE_NOT_IMPERSONATING"),
    (ErrorCode::YouAreNotTheRecipientOfTheInvitation, "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION"),
    (ErrorCode::YouCannotBanYourself, "YOU_CANNOT_BAN_YOURSELF"),
    (ErrorCode::YouCannotImpersonateAdmins, "YOU_CANNOT_IMPERSONATE_ADMINS"),
    (ErrorCode::YouCannotLeaveTheOrganizationAsTheOnlyOwner, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER"),
    (ErrorCode::YouCannotRemoveYourself, "YOU_CANNOT_REMOVE_YOURSELF"),
];

impl ErrorCode {
    /// The code as Better Auth writes it.
    pub fn as_str(self) -> &'static str {
        ALL.iter().find(|(code, _)| *code == self).map_or("INTERNAL_SERVER_ERROR", |(_, text)| *text)
    }

    /// The code written `text`, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        ALL.iter().find(|(_, t)| *t == text).map(|(code, _)| *code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ToJSON;

    use super::*;

    #[test]
    fn each_code_is_written_the_same_in_the_spec_and_in_answers() {
        for (code, text) in ALL {
            assert_eq!(code.to_json(), Some(serde_json::Value::String((*text).to_owned())), "{text}");
            assert_eq!(ErrorCode::parse(text), Some(*code));
            assert_eq!(code.as_str(), *text);
        }
        assert_eq!(ErrorCode::parse("NOT_A_CODE"), None);
    }
}
