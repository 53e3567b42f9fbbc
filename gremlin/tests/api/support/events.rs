//! Every event a test makes the app publish is checked against its
//! declared contract: when a [`TestApp`](super::TestApp) is dropped, each
//! envelope in its outbox must validate against its message schema in the
//! AsyncAPI document (formats included), and a domain's event must be of a
//! declared type. Events tests write themselves, from other sources, are
//! left alone.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

/// What is wrong with the events in the outbox of the database at `url`:
/// one line per event that breaks its contract.
pub async fn contract_breaches(url: &str) -> Vec<String> {
    // A test that took the database apart first (destructuring TestApp)
    // has nothing left to check.
    let Ok(db) = Database::connect(url).await else { return Vec::new() };
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(db.get_database_backend(), "SELECT envelope FROM outbox"))
        .await
        .unwrap_or_default();
    db.close().await.ok();
    let document: Value = serde_json::from_str(&gremlin::asyncapi::document()).expect("the AsyncAPI document");
    let declared = gremlin::asyncapi::contracts();
    let sources: Vec<&str> = gremlin::asyncapi::declarations().iter().map(|(d, _)| *d).collect();
    let mut validators: HashMap<String, jsonschema::Validator> = HashMap::new();
    let mut breaches = Vec::new();
    for row in rows {
        let Ok(text) = row.try_get::<String>("", "envelope") else { continue };
        let Ok(envelope) = serde_json::from_str::<Value>(&text) else {
            breaches.push(format!("an outbox row is not JSON: {text}"));
            continue;
        };
        let kind = envelope["type"].as_str().unwrap_or_default().to_owned();
        if !declared.iter().any(|c| c.event_type == kind) {
            if sources.contains(&envelope["source"].as_str().unwrap_or_default()) {
                breaches.push(format!("`{kind}` is published but declared by no contract"));
            }
            continue;
        }
        let validator = validators.entry(kind.clone()).or_insert_with(|| {
            let schema = json!({
                "$ref": format!("#/components/schemas/{}Event", gremlin::asyncapi::pascal(&kind)),
                "components": document["components"].clone()
            });
            jsonschema::options().should_validate_formats(true).build(&schema).expect("a valid message schema")
        });
        let errors: Vec<String> =
            validator.iter_errors(&envelope).map(|e| format!("{} at {}", e, e.instance_path)).collect();
        if !errors.is_empty() {
            breaches.push(format!("`{kind}` breaks its contract: {}; event: {envelope}", errors.join("; ")));
        }
    }
    breaches
}
