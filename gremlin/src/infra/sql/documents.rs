//! `DocumentStore` on SQL tables (`documents`, `document_logs`): the
//! embedded default. Bodies are JSON (jsonb with a GIN index on
//! PostgreSQL); field filters use `@>` there and `json_extract` on SQLite.
//! Retention: expired log rows are hidden from queries at once and deleted
//! in the background of later appends.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use gremlin_kernel::ports::documents::{MAX_LOG_PAGE, check_name};
use gremlin_kernel::sql::{from_micros, micros, now_micros, statement};
use gremlin_kernel::{Cursor, Document, DocumentError, DocumentFilter, DocumentStore, LogEntry, LogQuery, Page};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Value};

/// Largest `find` result.
const MAX_FIND: u32 = 1000;
/// Expired log rows are purged after every this many appends.
const PURGE_EVERY: u64 = 256;

/// Documents and logs in the SQL database.
pub struct SqlDocumentStore {
    db: DatabaseConnection,
    appends: AtomicU64,
}

impl SqlDocumentStore {
    /// A store over `db`, whose migrations created its tables.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db, appends: AtomicU64::new(0) }
    }

    fn backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    /// The SQL expression reading `body` as JSON text.
    fn body_text(&self) -> &'static str {
        if self.backend() == DatabaseBackend::Postgres { "body::text AS body" } else { "body" }
    }

    /// The SQL expression turning a text parameter into the body's type.
    fn json_param(&self, n: usize) -> String {
        if self.backend() == DatabaseBackend::Postgres { format!("CAST(${n} AS jsonb)") } else { format!("${n}") }
    }

    /// Appends `AND …` conditions for `filter` to `sql`, binding into `values`.
    fn push_filter(
        &self,
        filter: &DocumentFilter,
        sql: &mut String,
        values: &mut Vec<Value>,
    ) -> Result<(), DocumentError> {
        for (field, _) in &filter.equals {
            check_name(field)?;
        }
        if filter.equals.is_empty() {
            return Ok(());
        }
        if self.backend() == DatabaseBackend::Postgres {
            let object: serde_json::Map<String, serde_json::Value> = filter.equals.iter().cloned().collect();
            values.push(serde_json::Value::Object(object).to_string().into());
            sql.push_str(&format!(" AND body @> {}", self.json_param(values.len())));
        } else {
            for (field, value) in &filter.equals {
                values.push(value.to_string().into());
                sql.push_str(&format!(" AND json_extract(body, '$.{field}') = json_extract(${}, '$')", values.len()));
            }
        }
        Ok(())
    }

    async fn purge_expired_logs(&self) -> Result<(), DbErr> {
        let stmt =
            statement(self.backend(), "DELETE FROM document_logs WHERE expires_at_us <= $1", vec![now_micros().into()]);
        self.db.execute_raw(stmt).await.map(|_| ())
    }
}

fn backend_error(context: &'static str) -> impl FnOnce(DbErr) -> DocumentError {
    move |e| DocumentError::Backend(anyhow::Error::new(e).context(context))
}

fn object_text(body: &serde_json::Value) -> Result<String, DocumentError> {
    if body.is_object() { Ok(body.to_string()) } else { Err(DocumentError::NotAnObject) }
}

fn parse_body(text: &str) -> Result<serde_json::Value, DocumentError> {
    serde_json::from_str(text).context("decoding stored document").map_err(DocumentError::Backend)
}

#[async_trait]
impl DocumentStore for SqlDocumentStore {
    async fn upsert(&self, collection: &str, id: &str, body: serde_json::Value) -> Result<(), DocumentError> {
        check_name(collection)?;
        let sql = format!(
            "INSERT INTO documents (collection, id, body, updated_at_us) VALUES ($1, $2, {}, $4) \
             ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body, updated_at_us = excluded.updated_at_us",
            self.json_param(3)
        );
        let values = vec![collection.into(), id.into(), object_text(&body)?.into(), now_micros().into()];
        self.db
            .execute_raw(statement(self.backend(), &sql, values))
            .await
            .map_err(backend_error("upserting document"))?;
        Ok(())
    }

    async fn get(&self, collection: &str, id: &str) -> Result<Option<Document>, DocumentError> {
        check_name(collection)?;
        let sql = format!("SELECT {} FROM documents WHERE collection = $1 AND id = $2", self.body_text());
        let row = self
            .db
            .query_one_raw(statement(self.backend(), &sql, vec![collection.into(), id.into()]))
            .await
            .map_err(backend_error("reading document"))?;
        let Some(row) = row else { return Ok(None) };
        let text: String = row.try_get("", "body").map_err(backend_error("reading document body"))?;
        Ok(Some(Document { id: id.to_owned(), body: parse_body(&text)? }))
    }

    async fn delete(&self, collection: &str, id: &str) -> Result<bool, DocumentError> {
        check_name(collection)?;
        let stmt = statement(
            self.backend(),
            "DELETE FROM documents WHERE collection = $1 AND id = $2",
            vec![collection.into(), id.into()],
        );
        let done = self.db.execute_raw(stmt).await.map_err(backend_error("deleting document"))?;
        Ok(done.rows_affected() > 0)
    }

    async fn find(
        &self,
        collection: &str,
        filter: &DocumentFilter,
        limit: u32,
    ) -> Result<Vec<Document>, DocumentError> {
        check_name(collection)?;
        let mut sql = format!("SELECT id, {} FROM documents WHERE collection = $1", self.body_text());
        let mut values: Vec<Value> = vec![collection.into()];
        self.push_filter(filter, &mut sql, &mut values)?;
        sql.push_str(&format!(" ORDER BY id LIMIT {}", limit.min(MAX_FIND)));
        let rows = self
            .db
            .query_all_raw(statement(self.backend(), &sql, values))
            .await
            .map_err(backend_error("finding documents"))?;
        rows.into_iter()
            .map(|row| {
                let id: String = row.try_get("", "id").map_err(backend_error("reading document id"))?;
                let text: String = row.try_get("", "body").map_err(backend_error("reading document body"))?;
                Ok(Document { id, body: parse_body(&text)? })
            })
            .collect()
    }

    async fn append_log(&self, collection: &str, entry: LogEntry, retention: Duration) -> Result<(), DocumentError> {
        check_name(collection)?;
        let keep = i64::try_from(retention.as_micros()).unwrap_or(i64::MAX);
        let sql = format!(
            "INSERT INTO document_logs (collection, body, time_us, expires_at_us) VALUES ($1, {}, $3, $4)",
            self.json_param(2)
        );
        let values = vec![
            collection.into(),
            object_text(&entry.body)?.into(),
            micros(entry.time).into(),
            now_micros().saturating_add(keep).into(),
        ];
        self.db
            .execute_raw(statement(self.backend(), &sql, values))
            .await
            .map_err(backend_error("appending log entry"))?;
        if self.appends.fetch_add(1, Ordering::Relaxed) % PURGE_EVERY == PURGE_EVERY - 1
            && let Err(e) = self.purge_expired_logs().await
        {
            tracing::warn!(error = %e, "purging expired log entries failed; will retry");
        }
        Ok(())
    }

    async fn query_log(&self, collection: &str, query: &LogQuery) -> Result<Page<LogEntry>, DocumentError> {
        check_name(collection)?;
        let mut sql = format!(
            "SELECT seq, time_us, {} FROM document_logs WHERE collection = $1 AND expires_at_us > $2",
            self.body_text()
        );
        let mut values: Vec<Value> = vec![collection.into(), now_micros().into()];
        self.push_filter(&query.filter, &mut sql, &mut values)?;
        if let Some(since) = query.since {
            values.push(micros(since).into());
            sql.push_str(&format!(" AND time_us >= ${}", values.len()));
        }
        if let Some(until) = query.until {
            values.push(micros(until).into());
            sql.push_str(&format!(" AND time_us < ${}", values.len()));
        }
        if let Some(cursor) = &query.cursor {
            let (time_us, seq): (i64, i64) = Cursor::decode(cursor).map_err(|_| DocumentError::InvalidCursor)?;
            values.push(time_us.into());
            values.push(seq.into());
            let (t, s) = (values.len() - 1, values.len());
            sql.push_str(&format!(" AND (time_us < ${t} OR (time_us = ${t} AND seq < ${s}))"));
        }
        let limit = query.limit.clamp(1, MAX_LOG_PAGE);
        sql.push_str(&format!(" ORDER BY time_us DESC, seq DESC LIMIT {}", limit + 1));
        let rows = self
            .db
            .query_all_raw(statement(self.backend(), &sql, values))
            .await
            .map_err(backend_error("querying log"))?;
        let mut keyed = Vec::with_capacity(rows.len());
        for row in rows {
            let seq: i64 = row.try_get("", "seq").map_err(backend_error("reading log seq"))?;
            let time_us: i64 = row.try_get("", "time_us").map_err(backend_error("reading log time"))?;
            let text: String = row.try_get("", "body").map_err(backend_error("reading log body"))?;
            let time = from_micros(time_us).map_err(DocumentError::Backend)?;
            keyed.push((LogEntry { time, body: parse_body(&text)? }, (time_us, seq)));
        }
        Page::from_overfetch(keyed, limit as usize).map_err(|e| DocumentError::Backend(anyhow::anyhow!("{e}")))
    }

    async fn ping(&self) -> Result<(), DocumentError> {
        self.db.ping().await.map_err(|e| DocumentError::Unavailable(e.to_string()))
    }
}
