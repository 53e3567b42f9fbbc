//! [`RecordMerge`]: folding one record into another in one transaction —
//! both written at the versions the caller read, and everything that
//! pointed at the merged record (people, deals, notes, tasks, timeline
//! lines) moved to the survivor.

use anyhow::Context;
use async_trait::async_trait;
use gremlin_kernel::sql::execute;
use gremlin_kernel::{FieldError, OrganizationId};
use sea_orm::{TransactionTrait, Value};
use uuid::Uuid;

use super::records::{SqlRecords, check_references, lock, read_in, record_all, write_in};
use super::tables::Table;
use crate::model::{CompanyFields, CrmError, PersonFields, Record};
use crate::ports::{MergeChange, RecordMerge, RepositoryError};

/// The columns of other tables that name a record of this kind, moved to
/// the survivor of a merge.
pub trait MergeMoves: Table {
    /// (table, column) pairs.
    const POINTING_AT: &'static [(&'static str, &'static str)];
}

impl MergeMoves for CompanyFields {
    const POINTING_AT: &'static [(&'static str, &'static str)] =
        &[("crm_people", "company_id"), ("crm_deals", "company_id")];
}

impl MergeMoves for PersonFields {
    const POINTING_AT: &'static [(&'static str, &'static str)] = &[("crm_deals", "contact_id")];
}

fn invalid(message: &str) -> RepositoryError {
    CrmError::Invalid(vec![FieldError { field: "merge_id".into(), message: message.into() }]).into()
}

#[async_trait]
impl<F: MergeMoves> RecordMerge<F> for SqlRecords<F> {
    async fn merge(
        &self,
        organization: &OrganizationId,
        survivor: Uuid,
        survivor_version: i64,
        merged: Uuid,
        merged_version: i64,
        change: MergeChange<F>,
    ) -> Result<Record<F>, RepositoryError> {
        if survivor == merged {
            return Err(invalid("a record cannot be merged into itself"));
        }
        let txn = self.db().begin().await.context("starting a transaction")?;
        // Writing first takes SQLite's write lock and PostgreSQL's row
        // locks, so a change of either record waits for the merge.
        if !lock::<F>(&txn, organization, survivor).await? {
            return Err(RepositoryError::NotFound);
        }
        lock::<F>(&txn, organization, merged).await?;
        let mut kept = read_in::<F>(&txn, organization, survivor).await?.ok_or(RepositoryError::NotFound)?;
        let mut gone = read_in::<F>(&txn, organization, merged)
            .await?
            .ok_or_else(|| invalid("no such record in this organization"))?;
        if kept.audit.version != survivor_version {
            return Err(RepositoryError::VersionConflict { current: kept.audit.version });
        }
        if gone.audit.version != merged_version {
            let detail = format!(
                "the record to merge changed since it was read; its current version is {} (read it again)",
                gone.audit.version
            );
            return Err(CrmError::Stale(detail).into());
        }
        let recorded = change(&mut kept, &mut gone)?;
        check_references(&txn, &kept).await?;
        if !write_in(&txn, &kept, survivor_version).await? || !write_in(&txn, &gone, merged_version).await? {
            return Err(RepositoryError::VersionConflict { current: survivor_version + 1 });
        }
        let ids: Vec<Value> =
            vec![organization.as_str().into(), merged.to_string().into(), survivor.to_string().into()];
        for (table, column) in F::POINTING_AT {
            let sql = format!("UPDATE {table} SET {column} = $3 WHERE organization_id = $1 AND {column} = $2");
            execute(&txn, &sql, ids.clone()).await.with_context(|| format!("moving {table}.{column}"))?;
        }
        let mut with_kind = ids;
        with_kind.push(F::KIND.as_str().into());
        for table in ["crm_activities", "crm_timeline"] {
            let sql = format!(
                "UPDATE {table} SET record_id = $3 WHERE organization_id = $1 AND record_kind = $4 AND record_id = $2"
            );
            execute(&txn, &sql, with_kind.clone()).await.with_context(|| format!("moving {table}"))?;
        }
        record_all(&txn, organization, recorded).await?;
        txn.commit().await.context("committing a merge")?;
        Ok(kept)
    }
}
