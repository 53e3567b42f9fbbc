//! What the SQL repository files share: storage errors with their
//! context, the credential account row, and session revocation inside a
//! caller's transaction.

use gremlin_kernel::outbox;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter};
use time::OffsetDateTime;

use super::entities::{account, member, organization, session};
use crate::model::id;
use crate::ports::StoreError;

/// Deletes the sessions matching `which` in `txn` with one statement
/// (`DELETE … RETURNING`: a write from the start, so on SQLite no commit
/// elsewhere can fail it between a read and a write), recording one
/// `identity.session.revoked` per user; the ids deleted.
pub(super) async fn revoke_in(txn: &DatabaseTransaction, which: Condition) -> Result<Vec<String>, StoreError> {
    let found = session::Entity::delete_many()
        .filter(which)
        .exec_with_returning(txn)
        .await
        .map_err(backend("deleting sessions"))?;
    let ids: Vec<String> = found.iter().map(|s| s.id.clone()).collect();
    let mut users: Vec<&str> = found.iter().map(|s| s.user_id.as_str()).collect();
    users.sort_unstable();
    users.dedup();
    for user in users {
        let theirs: Vec<String> = found.iter().filter(|s| s.user_id == user).map(|s| s.id.clone()).collect();
        outbox::record(txn, &crate::events::sessions_revoked(user, &theirs))
            .await
            .map_err(backend("recording session.revoked"))?;
    }
    Ok(ids)
}

/// Takes the write lock of the organization's row in `txn` with a no-op
/// update (a row lock on PostgreSQL, the database write lock on SQLite):
/// every change to an organization's memberships or roles does this first,
/// so they run one at a time and each sees the previous one's result.
pub(super) async fn lock_organization(txn: &DatabaseTransaction, organization_id: &str) -> Result<(), StoreError> {
    organization::Entity::update_many()
        .col_expr(organization::Column::Id, Expr::col(organization::Column::Id))
        .filter(organization::Column::Id.eq(organization_id))
        .exec(txn)
        .await
        .map_err(backend("locking the organization"))?;
    Ok(())
}

/// Owners of the organization as `conn` sees it (roles are a comma list).
pub(super) async fn owners(conn: &impl ConnectionTrait, organization_id: &str) -> Result<u64, StoreError> {
    let rows = member::Entity::find()
        .filter(member::Column::OrganizationId.eq(organization_id))
        .filter(member::Column::Role.contains("owner"))
        .all(conn)
        .await
        .map_err(backend("counting owners"))?;
    Ok(rows.iter().filter(|m| m.role.split(',').any(|r| r.trim() == "owner")).count() as u64)
}

/// A new e-mail + password account of `user_id` with `hash`, created at `at`.
pub(super) fn credential_row(user_id: &str, hash: &str, at: OffsetDateTime) -> account::ActiveModel {
    account::ActiveModel {
        id: Set(id::generate()),
        account_id: Set(user_id.to_owned()),
        provider_id: Set(account::CREDENTIAL.to_owned()),
        user_id: Set(user_id.to_owned()),
        access_token: Set(None),
        refresh_token: Set(None),
        id_token: Set(None),
        access_token_expires_at: Set(None),
        refresh_token_expires_at: Set(None),
        scope: Set(None),
        password: Set(Some(hash.to_owned())),
        created_at: Set(at),
        updated_at: Set(at),
    }
}

pub(super) fn backend(context: &'static str) -> impl FnOnce(DbErr) -> StoreError {
    move |e| StoreError::Backend(anyhow::Error::new(e).context(context))
}
