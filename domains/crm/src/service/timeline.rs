//! Reading a record's timeline, and putting other domains' events on the
//! timelines of the companies and people they concern, once per event.

use std::sync::Arc;

use gremlin_kernel::inbox::HandledEvent;
use gremlin_kernel::{DomainError, EventEnvelope, Page, Principal};
use uuid::Uuid;

use super::domain_error;
use crate::events::{TIMELINE_CONSUMER, timeline_fact};
use crate::model::RecordKind;
use crate::permissions;
use crate::ports::{TimelineItem, TimelineReader};

/// The timeline use cases.
#[derive(Clone)]
pub struct TimelineService {
    reader: Arc<dyn TimelineReader>,
}

impl TimelineService {
    /// The use cases over `reader`.
    pub fn new(reader: Arc<dyn TimelineReader>) -> Self {
        Self { reader }
    }

    /// A page of the timeline of a record the caller has already read
    /// (`crm:read`), newest first: changes, stage moves, notes, tasks and
    /// other domains' events.
    pub async fn page(
        &self,
        principal: &Principal,
        kind: RecordKind,
        id: Uuid,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<Page<TimelineItem>, DomainError> {
        principal.require(&permissions::READ)?;
        let page = self.reader.timeline(&principal.organization_id, kind, id, limit, cursor).await;
        page.map_err(|e| domain_error(kind.as_str(), e))
    }

    /// Puts `event` on the timeline of the company or person it concerns,
    /// once however often it is delivered. Events about no CRM record, and
    /// events not of their declared shape (logged: redelivery cannot fix
    /// them), change nothing.
    pub async fn record_event(&self, event: &EventEnvelope) -> anyhow::Result<()> {
        let Some(organization) = event.organization_id.as_ref() else { return Ok(()) };
        let fact = match timeline_fact(event) {
            Ok(Some(fact)) => fact,
            Ok(None) => return Ok(()),
            Err(problem) => {
                tracing::error!(event_id = %event.id, %problem, "an event is not of its declared shape; not on any timeline");
                return Ok(());
            }
        };
        let (crm_id, data) = fact;
        let handled = HandledEvent::new(TIMELINE_CONSUMER, event.id);
        self.reader
            .append_event(organization, crm_id, event.time, data, &handled)
            .await
            .map_err(|e| anyhow::anyhow!("putting {} {} on a timeline: {e}", event.event_type, event.id))?;
        Ok(())
    }
}
