//! [`OrganizationStore`] on sea-orm: organizations, members, invitations.

use async_trait::async_trait;
use gremlin_kernel::{EventEnvelope, outbox};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, SqlErr, TransactionTrait,
};

use super::entities::{invitation, member, organization, session, user};
use super::shared::{backend, lock_organization, owners};
use super::sql::SqlIdentityStore;
use crate::model::{ApiKey, CustomRole, Member, Organization, User};
use crate::ports::{InvitationRecord, OrgRef, OrganizationStore, StoreError};

fn slug_or(context: &'static str) -> impl FnOnce(DbErr) -> StoreError {
    move |e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::SlugTaken,
        _ => backend(context)(e),
    }
}

impl From<organization::Model> for Organization {
    fn from(m: organization::Model) -> Self {
        let metadata = m.metadata.as_deref().and_then(|text| serde_json::from_str(text).ok());
        Self { id: m.id, name: m.name, slug: m.slug, logo: m.logo, created_at: m.created_at, metadata }
    }
}

impl From<member::Model> for Member {
    fn from(m: member::Model) -> Self {
        Self {
            id: m.id,
            organization_id: m.organization_id,
            user_id: m.user_id,
            role: m.role,
            created_at: m.created_at,
        }
    }
}

fn metadata_text(org: &Organization) -> Option<String> {
    org.metadata.as_ref().map(|m| serde_json::Value::Object(m.clone()).to_string())
}

async fn record_all(txn: &sea_orm::DatabaseTransaction, events: &[EventEnvelope]) -> Result<(), StoreError> {
    for event in events {
        outbox::record(txn, event).await.map_err(backend("recording event"))?;
    }
    Ok(())
}

#[async_trait]
impl OrganizationStore for SqlIdentityStore {
    async fn create_organization(
        &self,
        org: &Organization,
        owner: &Member,
        activate_on_session: Option<&str>,
        events: &[EventEnvelope],
    ) -> Result<(), StoreError> {
        let txn = self.db().begin().await.map_err(backend("starting transaction"))?;
        let row = organization::ActiveModel {
            id: Set(org.id.clone()),
            name: Set(org.name.clone()),
            slug: Set(org.slug.clone()),
            logo: Set(org.logo.clone()),
            created_at: Set(org.created_at),
            metadata: Set(metadata_text(org)),
        };
        organization::Entity::insert(row)
            .exec_without_returning(&txn)
            .await
            .map_err(slug_or("inserting organization"))?;
        let owner_row = member::ActiveModel {
            id: Set(owner.id.clone()),
            organization_id: Set(owner.organization_id.clone()),
            user_id: Set(owner.user_id.clone()),
            role: Set(owner.role.clone()),
            created_at: Set(owner.created_at),
        };
        member::Entity::insert(owner_row).exec_without_returning(&txn).await.map_err(backend("inserting owner"))?;
        if let Some(session_id) = activate_on_session {
            session::Entity::update_many()
                .col_expr(session::Column::ActiveOrganizationId, Expr::value(org.id.clone()))
                .filter(session::Column::Id.eq(session_id))
                .exec(&txn)
                .await
                .map_err(backend("activating organization"))?;
        }
        record_all(&txn, events).await?;
        txn.commit().await.map_err(backend("committing organization"))
    }

    async fn slug_taken(&self, slug: &str) -> Result<bool, StoreError> {
        let n = organization::Entity::find()
            .filter(organization::Column::Slug.eq(slug))
            .count(self.db())
            .await
            .map_err(backend("checking slug"))?;
        Ok(n > 0)
    }

    async fn find_organization(&self, org: OrgRef<'_>) -> Result<Option<Organization>, StoreError> {
        let query = match org {
            OrgRef::Id(id) => organization::Entity::find().filter(organization::Column::Id.eq(id)),
            OrgRef::Slug(slug) => organization::Entity::find().filter(organization::Column::Slug.eq(slug)),
        };
        Ok(query.one(self.db()).await.map_err(backend("reading organization"))?.map(Organization::from))
    }

    async fn organizations_of(&self, user_id: &str) -> Result<Vec<Organization>, StoreError> {
        let rows = member::Entity::find()
            .filter(member::Column::UserId.eq(user_id))
            .find_also_related(organization::Entity)
            .order_by_asc(member::Column::CreatedAt)
            .all(self.db())
            .await
            .map_err(backend("listing organizations"))?;
        Ok(rows.into_iter().filter_map(|(_, org)| org.map(Organization::from)).collect())
    }

    async fn membership(&self, organization_id: &str, user_id: &str) -> Result<Option<Member>, StoreError> {
        let row = member::Entity::find()
            .filter(member::Column::OrganizationId.eq(organization_id))
            .filter(member::Column::UserId.eq(user_id))
            .one(self.db())
            .await
            .map_err(backend("reading membership"))?;
        Ok(row.map(Member::from))
    }

    async fn set_active_organization(&self, session_id: &str, organization_id: Option<&str>) -> Result<(), StoreError> {
        session::Entity::update_many()
            .col_expr(session::Column::ActiveOrganizationId, Expr::value(organization_id.map(str::to_owned)))
            .filter(session::Column::Id.eq(session_id))
            .exec(self.db())
            .await
            .map_err(backend("setting active organization"))?;
        Ok(())
    }

    async fn update_organization(&self, org: &Organization) -> Result<(), StoreError> {
        organization::Entity::update_many()
            .col_expr(organization::Column::Name, Expr::value(org.name.clone()))
            .col_expr(organization::Column::Slug, Expr::value(org.slug.clone()))
            .col_expr(organization::Column::Logo, Expr::value(org.logo.clone()))
            .col_expr(organization::Column::Metadata, Expr::value(metadata_text(org)))
            .filter(organization::Column::Id.eq(org.id.clone()))
            .exec(self.db())
            .await
            .map_err(slug_or("updating organization"))?;
        Ok(())
    }

    async fn delete_organization(&self, organization_id: &str, event: &EventEnvelope) -> Result<(), StoreError> {
        let txn = self.db().begin().await.map_err(backend("starting transaction"))?;
        // Explicit deletes: SQLite enforces the cascades too, but a database
        // created elsewhere may lack them.
        invitation::Entity::delete_many()
            .filter(invitation::Column::OrganizationId.eq(organization_id))
            .exec(&txn)
            .await
            .map_err(backend("deleting invitations"))?;
        member::Entity::delete_many()
            .filter(member::Column::OrganizationId.eq(organization_id))
            .exec(&txn)
            .await
            .map_err(backend("deleting members"))?;
        session::Entity::update_many()
            .col_expr(session::Column::ActiveOrganizationId, Expr::value(Option::<String>::None))
            .filter(session::Column::ActiveOrganizationId.eq(organization_id))
            .exec(&txn)
            .await
            .map_err(backend("clearing active organization"))?;
        organization::Entity::delete_by_id(organization_id.to_owned())
            .exec(&txn)
            .await
            .map_err(backend("deleting organization"))?;
        record_all(&txn, std::slice::from_ref(event)).await?;
        txn.commit().await.map_err(backend("committing deletion"))
    }

    async fn list_members(
        &self,
        organization_id: &str,
        limit: u64,
        offset: u64,
    ) -> Result<(Vec<(Member, User)>, u64), StoreError> {
        let base = member::Entity::find().filter(member::Column::OrganizationId.eq(organization_id));
        let total = base.clone().count(self.db()).await.map_err(backend("counting members"))?;
        let rows = base
            .find_also_related(user::Entity)
            .order_by_asc(member::Column::CreatedAt)
            .order_by_asc(member::Column::Id)
            .limit(limit)
            .offset(offset)
            .all(self.db())
            .await
            .map_err(backend("listing members"))?;
        let members = rows.into_iter().filter_map(|(m, u)| u.map(|u| (Member::from(m), User::from(u)))).collect();
        Ok((members, total))
    }

    async fn find_member(&self, organization_id: &str, member_id_or_email: &str) -> Result<Option<Member>, StoreError> {
        let in_org = member::Entity::find().filter(member::Column::OrganizationId.eq(organization_id));
        let found = if member_id_or_email.contains('@') {
            in_org
                .find_also_related(user::Entity)
                .filter(user::Column::Email.eq(member_id_or_email.to_lowercase()))
                .one(self.db())
                .await
                .map_err(backend("finding member by e-mail"))?
                .map(|(m, _)| m)
        } else {
            in_org
                .filter(member::Column::Id.eq(member_id_or_email))
                .one(self.db())
                .await
                .map_err(backend("finding member"))?
        };
        Ok(found.map(Member::from))
    }

    async fn count_owners(&self, organization_id: &str) -> Result<u64, StoreError> {
        owners(self.db(), organization_id).await
    }

    async fn update_member_role(&self, m: &Member, event: &EventEnvelope) -> Result<(), StoreError> {
        let (txn, owners_before) = self.lock_owners(&m.organization_id).await?;
        member::Entity::update_many()
            .col_expr(member::Column::Role, Expr::value(m.role.clone()))
            .filter(member::Column::Id.eq(m.id.clone()))
            .exec(&txn)
            .await
            .map_err(backend("updating member role"))?;
        keep_an_owner(&txn, &m.organization_id, owners_before).await?;
        record_all(&txn, std::slice::from_ref(event)).await?;
        txn.commit().await.map_err(backend("committing role change"))
    }

    async fn remove_member(&self, m: &Member, event: &EventEnvelope) -> Result<(), StoreError> {
        let (txn, owners_before) = self.lock_owners(&m.organization_id).await?;
        member::Entity::delete_by_id(m.id.clone()).exec(&txn).await.map_err(backend("removing member"))?;
        keep_an_owner(&txn, &m.organization_id, owners_before).await?;
        session::Entity::update_many()
            .col_expr(session::Column::ActiveOrganizationId, Expr::value(Option::<String>::None))
            .filter(session::Column::UserId.eq(m.user_id.clone()))
            .filter(session::Column::ActiveOrganizationId.eq(m.organization_id.clone()))
            .exec(&txn)
            .await
            .map_err(backend("clearing active organization"))?;
        record_all(&txn, std::slice::from_ref(event)).await?;
        txn.commit().await.map_err(backend("committing removal"))
    }

    async fn custom_roles(&self, organization_id: &str) -> Result<Vec<CustomRole>, StoreError> {
        super::roles::list(self.db(), organization_id).await
    }

    async fn create_custom_role(&self, role: &CustomRole, event: &EventEnvelope) -> Result<(), StoreError> {
        super::roles::create(self.db(), role, event).await
    }

    async fn update_custom_role(
        &self,
        previous_name: &str,
        role: &CustomRole,
        event: &EventEnvelope,
    ) -> Result<Vec<Member>, StoreError> {
        super::roles::update(self.db(), previous_name, role, event).await
    }

    async fn delete_custom_role(&self, role: &CustomRole, event: &EventEnvelope) -> Result<(), StoreError> {
        super::roles::delete(self.db(), role, event).await
    }

    async fn insert_api_key(&self, key: &ApiKey, hash: &str) -> Result<(), StoreError> {
        super::api_keys::insert(self.db(), key, hash).await
    }

    async fn api_keys(&self, organization_id: &str) -> Result<Vec<ApiKey>, StoreError> {
        super::api_keys::list(self.db(), organization_id).await
    }

    async fn find_api_key(&self, organization_id: &str, id: &str) -> Result<Option<ApiKey>, StoreError> {
        super::api_keys::find(self.db(), organization_id, id).await
    }

    async fn update_api_key(&self, key: &ApiKey) -> Result<(), StoreError> {
        super::api_keys::update(self.db(), key).await
    }

    async fn delete_api_key(&self, organization_id: &str, id: &str) -> Result<bool, StoreError> {
        super::api_keys::delete(self.db(), organization_id, id).await
    }

    async fn list_invitations(&self, organization_id: &str) -> Result<Vec<InvitationRecord>, StoreError> {
        let rows = invitation::Entity::find()
            .filter(invitation::Column::OrganizationId.eq(organization_id))
            .order_by_desc(invitation::Column::CreatedAt)
            .all(self.db())
            .await
            .map_err(backend("listing invitations"))?;
        Ok(rows.into_iter().map(invitation_record).collect())
    }

    async fn user_email(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        let row = user::Entity::find_by_id(user_id.to_owned()).one(self.db()).await.map_err(backend("reading user"))?;
        Ok(row.map(|u| u.email))
    }

    async fn invitations_to(&self, email: &str) -> Result<Vec<(InvitationRecord, String)>, StoreError> {
        let rows = invitation::Entity::find()
            .filter(invitation::Column::Email.eq(email))
            .filter(invitation::Column::Status.eq("pending"))
            .order_by_desc(invitation::Column::CreatedAt)
            .all(self.db())
            .await
            .map_err(backend("listing a user's invitations"))?;
        let ids: Vec<String> = rows.iter().map(|i| i.organization_id.clone()).collect();
        let names: std::collections::HashMap<String, String> = organization::Entity::find()
            .filter(organization::Column::Id.is_in(ids))
            .all(self.db())
            .await
            .map_err(backend("reading the inviting organizations"))?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|i| {
                let name = names.get(&i.organization_id)?.clone();
                Some((invitation_record(i), name))
            })
            .collect())
    }

    async fn create_invitation(&self, invitation: &InvitationRecord) -> Result<(), StoreError> {
        self.create_invitation_row(invitation).await
    }

    async fn find_invitation(&self, id: &str) -> Result<Option<InvitationRecord>, StoreError> {
        self.find_invitation_row(id).await
    }

    async fn latest_invitation(
        &self,
        organization_id: &str,
        email: &str,
    ) -> Result<Option<InvitationRecord>, StoreError> {
        self.latest_invitation_row(organization_id, email).await
    }

    async fn extend_invitation(&self, id: &str, expires_at: time::OffsetDateTime) -> Result<(), StoreError> {
        self.update_invitation(id, None, Some(expires_at)).await
    }

    async fn set_invitation_status(&self, id: &str, status: &str) -> Result<(), StoreError> {
        self.update_invitation(id, Some(status), None).await
    }

    async fn accept_invitation(
        &self,
        invitation_id: &str,
        member: &Member,
        session_id: &str,
        event: &EventEnvelope,
    ) -> Result<(), StoreError> {
        self.accept_invitation_txn(invitation_id, member, session_id, event).await
    }
}

fn invitation_record(r: invitation::Model) -> InvitationRecord {
    InvitationRecord {
        id: r.id,
        organization_id: r.organization_id,
        email: r.email,
        role: r.role,
        status: r.status,
        expires_at: r.expires_at,
        created_at: r.created_at,
        inviter_id: r.inviter_id,
    }
}

impl SqlIdentityStore {
    pub(super) async fn create_invitation_row(&self, i: &InvitationRecord) -> Result<(), StoreError> {
        let row = invitation::ActiveModel {
            id: Set(i.id.clone()),
            organization_id: Set(i.organization_id.clone()),
            email: Set(i.email.clone()),
            role: Set(i.role.clone()),
            status: Set(i.status.clone()),
            expires_at: Set(i.expires_at),
            created_at: Set(i.created_at),
            inviter_id: Set(i.inviter_id.clone()),
        };
        invitation::Entity::insert(row)
            .exec_without_returning(self.db())
            .await
            .map_err(backend("inserting invitation"))?;
        Ok(())
    }

    pub(super) async fn find_invitation_row(&self, id: &str) -> Result<Option<InvitationRecord>, StoreError> {
        let row = invitation::Entity::find_by_id(id.to_owned())
            .one(self.db())
            .await
            .map_err(backend("reading invitation"))?;
        Ok(row.map(invitation_record))
    }

    pub(super) async fn latest_invitation_row(
        &self,
        organization_id: &str,
        email: &str,
    ) -> Result<Option<InvitationRecord>, StoreError> {
        let row = invitation::Entity::find()
            .filter(invitation::Column::OrganizationId.eq(organization_id))
            .filter(invitation::Column::Email.eq(email))
            .order_by_desc(invitation::Column::CreatedAt)
            .one(self.db())
            .await
            .map_err(backend("reading invitation"))?;
        Ok(row.map(invitation_record))
    }

    pub(super) async fn update_invitation(
        &self,
        id: &str,
        status: Option<&str>,
        expires_at: Option<time::OffsetDateTime>,
    ) -> Result<(), StoreError> {
        let mut update = invitation::Entity::update_many().filter(invitation::Column::Id.eq(id));
        if let Some(status) = status {
            update = update.col_expr(invitation::Column::Status, Expr::value(status.to_owned()));
        }
        if let Some(expires_at) = expires_at {
            update = update.col_expr(invitation::Column::ExpiresAt, Expr::value(expires_at));
        }
        update.exec(self.db()).await.map_err(backend("updating invitation"))?;
        Ok(())
    }

    pub(super) async fn accept_invitation_txn(
        &self,
        invitation_id: &str,
        m: &Member,
        session_id: &str,
        event: &EventEnvelope,
    ) -> Result<(), StoreError> {
        let txn = self.db().begin().await.map_err(backend("starting transaction"))?;
        // Only a still-pending invitation flips: a concurrent second accept
        // updates no row and is refused.
        let flipped = invitation::Entity::update_many()
            .col_expr(invitation::Column::Status, Expr::value("accepted"))
            .filter(invitation::Column::Id.eq(invitation_id))
            .filter(invitation::Column::Status.eq("pending"))
            .exec(&txn)
            .await
            .map_err(backend("accepting invitation"))?;
        if flipped.rows_affected == 0 {
            return Err(StoreError::Conflict);
        }
        let row = member::ActiveModel {
            id: Set(m.id.clone()),
            organization_id: Set(m.organization_id.clone()),
            user_id: Set(m.user_id.clone()),
            role: Set(m.role.clone()),
            created_at: Set(m.created_at),
        };
        member::Entity::insert(row).exec_without_returning(&txn).await.map_err(backend("adding member"))?;
        session::Entity::update_many()
            .col_expr(session::Column::ActiveOrganizationId, Expr::value(m.organization_id.clone()))
            .filter(session::Column::Id.eq(session_id))
            .exec(&txn)
            .await
            .map_err(backend("activating organization"))?;
        record_all(&txn, std::slice::from_ref(event)).await?;
        txn.commit().await.map_err(backend("committing acceptance"))
    }
}

fn session_identity(s: session::Model) -> crate::ports::SessionIdentity {
    crate::ports::SessionIdentity {
        user_id: s.user_id,
        session_id: s.id,
        active_organization_id: s.active_organization_id,
        expires_at: s.expires_at,
    }
}

#[async_trait]
impl crate::ports::MembershipReader for SqlIdentityStore {
    async fn session_identity(&self, token: &str) -> Result<Option<crate::ports::SessionIdentity>, StoreError> {
        let row = session::Entity::find()
            .filter(session::Column::Token.eq(token))
            .one(self.db())
            .await
            .map_err(backend("reading session"))?;
        Ok(row.map(session_identity))
    }

    async fn session_by_id(&self, session_id: &str) -> Result<Option<crate::ports::SessionIdentity>, StoreError> {
        let row = session::Entity::find_by_id(session_id.to_owned())
            .one(self.db())
            .await
            .map_err(backend("reading session"))?;
        Ok(row.map(session_identity))
    }

    async fn signing_key(&self, kid: &str) -> Result<Option<String>, StoreError> {
        let row = super::entities::jwks::Entity::find_by_id(kid.to_owned())
            .one(self.db())
            .await
            .map_err(backend("reading signing key"))?;
        Ok(row.map(|r| r.public_key))
    }

    async fn membership_of(
        &self,
        organization_id: &str,
        user_id: &str,
    ) -> Result<Option<crate::ports::Membership>, StoreError> {
        let row = member::Entity::find()
            .filter(member::Column::OrganizationId.eq(organization_id))
            .filter(member::Column::UserId.eq(user_id))
            .find_also_related(user::Entity)
            .one(self.db())
            .await
            .map_err(backend("reading membership"))?;
        Ok(row.and_then(|(m, u)| {
            u.map(|u| crate::ports::Membership {
                role: m.role,
                banned: u.banned.unwrap_or(false),
                ban_expires: u.ban_expires.map(|t| t.unix_timestamp()),
            })
        }))
    }

    async fn custom_role_grants(
        &self,
        organization_id: &str,
    ) -> Result<std::collections::BTreeMap<String, Vec<String>>, StoreError> {
        super::roles::domain_grants(self.db(), organization_id).await
    }

    async fn api_key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StoreError> {
        super::api_keys::by_hash(self.db(), hash).await
    }

    async fn record_api_key_use(&self, id: &str, now: time::OffsetDateTime) -> Result<(), StoreError> {
        super::api_keys::record_use(self.db(), id, now).await
    }
}

/// Fails with `LastOwner` when the organization had owners before this
/// transaction's change and has none after it; `txn` then rolls back.
async fn keep_an_owner(txn: &DatabaseTransaction, organization_id: &str, before: u64) -> Result<(), StoreError> {
    if before > 0 && owners(txn, organization_id).await? == 0 {
        return Err(StoreError::LastOwner);
    }
    Ok(())
}

impl SqlIdentityStore {
    /// Starts a transaction that changes memberships of `organization_id`
    /// with the organization locked ([`lock_organization`]); returns it
    /// with the owners counted under that lock.
    async fn lock_owners(&self, organization_id: &str) -> Result<(DatabaseTransaction, u64), StoreError> {
        let txn = self.db().begin().await.map_err(backend("starting transaction"))?;
        lock_organization(&txn, organization_id).await?;
        let before = owners(&txn, organization_id).await?;
        Ok((txn, before))
    }
}
