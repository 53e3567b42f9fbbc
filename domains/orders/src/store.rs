//! The SQL adapter of [`OrderRepository`]: sea-orm entities over SQLite and
//! PostgreSQL, every statement scoped by `organization_id`. Numbers are the
//! kernel's gapless per-organization series (`gremlin_kernel::numbering`),
//! taken inside the creating transaction.

mod entities;
mod rows;

use anyhow::Context;
use async_trait::async_trait;
use gremlin_kernel::inbox::{self, HandledEvent};
use gremlin_kernel::sql::micros;
use gremlin_kernel::{Cursor, EventEnvelope, OrganizationId, Page, numbering, outbox};
use sea_orm::ActiveValue::NotSet;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};

use crate::model::number::SERIES;
use crate::model::{NumberPrefix, Order, OrderId};
use crate::ports::{BuildOrder, OrderQuery, OrderRepository, RepositoryError};
use entities::{line, order};
use rows::{line_from_row, line_row, order_from_row, order_row};

/// Orders in the SQL database.
#[derive(Clone)]
pub struct SqlOrderRepository {
    db: DatabaseConnection,
}

impl SqlOrderRepository {
    /// A repository over `db`, whose migrations created the orders tables.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// The order `id` of `organization`: the key every statement filters on.
fn key(organization: &OrganizationId, id: OrderId) -> Condition {
    Condition::all()
        .add(order::Column::OrganizationId.eq(organization.as_str()))
        .add(order::Column::Id.eq(id.to_string()))
}

/// Deletes the lines of order `id` of `organization` (before they are
/// replaced, or with the order).
async fn delete_lines(txn: &DatabaseTransaction, organization: &OrganizationId, id: OrderId) -> anyhow::Result<()> {
    line::Entity::delete_many()
        .filter(line::Column::OrganizationId.eq(organization.as_str()))
        .filter(line::Column::OrderId.eq(id.to_string()))
        .exec(txn)
        .await
        .context("deleting order lines")?;
    Ok(())
}

async fn insert_lines(txn: &DatabaseTransaction, order: &Order) -> anyhow::Result<()> {
    line::Entity::insert_many(order.lines.iter().map(|l| line_row(order, l)))
        .exec_without_returning(txn)
        .await
        .context("inserting order lines")?;
    Ok(())
}

async fn record(txn: &DatabaseTransaction, events: &[EventEnvelope]) -> anyhow::Result<()> {
    for event in events {
        outbox::record(txn, event).await.context("recording order event")?;
    }
    Ok(())
}

impl SqlOrderRepository {
    /// Loads the lines of `orders` (one query) and attaches them.
    async fn attach_lines(&self, organization: &OrganizationId, orders: &mut [Order]) -> anyhow::Result<()> {
        if orders.is_empty() {
            return Ok(());
        }
        let rows = line::Entity::find()
            .filter(line::Column::OrganizationId.eq(organization.as_str()))
            .filter(line::Column::OrderId.is_in(orders.iter().map(|o| o.id.to_string())))
            .order_by_asc(line::Column::OrderId)
            .order_by_asc(line::Column::Position)
            .all(&self.db)
            .await
            .context("reading order lines")?;
        for row in rows {
            let order_id = row.order_id.clone();
            if let Some(order) = orders.iter_mut().find(|o| o.id.to_string() == order_id) {
                order.lines.push(line_from_row(row)?);
            }
        }
        Ok(())
    }

    async fn current_version(
        &self,
        conn: &impl ConnectionTrait,
        organization: &OrganizationId,
        id: OrderId,
    ) -> anyhow::Result<Option<i64>> {
        let version = order::Entity::find()
            .select_only()
            .column(order::Column::Version)
            .filter(key(organization, id))
            .into_tuple::<i64>()
            .one(conn)
            .await
            .context("reading order version")?;
        Ok(version)
    }

    /// Updates the order row (version-checked, tenant from the caller),
    /// replaces its lines and records `events` in `txn`. Fails when the
    /// order is missing or stale; dropping `txn` then rolls it back.
    async fn update_in(
        &self,
        txn: &DatabaseTransaction,
        organization: &OrganizationId,
        order: &Order,
        expected_version: i64,
        events: &[EventEnvelope],
    ) -> Result<(), RepositoryError> {
        // The tenant is the caller's, never the one the order claims.
        if order.organization_id != *organization {
            return Err(RepositoryError::NotFound);
        }
        let mut changes = order_row(order);
        (changes.id, changes.organization_id) = (NotSet, NotSet);
        let updated = order::Entity::update_many()
            .set(changes)
            .filter(key(organization, order.id))
            .filter(order::Column::Version.eq(expected_version))
            .exec(txn)
            .await
            .context("updating order")?;
        if updated.rows_affected == 0 {
            return Err(self.stale(txn, organization, order.id).await);
        }
        delete_lines(txn, organization, order.id).await?;
        insert_lines(txn, order).await?;
        record(txn, events).await?;
        Ok(())
    }

    async fn stale(&self, txn: &DatabaseTransaction, organization: &OrganizationId, id: OrderId) -> RepositoryError {
        match self.current_version(txn, organization, id).await {
            Ok(Some(current)) => RepositoryError::VersionConflict { current },
            Ok(None) => RepositoryError::NotFound,
            Err(e) => RepositoryError::Backend(e),
        }
    }
}

#[async_trait]
impl OrderRepository for SqlOrderRepository {
    async fn create(&self, organization: &OrganizationId, build: BuildOrder) -> Result<Order, RepositoryError> {
        let txn = self.db.begin().await.context("starting order transaction")?;
        let number = numbering::take_next(&txn, &SERIES, organization).await?;
        let (order, events) = match build(number) {
            Ok(built) if built.0.organization_id == *organization => built,
            Ok(_) => {
                txn.rollback().await.context("rolling back")?;
                return Err(RepositoryError::Backend(anyhow::anyhow!("an order was built for another organization")));
            }
            Err(e) => {
                txn.rollback().await.context("rolling back")?;
                return Err(RepositoryError::Invalid(e));
            }
        };
        order::Entity::insert(order_row(&order)).exec_without_returning(&txn).await.context("inserting order")?;
        insert_lines(&txn, &order).await?;
        record(&txn, &events).await?;
        txn.commit().await.context("committing order")?;
        Ok(order)
    }

    async fn get(&self, organization: &OrganizationId, id: OrderId) -> Result<Option<Order>, RepositoryError> {
        // One statement: the order joined with its lines.
        let mut found = order::Entity::find()
            .filter(key(organization, id))
            .find_with_related(line::Entity)
            .order_by_asc(line::Column::Position)
            .all(&self.db)
            .await
            .context("reading order")?;
        let Some((row, lines)) = found.pop() else { return Ok(None) };
        let mut order = order_from_row(row)?;
        order.lines = lines.into_iter().map(line_from_row).collect::<anyhow::Result<_>>()?;
        Ok(Some(order))
    }

    async fn save(
        &self,
        organization: &OrganizationId,
        order: &Order,
        expected_version: i64,
        events: &[EventEnvelope],
    ) -> Result<(), RepositoryError> {
        let txn = self.db.begin().await.context("starting order transaction")?;
        self.update_in(&txn, organization, order, expected_version, events).await?;
        txn.commit().await.context("committing order")?;
        Ok(())
    }

    async fn save_handling(
        &self,
        organization: &OrganizationId,
        order: &Order,
        expected_version: i64,
        handled: &HandledEvent,
    ) -> Result<bool, RepositoryError> {
        let txn = self.db.begin().await.context("starting order transaction")?;
        if !inbox::claim(&txn, handled).await.context("recording the handled event")? {
            txn.rollback().await.context("rolling back")?;
            return Ok(false);
        }
        self.update_in(&txn, organization, order, expected_version, &[]).await?;
        txn.commit().await.context("committing order")?;
        Ok(true)
    }

    async fn delete(
        &self,
        organization: &OrganizationId,
        id: OrderId,
        expected_version: i64,
        events: &[EventEnvelope],
    ) -> Result<(), RepositoryError> {
        let txn = self.db.begin().await.context("starting order transaction")?;
        let deleted = order::Entity::delete_many()
            .filter(key(organization, id))
            .filter(order::Column::Version.eq(expected_version))
            .exec(&txn)
            .await
            .context("deleting order")?;
        if deleted.rows_affected == 0 {
            let error = self.stale(&txn, organization, id).await;
            txn.rollback().await.context("rolling back")?;
            return Err(error);
        }
        delete_lines(&txn, organization, id).await?;
        record(&txn, events).await?;
        txn.commit().await.context("committing deletion")?;
        Ok(())
    }

    async fn set_number_prefix(
        &self,
        organization: &OrganizationId,
        prefix: &NumberPrefix,
    ) -> Result<(), RepositoryError> {
        numbering::set_prefix(&self.db, &SERIES, organization, prefix).await?;
        Ok(())
    }

    async fn list(&self, organization: &OrganizationId, query: &OrderQuery) -> Result<Page<Order>, RepositoryError> {
        let mut find = order::Entity::find().filter(order::Column::OrganizationId.eq(organization.as_str()));
        if let Some(status) = query.status {
            find = find.filter(order::Column::Status.eq(status.as_str()));
        }
        if let Some(payment) = query.payment_status {
            find = find.filter(order::Column::PaymentStatus.eq(payment.as_str()));
        }
        if let Some(contact) = query.customer_contact_id {
            find = find.filter(order::Column::CustomerContactId.eq(contact.to_string()));
        }
        if let Some(from) = query.created_from_us {
            find = find.filter(order::Column::CreatedAtUs.gte(from));
        }
        if let Some(to) = query.created_to_us {
            find = find.filter(order::Column::CreatedAtUs.lt(to));
        }
        if let Some(seq) = query.number_seq {
            find = find.filter(order::Column::NumberSeq.eq(i64::try_from(seq).unwrap_or(i64::MAX)));
        }
        if let Some(cursor) = &query.cursor {
            let invalid = |_| {
                RepositoryError::Invalid(crate::model::order::OrderError::Invalid(vec![gremlin_kernel::FieldError {
                    field: "cursor".into(),
                    message: "not a cursor returned by this list".into(),
                }]))
            };
            // Keyset pagination: strictly after the cursor's sort key.
            let after = |column: order::Column, value: sea_orm::Value| {
                if query.ascending { column.gt(value) } else { column.lt(value) }
            };
            find = if query.sort_by_number {
                let seq: i64 = Cursor::decode(cursor).map_err(invalid)?;
                find.filter(after(order::Column::NumberSeq, seq.into()))
            } else {
                let (at, id): (i64, String) = Cursor::decode(cursor).map_err(invalid)?;
                find.filter(Condition::any().add(after(order::Column::CreatedAtUs, at.into())).add(
                    Condition::all().add(order::Column::CreatedAtUs.eq(at)).add(after(order::Column::Id, id.into())),
                ))
            };
        }
        let direction = if query.ascending { sea_orm::Order::Asc } else { sea_orm::Order::Desc };
        find = if query.sort_by_number {
            find.order_by(order::Column::NumberSeq, direction)
        } else {
            find.order_by(order::Column::CreatedAtUs, direction.clone()).order_by(order::Column::Id, direction)
        };
        let limit = query.limit.clamp(1, 200);
        let rows = find.limit(u64::from(limit) + 1).all(&self.db).await.context("listing orders")?;
        // The sort key of each order, as the cursor after it.
        let key = |o: &Order| {
            if query.sort_by_number {
                serde_json::json!(i64::try_from(o.number.sequence).unwrap_or(i64::MAX))
            } else {
                serde_json::json!((micros(o.created_at), o.id.to_string()))
            }
        };
        let keyed = rows
            .into_iter()
            .map(|row| {
                let order = order_from_row(row)?;
                let cursor_key = key(&order);
                Ok((order, cursor_key))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut page = Page::from_overfetch(keyed, limit as usize)
            .map_err(|e| RepositoryError::Backend(anyhow::anyhow!("{e}")))?;
        self.attach_lines(organization, &mut page.items).await?;
        Ok(page)
    }
}
