//! Pipeline use cases: everyone reads them (`crm:read`), managers make,
//! revise and delete them (`crm:manage`). The first read makes the
//! organization's default pipeline, once, whatever the number of
//! processes asking at the same time.

use std::collections::HashMap;
use std::sync::Arc;

use gremlin_kernel::{DomainError, OrganizationId, Principal};
use time::OffsetDateTime;
use uuid::Uuid;

use super::domain_error;
use super::stages::enter_stage;
use crate::model::forecast::{Forecast, forecast};
use crate::model::{Pipeline, StageInput};
use crate::permissions;
use crate::ports::PipelineRepository;

/// The pipeline use cases.
#[derive(Clone)]
pub struct PipelineService {
    repo: Arc<dyn PipelineRepository>,
}

fn error(e: crate::ports::RepositoryError) -> DomainError {
    domain_error("pipeline", e)
}

impl PipelineService {
    /// The use cases over `repo`.
    pub fn new(repo: Arc<dyn PipelineRepository>) -> Self {
        Self { repo }
    }

    /// The organization's pipelines, the default first; the default is
    /// made on the organization's first use.
    pub(crate) async fn all_of(&self, organization: &OrganizationId) -> Result<Vec<Pipeline>, DomainError> {
        let pipelines = self.repo.list(organization).await.map_err(error)?;
        if pipelines.iter().any(|p| p.is_default) {
            return Ok(pipelines);
        }
        self.repo
            .create_default(&Pipeline::default_for(organization, OffsetDateTime::now_utc()))
            .await
            .map_err(error)?;
        self.repo.list(organization).await.map_err(error)
    }

    /// The organization's default pipeline (made on first use).
    pub(crate) async fn default_of(&self, organization: &OrganizationId) -> Result<Pipeline, DomainError> {
        let all = self.all_of(organization).await?;
        all.into_iter()
            .find(|p| p.is_default)
            .ok_or_else(|| DomainError::Backend(anyhow::anyhow!("no default pipeline")))
    }

    /// The pipeline `id` of the organization, or a 422 on `field`.
    pub(crate) async fn named(
        &self,
        organization: &OrganizationId,
        id: Uuid,
        field: &str,
    ) -> Result<Pipeline, DomainError> {
        let found = self.repo.get(organization, id).await.map_err(error)?;
        found.ok_or_else(|| DomainError::invalid(field, "no pipeline with this id in this organization"))
    }

    /// The pipeline holding `stage`, or a 422 on `field`.
    pub(crate) async fn of_stage(
        &self,
        organization: &OrganizationId,
        stage: Uuid,
        field: &str,
    ) -> Result<Pipeline, DomainError> {
        let found = self.repo.of_stage(organization, stage).await.map_err(error)?;
        found.ok_or_else(|| DomainError::invalid(field, "no stage with this id in this organization"))
    }

    /// Every pipeline of the organization with its stages (`crm:read`).
    pub async fn list(&self, principal: &Principal) -> Result<Vec<Pipeline>, DomainError> {
        principal.require(&permissions::READ)?;
        self.all_of(&principal.organization_id).await
    }

    /// One pipeline (`crm:read`).
    pub async fn get(&self, principal: &Principal, id: Uuid) -> Result<Pipeline, DomainError> {
        principal.require(&permissions::READ)?;
        let found = self.repo.get(&principal.organization_id, id).await.map_err(error)?;
        found.ok_or_else(|| DomainError::not_found("pipeline"))
    }

    /// A new pipeline (`crm:manage`).
    pub async fn create(
        &self,
        principal: &Principal,
        name: &str,
        stages: &[StageInput],
    ) -> Result<Pipeline, DomainError> {
        principal.require(&permissions::MANAGE)?;
        let pipeline = Pipeline::create(principal.organization_id.clone(), name, stages, OffsetDateTime::now_utc())
            .map_err(|errors| DomainError::Invalid { errors })?;
        self.repo.create(&pipeline).await.map_err(error)?;
        Ok(pipeline)
    }

    /// Renames a pipeline and replaces its stages (`crm:manage`). Deals of
    /// removed stages go where `move_deals` says (removed stage → kept
    /// stage); a removed stage holding deals without one refuses it (409).
    pub async fn revise(
        &self,
        principal: &Principal,
        id: Uuid,
        expected_version: i64,
        name: String,
        stages: Vec<StageInput>,
        move_deals: HashMap<Uuid, Uuid>,
    ) -> Result<Pipeline, DomainError> {
        principal.require(&permissions::MANAGE)?;
        let change = Box::new(move |pipeline: &mut Pipeline| {
            pipeline.revise(&name, &stages, OffsetDateTime::now_utc()).map_err(crate::model::CrmError::Invalid)
        });
        let actor = principal.user_id.clone();
        let move_deal = Box::new(move |deal: &mut crate::model::Deal, pipeline: &Pipeline, destination: Uuid| {
            enter_stage(deal, pipeline, destination, &actor)
        });
        self.repo
            .revise(&principal.organization_id, id, expected_version, change, move_deals, move_deal)
            .await
            .map_err(error)
    }

    /// The forecast of a pipeline (`crm:read`): its open deals per stage
    /// and expected-close month, plain and weighted, and what was won and
    /// lost from `from` to `to` (default: the current month, UTC).
    pub async fn forecast(
        &self,
        principal: &Principal,
        id: Uuid,
        from: Option<time::Date>,
        to: Option<time::Date>,
    ) -> Result<(Pipeline, Forecast, time::Date, time::Date), DomainError> {
        let pipeline = self.get(principal, id).await?;
        let today = OffsetDateTime::now_utc().date();
        let from = from.unwrap_or_else(|| today.replace_day(1).unwrap_or(today));
        let to = to.unwrap_or_else(|| {
            let next = if today.month() == time::Month::December {
                time::Date::from_calendar_date(today.year() + 1, time::Month::January, 1)
            } else {
                time::Date::from_calendar_date(today.year(), today.month().next(), 1)
            };
            next.ok().and_then(|d| d.previous_day()).unwrap_or(today)
        });
        if from > to {
            return Err(DomainError::invalid("from", "on or before `to`"));
        }
        let figures = self.repo.deal_figures(&principal.organization_id, id, from, to).await.map_err(error)?;
        let forecast = forecast(&pipeline, &figures, from, to);
        Ok((pipeline, forecast, from, to))
    }

    /// Deletes a pipeline without deals that is not the default (`crm:manage`).
    pub async fn delete(&self, principal: &Principal, id: Uuid, expected_version: i64) -> Result<(), DomainError> {
        principal.require(&permissions::MANAGE)?;
        self.repo.delete(&principal.organization_id, id, expected_version).await.map_err(error)
    }
}
