//! [`AdminStore`] on sea-orm: the user list with search, filter, sort and
//! paging in SQL, and the administrative writes with their events.

use async_trait::async_trait;
use gremlin_kernel::{EventEnvelope, outbox};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr,
    TransactionTrait,
};
use time::OffsetDateTime;

use super::entities::{session, user};
use super::shared::backend;
use super::sql::SqlIdentityStore;
use crate::model::User;
use crate::model::admin::{TextOp, UserField, UserQuery, UserSort};
use crate::ports::{AdminStore, StoreError, UserChanges};

fn column(field: UserField) -> user::Column {
    match field {
        UserField::Email => user::Column::Email,
        UserField::Name => user::Column::Name,
        UserField::Role => user::Column::Role,
        UserField::Id => user::Column::Id,
    }
}

/// `%` and `_` in user input match themselves.
fn escape_like(value: &str) -> String {
    value.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

fn text_condition(field: UserField, op: TextOp, value: &str) -> SimpleExpr {
    let col = column(field);
    let lowered = || Expr::expr(Func::lower(Expr::col((user::Entity, col))));
    let pattern = |p: String| LikeExpr::new(p).escape('\\');
    let needle = escape_like(&value.to_lowercase());
    match op {
        TextOp::Eq => col.eq(value),
        TextOp::Ne => col.ne(value),
        TextOp::Contains => lowered().like(pattern(format!("%{needle}%"))),
        TextOp::StartsWith => lowered().like(pattern(format!("{needle}%"))),
        TextOp::EndsWith => lowered().like(pattern(format!("%{needle}"))),
    }
}

async fn record(txn: &sea_orm::DatabaseTransaction, event: &EventEnvelope) -> Result<(), StoreError> {
    outbox::record(txn, event).await.map_err(backend("recording event"))
}

#[async_trait]
impl AdminStore for SqlIdentityStore {
    async fn list_users(&self, query: &UserQuery) -> Result<(Vec<User>, u64), StoreError> {
        let mut condition = Condition::all();
        for (field, op, value) in &query.text {
            condition = condition.add(text_condition(*field, *op, value));
        }
        if let Some(banned) = query.banned {
            condition = condition.add(if banned {
                user::Column::Banned.eq(true)
            } else {
                Condition::any().add(user::Column::Banned.eq(false)).add(user::Column::Banned.is_null()).into()
            });
        }
        let filtered = user::Entity::find().filter(condition);
        let total = filtered.clone().count(self.db()).await.map_err(backend("counting users"))?;
        let (sort, descending) = query.sort;
        let order = if descending { Order::Desc } else { Order::Asc };
        let sort_column = match sort {
            UserSort::CreatedAt => user::Column::CreatedAt,
            UserSort::UpdatedAt => user::Column::UpdatedAt,
            UserSort::Name => user::Column::Name,
            UserSort::Email => user::Column::Email,
        };
        let mut select = filtered.order_by(sort_column, order.clone()).order_by(user::Column::Id, order);
        // SQLite accepts OFFSET only after a LIMIT.
        match (query.limit, query.offset) {
            (Some(limit), offset) => select = select.limit(limit).offset(offset),
            (None, 0) => {}
            (None, offset) => select = select.limit(i64::MAX as u64).offset(offset),
        }
        let rows = select.all(self.db()).await.map_err(backend("listing users"))?;
        Ok((rows.into_iter().map(User::from).collect(), total))
    }

    async fn find_user(&self, user_id: &str) -> Result<Option<User>, StoreError> {
        let row = user::Entity::find_by_id(user_id.to_owned()).one(self.db()).await.map_err(backend("reading user"))?;
        Ok(row.map(User::from))
    }

    async fn update_user(
        &self,
        user_id: &str,
        changes: &UserChanges,
        now: OffsetDateTime,
    ) -> Result<Option<User>, StoreError> {
        let mut update = user::Entity::update_many().col_expr(user::Column::UpdatedAt, Expr::value(now));
        if let Some(name) = &changes.name {
            update = update.col_expr(user::Column::Name, Expr::value(name.clone()));
        }
        if let Some(email) = &changes.email {
            update = update.col_expr(user::Column::Email, Expr::value(email.clone()));
        }
        if let Some(image) = &changes.image {
            update = update.col_expr(user::Column::Image, Expr::value(image.clone()));
        }
        if let Some(verified) = changes.email_verified {
            update = update.col_expr(user::Column::EmailVerified, Expr::value(verified));
        }
        update.filter(user::Column::Id.eq(user_id)).exec(self.db()).await.map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::EmailTaken,
            _ => backend("updating user")(e),
        })?;
        self.find_user(user_id).await
    }

    async fn set_role(
        &self,
        user_id: &str,
        role: &str,
        now: OffsetDateTime,
        event: &EventEnvelope,
    ) -> Result<Option<User>, StoreError> {
        let txn = self.db().begin().await.map_err(backend("starting transaction"))?;
        let done = user::Entity::update_many()
            .col_expr(user::Column::Role, Expr::value(role.to_owned()))
            .col_expr(user::Column::UpdatedAt, Expr::value(now))
            .filter(user::Column::Id.eq(user_id))
            .exec(&txn)
            .await
            .map_err(backend("setting role"))?;
        if done.rows_affected == 0 {
            return Ok(None);
        }
        record(&txn, event).await?;
        txn.commit().await.map_err(backend("committing role"))?;
        self.find_user(user_id).await
    }

    async fn set_ban(
        &self,
        user_id: &str,
        banned: bool,
        reason: Option<&str>,
        expires: Option<OffsetDateTime>,
        now: OffsetDateTime,
        event: &EventEnvelope,
    ) -> Result<Option<User>, StoreError> {
        let txn = self.db().begin().await.map_err(backend("starting transaction"))?;
        let done = user::Entity::update_many()
            .col_expr(user::Column::Banned, Expr::value(banned))
            .col_expr(user::Column::BanReason, Expr::value(reason.map(str::to_owned)))
            .col_expr(user::Column::BanExpires, Expr::value(expires))
            .col_expr(user::Column::UpdatedAt, Expr::value(now))
            .filter(user::Column::Id.eq(user_id))
            .exec(&txn)
            .await
            .map_err(backend("setting ban"))?;
        if done.rows_affected == 0 {
            return Ok(None);
        }
        if banned {
            session::Entity::delete_many()
                .filter(session::Column::UserId.eq(user_id))
                .exec(&txn)
                .await
                .map_err(backend("revoking sessions"))?;
        }
        record(&txn, event).await?;
        txn.commit().await.map_err(backend("committing ban"))?;
        self.find_user(user_id).await
    }
}
