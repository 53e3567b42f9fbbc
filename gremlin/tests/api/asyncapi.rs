//! The events are a contract: the committed `openapi/asyncapi.json` matches
//! the declarations in code, and the check every test runs on the events it
//! published (`support/events.rs`) catches a payload of the wrong shape.

/// The committed document describes the full build (every domain; the
/// test-only toy domain excluded).
#[cfg(all(feature = "identity", feature = "orders", not(feature = "toy-domain")))]
#[test]
fn committed_asyncapi_is_fresh() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/asyncapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == gremlin::asyncapi::document(),
        "openapi/asyncapi.json is stale: run `make openapi` and commit the result"
    );
}

#[cfg(feature = "identity")]
#[tokio::test]
async fn an_event_of_the_wrong_shape_or_an_undeclared_type_is_caught() {
    use gremlin_kernel::{EventEnvelope, OrganizationId};
    use sea_orm::ConnectionTrait;

    use crate::support::{Backend, TestApp, events::contract_breaches};

    let t = TestApp::new(Backend::Sqlite).await;
    assert!(contract_breaches(&t.db.url).await.is_empty(), "a fresh app published nothing wrong");
    let org = Some(OrganizationId::new("org_1"));
    let wrong_shape = EventEnvelope::new(
        "identity.member.added",
        "identity",
        org.clone(),
        "m1",
        serde_json::json!({"member_id": "m1", "user_id": 7}),
    );
    let undeclared =
        EventEnvelope::new("identity.member.teleported", "identity", org.clone(), "m1", serde_json::json!({}));
    let foreign = EventEnvelope::new("test.anything", "a-test", org, "x", serde_json::json!({"free": true}));
    for event in [&wrong_shape, &undeclared, &foreign] {
        gremlin_kernel::outbox::record(&t.app.adapters.db, event).await.unwrap();
    }
    let breaches = contract_breaches(&t.db.url).await;
    assert_eq!(breaches.len(), 2, "{breaches:#?}");
    assert!(breaches[0].contains("identity.member.added") && breaches[0].contains("organization_id"), "{breaches:#?}");
    assert!(breaches[1].contains("identity.member.teleported") && breaches[1].contains("no contract"), "{breaches:#?}");
    // This test's own app must not fail the check when it ends: clear the outbox.
    t.app.adapters.db.execute_unprepared("DELETE FROM outbox").await.unwrap();
}
