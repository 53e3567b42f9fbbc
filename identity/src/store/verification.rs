//! Better Auth's `verification` rows (password-reset tokens) and the
//! writes they unlock: a password reset, an address marked verified.
//!
//! Expiry is compared in Rust, not SQL: SQLite keeps times as text whose
//! order is not guaranteed across writers (as for sessions).

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use time::OffsetDateTime;

use super::entities::{account, session, user, verification};
use super::shared::{backend, credential_row, revoke_in};
use crate::model::{User, id};
use crate::ports::StoreError;

/// Rows looked at for expiry on each insert: old ones go a batch at a time.
const SWEEP_BATCH: u64 = 100;

/// Stores `value` under `identifier` until `expires_at`; deletes expired
/// rows among the oldest first.
pub(super) async fn insert(
    db: &DatabaseConnection,
    identifier: &str,
    value: &str,
    expires_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let oldest = verification::Entity::find()
        .order_by_asc(verification::Column::CreatedAt)
        .limit(SWEEP_BATCH)
        .all(db)
        .await
        .map_err(backend("reading old verification rows"))?;
    let expired: Vec<String> = oldest.into_iter().filter(|v| v.expires_at <= now).map(|v| v.id).collect();
    if !expired.is_empty() {
        verification::Entity::delete_many()
            .filter(verification::Column::Id.is_in(expired))
            .exec(db)
            .await
            .map_err(backend("deleting expired verification rows"))?;
    }
    let row = verification::ActiveModel {
        id: Set(id::generate()),
        identifier: Set(identifier.to_owned()),
        value: Set(value.to_owned()),
        expires_at: Set(expires_at),
        created_at: Set(now),
        updated_at: Set(now),
    };
    verification::Entity::insert(row).exec_without_returning(db).await.map_err(backend("inserting verification"))?;
    Ok(())
}

/// The unexpired value under `identifier`.
pub(super) async fn find(
    db: &impl sea_orm::ConnectionTrait,
    identifier: &str,
    now: OffsetDateTime,
) -> Result<Option<String>, StoreError> {
    let rows = verification::Entity::find()
        .filter(verification::Column::Identifier.eq(identifier))
        .all(db)
        .await
        .map_err(backend("reading verification"))?;
    Ok(rows.into_iter().find(|v| v.expires_at > now).map(|v| v.value))
}

/// See [`crate::ports::IdentityStore::reset_password`].
pub(super) async fn reset_password(
    db: &DatabaseConnection,
    identifier: &str,
    hash: &str,
    now: OffsetDateTime,
    revoke_sessions: bool,
) -> Result<Option<(String, Vec<String>)>, StoreError> {
    let txn = db.begin().await.map_err(backend("starting password reset"))?;
    // Write first, so SQLite holds the write lock from the start (a read
    // followed by a write fails with SQLITE_BUSY if another connection
    // committed in between) and PostgreSQL locks the token's row.
    verification::Entity::update_many()
        .col_expr(verification::Column::UpdatedAt, Expr::value(now))
        .filter(verification::Column::Identifier.eq(identifier))
        .exec(&txn)
        .await
        .map_err(backend("locking the reset token"))?;
    let Some(user_id) = find(&txn, identifier, now).await? else {
        txn.rollback().await.map_err(backend("rolling back"))?;
        return Ok(None);
    };
    // Deleting first makes a concurrent second use find nothing: on
    // PostgreSQL it waits for this row lock and then deletes no row.
    let deleted = verification::Entity::delete_many()
        .filter(verification::Column::Identifier.eq(identifier))
        .exec(&txn)
        .await
        .map_err(backend("consuming the reset token"))?;
    if deleted.rows_affected == 0 {
        txn.rollback().await.map_err(backend("rolling back"))?;
        return Ok(None);
    }
    let updated = account::Entity::update_many()
        .col_expr(account::Column::Password, Expr::value(hash.to_owned()))
        .col_expr(account::Column::UpdatedAt, Expr::value(now))
        .filter(account::Column::UserId.eq(&user_id))
        .filter(account::Column::ProviderId.eq(account::CREDENTIAL))
        .exec(&txn)
        .await
        .map_err(backend("updating credential"))?;
    if updated.rows_affected == 0 {
        account::Entity::insert(credential_row(&user_id, hash, now))
            .exec_without_returning(&txn)
            .await
            .map_err(backend("inserting credential"))?;
    }
    let ended = if revoke_sessions {
        revoke_in(&txn, Condition::all().add(session::Column::UserId.eq(&user_id))).await?
    } else {
        Vec::new()
    };
    txn.commit().await.map_err(backend("committing password reset"))?;
    Ok(Some((user_id, ended)))
}

/// See [`crate::ports::IdentityStore::mark_email_verified`].
pub(super) async fn mark_email_verified(
    db: &DatabaseConnection,
    email: &str,
    now: OffsetDateTime,
) -> Result<Option<User>, StoreError> {
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerified, Expr::value(true))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Email.eq(email))
        .exec(db)
        .await
        .map_err(backend("marking the e-mail verified"))?;
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await
        .map_err(backend("reading the verified user"))?;
    Ok(found.map(User::from))
}
