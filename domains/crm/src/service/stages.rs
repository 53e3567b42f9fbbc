//! What a deal entering a stage records, shared by the deal use cases and
//! the pipeline revisions that move deals: the stage change (an event and a
//! timeline line naming both stages) and `won` / `lost` when it closed so.

use gremlin_kernel::UserId;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{entry, updated};
use crate::events::{DEAL_LOST, DEAL_STAGE_CHANGED, DEAL_WON, deal_event};
use crate::model::{CrmError, Deal, DealFields, Pipeline, StageKind, diff};
use crate::ports::{EntryKind, Recorded};

/// Today (UTC): the day a deal closing now is closed on.
pub(crate) fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

/// What a deal's move from stage `from` records: the stage change (event
/// and timeline line naming both stages, when they are in `pipeline`) and
/// `won` / `lost` when it closed that way.
pub(crate) fn transition(from: Option<&DealFields>, deal: &Deal, pipeline: &Pipeline) -> Recorded {
    let f = &deal.fields;
    let mut recorded = Recorded::default();
    let stage_name = |id: Uuid| pipeline.stage(id).map(|s| s.name.clone());
    let moved = from.filter(|b| b.stage_id != f.stage_id);
    if let Some(before) = moved {
        recorded.events.push(deal_event(&DEAL_STAGE_CHANGED, deal, Some(before.stage_id), stage_name(f.stage_id)));
        let data = serde_json::json!({
            "pipeline_id": f.pipeline_id,
            "from_stage_id": before.stage_id,
            "from_stage": stage_name(before.stage_id),
            "to_stage_id": f.stage_id,
            "to_stage": stage_name(f.stage_id),
        });
        recorded.timeline.push(entry(deal, EntryKind::StageChanged, data));
    }
    let was = from.map(|b| b.status);
    if was != Some(f.status) {
        let closed = match f.status {
            StageKind::Won => Some(&DEAL_WON),
            StageKind::Lost => Some(&DEAL_LOST),
            StageKind::Open => None,
        };
        if let Some(contract) = closed {
            recorded.events.push(deal_event(contract, deal, moved.map(|b| b.stage_id), stage_name(f.stage_id)));
        }
    }
    recorded
}

/// Puts `deal` (live or in the trash) in stage `destination` of `pipeline`
/// as `actor`: the deal moved out of a removed stage, or re-entering a
/// stage whose kind changed.
pub(crate) fn enter_stage(
    deal: &mut Deal,
    pipeline: &Pipeline,
    destination: Uuid,
    actor: &UserId,
) -> Result<Recorded, CrmError> {
    let stage = pipeline.stage(destination).ok_or_else(|| CrmError::Invalid(Vec::new()))?;
    let before = deal.fields.clone();
    let mut fields = before.clone();
    fields.enter_stage(pipeline.id, stage, None, None, today());
    let changes = diff(&before, &fields);
    if changes.is_empty() {
        return Ok(Recorded::default());
    }
    deal.fields = fields;
    deal.touch(actor, OffsetDateTime::now_utc());
    let mut recorded = updated(deal, &changes);
    recorded.extend(transition(Some(&before), deal, pipeline));
    Ok(recorded)
}
