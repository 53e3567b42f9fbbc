//! `/api/crm/activities`: notes and tasks about companies, people and deals.

use gremlin_kernel::http::{Caller, Created, Idempotency, IdempotencyKey, IfMatch, SortDirection, Tagged};
use gremlin_kernel::{Nullable, Patch, ProblemResponse, UserId};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{Object, Tags};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::common::{AuditDto, created, tagged};
use super::records::{ListParams, RecordEndpoints};
use super::routes::record_api;
use crate::model::{Activity, ActivityFields, ActivityKind, RecordKind};
use crate::service::{Edit, RecordService, TimelineService};

type Result<T> = std::result::Result<T, ProblemResponse>;

#[derive(Tags)]
enum CrmTag {
    /// Notes and tasks about companies, people and deals.
    Activities,
}

/// A note or task.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Activity")]
pub struct ActivityDto {
    /// Its id (UUIDv7).
    pub id: Uuid,
    /// Note or task.
    pub kind: ActivityKind,
    /// The kind of record it is about.
    pub record_kind: RecordKind,
    /// That record.
    pub record_id: Uuid,
    /// A task's title.
    pub title: Nullable<String>,
    /// A note's text, or a task's details.
    pub body: Nullable<String>,
    /// When a task is due.
    pub due_on: Nullable<Date>,
    /// Who a task is for.
    pub assignee_id: Nullable<String>,
    /// Whether a task is done.
    pub done: bool,
    /// When it was done.
    pub done_at: Nullable<OffsetDateTime>,
    /// Who wrote and changed it; version; deletion.
    #[oai(flatten)]
    pub audit: AuditDto,
}

impl From<&Activity> for ActivityDto {
    fn from(a: &Activity) -> Self {
        let f = &a.fields;
        Self {
            id: a.id,
            kind: f.kind,
            record_kind: f.record_kind,
            record_id: f.record_id,
            title: f.title.clone().into(),
            body: f.body.clone().into(),
            due_on: f.due_on.into(),
            assignee_id: f.assignee_id.as_ref().map(UserId::to_string).into(),
            done: f.done_at.is_some(),
            done_at: f.done_at.into(),
            audit: AuditDto::from(&a.audit),
        }
    }
}

gremlin_kernel::page_dto! {
    /// A page of notes and tasks.
    pub struct ActivityPage of ActivityDto from Activity;
    /// Notes and tasks, newest first unless `direction=asc`.
    items
}

/// A new note or task.
#[derive(Debug, Clone, Object)]
pub struct CreateActivityBody {
    /// Note or task.
    pub kind: ActivityKind,
    /// What it is about: `company`, `person` or `deal`.
    pub record_kind: RecordKind,
    /// That record (live, of the caller's organization).
    pub record_id: Uuid,
    /// A task's title (1-200 characters; tasks only).
    pub title: Option<String>,
    /// A note's text (required for notes) or a task's details; at most
    /// 10 000 characters.
    pub body: Option<String>,
    /// When a task is due.
    pub due_on: Option<Date>,
    /// Who a task is for (a member of the organization).
    pub assignee_id: Option<String>,
}

/// Changes to a note or task: absent fields stay, null clears.
#[derive(Debug, Clone, Object)]
pub struct UpdateActivityBody {
    /// A task's title.
    pub title: Option<String>,
    /// The text.
    pub body: Patch<String>,
    /// When a task is due.
    pub due_on: Patch<Date>,
    /// Who a task is for.
    pub assignee_id: Patch<String>,
    /// Whether a task is done (stamps or clears `done_at`).
    pub done: Option<bool>,
}

/// The activities API.
pub struct ActivitiesApi {
    records: RecordEndpoints<ActivityFields>,
}

impl ActivitiesApi {
    /// The API over `service`, keeping `Idempotency-Key` records in `idempotency`.
    pub fn new(service: RecordService<ActivityFields>, idempotency: Idempotency, timeline: TimelineService) -> Self {
        Self { records: RecordEndpoints::new(service, idempotency, timeline) }
    }
}

record_api! {
    ActivitiesApi as ActivityDto, paged ActivityPage;
    at "/api/crm/activities", tagged "CrmTag::Activities";
    get "crm.activities.get" [
        "Get a note or task."
        "One note or task of the caller's organization (`crm:read`), with its ETag."
    ];
    delete "crm.activities.delete" [
        "Delete a note or task."
        "Move a note or task to the trash (`crm:write`); it leaves the record's timeline until restored."
    ];
    restore "crm.activities.restore" [
        "Restore a note or task."
        "Bring a note or task back from the trash (`crm:write`)."
    ];
    {
    /// Create a note or task.
    ///
    /// Write a note or task about a live company, person or deal
    /// (`crm:write`); it shows on that record's timeline. A task's assignee
    /// must be a member of the organization.
    #[oai(path = "/", method = "post", operation_id = "crm.activities.create")]
    async fn create(
        &self,
        caller: Caller,
        body: Json<CreateActivityBody>,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Created<ActivityDto>> {
        let body = body.0;
        let request = body.to_json();
        let fields = ActivityFields {
            kind: body.kind,
            record_kind: body.record_kind,
            record_id: body.record_id,
            title: body.title,
            body: body.body,
            due_on: body.due_on,
            assignee_id: body.assignee_id.map(UserId::new),
            done_at: None,
        };
        let activity = self.records.create(&caller, &key, "crm.activities.create", request, fields, true).await?;
        Ok(created(&activity, "/api/crm/activities"))
    }

    /// List notes and tasks.
    ///
    /// A page of notes and tasks (`crm:read`): of one record, of one kind,
    /// for one assignee, open or done; or of the trash with `deleted=true`.
    #[oai(path = "/", method = "get", operation_id = "crm.activities.list")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        caller: Caller,
        /// Page size, 1-200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Only notes or only tasks.
        kind: Query<Option<ActivityKind>>,
        /// Only about this record (with `record_kind`).
        record_id: Query<Option<Uuid>>,
        /// Only about records of this kind.
        record_kind: Query<Option<RecordKind>>,
        /// Only tasks for this member.
        assignee_id: Query<Option<String>>,
        /// Only done (true) or open (false) tasks.
        done: Query<Option<bool>>,
        /// The trash instead of live notes and tasks.
        deleted: Query<Option<bool>>,
        /// Sort direction by creation (default `desc`).
        direction: Query<Option<SortDirection>>,
    ) -> Result<Json<ActivityPage>> {
        let mut params = ListParams::new(limit.0, cursor.0, None, deleted.0, direction.0);
        params.equals.extend(kind.0.map(|k| ("kind", k.as_str().to_owned())));
        params.equals.extend(record_id.0.map(|id| ("record_id", id.to_string())));
        params.equals.extend(record_kind.0.map(|k| ("record_kind", k.as_str().to_owned())));
        params.equals.extend(assignee_id.0.map(|a| ("assignee_id", a)));
        params.is_null.extend(done.0.map(|done| ("done_at_us", !done)));
        Ok(Json(self.records.list(&caller, params).await?.into()))
    }

    /// Update a note or task.
    ///
    /// Change a note's text, or a task's title, details, due date,
    /// assignee or done state (`crm:write`).
    #[oai(path = "/:id", method = "patch", operation_id = "crm.activities.update")]
    async fn update(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<UpdateActivityBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Tagged<ActivityDto>> {
        let body = body.0;
        let sets_owner = body.assignee_id.set_value().map(UserId::new);
        let apply = move |f: ActivityFields| {
            let mut f = ActivityFields {
                title: body.title.or(f.title),
                body: body.body.apply(f.body),
                due_on: body.due_on.apply(f.due_on),
                assignee_id: body.assignee_id.map(UserId::new).apply(f.assignee_id),
                ..f
            };
            if let Some(done) = body.done {
                f.set_done(done, OffsetDateTime::now_utc());
            }
            f
        };
        Ok(tagged(&self.records.update(&caller, &id.0, if_match, Edit::new(apply, sets_owner)).await?))
    }
    }
}
