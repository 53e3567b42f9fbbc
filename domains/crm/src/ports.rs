//! What the CRM use cases need from storage. Every method takes the
//! tenant: a query that is not scoped to an organization cannot be written
//! against these traits.

use std::collections::HashMap;

use async_trait::async_trait;
use gremlin_kernel::{EventEnvelope, OrganizationId, Page, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use gremlin_kernel::inbox::HandledEvent;

use crate::model::{Activity, CrmError, Deal, DealFields, Pipeline, Record, RecordFields, RecordKind};

/// Why a repository call failed.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    /// No such record in this organization.
    #[error("not found")]
    NotFound,
    /// `If-Match` named another version (or a concurrent change won).
    #[error("the record was changed by someone else (version {current})")]
    VersionConflict {
        /// The version stored now.
        current: i64,
    },
    /// Live records of the organization that the new one would duplicate,
    /// best match first.
    #[error("duplicates existing records")]
    Duplicates(Vec<Uuid>),
    /// The change broke a rule of the model (or named a record that does
    /// not exist in the organization).
    #[error(transparent)]
    Invalid(#[from] CrmError),
    /// Storage failed.
    #[error(transparent)]
    Backend(#[from] anyhow::Error),
}

/// What kind of entry a timeline line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum EntryKind {
    /// The record was created.
    Created,
    /// Fields changed (`data.changes`: field, from, to).
    Updated,
    /// The record was moved to the trash.
    Deleted,
    /// The record was restored from the trash.
    Restored,
    /// A deal moved to another stage (`data`: pipeline, from and to stage
    /// ids and names).
    StageChanged,
    /// Another domain's event about the record (`data`: event type and id,
    /// the order's or invoice's number, status, amount, currency).
    Event,
    /// A duplicate was merged into the record (`data`: `merged_id`,
    /// `merged_name`, `taken`, `changes`), or the record into another
    /// (`data.merged_into`).
    Merged,
}

impl EntryKind {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
            Self::Restored => "restored",
            Self::StageChanged => "stage_changed",
            Self::Event => "event",
            Self::Merged => "merged",
        }
    }

    /// A stored kind.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Created, Self::Updated, Self::Deleted, Self::Restored, Self::StageChanged, Self::Event, Self::Merged]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// One line of a record's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    /// UUIDv7: entries of one instant keep their order.
    pub id: Uuid,
    /// The record it concerns.
    pub record_kind: RecordKind,
    /// Its id.
    pub record_id: Uuid,
    /// What happened.
    pub kind: EntryKind,
    /// When.
    pub occurred_at: OffsetDateTime,
    /// Who did it (a user id, or `system`).
    pub actor: UserId,
    /// What the kind says more (a JSON object).
    pub data: serde_json::Value,
}

/// What a change records besides the record itself, in its transaction.
#[derive(Debug, Default)]
pub struct Recorded {
    /// Events for the outbox.
    pub events: Vec<EventEnvelope>,
    /// Lines for timelines.
    pub timeline: Vec<TimelineEntry>,
}

impl Recorded {
    /// Adds what `other` records.
    pub fn extend(&mut self, other: Recorded) {
        self.events.extend(other.events);
        self.timeline.extend(other.timeline);
    }
}

/// A change to one record, run inside the storing transaction on the
/// record as stored; it returns what to record with it.
pub type RecordChange<F> = Box<dyn FnOnce(&mut Record<F>) -> Result<Recorded, CrmError> + Send>;

/// Filters, order and page of a record list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// The trash (deleted records) instead of live ones.
    pub deleted: bool,
    /// Only records this member owns.
    pub owner_id: Option<UserId>,
    /// Only records whose column equals the value (`stage_id`): columns
    /// the kind's list endpoint offers as filters, never client text.
    pub equals: Vec<(&'static str, String)>,
    /// By board position (deals) instead of creation.
    pub by_position: bool,
    /// Only records whose column is null (true) or set (false): columns
    /// the kind's list endpoint offers, never client text.
    pub is_null: Vec<(&'static str, bool)>,
    /// Oldest first.
    pub ascending: bool,
    /// Page size, 1 to 200.
    pub limit: u32,
    /// From a previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Storage of one kind of record.
#[async_trait]
pub trait RecordRepository<F: RecordFields>: Send + Sync {
    /// Stores a new record and what it records, refused with
    /// [`RepositoryError::Duplicates`] when `refuse_duplicates` and live
    /// records match it, and as invalid when it names a record (a company)
    /// the organization does not have.
    async fn create(
        &self,
        record: &Record<F>,
        refuse_duplicates: bool,
        recorded: Recorded,
    ) -> Result<(), RepositoryError>;

    /// The record, live or deleted.
    async fn get(&self, organization: &OrganizationId, id: Uuid) -> Result<Option<Record<F>>, RepositoryError>;

    /// Applies `change` to the stored record in one transaction, refused
    /// with a conflict when `expected_version` is given and differs or when
    /// another change lands first.
    async fn change(
        &self,
        organization: &OrganizationId,
        id: Uuid,
        expected_version: Option<i64>,
        change: RecordChange<F>,
    ) -> Result<Record<F>, RepositoryError>;

    /// A page of records, newest first unless `ascending`.
    async fn list(&self, organization: &OrganizationId, query: &ListQuery) -> Result<Page<Record<F>>, RepositoryError>;
}

/// A change of a pipeline, run in the storing transaction: it revises the
/// pipeline and returns the stages it removed.
pub type PipelineChange = Box<dyn FnOnce(&mut Pipeline) -> Result<Vec<Uuid>, CrmError> + Send>;

/// Moves a deal out of a removed stage (or re-enters a stage whose kind
/// changed), in the pipeline's transaction: given the deal, the revised
/// pipeline and the stage it goes to, changes the deal and returns what to
/// record.
pub type DealMove = Box<dyn Fn(&mut Deal, &Pipeline, Uuid) -> Result<Recorded, CrmError> + Send + Sync>;

/// Pipelines and their stages.
#[async_trait]
pub trait PipelineRepository: Send + Sync {
    /// Makes `pipeline`, the organization's default, unless it was made
    /// before (by this or another process): true when this call made it.
    async fn create_default(&self, pipeline: &Pipeline) -> Result<bool, RepositoryError>;

    /// Stores a new pipeline.
    async fn create(&self, pipeline: &Pipeline) -> Result<(), RepositoryError>;

    /// The organization's pipelines with their stages, the default first,
    /// then by creation.
    async fn list(&self, organization: &OrganizationId) -> Result<Vec<Pipeline>, RepositoryError>;

    /// One pipeline with its stages.
    async fn get(&self, organization: &OrganizationId, id: Uuid) -> Result<Option<Pipeline>, RepositoryError>;

    /// The pipeline holding stage `stage`.
    async fn of_stage(&self, organization: &OrganizationId, stage: Uuid) -> Result<Option<Pipeline>, RepositoryError>;

    /// Revises a pipeline at `expected_version` in one transaction. Deals
    /// (live or deleted) in a stage the change removes go where
    /// `destinations` says (removed stage → stage of the revised pipeline),
    /// each changed by `move_deal`; a removed stage holding deals without
    /// a destination refuses the whole change with [`CrmError::StageHoldsDeals`].
    async fn revise(
        &self,
        organization: &OrganizationId,
        id: Uuid,
        expected_version: i64,
        change: PipelineChange,
        destinations: HashMap<Uuid, Uuid>,
        move_deal: DealMove,
    ) -> Result<Pipeline, RepositoryError>;

    /// What the forecast of pipeline `id` needs of its live deals: every
    /// open one, and those closed from `from` to `to`.
    async fn deal_figures(
        &self,
        organization: &OrganizationId,
        id: Uuid,
        from: time::Date,
        to: time::Date,
    ) -> Result<Vec<crate::model::forecast::DealFigure>, RepositoryError>;

    /// Deletes a pipeline at `expected_version`, refused (as
    /// [`CrmError::PipelineInUse`]) while deals are in it or it is the default.
    async fn delete(
        &self,
        organization: &OrganizationId,
        id: Uuid,
        expected_version: i64,
    ) -> Result<(), RepositoryError>;
}

/// Where a deal goes on a board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// The pipeline of the stage.
    pub pipeline_id: Uuid,
    /// The stage (column).
    pub stage_id: Uuid,
    /// Right after this deal of the stage; `None`: at the top.
    pub after: Option<Uuid>,
}

/// What deals need beyond the record store: places on boards.
#[async_trait]
pub trait DealBoard: Send + Sync {
    /// Moves a deal to `placement` at `expected_version` in one
    /// transaction, serialized with every other move into that stage, so
    /// concurrent moves never lose one another; `change` puts the deal in
    /// the stage (when it changes) and says what to record.
    async fn place(
        &self,
        organization: &OrganizationId,
        id: Uuid,
        expected_version: i64,
        placement: Placement,
        change: RecordChange<DealFields>,
    ) -> Result<Deal, RepositoryError>;
}

/// One line of a record's timeline as read: a recorded change or event,
/// or a note or task (live ones, at their creation).
#[derive(Debug, Clone, PartialEq)]
pub enum TimelineItem {
    /// A change of the record or another domain's event about it.
    Entry(TimelineEntry),
    /// A note or task about it.
    Activity(Activity),
}

/// Records' timelines.
#[async_trait]
pub trait TimelineReader: Send + Sync {
    /// A page of the timeline of record `id` of `kind`, newest first.
    async fn timeline(
        &self,
        organization: &OrganizationId,
        kind: RecordKind,
        id: Uuid,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<Page<TimelineItem>, RepositoryError>;

    /// Puts another domain's event on the timeline of the company or
    /// person `crm_id`, unless `handled` was claimed before: false then, or
    /// when the organization has no such live record (nothing written).
    async fn append_event(
        &self,
        organization: &OrganizationId,
        crm_id: Uuid,
        occurred_at: OffsetDateTime,
        data: serde_json::Value,
        handled: &HandledEvent,
    ) -> Result<bool, RepositoryError>;
}

/// Search over one kind of record.
#[async_trait]
pub trait RecordSearch<F: RecordFields>: Send + Sync {
    /// A page (at most 100) of the organization's live records matching
    /// `search`, in its order, after the page `after` ended.
    async fn search(
        &self,
        organization: &OrganizationId,
        search: &crate::model::search::Search,
        limit: u32,
        after: Option<String>,
    ) -> Result<Page<Record<F>>, RepositoryError>;
}

/// A merge, run in the storing transaction on the survivor and the merged
/// record as stored: changes both and returns what to record.
pub type MergeChange<F> = Box<dyn FnOnce(&mut Record<F>, &mut Record<F>) -> Result<Recorded, CrmError> + Send>;

/// Merging duplicates of one kind.
#[async_trait]
pub trait RecordMerge<F: RecordFields>: Send + Sync {
    /// Folds `merged` into `survivor` in one transaction, each at the
    /// version the caller read: `change` decides both records' new state;
    /// everything pointing at `merged` moves to `survivor`.
    async fn merge(
        &self,
        organization: &OrganizationId,
        survivor: Uuid,
        survivor_version: i64,
        merged: Uuid,
        merged_version: i64,
        change: MergeChange<F>,
    ) -> Result<Record<F>, RepositoryError>;
}
