//! Deal use cases on top of the record service: a new deal goes into a
//! pipeline's stage (the default pipeline's first open stage unless named),
//! a patch may move it, and a board move places it in a stage's column.
//! Stage changes record `crm.deal.stage_changed` (and `won` / `lost`) and a
//! timeline line naming both stages.

use std::sync::Arc;

use gremlin_kernel::sql::micros;
use gremlin_kernel::{DomainError, Page, Patch, Principal, UserId};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::pipelines::PipelineService;
use super::stages::{today, transition};
use super::{Edit, RecordService, domain_error, updated};
use crate::model::{Amount, Deal, DealFields, Pipeline, StageKind};
use crate::ports::{DealBoard, ListQuery, Placement};

/// A new deal.
#[derive(Debug, Clone)]
pub struct NewDeal {
    /// Its name.
    pub name: String,
    /// What it is worth.
    pub amount: Option<Amount>,
    /// When it is expected to close.
    pub expected_close_on: Option<Date>,
    /// Its pipeline (absent: the stage's, or the default).
    pub pipeline_id: Option<Uuid>,
    /// Its stage (absent: the pipeline's first open stage).
    pub stage_id: Option<Uuid>,
    /// Its probability (absent: the stage's).
    pub probability: Option<u8>,
    /// Why it was lost, when created in a lost stage.
    pub lost_reason: Option<String>,
    /// The company it is with.
    pub company_id: Option<Uuid>,
    /// The person to talk to.
    pub contact_id: Option<Uuid>,
    /// The member responsible for it.
    pub owner_id: Option<UserId>,
    /// Free labels.
    pub tags: Vec<String>,
}

/// Changes to a deal.
#[derive(Debug, Clone, Default)]
pub struct DealPatch {
    /// New name.
    pub name: Option<String>,
    /// New amount, or none.
    pub amount: Patch<Amount>,
    /// New expected close date, or none.
    pub expected_close_on: Patch<Date>,
    /// Another stage (of any pipeline of the organization).
    pub stage_id: Option<Uuid>,
    /// Another probability (open deals).
    pub probability: Option<u8>,
    /// Another lost reason (lost deals), or none.
    pub lost_reason: Patch<String>,
    /// Another company, or none.
    pub company_id: Patch<Uuid>,
    /// Another contact, or none.
    pub contact_id: Patch<Uuid>,
    /// Another owner, or none.
    pub owner_id: Patch<UserId>,
    /// New tags.
    pub tags: Option<Vec<String>>,
}

/// The deal use cases.
#[derive(Clone)]
pub struct DealService {
    records: RecordService<DealFields>,
    pipelines: PipelineService,
    board: Arc<dyn DealBoard>,
}

impl DealService {
    /// Deals over their record service, the pipelines and the board.
    pub fn new(records: RecordService<DealFields>, pipelines: PipelineService, board: Arc<dyn DealBoard>) -> Self {
        Self { records, pipelines, board }
    }

    /// The pipeline and stage a new deal or a patch names: the stage's
    /// pipeline (which must be `pipeline` when both are named), else the
    /// named or default pipeline's first open stage.
    async fn placement(
        &self,
        principal: &Principal,
        pipeline: Option<Uuid>,
        stage: Option<Uuid>,
    ) -> Result<(Pipeline, Uuid), DomainError> {
        let organization = &principal.organization_id;
        match (pipeline, stage) {
            (named, Some(stage)) => {
                let found = self.pipelines.of_stage(organization, stage, "stage_id").await?;
                if named.is_some_and(|p| p != found.id) {
                    return Err(DomainError::invalid("stage_id", "not a stage of the pipeline named"));
                }
                Ok((found, stage))
            }
            (named, None) => {
                let pipeline = match named {
                    Some(id) => self.pipelines.named(organization, id, "pipeline_id").await?,
                    None => self.pipelines.default_of(organization).await?,
                };
                let first = pipeline.first_open_stage().map(|s| s.id);
                let first =
                    first.ok_or_else(|| DomainError::invalid("pipeline_id", "the pipeline has no open stage"))?;
                Ok((pipeline, first))
            }
        }
    }

    /// Creates a deal (`crm:write`) at the bottom of its stage's column.
    pub async fn create(&self, principal: &Principal, new: NewDeal) -> Result<Deal, DomainError> {
        principal.require(&crate::permissions::WRITE)?;
        let (pipeline, stage_id) = self.placement(principal, new.pipeline_id, new.stage_id).await?;
        let stage =
            pipeline.stage(stage_id).cloned().ok_or_else(|| DomainError::invalid("stage_id", "unknown stage"))?;
        let mut fields = DealFields {
            name: new.name,
            amount: new.amount,
            expected_close_on: new.expected_close_on,
            pipeline_id: pipeline.id,
            stage_id,
            probability: stage.probability,
            status: StageKind::Open,
            lost_reason: None,
            closed_on: None,
            company_id: new.company_id,
            contact_id: new.contact_id,
            owner_id: new.owner_id,
            tags: new.tags,
            position: micros(OffsetDateTime::now_utc()),
        };
        fields.enter_stage(pipeline.id, &stage, new.probability, new.lost_reason, today());
        let also = Box::new(move |before: Option<&DealFields>, deal: &Deal| transition(before, deal, &pipeline));
        self.records.create_with(principal, fields, true, Some(also)).await
    }

    /// One deal (`crm:read`).
    pub async fn get(&self, principal: &Principal, id: Uuid) -> Result<Deal, DomainError> {
        self.records.get(principal, id).await
    }

    /// A page of deals (`crm:read`).
    pub async fn list(&self, principal: &Principal, query: &ListQuery) -> Result<Page<Deal>, DomainError> {
        self.records.list(principal, query).await
    }

    /// Changes a deal at `expected_version` (`crm:write`); a new stage
    /// moves it (status, probability, close date follow the stage).
    pub async fn update(
        &self,
        principal: &Principal,
        id: Uuid,
        expected_version: i64,
        patch: DealPatch,
    ) -> Result<Deal, DomainError> {
        principal.require(&crate::permissions::WRITE)?;
        let target = match patch.stage_id {
            Some(stage) => Some(self.placement(principal, None, Some(stage)).await?),
            None => None,
        };
        let sets_owner = patch.owner_id.set_value().cloned();
        let pipeline = target.as_ref().map(|(p, _)| p.clone());
        let apply = move |f: DealFields| {
            let mut f = DealFields {
                name: patch.name.unwrap_or(f.name),
                amount: patch.amount.apply(f.amount),
                expected_close_on: patch.expected_close_on.apply(f.expected_close_on),
                company_id: patch.company_id.apply(f.company_id),
                contact_id: patch.contact_id.apply(f.contact_id),
                owner_id: patch.owner_id.apply(f.owner_id),
                tags: patch.tags.unwrap_or(f.tags),
                ..f
            };
            let stage = target.as_ref().and_then(|(p, s)| p.stage(*s).map(|stage| (p.id, stage)));
            match stage {
                Some((pipeline, stage)) if stage.id != f.stage_id => {
                    f.enter_stage(pipeline, stage, patch.probability, patch.lost_reason.set_value().cloned(), today());
                }
                _ => {
                    f.probability = patch.probability.unwrap_or(f.probability);
                    f.lost_reason = patch.lost_reason.apply(f.lost_reason);
                }
            }
            f
        };
        let also = pipeline.map(|pipeline| {
            Box::new(move |before: Option<&DealFields>, deal: &Deal| transition(before, deal, &pipeline))
                as super::Also<DealFields>
        });
        let edit = Edit { apply: Box::new(apply), sets_owner, also };
        self.records.update(principal, id, expected_version, edit).await
    }

    /// Moves a deal on its board (`crm:write`): into `stage_id`, right after
    /// `after` (or at the top), at `expected_version`.
    pub async fn move_to(
        &self,
        principal: &Principal,
        id: Uuid,
        expected_version: i64,
        stage_id: Uuid,
        after: Option<Uuid>,
    ) -> Result<Deal, DomainError> {
        principal.require(&crate::permissions::WRITE)?;
        let (pipeline, stage_id) = self.placement(principal, None, Some(stage_id)).await?;
        let placement = Placement { pipeline_id: pipeline.id, stage_id, after };
        let actor = principal.user_id.clone();
        let change = Box::new(move |deal: &mut Deal| {
            let before = deal.fields.clone();
            let mut fields = before.clone();
            if let Some(stage) = pipeline.stage(stage_id).filter(|s| s.id != before.stage_id) {
                fields.enter_stage(pipeline.id, stage, None, None, today());
            }
            let now = OffsetDateTime::now_utc();
            let changes = deal.update(fields, &actor, now)?;
            if changes.is_empty() {
                deal.touch(&actor, now);
            }
            let mut recorded = updated(deal, &changes);
            recorded.extend(transition(Some(&before), deal, &pipeline));
            Ok(recorded)
        });
        let placed = self.board.place(&principal.organization_id, id, expected_version, placement, change).await;
        placed.map_err(|e| domain_error("deal", e))
    }

    /// Moves a deal to the trash (`crm:write`).
    pub async fn delete(&self, principal: &Principal, id: Uuid, expected_version: i64) -> Result<Deal, DomainError> {
        self.records.delete(principal, id, expected_version).await
    }

    /// Restores a deal (`crm:write`).
    pub async fn restore(&self, principal: &Principal, id: Uuid, expected_version: i64) -> Result<Deal, DomainError> {
        self.records.restore(principal, id, expected_version).await
    }

    /// The record service, for the endpoints every kind shares.
    pub fn records(&self) -> &RecordService<DealFields> {
        &self.records
    }
}
