//! CRM use cases: authorize the caller (`crm:read`, `crm:write`,
//! `crm:manage`), check that an owner is a member of the organization, run
//! the model's rule in the repository's transaction, and record its events
//! and timeline lines with it. The organization always comes from the
//! principal, never from input. [`RecordService`] serves every record
//! kind; deals and pipelines add their own use cases on top.

mod deals;
mod merge;
mod pipelines;
mod search;
mod stages;
mod timeline;

pub use deals::{DealPatch, DealService, NewDeal};
pub use merge::{MergeRequest, MergeService};
pub use pipelines::PipelineService;
pub use search::{SearchRequest, SearchService};
pub use timeline::TimelineService;

use std::sync::Arc;

use gremlin_kernel::{DomainError, MemberDirectory, OrganizationId, Page, Principal, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::events::{Published, record_event};
use crate::model::{CrmError, FieldChange, Record, RecordFields};
use crate::permissions;
use crate::ports::{EntryKind, ListQuery, RecordRepository, Recorded, RepositoryError, TimelineEntry};

impl From<CrmError> for DomainError {
    fn from(e: CrmError) -> Self {
        match e {
            CrmError::Invalid(errors) => DomainError::Invalid { errors },
            other => DomainError::Conflict { detail: other.to_string() },
        }
    }
}

/// `e` for a record of `kind` (`company`).
pub(crate) fn domain_error(kind: &str, e: RepositoryError) -> DomainError {
    match e {
        RepositoryError::NotFound => DomainError::not_found(kind),
        RepositoryError::VersionConflict { current } => {
            DomainError::PreconditionFailed { detail: format!("the {kind} changed; its current version is {current}") }
        }
        RepositoryError::Duplicates(ids) => DomainError::Duplicate {
            detail: format!(
                "{} existing {kind} record(s) match this one (see `existing_ids`); \
                 send `allow_duplicate=true` to create it anyway",
                ids.len()
            ),
            existing: ids.iter().map(Uuid::to_string).collect(),
        },
        RepositoryError::Invalid(e) => e.into(),
        RepositoryError::Backend(e) => DomainError::Backend(e),
    }
}

/// What a change records beyond the generic lines, given the fields
/// before it and the record after (a deal's stage change).
pub type Also<F> = Box<dyn FnOnce(Option<&F>, &Record<F>) -> Recorded + Send>;

/// A change of a record's fields: the edit, run on the fields as stored,
/// and the owner it sets, if any (checked to be a member before the
/// change runs).
pub struct Edit<F> {
    /// Makes the new fields from the stored ones.
    pub apply: Box<dyn FnOnce(F) -> F + Send>,
    /// The owner the edit sets.
    pub sets_owner: Option<UserId>,
    /// What else the change records.
    pub also: Option<Also<F>>,
}

impl<F> Edit<F> {
    /// An edit recording only the field changes.
    pub fn new(apply: impl FnOnce(F) -> F + Send + 'static, sets_owner: Option<UserId>) -> Self {
        Self { apply: Box::new(apply), sets_owner, also: None }
    }
}

/// The use cases of one record kind.
pub struct RecordService<F> {
    repo: Arc<dyn RecordRepository<F>>,
    members: Arc<dyn MemberDirectory>,
}

impl<F> Clone for RecordService<F> {
    fn clone(&self) -> Self {
        Self { repo: self.repo.clone(), members: self.members.clone() }
    }
}

/// A timeline line about `record`, by its last editor at its last change.
pub(crate) fn entry<F: RecordFields>(record: &Record<F>, kind: EntryKind, data: serde_json::Value) -> TimelineEntry {
    TimelineEntry {
        id: Uuid::now_v7(),
        record_kind: F::KIND,
        record_id: record.id,
        kind,
        occurred_at: record.audit.updated_at,
        actor: record.audit.updated_by.clone(),
        data,
    }
}

impl<F: Published> RecordService<F> {
    /// The use cases over `repo`, asking `members` about owners.
    pub fn new(repo: Arc<dyn RecordRepository<F>>, members: Arc<dyn MemberDirectory>) -> Self {
        Self { repo, members }
    }

    fn kind() -> &'static str {
        F::KIND.as_str()
    }

    /// Refuses an owner who is not a member of the organization now.
    async fn check_owner(&self, organization: &OrganizationId, owner: Option<&UserId>) -> Result<(), DomainError> {
        match owner {
            Some(owner) if !self.members.is_member(organization, owner).await? => {
                Err(DomainError::invalid(F::OWNER_FIELD, "not a member of this organization"))
            }
            _ => Ok(()),
        }
    }

    /// Creates a record (`crm:write`), refused with a duplicate problem
    /// naming the matches unless `allow_duplicate`.
    pub async fn create(
        &self,
        principal: &Principal,
        fields: F,
        allow_duplicate: bool,
    ) -> Result<Record<F>, DomainError> {
        self.create_with(principal, fields, allow_duplicate, None).await
    }

    /// [`create`](Self::create), recording what `also` says besides.
    pub async fn create_with(
        &self,
        principal: &Principal,
        fields: F,
        allow_duplicate: bool,
        also: Option<Also<F>>,
    ) -> Result<Record<F>, DomainError> {
        principal.require(&permissions::WRITE)?;
        self.check_owner(&principal.organization_id, fields.owner()).await?;
        let now = OffsetDateTime::now_utc();
        let record = Record::create(principal.organization_id.clone(), fields, principal.user_id.clone(), now)?;
        let created = serde_json::json!({ "name": record.fields.display_name() });
        let mut recorded = Recorded {
            events: vec![record_event(&F::EVENTS.created, &record, &[])],
            timeline: vec![entry(&record, EntryKind::Created, created)],
        };
        if let Some(also) = also {
            recorded.extend(also(None, &record));
        }
        self.repo.create(&record, !allow_duplicate, recorded).await.map_err(|e| domain_error(Self::kind(), e))?;
        Ok(record)
    }

    /// One record (`crm:read`), live or deleted; another organization's is
    /// "not found".
    pub async fn get(&self, principal: &Principal, id: Uuid) -> Result<Record<F>, DomainError> {
        principal.require(&permissions::READ)?;
        let found = self.repo.get(&principal.organization_id, id).await.map_err(|e| domain_error(Self::kind(), e))?;
        found.ok_or_else(|| DomainError::not_found(Self::kind()))
    }

    /// A page of live records, or of the trash (`crm:read`).
    pub async fn list(&self, principal: &Principal, query: &ListQuery) -> Result<Page<Record<F>>, DomainError> {
        principal.require(&permissions::READ)?;
        self.repo.list(&principal.organization_id, query).await.map_err(|e| domain_error(Self::kind(), e))
    }

    /// Changes a live record's fields at `expected_version` (`crm:write`);
    /// every changed field goes on its timeline.
    pub async fn update(
        &self,
        principal: &Principal,
        id: Uuid,
        expected_version: i64,
        edit: Edit<F>,
    ) -> Result<Record<F>, DomainError> {
        principal.require(&permissions::WRITE)?;
        self.check_owner(&principal.organization_id, edit.sets_owner.as_ref()).await?;
        let actor = principal.user_id.clone();
        self.change(principal, id, expected_version, move |record| {
            let before = record.fields.clone();
            let fields = (edit.apply)(before.clone());
            let changes = record.update(fields, &actor, OffsetDateTime::now_utc())?;
            let mut recorded = updated(record, &changes);
            if let Some(also) = edit.also.filter(|_| !changes.is_empty()) {
                recorded.extend(also(Some(&before), record));
            }
            Ok(recorded)
        })
        .await
    }

    /// Moves a record to the trash (`crm:write`).
    pub async fn delete(
        &self,
        principal: &Principal,
        id: Uuid,
        expected_version: i64,
    ) -> Result<Record<F>, DomainError> {
        principal.require(&permissions::WRITE)?;
        let actor = principal.user_id.clone();
        self.change(principal, id, expected_version, move |record| {
            record.delete(&actor, OffsetDateTime::now_utc())?;
            Ok(Recorded {
                events: vec![record_event(&F::EVENTS.deleted, record, &[])],
                timeline: vec![entry(record, EntryKind::Deleted, serde_json::json!({}))],
            })
        })
        .await
    }

    /// Brings a record back from the trash (`crm:write`).
    pub async fn restore(
        &self,
        principal: &Principal,
        id: Uuid,
        expected_version: i64,
    ) -> Result<Record<F>, DomainError> {
        principal.require(&permissions::WRITE)?;
        let actor = principal.user_id.clone();
        self.change(principal, id, expected_version, move |record| {
            record.restore(&actor, OffsetDateTime::now_utc())?;
            Ok(Recorded {
                events: vec![record_event(&F::EVENTS.restored, record, &[])],
                timeline: vec![entry(record, EntryKind::Restored, serde_json::json!({}))],
            })
        })
        .await
    }

    async fn change(
        &self,
        principal: &Principal,
        id: Uuid,
        expected_version: i64,
        change: impl FnOnce(&mut Record<F>) -> Result<Recorded, CrmError> + Send + 'static,
    ) -> Result<Record<F>, DomainError> {
        let changed = self.repo.change(&principal.organization_id, id, Some(expected_version), Box::new(change)).await;
        changed.map_err(|e| domain_error(Self::kind(), e))
    }
}

/// What an update records: nothing when no field changed.
pub(crate) fn updated<F: Published>(record: &Record<F>, changes: &[FieldChange]) -> Recorded {
    if changes.is_empty() {
        return Recorded::default();
    }
    Recorded {
        events: vec![record_event(&F::EVENTS.updated, record, changes)],
        timeline: vec![entry(record, EntryKind::Updated, serde_json::json!({ "changes": changes }))],
    }
}
