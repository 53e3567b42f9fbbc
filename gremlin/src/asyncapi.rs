//! The AsyncAPI 3 document of the events: generated from the event
//! contracts identity and every compiled domain declare
//! (`gremlin_kernel::contract`), written by `gremlin asyncapi` and
//! committed as `openapi/asyncapi.json` (a test keeps it fresh). Each event
//! type is a channel on NATS JetStream; its message is the event envelope
//! with the declared `data`.

use gremlin_kernel::{EventContract, EventContracts};
use poem_openapi::registry::Registry;
use serde_json::{Map, Value, json};

use crate::openapi::tidy::tidy_schemas;
use crate::registry::DOMAINS;

/// Who declares which events: identity (when compiled) and each domain.
pub fn declarations() -> Vec<(&'static str, EventContracts)> {
    let mut all = Vec::new();
    #[cfg(feature = "identity")]
    all.push((gremlin_identity::DOMAIN, gremlin_identity::events::CONTRACTS));
    all.extend(DOMAINS.iter().map(|d| (d.name, d.events)));
    all
}

/// Every contract declared, once per event type (a type one domain
/// publishes and another consumes is one channel). The publisher's
/// declaration is the contract; a consumer's, which names only the fields
/// it reads, stands in only while no compiled domain publishes the type.
pub fn contracts() -> Vec<EventContract> {
    let mut seen: Vec<EventContract> = Vec::new();
    let declared = declarations();
    let published = declared.iter().flat_map(|(_, events)| events.publishes.iter());
    let consumed = declared.iter().flat_map(|(_, events)| events.consumes.iter().flat_map(|(_, c)| c.iter()));
    for contract in published.chain(consumed) {
        if !seen.iter().any(|c| c.event_type == contract.event_type) {
            seen.push(*contract);
        }
    }
    seen
}

/// The envelope every event travels in; `data` is the declared payload.
fn envelope_schema() -> Value {
    json!({
        "type": "object",
        "description": "The event envelope (CloudEvents-shaped), as written to the outbox and published.",
        "required": ["id", "type", "source", "organization_id", "subject", "time", "data"],
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "UUIDv7; also the Nats-Msg-Id header. Consumers de-duplicate on it."},
            "type": {"type": "string", "description": "What happened, `<entity>.<verb>`."},
            "source": {"type": "string", "description": "The domain that published it (`orders`, `identity`)."},
            "organization_id": {"type": ["string", "null"], "description": "The tenant it belongs to, when it belongs to one."},
            "subject": {"type": "string", "description": "The id of the entity it is about."},
            "time": {"type": "string", "format": "date-time", "description": "When it happened (RFC 3339, UTC)."},
            "data": {"description": "The event's payload: see each message."}
        }
    })
}

/// The document as pretty JSON with a trailing newline, as committed.
pub fn document() -> String {
    let mut registry = Registry::new();
    let (mut channels, mut operations, mut messages) = (Map::new(), Map::new(), Map::new());
    let mut schemas = Map::new();
    schemas.insert("EventEnvelope".into(), envelope_schema());
    for contract in contracts() {
        let kind = contract.event_type;
        let payload = serde_json::to_value((contract.payload)(&mut registry)).unwrap_or_default();
        let envelope = format!("{}Event", pascal(kind));
        schemas.insert(
            envelope.clone(),
            json!({"allOf": [
                {"$ref": "#/components/schemas/EventEnvelope"},
                {"type": "object", "properties": {"type": {"const": kind}, "data": payload}}
            ]}),
        );
        messages.insert(
            kind.into(),
            json!({
                "name": kind,
                "title": kind,
                "summary": contract.summary,
                "contentType": "application/json",
                "headers": {"$ref": "#/components/schemas/NatsHeaders"},
                "payload": {"$ref": format!("#/components/schemas/{envelope}")}
            }),
        );
        channels.insert(
            kind.into(),
            json!({
                "address": format!("{{subjectPrefix}}.{kind}"),
                "summary": contract.summary,
                "messages": {kind: {"$ref": format!("#/components/messages/{kind}")}},
                "parameters": {"subjectPrefix": {"$ref": "#/components/parameters/subjectPrefix"}}
            }),
        );
    }
    for (domain, events) in declarations() {
        for contract in events.publishes {
            let kind = contract.event_type;
            operations.insert(
                format!("{domain}.publishes.{kind}"),
                json!({
                    "action": "send",
                    "summary": format!("{domain} publishes {kind} through its outbox."),
                    "channel": {"$ref": format!("#/channels/{kind}")},
                    "messages": [{"$ref": format!("#/channels/{kind}/messages/{kind}")}]
                }),
            );
        }
        for (durable, consumed) in events.consumes {
            for contract in *consumed {
                let kind = contract.event_type;
                operations.insert(
                    format!("{domain}.consumes.{kind}"),
                    json!({
                        "action": "receive",
                        "summary": format!("{domain} consumes {kind} (durable consumer `{durable}`)."),
                        "channel": {"$ref": format!("#/channels/{kind}")},
                        "messages": [{"$ref": format!("#/channels/{kind}/messages/{kind}")}],
                        "bindings": {"nats": {"queue": durable, "bindingVersion": "0.1.0"}}
                    }),
                );
            }
        }
    }
    let mut payloads = serde_json::to_value(&registry.schemas).unwrap_or_default();
    tidy_schemas(&mut payloads);
    if let Value::Object(payloads) = payloads {
        schemas.extend(payloads);
    }
    schemas.insert(
        "NatsHeaders".into(),
        json!({
            "type": "object",
            "properties": {"Nats-Msg-Id": {"type": "string", "description": "The event id: JetStream drops a duplicate published within events.duplicate_window_secs (120)."}}
        }),
    );
    let doc = json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": "Gremlin events",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Domain events, published through each domain's transactional outbox at least once and \
                de-duplicated by id. On NATS JetStream every event is in the stream `events.stream` (default \
                `GREMLIN`) under the subject `<events.subject_prefix>.<type>`; consumers are durable pull \
                consumers with explicit acks, and events they give up on go to `<stream>_DEAD_LETTERS`.",
            "license": {"name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"}
        },
        "defaultContentType": "application/json",
        "servers": {
            "nats": {"host": "127.0.0.1:4222", "protocol": "nats", "description": "The NATS server named by events.url, JetStream enabled."}
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": schemas,
            "messages": messages,
            "parameters": {
                "subjectPrefix": {"default": "gremlin", "description": "events.subject_prefix"}
            }
        }
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// `order.created` → `OrderCreated`; its envelope schema is `OrderCreatedEvent`.
pub fn pascal(event_type: &str) -> String {
    event_type
        .split(['.', '_'])
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_become_schema_names() {
        assert_eq!(pascal("identity.member.role_changed"), "IdentityMemberRoleChanged");
    }

    #[test]
    fn every_declared_type_is_one_channel_with_its_payload() {
        let doc: Value = serde_json::from_str(&document()).unwrap();
        for contract in contracts() {
            let channel = &doc["channels"][contract.event_type];
            assert!(channel["address"].as_str().unwrap().ends_with(contract.event_type));
            let envelope = format!("{}Event", pascal(contract.event_type));
            let data = &doc["components"]["schemas"][&envelope]["allOf"][1]["properties"]["data"];
            assert!(data.get("$ref").or(data.get("type")).is_some(), "{envelope}: {data}");
        }
    }
}
