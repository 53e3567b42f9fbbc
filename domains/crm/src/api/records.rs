//! What every record kind's endpoints do once their DTOs are converted:
//! keyed creates and restores, reads, lists, patches and deletes, over a
//! [`RecordService`]. The per-kind modules only translate bodies.

use gremlin_kernel::http::{Caller, Idempotency, IdempotencyKey, IfMatch, Operation, Resource, SortDirection};
use gremlin_kernel::{DomainError, Page, UserId};
use poem_openapi::types::ToJSON;
use uuid::Uuid;

use super::common::MergeBody;
use crate::events::{Merges, Published};
use crate::model::merge::Mergeable;
use crate::model::{Record, RecordFields};
use crate::ports::{ListQuery, TimelineItem};
use crate::service::{Edit, MergeRequest, MergeService, RecordService, TimelineService};

impl<F: RecordFields> Resource for Record<F> {
    const KIND: &'static str = F::KIND.as_str();

    fn resource_id(&self) -> String {
        self.id.to_string()
    }
}

/// The endpoints' work for records of kind `F`.
pub struct RecordEndpoints<F> {
    service: RecordService<F>,
    idempotency: Idempotency,
    timeline: TimelineService,
}

/// A list's query parameters, as every record list takes them.
pub struct ListParams {
    /// Page size, 1-200.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only records this member owns.
    pub owner_id: Option<String>,
    /// The trash instead of live records.
    pub deleted: Option<bool>,
    /// Newest first by default.
    pub direction: Option<SortDirection>,
    /// Kind-specific equality filters (column, value).
    pub equals: Vec<(&'static str, String)>,
    /// By board position instead of creation (deals).
    pub by_position: bool,
    /// Kind-specific null filters (column, whether null).
    pub is_null: Vec<(&'static str, bool)>,
}

impl ListParams {
    /// The parameters every record list takes.
    pub fn new(
        limit: Option<u32>,
        cursor: Option<String>,
        owner_id: Option<String>,
        deleted: Option<bool>,
        direction: Option<SortDirection>,
    ) -> Self {
        Self {
            limit,
            cursor,
            owner_id,
            deleted,
            direction,
            equals: Vec::new(),
            by_position: false,
            is_null: Vec::new(),
        }
    }
}

impl<F: Published> RecordEndpoints<F> {
    /// The work over `service`, keeping `Idempotency-Key` records in
    /// `idempotency`, reading timelines from `timeline`.
    pub fn new(service: RecordService<F>, idempotency: Idempotency, timeline: TimelineService) -> Self {
        Self { service, idempotency, timeline }
    }

    /// A page of the timeline of record `id` (which must be the caller's
    /// organization's), newest first.
    pub async fn timeline(
        &self,
        caller: &Caller,
        id: &str,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Result<Page<TimelineItem>, DomainError> {
        let record = self.get(caller, id).await?;
        self.timeline.page(caller, F::KIND, record.id, limit.unwrap_or(50), cursor).await
    }

    /// The record `id` names; a malformed id is simply not found.
    pub fn parse_id(id: &str) -> Result<Uuid, DomainError> {
        Uuid::parse_str(id).map_err(|_| DomainError::not_found(F::KIND.as_str()))
    }

    /// Creates a record once per `Idempotency-Key`.
    pub async fn create(
        &self,
        caller: &Caller,
        key: &IdempotencyKey,
        operation_id: &str,
        request: Option<serde_json::Value>,
        fields: F,
        allow_duplicate: bool,
    ) -> Result<Record<F>, DomainError> {
        let work = self.service.create(caller, fields, allow_duplicate);
        self.keyed(caller, key, operation_id, request, work).await
    }

    /// One record, live or deleted.
    pub async fn get(&self, caller: &Caller, id: &str) -> Result<Record<F>, DomainError> {
        self.service.get(caller, Self::parse_id(id)?).await
    }

    /// A page of live records, or of the trash.
    pub async fn list(&self, caller: &Caller, params: ListParams) -> Result<Page<Record<F>>, DomainError> {
        let query = ListQuery {
            deleted: params.deleted.unwrap_or(false),
            owner_id: params.owner_id.map(UserId::new),
            ascending: params.direction.unwrap_or_default().is_ascending(),
            limit: params.limit.unwrap_or(50),
            cursor: params.cursor,
            equals: params.equals,
            by_position: params.by_position,
            is_null: params.is_null,
        };
        self.service.list(caller, &query).await
    }

    /// Applies a patch at the version `If-Match` names.
    pub async fn update(
        &self,
        caller: &Caller,
        id: &str,
        if_match: IfMatch,
        edit: Edit<F>,
    ) -> Result<Record<F>, DomainError> {
        self.service.update(caller, Self::parse_id(id)?, if_match.version(), edit).await
    }

    /// Moves a record to the trash at the version `If-Match` names.
    pub async fn delete(&self, caller: &Caller, id: &str, if_match: IfMatch) -> Result<Record<F>, DomainError> {
        self.service.delete(caller, Self::parse_id(id)?, if_match.version()).await
    }

    /// Restores a record once per `Idempotency-Key`.
    pub async fn restore(
        &self,
        caller: &Caller,
        id: &str,
        if_match: IfMatch,
        key: &IdempotencyKey,
        operation_id: &str,
    ) -> Result<Record<F>, DomainError> {
        let request = Some(serde_json::json!({ "id": id, "if_match": if_match.version() }));
        let work = async { self.service.restore(caller, Self::parse_id(id)?, if_match.version()).await };
        self.keyed(caller, key, operation_id, request, work).await
    }

    /// Runs `work` at most once per `Idempotency-Key`; a replay answers
    /// the record as it is now.
    pub async fn keyed(
        &self,
        caller: &Caller,
        key: &IdempotencyKey,
        operation_id: &str,
        request: Option<serde_json::Value>,
        work: impl Future<Output = Result<Record<F>, DomainError>>,
    ) -> Result<Record<F>, DomainError> {
        let operation = Operation { domain: crate::NAME, operation_id, organization: &caller.organization_id };
        let read = |id: String| async move { self.service.get(caller, Self::parse_id(&id)?).await };
        self.idempotency.run(operation, key, &request, work, read).await
    }
}

impl<F: Published + Mergeable + Merges> RecordEndpoints<F> {
    /// Folds the duplicate `body` names into record `id` through `merges`,
    /// once per `Idempotency-Key`. `If-Match` is the survivor's version.
    #[allow(clippy::too_many_arguments)]
    pub async fn merge(
        &self,
        merges: &MergeService<F>,
        caller: &Caller,
        key: &IdempotencyKey,
        operation_id: &str,
        id: &str,
        if_match: IfMatch,
        body: MergeBody,
    ) -> Result<Record<F>, DomainError> {
        let request = Some(serde_json::json!({ "id": id, "if_match": if_match.version(), "body": body.to_json() }));
        let merge = MergeRequest {
            survivor: Self::parse_id(id)?,
            survivor_version: if_match.version(),
            merged: body.merge_id,
            merged_version: body.merge_version,
            take: body.take,
        };
        self.keyed(caller, key, operation_id, request, merges.merge(caller, merge)).await
    }
}
