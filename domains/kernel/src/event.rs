//! The event envelope every domain publishes (CloudEvents-shaped JSON) and
//! the pattern matching subscriptions use.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{EventId, OrganizationId};

/// One domain event as it travels: written to the outbox in the same
/// transaction as the change, then published by the relay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    /// UUIDv7; consumers de-duplicate on it.
    pub id: EventId,
    /// What happened, `<entity>.<verb>` such as `order.created`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The domain that emitted it (`orders`, `identity`).
    pub source: String,
    /// The tenant the event belongs to, when it belongs to one.
    pub organization_id: Option<OrganizationId>,
    /// The id of the entity it is about.
    pub subject: String,
    /// When it happened (RFC 3339, UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// The event's own payload.
    pub data: serde_json::Value,
}

impl EventEnvelope {
    /// A new event, stamped now with a fresh id.
    pub fn new(
        event_type: impl Into<String>,
        source: impl Into<String>,
        organization_id: Option<OrganizationId>,
        subject: impl Into<String>,
        data: serde_json::Value,
    ) -> Self {
        Self {
            id: EventId::generate(),
            event_type: event_type.into(),
            source: source.into(),
            organization_id,
            subject: subject.into(),
            time: OffsetDateTime::now_utc(),
            data,
        }
    }
}

/// Whether `event_type` matches `pattern`, token by token on `.`:
/// `*` matches one token and a final `>` matches one or more (as NATS
/// subjects do), so `order.*` matches `order.created` and `>` matches all.
pub fn type_matches(pattern: &str, event_type: &str) -> bool {
    let mut types = event_type.split('.');
    for token in pattern.split('.') {
        match (token, types.next()) {
            (">", Some(_)) => return true,
            ("*", Some(_)) => {}
            (expected, Some(actual)) if expected == actual => {}
            _ => return false,
        }
    }
    types.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_like_nats_subjects() {
        let cases = [
            ("order.created", "order.created", true),
            ("order.created", "order.placed", false),
            ("order.*", "order.created", true),
            ("order.*", "order", false),
            ("order.*", "order.line.added", false),
            ("order.>", "order.line.added", true),
            ("order.>", "order", false),
            (">", "identity.user.created", true),
            ("*.created", "order.created", true),
            ("identity.*.created", "identity.user.created", true),
            ("order", "order.created", false),
        ];
        for (pattern, event_type, expected) in cases {
            assert_eq!(type_matches(pattern, event_type), expected, "{pattern} vs {event_type}");
        }
    }

    #[test]
    fn envelope_serializes_cloudevents_style() {
        let e = EventEnvelope::new(
            "order.created",
            "orders",
            Some(OrganizationId::new("o1")),
            "s1",
            serde_json::json!({"n": 1}),
        );
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["type"], "order.created");
        assert_eq!(v["organization_id"], "o1");
        assert!(v["time"].as_str().unwrap().ends_with('Z'));
        let back: EventEnvelope = serde_json::from_value(v).unwrap();
        assert_eq!(back, e);
    }
}
