//! Timelines: other domains' events written once each, and a record's
//! timeline read with its notes and tasks.

use anyhow::Context;
use async_trait::async_trait;
use gremlin_kernel::inbox::{self, HandledEvent};
use gremlin_kernel::sql::{from_micros, micros, query_all, query_one};
use gremlin_kernel::{Cursor, FieldError, OrganizationId, Page, UserId};
use sea_orm::{DatabaseConnection, QueryResult, TransactionTrait, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::lines::append;
use super::tables::table_of;
use crate::model::{Activity, CrmError, RecordKind};
use crate::ports::{EntryKind, RepositoryError, TimelineEntry, TimelineItem, TimelineReader};

/// Timelines in the SQL database: `crm_timeline` lines and the live notes
/// and tasks of `crm_activities`, merged newest first.
#[derive(Clone)]
pub struct SqlTimeline {
    db: DatabaseConnection,
}

impl SqlTimeline {
    /// Timelines over `db`, whose migrations created the CRM tables.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn read_entry(row: &QueryResult) -> anyhow::Result<TimelineEntry> {
    let text = |column: &str| row.try_get::<String>("", column).with_context(|| format!("reading `{column}`"));
    let (kind, record_kind, data) = (text("kind")?, text("record_kind")?, text("data")?);
    Ok(TimelineEntry {
        id: Uuid::parse_str(&text("id")?).context("stored timeline id")?,
        record_kind: RecordKind::parse(&record_kind).with_context(|| format!("stored record kind `{record_kind}`"))?,
        record_id: Uuid::parse_str(&text("record_id")?).context("stored record id")?,
        kind: EntryKind::parse(&kind).with_context(|| format!("stored timeline kind `{kind}`"))?,
        occurred_at: from_micros(row.try_get("", "occurred_at_us")?)?,
        actor: UserId::new(text("actor")?),
        data: serde_json::from_str(&data).context("stored timeline data")?,
    })
}

/// The sort key of a timeline item: (microseconds, id).
fn key_of(item: &TimelineItem) -> (i64, String) {
    match item {
        TimelineItem::Entry(e) => (micros(e.occurred_at), e.id.to_string()),
        TimelineItem::Activity(a) => (micros(a.audit.created_at), a.id.to_string()),
    }
}

#[async_trait]
impl TimelineReader for SqlTimeline {
    async fn timeline(
        &self,
        organization: &OrganizationId,
        kind: RecordKind,
        id: Uuid,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<Page<TimelineItem>, RepositoryError> {
        let limit = limit.clamp(1, 200);
        let mut values: Vec<Value> = vec![organization.as_str().into(), kind.as_str().into(), id.to_string().into()];
        let (mut entries_after, mut activities_after) = (String::new(), String::new());
        if let Some(cursor) = cursor {
            let (at, last): (i64, String) = Cursor::decode(&cursor).map_err(|_| {
                CrmError::Invalid(vec![FieldError {
                    field: "cursor".into(),
                    message: "not a cursor returned by this timeline; start again without it".into(),
                }])
            })?;
            values.push(at.into());
            values.push(last.into());
            entries_after = " AND (occurred_at_us < $4 OR (occurred_at_us = $4 AND id < $5))".into();
            activities_after = " AND (created_at_us < $4 OR (created_at_us = $4 AND id < $5))".into();
        }
        let take = limit + 1;
        let entries_sql = format!(
            "SELECT * FROM crm_timeline WHERE organization_id = $1 AND record_kind = $2 AND record_id = $3\
             {entries_after} ORDER BY occurred_at_us DESC, id DESC LIMIT {take}"
        );
        let rows = query_all(&self.db, &entries_sql, values.clone()).await;
        let mut items: Vec<TimelineItem> = rows
            .context("reading a timeline")?
            .iter()
            .map(|row| read_entry(row).map(TimelineItem::Entry))
            .collect::<anyhow::Result<_>>()?;
        let activities_filter =
            format!("record_kind = $2 AND record_id = $3 AND deleted_at_us IS NULL{activities_after}");
        let order = format!("created_at_us DESC, id DESC LIMIT {take}");
        let activities: Vec<Activity> =
            super::records::read_where(&self.db, organization, &activities_filter, values[1..].to_vec(), &order)
                .await?;
        items.extend(activities.into_iter().map(TimelineItem::Activity));
        let mut keyed: Vec<(TimelineItem, (i64, String))> = items
            .into_iter()
            .map(|item| {
                let key = key_of(&item);
                (item, key)
            })
            .collect();
        keyed.sort_by(|a, b| b.1.cmp(&a.1));
        keyed.truncate(take as usize);
        Page::from_overfetch(keyed, limit as usize).map_err(|e| RepositoryError::Backend(anyhow::anyhow!("{e}")))
    }

    async fn append_event(
        &self,
        organization: &OrganizationId,
        crm_id: Uuid,
        occurred_at: OffsetDateTime,
        data: serde_json::Value,
        handled: &HandledEvent,
    ) -> Result<bool, RepositoryError> {
        let txn = self.db.begin().await.context("starting a transaction")?;
        // Claiming first writes first (SQLite's write lock at once); a
        // claim for no record is rolled back with the transaction.
        if !inbox::claim(&txn, handled).await.context("claiming an event")? {
            return Ok(false);
        }
        let mut kind = None;
        for candidate in [RecordKind::Company, RecordKind::Person] {
            let sql = format!("SELECT 1 FROM {} WHERE organization_id = $1 AND id = $2", table_of(candidate));
            let values: Vec<Value> = vec![organization.as_str().into(), crm_id.to_string().into()];
            let found = query_one(&txn, &sql, values).await;
            if found.context("finding a CRM record")?.is_some() {
                kind = Some(candidate);
                break;
            }
        }
        let Some(record_kind) = kind else { return Ok(false) };
        let entry = TimelineEntry {
            id: Uuid::now_v7(),
            record_kind,
            record_id: crm_id,
            kind: EntryKind::Event,
            occurred_at,
            actor: UserId::new("system"),
            data,
        };
        append(&txn, organization, &[entry]).await?;
        txn.commit().await.context("committing a timeline event")?;
        Ok(true)
    }
}
