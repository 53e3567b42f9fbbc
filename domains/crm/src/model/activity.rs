//! Notes and tasks: what people write on a company, person or deal. A note
//! is text; a task has a title, an optional due date and assignee (a member
//! of the organization), and is done or not. Both are records of their own
//! (versioned, soft-deleted) shown on their record's timeline.

use gremlin_kernel::{FieldError, UserId};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::fields::{Check, MAX_NAME_LEN};
use super::record::{Record, RecordFields, RecordKind};

/// A note or task of an organization.
pub type Activity = Record<ActivityFields>;

/// Longest note or task body, in characters.
pub const MAX_BODY_LEN: usize = 10_000;

/// What an activity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// Text about the record.
    Note,
    /// Something to do about the record.
    Task,
}

impl ActivityKind {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Task => "task",
        }
    }

    /// A stored kind.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Note, Self::Task].into_iter().find(|k| k.as_str() == text)
    }
}

/// What a note or task says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityFields {
    /// Note or task.
    pub kind: ActivityKind,
    /// The kind of record it is about (a company, person or deal).
    pub record_kind: RecordKind,
    /// That record.
    pub record_id: Uuid,
    /// A task's title (1-200 characters); none for a note.
    pub title: Option<String>,
    /// A note's text (required, 1-10 000 characters) or a task's details.
    pub body: Option<String>,
    /// When a task is due.
    pub due_on: Option<Date>,
    /// Who a task is for (a member of the organization).
    pub assignee_id: Option<UserId>,
    /// When a task was done; none while open.
    pub done_at: Option<OffsetDateTime>,
}

impl ActivityFields {
    /// Marks a task done (at `now`) or open again; a task done before keeps
    /// its time.
    pub fn set_done(&mut self, done: bool, now: OffsetDateTime) {
        self.done_at = if done { self.done_at.or(Some(now)) } else { None };
    }
}

impl RecordFields for ActivityFields {
    const KIND: RecordKind = RecordKind::Activity;
    const OWNER_FIELD: &'static str = "assignee_id";

    fn normalized(self) -> Result<Self, Vec<FieldError>> {
        let mut check = Check::default();
        if self.record_kind == RecordKind::Activity {
            check.fail("record_kind", "notes and tasks are about a company, a person or a deal");
        }
        let body = self.body.as_deref().map(str::trim).filter(|b| !b.is_empty()).map(str::to_owned);
        if body.as_ref().is_some_and(|b| b.chars().count() > MAX_BODY_LEN) {
            check.fail("body", format!("at most {MAX_BODY_LEN} characters"));
        }
        let title = match self.kind {
            ActivityKind::Task => {
                Some(check.required("title", self.title.as_deref().unwrap_or_default(), MAX_NAME_LEN))
            }
            ActivityKind::Note => {
                if body.is_none() {
                    check.fail("body", "a note needs text");
                }
                if self.title.is_some() || self.due_on.is_some() || self.assignee_id.is_some() || self.done_at.is_some()
                {
                    check.fail("kind", "only tasks have a title, a due date, an assignee or a done time");
                }
                None
            }
        };
        check.finish(ActivityFields { title, body, ..self })
    }

    fn owner(&self) -> Option<&UserId> {
        self.assignee_id.as_ref()
    }

    fn display_name(&self) -> String {
        match (&self.title, &self.body) {
            (Some(title), _) => title.clone(),
            (None, Some(body)) => body.chars().take(80).collect(),
            (None, None) => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(body: &str) -> ActivityFields {
        ActivityFields {
            kind: ActivityKind::Note,
            record_kind: RecordKind::Company,
            record_id: Uuid::nil(),
            title: None,
            body: Some(body.into()),
            due_on: None,
            assignee_id: None,
            done_at: None,
        }
    }

    #[test]
    fn a_note_needs_text_and_nothing_a_task_has() {
        assert!(note("Met at the fair").normalized().is_ok());
        assert_eq!(note("  ").normalized().unwrap_err()[0].field, "body");
        let titled = ActivityFields { title: Some("x".into()), ..note("y") };
        assert_eq!(titled.normalized().unwrap_err()[0].field, "kind");
        let about_a_note = ActivityFields { record_kind: RecordKind::Activity, ..note("y") };
        assert_eq!(about_a_note.normalized().unwrap_err()[0].field, "record_kind");
    }

    #[test]
    fn a_task_needs_a_title_and_keeps_the_time_it_was_done() {
        let task =
            ActivityFields { kind: ActivityKind::Task, title: Some(" Call back ".into()), body: None, ..note("") };
        let mut task = task.normalized().unwrap();
        assert_eq!((task.title.as_deref(), task.display_name()), (Some("Call back"), "Call back".to_owned()));
        let first = OffsetDateTime::now_utc();
        task.set_done(true, first);
        task.set_done(true, first + time::Duration::hours(1));
        assert_eq!(task.done_at, Some(first));
        task.set_done(false, first);
        assert_eq!(task.done_at, None);
        let untitled = ActivityFields { kind: ActivityKind::Task, title: None, ..note("x") };
        assert_eq!(untitled.normalized().unwrap_err()[0].field, "title");
    }
}
