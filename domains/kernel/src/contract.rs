//! Event contracts: each event type a domain publishes or consumes is
//! declared once, with the type of its `data`. The declarations build the
//! envelopes (so a publisher cannot send a type it did not declare, nor a
//! payload of another shape), read payloads back (typed, checked), and
//! generate the AsyncAPI document (`openapi/asyncapi.json`) that consumers
//! in any language generate their types from.
//!
//! Payload types derive poem-openapi's `Object`, so one derive gives both
//! the JSON and its schema, exactly as for the HTTP API.

use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, ToJSON, Type};

use crate::event::EventEnvelope;
use crate::ids::OrganizationId;

/// One event type and the shape of its `data`.
#[derive(Clone, Copy)]
pub struct EventContract {
    /// `<entity>.<verb>`, such as `order.created`; the bus subject is
    /// `<events.subject_prefix>.<event_type>`.
    pub event_type: &'static str,
    /// What happened, for people reading the AsyncAPI document.
    pub summary: &'static str,
    /// Registers the payload's schemas and names its schema.
    pub payload: fn(&mut Registry) -> MetaSchemaRef,
}

fn payload_schema<T: Type>(registry: &mut Registry) -> MetaSchemaRef {
    T::register(registry);
    T::schema_ref()
}

impl EventContract {
    /// The contract of `event_type`, whose `data` is a `T`.
    pub const fn of<T: Type>(event_type: &'static str, summary: &'static str) -> Self {
        Self { event_type, summary, payload: payload_schema::<T> }
    }

    /// An envelope of this type from `source` carrying `data`.
    pub fn envelope(
        &self,
        source: &str,
        organization_id: Option<OrganizationId>,
        subject: impl Into<String>,
        data: &impl ToJSON,
    ) -> EventEnvelope {
        let data = data.to_json().unwrap_or(serde_json::Value::Null);
        EventEnvelope::new(self.event_type, source, organization_id, subject, data)
    }

    /// The `data` of `event` as a `T`, when `event` is of this type and its
    /// payload has the declared shape; the error says what does not fit.
    pub fn read<T: ParseFromJSON>(&self, event: &EventEnvelope) -> Result<T, String> {
        if event.event_type != self.event_type {
            return Err(format!("a `{}` event is not a `{}`", event.event_type, self.event_type));
        }
        T::parse_from_json(Some(event.data.clone()))
            .map_err(|e| format!("`{}` data: {}", self.event_type, e.into_message()))
    }
}

/// What a domain says about events: the types it publishes, and the types
/// it consumes with the durable consumer that reads them.
#[derive(Clone, Copy)]
pub struct EventContracts {
    /// Published through the outbox.
    pub publishes: &'static [EventContract],
    /// Consumed, by durable consumer name.
    pub consumes: &'static [(&'static str, &'static [EventContract])],
}

impl EventContracts {
    /// A domain that neither publishes nor consumes.
    pub const NONE: EventContracts = EventContracts { publishes: &[], consumes: &[] };
}

#[cfg(test)]
mod tests {
    use poem_openapi::Object;

    use super::*;

    #[derive(Debug, PartialEq, Object)]
    struct Paid {
        order_id: String,
        amount: i64,
    }

    const PAID: EventContract = EventContract::of::<Paid>("invoice.paid", "An invoice was paid.");

    #[test]
    fn a_contract_builds_and_reads_its_events_and_nothing_else() {
        let event = PAID.envelope("invoices", None, "i1", &Paid { order_id: "o1".into(), amount: 5 });
        assert_eq!(event.event_type, "invoice.paid");
        assert_eq!(event.data, serde_json::json!({"order_id": "o1", "amount": 5}));
        assert_eq!(PAID.read::<Paid>(&event), Ok(Paid { order_id: "o1".into(), amount: 5 }));
        let other = EventEnvelope::new("invoice.voided", "invoices", None, "i1", event.data.clone());
        assert!(PAID.read::<Paid>(&other).unwrap_err().contains("not a `invoice.paid`"));
        let misshapen = EventEnvelope::new("invoice.paid", "invoices", None, "i1", serde_json::json!({"order_id": 1}));
        assert!(PAID.read::<Paid>(&misshapen).is_err());
        let mut registry = Registry::new();
        assert!(matches!((PAID.payload)(&mut registry), MetaSchemaRef::Reference(name) if name == "Paid"));
        assert!(registry.schemas.contains_key("Paid"));
    }
}
