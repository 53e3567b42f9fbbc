//! The SQL adapter of [`InvoiceRepository`]: sea-orm entities over SQLite
//! and PostgreSQL, every statement scoped by `organization_id`. Numbers
//! (invoices at finalization, credit notes when issued) are the kernel's
//! gapless per-organization series, taken inside the changing transaction.

mod credit_notes;
mod entities;
mod rows;

use std::collections::HashMap;

use anyhow::Context;
use async_trait::async_trait;
use gremlin_kernel::inbox::{self, HandledEvent};
use gremlin_kernel::numbering::{self, DocumentNumber};
use gremlin_kernel::sql::micros;
use gremlin_kernel::{Cursor, EventEnvelope, FieldError, OrganizationId, Page, outbox};
use rust_decimal::Decimal;
use sea_orm::ActiveValue::NotSet;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};

use crate::model::{Invoice, InvoiceError, InvoiceId, InvoiceStatus};
use crate::ports::{Change, ChangeContext, ChangeRequest, InvoiceQuery, InvoiceRepository, RepositoryError};
use entities::{credit_note, invoice, line, payment};
use rows::{credit_note_row, invoice_from_rows, invoice_row, line_row, payment_row};
use time::{Date, Month, OffsetDateTime};

/// Invoices in the SQL database.
#[derive(Clone)]
pub struct SqlInvoiceRepository {
    db: DatabaseConnection,
}

impl SqlInvoiceRepository {
    /// A repository over `db`, whose migrations created the invoices tables.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// The invoice `id` of `organization`: the key every statement filters on.
fn key(organization: &OrganizationId, id: InvoiceId) -> Condition {
    Condition::all()
        .add(invoice::Column::OrganizationId.eq(organization.as_str()))
        .add(invoice::Column::Id.eq(id.to_string()))
}

async fn record(txn: &DatabaseTransaction, events: &[EventEnvelope]) -> anyhow::Result<()> {
    for event in events {
        outbox::record(txn, event).await.context("recording invoice event")?;
    }
    Ok(())
}

/// Replaces the lines of `invoice` (only drafts change them; rewriting is
/// cheaper than diffing at ≤ 500 lines).
async fn write_lines(txn: &DatabaseTransaction, invoice: &Invoice, replace: bool) -> anyhow::Result<()> {
    if replace {
        line::Entity::delete_many()
            .filter(line::Column::OrganizationId.eq(invoice.organization_id.as_str()))
            .filter(line::Column::InvoiceId.eq(invoice.id.to_string()))
            .exec(txn)
            .await
            .context("deleting invoice lines")?;
    }
    if !invoice.lines.is_empty() {
        line::Entity::insert_many(invoice.lines.iter().map(|l| line_row(invoice, l)))
            .exec_without_returning(txn)
            .await
            .context("inserting invoice lines")?;
    }
    Ok(())
}

/// Inserts new payments and credit notes and updates changed ones (refunds,
/// voids): upserts by id, all in one statement each.
async fn write_settlements(txn: &DatabaseTransaction, invoice: &Invoice) -> anyhow::Result<()> {
    if !invoice.payments.is_empty() {
        let refund = OnConflict::column(payment::Column::Id)
            .update_columns([payment::Column::RefundReason, payment::Column::RefundedAtUs])
            .to_owned();
        payment::Entity::insert_many(invoice.payments.iter().map(|p| payment_row(invoice, p)))
            .on_conflict(refund)
            .exec_without_returning(txn)
            .await
            .context("writing payments")?;
    }
    if !invoice.credit_notes.is_empty() {
        let void = OnConflict::column(credit_note::Column::Id).update_columns([credit_note::Column::Status]).to_owned();
        credit_note::Entity::insert_many(invoice.credit_notes.iter().map(|n| credit_note_row(invoice, n)))
            .on_conflict(void)
            .exec_without_returning(txn)
            .await
            .context("writing credit notes")?;
    }
    Ok(())
}

impl SqlInvoiceRepository {
    /// Reads invoices' rows with lines (one statement), then their payments
    /// and credit notes (one statement each), in `conn`.
    async fn load(
        &self,
        conn: &impl ConnectionTrait,
        rows: Vec<(invoice::Model, Vec<line::Model>)>,
    ) -> anyhow::Result<Vec<Invoice>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // Drafts have no payments or credit notes: no need to look.
        let ids: Vec<String> =
            rows.iter().filter(|(r, _)| r.status != InvoiceStatus::Draft.as_str()).map(|(r, _)| r.id.clone()).collect();
        let organization = rows[0].0.organization_id.clone();
        if ids.is_empty() {
            return rows
                .into_iter()
                .map(|(row, lines)| invoice_from_rows(row, lines, Vec::new(), Vec::new()))
                .collect();
        }
        let payments = payment::Entity::find()
            .filter(payment::Column::OrganizationId.eq(&organization))
            .filter(payment::Column::InvoiceId.is_in(ids.clone()))
            .order_by_asc(payment::Column::ReceivedAtUs)
            .order_by_asc(payment::Column::Id)
            .all(conn)
            .await
            .context("reading payments")?;
        let notes = credit_note::Entity::find()
            .filter(credit_note::Column::OrganizationId.eq(&organization))
            .filter(credit_note::Column::InvoiceId.is_in(ids))
            .order_by_asc(credit_note::Column::IssuedAtUs)
            .order_by_asc(credit_note::Column::Id)
            .all(conn)
            .await
            .context("reading credit notes")?;
        let mut payments = by_invoice(payments, |p| &p.invoice_id);
        let mut notes = by_invoice(notes, |n| &n.invoice_id);
        rows.into_iter()
            .map(|(row, lines)| {
                let mine = payments.remove(&row.id).unwrap_or_default();
                let my_notes = notes.remove(&row.id).unwrap_or_default();
                invoice_from_rows(row, lines, mine, my_notes)
            })
            .collect()
    }

    async fn read_one(
        &self,
        conn: &impl ConnectionTrait,
        organization: &OrganizationId,
        id: InvoiceId,
    ) -> anyhow::Result<Option<Invoice>> {
        let rows = invoice::Entity::find()
            .filter(key(organization, id))
            .find_with_related(line::Entity)
            .order_by_asc(line::Column::Position)
            .all(conn)
            .await
            .context("reading invoice")?;
        Ok(self.load(conn, rows).await?.pop())
    }

    /// What the other invoices (not void) of `order` have been paid: the
    /// part of the order's total paid that this change does not touch.
    async fn paid_on_order_elsewhere(
        &self,
        conn: &impl ConnectionTrait,
        organization: &OrganizationId,
        order: uuid::Uuid,
        except: InvoiceId,
    ) -> anyhow::Result<Decimal> {
        let others: Vec<String> = invoice::Entity::find()
            .select_only()
            .column(invoice::Column::Id)
            .filter(invoice::Column::OrganizationId.eq(organization.as_str()))
            .filter(invoice::Column::OrderId.eq(order.to_string()))
            .filter(invoice::Column::Id.ne(except.to_string()))
            .filter(invoice::Column::Status.ne(InvoiceStatus::Void.as_str()))
            .into_tuple()
            .all(conn)
            .await
            .context("reading the order's other invoices")?;
        if others.is_empty() {
            return Ok(Decimal::ZERO);
        }
        let amounts: Vec<String> = payment::Entity::find()
            .select_only()
            .column(payment::Column::Amount)
            .filter(payment::Column::OrganizationId.eq(organization.as_str()))
            .filter(payment::Column::InvoiceId.is_in(others))
            .filter(payment::Column::RefundedAtUs.is_null())
            .into_tuple()
            .all(conn)
            .await
            .context("reading the order's other payments")?;
        amounts.iter().try_fold(Decimal::ZERO, |sum, a| Ok(sum + gremlin_kernel::sql::decimal(a)?))
    }

    async fn current_version(
        &self,
        conn: &impl ConnectionTrait,
        organization: &OrganizationId,
        id: InvoiceId,
    ) -> Result<i64, RepositoryError> {
        invoice::Entity::find()
            .select_only()
            .column(invoice::Column::Version)
            .filter(key(organization, id))
            .into_tuple::<i64>()
            .one(conn)
            .await
            .context("reading invoice version")?
            .ok_or(RepositoryError::NotFound)
    }
}

/// `rows` grouped by the invoice they belong to, each group in order.
fn by_invoice<T>(rows: Vec<T>, invoice_id: impl Fn(&T) -> &String) -> HashMap<String, Vec<T>> {
    let mut groups: HashMap<String, Vec<T>> = HashMap::new();
    for row in rows {
        groups.entry(invoice_id(&row).clone()).or_default().push(row);
    }
    groups
}

/// Now, or for a number of a yearly series taken as the year turned, the
/// last instant of the number's year: a document never carries a number of
/// another year than its date.
fn time_of_number(number: Option<&DocumentNumber>) -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    match number.and_then(|n| n.year) {
        Some(year) if now.year() > year => Date::from_calendar_date(year, Month::December, 31)
            .map_or(now, |last| last.with_hms_micro(23, 59, 59, 999_999).map_or(now, |t| t.assume_utc())),
        _ => now,
    }
}

pub(crate) fn invalid_cursor(_: gremlin_kernel::DomainError) -> RepositoryError {
    RepositoryError::Invalid(InvoiceError::Invalid(vec![FieldError {
        field: "cursor".into(),
        message: "not a cursor returned by this list".into(),
    }]))
}

#[async_trait]
impl InvoiceRepository for SqlInvoiceRepository {
    async fn create(&self, invoice: &Invoice, events: &[EventEnvelope]) -> Result<(), RepositoryError> {
        let txn = self.db.begin().await.context("starting invoice transaction")?;
        invoice::Entity::insert(invoice_row(invoice))
            .exec_without_returning(&txn)
            .await
            .context("inserting invoice")?;
        write_lines(&txn, invoice, false).await?;
        record(&txn, events).await?;
        txn.commit().await.context("committing invoice")?;
        Ok(())
    }

    async fn create_once(&self, invoice: &Invoice, handled: &HandledEvent) -> Result<bool, RepositoryError> {
        let txn = self.db.begin().await.context("starting invoice transaction")?;
        if !inbox::claim(&txn, handled).await.context("claiming the event")? {
            return Ok(false);
        }
        invoice::Entity::insert(invoice_row(invoice))
            .exec_without_returning(&txn)
            .await
            .context("inserting invoice")?;
        write_lines(&txn, invoice, false).await?;
        txn.commit().await.context("committing invoice")?;
        Ok(true)
    }

    async fn get(&self, organization: &OrganizationId, id: InvoiceId) -> Result<Option<Invoice>, RepositoryError> {
        Ok(self.read_one(&self.db, organization, id).await?)
    }

    async fn change(
        &self,
        organization: &OrganizationId,
        id: InvoiceId,
        request: ChangeRequest,
        change: Change,
    ) -> Result<Invoice, RepositoryError> {
        let txn = self.db.begin().await.context("starting invoice transaction")?;
        // The first statement writes: SQLite takes its write lock at once
        // (a transaction that read first fails with SQLITE_BUSY when another
        // connection — the outbox relay — commits before it writes), and
        // PostgreSQL locks the row, so changes of one invoice queue.
        let touched = invoice::Entity::update_many()
            .col_expr(invoice::Column::Version, Expr::col(invoice::Column::Version))
            .filter(key(organization, id))
            .exec(&txn)
            .await
            .context("locking the invoice")?;
        if touched.rows_affected == 0 {
            return Err(RepositoryError::NotFound);
        }
        let mut invoice = self.read_one(&txn, organization, id).await?.ok_or(RepositoryError::NotFound)?;
        let loaded = invoice.version;
        if request.expected_version.is_some_and(|v| v != loaded) {
            return Err(RepositoryError::VersionConflict { current: loaded });
        }
        let lines_before = (invoice.status == InvoiceStatus::Draft).then(|| invoice.lines.clone());
        let paid_on_order_elsewhere = match invoice.order_id {
            Some(order) if request.order_payments => {
                self.paid_on_order_elsewhere(&txn, organization, order, id).await?
            }
            _ => Decimal::ZERO,
        };
        // A numbered change takes its number last of its reads: the counter
        // row is the lock concurrent finalizations queue on (numbers follow
        // the order in which they commit), held from here to the commit —
        // three statements (the number, the invoice, its events).
        let number = match &request.number {
            Some((series, format)) => Some(numbering::take_next_formatted(&txn, series, organization, format).await?),
            None => None,
        };
        let now = time_of_number(number.as_ref());
        let events = change(&mut invoice, ChangeContext { number, paid_on_order_elsewhere, now })?;
        if invoice.organization_id != *organization || invoice.id != id {
            return Err(RepositoryError::Backend(anyhow::anyhow!("a change moved an invoice to another key")));
        }
        let mut changes = invoice_row(&invoice);
        (changes.id, changes.organization_id) = (NotSet, NotSet);
        let updated = invoice::Entity::update_many()
            .set(changes)
            .filter(key(organization, id))
            .filter(invoice::Column::Version.eq(loaded))
            .exec(&txn)
            .await
            .context("updating invoice")?;
        if updated.rows_affected == 0 {
            let current = self.current_version(&txn, organization, id).await?;
            return Err(RepositoryError::VersionConflict { current });
        }
        // Only a draft's lines change, and only when it was edited.
        if lines_before.is_some_and(|before| before != invoice.lines) {
            write_lines(&txn, &invoice, true).await?;
        }
        write_settlements(&txn, &invoice).await?;
        record(&txn, &events).await?;
        txn.commit().await.context("committing invoice")?;
        Ok(invoice)
    }

    async fn delete(
        &self,
        organization: &OrganizationId,
        id: InvoiceId,
        expected_version: i64,
        events: &[EventEnvelope],
    ) -> Result<(), RepositoryError> {
        let txn = self.db.begin().await.context("starting invoice transaction")?;
        let deleted = invoice::Entity::delete_many()
            .filter(key(organization, id))
            .filter(invoice::Column::Version.eq(expected_version))
            .filter(invoice::Column::Status.eq(InvoiceStatus::Draft.as_str()))
            .exec(&txn)
            .await
            .context("deleting invoice")?;
        if deleted.rows_affected == 0 {
            let current = self.current_version(&txn, organization, id).await?;
            return Err(RepositoryError::VersionConflict { current });
        }
        line::Entity::delete_many()
            .filter(line::Column::OrganizationId.eq(organization.as_str()))
            .filter(line::Column::InvoiceId.eq(id.to_string()))
            .exec(&txn)
            .await
            .context("deleting invoice lines")?;
        record(&txn, events).await?;
        txn.commit().await.context("committing deletion")?;
        Ok(())
    }

    async fn list(
        &self,
        organization: &OrganizationId,
        query: &InvoiceQuery,
    ) -> Result<Page<Invoice>, RepositoryError> {
        let date = |d: time::Date| rows::date_text(Some(d)).unwrap_or_default();
        let mut find = invoice::Entity::find().filter(invoice::Column::OrganizationId.eq(organization.as_str()));
        if let Some(status) = query.status {
            find = find.filter(invoice::Column::Status.eq(status.as_str()));
        }
        if let Some(today) = query.overdue_on {
            find = find
                .filter(invoice::Column::Status.eq(InvoiceStatus::Open.as_str()))
                .filter(invoice::Column::DueDate.lt(date(today)));
        }
        if let Some(crm) = query.customer_crm_id {
            find = find.filter(invoice::Column::CustomerCrmId.eq(crm.to_string()));
        }
        if let Some(from) = query.issued_from {
            find = find.filter(invoice::Column::IssueDate.gte(date(from)));
        }
        if let Some(to) = query.issued_to {
            find = find.filter(invoice::Column::IssueDate.lte(date(to)));
        }
        if let Some(number) = &query.number {
            find = find.filter(invoice::Column::Number.eq(number.as_str()));
        }
        if let Some(order) = query.order_id {
            find = find.filter(invoice::Column::OrderId.eq(order.to_string()));
        }
        let after = |column: invoice::Column, value: sea_orm::Value| {
            if query.ascending { column.gt(value) } else { column.lt(value) }
        };
        // Numbers sort as text: one prefix per series and fixed-width
        // sequences; drafts (no number) are not in a by-number list.
        if query.sort_by_number {
            find = find.filter(invoice::Column::Number.is_not_null());
        }
        if let Some(cursor) = &query.cursor {
            find = if query.sort_by_number {
                let number: String = Cursor::decode(cursor).map_err(invalid_cursor)?;
                find.filter(after(invoice::Column::Number, number.into()))
            } else {
                let (at, id): (i64, String) = Cursor::decode(cursor).map_err(invalid_cursor)?;
                find.filter(
                    Condition::any().add(after(invoice::Column::CreatedAtUs, at.into())).add(
                        Condition::all()
                            .add(invoice::Column::CreatedAtUs.eq(at))
                            .add(after(invoice::Column::Id, id.into())),
                    ),
                )
            };
        }
        let direction = if query.ascending { sea_orm::Order::Asc } else { sea_orm::Order::Desc };
        find = if query.sort_by_number {
            find.order_by(invoice::Column::Number, direction)
        } else {
            find.order_by(invoice::Column::CreatedAtUs, direction.clone()).order_by(invoice::Column::Id, direction)
        };
        let limit = query.limit.clamp(1, 200);
        let rows = find.limit(u64::from(limit) + 1).all(&self.db).await.context("listing invoices")?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let lines = if ids.is_empty() {
            Vec::new()
        } else {
            line::Entity::find()
                .filter(line::Column::OrganizationId.eq(organization.as_str()))
                .filter(line::Column::InvoiceId.is_in(ids))
                .order_by_asc(line::Column::Position)
                .all(&self.db)
                .await
                .context("reading invoice lines")?
        };
        let mut lines = by_invoice(lines, |l| &l.invoice_id);
        let with_lines = rows
            .into_iter()
            .map(|row| {
                let mine = lines.remove(&row.id).unwrap_or_default();
                (row, mine)
            })
            .collect();
        let invoices = self.load(&self.db, with_lines).await?;
        let keyed = invoices
            .into_iter()
            .map(|i| {
                let cursor_key = if query.sort_by_number {
                    serde_json::json!(i.number.clone().unwrap_or_default())
                } else {
                    serde_json::json!((micros(i.created_at), i.id.to_string()))
                };
                (i, cursor_key)
            })
            .collect();
        Page::from_overfetch(keyed, limit as usize).map_err(|e| RepositoryError::Backend(anyhow::anyhow!("{e}")))
    }
}
