//! `organizationRole` rows: an organization's own roles. Every change
//! locks the organization's row first, as membership changes do, so a
//! role cannot be deleted while a member is being given it, and the name
//! and count checks see every committed change.

use std::collections::BTreeMap;

use gremlin_kernel::{EventEnvelope, outbox};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};

use super::entities::{invitation, member, organization_role};
use super::shared::{backend, lock_organization};
use crate::events;
use crate::model::custom_role::{MAX_ROLES_PER_ORGANIZATION, Statements};
use crate::model::{CustomRole, Member, Roles};
use crate::ports::StoreError;

impl From<organization_role::Model> for CustomRole {
    fn from(m: organization_role::Model) -> Self {
        // A row Better Auth wrote is JSON too; one that is not allows nothing.
        let permission: Statements = serde_json::from_str(&m.permission).unwrap_or_default();
        Self {
            id: m.id,
            organization_id: m.organization_id,
            name: m.role,
            permission,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

fn row(role: &CustomRole) -> Result<organization_role::ActiveModel, StoreError> {
    let permission = serde_json::to_string(&role.permission)
        .map_err(|e| StoreError::Backend(anyhow::Error::new(e).context("encoding a role's permission")))?;
    Ok(organization_role::ActiveModel {
        id: Set(role.id.clone()),
        organization_id: Set(role.organization_id.clone()),
        role: Set(role.name.clone()),
        permission: Set(permission),
        created_at: Set(role.created_at),
        updated_at: Set(role.updated_at),
    })
}

/// The organization's roles, by name.
pub(super) async fn list(db: &impl ConnectionTrait, organization_id: &str) -> Result<Vec<CustomRole>, StoreError> {
    let rows = organization_role::Entity::find()
        .filter(organization_role::Column::OrganizationId.eq(organization_id))
        .order_by_asc(organization_role::Column::Role)
        .all(db)
        .await
        .map_err(backend("reading the organization's roles"))?;
    Ok(rows.into_iter().map(CustomRole::from).collect())
}

/// What each role grants of the domains' permissions, by name (the
/// verifier merges it into the role overrides).
pub(super) async fn domain_grants(
    db: &DatabaseConnection,
    organization_id: &str,
) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
    Ok(list(db, organization_id).await?.into_iter().map(|r| (r.name.clone(), r.domain_permissions())).collect())
}

async fn locked(db: &DatabaseConnection, organization_id: &str) -> Result<DatabaseTransaction, StoreError> {
    let txn = db.begin().await.map_err(backend("starting a role change"))?;
    lock_organization(&txn, organization_id).await?;
    Ok(txn)
}

async fn name_taken(txn: &DatabaseTransaction, organization_id: &str, name: &str) -> Result<bool, StoreError> {
    let found = organization_role::Entity::find()
        .filter(organization_role::Column::OrganizationId.eq(organization_id))
        .filter(organization_role::Column::Role.eq(name))
        .count(txn)
        .await
        .map_err(backend("checking a role name"))?;
    Ok(found > 0)
}

async fn finish(txn: DatabaseTransaction, event: &EventEnvelope) -> Result<(), StoreError> {
    outbox::record(&txn, event).await.map_err(backend("recording event"))?;
    txn.commit().await.map_err(backend("committing a role change"))
}

/// See [`crate::ports::OrganizationStore::create_custom_role`].
pub(super) async fn create(
    db: &DatabaseConnection,
    role: &CustomRole,
    event: &EventEnvelope,
) -> Result<(), StoreError> {
    let txn = locked(db, &role.organization_id).await?;
    let count = organization_role::Entity::find()
        .filter(organization_role::Column::OrganizationId.eq(role.organization_id.as_str()))
        .count(&txn)
        .await
        .map_err(backend("counting roles"))?;
    if count >= MAX_ROLES_PER_ORGANIZATION {
        return Err(StoreError::TooManyRoles);
    }
    if name_taken(&txn, &role.organization_id, &role.name).await? {
        return Err(StoreError::RoleTaken);
    }
    organization_role::Entity::insert(row(role)?)
        .exec_without_returning(&txn)
        .await
        .map_err(backend("inserting a role"))?;
    finish(txn, event).await
}

/// Members of the organization holding the role `name`.
async fn holders(
    txn: &DatabaseTransaction,
    organization_id: &str,
    name: &str,
) -> Result<Vec<member::Model>, StoreError> {
    let rows = member::Entity::find()
        .filter(member::Column::OrganizationId.eq(organization_id))
        .filter(member::Column::Role.contains(name))
        .all(txn)
        .await
        .map_err(backend("reading a role's members"))?;
    Ok(rows.into_iter().filter(|m| Roles::from_stored(&m.role).has_custom(name)).collect())
}

/// `stored` with the role `from` renamed `to`.
fn renamed(stored: &str, from: &str, to: &str) -> String {
    let names: Vec<String> =
        stored.split(',').map(str::trim).map(|n| if n == from { to.to_owned() } else { n.to_owned() }).collect();
    Roles::from_stored(&names.join(",")).to_stored()
}

/// See [`crate::ports::OrganizationStore::update_custom_role`].
pub(super) async fn update(
    db: &DatabaseConnection,
    previous_name: &str,
    role: &CustomRole,
    event: &EventEnvelope,
) -> Result<Vec<Member>, StoreError> {
    let txn = locked(db, &role.organization_id).await?;
    let mut changed = Vec::new();
    if role.name != previous_name {
        if name_taken(&txn, &role.organization_id, &role.name).await? {
            return Err(StoreError::RoleTaken);
        }
        for m in holders(&txn, &role.organization_id, previous_name).await? {
            let previous = Member::from(m);
            let member = Member { role: renamed(&previous.role, previous_name, &role.name), ..previous.clone() };
            member::Entity::update_many()
                .col_expr(member::Column::Role, Expr::value(member.role.clone()))
                .filter(member::Column::Id.eq(member.id.as_str()))
                .exec(&txn)
                .await
                .map_err(backend("renaming a member's role"))?;
            outbox::record(&txn, &events::member_role_changed(&member, &previous.role))
                .await
                .map_err(backend("recording event"))?;
            changed.push(member);
        }
        let pending = invitation::Entity::find()
            .filter(invitation::Column::OrganizationId.eq(role.organization_id.as_str()))
            .filter(invitation::Column::Status.eq("pending"))
            .filter(invitation::Column::Role.contains(previous_name))
            .all(&txn)
            .await
            .map_err(backend("reading invitations"))?;
        for i in pending {
            let stored = i.role.as_deref().unwrap_or_default();
            if Roles::from_stored(stored).has_custom(previous_name) {
                invitation::Entity::update_many()
                    .col_expr(invitation::Column::Role, Expr::value(renamed(stored, previous_name, &role.name)))
                    .filter(invitation::Column::Id.eq(i.id))
                    .exec(&txn)
                    .await
                    .map_err(backend("renaming an invitation's role"))?;
            }
        }
    }
    let updated = organization_role::Entity::update(row(role)?).exec(&txn).await;
    updated.map_err(backend("updating a role"))?;
    finish(txn, event).await?;
    Ok(changed)
}

/// See [`crate::ports::OrganizationStore::delete_custom_role`].
pub(super) async fn delete(
    db: &DatabaseConnection,
    role: &CustomRole,
    event: &EventEnvelope,
) -> Result<(), StoreError> {
    let txn = locked(db, &role.organization_id).await?;
    if !holders(&txn, &role.organization_id, &role.name).await?.is_empty() {
        return Err(StoreError::RoleInUse);
    }
    let done = organization_role::Entity::delete_by_id(role.id.clone())
        .exec(&txn)
        .await
        .map_err(backend("deleting a role"))?;
    if done.rows_affected == 0 {
        return Err(StoreError::Conflict);
    }
    finish(txn, event).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renaming_keeps_the_other_roles_and_the_stored_order() {
        assert_eq!(renamed("member,cashier", "cashier", "till"), "member,till");
        assert_eq!(renamed("cashier", "cashier", "a-team"), "a-team");
        assert_eq!(renamed("admin,cashiers", "cashier", "till"), "admin,cashiers");
    }
}
