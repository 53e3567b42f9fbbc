//! OpenAPI `links`, derived from the paths so every domain gets them as it
//! lands: how one response feeds the next call. Generated clients ignore
//! them; schemathesis' stateful phase follows them to walk real lifecycles
//! (create an order → add a line → place → confirm …), and readers of the
//! document see what comes after what.
//!
//! Two rules, for a collection `C` (`/api/orders`) whose items are
//! `C/{id}`:
//!
//! * the `201` of `POST C` links to every operation on `C/{id}` and
//!   `C/{id}/…` with `id` from the created body (`$response.body#/id`);
//! * a `200` of an operation on `C/{id}…` that answers the item with its
//!   `ETag` links to the same operations with the same `id`
//!   (`$request.path.id`).
//!
//! Where the target takes `If-Match`, the link passes the response's
//! `ETag`, so a chain of changes carries the version each step produced.
//! Targets with another path parameter (`{payment_id}`) are left out: the
//! value is not in a header or at a fixed place of the body.

use serde_json::{Map, Value, json};

use super::tidy::METHODS;

/// One operation, as the rules need it.
struct Target {
    path: String,
    operation_id: String,
    if_match: bool,
}

fn parameter_names(operation: &Value, place: &str) -> Vec<String> {
    operation
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|p| p.get("in").and_then(Value::as_str) == Some(place))
        .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// Operations under `C/{id}` that need no path parameter but `id`.
fn item_operations(spec: &Value) -> Vec<Target> {
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else { return Vec::new() };
    let mut targets = Vec::new();
    for (path, item) in paths {
        if !path.contains("/{id}") {
            continue;
        }
        for (method, operation) in item.as_object().into_iter().flatten() {
            let Some(operation_id) = operation.get("operationId").and_then(Value::as_str) else { continue };
            if !METHODS.contains(&method.as_str()) || parameter_names(operation, "path") != ["id"] {
                continue;
            }
            let if_match = parameter_names(operation, "header").iter().any(|h| h.eq_ignore_ascii_case("If-Match"));
            targets.push(Target { path: path.clone(), operation_id: operation_id.to_owned(), if_match });
        }
    }
    targets
}

/// The links from a response about the item of `collection` to its
/// operations, `id` taken from `id_expression`.
fn links_to(targets: &[Target], collection: &str, id_expression: &str, etag: bool) -> Map<String, Value> {
    let item = format!("{collection}/{{id}}");
    targets
        .iter()
        .filter(|t| t.path == item || t.path.starts_with(&format!("{item}/")))
        .map(|t| {
            let mut parameters = Map::new();
            parameters.insert("path.id".into(), json!(id_expression));
            if t.if_match && etag {
                parameters.insert("header.If-Match".into(), json!("$response.header.ETag"));
            }
            (t.operation_id.clone(), json!({ "operationId": t.operation_id, "parameters": parameters }))
        })
        .collect()
}

fn has_etag(response: &Map<String, Value>) -> bool {
    response.get("headers").and_then(Value::as_object).is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("ETag")))
}

/// Adds the links to `spec` (the tidied document).
pub fn add_links(spec: &mut Value) {
    let targets = item_operations(spec);
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let collection = match path.find("/{id}") {
            Some(at) => path[..at].to_owned(),
            None => path.clone(),
        };
        let on_item = path.contains("/{id}");
        for (method, operation) in item.as_object_mut().into_iter().flatten() {
            let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { continue };
            let (status, expression) = match (on_item, method.as_str()) {
                (false, "post") => ("201", "$response.body#/id"),
                (true, _) => ("200", "$request.path.id"),
                _ => continue,
            };
            let Some(response) = responses.get_mut(status).and_then(Value::as_object_mut) else { continue };
            let etag = has_etag(response);
            // An item's 200 links on only when it answers the item itself.
            if on_item && !etag {
                continue;
            }
            let links = links_to(&targets, &collection, expression, etag);
            if !links.is_empty() {
                response.insert("links".into(), Value::Object(links));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(id: &str, params: &[(&str, &str)], etag: bool, status: &str) -> Value {
        let parameters: Vec<Value> = params.iter().map(|(name, place)| json!({"name": name, "in": place})).collect();
        let mut response = json!({"description": "ok"});
        if etag {
            response["headers"] = json!({"ETag": {"schema": {"type": "string"}}});
        }
        json!({"operationId": id, "parameters": parameters, "responses": {status: response}})
    }

    #[test]
    fn creates_and_item_responses_link_to_the_items_operations() {
        let mut spec = json!({"paths": {
            "/api/orders": {"post": op("orders.create", &[], true, "201"), "get": op("orders.list", &[], false, "200")},
            "/api/orders/{id}": {
                "get": op("orders.get", &[("id", "path")], true, "200"),
                "delete": op("orders.delete", &[("id", "path"), ("If-Match", "header")], false, "204"),
            },
            "/api/orders/{id}/place": {"post": op("orders.place", &[("id", "path"), ("If-Match", "header")], true, "200")},
            "/api/orders/{id}/lines/{position}": {"delete": op("orders.remove_line", &[("id", "path"), ("position", "path")], true, "200")},
            "/api/orders/numbering": {"put": op("orders.set_numbering", &[], false, "200")},
        }});
        add_links(&mut spec);
        let created = &spec["paths"]["/api/orders"]["post"]["responses"]["201"]["links"];
        let names: Vec<&String> = created.as_object().unwrap().keys().collect();
        assert_eq!(names, ["orders.get", "orders.delete", "orders.place"], "not remove_line: {created}");
        assert_eq!(created["orders.place"]["parameters"]["path.id"], "$response.body#/id");
        assert_eq!(created["orders.place"]["parameters"]["header.If-Match"], "$response.header.ETag");
        assert!(created["orders.get"]["parameters"].get("header.If-Match").is_none());
        let placed = &spec["paths"]["/api/orders/{id}/place"]["post"]["responses"]["200"]["links"];
        assert_eq!(placed["orders.delete"]["parameters"]["path.id"], "$request.path.id");
        assert!(spec["paths"]["/api/orders"]["get"]["responses"]["200"].get("links").is_none(), "lists link nowhere");
        assert!(spec["paths"]["/api/orders/numbering"]["put"]["responses"]["200"].get("links").is_none());
    }
}
