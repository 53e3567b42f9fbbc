//! [`TwoFactorStore`] on sea-orm: the `twoFactor` row, `user.twoFactorEnabled`
//! and compare-and-set writes on `verification` rows.

use async_trait::async_trait;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use time::OffsetDateTime;

use super::SqlIdentityStore;
use super::entities::{two_factor, user, verification};
use super::shared::backend;
use crate::model::two_factor::TRUSTED_DEVICE_PREFIX;
use crate::model::{User, id};
use crate::ports::{AdminStore, StoreError, TwoFactorRecord, TwoFactorStore};

#[async_trait]
impl TwoFactorStore for SqlIdentityStore {
    async fn user(&self, user_id: &str) -> Result<Option<User>, StoreError> {
        AdminStore::find_user(self, user_id).await
    }

    async fn two_factor(&self, user_id: &str) -> Result<Option<TwoFactorRecord>, StoreError> {
        let found = two_factor::Entity::find()
            .filter(two_factor::Column::UserId.eq(user_id))
            .one(self.db())
            .await
            .map_err(backend("reading two-factor secrets"))?;
        Ok(found.map(|row| TwoFactorRecord { secret: row.secret, backup_codes: row.backup_codes }))
    }

    async fn save_two_factor(&self, user_id: &str, record: &TwoFactorRecord) -> Result<(), StoreError> {
        let txn = self.db().begin().await.map_err(backend("starting two-factor set-up"))?;
        two_factor::Entity::delete_many()
            .filter(two_factor::Column::UserId.eq(user_id))
            .exec(&txn)
            .await
            .map_err(backend("deleting old two-factor secrets"))?;
        let row = two_factor::ActiveModel {
            id: Set(id::generate()),
            secret: Set(record.secret.clone()),
            backup_codes: Set(record.backup_codes.clone()),
            user_id: Set(user_id.to_owned()),
        };
        two_factor::Entity::insert(row)
            .exec_without_returning(&txn)
            .await
            .map_err(backend("inserting two-factor secrets"))?;
        txn.commit().await.map_err(backend("committing two-factor set-up"))?;
        Ok(())
    }

    async fn replace_backup_codes(&self, user_id: &str, old: &str, new: &str) -> Result<bool, StoreError> {
        let updated = two_factor::Entity::update_many()
            .col_expr(two_factor::Column::BackupCodes, Expr::value(new.to_owned()))
            .filter(two_factor::Column::UserId.eq(user_id))
            .filter(two_factor::Column::BackupCodes.eq(old))
            .exec(self.db())
            .await
            .map_err(backend("replacing backup codes"))?;
        Ok(updated.rows_affected > 0)
    }

    async fn set_two_factor_enabled(
        &self,
        user_id: &str,
        enabled: bool,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let txn = self.db().begin().await.map_err(backend("starting a two-factor change"))?;
        user::Entity::update_many()
            .col_expr(user::Column::TwoFactorEnabled, Expr::value(enabled))
            .col_expr(user::Column::UpdatedAt, Expr::value(now))
            .filter(user::Column::Id.eq(user_id))
            .exec(&txn)
            .await
            .map_err(backend("switching two-factor"))?;
        if !enabled {
            two_factor::Entity::delete_many()
                .filter(two_factor::Column::UserId.eq(user_id))
                .exec(&txn)
                .await
                .map_err(backend("deleting two-factor secrets"))?;
            verification::Entity::delete_many()
                .filter(verification::Column::Identifier.starts_with(TRUSTED_DEVICE_PREFIX))
                .filter(verification::Column::Value.eq(user_id))
                .exec(&txn)
                .await
                .map_err(backend("forgetting trusted devices"))?;
        }
        txn.commit().await.map_err(backend("committing a two-factor change"))?;
        Ok(())
    }

    async fn replace_verification(&self, identifier: &str, old: &str, new: &str) -> Result<bool, StoreError> {
        let updated = verification::Entity::update_many()
            .col_expr(verification::Column::Value, Expr::value(new.to_owned()))
            .filter(verification::Column::Identifier.eq(identifier))
            .filter(verification::Column::Value.eq(old))
            .exec(self.db())
            .await
            .map_err(backend("updating a verification row"))?;
        Ok(updated.rows_affected > 0)
    }

    async fn delete_verification(&self, identifier: &str) -> Result<bool, StoreError> {
        let deleted = verification::Entity::delete_many()
            .filter(verification::Column::Identifier.eq(identifier))
            .exec(self.db())
            .await
            .map_err(backend("consuming a verification row"))?;
        Ok(deleted.rows_affected > 0)
    }
}
