//! A record's timeline as the API answers it: each line a recorded change,
//! a stage move, another domain's event, or a note or task.

use std::collections::BTreeMap;

use gremlin_kernel::Nullable;
use poem_openapi::{Enum, Object};
use time::OffsetDateTime;
use uuid::Uuid;

use super::activities::ActivityDto;
use crate::model::ActivityKind;
use crate::ports::{EntryKind, TimelineItem};

/// What a timeline line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum TimelineKind {
    /// The record was created (`data.name`).
    Created,
    /// Fields changed (`data.changes`: each `field`, `from`, `to`).
    Updated,
    /// Moved to the trash.
    Deleted,
    /// Restored from the trash.
    Restored,
    /// A deal moved (`data`: `from_stage`, `to_stage` and their ids).
    StageChanged,
    /// Another domain's event (`data`: `event_type`, `number`, `status`,
    /// `amount`, `currency`).
    Event,
    /// A duplicate merged in (`data`: `merged_id`, `merged_name`, `taken`,
    /// `changes`), or this record merged into another (`data.merged_into`).
    Merged,
    /// A note (`activity`).
    Note,
    /// A task (`activity`).
    Task,
}

/// One line of a timeline.
#[derive(Debug, Clone, Object)]
#[oai(rename = "TimelineItem")]
pub struct TimelineItemDto {
    /// The line's id (the note's or task's id for those).
    pub id: Uuid,
    /// What it is.
    pub kind: TimelineKind,
    /// When it happened (a note or task: when it was written).
    pub occurred_at: OffsetDateTime,
    /// Who did it: a user id, or `system` for other domains' events.
    pub actor: String,
    /// What happened, by kind (empty for notes and tasks).
    pub data: BTreeMap<String, serde_json::Value>,
    /// The note or task.
    pub activity: Nullable<ActivityDto>,
}

impl From<&TimelineItem> for TimelineItemDto {
    fn from(item: &TimelineItem) -> Self {
        match item {
            TimelineItem::Entry(e) => Self {
                id: e.id,
                kind: match e.kind {
                    EntryKind::Created => TimelineKind::Created,
                    EntryKind::Updated => TimelineKind::Updated,
                    EntryKind::Deleted => TimelineKind::Deleted,
                    EntryKind::Restored => TimelineKind::Restored,
                    EntryKind::StageChanged => TimelineKind::StageChanged,
                    EntryKind::Event => TimelineKind::Event,
                    EntryKind::Merged => TimelineKind::Merged,
                },
                occurred_at: e.occurred_at,
                actor: e.actor.to_string(),
                data: match &e.data {
                    serde_json::Value::Object(map) => map.clone().into_iter().collect(),
                    _ => BTreeMap::new(),
                },
                activity: Nullable(None),
            },
            TimelineItem::Activity(a) => Self {
                id: a.id,
                kind: match a.fields.kind {
                    ActivityKind::Note => TimelineKind::Note,
                    ActivityKind::Task => TimelineKind::Task,
                },
                occurred_at: a.audit.created_at,
                actor: a.audit.created_by.to_string(),
                data: BTreeMap::new(),
                activity: Nullable(Some(ActivityDto::from(a))),
            },
        }
    }
}

gremlin_kernel::page_dto! {
    /// A page of a record's timeline.
    pub struct TimelinePage of TimelineItemDto from TimelineItem;
    /// Lines, newest first.
    items
}
