//! Deals (opportunities): an amount the organization hopes to win, moving
//! through the stages of a pipeline. The stage decides the deal's status
//! (open, won, lost) and, unless the deal names its own, its probability;
//! the close date is stamped when a deal is won or lost and cleared when it
//! reopens.

use gremlin_kernel::{FieldError, UserId};
use serde::Serialize;
use time::Date;
use uuid::Uuid;

use super::fields::{Amount, Check, MAX_NAME_LEN};
use super::pipeline::{Stage, StageKind};
use super::record::{Record, RecordFields, RecordKind};

/// A deal of an organization.
pub type Deal = Record<DealFields>;

/// Longest lost reason, in characters.
pub const MAX_LOST_REASON_LEN: usize = 1000;

/// What a deal record says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DealFields {
    /// Its name, 1 to 200 characters.
    pub name: String,
    /// What it is worth.
    pub amount: Option<Amount>,
    /// When it is expected to close.
    pub expected_close_on: Option<Date>,
    /// The pipeline it is in.
    pub pipeline_id: Uuid,
    /// Its stage in that pipeline.
    pub stage_id: Uuid,
    /// The chance, 0-100 %, that it is won: the stage's unless set.
    pub probability: u8,
    /// Open, won or lost: its stage's kind.
    pub status: StageKind,
    /// Why it was lost (lost deals only).
    pub lost_reason: Option<String>,
    /// When it was won or lost.
    pub closed_on: Option<Date>,
    /// The company it is with.
    pub company_id: Option<Uuid>,
    /// The person to talk to.
    pub contact_id: Option<Uuid>,
    /// The member responsible for it.
    pub owner_id: Option<UserId>,
    /// Free labels, at most 50.
    pub tags: Vec<String>,
    /// Its place in its stage's column of a board: smaller first. Not a
    /// field of its own on the timeline (moves are).
    #[serde(skip)]
    pub position: i64,
}

impl DealFields {
    /// Puts the deal in `stage` of `pipeline`: its status becomes the
    /// stage's kind, its probability the stage's (or `probability`, for an
    /// open stage), the close date is stamped on the day it is won or lost
    /// and cleared when it reopens, and a lost reason is kept only while
    /// lost.
    pub fn enter_stage(
        &mut self,
        pipeline: Uuid,
        stage: &Stage,
        probability: Option<u8>,
        lost_reason: Option<String>,
        today: Date,
    ) {
        let was = self.status;
        self.pipeline_id = pipeline;
        self.stage_id = stage.id;
        self.status = stage.kind;
        self.probability = stage.kind.fixed_probability().or(probability).unwrap_or(stage.probability);
        self.closed_on = match stage.kind {
            StageKind::Open => None,
            kind if kind == was => self.closed_on.or(Some(today)),
            _ => Some(today),
        };
        self.lost_reason = match stage.kind {
            StageKind::Lost => lost_reason.or(self.lost_reason.take()),
            _ => None,
        };
    }
}

impl RecordFields for DealFields {
    const KIND: RecordKind = RecordKind::Deal;

    fn normalized(self) -> Result<Self, Vec<FieldError>> {
        let mut check = Check::default();
        if self.probability > 100 {
            check.fail("probability", "0 to 100");
        }
        if let Some(fixed) = self.status.fixed_probability()
            && fixed != self.probability
        {
            check.fail("probability", format!("a {} deal's probability is {fixed}", self.status.as_str()));
        }
        let lost_reason = check.optional("lost_reason", self.lost_reason.as_deref(), MAX_LOST_REASON_LEN);
        if lost_reason.is_some() && self.status != StageKind::Lost {
            check.fail("lost_reason", "only a lost deal has a lost reason");
        }
        let fields = DealFields {
            name: check.required("name", &self.name, MAX_NAME_LEN),
            amount: check.amount("amount.amount", self.amount),
            lost_reason,
            tags: check.tags(&self.tags),
            ..self
        };
        check.finish(fields)
    }

    fn owner(&self) -> Option<&UserId> {
        self.owner_id.as_ref()
    }

    fn display_name(&self) -> String {
        self.name.clone()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;

    fn stage(kind: StageKind, probability: u8) -> Stage {
        Stage { id: Uuid::now_v7(), name: format!("{kind:?}"), probability, kind }
    }

    fn deal(open: &Stage) -> DealFields {
        DealFields {
            name: "Big one".into(),
            amount: None,
            expected_close_on: None,
            pipeline_id: Uuid::nil(),
            stage_id: open.id,
            probability: open.probability,
            status: StageKind::Open,
            lost_reason: None,
            closed_on: None,
            company_id: None,
            contact_id: None,
            owner_id: None,
            tags: vec![],
            position: 0,
        }
    }

    #[test]
    fn a_stage_gives_its_probability_unless_the_deal_names_one() {
        let (a, b) = (stage(StageKind::Open, 10), stage(StageKind::Open, 60));
        let mut d = deal(&a);
        d.enter_stage(Uuid::nil(), &b, None, None, date!(2026 - 11 - 30));
        assert_eq!((d.stage_id, d.probability, d.status), (b.id, 60, StageKind::Open));
        d.enter_stage(Uuid::nil(), &a, Some(35), None, date!(2026 - 11 - 30));
        assert_eq!(d.probability, 35);
        assert!(d.normalized().is_ok());
    }

    #[test]
    fn winning_stamps_the_close_date_and_reopening_clears_it() {
        let (open, won, lost) = (stage(StageKind::Open, 10), stage(StageKind::Won, 100), stage(StageKind::Lost, 0));
        let mut d = deal(&open);
        d.enter_stage(Uuid::nil(), &won, Some(20), None, date!(2026 - 11 - 30));
        assert_eq!((d.status, d.probability, d.closed_on), (StageKind::Won, 100, Some(date!(2026 - 11 - 30))));
        // Another won stage later keeps the day it was won.
        d.enter_stage(Uuid::nil(), &stage(StageKind::Won, 100), None, None, date!(2026 - 12 - 5));
        assert_eq!(d.closed_on, Some(date!(2026 - 11 - 30)));
        d.enter_stage(Uuid::nil(), &lost, None, Some("Budget cut".into()), date!(2026 - 12 - 6));
        assert_eq!((d.status, d.probability, d.closed_on), (StageKind::Lost, 0, Some(date!(2026 - 12 - 6))));
        assert_eq!(d.lost_reason.as_deref(), Some("Budget cut"));
        d.enter_stage(Uuid::nil(), &open, None, None, date!(2026 - 12 - 7));
        assert_eq!((d.status, d.closed_on, d.lost_reason.clone()), (StageKind::Open, None, None));
        assert!(d.normalized().is_ok());
    }

    #[test]
    fn only_lost_deals_have_a_reason_and_closed_deals_keep_their_probability() {
        let open = stage(StageKind::Open, 10);
        let reasoned = DealFields { lost_reason: Some("no".into()), ..deal(&open) };
        assert_eq!(reasoned.normalized().unwrap_err()[0].field, "lost_reason");
        let won = DealFields { status: StageKind::Won, probability: 80, ..deal(&open) };
        assert_eq!(won.normalized().unwrap_err()[0].field, "probability");
    }

    proptest! {
        #[test]
        fn whatever_stages_a_deal_passes_through_it_stays_consistent(
            moves in proptest::collection::vec((0usize..3, proptest::option::of(0u8..=100), any::<bool>()), 1..12)
        ) {
            let stages = [stage(StageKind::Open, 25), stage(StageKind::Won, 100), stage(StageKind::Lost, 0)];
            let mut d = deal(&stages[0]);
            let mut day = date!(2026 - 1 - 1);
            for (i, probability, reason) in moves {
                day = day.next_day().unwrap();
                d.enter_stage(Uuid::nil(), &stages[i], probability, reason.then(|| "why".to_owned()), day);
                prop_assert_eq!(d.status, stages[i].kind);
                prop_assert_eq!(d.closed_on.is_some(), d.status != StageKind::Open);
                prop_assert!(d.lost_reason.is_none() || d.status == StageKind::Lost);
                prop_assert!(d.clone().normalized().is_ok());
            }
        }
    }
}
