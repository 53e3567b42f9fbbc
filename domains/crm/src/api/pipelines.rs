//! `/api/crm/pipelines`: the organization's pipelines and their stages.

use std::collections::HashMap;

use gremlin_kernel::DomainError;
use gremlin_kernel::ProblemResponse;
use gremlin_kernel::http::{
    Caller, Created, Deleted, Idempotency, IdempotencyKey, IfMatch, Operation, Resource, Tagged,
};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{Object, OpenApi, Tags};
use time::OffsetDateTime;
use uuid::Uuid;

use std::collections::BTreeMap;

use gremlin_kernel::Nullable;
use poem_openapi::param::Query;
use rust_decimal::Decimal;
use time::Date;

use crate::model::forecast::{Forecast, Worth};
use crate::model::{Pipeline, Stage, StageInput, StageKind};
use crate::service::PipelineService;

type Result<T> = std::result::Result<T, ProblemResponse>;

#[derive(Tags)]
enum CrmTag {
    /// Pipelines and their stages: the steps deals go through.
    Pipelines,
}

/// A stage of a pipeline.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CrmStage")]
pub struct StageDto {
    /// Its id.
    pub id: Uuid,
    /// Its name, unique in the pipeline.
    pub name: String,
    /// The probability, 0-100 %, of a deal entering it.
    pub probability: u8,
    /// Open, won or lost.
    pub kind: StageKind,
}

impl From<&Stage> for StageDto {
    fn from(s: &Stage) -> Self {
        Self { id: s.id, name: s.name.clone(), probability: s.probability, kind: s.kind }
    }
}

/// A pipeline with its stages in order.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Pipeline")]
pub struct PipelineDto {
    /// Its id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Whether new deals go here when no pipeline is named.
    pub is_default: bool,
    /// Its stages, in order.
    pub stages: Vec<StageDto>,
    /// When it was made (RFC 3339, UTC).
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
    /// Its version: send it back in `If-Match` to change it.
    pub version: i64,
}

impl From<&Pipeline> for PipelineDto {
    fn from(p: &Pipeline) -> Self {
        Self {
            id: p.id,
            name: p.name.clone(),
            is_default: p.is_default,
            stages: p.stages.iter().map(StageDto::from).collect(),
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
        }
    }
}

/// Every pipeline of the organization.
#[derive(Debug, Clone, Object)]
pub struct PipelineList {
    /// The pipelines, the default first, then oldest first.
    pub items: Vec<PipelineDto>,
}

/// A stage as sent: an existing one by `id` (renamed, moved, re-kinded),
/// or a new one without.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CrmStageInput")]
pub struct StageInputDto {
    /// The stage to keep; absent for a new stage.
    pub id: Option<Uuid>,
    /// Its name (1-100 characters, unique in the pipeline ignoring case).
    pub name: String,
    /// The probability, 0-100 %, of a deal entering it (won stages are
    /// 100 and lost stages 0 whatever is sent).
    #[oai(default, validator(maximum(value = "100")))]
    pub probability: u8,
    /// Open, won or lost.
    pub kind: StageKind,
}

impl From<StageInputDto> for StageInput {
    fn from(s: StageInputDto) -> Self {
        StageInput { id: s.id, name: s.name, probability: s.probability, kind: s.kind }
    }
}

/// A new pipeline.
#[derive(Debug, Clone, Object)]
pub struct CreatePipelineBody {
    /// Its name (1-100 characters).
    pub name: String,
    /// Its stages in order (1-50, at least one open).
    pub stages: Vec<StageInputDto>,
}

/// Where the deals of a removed stage go.
#[derive(Debug, Clone, Object)]
#[oai(rename = "StageMove")]
pub struct StageMoveDto {
    /// The removed stage.
    pub from: Uuid,
    /// A stage the pipeline keeps.
    pub to: Uuid,
}

/// A pipeline's new name and stages.
#[derive(Debug, Clone, Object)]
pub struct ReplacePipelineBody {
    /// Its name (1-100 characters).
    pub name: String,
    /// Its stages in order: existing ones by id, new ones without; stages
    /// left out are removed.
    pub stages: Vec<StageInputDto>,
    /// Where the deals of removed stages go (required for each removed
    /// stage holding deals).
    #[oai(default)]
    pub move_deals: Vec<StageMoveDto>,
}

/// Deals and their worth in one currency.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CrmWorth")]
pub struct WorthDto {
    /// ISO 4217 code; null for deals without an amount.
    pub currency: Nullable<String>,
    /// How many deals.
    pub deals: u64,
    /// Their amounts added.
    pub amount: Decimal,
    /// Their amounts × probability / 100, added (won deals count fully,
    /// lost ones not at all).
    pub weighted: Decimal,
}

fn worth(by_currency: &BTreeMap<String, Worth>) -> Vec<WorthDto> {
    by_currency
        .iter()
        .map(|(currency, w)| WorthDto {
            currency: Nullable((!currency.is_empty()).then(|| currency.clone())),
            deals: w.deals,
            amount: w.amount,
            weighted: w.weighted,
        })
        .collect()
}

/// One open stage's deals.
#[derive(Debug, Clone, Object)]
#[oai(rename = "StageForecast")]
pub struct StageForecastDto {
    /// The stage.
    pub stage_id: Uuid,
    /// Its name.
    pub name: String,
    /// Per currency.
    pub totals: Vec<WorthDto>,
}

/// The open deals expected to close in one month.
#[derive(Debug, Clone, Object)]
#[oai(rename = "MonthForecast")]
pub struct MonthForecastDto {
    /// `YYYY-MM`; null for deals without an expected close date.
    pub month: Nullable<String>,
    /// Per currency.
    pub totals: Vec<WorthDto>,
}

/// A pipeline's forecast.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Forecast")]
pub struct ForecastDto {
    /// The pipeline.
    pub pipeline_id: Uuid,
    /// First day of the won/lost period.
    pub from: Date,
    /// Last day of the won/lost period.
    pub to: Date,
    /// Open deals per open stage, in the pipeline's order.
    pub stages: Vec<StageForecastDto>,
    /// Open deals per expected-close month, earliest first (undated first).
    pub months: Vec<MonthForecastDto>,
    /// Deals won in the period.
    pub won: Vec<WorthDto>,
    /// Deals lost in the period.
    pub lost: Vec<WorthDto>,
}

impl ForecastDto {
    fn new(pipeline: &Pipeline, f: &Forecast, from: Date, to: Date) -> Self {
        Self {
            pipeline_id: pipeline.id,
            from,
            to,
            stages: f
                .stages
                .iter()
                .map(|s| StageForecastDto { stage_id: s.stage_id, name: s.name.clone(), totals: worth(&s.by_currency) })
                .collect(),
            months: f
                .months
                .iter()
                .map(|(month, totals)| MonthForecastDto { month: Nullable(month.clone()), totals: worth(totals) })
                .collect(),
            won: worth(&f.won),
            lost: worth(&f.lost),
        }
    }
}

impl Resource for Pipeline {
    const KIND: &'static str = "pipeline";

    fn resource_id(&self) -> String {
        self.id.to_string()
    }
}

fn parse_id(id: &str) -> std::result::Result<Uuid, DomainError> {
    Uuid::parse_str(id).map_err(|_| DomainError::not_found("pipeline"))
}

fn respond(p: &Pipeline) -> Tagged<PipelineDto> {
    Tagged::at(PipelineDto::from(p), p.version)
}

/// The pipelines API.
pub struct PipelinesApi {
    service: PipelineService,
    idempotency: Idempotency,
}

impl PipelinesApi {
    /// The API over `service`, keeping `Idempotency-Key` records in `idempotency`.
    pub fn new(service: PipelineService, idempotency: Idempotency) -> Self {
        Self { service, idempotency }
    }
}

#[OpenApi(prefix_path = "/api/crm/pipelines", tag = "CrmTag::Pipelines")]
impl PipelinesApi {
    /// List pipelines.
    ///
    /// Every pipeline of the organization with its stages (`crm:read`). The
    /// first call makes the default pipeline (Qualification, Meeting,
    /// Proposal, Negotiation, Closed won, Closed lost).
    #[oai(path = "/", method = "get", operation_id = "crm.pipelines.list")]
    async fn list(&self, caller: Caller) -> Result<Json<PipelineList>> {
        let all = self.service.list(&caller).await?;
        Ok(Json(PipelineList { items: all.iter().map(PipelineDto::from).collect() }))
    }

    /// Create a pipeline.
    ///
    /// A new pipeline with its stages (`crm:manage`).
    #[oai(path = "/", method = "post", operation_id = "crm.pipelines.create")]
    async fn create(
        &self,
        caller: Caller,
        body: Json<CreatePipelineBody>,
        #[oai(name = "Idempotency-Key")] key: IdempotencyKey,
    ) -> Result<Created<PipelineDto>> {
        let body = body.0;
        let request = body.to_json();
        let stages: Vec<StageInput> = body.stages.into_iter().map(StageInput::from).collect();
        let operation = Operation {
            domain: crate::NAME,
            operation_id: "crm.pipelines.create",
            organization: &caller.organization_id,
        };
        let work = self.service.create(&caller, &body.name, &stages);
        let caller = &caller;
        let read = |id: String| async move { self.service.get(caller, parse_id(&id)?).await };
        let pipeline = self.idempotency.run(operation, &key, &request, work, read).await?;
        Ok(Created::at(PipelineDto::from(&pipeline), pipeline.version, format!("/api/crm/pipelines/{}", pipeline.id)))
    }

    /// Get a pipeline.
    ///
    /// One pipeline with its stages (`crm:read`) and its ETag.
    #[oai(path = "/:id", method = "get", operation_id = "crm.pipelines.get")]
    async fn get(&self, caller: Caller, id: Path<String>) -> Result<Tagged<PipelineDto>> {
        Ok(respond(&self.service.get(&caller, parse_id(&id.0)?).await?))
    }

    /// Replace a pipeline.
    ///
    /// Rename a pipeline and replace its stages (`crm:manage`): stages sent
    /// with their id are kept (renamed, moved, re-kinded — their deals
    /// follow a new kind), stages without one are new, stages left out are
    /// removed. A removed stage holding deals needs a `move_deals` entry
    /// naming the kept stage they go to (409 otherwise); each moved deal
    /// records its stage change.
    #[oai(path = "/:id", method = "put", operation_id = "crm.pipelines.replace")]
    async fn replace(
        &self,
        caller: Caller,
        id: Path<String>,
        body: Json<ReplacePipelineBody>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Tagged<PipelineDto>> {
        let body = body.0;
        let stages = body.stages.into_iter().map(StageInput::from).collect();
        let moves: HashMap<Uuid, Uuid> = body.move_deals.into_iter().map(|m| (m.from, m.to)).collect();
        let revised =
            self.service.revise(&caller, parse_id(&id.0)?, if_match.version(), body.name, stages, moves).await?;
        Ok(respond(&revised))
    }

    /// Delete a pipeline.
    ///
    /// Delete a pipeline that holds no deals, live or in the trash
    /// (`crm:manage`); the default pipeline stays.
    #[oai(path = "/:id", method = "delete", operation_id = "crm.pipelines.delete")]
    async fn delete(
        &self,
        caller: Caller,
        id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatch,
    ) -> Result<Deleted> {
        self.service.delete(&caller, parse_id(&id.0)?, if_match.version()).await?;
        Ok(Deleted::Deleted)
    }

    /// Get a pipeline's forecast.
    ///
    /// What the pipeline's live open deals are worth per stage and per
    /// expected-close month — their amounts and their amounts weighted by
    /// probability — and what was won and lost from `from` to `to` (by
    /// close date, both days included; default the current month, UTC),
    /// each per currency (`crm:read`). Currencies are never added together;
    /// deals without an amount are counted under a null currency.
    #[oai(path = "/:id/forecast", method = "get", operation_id = "crm.pipelines.forecast")]
    async fn forecast(
        &self,
        caller: Caller,
        id: Path<String>,
        /// First day of the won/lost period.
        from: Query<Option<Date>>,
        /// Last day of the won/lost period.
        to: Query<Option<Date>>,
    ) -> Result<Json<ForecastDto>> {
        let (pipeline, forecast, from, to) = self.service.forecast(&caller, parse_id(&id.0)?, from.0, to.0).await?;
        Ok(Json(ForecastDto::new(&pipeline, &forecast, from, to)))
    }
}
