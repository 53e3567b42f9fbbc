//! `DocumentStore` on MongoDB (`documents.url = mongodb://HOST:27017/DB`).
//!
//! A document collection holds `{_id, body, updated_at}`; field filters
//! match `body.<field>`. A log collection (`session_logs`, …) holds
//! `{time, time_us, expires_at, body}` with a TTL index on `expires_at`,
//! so the server deletes entries once their retention has passed (queries
//! also hide expired ones at once, since the server sweeps about once a
//! minute), plus the indexes its queries use: newest first, and by
//! `body.user_id` / `body.organization_id` (what session-log queries filter
//! on). Indexes are created on a collection's first use by a process.
//!
//! JSON bodies are converted to BSON value by value (never read as
//! extended JSON, so a `$date` key in a body stays a key).

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use futures_util::TryStreamExt;
use gremlin_kernel::ports::documents::{MAX_LOG_PAGE, check_name};
use gremlin_kernel::sql::{from_micros, micros};
use gremlin_kernel::{Cursor, Document, DocumentError, DocumentFilter, DocumentStore, LogEntry, LogQuery, Page};
use mongodb::bson::{self, Bson, doc, oid::ObjectId};
use mongodb::options::{ClientOptions, IndexOptions};
use mongodb::{Collection, Database, IndexModel};

/// Largest `find` result, as on SQL.
const MAX_FIND: u32 = 1000;
/// Database used when the URL names none.
const DEFAULT_DATABASE: &str = "gremlin";
/// Log body fields with an index of their own.
const INDEXED_LOG_FIELDS: &[&str] = &["user_id", "organization_id"];

/// Documents and logs in a MongoDB database.
pub struct MongoDocumentStore {
    db: Database,
    indexed: Mutex<HashSet<String>>,
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> DocumentError {
    DocumentError::Unavailable(format!("{what}: {e}"))
}

impl MongoDocumentStore {
    /// A store on the database named in `url` (`gremlin` when it names
    /// none). Fails only for a malformed URL: the driver connects lazily,
    /// so a server that is down shows in `/readyz`.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let mut options =
            ClientOptions::parse(url).await.context("documents.url is not a MongoDB connection string")?;
        options.app_name.get_or_insert_with(|| "gremlin".to_owned());
        options.server_selection_timeout.get_or_insert(Duration::from_secs(3));
        options.connect_timeout.get_or_insert(Duration::from_secs(3));
        let name = options.default_database.clone().unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
        let client = mongodb::Client::with_options(options).context("building the MongoDB client")?;
        Ok(Self { db: client.database(&name), indexed: Mutex::new(HashSet::new()) })
    }

    /// Drops the whole database (tests clean up with it).
    pub async fn drop_database(&self) -> anyhow::Result<()> {
        self.db.drop().await.context("dropping the test database")
    }

    fn collection(&self, name: &str) -> Result<Collection<bson::Document>, DocumentError> {
        check_name(name)?;
        Ok(self.db.collection(name))
    }

    /// Creates a log collection's indexes once per process.
    async fn ensure_log_indexes(&self, name: &str, logs: &Collection<bson::Document>) -> Result<(), DocumentError> {
        if self.indexed.lock().map(|set| set.contains(name)).unwrap_or(false) {
            return Ok(());
        }
        let ttl = IndexOptions::builder().expire_after(Duration::ZERO).name("expires_at_ttl".to_owned()).build();
        let mut indexes = vec![
            IndexModel::builder().keys(doc! {"expires_at": 1}).options(ttl).build(),
            IndexModel::builder().keys(doc! {"time_us": -1, "_id": -1}).build(),
        ];
        for field in INDEXED_LOG_FIELDS {
            indexes.push(IndexModel::builder().keys(doc! {format!("body.{field}"): 1, "time_us": -1}).build());
        }
        logs.create_indexes(indexes).await.map_err(|e| unavailable("creating log indexes", e))?;
        if let Ok(mut set) = self.indexed.lock() {
            set.insert(name.to_owned());
        }
        Ok(())
    }
}

/// A JSON value as BSON, value by value.
fn to_bson(value: &serde_json::Value) -> Bson {
    match value {
        serde_json::Value::Null => Bson::Null,
        serde_json::Value::Bool(b) => Bson::Boolean(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Bson::Int64(i),
            None => Bson::Double(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Bson::String(s.clone()),
        serde_json::Value::Array(items) => Bson::Array(items.iter().map(to_bson).collect()),
        serde_json::Value::Object(map) => Bson::Document(map.iter().map(|(k, v)| (k.clone(), to_bson(v))).collect()),
    }
}

/// A stored BSON value as JSON (what [`to_bson`] wrote comes back equal).
fn to_json(value: Bson) -> serde_json::Value {
    match value {
        Bson::Null => serde_json::Value::Null,
        Bson::Boolean(b) => b.into(),
        Bson::Int32(i) => i.into(),
        Bson::Int64(i) => i.into(),
        Bson::Double(f) => serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, serde_json::Value::Number),
        Bson::String(s) => s.into(),
        Bson::Array(items) => items.into_iter().map(to_json).collect(),
        Bson::Document(d) => d.into_iter().map(|(k, v)| (k, to_json(v))).collect::<serde_json::Map<_, _>>().into(),
        // Types Gremlin never writes (dates, ids) read as their display text.
        other => serde_json::Value::String(other.to_string()),
    }
}

fn body_of(body: &serde_json::Value) -> Result<Bson, DocumentError> {
    if body.is_object() { Ok(to_bson(body)) } else { Err(DocumentError::NotAnObject) }
}

fn filter_of(filter: &DocumentFilter) -> Result<bson::Document, DocumentError> {
    let mut out = bson::Document::new();
    for (field, value) in &filter.equals {
        check_name(field)?;
        out.insert(format!("body.{field}"), to_bson(value));
    }
    Ok(out)
}

fn stored_body(mut stored: bson::Document) -> serde_json::Value {
    stored.remove("body").map_or_else(|| serde_json::json!({}), to_json)
}

fn backend(what: &'static str) -> impl FnOnce(mongodb::error::Error) -> DocumentError {
    move |e| DocumentError::Backend(anyhow::Error::new(e).context(what))
}

#[async_trait]
impl DocumentStore for MongoDocumentStore {
    async fn upsert(&self, collection: &str, id: &str, body: serde_json::Value) -> Result<(), DocumentError> {
        let docs = self.collection(collection)?;
        let replacement = doc! {"_id": id, "body": body_of(&body)?, "updated_at": bson::DateTime::now()};
        docs.replace_one(doc! {"_id": id}, replacement).upsert(true).await.map_err(backend("upserting document"))?;
        Ok(())
    }

    async fn get(&self, collection: &str, id: &str) -> Result<Option<Document>, DocumentError> {
        let docs = self.collection(collection)?;
        let found = docs.find_one(doc! {"_id": id}).await.map_err(backend("reading document"))?;
        Ok(found.map(|stored| Document { id: id.to_owned(), body: stored_body(stored) }))
    }

    async fn delete(&self, collection: &str, id: &str) -> Result<bool, DocumentError> {
        let docs = self.collection(collection)?;
        let done = docs.delete_one(doc! {"_id": id}).await.map_err(backend("deleting document"))?;
        Ok(done.deleted_count > 0)
    }

    async fn find(
        &self,
        collection: &str,
        filter: &DocumentFilter,
        limit: u32,
    ) -> Result<Vec<Document>, DocumentError> {
        let docs = self.collection(collection)?;
        let cursor = docs
            .find(filter_of(filter)?)
            .sort(doc! {"_id": 1})
            .limit(i64::from(limit.min(MAX_FIND)))
            .await
            .map_err(backend("finding documents"))?;
        let stored: Vec<bson::Document> = cursor.try_collect().await.map_err(backend("reading documents"))?;
        Ok(stored
            .into_iter()
            .map(|mut d| {
                let id = match d.remove("_id") {
                    Some(Bson::String(id)) => id,
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                Document { id, body: stored_body(d) }
            })
            .collect())
    }

    async fn append_log(&self, collection: &str, entry: LogEntry, retention: Duration) -> Result<(), DocumentError> {
        let logs = self.collection(collection)?;
        self.ensure_log_indexes(collection, &logs).await?;
        let keep_ms = i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
        let expires_at = bson::DateTime::from_millis(bson::DateTime::now().timestamp_millis().saturating_add(keep_ms));
        let time_us = micros(entry.time);
        let stored = doc! {
            "time": bson::DateTime::from_millis(time_us / 1000),
            "time_us": time_us,
            "expires_at": expires_at,
            "body": body_of(&entry.body)?,
        };
        logs.insert_one(stored).await.map_err(backend("appending log entry"))?;
        Ok(())
    }

    async fn query_log(&self, collection: &str, query: &LogQuery) -> Result<Page<LogEntry>, DocumentError> {
        let logs = self.collection(collection)?;
        let mut filter = filter_of(&query.filter)?;
        filter.insert("expires_at", doc! {"$gt": bson::DateTime::now()});
        let mut time = bson::Document::new();
        if let Some(since) = query.since {
            time.insert("$gte", micros(since));
        }
        if let Some(until) = query.until {
            time.insert("$lt", micros(until));
        }
        if !time.is_empty() {
            filter.insert("time_us", time);
        }
        if let Some(cursor) = &query.cursor {
            let (time_us, id): (i64, String) = Cursor::decode(cursor).map_err(|_| DocumentError::InvalidCursor)?;
            let id = ObjectId::parse_str(&id).map_err(|_| DocumentError::InvalidCursor)?;
            filter
                .insert("$or", vec![doc! {"time_us": {"$lt": time_us}}, doc! {"time_us": time_us, "_id": {"$lt": id}}]);
        }
        let limit = query.limit.clamp(1, MAX_LOG_PAGE);
        let cursor = logs
            .find(filter)
            .sort(doc! {"time_us": -1, "_id": -1})
            .limit(i64::from(limit) + 1)
            .await
            .map_err(backend("querying log"))?;
        let stored: Vec<bson::Document> = cursor.try_collect().await.map_err(backend("reading log entries"))?;
        let mut keyed = Vec::with_capacity(stored.len());
        for mut entry in stored {
            let time_us =
                entry.get_i64("time_us").context("log entry without time_us").map_err(DocumentError::Backend)?;
            let id =
                entry.get_object_id("_id").context("log entry without an ObjectId").map_err(DocumentError::Backend)?;
            let time = from_micros(time_us).map_err(DocumentError::Backend)?;
            let body = entry.remove("body").map_or_else(|| serde_json::json!({}), to_json);
            keyed.push((LogEntry { time, body }, (time_us, id.to_hex())));
        }
        Page::from_overfetch(keyed, limit as usize).map_err(|e| DocumentError::Backend(anyhow::anyhow!("{e}")))
    }

    async fn ping(&self) -> Result<(), DocumentError> {
        self.db.run_command(doc! {"ping": 1}).await.map(|_| ()).map_err(|e| unavailable("MongoDB ping", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trips_through_bson() {
        let body = serde_json::json!({
            "s": "x", "i": 12, "big": 9_007_199_254_740_993_i64, "f": 1.5, "b": true, "n": null,
            "a": [1, "two", {"three": 3}], "o": {"$date": "not a date", "k.dot": 1}
        });
        assert_eq!(to_json(to_bson(&body)), body);
    }

    #[test]
    fn extended_json_keys_stay_keys() {
        let body = serde_json::json!({"$oid": "5f1d7f3e2a3b4c5d6e7f8091"});
        assert!(matches!(to_bson(&body), Bson::Document(_)));
    }

    #[test]
    fn filters_match_body_fields_and_check_names() {
        let f = DocumentFilter::default().eq("org", "o1").eq("n", 3);
        assert_eq!(filter_of(&f).unwrap(), doc! {"body.org": "o1", "body.n": 3_i64});
        assert!(matches!(filter_of(&DocumentFilter::default().eq("$where", 1)), Err(DocumentError::InvalidName(_))));
    }
}
