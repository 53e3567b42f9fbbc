//! Deleting a user: their sessions, accounts, memberships and the
//! verification rows naming them go in one transaction, with the events
//! that tell every service (`identity.session.revoked`, one
//! `identity.member.removed` per organization, `identity.user.deleted`).
//!
//! The organizations the user belongs to are locked first, in id order,
//! as every membership change locks them (see `lock_owners`), so a
//! concurrent role change or a co-owner's own deletion cannot leave an
//! organization without an owner between the count and the commit.

use gremlin_kernel::outbox;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait,
};

use super::entities::{account, member, session, user, verification};
use super::shared::{backend, lock_organization, owners, revoke_in};
use crate::events;
use crate::model::Member;
use crate::ports::{DeletedUser, StoreError, UserDeletion};

/// See [`crate::ports::IdentityStore::delete_user`].
pub(super) async fn delete_user(
    db: &DatabaseConnection,
    deletion: &UserDeletion<'_>,
) -> Result<Option<DeletedUser>, StoreError> {
    let user_id = deletion.user_id;
    let txn = db.begin().await.map_err(backend("starting user deletion"))?;
    // Write first: the user's row is locked (PostgreSQL) and, on SQLite,
    // the transaction holds the write lock from its first statement, so a
    // commit elsewhere between a read and the first write cannot fail it
    // with SQLITE_BUSY.
    user::Entity::update_many()
        .col_expr(user::Column::Id, Expr::col(user::Column::Id))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await
        .map_err(backend("locking the user"))?;
    if let Some(identifier) = deletion.token {
        let spent = verification::Entity::delete_many()
            .filter(verification::Column::Identifier.eq(identifier))
            .filter(verification::Column::Value.eq(user_id))
            .exec(&txn)
            .await
            .map_err(backend("spending the deletion token"))?;
        if spent.rows_affected == 0 {
            txn.rollback().await.map_err(backend("rolling back"))?;
            return Ok(None);
        }
    }
    let memberships = memberships_locked(&txn, user_id).await?;
    let mut owned = Vec::new();
    for m in memberships.iter().filter(|m| deletion.keep_owners && is_owner(m)) {
        owned.push((m.organization_id.as_str(), owners(&txn, &m.organization_id).await?));
    }
    let sessions = revoke_in(&txn, Condition::all().add(session::Column::UserId.eq(user_id))).await?;
    // Explicit deletes: the cascades may be missing on databases created elsewhere.
    account::Entity::delete_many()
        .filter(account::Column::UserId.eq(user_id))
        .exec(&txn)
        .await
        .map_err(backend("deleting accounts"))?;
    member::Entity::delete_many()
        .filter(member::Column::UserId.eq(user_id))
        .exec(&txn)
        .await
        .map_err(backend("deleting memberships"))?;
    for (organization_id, before) in owned {
        if before > 0 && owners(&txn, organization_id).await? == 0 {
            txn.rollback().await.map_err(backend("rolling back"))?;
            return Err(StoreError::LastOwner);
        }
    }
    verification::Entity::delete_many()
        .filter(verification::Column::Value.eq(user_id))
        .exec(&txn)
        .await
        .map_err(backend("deleting the user's tokens"))?;
    let done = user::Entity::delete_by_id(user_id.to_owned()).exec(&txn).await.map_err(backend("deleting user"))?;
    if done.rows_affected == 0 {
        txn.rollback().await.map_err(backend("rolling back"))?;
        return Ok(None);
    }
    let organizations: Vec<String> = memberships.iter().map(|m| m.organization_id.clone()).collect();
    let mut recorded: Vec<_> = memberships.iter().map(|m| events::member_removed(m, deletion.deleted_by)).collect();
    recorded.push(events::user_deleted(user_id, deletion.deleted_by, organizations.clone()));
    for event in &recorded {
        outbox::record(&txn, event).await.map_err(backend("recording event"))?;
    }
    txn.commit().await.map_err(backend("committing user deletion"))?;
    Ok(Some(DeletedUser { sessions, organizations }))
}

fn is_owner(m: &Member) -> bool {
    m.role.split(',').any(|r| r.trim() == "owner")
}

/// The user's memberships, read again after their organizations' rows are
/// locked (in id order, so two deletions cannot deadlock on them).
async fn memberships_locked(txn: &DatabaseTransaction, user_id: &str) -> Result<Vec<Member>, StoreError> {
    let read = || async {
        member::Entity::find()
            .filter(member::Column::UserId.eq(user_id))
            .all(txn)
            .await
            .map_err(backend("reading the user's memberships"))
    };
    let mut organizations: Vec<String> = read().await?.into_iter().map(|m| m.organization_id).collect();
    organizations.sort_unstable();
    for organization_id in &organizations {
        lock_organization(txn, organization_id).await?;
    }
    Ok(read().await?.into_iter().map(Member::from).collect())
}
