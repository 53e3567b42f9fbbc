//! Pipelines and their stages: the ordered steps a deal goes through. Each
//! stage has a kind — open, won or lost — and a default probability that a
//! deal entering it takes (won stages are 100 %, lost stages 0 %).

use gremlin_kernel::{FieldError, OrganizationId};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::fields::Check;

/// Longest pipeline or stage name, in characters.
pub const MAX_PIPELINE_NAME_LEN: usize = 100;
/// Most stages in a pipeline.
pub const MAX_STAGES: usize = 50;

/// What a stage means for the deals in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// Still being worked on.
    Open,
    /// Closed and won.
    Won,
    /// Closed and lost.
    Lost,
}

impl StageKind {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Won => "won",
            Self::Lost => "lost",
        }
    }

    /// A stored kind.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Open, Self::Won, Self::Lost].into_iter().find(|k| k.as_str() == text)
    }

    /// The probability every deal in a stage of this kind has, if the kind
    /// fixes one (won 100, lost 0).
    pub fn fixed_probability(self) -> Option<u8> {
        match self {
            Self::Open => None,
            Self::Won => Some(100),
            Self::Lost => Some(0),
        }
    }
}

/// One stage of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// UUIDv7.
    pub id: Uuid,
    /// Its name, unique in the pipeline ignoring case.
    pub name: String,
    /// The probability, 0-100 %, of a deal entering it.
    pub probability: u8,
    /// Open, won or lost.
    pub kind: StageKind,
}

/// A stage as a client describes it: an existing one by id, or a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageInput {
    /// An existing stage of the pipeline to keep (renamed, moved); `None`
    /// for a new stage.
    pub id: Option<Uuid>,
    /// Its name.
    pub name: String,
    /// Its default probability, 0-100 (won and lost stages ignore it).
    pub probability: u8,
    /// Its kind.
    pub kind: StageKind,
}

/// A pipeline of an organization.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    /// UUIDv7 (the default pipeline's is derived from the organization).
    pub id: Uuid,
    /// The tenant.
    pub organization_id: OrganizationId,
    /// Its name.
    pub name: String,
    /// Its stages, in order.
    pub stages: Vec<Stage>,
    /// Whether it is the organization's default (the one made the first
    /// time the organization used CRM, where deals go when none is named).
    pub is_default: bool,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
    /// Starts at 1, grows by one with every change.
    pub version: i64,
}

/// The stages every organization's first pipeline starts with.
pub const DEFAULT_STAGES: &[(&str, u8, StageKind)] = &[
    ("Qualification", 10, StageKind::Open),
    ("Meeting", 20, StageKind::Open),
    ("Proposal", 40, StageKind::Open),
    ("Negotiation", 60, StageKind::Open),
    ("Closed won", 100, StageKind::Won),
    ("Closed lost", 0, StageKind::Lost),
];

/// The name of every organization's first pipeline.
pub const DEFAULT_PIPELINE_NAME: &str = "Sales";

/// The id of `organization`'s default pipeline: the same for every
/// process, so two first uses at once make one pipeline.
pub fn default_pipeline_id(organization: &OrganizationId) -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("gremlin:crm:default-pipeline:{}", organization.as_str()).as_bytes())
}

impl Pipeline {
    /// `organization`'s default pipeline, as first made.
    pub fn default_for(organization: &OrganizationId, now: OffsetDateTime) -> Self {
        let stages = DEFAULT_STAGES
            .iter()
            .map(|(name, probability, kind)| Stage {
                id: Uuid::now_v7(),
                name: (*name).to_owned(),
                probability: *probability,
                kind: *kind,
            })
            .collect();
        Self {
            id: default_pipeline_id(organization),
            organization_id: organization.clone(),
            name: DEFAULT_PIPELINE_NAME.to_owned(),
            stages,
            is_default: true,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// A new pipeline named `name` with `stages`.
    pub fn create(
        organization: OrganizationId,
        name: &str,
        stages: &[StageInput],
        now: OffsetDateTime,
    ) -> Result<Self, Vec<FieldError>> {
        let (name, stages) = checked(name, stages, &[])?;
        Ok(Self {
            id: Uuid::now_v7(),
            organization_id: organization,
            name,
            stages,
            is_default: false,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }

    /// Renames it and replaces its stages: stages given with an id keep it
    /// (renamed, moved, re-kinded); stages without one are new; stages not
    /// given are removed — the ids of those are returned, so their deals
    /// can be moved.
    pub fn revise(
        &mut self,
        name: &str,
        stages: &[StageInput],
        now: OffsetDateTime,
    ) -> Result<Vec<Uuid>, Vec<FieldError>> {
        let (name, revised) = checked(name, stages, &self.stages)?;
        let removed: Vec<Uuid> =
            self.stages.iter().map(|s| s.id).filter(|id| !revised.iter().any(|s| s.id == *id)).collect();
        self.name = name;
        self.stages = revised;
        self.updated_at = now;
        self.version += 1;
        Ok(removed)
    }

    /// The stage `id` of this pipeline.
    pub fn stage(&self, id: Uuid) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }

    /// Where a deal goes when only the pipeline is named: its first open
    /// stage (every pipeline has one).
    pub fn first_open_stage(&self) -> Option<&Stage> {
        self.stages.iter().find(|s| s.kind == StageKind::Open)
    }
}

/// The name and stages checked: 1-100 characters each, 1-50 stages with
/// names unique ignoring case, at least one open stage, probabilities
/// 0-100 (won and lost stages take 100 and 0), and ids only of `existing`
/// stages, each once.
fn checked(name: &str, stages: &[StageInput], existing: &[Stage]) -> Result<(String, Vec<Stage>), Vec<FieldError>> {
    let mut check = Check::default();
    let name = check.required("name", name, MAX_PIPELINE_NAME_LEN);
    if stages.is_empty() || stages.len() > MAX_STAGES {
        check.fail("stages", format!("1 to {MAX_STAGES} stages"));
    }
    if !stages.iter().any(|s| s.kind == StageKind::Open) {
        check.fail("stages", "at least one stage must be open (deals start in one)");
    }
    let mut out: Vec<Stage> = Vec::with_capacity(stages.len());
    for (i, input) in stages.iter().enumerate() {
        let stage_name = check.required(&format!("stages[{i}].name"), &input.name, MAX_PIPELINE_NAME_LEN);
        if out.iter().any(|s| s.name.to_lowercase() == stage_name.to_lowercase()) {
            check.fail(format!("stages[{i}].name"), "another stage of the pipeline has this name");
        }
        if input.probability > 100 {
            check.fail(format!("stages[{i}].probability"), "0 to 100");
        }
        let id = match input.id {
            Some(id) if !existing.iter().any(|s| s.id == id) => {
                check.fail(format!("stages[{i}].id"), "not a stage of this pipeline; leave it out for a new stage");
                id
            }
            Some(id) if out.iter().any(|s| s.id == id) => {
                check.fail(format!("stages[{i}].id"), "this stage is given twice");
                id
            }
            Some(id) => id,
            None => Uuid::now_v7(),
        };
        let probability = input.kind.fixed_probability().unwrap_or(input.probability.min(100));
        out.push(Stage { id, name: stage_name, probability, kind: input.kind });
    }
    check.finish((name, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, probability: u8, kind: StageKind) -> StageInput {
        StageInput { id: None, name: name.into(), probability, kind }
    }

    fn org() -> OrganizationId {
        OrganizationId::new("org")
    }

    #[test]
    fn the_default_pipeline_is_the_same_for_every_process_of_an_organization() {
        let now = OffsetDateTime::now_utc();
        let a = Pipeline::default_for(&org(), now);
        assert_eq!(a.id, Pipeline::default_for(&org(), now).id);
        assert_ne!(a.id, default_pipeline_id(&OrganizationId::new("other")));
        assert_eq!(a.stages.len(), DEFAULT_STAGES.len());
        assert_eq!(a.first_open_stage().unwrap().name, "Qualification");
        assert!(a.is_default);
    }

    #[test]
    fn won_and_lost_stages_fix_their_probability() {
        let stages =
            [input("Open", 30, StageKind::Open), input("Won", 20, StageKind::Won), input("Lost", 90, StageKind::Lost)];
        let p = Pipeline::create(org(), "Renewals", &stages, OffsetDateTime::now_utc()).unwrap();
        let probabilities: Vec<u8> = p.stages.iter().map(|s| s.probability).collect();
        assert_eq!(probabilities, [30, 100, 0]);
    }

    #[test]
    fn a_pipeline_needs_an_open_stage_unique_names_and_probabilities_in_range() {
        let now = OffsetDateTime::now_utc();
        let closed_only = [input("Won", 100, StageKind::Won)];
        assert_eq!(Pipeline::create(org(), "P", &closed_only, now).unwrap_err()[0].field, "stages");
        let twice = [input("A", 10, StageKind::Open), input(" a ", 10, StageKind::Open)];
        assert_eq!(Pipeline::create(org(), "P", &twice, now).unwrap_err()[0].field, "stages[1].name");
        let too_likely = [input("A", 101, StageKind::Open)];
        assert_eq!(Pipeline::create(org(), "P", &too_likely, now).unwrap_err()[0].field, "stages[0].probability");
        assert_eq!(Pipeline::create(org(), " ", &[input("A", 1, StageKind::Open)], now).unwrap_err()[0].field, "name");
    }

    #[test]
    fn a_revision_keeps_named_stages_adds_new_ones_and_reports_the_removed() {
        let now = OffsetDateTime::now_utc();
        let mut p = Pipeline::default_for(&org(), now);
        let kept = p.stages[2].clone();
        let dropped: Vec<Uuid> = p.stages.iter().filter(|s| s.id != kept.id).map(|s| s.id).collect();
        let revised = [
            StageInput { id: Some(kept.id), name: "Offer".into(), probability: 50, kind: StageKind::Open },
            input("Signed", 0, StageKind::Won),
        ];
        let removed = p.revise("Sales 2", &revised, now).unwrap();
        assert_eq!(removed, dropped);
        assert_eq!((p.stages[0].id, p.stages[0].name.as_str(), p.version), (kept.id, "Offer", 2));
        let foreign =
            [StageInput { id: Some(Uuid::now_v7()), name: "X".into(), probability: 5, kind: StageKind::Open }];
        assert_eq!(p.revise("S", &foreign, now).unwrap_err()[0].field, "stages[0].id");
    }
}
