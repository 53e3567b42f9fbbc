//! [`SqlPipelines`]: pipelines (`crm_pipelines`) and their ordered stages
//! (`crm_stages`), with the deals a revision moves out of removed stages
//! changed in the same transaction.

use std::collections::HashMap;

use anyhow::Context;
use async_trait::async_trait;
use gremlin_kernel::sql::{execute, from_micros, micros, query_all, query_one};
use gremlin_kernel::{FieldError, OrganizationId};
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult, TransactionTrait, Value};
use uuid::Uuid;

use super::records::{read_where, record_all, write_in};
use gremlin_kernel::Currency;
use time::Date;

use super::tables::from_e4;
use crate::model::forecast::DealFigure;
use crate::model::{Amount, CrmError, DealFields, Pipeline, Stage, StageKind};
use crate::ports::{DealMove, PipelineChange, PipelineRepository, Recorded, RepositoryError};

/// Pipelines in the SQL database.
#[derive(Clone)]
pub struct SqlPipelines {
    db: DatabaseConnection,
}

impl SqlPipelines {
    /// Pipelines over `db`, whose migrations created the CRM tables.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn uuid(row: &QueryResult, column: &str) -> anyhow::Result<Uuid> {
    let text: String = row.try_get("", column)?;
    Uuid::parse_str(&text).with_context(|| format!("stored id `{text}`"))
}

fn read_stage(row: &QueryResult) -> anyhow::Result<(Uuid, Stage)> {
    let kind: String = row.try_get("", "kind")?;
    let probability: i32 = row.try_get("", "probability")?;
    let stage = Stage {
        id: uuid(row, "id")?,
        name: row.try_get("", "name")?,
        probability: u8::try_from(probability).context("stored probability")?,
        kind: StageKind::parse(&kind).with_context(|| format!("stored stage kind `{kind}`"))?,
    };
    Ok((uuid(row, "pipeline_id")?, stage))
}

/// Pipelines matching `filter` (`$1` is the organization), with their stages.
async fn read_pipelines(
    conn: &impl ConnectionTrait,
    organization: &OrganizationId,
    filter: &str,
    values: Vec<Value>,
) -> anyhow::Result<Vec<Pipeline>> {
    let mut all: Vec<Value> = vec![organization.as_str().into()];
    all.extend(values);
    let sql = format!(
        "SELECT * FROM crm_pipelines WHERE organization_id = $1{filter} ORDER BY is_default DESC, created_at_us, id"
    );
    let rows = query_all(conn, &sql, all.clone()).await.context("reading pipelines")?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let stage_sql = format!(
        "SELECT * FROM crm_stages WHERE organization_id = $1 AND pipeline_id IN \
         (SELECT id FROM crm_pipelines WHERE organization_id = $1{filter}) ORDER BY position"
    );
    let stage_rows = query_all(conn, &stage_sql, all).await.context("reading stages")?;
    let mut stages: HashMap<Uuid, Vec<Stage>> = HashMap::new();
    for row in &stage_rows {
        let (pipeline, stage) = read_stage(row)?;
        stages.entry(pipeline).or_default().push(stage);
    }
    rows.iter()
        .map(|row| {
            let id = uuid(row, "id")?;
            Ok(Pipeline {
                id,
                organization_id: organization.clone(),
                name: row.try_get("", "name")?,
                stages: stages.remove(&id).unwrap_or_default(),
                is_default: row.try_get("", "is_default")?,
                created_at: from_micros(row.try_get("", "created_at_us")?)?,
                updated_at: from_micros(row.try_get("", "updated_at_us")?)?,
                version: row.try_get("", "version")?,
            })
        })
        .collect()
}

/// Inserts the pipeline's row; with `if_new`, nothing happens when its id
/// exists. Whether a row was inserted.
async fn insert_pipeline(conn: &impl ConnectionTrait, p: &Pipeline, if_new: bool) -> anyhow::Result<bool> {
    let sql = format!(
        "INSERT INTO crm_pipelines (id, organization_id, name, is_default, created_at_us, updated_at_us, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7){}",
        if if_new { " ON CONFLICT (id) DO NOTHING" } else { "" }
    );
    let values: Vec<Value> = vec![
        p.id.to_string().into(),
        p.organization_id.as_str().into(),
        p.name.clone().into(),
        p.is_default.into(),
        micros(p.created_at).into(),
        micros(p.updated_at).into(),
        p.version.into(),
    ];
    Ok(execute(conn, &sql, values).await.context("inserting a pipeline")? == 1)
}

/// Writes the pipeline's stages in order: new ones inserted, kept ones
/// renamed, re-kinded and moved.
async fn upsert_stages(conn: &impl ConnectionTrait, p: &Pipeline) -> anyhow::Result<()> {
    const SQL: &str = "INSERT INTO crm_stages \
        (id, organization_id, pipeline_id, position, name, probability, kind, version) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, 1) \
        ON CONFLICT (id) DO UPDATE SET position = $4, name = $5, probability = $6, kind = $7";
    for (position, stage) in p.stages.iter().enumerate() {
        let values: Vec<Value> = vec![
            stage.id.to_string().into(),
            p.organization_id.as_str().into(),
            p.id.to_string().into(),
            i32::try_from(position).unwrap_or(i32::MAX).into(),
            stage.name.clone().into(),
            i32::from(stage.probability).into(),
            stage.kind.as_str().into(),
        ];
        execute(conn, SQL, values).await.context("writing a stage")?;
    }
    Ok(())
}

/// Takes the lock on pipeline `id` by a write that changes nothing
/// (SQLite's write lock, PostgreSQL's row lock): revisions and deletions
/// of one pipeline queue. Whether the organization has it.
async fn lock(txn: &impl ConnectionTrait, organization: &OrganizationId, id: Uuid) -> anyhow::Result<bool> {
    let sql = "UPDATE crm_pipelines SET version = version WHERE organization_id = $1 AND id = $2";
    let values: Vec<Value> = vec![organization.as_str().into(), id.to_string().into()];
    Ok(execute(txn, sql, values).await.context("locking a pipeline")? == 1)
}

#[async_trait]
impl PipelineRepository for SqlPipelines {
    async fn create_default(&self, pipeline: &Pipeline) -> Result<bool, RepositoryError> {
        let txn = self.db.begin().await.context("starting a transaction")?;
        if !insert_pipeline(&txn, pipeline, true).await? {
            return Ok(false);
        }
        upsert_stages(&txn, pipeline).await?;
        txn.commit().await.context("committing the default pipeline")?;
        Ok(true)
    }

    async fn create(&self, pipeline: &Pipeline) -> Result<(), RepositoryError> {
        let txn = self.db.begin().await.context("starting a transaction")?;
        insert_pipeline(&txn, pipeline, false).await?;
        upsert_stages(&txn, pipeline).await?;
        txn.commit().await.context("committing a pipeline")?;
        Ok(())
    }

    async fn list(&self, organization: &OrganizationId) -> Result<Vec<Pipeline>, RepositoryError> {
        Ok(read_pipelines(&self.db, organization, "", Vec::new()).await?)
    }

    async fn get(&self, organization: &OrganizationId, id: Uuid) -> Result<Option<Pipeline>, RepositoryError> {
        Ok(read_pipelines(&self.db, organization, " AND id = $2", vec![id.to_string().into()]).await?.pop())
    }

    async fn of_stage(&self, organization: &OrganizationId, stage: Uuid) -> Result<Option<Pipeline>, RepositoryError> {
        let filter = " AND id IN (SELECT pipeline_id FROM crm_stages WHERE organization_id = $1 AND id = $2)";
        Ok(read_pipelines(&self.db, organization, filter, vec![stage.to_string().into()]).await?.pop())
    }

    async fn revise(
        &self,
        organization: &OrganizationId,
        id: Uuid,
        expected_version: i64,
        change: PipelineChange,
        destinations: HashMap<Uuid, Uuid>,
        move_deal: DealMove,
    ) -> Result<Pipeline, RepositoryError> {
        let txn = self.db.begin().await.context("starting a transaction")?;
        if !lock(&txn, organization, id).await? {
            return Err(RepositoryError::NotFound);
        }
        let filter = " AND id = $2";
        let mut pipeline = read_pipelines(&txn, organization, filter, vec![id.to_string().into()])
            .await?
            .pop()
            .ok_or(RepositoryError::NotFound)?;
        if pipeline.version != expected_version {
            return Err(RepositoryError::VersionConflict { current: pipeline.version });
        }
        let before = pipeline.clone();
        let removed = change(&mut pipeline)?;
        // Deals in a removed stage go to their destination; deals in a kept
        // stage whose kind changed take the new kind.
        let mut recorded = Recorded::default();
        for stage in &before.stages {
            let destination = if removed.contains(&stage.id) {
                destinations.get(&stage.id).copied()
            } else if pipeline.stage(stage.id).is_some_and(|s| s.kind != stage.kind) {
                Some(stage.id)
            } else {
                continue;
            };
            let deals: Vec<crate::model::Deal> =
                read_where(&txn, organization, "stage_id = $2", vec![stage.id.to_string().into()], "position, id")
                    .await?;
            if deals.is_empty() {
                continue;
            }
            let Some(destination) = destination.filter(|d| pipeline.stage(*d).is_some()) else {
                if destinations.contains_key(&stage.id) {
                    let message = format!("stage `{}` must move its deals to a stage the pipeline keeps", stage.name);
                    return Err(CrmError::Invalid(vec![FieldError { field: "move_deals".into(), message }]).into());
                }
                return Err(CrmError::StageHoldsDeals { stage: stage.name.clone(), deals: deals.len() as u64 }.into());
            };
            for mut deal in deals {
                let read_version = deal.audit.version;
                let done = move_deal(&mut deal, &pipeline, destination)?;
                if !write_in::<DealFields>(&txn, &deal, read_version).await? {
                    return Err(RepositoryError::VersionConflict { current: pipeline.version });
                }
                recorded.events.extend(done.events);
                recorded.timeline.extend(done.timeline);
            }
        }
        if !removed.is_empty() {
            let ids: Vec<String> = removed.iter().map(|r| format!("'{r}'")).collect();
            let sql = format!(
                "DELETE FROM crm_stages WHERE organization_id = $1 AND pipeline_id = $2 AND id IN ({})",
                ids.join(", ")
            );
            execute(&txn, &sql, vec![organization.as_str().into(), id.to_string().into()])
                .await
                .context("removing stages")?;
        }
        upsert_stages(&txn, &pipeline).await?;
        let sql = "UPDATE crm_pipelines SET name = $3, updated_at_us = $4, version = $5 \
                   WHERE organization_id = $1 AND id = $2 AND version = $6";
        let values: Vec<Value> = vec![
            organization.as_str().into(),
            id.to_string().into(),
            pipeline.name.clone().into(),
            micros(pipeline.updated_at).into(),
            pipeline.version.into(),
            before.version.into(),
        ];
        if execute(&txn, sql, values).await.context("updating a pipeline")? == 0 {
            return Err(RepositoryError::VersionConflict { current: before.version + 1 });
        }
        record_all(&txn, organization, recorded).await?;
        txn.commit().await.context("committing a pipeline revision")?;
        Ok(pipeline)
    }

    async fn deal_figures(
        &self,
        organization: &OrganizationId,
        id: Uuid,
        from: Date,
        to: Date,
    ) -> Result<Vec<DealFigure>, RepositoryError> {
        let sql = "SELECT stage_id, status, amount_e4, currency, probability, expected_close_on, closed_on \
                   FROM crm_deals WHERE organization_id = $1 AND pipeline_id = $2 AND deleted_at_us IS NULL \
                   AND (status = 'open' OR (closed_on >= $3 AND closed_on <= $4))";
        let values: Vec<Value> =
            vec![organization.as_str().into(), id.to_string().into(), from.to_string().into(), to.to_string().into()];
        let rows = query_all(&self.db, sql, values).await;
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let date = |row: &QueryResult, column: &str| -> anyhow::Result<Option<Date>> {
            let text: Option<String> = row.try_get("", column)?;
            text.map(|t| Date::parse(&t, &format).with_context(|| format!("stored date `{t}`"))).transpose()
        };
        rows.context("reading a pipeline's deals")?
            .iter()
            .map(|row| {
                let status: String = row.try_get("", "status")?;
                let probability: i32 = row.try_get("", "probability")?;
                let units: Option<i64> = row.try_get("", "amount_e4")?;
                let currency: Option<String> = row.try_get("", "currency")?;
                let amount = match (units, currency) {
                    (Some(units), Some(code)) => Some(Amount {
                        amount: from_e4(units),
                        currency: Currency::parse(&code).with_context(|| format!("stored currency `{code}`"))?,
                    }),
                    _ => None,
                };
                Ok(DealFigure {
                    stage_id: uuid(row, "stage_id")?,
                    status: StageKind::parse(&status).with_context(|| format!("stored deal status `{status}`"))?,
                    amount,
                    probability: u8::try_from(probability).context("stored probability")?,
                    expected_close_on: date(row, "expected_close_on")?,
                    closed_on: date(row, "closed_on")?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()
            .map_err(RepositoryError::Backend)
    }

    async fn delete(
        &self,
        organization: &OrganizationId,
        id: Uuid,
        expected_version: i64,
    ) -> Result<(), RepositoryError> {
        let txn = self.db.begin().await.context("starting a transaction")?;
        if !lock(&txn, organization, id).await? {
            return Err(RepositoryError::NotFound);
        }
        let pipeline = read_pipelines(&txn, organization, " AND id = $2", vec![id.to_string().into()])
            .await?
            .pop()
            .ok_or(RepositoryError::NotFound)?;
        if pipeline.version != expected_version {
            return Err(RepositoryError::VersionConflict { current: pipeline.version });
        }
        if pipeline.is_default {
            return Err(CrmError::PipelineInUse("the default pipeline cannot be deleted".into()).into());
        }
        let count_sql = "SELECT COUNT(*) AS n FROM crm_deals WHERE organization_id = $1 AND pipeline_id = $2";
        let values: Vec<Value> = vec![organization.as_str().into(), id.to_string().into()];
        let row = query_one(&txn, count_sql, values.clone()).await;
        let deals: i64 = row
            .context("counting deals")?
            .map(|r| r.try_get("", "n"))
            .transpose()
            .context("counting deals")?
            .unwrap_or(0);
        if deals > 0 {
            let detail =
                format!("the pipeline holds {deals} deal(s) (live or in the trash); move them to another first");
            return Err(CrmError::PipelineInUse(detail).into());
        }
        execute(&txn, "DELETE FROM crm_stages WHERE organization_id = $1 AND pipeline_id = $2", values.clone())
            .await
            .context("deleting stages")?;
        execute(&txn, "DELETE FROM crm_pipelines WHERE organization_id = $1 AND id = $2", values)
            .await
            .context("deleting a pipeline")?;
        txn.commit().await.context("committing a pipeline deletion")?;
        Ok(())
    }
}
