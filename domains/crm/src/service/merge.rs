//! Merging duplicates (`crm:manage`): the survivor takes the fields the
//! caller names from the merged record, everything pointing at the merged
//! record moves to the survivor, and the merged record goes to the trash —
//! one transaction, at the versions the caller read of both.

use std::sync::Arc;

use gremlin_kernel::{DomainError, MemberDirectory, Principal};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{domain_error, entry};
use crate::events::{Merges, merge_event};
use crate::model::merge::{Mergeable, merge_fields};
use crate::model::{CrmError, Record};
use crate::permissions;
use crate::ports::{EntryKind, RecordMerge, RecordRepository, Recorded};

/// Merges of one record kind.
pub struct MergeService<F> {
    merges: Arc<dyn RecordMerge<F>>,
    records: Arc<dyn RecordRepository<F>>,
    members: Arc<dyn MemberDirectory>,
}

impl<F> Clone for MergeService<F> {
    fn clone(&self) -> Self {
        Self { merges: self.merges.clone(), records: self.records.clone(), members: self.members.clone() }
    }
}

/// A merge as the caller asks for it.
#[derive(Debug, Clone)]
pub struct MergeRequest {
    /// The record that stays.
    pub survivor: Uuid,
    /// Its version as read (`If-Match`).
    pub survivor_version: i64,
    /// The duplicate folded in.
    pub merged: Uuid,
    /// Its version as read.
    pub merged_version: i64,
    /// The fields whose value comes from the merged record.
    pub take: Vec<String>,
}

impl<F: Mergeable + Merges> MergeService<F> {
    /// Merges through `merges`, checking a taken owner (read from
    /// `records`) with `members`.
    pub fn new(
        merges: Arc<dyn RecordMerge<F>>,
        records: Arc<dyn RecordRepository<F>>,
        members: Arc<dyn MemberDirectory>,
    ) -> Self {
        Self { merges, records, members }
    }

    /// Refuses taking the merged record's owner when they are no longer a
    /// member of the organization.
    async fn check_taken_owner(&self, principal: &Principal, request: &MergeRequest) -> Result<(), DomainError> {
        if !request.take.iter().any(|t| t == F::OWNER_FIELD) {
            return Ok(());
        }
        let merged = self.records.get(&principal.organization_id, request.merged).await;
        let merged = merged.map_err(|e| domain_error(F::KIND.as_str(), e))?;
        match merged.as_ref().and_then(|m| m.fields.owner()) {
            Some(owner) if !self.members.is_member(&principal.organization_id, owner).await? => Err(
                DomainError::invalid("take", "the merged record's owner is no longer a member of this organization"),
            ),
            _ => Ok(()),
        }
    }

    /// Folds `request.merged` into `request.survivor`.
    pub async fn merge(&self, principal: &Principal, request: MergeRequest) -> Result<Record<F>, DomainError> {
        principal.require(&permissions::MANAGE)?;
        self.check_taken_owner(principal, &request).await?;
        let actor = principal.user_id.clone();
        let take = request.take.clone();
        let change = Box::new(move |kept: &mut Record<F>, gone: &mut Record<F>| -> Result<Recorded, CrmError> {
            kept.live()?;
            gone.live()?;
            let fields = merge_fields(&kept.fields, &gone.fields, &take).map_err(CrmError::Invalid)?;
            let now = OffsetDateTime::now_utc();
            let changes = kept.update(fields, &actor, now)?;
            if changes.is_empty() {
                kept.touch(&actor, now);
            }
            gone.delete(&actor, now)?;
            let data = serde_json::json!({
                "merged_id": gone.id,
                "merged_name": gone.fields.display_name(),
                "taken": take,
                "changes": changes,
            });
            let into = serde_json::json!({ "merged_into": kept.id });
            Ok(Recorded {
                events: vec![merge_event(kept, gone, &take)],
                timeline: vec![entry(kept, EntryKind::Merged, data), entry(gone, EntryKind::Merged, into)],
            })
        });
        let merged = self
            .merges
            .merge(
                &principal.organization_id,
                request.survivor,
                request.survivor_version,
                request.merged,
                request.merged_version,
                change,
            )
            .await;
        merged.map_err(|e| domain_error(F::KIND.as_str(), e))
    }
}
