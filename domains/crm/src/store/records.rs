//! [`SqlRecords`]: every record kind's storage, generic over its
//! [`Table`]. Rows are read and written with portable statements
//! (`gremlin_kernel::sql`), so one implementation serves both backends.

use std::marker::PhantomData;

use anyhow::Context;
use async_trait::async_trait;
use gremlin_kernel::sql::{execute, from_micros, micros, query_all, query_one};
use gremlin_kernel::{Cursor, FieldError, OrganizationId, Page, UserId, outbox};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, QueryResult, TransactionTrait, Value};
use uuid::Uuid;

use super::lines;
use super::tables::{Reference, Table, Target, table_of};
use crate::model::{Audit, CrmError, Record};
use crate::ports::{ListQuery, RecordChange, RecordRepository, Recorded, RepositoryError};

/// The columns every record table has, before its own.
const SHARED: &[&str] = &[
    "id",
    "organization_id",
    "created_by",
    "created_at_us",
    "updated_by",
    "updated_at_us",
    "deleted_at_us",
    "version",
];

/// Records of kind `F` in the SQL database.
pub struct SqlRecords<F> {
    db: DatabaseConnection,
    kind: PhantomData<fn() -> F>,
}

impl<F> Clone for SqlRecords<F> {
    fn clone(&self) -> Self {
        Self { db: self.db.clone(), kind: PhantomData }
    }
}

impl<F: Table> SqlRecords<F> {
    /// Records over `db`, whose migrations created the CRM tables.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db, kind: PhantomData }
    }

    /// The database.
    pub(crate) fn db(&self) -> &DatabaseConnection {
        &self.db
    }
}

fn placeholders(from: usize, count: usize) -> String {
    (from..from + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

pub(crate) fn read_record<F: Table>(row: &QueryResult) -> anyhow::Result<Record<F>> {
    let text = |column: &str| row.try_get::<String>("", column).with_context(|| format!("reading `{column}`"));
    let id = text("id")?;
    Ok(Record {
        id: Uuid::parse_str(&id).with_context(|| format!("stored id `{id}`"))?,
        organization_id: OrganizationId::new(text("organization_id")?),
        fields: F::read(row)?,
        audit: Audit {
            created_by: UserId::new(text("created_by")?),
            created_at: from_micros(row.try_get("", "created_at_us")?)?,
            updated_by: UserId::new(text("updated_by")?),
            updated_at: from_micros(row.try_get("", "updated_at_us")?)?,
            deleted_at: row.try_get::<Option<i64>>("", "deleted_at_us")?.map(from_micros).transpose()?,
            version: row.try_get("", "version")?,
        },
    })
}

fn audit_values<F>(record: &Record<F>) -> Vec<Value> {
    let a = &record.audit;
    vec![a.updated_by.as_str().into(), micros(a.updated_at).into(), a.deleted_at.map(micros).into(), a.version.into()]
}

/// Records a change's events (outbox) and timeline lines in `txn`.
pub(crate) async fn record_all(
    txn: &DatabaseTransaction,
    organization: &OrganizationId,
    recorded: Recorded,
) -> anyhow::Result<()> {
    for event in &recorded.events {
        outbox::record(txn, event).await.context("recording a CRM event")?;
    }
    lines::append(txn, organization, &recorded.timeline).await
}

/// The record `id` of `organization`, live or deleted, read in `conn`.
pub(crate) async fn read_in<F: Table>(
    conn: &impl ConnectionTrait,
    organization: &OrganizationId,
    id: Uuid,
) -> anyhow::Result<Option<Record<F>>> {
    let sql = format!("SELECT * FROM {} WHERE organization_id = $1 AND id = $2", F::TABLE);
    let values = vec![organization.as_str().into(), id.to_string().into()];
    let row = query_one(conn, &sql, values).await?;
    row.as_ref().map(read_record).transpose()
}

/// Takes the lock on record `id` in `txn` by a write that changes nothing:
/// SQLite's write lock at once (a transaction that reads first fails with
/// SQLITE_BUSY when another connection commits before it writes) and
/// PostgreSQL's row lock, so changes of one record queue. Whether the
/// organization has the record.
pub(crate) async fn lock<F: Table>(
    txn: &DatabaseTransaction,
    organization: &OrganizationId,
    id: Uuid,
) -> anyhow::Result<bool> {
    let sql = format!("UPDATE {} SET version = version WHERE organization_id = $1 AND id = $2", F::TABLE);
    let values: Vec<Value> = vec![organization.as_str().into(), id.to_string().into()];
    Ok(execute(txn, &sql, values).await.context("locking a record")? == 1)
}

/// Records of `F` matching `filter` (SQL over the table's columns with
/// `$2…` placeholders for `values`; `$1` is the organization), in `order`.
pub(crate) async fn read_where<F: Table>(
    conn: &impl ConnectionTrait,
    organization: &OrganizationId,
    filter: &str,
    values: Vec<Value>,
    order: &str,
) -> anyhow::Result<Vec<Record<F>>> {
    let sql = format!("SELECT * FROM {} WHERE organization_id = $1 AND ({filter}) ORDER BY {order}", F::TABLE);
    let mut all: Vec<Value> = vec![organization.as_str().into()];
    all.extend(values);
    let rows = query_all(conn, &sql, all).await?;
    rows.iter().map(read_record).collect()
}

/// Refuses fields naming something the organization does not have (a
/// live record, a stage of the named pipeline).
pub(crate) async fn check_references<F: Table>(
    conn: &impl ConnectionTrait,
    record: &Record<F>,
) -> Result<(), RepositoryError> {
    let mut errors = Vec::new();
    for reference in record.fields.references() {
        let Reference { field, target, id } = reference;
        let (table, live, also) = match target {
            Target::Record(kind) => (table_of(kind), " AND deleted_at_us IS NULL", None),
            Target::StageOf(pipeline) => ("crm_stages", "", Some(pipeline)),
        };
        let mut values: Vec<Value> = vec![record.organization_id.as_str().into(), id.to_string().into()];
        let mut sql = format!("SELECT 1 FROM {table} WHERE organization_id = $1 AND id = $2{live}");
        if let Some(pipeline) = also {
            values.push(pipeline.to_string().into());
            sql.push_str(" AND pipeline_id = $3");
        }
        let found = query_one(conn, &sql, values).await;
        if found.context("checking a referenced record")?.is_none() {
            errors.push(FieldError { field: field.to_owned(), message: target.missing() });
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(CrmError::Invalid(errors).into()) }
}

/// Writes `record`, read at `read_version`, back in `conn`: false when
/// another change landed since (nothing written then).
pub(crate) async fn write_in<F: Table>(
    conn: &impl ConnectionTrait,
    record: &Record<F>,
    read_version: i64,
) -> anyhow::Result<bool> {
    let sets: Vec<String> = ["updated_by", "updated_at_us", "deleted_at_us", "version"]
        .iter()
        .chain(F::COLUMNS)
        .enumerate()
        .map(|(i, column)| format!("{column} = ${}", i + 4))
        .collect();
    let sql =
        format!("UPDATE {} SET {} WHERE organization_id = $1 AND id = $2 AND version = $3", F::TABLE, sets.join(", "));
    let mut values: Vec<Value> =
        vec![record.organization_id.as_str().into(), record.id.to_string().into(), read_version.into()];
    values.extend(audit_values(record));
    values.extend(record.fields.values());
    Ok(execute(conn, &sql, values).await.context("updating a record")? == 1)
}

impl<F: Table> SqlRecords<F> {
    /// Live records of the organization sharing a duplicate key with
    /// `record`, those matching more keys first, then oldest first.
    async fn duplicates_of(&self, conn: &impl ConnectionTrait, record: &Record<F>) -> anyhow::Result<Vec<Uuid>> {
        let keys = record.fields.duplicate_keys();
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let matches: Vec<String> =
            keys.iter().enumerate().map(|(i, (column, _))| format!("{column} = ${}", i + 2)).collect();
        let score: Vec<String> = matches.iter().map(|m| format!("CASE WHEN {m} THEN 1 ELSE 0 END")).collect();
        let sql = format!(
            "SELECT id FROM {} WHERE organization_id = $1 AND deleted_at_us IS NULL AND id <> ${} AND ({}) \
             ORDER BY {} DESC, created_at_us, id LIMIT 20",
            F::TABLE,
            keys.len() + 2,
            matches.join(" OR "),
            score.join(" + "),
        );
        let mut values: Vec<Value> = vec![record.organization_id.as_str().into()];
        values.extend(keys.into_iter().map(|(_, v)| Value::from(v)));
        values.push(record.id.to_string().into());
        let rows = query_all(conn, &sql, values).await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("", "id")?;
                Uuid::parse_str(&id).with_context(|| format!("stored id `{id}`"))
            })
            .collect()
    }
}

#[async_trait]
impl<F: Table> RecordRepository<F> for SqlRecords<F> {
    async fn create(
        &self,
        record: &Record<F>,
        refuse_duplicates: bool,
        recorded: Recorded,
    ) -> Result<(), RepositoryError> {
        let txn = self.db.begin().await.context("starting a transaction")?;
        // Inserting first takes SQLite's write lock at once; the checks
        // below then see every committed record (and leave this one out).
        let columns: Vec<&str> = SHARED.iter().chain(F::COLUMNS).copied().collect();
        let sql =
            format!("INSERT INTO {} ({}) VALUES ({})", F::TABLE, columns.join(", "), placeholders(1, columns.len()));
        let a = &record.audit;
        let mut values: Vec<Value> = vec![
            record.id.to_string().into(),
            record.organization_id.as_str().into(),
            a.created_by.as_str().into(),
            micros(a.created_at).into(),
        ];
        values.extend(audit_values(record));
        values.extend(record.fields.values());
        execute(&txn, &sql, values).await.context("inserting a record")?;
        check_references(&txn, record).await?;
        if refuse_duplicates {
            let duplicates = self.duplicates_of(&txn, record).await?;
            if !duplicates.is_empty() {
                return Err(RepositoryError::Duplicates(duplicates));
            }
        }
        record_all(&txn, &record.organization_id, recorded).await?;
        txn.commit().await.context("committing a new record")?;
        Ok(())
    }

    async fn get(&self, organization: &OrganizationId, id: Uuid) -> Result<Option<Record<F>>, RepositoryError> {
        Ok(read_in(&self.db, organization, id).await?)
    }

    async fn change(
        &self,
        organization: &OrganizationId,
        id: Uuid,
        expected_version: Option<i64>,
        change: RecordChange<F>,
    ) -> Result<Record<F>, RepositoryError> {
        let txn = self.db.begin().await.context("starting a transaction")?;
        if !lock::<F>(&txn, organization, id).await? {
            return Err(RepositoryError::NotFound);
        }
        let mut record = read_in::<F>(&txn, organization, id).await?.ok_or(RepositoryError::NotFound)?;
        let read_version = record.audit.version;
        if expected_version.is_some_and(|v| v != read_version) {
            return Err(RepositoryError::VersionConflict { current: read_version });
        }
        let recorded = change(&mut record)?;
        if record.audit.version == read_version {
            return Ok(record);
        }
        check_references(&txn, &record).await?;
        if !write_in(&txn, &record, read_version).await? {
            drop(txn);
            let current = read_in::<F>(&self.db, organization, id).await?.map_or(read_version, |r| r.audit.version);
            return Err(RepositoryError::VersionConflict { current });
        }
        record_all(&txn, organization, recorded).await?;
        txn.commit().await.context("committing a record change")?;
        Ok(record)
    }

    async fn list(&self, organization: &OrganizationId, query: &ListQuery) -> Result<Page<Record<F>>, RepositoryError> {
        let limit = query.limit.clamp(1, 200);
        let mut values: Vec<Value> = vec![organization.as_str().into()];
        let mut filters = vec![
            "organization_id = $1".to_owned(),
            format!("deleted_at_us IS {}NULL", if query.deleted { "NOT " } else { "" }),
        ];
        if let Some(owner) = &query.owner_id {
            values.push(owner.as_str().into());
            filters.push(format!("owner_id = ${}", values.len()));
        }
        for (column, value) in &query.equals {
            values.push(value.clone().into());
            filters.push(format!("{column} = ${}", values.len()));
        }
        for (column, null) in &query.is_null {
            filters.push(format!("{column} IS {}NULL", if *null { "" } else { "NOT " }));
        }
        let sort = if query.by_position { "position" } else { "created_at_us" };
        let (order, after) = if query.ascending { ("ASC", ">") } else { ("DESC", "<") };
        if let Some(cursor) = &query.cursor {
            let (at, id): (i64, String) = Cursor::decode(cursor).map_err(|_| {
                CrmError::Invalid(vec![FieldError {
                    field: "cursor".into(),
                    message: "not a cursor returned by this list; start again without it".into(),
                }])
            })?;
            values.push(at.into());
            values.push(id.into());
            let (a, i) = (values.len() - 1, values.len());
            filters.push(format!("({sort} {after} ${a} OR ({sort} = ${a} AND id {after} ${i}))"));
        }
        let sql = format!(
            "SELECT * FROM {} WHERE {} ORDER BY {sort} {order}, id {order} LIMIT {}",
            F::TABLE,
            filters.join(" AND "),
            limit + 1
        );
        let rows = query_all(&self.db, &sql, values).await;
        let keyed = rows
            .context("listing records")?
            .iter()
            .map(|row| {
                let record = read_record::<F>(row)?;
                let at: i64 = row.try_get("", sort).context("reading the sort key")?;
                let key = (at, record.id.to_string());
                Ok((record, key))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Page::from_overfetch(keyed, limit as usize).map_err(|e| RepositoryError::Backend(anyhow::anyhow!("{e}")))
    }
}
