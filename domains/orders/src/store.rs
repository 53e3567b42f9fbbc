//! The SQL adapter of [`OrderRepository`]: portable SQL over sea-orm's
//! connection (SQLite and PostgreSQL), every statement scoped by
//! `organization_id`. Numbers come from one counter row per organization,
//! incremented inside the creating transaction: concurrent creates queue on
//! that row and a rolled-back create gives its number back, so numbers are
//! gapless.

mod rows;

use std::str::FromStr;

use anyhow::Context;
use async_trait::async_trait;
use gremlin_kernel::inbox::{self, HandledEvent};
use gremlin_kernel::outbox::{self, micros, statement};
use gremlin_kernel::{Cursor, EventEnvelope, OrganizationId, Page};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait, Value};

use crate::model::number::DEFAULT_PREFIX;
use crate::model::{NumberPrefix, Order, OrderId, OrderNumber};
use crate::ports::{BuildOrder, OrderQuery, OrderRepository, RepositoryError};
use rows::{LINE_COLUMNS, ORDER_COLUMNS, line_values, order_from_row, order_values};

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

async fn exec(conn: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> anyhow::Result<u64> {
    let done = conn.execute_raw(statement(conn.get_database_backend(), sql, values)).await?;
    Ok(done.rows_affected())
}

async fn insert_lines(txn: &DatabaseTransaction, order: &Order) -> anyhow::Result<()> {
    let placeholders = (1..=15).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let sql = format!("INSERT INTO order_lines ({LINE_COLUMNS}) VALUES ({placeholders})");
    for line in &order.lines {
        exec(txn, &sql, line_values(order, line)).await.context("inserting order line")?;
    }
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
        let mut values: Vec<Value> = vec![organization.as_str().into()];
        let mut marks = Vec::new();
        for order in orders.iter() {
            values.push(order.id.to_string().into());
            marks.push(format!("${}", values.len()));
        }
        let sql = format!(
            "SELECT {LINE_COLUMNS} FROM order_lines WHERE organization_id = $1 AND order_id IN ({}) ORDER BY order_id, position",
            marks.join(", ")
        );
        let rows = self
            .db
            .query_all_raw(statement(self.db.get_database_backend(), &sql, values))
            .await
            .context("reading order lines")?;
        for row in rows {
            let (order_id, line) = rows::line_from_row(&row)?;
            if let Some(order) = orders.iter_mut().find(|o| o.id.to_string() == order_id) {
                order.lines.push(line);
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
        let stmt = statement(
            conn.get_database_backend(),
            "SELECT version FROM orders WHERE organization_id = $1 AND id = $2",
            vec![organization.as_str().into(), id.to_string().into()],
        );
        let row = conn.query_one_raw(stmt).await.context("reading order version")?;
        Ok(row.map(|r| r.try_get_by_index::<i64>(0)).transpose()?)
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
        let mut values = order_values(order);
        values[1] = organization.as_str().into();
        let columns: Vec<&str> = ORDER_COLUMNS.split(", ").collect();
        let assignments =
            columns.iter().enumerate().skip(2).map(|(i, c)| format!("{c} = ${}", i + 1)).collect::<Vec<_>>().join(", ");
        values.push(expected_version.into());
        let sql = format!(
            "UPDATE orders SET {assignments} WHERE id = $1 AND organization_id = $2 AND version = ${}",
            values.len()
        );
        if exec(txn, &sql, values).await.context("updating order")? == 0 {
            return Err(self.stale(txn, organization, order.id).await);
        }
        exec(
            txn,
            "DELETE FROM order_lines WHERE organization_id = $1 AND order_id = $2",
            vec![organization.as_str().into(), order.id.to_string().into()],
        )
        .await
        .context("replacing lines")?;
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
        let org: Value = organization.as_str().into();
        // The first statement writes, so SQLite takes its write lock at once
        // and concurrent creates queue on busy_timeout instead of failing.
        exec(&txn, "INSERT INTO order_number_sequences (organization_id, prefix, next_value) VALUES ($1, $2, 1) ON CONFLICT (organization_id) DO NOTHING", vec![org.clone(), DEFAULT_PREFIX.into()])
            .await
            .context("preparing the number sequence")?;
        exec(
            &txn,
            "UPDATE order_number_sequences SET next_value = next_value + 1 WHERE organization_id = $1",
            vec![org.clone()],
        )
        .await
        .context("taking an order number")?;
        let stmt = statement(
            txn.get_database_backend(),
            "SELECT next_value - 1, prefix FROM order_number_sequences WHERE organization_id = $1",
            vec![org],
        );
        let row =
            txn.query_one_raw(stmt).await.context("reading the order number")?.context("number sequence missing")?;
        let sequence: i64 = row.try_get_by_index(0).context("reading sequence")?;
        let prefix: String = row.try_get_by_index(1).context("reading prefix")?;
        let number = OrderNumber {
            prefix: NumberPrefix::parse(&prefix).unwrap_or_default(),
            sequence: u64::try_from(sequence).context("negative order number")?,
        };
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
        let placeholders = (1..=23).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        exec(&txn, &format!("INSERT INTO orders ({ORDER_COLUMNS}) VALUES ({placeholders})"), order_values(&order))
            .await
            .context("inserting order")?;
        insert_lines(&txn, &order).await?;
        record(&txn, &events).await?;
        txn.commit().await.context("committing order")?;
        Ok(order)
    }

    async fn get(&self, organization: &OrganizationId, id: OrderId) -> Result<Option<Order>, RepositoryError> {
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE organization_id = $1 AND id = $2");
        let stmt =
            statement(self.db.get_database_backend(), &sql, vec![organization.as_str().into(), id.to_string().into()]);
        let Some(row) = self.db.query_one_raw(stmt).await.context("reading order")? else { return Ok(None) };
        let mut orders = vec![order_from_row(&row)?];
        self.attach_lines(organization, &mut orders).await?;
        Ok(orders.pop())
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
        let key: Vec<Value> = vec![organization.as_str().into(), id.to_string().into()];
        let mut with_version = key.clone();
        with_version.push(expected_version.into());
        if exec(&txn, "DELETE FROM orders WHERE organization_id = $1 AND id = $2 AND version = $3", with_version)
            .await
            .context("deleting order")?
            == 0
        {
            let error = self.stale(&txn, organization, id).await;
            txn.rollback().await.context("rolling back")?;
            return Err(error);
        }
        exec(&txn, "DELETE FROM order_lines WHERE organization_id = $1 AND order_id = $2", key)
            .await
            .context("deleting lines")?;
        record(&txn, events).await?;
        txn.commit().await.context("committing deletion")?;
        Ok(())
    }

    async fn set_number_prefix(
        &self,
        organization: &OrganizationId,
        prefix: &NumberPrefix,
    ) -> Result<(), RepositoryError> {
        let sql = "INSERT INTO order_number_sequences (organization_id, prefix, next_value) VALUES ($1, $2, 1) \
                   ON CONFLICT (organization_id) DO UPDATE SET prefix = excluded.prefix";
        exec(&self.db, sql, vec![organization.as_str().into(), prefix.as_str().into()])
            .await
            .context("setting the number prefix")?;
        Ok(())
    }

    async fn list(&self, organization: &OrganizationId, query: &OrderQuery) -> Result<Page<Order>, RepositoryError> {
        let mut sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE organization_id = $1");
        let mut values: Vec<Value> = vec![organization.as_str().into()];
        let mut add = |sql: &mut String, condition: &str, value: Value| {
            values.push(value);
            sql.push_str(&format!(" AND {condition} ${}", values.len()));
        };
        if let Some(status) = query.status {
            add(&mut sql, "status =", status.as_str().into());
        }
        if let Some(payment) = query.payment_status {
            add(&mut sql, "payment_status =", payment.as_str().into());
        }
        if let Some(contact) = query.customer_contact_id {
            add(&mut sql, "customer_contact_id =", contact.to_string().into());
        }
        if let Some(from) = query.created_from_us {
            add(&mut sql, "created_at_us >=", from.into());
        }
        if let Some(to) = query.created_to_us {
            add(&mut sql, "created_at_us <", to.into());
        }
        if let Some(seq) = query.number_seq {
            add(&mut sql, "number_seq =", i64::try_from(seq).unwrap_or(i64::MAX).into());
        }
        let (direction, compare) = if query.ascending { ("ASC", ">") } else { ("DESC", "<") };
        if let Some(cursor) = &query.cursor {
            let invalid = |_| {
                RepositoryError::Invalid(crate::model::order::OrderError::Invalid(vec![gremlin_kernel::FieldError {
                    field: "cursor".into(),
                    message: "not a cursor returned by this list".into(),
                }]))
            };
            if query.sort_by_number {
                let seq: i64 = Cursor::decode(cursor).map_err(invalid)?;
                add(&mut sql, &format!("number_seq {compare}"), seq.into());
            } else {
                let (at, id): (i64, String) = Cursor::decode(cursor).map_err(invalid)?;
                values.push(at.into());
                values.push(id.into());
                let (a, i) = (values.len() - 1, values.len());
                sql.push_str(&format!(
                    " AND (created_at_us {compare} ${a} OR (created_at_us = ${a} AND id {compare} ${i}))"
                ));
            }
        }
        let order_by = if query.sort_by_number {
            format!("number_seq {direction}")
        } else {
            format!("created_at_us {direction}, id {direction}")
        };
        let limit = query.limit.clamp(1, 200);
        sql.push_str(&format!(" ORDER BY {order_by} LIMIT {}", limit + 1));
        let rows = self
            .db
            .query_all_raw(statement(self.db.get_database_backend(), &sql, values))
            .await
            .context("listing orders")?;
        // The sort key of each order, as the cursor after it.
        let key = |o: &Order| {
            if query.sort_by_number {
                serde_json::json!(i64::try_from(o.number.sequence).unwrap_or(i64::MAX))
            } else {
                serde_json::json!((micros(o.created_at), o.id.to_string()))
            }
        };
        let keyed = rows
            .iter()
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

/// Parses a stored decimal.
pub(crate) fn decimal(text: &str) -> anyhow::Result<rust_decimal::Decimal> {
    rust_decimal::Decimal::from_str(text).with_context(|| format!("stored amount `{text}` is not a decimal"))
}
