//! Organization API keys under `/api/auth/api-key`, in the shape of
//! Better Auth's api-key plugin: `create`, `get`, `list`, `update`,
//! `delete`. A key acts in one organization with the domain permissions
//! it was given; integrations send it as `Authorization: Bearer grm_…` or
//! `x-api-key` to the business domains.

use gremlin_kernel::Nullable;
use gremlin_kernel::http::SessionAuth;
use poem::Request;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};

use super::context;
use super::dto::{Success, Timestamp};
use super::problem::AuthProblemResponse;
use crate::model::ApiKey;
use crate::model::custom_role::Statements;
use crate::service::IdentityService;
use crate::service::api_keys::{ApiKeyChanges, NewApiKey};
use crate::service::organizations::OrganizationService;

type Result<T> = std::result::Result<T, AuthProblemResponse>;

#[derive(Tags)]
enum ApiKeyTag {
    /// Organization API keys for integrations (Better Auth's api-key plugin shape).
    ApiKeys,
}

/// An API key, without its secret.
#[derive(Debug, Clone, Object)]
#[oai(rename = "ApiKey", rename_all = "camelCase")]
pub struct ApiKeyDto {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: Nullable<String>,
    /// The secret's first 6 characters, to tell keys apart.
    pub start: Nullable<String>,
    /// The secret's prefix (`grm_`).
    pub prefix: Nullable<String>,
    /// Who created it.
    pub user_id: String,
    /// The organization it acts in.
    pub organization_id: Nullable<String>,
    /// Whether it works.
    pub enabled: bool,
    /// Whether its own rate limit applies.
    pub rate_limit_enabled: bool,
    /// The rate-limit window, in milliseconds.
    pub rate_limit_time_window: u32,
    /// Requests allowed per window.
    pub rate_limit_max: u32,
    /// When it was last used (to the minute).
    pub last_request: Nullable<Timestamp>,
    /// When it stops working; null: never.
    pub expires_at: Nullable<Timestamp>,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
    /// What it may do.
    pub permissions: Statements,
}

impl From<&ApiKey> for ApiKeyDto {
    fn from(k: &ApiKey) -> Self {
        Self {
            id: k.id.clone(),
            name: Nullable(k.name.clone()),
            start: Nullable(k.start.clone()),
            prefix: Nullable(k.prefix.clone()),
            user_id: k.created_by.clone(),
            organization_id: Nullable(k.organization_id.clone()),
            enabled: k.enabled,
            rate_limit_enabled: k.rate_limit_enabled,
            rate_limit_time_window: k.rate_limit_window_ms,
            rate_limit_max: k.rate_limit_max,
            last_request: Nullable(k.last_request.map(Timestamp)),
            expires_at: Nullable(k.expires_at.map(Timestamp)),
            created_at: Timestamp(k.created_at),
            updated_at: Timestamp(k.updated_at),
            permissions: k.permissions.clone(),
        }
    }
}

/// A new key, with its secret: shown this once, stored only hashed.
#[derive(Debug, Object)]
#[oai(rename = "CreatedApiKey")]
pub struct CreatedApiKeyDto {
    /// The secret (`grm_` and 64 letters). Keep it: it cannot be read again.
    pub key: String,
    /// The key.
    #[oai(flatten)]
    pub api_key: ApiKeyDto,
}

/// `POST /api-key/create` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct CreateApiKeyBody {
    /// The organization (default: the session's active one).
    pub organization_id: Option<String>,
    /// Display name, 1–64 characters.
    pub name: Option<String>,
    /// Lifetime in seconds, 86 400 (a day) to 31 536 000 (a year); absent: no expiry.
    pub expires_in: Option<u64>,
    /// What it may do: domain permissions the caller holds.
    pub permissions: Statements,
    /// Whether its own rate limit applies (default true).
    pub rate_limit_enabled: Option<bool>,
    /// Its rate-limit window in milliseconds, 1 to 86 400 000 (default 60 000).
    pub rate_limit_time_window: Option<u32>,
    /// Requests per window, 1 to 1 000 000 (default 600).
    pub rate_limit_max: Option<u32>,
}

/// `POST /api-key/update` body; absent fields stay.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct UpdateApiKeyBody {
    /// The key.
    pub key_id: String,
    /// The organization (default: the session's active one).
    pub organization_id: Option<String>,
    /// A new name.
    pub name: Option<String>,
    /// Turn it off (refused at once) or back on.
    pub enabled: Option<bool>,
    /// A new lifetime from now, in seconds (a day to a year).
    pub expires_in: Option<u64>,
    /// New permissions (replacing the old): domain permissions the caller holds.
    pub permissions: Option<Statements>,
    /// Whether its own rate limit applies.
    pub rate_limit_enabled: Option<bool>,
    /// Its rate-limit window in milliseconds.
    pub rate_limit_time_window: Option<u32>,
    /// Requests per window.
    pub rate_limit_max: Option<u32>,
}

/// `POST /api-key/delete` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct DeleteApiKeyBody {
    /// The key.
    pub key_id: String,
    /// The organization (default: the session's active one).
    pub organization_id: Option<String>,
}

/// The API keys API, mounted at `/api/auth/api-key`.
pub struct ApiKeyApi {
    identity: IdentityService,
    organizations: OrganizationService,
}

impl ApiKeyApi {
    /// The API over the identity (authentication) and organization services.
    pub fn new(identity: IdentityService, organizations: OrganizationService) -> Self {
        Self { identity, organizations }
    }
}

#[OpenApi(prefix_path = "/api/auth", tag = "ApiKeyTag::ApiKeys")]
impl ApiKeyApi {
    /// Create an API key.
    ///
    /// A key for an integration, acting in the organization with the
    /// given domain permissions (each held by the caller: 403 otherwise;
    /// unknown ones 400 `INVALID_RESOURCE`). Owners and admins only. The
    /// secret is in this answer and nowhere else.
    #[oai(path = "/api-key/create", method = "post", operation_id = "identity.api_key_create")]
    async fn create(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<CreateApiKeyBody>,
    ) -> Result<Json<CreatedApiKeyDto>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let body = body.0;
        let input = NewApiKey {
            name: body.name,
            expires_in: body.expires_in,
            permissions: body.permissions,
            rate_limit_enabled: body.rate_limit_enabled,
            rate_limit_window_ms: body.rate_limit_time_window,
            rate_limit_max: body.rate_limit_max,
        };
        let (key, secret) = self.organizations.create_api_key(&auth, body.organization_id.as_deref(), input).await?;
        Ok(Json(CreatedApiKeyDto { key: secret, api_key: (&key).into() }))
    }

    /// Get an API key.
    ///
    /// One key of the organization, without its secret; 404 `KEY_NOT_FOUND`.
    #[oai(path = "/api-key/get", method = "get", operation_id = "identity.api_key_get")]
    async fn get(
        &self,
        _session: SessionAuth,
        req: &Request,
        /// The key.
        id: Query<String>,
        /// The organization (default: the session's active one).
        #[oai(name = "organizationId")]
        organization_id: Query<Option<String>>,
    ) -> Result<Json<ApiKeyDto>> {
        let auth = context::authenticate(&self.identity, req, false).await?;
        let key = self.organizations.get_api_key(&auth, organization_id.0.as_deref(), &id.0).await?;
        Ok(Json((&key).into()))
    }

    /// List API keys.
    ///
    /// The organization's keys, newest first, by prefix and start (never
    /// the secrets). Owners and admins only.
    #[oai(path = "/api-key/list", method = "get", operation_id = "identity.api_key_list")]
    async fn list(
        &self,
        _session: SessionAuth,
        req: &Request,
        /// The organization (default: the session's active one).
        #[oai(name = "organizationId")]
        organization_id: Query<Option<String>>,
    ) -> Result<Json<Vec<ApiKeyDto>>> {
        let auth = context::authenticate(&self.identity, req, false).await?;
        let keys = self.organizations.list_api_keys(&auth, organization_id.0.as_deref()).await?;
        Ok(Json(keys.iter().map(ApiKeyDto::from).collect()))
    }

    /// Update an API key.
    ///
    /// Renames, disables (refused from the next request on), re-enables,
    /// re-times or narrows a key; 404 `KEY_NOT_FOUND`.
    #[oai(path = "/api-key/update", method = "post", operation_id = "identity.api_key_update")]
    async fn update(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<UpdateApiKeyBody>,
    ) -> Result<Json<ApiKeyDto>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let body = body.0;
        let changes = ApiKeyChanges {
            name: body.name,
            enabled: body.enabled,
            expires_in: body.expires_in,
            permissions: body.permissions,
            rate_limit_enabled: body.rate_limit_enabled,
            rate_limit_window_ms: body.rate_limit_time_window,
            rate_limit_max: body.rate_limit_max,
        };
        let key =
            self.organizations.update_api_key(&auth, body.organization_id.as_deref(), &body.key_id, changes).await?;
        Ok(Json((&key).into()))
    }

    /// Delete an API key.
    ///
    /// Revokes a key: the next request with it is 401. 404 `KEY_NOT_FOUND`.
    #[oai(path = "/api-key/delete", method = "post", operation_id = "identity.api_key_delete")]
    async fn delete(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<DeleteApiKeyBody>,
    ) -> Result<Json<Success>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        self.organizations.delete_api_key(&auth, body.organization_id.as_deref(), &body.key_id).await?;
        Ok(Json(Success { success: true }))
    }
}
