//! `DocumentStore`: schemaless JSON documents by collection (organization
//! settings, permission overrides) and append-only log entries with
//! retention (session logs, audit trails).

use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::page::Page;

/// Why the store refused an operation.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// A collection or field name is not allowed (`[a-z0-9_]`, 1–64 chars).
    #[error("invalid name `{0}`: use 1-64 characters of a-z, 0-9 and _")]
    InvalidName(String),
    /// The document is not a JSON object.
    #[error("documents must be JSON objects")]
    NotAnObject,
    /// The cursor was not produced by this store.
    #[error("invalid cursor")]
    InvalidCursor,
    /// The store cannot be reached.
    #[error("document store unavailable: {0}")]
    Unavailable(String),
    /// Anything else, with its cause.
    #[error(transparent)]
    Backend(#[from] anyhow::Error),
}

/// A stored document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Its id, unique in the collection.
    pub id: String,
    /// Its body, a JSON object.
    pub body: serde_json::Value,
}

/// Equality filters on top-level fields, all of which must match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentFilter {
    /// `(field, value)` pairs; values compare as JSON (strings, numbers, booleans).
    pub equals: Vec<(String, serde_json::Value)>,
}

impl DocumentFilter {
    /// Adds `field == value`.
    pub fn eq(mut self, field: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.equals.push((field.into(), value.into()));
        self
    }
}

/// One log entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    /// When it happened.
    pub time: OffsetDateTime,
    /// What happened, a JSON object.
    pub body: serde_json::Value,
}

/// A query over a log collection, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogQuery {
    /// Field equality filters on the body.
    pub filter: DocumentFilter,
    /// Only entries at or after this time.
    pub since: Option<OffsetDateTime>,
    /// Only entries before this time.
    pub until: Option<OffsetDateTime>,
    /// At most this many entries (capped at 500).
    pub limit: u32,
    /// Continue after this cursor from a previous page.
    pub cursor: Option<String>,
}

/// Largest page a log query returns.
pub const MAX_LOG_PAGE: u32 = 500;

/// Checks a collection or field name; adapters call it before using a name
/// in a query.
pub fn check_name(name: &str) -> Result<(), DocumentError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok { Ok(()) } else { Err(DocumentError::InvalidName(name.to_owned())) }
}

/// Documents and logs.
#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// Creates or replaces the document `id` in `collection`.
    async fn upsert(&self, collection: &str, id: &str, body: serde_json::Value) -> Result<(), DocumentError>;

    /// The document, if present.
    async fn get(&self, collection: &str, id: &str) -> Result<Option<Document>, DocumentError>;

    /// Deletes the document; true if it existed.
    async fn delete(&self, collection: &str, id: &str) -> Result<bool, DocumentError>;

    /// Documents matching `filter`, ordered by id, at most `limit`.
    async fn find(&self, collection: &str, filter: &DocumentFilter, limit: u32)
    -> Result<Vec<Document>, DocumentError>;

    /// Appends a log entry kept for `retention`, after which it disappears.
    async fn append_log(&self, collection: &str, entry: LogEntry, retention: Duration) -> Result<(), DocumentError>;

    /// Unexpired log entries matching the query, newest first.
    async fn query_log(&self, collection: &str, query: &LogQuery) -> Result<Page<LogEntry>, DocumentError>;

    /// Checks the store answers, for `/readyz`.
    async fn ping(&self) -> Result<(), DocumentError>;
}
