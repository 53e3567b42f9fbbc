//! [`IdentityStore`] on sea-orm. Writes that belong together (user, account,
//! first session, outbox event) share one transaction.

use anyhow::Context;
use async_trait::async_trait;
use gremlin_kernel::{EventEnvelope, outbox};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QueryResult, QuerySelect, QueryTrait, SqlErr, TransactionTrait,
};
use time::OffsetDateTime;

use super::entities::{account, jwks, session, user};
use super::shared::{backend, credential_row, revoke_in};
use crate::model::{Session, User};
use crate::ports::{DeletedUser, FoundSession, IdentityStore, SigningKeyRecord, StoreError, UserDeletion};

/// The member's role in the session's active organization, as a column of
/// the session query (quoted names read the same on both backends).
const ACTIVE_ROLE: &str = r#"(SELECT "m"."role" FROM "member" AS "m" WHERE "m"."organizationId" = "session"."activeOrganizationId" AND "m"."userId" = "session"."userId")"#;

/// One row of the session query: session (`A_` columns), user (`B_`) and
/// the active role.
struct SessionRow {
    session: session::Model,
    user: Option<user::Model>,
    active_role: Option<String>,
}

impl FromQueryResult for SessionRow {
    fn from_query_result(row: &QueryResult, _: &str) -> Result<Self, DbErr> {
        Ok(Self {
            session: session::Model::from_query_result(row, "A_")?,
            user: user::Model::from_query_result_optional(row, "B_")?,
            active_role: row.try_get("", "active_role")?,
        })
    }
}

/// Identity's tables in the SQL database.
#[derive(Clone)]
pub struct SqlIdentityStore {
    db: DatabaseConnection,
}

impl SqlIdentityStore {
    /// A store over `db`, whose migrations created Better Auth's tables.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub(super) fn db(&self) -> &DatabaseConnection {
        &self.db
    }
}

impl SqlIdentityStore {
    /// Deletes the sessions matching `which` and records one
    /// `identity.session.revoked` per user, in one transaction; the ids
    /// deleted.
    async fn revoke(&self, which: Condition) -> Result<Vec<String>, StoreError> {
        let txn = self.db.begin().await.map_err(backend("starting session revocation"))?;
        let ids = revoke_in(&txn, which).await?;
        txn.commit().await.map_err(backend("committing session revocation"))?;
        Ok(ids)
    }
}

impl From<user::Model> for User {
    fn from(m: user::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            email: m.email,
            email_verified: m.email_verified,
            image: m.image,
            created_at: m.created_at,
            updated_at: m.updated_at,
            role: m.role,
            banned: m.banned.unwrap_or(false),
            ban_reason: m.ban_reason,
            ban_expires: m.ban_expires,
            two_factor_enabled: m.two_factor_enabled.unwrap_or(false),
        }
    }
}

impl From<session::Model> for Session {
    fn from(m: session::Model) -> Self {
        Self {
            id: m.id,
            token: m.token,
            user_id: m.user_id,
            expires_at: m.expires_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
            ip_address: m.ip_address,
            user_agent: m.user_agent,
            active_organization_id: m.active_organization_id,
            impersonated_by: m.impersonated_by,
        }
    }
}

fn session_row(s: &Session) -> session::ActiveModel {
    session::ActiveModel {
        id: Set(s.id.clone()),
        expires_at: Set(s.expires_at),
        token: Set(s.token.clone()),
        created_at: Set(s.created_at),
        updated_at: Set(s.updated_at),
        ip_address: Set(s.ip_address.clone()),
        user_agent: Set(s.user_agent.clone()),
        user_id: Set(s.user_id.clone()),
        active_organization_id: Set(s.active_organization_id.clone()),
        impersonated_by: Set(s.impersonated_by.clone()),
    }
}

#[async_trait]
impl IdentityStore for SqlIdentityStore {
    async fn create_user(
        &self,
        u: &User,
        password_hash: &str,
        s: Option<&Session>,
        event: &EventEnvelope,
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await.map_err(backend("starting sign-up transaction"))?;
        let row = user::ActiveModel {
            id: Set(u.id.clone()),
            name: Set(u.name.clone()),
            email: Set(u.email.clone()),
            email_verified: Set(u.email_verified),
            image: Set(u.image.clone()),
            created_at: Set(u.created_at),
            updated_at: Set(u.updated_at),
            role: Set(u.role.clone()),
            banned: Set(Some(u.banned)),
            ban_reason: Set(u.ban_reason.clone()),
            ban_expires: Set(u.ban_expires),
            two_factor_enabled: Set(Some(u.two_factor_enabled)),
        };
        if let Err(e) = user::Entity::insert(row).exec_without_returning(&txn).await {
            return Err(match e.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::EmailTaken,
                _ => backend("inserting user")(e),
            });
        }
        account::Entity::insert(credential_row(&u.id, password_hash, u.created_at))
            .exec_without_returning(&txn)
            .await
            .map_err(backend("inserting credential"))?;
        if let Some(s) = s {
            session::Entity::insert(session_row(s))
                .exec_without_returning(&txn)
                .await
                .map_err(backend("inserting session"))?;
        }
        outbox::record(&txn, event).await.map_err(backend("recording user.created"))?;
        txn.commit().await.map_err(backend("committing sign-up"))?;
        Ok(())
    }

    async fn find_user_by_email(&self, email: &str) -> Result<Option<(User, Option<String>)>, StoreError> {
        let found = user::Entity::find()
            .filter(user::Column::Email.eq(email))
            .one(&self.db)
            .await
            .map_err(backend("finding user by e-mail"))?;
        let Some(row) = found else { return Ok(None) };
        let hash = self.password_hash(&row.id).await?;
        Ok(Some((row.into(), hash)))
    }

    async fn password_hash(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        let credential = account::Entity::find()
            .filter(account::Column::UserId.eq(user_id))
            .filter(account::Column::ProviderId.eq(account::CREDENTIAL))
            .one(&self.db)
            .await
            .map_err(backend("reading credential"))?;
        Ok(credential.and_then(|a| a.password))
    }

    async fn set_password_hash(&self, user_id: &str, hash: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        account::Entity::update_many()
            .col_expr(account::Column::Password, Expr::value(hash.to_owned()))
            .col_expr(account::Column::UpdatedAt, Expr::value(now))
            .filter(account::Column::UserId.eq(user_id))
            .filter(account::Column::ProviderId.eq(account::CREDENTIAL))
            .exec(&self.db)
            .await
            .map_err(backend("updating credential"))?;
        Ok(())
    }

    async fn clear_ban(&self, user_id: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        user::Entity::update_many()
            .col_expr(user::Column::Banned, Expr::value(false))
            .col_expr(user::Column::BanReason, Expr::value(Option::<String>::None))
            .col_expr(user::Column::BanExpires, Expr::value(Option::<OffsetDateTime>::None))
            .col_expr(user::Column::UpdatedAt, Expr::value(now))
            .filter(user::Column::Id.eq(user_id))
            .exec(&self.db)
            .await
            .map_err(backend("lifting expired ban"))?;
        Ok(())
    }

    async fn create_session(&self, s: &Session) -> Result<(), StoreError> {
        session::Entity::insert(session_row(s))
            .exec_without_returning(&self.db)
            .await
            .map_err(backend("inserting session"))?;
        Ok(())
    }

    async fn find_session(&self, token: &str) -> Result<Option<FoundSession>, StoreError> {
        let query = session::Entity::find()
            .filter(session::Column::Token.eq(token))
            .find_also_related(user::Entity)
            .expr_as(Expr::cust(ACTIVE_ROLE), "active_role")
            .build(self.db.get_database_backend());
        let found = SessionRow::find_by_statement(query).one(&self.db).await.map_err(backend("reading session"))?;
        Ok(found.and_then(|row| {
            Some(FoundSession { session: row.session.into(), user: row.user?.into(), active_role: row.active_role })
        }))
    }

    async fn refresh_session(
        &self,
        session_id: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        session::Entity::update_many()
            .col_expr(session::Column::ExpiresAt, Expr::value(expires_at))
            .col_expr(session::Column::UpdatedAt, Expr::value(now))
            .filter(session::Column::Id.eq(session_id))
            .exec(&self.db)
            .await
            .map_err(backend("refreshing session"))?;
        Ok(())
    }

    async fn delete_session(&self, token: &str, user_id: Option<&str>) -> Result<Vec<String>, StoreError> {
        let mut which = Condition::all().add(session::Column::Token.eq(token));
        if let Some(user_id) = user_id {
            which = which.add(session::Column::UserId.eq(user_id));
        }
        self.revoke(which).await
    }

    async fn delete_user_sessions(&self, user_id: &str, keep_token: Option<&str>) -> Result<Vec<String>, StoreError> {
        let mut which = Condition::all().add(session::Column::UserId.eq(user_id));
        if let Some(keep) = keep_token {
            which = which.add(session::Column::Token.ne(keep));
        }
        self.revoke(which).await
    }

    async fn list_sessions(&self, user_id: &str, now: OffsetDateTime) -> Result<Vec<Session>, StoreError> {
        let rows = session::Entity::find()
            .filter(session::Column::UserId.eq(user_id))
            .order_by_desc(session::Column::CreatedAt)
            .all(&self.db)
            .await
            .map_err(backend("listing sessions"))?;
        // Expiry is compared here rather than in SQL: SQLite stores times as
        // text, whose ordering is not guaranteed across writers.
        Ok(rows.into_iter().map(Session::from).filter(|s| s.expires_at > now).collect())
    }

    async fn insert_verification(
        &self,
        identifier: &str,
        value: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        super::verification::insert(self.db(), identifier, value, expires_at, now).await
    }

    async fn verification(&self, identifier: &str, now: OffsetDateTime) -> Result<Option<String>, StoreError> {
        super::verification::find(self.db(), identifier, now).await
    }

    async fn reset_password(
        &self,
        identifier: &str,
        hash: &str,
        now: OffsetDateTime,
        revoke_sessions: bool,
    ) -> Result<Option<(String, Vec<String>)>, StoreError> {
        super::verification::reset_password(self.db(), identifier, hash, now, revoke_sessions).await
    }

    async fn set_email(
        &self,
        user_id: &str,
        email: &str,
        verified: bool,
        now: OffsetDateTime,
    ) -> Result<Option<User>, StoreError> {
        let changes = crate::ports::UserChanges {
            email: Some(email.to_owned()),
            email_verified: Some(verified),
            ..crate::ports::UserChanges::default()
        };
        crate::ports::AdminStore::update_user(self, user_id, &changes, now).await
    }

    async fn mark_email_verified(&self, email: &str, now: OffsetDateTime) -> Result<Option<User>, StoreError> {
        super::verification::mark_email_verified(self.db(), email, now).await
    }

    async fn delete_user(&self, deletion: &UserDeletion<'_>) -> Result<Option<DeletedUser>, StoreError> {
        super::deletion::delete_user(self.db(), deletion).await
    }

    async fn latest_signing_key(&self) -> Result<Option<SigningKeyRecord>, StoreError> {
        Ok(self.signing_keys().await?.into_iter().next())
    }

    async fn insert_signing_key(&self, key: &SigningKeyRecord) -> Result<(), StoreError> {
        let row = jwks::ActiveModel {
            id: Set(key.id.clone()),
            public_key: Set(key.public_key.clone()),
            private_key: Set(key.private_key.clone()),
            created_at: Set(key.created_at),
            expires_at: Set(None),
            alg: Set(Some(crate::crypto::keys::ALG.to_owned())),
            crv: Set(Some(crate::crypto::keys::CRV.to_owned())),
        };
        jwks::Entity::insert(row).exec_without_returning(&self.db).await.map_err(backend("storing signing key"))?;
        Ok(())
    }

    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError> {
        let rows = jwks::Entity::find()
            .order_by_desc(jwks::Column::CreatedAt)
            .all(&self.db)
            .await
            .map_err(backend("reading signing keys"))?;
        Ok(rows
            .into_iter()
            .map(|r| SigningKeyRecord {
                id: r.id,
                public_key: r.public_key,
                private_key: r.private_key,
                created_at: r.created_at,
            })
            .collect())
    }

    async fn member_role(&self, organization_id: &str, user_id: &str) -> Result<Option<String>, StoreError> {
        let row = super::entities::member::Entity::find()
            .filter(super::entities::member::Column::OrganizationId.eq(organization_id))
            .filter(super::entities::member::Column::UserId.eq(user_id))
            .one(&self.db)
            .await
            .map_err(backend("reading member role"))?;
        Ok(row.map(|m| m.role))
    }

    async fn update_profile(
        &self,
        user_id: &str,
        name: Option<&str>,
        image: Option<Option<&str>>,
        now: OffsetDateTime,
    ) -> Result<Option<User>, StoreError> {
        let mut update = user::Entity::update_many().col_expr(user::Column::UpdatedAt, Expr::value(now));
        if let Some(name) = name {
            update = update.col_expr(user::Column::Name, Expr::value(name.to_owned()));
        }
        if let Some(image) = image {
            update = update.col_expr(user::Column::Image, Expr::value(image.map(str::to_owned)));
        }
        update.filter(user::Column::Id.eq(user_id)).exec(&self.db).await.map_err(backend("updating profile"))?;
        let row = user::Entity::find_by_id(user_id.to_owned()).one(&self.db).await.context("reading updated user")?;
        Ok(row.map(User::from))
    }
}
