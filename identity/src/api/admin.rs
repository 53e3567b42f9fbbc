//! Admin endpoints under `/api/auth/admin` (Better Auth's admin plugin),
//! plus `GET /admin/session-logs`. Callers need the platform `admin` role.

use gremlin_kernel::http::SessionAuth;
use gremlin_kernel::{DocumentFilter, LogQuery, Nullable};
use poem::Request;
use poem::web::cookie::CookieJar;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::context;
use super::dto::{SessionAndUser, SessionDto, Status, Success, Timestamp, UserDto};
use super::organization_dto::RoleInput;
use super::problem::AuthProblemResponse;
use crate::audit::{SESSION_LOGS, SessionLog};
use crate::error::{AuthError, ErrorCode};
use crate::model::admin::UserQueryParams;
use crate::ports::UserChanges;
use crate::service::IdentityService;
use crate::service::admin::{AdminService, CreateUser};

type Result<T> = std::result::Result<T, AuthProblemResponse>;

#[derive(Tags)]
enum AdminTag {
    /// Platform administration (Better Auth's admin plugin).
    Admin,
}

/// `{ "user": … }`.
#[derive(Debug, Object)]
pub struct UserEnvelope {
    /// The user.
    pub user: UserDto,
}

/// The user list.
#[derive(Debug, Object)]
pub struct UserList {
    /// The users of this page.
    pub users: Vec<UserDto>,
    /// All users matching.
    pub total: u64,
    /// The page size asked for.
    #[oai(skip_serializing_if_is_none)]
    pub limit: Option<u64>,
    /// The offset asked for.
    #[oai(skip_serializing_if_is_none)]
    pub offset: Option<u64>,
}

/// `POST /admin/create-user` body.
#[derive(Debug, Object)]
pub struct CreateUserBody {
    /// E-mail.
    pub email: String,
    /// Password, 8 to 128 characters.
    pub password: String,
    /// Display name.
    pub name: String,
    /// Platform role(s): `user` (default) or `admin`.
    pub role: Option<RoleInput>,
}

/// Fields an admin may change.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct AdminUserChanges {
    /// New name.
    pub name: Option<String>,
    /// New e-mail.
    pub email: Option<String>,
    /// New image; `null` removes it.
    pub image: MaybeUndefined<String>,
    /// Mark the e-mail verified or not.
    pub email_verified: Option<bool>,
}

/// `POST /admin/update-user` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct AdminUpdateUserBody {
    /// The user.
    pub user_id: String,
    /// The changes.
    pub data: AdminUserChanges,
}

/// A body naming one user.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct UserIdBody {
    /// The user.
    pub user_id: String,
}

/// `POST /admin/set-role` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SetRoleBody {
    /// The user.
    pub user_id: String,
    /// Platform role(s): `user`, `admin`.
    pub role: RoleInput,
}

/// `POST /admin/set-user-password` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SetPasswordBody {
    /// The user.
    pub user_id: String,
    /// The new password.
    pub new_password: String,
}

/// `POST /admin/ban-user` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct BanBody {
    /// The user.
    pub user_id: String,
    /// Why (default "No reason").
    pub ban_reason: Option<String>,
    /// Seconds until the ban ends; absent means forever.
    #[oai(validator(maximum(value = "3153600000")))]
    pub ban_expires_in: Option<u64>,
}

/// `POST /admin/revoke-user-session` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct RevokeUserSessionBody {
    /// The raw session token.
    pub session_token: String,
}

/// A user's sessions.
#[derive(Debug, Object)]
pub struct SessionList {
    /// Live sessions, newest first.
    pub sessions: Vec<SessionDto>,
}

/// One session-log entry.
#[derive(Debug, Object)]
#[oai(rename = "SessionLogEntry")]
pub struct SessionLogDto {
    /// When (RFC 3339).
    pub time: Timestamp,
    /// `sign_in`, `sign_up`, `sign_out`, `session_revoked`, `ban`, `unban`,
    /// `impersonation_start`, `impersonation_stop`, `role_change`.
    pub kind: String,
    /// `success` or `failure`.
    pub outcome: String,
    /// The user concerned.
    pub user_id: Nullable<String>,
    /// The e-mail given.
    pub email: Nullable<String>,
    /// The organization concerned.
    pub organization_id: Nullable<String>,
    /// Client IP.
    pub ip: Nullable<String>,
    /// Client user agent.
    pub user_agent: Nullable<String>,
    /// Why it failed, or detail.
    pub reason: Nullable<String>,
    /// The admin who acted.
    pub actor_id: Nullable<String>,
    /// The admin impersonating the user.
    pub impersonator_id: Nullable<String>,
}

/// A page of session logs, newest first.
#[derive(Debug, Object)]
pub struct SessionLogPage {
    /// Entries.
    pub entries: Vec<SessionLogDto>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Nullable<String>,
}

/// impersonate-user answer: the impersonation session; cookies switched.
#[derive(Debug, ApiResponse)]
pub enum ImpersonateResponse {
    /// A one-hour session as the user.
    #[oai(status = 200)]
    Ok(Json<SessionAndUser>, #[oai(header = "set-auth-token")] String),
}

/// The admin API.
pub struct AdminApi {
    identity: IdentityService,
    admin: AdminService,
    log: SessionLog,
}

impl AdminApi {
    /// The API over the services and the session log.
    pub fn new(identity: IdentityService, admin: AdminService, log: SessionLog) -> Self {
        Self { identity, admin, log }
    }
}

fn parse_time(field: &str, value: Option<String>) -> std::result::Result<Option<OffsetDateTime>, AuthError> {
    value
        .map(|v| {
            OffsetDateTime::parse(&v, &Rfc3339)
                .map_err(|_| AuthError::validation(field, "expected an RFC 3339 time such as 2026-11-27T10:00:00Z"))
        })
        .transpose()
}

fn text(value: &serde_json::Value, key: &str) -> Nullable<String> {
    value.get(key).and_then(|v| v.as_str()).map(str::to_owned).into()
}

#[OpenApi(prefix_path = "/api/auth/admin", tag = "AdminTag::Admin")]
impl AdminApi {
    /// List users.
    ///
    /// List users: search (email/name; contains, starts_with, ends_with),
    /// filter, sort, page; with the total.
    #[oai(path = "/list-users", method = "get", operation_id = "identity.admin_list_users")]
    #[allow(clippy::too_many_arguments)]
    async fn list_users(
        &self,
        _session: SessionAuth,
        req: &Request,
        #[oai(validator(maximum(value = "1000")))] limit: Query<Option<u64>>,
        #[oai(validator(maximum(value = "1000000")))] offset: Query<Option<u64>>,
        #[oai(name = "sortBy")] sort_by: Query<Option<String>>,
        #[oai(name = "sortDirection")] sort_direction: Query<Option<String>>,
        #[oai(name = "searchField")] search_field: Query<Option<String>>,
        #[oai(name = "searchOperator")] search_operator: Query<Option<String>>,
        #[oai(name = "searchValue")] search_value: Query<Option<String>>,
        #[oai(name = "filterField")] filter_field: Query<Option<String>>,
        #[oai(name = "filterOperator")] filter_operator: Query<Option<String>>,
        #[oai(name = "filterValue")] filter_value: Query<Option<String>>,
    ) -> Result<Json<UserList>> {
        let auth = context::authenticate(&self.identity, req, false).await?;
        let params = UserQueryParams {
            search_field: search_field.0,
            search_operator: search_operator.0,
            search_value: search_value.0,
            filter_field: filter_field.0,
            filter_operator: filter_operator.0,
            filter_value: filter_value.0,
            sort_by: sort_by.0,
            sort_direction: sort_direction.0,
            limit: limit.0,
            offset: offset.0,
        };
        let (users, total, query) = self.admin.list_users(&auth, params).await?;
        Ok(Json(UserList {
            users: users.iter().map(UserDto::from).collect(),
            total,
            limit: query.limit,
            offset: offset.0.filter(|o| *o > 0),
        }))
    }

    /// Create a user.
    ///
    /// Create a user with a password (no session is opened).
    #[oai(path = "/create-user", method = "post", operation_id = "identity.admin_create_user")]
    async fn create_user(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<CreateUserBody>,
    ) -> Result<Json<UserEnvelope>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let body = body.0;
        let input = CreateUser {
            email: body.email,
            password: body.password,
            name: body.name,
            roles: body.role.map(|r| r.names()).unwrap_or_default(),
        };
        let user = self.admin.create_user_as(&auth, input).await?;
        Ok(Json(UserEnvelope { user: UserDto::from(&user) }))
    }

    /// Get a user.
    ///
    /// One user.
    #[oai(path = "/get-user", method = "get", operation_id = "identity.admin_get_user")]
    async fn get_user(&self, _session: SessionAuth, req: &Request, id: Query<String>) -> Result<Json<UserEnvelope>> {
        let auth = context::authenticate(&self.identity, req, false).await?;
        let user = self.admin.get_user(&auth, &id.0).await?;
        Ok(Json(UserEnvelope { user: UserDto::from(&user) }))
    }

    /// Check admin permissions.
    ///
    /// Whether the caller's platform role(s), or those of `userId` (admins
    /// only), allow every requested action of the admin plugin (`user`:
    /// create, list, set-role, ban, impersonate, delete, set-password, get,
    /// update; `session`: list, revoke, delete).
    #[oai(path = "/has-permission", method = "post", operation_id = "identity.admin_has_permission")]
    async fn has_permission(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<super::organization_dto::HasPermissionBody>,
    ) -> Result<Json<super::organization_dto::HasPermissionResult>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let allowed = self.admin.has_permission(&auth, body.user_id.as_deref(), &body.0.permissions).await?;
        Ok(Json(super::organization_dto::HasPermissionResult {
            error: gremlin_kernel::Nullable(None),
            success: allowed,
        }))
    }

    /// Update a user.
    ///
    /// Change a user's name, e-mail, image or verification.
    #[oai(path = "/update-user", method = "post", operation_id = "identity.admin_update_user")]
    async fn update_user(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<AdminUpdateUserBody>,
    ) -> Result<Json<UserEnvelope>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let data = body.0.data;
        let image = super::dto::change(data.image);
        let changes = UserChanges { name: data.name, email: data.email, image, email_verified: data.email_verified };
        let user = self.admin.update_user(&auth, &body.0.user_id, changes).await?;
        Ok(Json(UserEnvelope { user: UserDto::from(&user) }))
    }

    /// Set a user's platform role.
    ///
    /// Set the platform role(s), validated against `user` and `admin`.
    #[oai(path = "/set-role", method = "post", operation_id = "identity.admin_set_role")]
    async fn set_role(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<SetRoleBody>,
    ) -> Result<Json<UserEnvelope>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let user = self.admin.set_role(&auth, &body.user_id, &body.role.names(), &context::client_info(req)).await?;
        Ok(Json(UserEnvelope { user: UserDto::from(&user) }))
    }

    /// Set a user's password.
    ///
    /// Replace a user's password.
    #[oai(path = "/set-user-password", method = "post", operation_id = "identity.admin_set_user_password")]
    async fn set_user_password(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<SetPasswordBody>,
    ) -> Result<Json<Status>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        self.admin.set_user_password(&auth, &body.user_id, &body.new_password).await?;
        Ok(Json(Status { status: true }))
    }

    /// Ban a user.
    ///
    /// Ban a user, ending every session; `banExpiresIn` seconds, or forever.
    #[oai(path = "/ban-user", method = "post", operation_id = "identity.admin_ban_user")]
    async fn ban_user(&self, _session: SessionAuth, req: &Request, body: Json<BanBody>) -> Result<Json<UserEnvelope>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let body = body.0;
        let user = self
            .admin
            .ban(&auth, &body.user_id, body.ban_reason, body.ban_expires_in, &context::client_info(req))
            .await?;
        Ok(Json(UserEnvelope { user: UserDto::from(&user) }))
    }

    /// Unban a user.
    ///
    /// Lift a ban.
    #[oai(path = "/unban-user", method = "post", operation_id = "identity.admin_unban_user")]
    async fn unban_user(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<UserIdBody>,
    ) -> Result<Json<UserEnvelope>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let user = self.admin.unban(&auth, &body.user_id, &context::client_info(req)).await?;
        Ok(Json(UserEnvelope { user: UserDto::from(&user) }))
    }

    /// List a user's sessions.
    ///
    /// A user's live sessions.
    #[oai(path = "/list-user-sessions", method = "post", operation_id = "identity.admin_list_user_sessions")]
    async fn list_user_sessions(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<UserIdBody>,
    ) -> Result<Json<SessionList>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let sessions = self.admin.list_user_sessions(&auth, &body.user_id).await?;
        Ok(Json(SessionList { sessions: sessions.iter().map(SessionDto::from).collect() }))
    }

    /// Revoke a user's session.
    ///
    /// End one session by its raw token.
    #[oai(path = "/revoke-user-session", method = "post", operation_id = "identity.admin_revoke_user_session")]
    async fn revoke_user_session(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<RevokeUserSessionBody>,
    ) -> Result<Json<Success>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        self.admin.revoke_user_session(&auth, &body.session_token, &context::client_info(req)).await?;
        Ok(Json(Success { success: true }))
    }

    /// Revoke all of a user's sessions.
    ///
    /// End every session of a user.
    #[oai(path = "/revoke-user-sessions", method = "post", operation_id = "identity.admin_revoke_user_sessions")]
    async fn revoke_user_sessions(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<UserIdBody>,
    ) -> Result<Json<Success>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        self.admin.revoke_user_sessions(&auth, &body.user_id, &context::client_info(req)).await?;
        Ok(Json(Success { success: true }))
    }

    /// Remove a user.
    ///
    /// Delete a user, with its sessions, accounts and memberships.
    #[oai(path = "/remove-user", method = "post", operation_id = "identity.admin_remove_user")]
    async fn remove_user(&self, _session: SessionAuth, req: &Request, body: Json<UserIdBody>) -> Result<Json<Success>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        self.admin.remove_user(&auth, &body.user_id).await?;
        Ok(Json(Success { success: true }))
    }

    /// Impersonate a user.
    ///
    /// Open a one-hour session as a (non-admin) user. The caller's own
    /// session is kept in the `admin_session` cookie for stop-impersonating.
    #[oai(path = "/impersonate-user", method = "post", operation_id = "identity.admin_impersonate_user")]
    async fn impersonate_user(
        &self,
        _session: SessionAuth,
        req: &Request,
        jar: &CookieJar,
        body: Json<UserIdBody>,
    ) -> Result<ImpersonateResponse> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let (user, session) = self.admin.impersonate(&auth, &body.user_id, &context::client_info(req)).await?;
        let settings = self.identity.settings();
        context::set_admin_session_cookie(jar, settings, &auth.session.token);
        let signed = context::set_session_cookie(jar, settings, &session, false);
        Ok(ImpersonateResponse::Ok(
            Json(SessionAndUser { session: SessionDto::from(&session), user: UserDto::from(&user) }),
            signed,
        ))
    }

    /// Stop impersonating.
    ///
    /// End the impersonation session in use; the admin's own session is
    /// restored from the `admin_session` cookie when present (else null).
    #[oai(path = "/stop-impersonating", method = "post", operation_id = "identity.admin_stop_impersonating")]
    async fn stop_impersonating(
        &self,
        _session: SessionAuth,
        req: &Request,
        jar: &CookieJar,
    ) -> Result<Json<Nullable<SessionAndUser>>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let settings = self.identity.settings();
        let admin_id = self.admin.stop_impersonating(&auth, &context::client_info(req)).await?;
        context::clear_session_cookies(jar, settings);
        let admin_token = context::signed_cookie(req, settings, "admin_session");
        let restored = match admin_token {
            Some(token) => self.identity.authenticate(&token, true).await?.filter(|a| a.user.id == admin_id),
            None => None,
        };
        context::clear_admin_session_cookie(jar, settings);
        let body = restored.map(|a| {
            context::set_session_cookie(jar, settings, &a.session, true);
            SessionAndUser { session: SessionDto::from(&a.session), user: UserDto::from(&a.user) }
        });
        Ok(Json(body.into()))
    }

    /// Read the session logs.
    ///
    /// Session logs, newest first: filter by user, organization, kind and
    /// time range; page with `cursor`.
    #[oai(path = "/session-logs", method = "get", operation_id = "identity.admin_session_logs")]
    #[allow(clippy::too_many_arguments)]
    async fn session_logs(
        &self,
        _session: SessionAuth,
        req: &Request,
        #[oai(name = "userId")] user_id: Query<Option<String>>,
        #[oai(name = "organizationId")] organization_id: Query<Option<String>>,
        kind: Query<Option<String>>,
        since: Query<Option<String>>,
        until: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] limit: Query<Option<u32>>,
        cursor: Query<Option<String>>,
    ) -> Result<Json<SessionLogPage>> {
        let auth = context::authenticate(&self.identity, req, false).await?;
        AdminService::require_admin(&auth, ErrorCode::YouAreNotAllowedToListSessionLogs)?;
        let mut filter = DocumentFilter::default();
        for (field, value) in [("user_id", user_id.0), ("organization_id", organization_id.0), ("kind", kind.0)] {
            if let Some(value) = value {
                filter = filter.eq(field, value);
            }
        }
        let query = LogQuery {
            filter,
            since: parse_time("since", since.0)?,
            until: parse_time("until", until.0)?,
            limit: limit.0.unwrap_or(50),
            cursor: cursor.0,
        };
        let page = self.log.store().query_log(SESSION_LOGS, &query).await.map_err(|e| match e {
            gremlin_kernel::DocumentError::InvalidCursor => {
                AuthError::validation("cursor", "not a cursor returned by this list")
            }
            other => AuthError::Backend(anyhow::anyhow!("reading session logs: {other}")),
        })?;
        let entries = page
            .items
            .iter()
            .map(|e| SessionLogDto {
                time: Timestamp(e.time),
                kind: e.body.get("kind").and_then(|v| v.as_str()).unwrap_or_default().to_owned(),
                outcome: e.body.get("outcome").and_then(|v| v.as_str()).unwrap_or("success").to_owned(),
                user_id: text(&e.body, "user_id"),
                email: text(&e.body, "email"),
                organization_id: text(&e.body, "organization_id"),
                ip: text(&e.body, "ip"),
                user_agent: text(&e.body, "user_agent"),
                reason: text(&e.body, "reason"),
                actor_id: text(&e.body, "actor_id"),
                impersonator_id: text(&e.body, "impersonator_id"),
            })
            .collect();
        Ok(Json(SessionLogPage { entries, next_cursor: page.next_cursor.into() }))
    }
}
