//! [`SqlDealBoard`]: a deal's place on a board. Positions are integers,
//! smaller first, spaced [`GAP`] apart; a move takes the midpoint of its
//! new neighbours and renumbers the stage when they touch. Every move into
//! a stage first bumps that stage's lock counter, which serializes moves
//! into it (a row lock on PostgreSQL, the write lock on SQLite), so
//! concurrent reorders cannot interleave.

use anyhow::Context;
use async_trait::async_trait;
use gremlin_kernel::sql::{execute, query_all};
use gremlin_kernel::{FieldError, OrganizationId};
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait, Value};
use uuid::Uuid;

use super::records::{check_references, read_in, record_all, write_in};
use crate::model::{CrmError, Deal, DealFields};
use crate::ports::{DealBoard, Placement, RecordChange, RepositoryError};

/// The space left between neighbouring positions.
pub const GAP: i64 = 1024;

/// Deals' places in the SQL database.
#[derive(Clone)]
pub struct SqlDealBoard {
    db: DatabaseConnection,
}

impl SqlDealBoard {
    /// Boards over `db`, whose migrations created the CRM tables.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn invalid(field: &str, message: &str) -> RepositoryError {
    CrmError::Invalid(vec![FieldError { field: field.into(), message: message.into() }]).into()
}

/// The live deals of `stage` other than `except`, as (position, id) in board order.
async fn column(
    txn: &DatabaseTransaction,
    organization: &OrganizationId,
    stage: Uuid,
    except: Uuid,
) -> anyhow::Result<Vec<(i64, String)>> {
    let sql = "SELECT position, id FROM crm_deals WHERE organization_id = $1 AND stage_id = $2 \
               AND deleted_at_us IS NULL AND id <> $3 ORDER BY position, id";
    let values: Vec<Value> = vec![organization.as_str().into(), stage.to_string().into(), except.to_string().into()];
    let rows = query_all(txn, sql, values).await.context("reading a column")?;
    rows.iter().map(|r| Ok((r.try_get("", "position")?, r.try_get("", "id")?))).collect()
}

/// The position between the deal `after` (or the top) and the one below
/// it in `column`, renumbering the column first when they touch.
async fn position_in(
    txn: &DatabaseTransaction,
    organization: &OrganizationId,
    column: Vec<(i64, String)>,
    after: Option<Uuid>,
) -> Result<i64, RepositoryError> {
    let index = match after {
        None => 0,
        Some(after) => {
            let found = column.iter().position(|(_, id)| *id == after.to_string());
            found.map(|i| i + 1).ok_or_else(|| invalid("after_deal_id", "not a live deal of that stage"))?
        }
    };
    let above = index.checked_sub(1).map(|i| column[i].0);
    let below = column.get(index).map(|(p, _)| *p);
    let midpoint = match (above, below) {
        (None, None) => Some(0),
        (None, Some(b)) => b.checked_sub(GAP),
        (Some(a), None) => a.checked_add(GAP),
        (Some(a), Some(b)) if b - a >= 2 => Some(a + (b - a) / 2),
        _ => None,
    };
    if let Some(position) = midpoint {
        return Ok(position);
    }
    // No room: spread the column out, leaving room at `index`.
    let sql = "UPDATE crm_deals SET position = $3 WHERE organization_id = $1 AND id = $2";
    for (i, (_, id)) in column.iter().enumerate() {
        let slot = i64::try_from(i + usize::from(i >= index)).unwrap_or(i64::MAX / GAP) * GAP;
        let values: Vec<Value> = vec![organization.as_str().into(), id.clone().into(), slot.into()];
        execute(txn, sql, values).await.context("renumbering a column")?;
    }
    Ok(i64::try_from(index).unwrap_or(i64::MAX / GAP) * GAP)
}

#[async_trait]
impl DealBoard for SqlDealBoard {
    async fn place(
        &self,
        organization: &OrganizationId,
        id: Uuid,
        expected_version: i64,
        placement: Placement,
        change: RecordChange<DealFields>,
    ) -> Result<Deal, RepositoryError> {
        let txn = self.db.begin().await.context("starting a transaction")?;
        let lock = "UPDATE crm_stages SET version = version + 1 \
                    WHERE organization_id = $1 AND id = $2 AND pipeline_id = $3";
        let values: Vec<Value> = vec![
            organization.as_str().into(),
            placement.stage_id.to_string().into(),
            placement.pipeline_id.to_string().into(),
        ];
        if execute(&txn, lock, values).await.context("locking a stage")? == 0 {
            return Err(invalid("stage_id", "not a stage of this organization"));
        }
        let mut deal = read_in::<DealFields>(&txn, organization, id).await?.ok_or(RepositoryError::NotFound)?;
        let read_version = deal.audit.version;
        if read_version != expected_version {
            return Err(RepositoryError::VersionConflict { current: read_version });
        }
        deal.live()?;
        let column = column(&txn, organization, placement.stage_id, id).await?;
        let position = position_in(&txn, organization, column, placement.after).await?;
        let recorded = change(&mut deal)?;
        deal.fields.position = position;
        check_references(&txn, &deal).await?;
        if !write_in(&txn, &deal, read_version).await? {
            return Err(RepositoryError::VersionConflict { current: read_version + 1 });
        }
        record_all(&txn, organization, recorded).await?;
        txn.commit().await.context("committing a deal move")?;
        Ok(deal)
    }
}
