//! `apikey` rows: organization API keys, stored as Better Auth stores
//! them (the secret only as its hash) with the organization beside.

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use time::OffsetDateTime;

use super::entities::apikey;
use super::shared::backend;
use crate::model::ApiKey;
use crate::model::api_key::{DEFAULT_RATE_LIMIT_MAX, DEFAULT_RATE_LIMIT_WINDOW_MS};
use crate::ports::StoreError;

impl From<apikey::Model> for ApiKey {
    fn from(m: apikey::Model) -> Self {
        let positive = |v: Option<i32>, default: u32| v.and_then(|v| u32::try_from(v).ok()).unwrap_or(default);
        Self {
            id: m.id,
            name: m.name,
            start: m.start,
            prefix: m.prefix,
            organization_id: m.organization_id,
            created_by: m.user_id,
            // Malformed JSON from elsewhere grants nothing.
            permissions: m.permissions.as_deref().and_then(|p| serde_json::from_str(p).ok()).unwrap_or_default(),
            enabled: m.enabled.unwrap_or(true),
            rate_limit_enabled: m.rate_limit_enabled.unwrap_or(true),
            rate_limit_window_ms: positive(m.rate_limit_time_window, DEFAULT_RATE_LIMIT_WINDOW_MS),
            rate_limit_max: positive(m.rate_limit_max, DEFAULT_RATE_LIMIT_MAX),
            expires_at: m.expires_at,
            last_request: m.last_request,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

fn permissions_text(key: &ApiKey) -> Result<String, StoreError> {
    serde_json::to_string(&key.permissions)
        .map_err(|e| StoreError::Backend(anyhow::Error::new(e).context("encoding a key's permissions")))
}

fn signed(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Stores a new key whose secret hashes to `hash`.
pub(super) async fn insert(db: &DatabaseConnection, key: &ApiKey, hash: &str) -> Result<(), StoreError> {
    let row = apikey::ActiveModel {
        id: Set(key.id.clone()),
        name: Set(key.name.clone()),
        start: Set(key.start.clone()),
        prefix: Set(key.prefix.clone()),
        key: Set(hash.to_owned()),
        user_id: Set(key.created_by.clone()),
        refill_interval: Set(None),
        refill_amount: Set(None),
        last_refill_at: Set(None),
        enabled: Set(Some(key.enabled)),
        rate_limit_enabled: Set(Some(key.rate_limit_enabled)),
        rate_limit_time_window: Set(Some(signed(key.rate_limit_window_ms))),
        rate_limit_max: Set(Some(signed(key.rate_limit_max))),
        request_count: Set(Some(0)),
        remaining: Set(None),
        last_request: Set(None),
        expires_at: Set(key.expires_at),
        created_at: Set(key.created_at),
        updated_at: Set(key.updated_at),
        permissions: Set(Some(permissions_text(key)?)),
        metadata: Set(None),
        organization_id: Set(key.organization_id.clone()),
    };
    apikey::Entity::insert(row).exec_without_returning(db).await.map_err(backend("inserting an API key"))?;
    Ok(())
}

/// The organization's keys, newest first.
pub(super) async fn list(db: &DatabaseConnection, organization_id: &str) -> Result<Vec<ApiKey>, StoreError> {
    let rows = apikey::Entity::find()
        .filter(apikey::Column::OrganizationId.eq(organization_id))
        .order_by_desc(apikey::Column::CreatedAt)
        .all(db)
        .await
        .map_err(backend("listing API keys"))?;
    Ok(rows.into_iter().map(ApiKey::from).collect())
}

/// One key of the organization.
pub(super) async fn find(
    db: &DatabaseConnection,
    organization_id: &str,
    id: &str,
) -> Result<Option<ApiKey>, StoreError> {
    let row = apikey::Entity::find_by_id(id.to_owned())
        .filter(apikey::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
        .map_err(backend("reading an API key"))?;
    Ok(row.map(ApiKey::from))
}

/// Saves name, state, expiry, permissions and rate limit.
pub(super) async fn update(db: &DatabaseConnection, key: &ApiKey) -> Result<(), StoreError> {
    let row = apikey::ActiveModel {
        id: Set(key.id.clone()),
        name: Set(key.name.clone()),
        enabled: Set(Some(key.enabled)),
        rate_limit_enabled: Set(Some(key.rate_limit_enabled)),
        rate_limit_time_window: Set(Some(signed(key.rate_limit_window_ms))),
        rate_limit_max: Set(Some(signed(key.rate_limit_max))),
        expires_at: Set(key.expires_at),
        updated_at: Set(key.updated_at),
        permissions: Set(Some(permissions_text(key)?)),
        ..Default::default()
    };
    apikey::Entity::update(row).exec(db).await.map_err(backend("updating an API key"))?;
    Ok(())
}

/// Deletes one key of the organization; whether it was there.
pub(super) async fn delete(db: &DatabaseConnection, organization_id: &str, id: &str) -> Result<bool, StoreError> {
    let done = apikey::Entity::delete_many()
        .filter(apikey::Column::Id.eq(id))
        .filter(apikey::Column::OrganizationId.eq(organization_id))
        .exec(db)
        .await
        .map_err(backend("deleting an API key"))?;
    Ok(done.rows_affected > 0)
}

/// The key whose secret hashes to `hash`.
pub(super) async fn by_hash(db: &DatabaseConnection, hash: &str) -> Result<Option<ApiKey>, StoreError> {
    let row = apikey::Entity::find()
        .filter(apikey::Column::Key.eq(hash))
        .one(db)
        .await
        .map_err(backend("reading an API key"))?;
    Ok(row.map(ApiKey::from))
}

/// Records that the key was used at `now`.
pub(super) async fn record_use(db: &DatabaseConnection, id: &str, now: OffsetDateTime) -> Result<(), StoreError> {
    apikey::Entity::update_many()
        .col_expr(apikey::Column::LastRequest, Expr::value(now))
        .filter(apikey::Column::Id.eq(id))
        .exec(db)
        .await
        .map_err(backend("recording an API key's use"))?;
    Ok(())
}
