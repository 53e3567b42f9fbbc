//! `/api/crm/deals`: deals of the caller's organization, moving through
//! the stages of their pipeline.

use gremlin_kernel::http::{Caller, Created, Idempotency, IdempotencyKey, IfMatch, SortDirection, Tagged};
use gremlin_kernel::{Nullable, Patch, ProblemResponse, UserId};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{Enum, Object, Tags};
use time::Date;
use uuid::Uuid;

use super::common::{AmountDto, AuditDto, created, tagged};
use super::records::{ListParams, RecordEndpoints};
use super::routes::record_api;
use crate::model::{Deal, DealFields, StageKind};
use crate::service::{DealPatch, DealService, NewDeal, SearchService, TimelineService};

type Result<T> = std::result::Result<T, ProblemResponse>;

#[derive(Tags)]
enum CrmTag {
    /// Deals of the caller's organization.
    Deals,
}

/// A deal.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Deal")]
pub struct DealDto {
    /// Its id (UUIDv7).
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// What it is worth.
    pub amount: Nullable<AmountDto>,
    /// When it is expected to close (`YYYY-MM-DD`).
    pub expected_close_on: Nullable<Date>,
    /// Its pipeline.
    pub pipeline_id: Uuid,
    /// Its stage.
    pub stage_id: Uuid,
    /// The chance, 0-100 %, that it is won.
    pub probability: u8,
    /// Open, won or lost: its stage's kind.
    pub status: StageKind,
    /// Why it was lost.
    pub lost_reason: Nullable<String>,
    /// When it was won or lost.
    pub closed_on: Nullable<Date>,
    /// The company it is with.
    pub company_id: Nullable<Uuid>,
    /// The person to talk to.
    pub contact_id: Nullable<Uuid>,
    /// The member responsible for it.
    pub owner_id: Nullable<String>,
    /// Free labels.
    pub tags: Vec<String>,
    /// Its place in its stage's column (smaller first).
    pub position: i64,
    /// Who made and changed it; version; deletion.
    #[oai(flatten)]
    pub audit: AuditDto,
}

impl From<&Deal> for DealDto {
    fn from(d: &Deal) -> Self {
        let f = &d.fields;
        Self {
            id: d.id,
            name: f.name.clone(),
            amount: f.amount.as_ref().map(AmountDto::from).into(),
            expected_close_on: f.expected_close_on.into(),
            pipeline_id: f.pipeline_id,
            stage_id: f.stage_id,
            probability: f.probability,
            status: f.status,
            lost_reason: f.lost_reason.clone().into(),
            closed_on: f.closed_on.into(),
            company_id: f.company_id.into(),
            contact_id: f.contact_id.into(),
            owner_id: f.owner_id.as_ref().map(UserId::to_string).into(),
            tags: f.tags.clone(),
            position: f.position,
            audit: AuditDto::from(&d.audit),
        }
    }
}

gremlin_kernel::page_dto! {
    /// A page of deals.
    pub struct DealPage of DealDto from Deal;
    /// Deals, in the order asked for.
    items
}

/// A new deal.
#[derive(Debug, Clone, Object)]
pub struct CreateDealBody {
    /// Its name (1-200 characters).
    pub name: String,
    /// What it is worth.
    pub amount: Option<AmountDto>,
    /// When it is expected to close.
    pub expected_close_on: Option<Date>,
    /// Its pipeline (absent: the stage's, or the default pipeline).
    pub pipeline_id: Option<Uuid>,
    /// Its stage (absent: the pipeline's first open stage).
    pub stage_id: Option<Uuid>,
    /// Its probability, 0-100 (absent: the stage's; won and lost stages fix it).
    #[oai(validator(maximum(value = "100")))]
    pub probability: Option<u8>,
    /// Why it was lost, when created in a lost stage (at most 1000 characters).
    pub lost_reason: Option<String>,
    /// The company it is with (a live company of the organization).
    pub company_id: Option<Uuid>,
    /// The person to talk to (a live person of the organization).
    pub contact_id: Option<Uuid>,
    /// The member responsible for it: absent means the caller, null nobody.
    pub owner_id: Patch<String>,
    /// Free labels.
    #[oai(default)]
    pub tags: Vec<String>,
}

/// Changes to a deal: absent fields stay, null clears.
#[derive(Debug, Clone, Object)]
pub struct UpdateDealBody {
    /// Its name.
    pub name: Option<String>,
    /// What it is worth.
    pub amount: Patch<AmountDto>,
    /// When it is expected to close.
    pub expected_close_on: Patch<Date>,
    /// Another stage, of any pipeline of the organization: the deal moves
    /// (status, probability and close date follow the stage).
    pub stage_id: Option<Uuid>,
    /// Its probability, 0-100 (open deals).
    #[oai(validator(maximum(value = "100")))]
    pub probability: Option<u8>,
    /// Why it was lost (lost deals).
    pub lost_reason: Patch<String>,
    /// The company it is with.
    pub company_id: Patch<Uuid>,
    /// The person to talk to.
    pub contact_id: Patch<Uuid>,
    /// The member responsible for it.
    pub owner_id: Patch<String>,
    /// Free labels.
    pub tags: Option<Vec<String>>,
}

/// Where a deal goes on its board.
#[derive(Debug, Clone, Object)]
pub struct MoveDealBody {
    /// The stage (column) it goes to, of any pipeline of the organization.
    pub stage_id: Uuid,
    /// The live deal of that stage it goes right after; absent or null: the top.
    pub after_deal_id: Option<Uuid>,
}

/// What deals can be sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum DealSort {
    /// Creation time (then id); the default.
    #[default]
    Created,
    /// Board position within a stage (use with `stage_id`, `direction=asc`).
    Position,
}

/// The deals API.
pub struct DealsApi {
    deals: DealService,
    records: RecordEndpoints<DealFields>,
    search: SearchService<DealFields>,
}

impl DealsApi {
    /// The API over `deals` and `search`, keeping `Idempotency-Key`
    /// records in `idempotency`, reading timelines from `timeline`.
    pub fn new(
        deals: DealService,
        search: SearchService<DealFields>,
        idempotency: Idempotency,
        timeline: TimelineService,
    ) -> Self {
        let records = RecordEndpoints::new(deals.records().clone(), idempotency, timeline);
        Self { deals, records, search }
    }
}

record_api! {
    DealsApi as DealDto, paged DealPage;
    at "/api/crm/deals", tagged "CrmTag::Deals";
    get "crm.deals.get" [
        "Get a deal."
        "One deal of the caller's organization (`crm:read`), live or in the trash, with its ETag."
    ];
    delete "crm.deals.delete" [
        "Delete a deal."
        "Move a deal to the trash (`crm:write`); it can be restored."
    ];
    restore "crm.deals.restore" [
        "Restore a deal."
        "Bring a deal back from the trash (`crm:write`)."
    ];
    timeline "crm.deals.timeline" [
        "Get a deal's timeline."
        "Newest first, with cursor paging (`crm:read`): its creation, field changes (who changed what from what to what), stage moves, trash and restore, and its notes and tasks."
    ];
    search "crm.deals.search" [
        "Search deals."
        "Live deals of the organization matching filter groups (OR of ANDs) and words, in one order, a page (at most 100) at a time (`crm:read`). A read sent as POST to carry its body: it changes nothing, so it takes no `Idempotency-Key`. Properties: `name` (text); `amount`, `probability` (numbers); `currency`, `pipeline_id`, `stage_id`, `status`, `company_id`, `contact_id`, `owner_id` (codes); `expected_close_on`, `closed_on` (dates); `tags` (labels: `eq` means it carries the tag, `in` any of them); `created_at`, `updated_at` (times). Sorts by `name`, `amount`, `expected_close_on`, `created_at` (the default) or `updated_at`. The query looks in names."
    ];
    {
    /// Create a deal.
    ///
    /// Create a deal (`crm:write`) in a stage of a pipeline — by default the
    /// default pipeline's first open stage — at the bottom of its column.
    /// Its probability is the stage's unless given; created in a won or
    /// lost stage, it is closed today.
    #[oai(path = "/", method = "post", operation_id = "crm.deals.create")]
    async fn create(
        &self,
        caller: Caller,
        body: Json<CreateDealBody>,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Created<DealDto>> {
        let body = body.0;
        let request = Some(body.to_json().unwrap_or_default());
        let new = NewDeal {
            name: body.name,
            amount: body.amount.map(|a| a.parse("amount.currency")).transpose()?,
            expected_close_on: body.expected_close_on,
            pipeline_id: body.pipeline_id,
            stage_id: body.stage_id,
            probability: body.probability,
            lost_reason: body.lost_reason,
            company_id: body.company_id,
            contact_id: body.contact_id,
            owner_id: body.owner_id.apply(Some(caller.user_id.to_string())).map(UserId::new),
            tags: body.tags,
        };
        let work = self.deals.create(&caller, new);
        let deal = self.records.keyed(&caller, &key, "crm.deals.create", request, work).await?;
        Ok(created(&deal, "/api/crm/deals"))
    }

    /// List deals.
    ///
    /// A page of live deals, or of the trash with `deleted=true`
    /// (`crm:read`). A board column is `stage_id=…&sort=position&direction=asc`.
    #[oai(path = "/", method = "get", operation_id = "crm.deals.list")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        caller: Caller,
        /// Page size, 1-200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Only deals this member owns.
        owner_id: Query<Option<String>>,
        /// Only deals of this pipeline.
        pipeline_id: Query<Option<Uuid>>,
        /// Only deals in this stage.
        stage_id: Query<Option<Uuid>>,
        /// Only open, won or lost deals.
        status: Query<Option<StageKind>>,
        /// Only deals with this company.
        company_id: Query<Option<Uuid>>,
        /// Only deals with this contact.
        contact_id: Query<Option<Uuid>>,
        /// The trash (deleted deals) instead of live ones.
        deleted: Query<Option<bool>>,
        /// Sort key (default `created`).
        sort: Query<Option<DealSort>>,
        /// Sort direction (default `desc`).
        direction: Query<Option<SortDirection>>,
    ) -> Result<Json<DealPage>> {
        let mut params = ListParams::new(limit.0, cursor.0, owner_id.0, deleted.0, direction.0);
        let ids = [
            ("pipeline_id", pipeline_id.0),
            ("stage_id", stage_id.0),
            ("company_id", company_id.0),
            ("contact_id", contact_id.0),
        ];
        params.equals = ids.into_iter().filter_map(|(column, id)| id.map(|id| (column, id.to_string()))).collect();
        params.equals.extend(status.0.map(|s| ("status", s.as_str().to_owned())));
        params.by_position = sort.0.unwrap_or_default() == DealSort::Position;
        Ok(Json(self.records.list(&caller, params).await?.into()))
    }

    /// Update a deal.
    ///
    /// Change a live deal's fields (`crm:write`); a new `stage_id` moves it,
    /// recording the stage change (and `won` / `lost`). Each changed field
    /// goes on its timeline.
    #[oai(path = "/:id", method = "patch", operation_id = "crm.deals.update")]
    async fn update(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<UpdateDealBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Tagged<DealDto>> {
        let body = body.0;
        let patch = DealPatch {
            name: body.name,
            amount: body.amount.try_map(|a| a.parse("amount.currency"))?,
            expected_close_on: body.expected_close_on,
            stage_id: body.stage_id,
            probability: body.probability,
            lost_reason: body.lost_reason,
            company_id: body.company_id,
            contact_id: body.contact_id,
            owner_id: body.owner_id.map(UserId::new),
            tags: body.tags,
        };
        let id = RecordEndpoints::<DealFields>::parse_id(&id.0)?;
        Ok(tagged(&self.deals.update(&caller, id, if_match.version(), patch).await?))
    }

    /// Move a deal on its board.
    ///
    /// Put a live deal in a stage's column right after another deal of it
    /// (or at the top) (`crm:write`). Moves into one stage are serialized,
    /// so concurrent reorders never lose one another; a new stage records
    /// the stage change like an update.
    #[oai(path = "/:id/move", method = "post", operation_id = "crm.deals.move")]
    async fn move_deal(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<MoveDealBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Tagged<DealDto>> {
        let body = body.0;
        let request = Some(serde_json::json!({ "id": id.0, "if_match": if_match.version(), "body": body.to_json() }));
        let deal_id = RecordEndpoints::<DealFields>::parse_id(&id.0)?;
        let work = self.deals.move_to(&caller, deal_id, if_match.version(), body.stage_id, body.after_deal_id);
        Ok(tagged(&self.records.keyed(&caller, &key, "crm.deals.move", request, work).await?))
    }
    }
}
