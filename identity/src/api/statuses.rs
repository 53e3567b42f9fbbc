//! Which error statuses each identity operation can answer. Every endpoint
//! shares [`AuthProblemResponse`](super::AuthProblemResponse), whose
//! documentation lists all of them; a client generated from that would
//! expect a 404 from sign-up. Where each status comes from:
//!
//! | status | only when the operation … |
//! |---|---|
//! | 401 | needs a session, is sign-in (wrong e-mail or password) or opens an e-mail verification link; the two-factor checks (wrong code, spent sign-in) |
//! | 403 | is a POST (cookie origin check, banned user, unverified e-mail, roles) or reads an organization or admin resource |
//! | 404 | is an admin operation on one user, opens a verification link (`USER_NOT_FOUND`), or deletes an account (off, or a spent link) |
//! | 415 | takes a request body |
//! | 422 | may create a user or change an e-mail (`USER_ALREADY_EXISTS`) |
//!
//! 400, 429, 500 and 503 stay everywhere: validation, the rate limiter and
//! the server's own state reach every operation. Better Auth answers the
//! remaining errors of its plugins with 400 (`ORGANIZATION_NOT_FOUND`,
//! `MEMBER_NOT_FOUND`, …), and so does identity.

use std::collections::HashMap;

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem_openapi::OpenApi;
use poem_openapi::registry::{MetaApi, MetaOperation, Registry};

use super::admin::AdminApi;
use super::{AccountApi, AccountDeletionApi, ApiKeyApi, IdentityApi, OrganizationApi, RoleApi, TwoFactorApi};

const AUTH: &str = "/api/auth";

/// Admin operations that do not name one existing user.
const ADMIN_WITHOUT_USER: [&str; 4] =
    ["/admin/list-users", "/admin/create-user", "/admin/stop-impersonating", "/admin/session-logs"];

/// Operations that are 404 while off, or whose link may name nothing.
const MAY_MISS: [&str; 6] =
    ["/verify-email", "/delete-user", "/delete-user/callback", "/api-key/get", "/api-key/update", "/api-key/delete"];

/// Operations that write a user's e-mail and so may meet a taken one.
const WRITES_EMAIL: [&str; 5] =
    ["/sign-up/email", "/admin/create-user", "/admin/update-user", "/change-email", "/verify-email"];

/// Removes from `operation` (at `path`, relative to `/api/auth`) the error
/// responses it cannot give (see the module table).
pub fn prune_auth_responses(path: &str, operation: &mut MetaOperation) {
    let secured = !operation.security.is_empty();
    let post = operation.method == Method::POST;
    let admin = path.starts_with("/admin/");
    let guarded_read = admin || path.starts_with("/organization/") || path.starts_with("/api-key/");
    let body = operation.request.is_some();
    let possible = |status: u16| match status {
        401 => secured || path == "/sign-in/email" || path == "/verify-email",
        403 => post || guarded_read,
        404 => (admin && !ADMIN_WITHOUT_USER.contains(&path)) || MAY_MISS.contains(&path),
        415 => body,
        422 => WRITES_EMAIL.contains(&path),
        412 | 428 => false,
        _ => true,
    };
    operation.responses.responses.retain(|r| r.status.is_none_or(possible));
}

/// Identity's APIs, documented with only the error statuses each
/// operation can give.
pub struct AuthApis {
    /// Sign-up, sign-in, sessions, JWTs.
    pub identity: IdentityApi,
    /// Password reset, verification, account changes.
    pub account: AccountApi,
    /// Deleting one's account.
    pub deletion: AccountDeletionApi,
    /// Two-factor sign-in.
    pub two_factor: TwoFactorApi,
    /// Organizations, members, invitations.
    pub organizations: OrganizationApi,
    /// An organization's own roles.
    pub roles: RoleApi,
    /// Organization API keys.
    pub api_keys: ApiKeyApi,
    /// Platform administration.
    pub admin: AdminApi,
}

impl OpenApi for AuthApis {
    fn meta() -> Vec<MetaApi> {
        let mut apis = <(
            IdentityApi,
            AccountApi,
            AccountDeletionApi,
            TwoFactorApi,
            OrganizationApi,
            RoleApi,
            ApiKeyApi,
            AdminApi,
        )>::meta();
        for path in apis.iter_mut().flat_map(|a| &mut a.paths) {
            let relative = path.path.strip_prefix(AUTH).unwrap_or(&path.path).to_owned();
            for operation in &mut path.operations {
                prune_auth_responses(&relative, operation);
            }
        }
        apis
    }

    fn register(registry: &mut Registry) {
        <(IdentityApi, AccountApi, AccountDeletionApi, TwoFactorApi, OrganizationApi, RoleApi, ApiKeyApi, AdminApi)>::register(
            registry,
        );
    }

    fn add_routes(self, route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        let apis = (
            self.identity,
            self.account,
            self.deletion,
            self.two_factor,
            self.organizations,
            self.roles,
            self.api_keys,
            self.admin,
        );
        apis.add_routes(route_table);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses(path: &str) -> Vec<u16> {
        let apis = AuthApis::meta();
        let (method, operation) = apis
            .iter()
            .flat_map(|a| &a.paths)
            .filter(|p| p.path == format!("{AUTH}{path}"))
            .flat_map(|p| &p.operations)
            .map(|o| (o.method.clone(), o))
            .next()
            .unwrap_or_else(|| panic!("no operation at {path}"));
        assert!(method == Method::GET || method == Method::POST);
        operation.responses.responses.iter().filter_map(|r| r.status).collect()
    }

    #[test]
    fn sign_up_can_meet_a_taken_email_but_no_session_or_user_lookup() {
        assert_eq!(statuses("/sign-up/email"), [200, 400, 403, 415, 422, 429, 500, 503]);
    }

    #[test]
    fn sign_in_answers_wrong_credentials_and_bans() {
        assert_eq!(statuses("/sign-in/email"), [200, 400, 401, 403, 415, 429, 500, 503]);
    }

    #[test]
    fn session_reads_need_a_session_only() {
        assert_eq!(statuses("/get-session"), [200, 400, 401, 429, 500, 503]);
        assert_eq!(statuses("/jwks"), [200, 400, 429, 500, 503]);
    }

    #[test]
    fn organization_reads_are_guarded_and_admin_user_operations_can_miss() {
        assert_eq!(statuses("/organization/list-members"), [200, 400, 401, 403, 429, 500, 503]);
        assert_eq!(statuses("/admin/get-user"), [200, 400, 401, 403, 404, 429, 500, 503]);
        assert_eq!(statuses("/admin/ban-user"), [200, 400, 401, 403, 404, 415, 429, 500, 503]);
        assert_eq!(statuses("/admin/list-users"), [200, 400, 401, 403, 429, 500, 503]);
    }
}
