//! One post-processing step between poem-openapi's output and the document
//! clients are generated from. poem-openapi writes OpenAPI 3.0 with two
//! habits generators stumble on: a described `$ref` becomes
//! `allOf: [{$ref}, {description}]` (openapi-python-client then drops the
//! schema and every operation using it), and a nullable `$ref` becomes
//! `allOf: [{$ref}], nullable: true` (no `type` beside `nullable`, which
//! linters reject). OpenAPI 3.1 says both directly — `$ref` may carry a
//! description, and `null` is a type — so the document is lifted to 3.1:
//!
//! * `allOf: [{$ref}, {description}]` → `{$ref, description}`;
//! * `nullable: true` → `type: [T, "null"]`, or `anyOf: [{$ref}, {type:
//!   "null"}]` for a reference;
//! * an optional property's `default` moves into its description (with
//!   default settings openapi-typescript makes a property with a `default`
//!   required, so clients would have to send what they may leave out);
//! * media types `application/json; charset=utf-8` → `application/json`;
//! * every operation states its security: the schemes it accepts, or
//!   `security: []` when it needs no credentials (generators then hand
//!   public calls a client without a token);
//! * a decimal (`format: decimal`, an exact amount as a string) states its
//!   pattern;
//! * response headers carry their usual spelling (`ETag`, not `ETAG`);
//! * `servers` names where the API is served.

use serde_json::{Map, Value, json};

/// The OpenAPI version of the tidied document.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// `spec` (poem-openapi's 3.0 document) as an OpenAPI 3.1 document served
/// at `server` (`/` for the committed copy, the public URL when served).
pub fn tidy(mut spec: Value, server: &str) -> Value {
    if let Some(root) = spec.as_object_mut() {
        root.insert("openapi".into(), json!(OPENAPI_VERSION));
        root.insert("servers".into(), json!([{ "url": server }]));
    }
    walk(&mut spec);
    state_public_security(&mut spec);
    for_each_operation(&mut spec, |operation| {
        for response in operation.get_mut("responses").and_then(Value::as_object_mut).into_iter().flatten() {
            if let Some(response) = response.1.as_object_mut() {
                respell_response_headers(response);
            }
        }
    });
    spec
}

/// Runs `f` on every operation of `spec`'s paths.
fn for_each_operation(spec: &mut Value, mut f: impl FnMut(&mut Map<String, Value>)) {
    let Some(Value::Object(paths)) = spec.get_mut("paths") else { return };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (method, operation) in item.iter_mut() {
            if let (true, Some(operation)) = (METHODS.contains(&method.as_str()), operation.as_object_mut()) {
                f(operation);
            }
        }
    }
}

pub(crate) const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// An operation without security requirements says `security: []`.
fn state_public_security(spec: &mut Value) {
    for_each_operation(spec, |operation| {
        let public = match operation.get("security") {
            None => true,
            Some(Value::Array(requirements)) => requirements.iter().all(|r| r.as_object().is_some_and(Map::is_empty)),
            Some(_) => false,
        };
        if public {
            operation.insert("security".into(), json!([]));
        }
    });
}

/// Lifts standalone schemas (as poem-openapi's registry serialises them) to
/// JSON Schema as OpenAPI 3.1 and AsyncAPI 3 read it, the same way [`tidy`]
/// lifts the document's.
pub fn tidy_schemas(schemas: &mut Value) {
    walk(schemas);
}

fn walk(value: &mut Value) {
    match value {
        Value::Object(map) => {
            rename_json_media_types(map);
            for child in map.values_mut() {
                walk(child);
            }
            // Children first: a reference's wrapper is rewritten once its
            // contents are final.
            unwrap_described_ref(map);
            pattern_decimals(map);
            pattern_dates(map);
            bound_integers(map);
            lift_nullable(map);
            describe_optional_defaults(map);
        }
        Value::Array(items) => items.iter_mut().for_each(walk),
        _ => {}
    }
}

/// Response header names as HTTP documents spell them: poem-openapi
/// writes them upper-cased. Better Auth's own headers stay lower-case.
fn respell_response_headers(map: &mut Map<String, Value>) {
    let Some(Value::Object(headers)) = map.get_mut("headers") else { return };
    let respelled: Map<String, Value> = std::mem::take(headers).into_iter().map(|(n, v)| (spelling(&n), v)).collect();
    *headers = respelled;
}

fn spelling(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "etag" => "ETag".into(),
        "set-auth-token" | "set-auth-jwt" => lower,
        _ => lower
            .split('-')
            .map(|part| {
                let mut chars = part.chars();
                chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("-"),
    }
}

/// `content` keyed `application/json; charset=utf-8` → `application/json`.
fn rename_json_media_types(map: &mut Map<String, Value>) {
    let Some(Value::Object(content)) = map.get_mut("content") else { return };
    if let Some(body) = content.remove("application/json; charset=utf-8") {
        content.entry("application/json").or_insert(body);
    }
}

/// `allOf: [{$ref}, {description}]` (or `allOf: [{$ref}]`) → the reference
/// itself, keeping the schema's own description and other keywords.
fn unwrap_described_ref(map: &mut Map<String, Value>) {
    let Some(Value::Array(all_of)) = map.get("allOf") else { return };
    let reference = match all_of.as_slice() {
        [only] => only.get("$ref").cloned(),
        [first, rest] if is_description_only(rest) => first.get("$ref").cloned(),
        _ => None,
    };
    let Some(reference) = reference else { return };
    let described = all_of.get(1).and_then(|d| d.get("description")).cloned();
    map.remove("allOf");
    map.insert("$ref".into(), reference);
    if !map.contains_key("description")
        && let Some(description) = described
    {
        map.insert("description".into(), description);
    }
}

fn is_description_only(schema: &Value) -> bool {
    schema.as_object().is_some_and(|m| m.keys().all(|k| k == "description"))
}

/// In an object schema, each property outside `required` loses its
/// `default`, which is said in its description instead.
fn describe_optional_defaults(map: &mut Map<String, Value>) {
    let required: Vec<Value> = map.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
    let Some(Value::Object(properties)) = map.get_mut("properties") else { return };
    for (name, property) in properties.iter_mut() {
        if required.contains(&Value::String(name.clone())) {
            continue;
        }
        let Some(property) = property.as_object_mut() else { continue };
        let Some(default) = property.remove("default") else { continue };
        let said = format!("Default: `{default}`.");
        let description = match property.get("description").and_then(Value::as_str) {
            Some(text) => format!("{} {said}", text.trim_end()),
            None => said,
        };
        property.insert("description".into(), Value::String(description));
    }
}

/// What a decimal string looks like: digits, optionally signed, with an
/// optional fraction (`19.99`, `-5`, `0.333`): at most 18 digits before
/// the point and 10 after, inside what an exact decimal holds (28 digits).
pub const DECIMAL_PATTERN: &str = r"^-?[0-9]{1,18}(\.[0-9]{1,10})?$";

/// An ISO date (`2026-11-30`).
pub const DATE_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// An RFC 3339 time (`2026-11-30T09:30:00Z`, `…T09:30:00.123+01:00`).
pub const DATE_TIME_PATTERN: &str =
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$";

/// Dates and times state their shape as a pattern: `format` is only an
/// annotation in JSON Schema, and a client or fuzzer reading the document
/// otherwise takes any string.
fn pattern_dates(map: &mut Map<String, Value>) {
    // poem-openapi names a `time::Date` `naive-date`; JSON Schema says `date`.
    if map.get("format").and_then(Value::as_str) == Some("naive-date") {
        map.insert("format".into(), json!("date"));
    }
    let pattern = match map.get("format").and_then(Value::as_str) {
        Some("date") => DATE_PATTERN,
        Some("date-time") => DATE_TIME_PATTERN,
        _ => return,
    };
    if !map.contains_key("pattern") {
        map.insert("pattern".into(), json!(pattern));
    }
}

/// The range of a sized integer (`format: uint16` …) as `minimum` and
/// `maximum`, where the document does not state tighter ones: the server
/// cannot read a number outside it.
fn bound_integers(map: &mut Map<String, Value>) {
    let (min, max): (i128, i128) = match map.get("format").and_then(Value::as_str) {
        Some("uint8") => (0, u8::MAX.into()),
        Some("uint16") => (0, u16::MAX.into()),
        Some("uint32") => (0, u32::MAX.into()),
        Some("uint64") => (0, u64::MAX.into()),
        Some("int8") => (i8::MIN.into(), i8::MAX.into()),
        Some("int16") => (i16::MIN.into(), i16::MAX.into()),
        Some("int32") => (i32::MIN.into(), i32::MAX.into()),
        Some("int64") => (i64::MIN.into(), i64::MAX.into()),
        _ => return,
    };
    map.entry("minimum").or_insert_with(|| json!(min));
    map.entry("maximum").or_insert_with(|| json!(max));
}

fn pattern_decimals(map: &mut Map<String, Value>) {
    if map.get("format").and_then(Value::as_str) == Some("decimal") && !map.contains_key("pattern") {
        map.insert("pattern".into(), json!(DECIMAL_PATTERN));
    }
}

/// 3.0's `nullable: true` as 3.1 says it.
fn lift_nullable(map: &mut Map<String, Value>) {
    if map.remove("nullable") != Some(Value::Bool(true)) {
        return;
    }
    if let Some(reference) = map.remove("$ref") {
        map.insert("anyOf".into(), json!([{ "$ref": reference }, { "type": "null" }]));
        return;
    }
    match map.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            map.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(types)) if !types.contains(&json!("null")) => types.push(json!("null")),
        Some(_) => {}
        None => {
            // An untyped nullable schema (`oneOf` …): null is one more choice.
            let inner = std::mem::take(map);
            map.insert("anyOf".into(), json!([Value::Object(inner), { "type": "null" }]));
            return;
        }
    }
    if let Some(Value::Array(values)) = map.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_described_reference_is_a_reference_with_a_description() {
        let spec = json!({"openapi": "3.0.0", "components": {"schemas": {"Order": {"properties": {
            "status": {"allOf": [{"$ref": "#/components/schemas/OrderStatus"}, {"description": "Where it stands."}], "description": "Where it stands."},
            "customer": {"allOf": [{"$ref": "#/components/schemas/Customer"}], "description": "Who.", "nullable": true},
            "kept": {"allOf": [{"$ref": "#/a"}, {"$ref": "#/b"}]}
        }}}}});
        let tidied = tidy(spec, "/");
        let properties = &tidied["components"]["schemas"]["Order"]["properties"];
        assert_eq!(
            properties["status"],
            json!({"$ref": "#/components/schemas/OrderStatus", "description": "Where it stands."})
        );
        assert_eq!(
            properties["customer"],
            json!({"anyOf": [{"$ref": "#/components/schemas/Customer"}, {"type": "null"}], "description": "Who."})
        );
        assert_eq!(properties["kept"], json!({"allOf": [{"$ref": "#/a"}, {"$ref": "#/b"}]}), "a real allOf stays");
        assert_eq!((tidied["openapi"].as_str(), &tidied["servers"]), (Some("3.1.0"), &json!([{"url": "/"}])));
    }

    #[test]
    fn sized_integers_state_their_range_and_dates_their_shape() {
        let tidied = tidy(
            json!({"u": {"type": "integer", "format": "uint16"}, "capped": {"type": "integer", "format": "uint16", "maximum": 365},
                   "i": {"type": "integer", "format": "int64"}, "d": {"type": "string", "format": "naive-date"}}),
            "/",
        );
        assert_eq!((tidied["u"]["minimum"].clone(), tidied["u"]["maximum"].clone()), (json!(0), json!(65535)));
        assert_eq!(tidied["capped"]["maximum"], 365, "a tighter bound stays");
        assert_eq!(tidied["i"]["minimum"], json!(i64::MIN));
        assert_eq!(
            (tidied["d"]["format"].clone(), tidied["d"]["pattern"].clone()),
            (json!("date"), json!(DATE_PATTERN))
        );
        let decimal = |text: &str| jsonschema::is_valid(&json!({"pattern": DECIMAL_PATTERN}), &json!(text));
        assert!(decimal("-123456789012345678.1234567890") && decimal("0"));
        assert!(!decimal("1234567890123456789") && !decimal("1.12345678901") && !decimal("1e5") && !decimal(""));
        let time = |text: &str| jsonschema::is_valid(&json!({"pattern": DATE_TIME_PATTERN}), &json!(text));
        assert!(time("2026-11-30T09:30:00Z") && time("2026-11-30T09:30:00.123456+01:00") && !time("2026-11-30"));
    }

    #[test]
    fn nullable_becomes_a_null_type() {
        let tidied = tidy(
            json!({"a": {"type": "string", "format": "date-time", "nullable": true},
                   "b": {"type": "string", "enum": ["x"], "nullable": true},
                   "c": {"oneOf": [{"type": "string"}, {"type": "array"}], "nullable": true},
                   "d": {"type": "string", "nullable": false}}),
            "/",
        );
        assert_eq!(
            tidied["a"],
            json!({"type": ["string", "null"], "format": "date-time", "pattern": DATE_TIME_PATTERN})
        );
        let decimal = tidy(json!({"type": "string", "format": "decimal"}), "/");
        assert_eq!(decimal["pattern"], DECIMAL_PATTERN);
        assert_eq!(tidied["b"], json!({"type": ["string", "null"], "enum": ["x", null]}));
        assert_eq!(
            tidied["c"],
            json!({"anyOf": [{"oneOf": [{"type": "string"}, {"type": "array"}]}, {"type": "null"}]})
        );
        assert_eq!(tidied["d"], json!({"type": "string"}));
    }

    #[test]
    fn optional_properties_say_their_default_in_words() {
        let tidied = tidy(
            json!({"type": "object", "required": ["lines"], "properties": {
                "lines": {"type": "array", "default": []},
                "tax_rate": {"type": "string", "default": "0", "description": "Tax in percent."},
                "metadata": {"type": "object", "default": {}}
            }}),
            "/",
        );
        let properties = &tidied["properties"];
        assert_eq!(properties["lines"], json!({"type": "array", "default": []}), "a required one keeps it");
        assert_eq!(
            properties["tax_rate"],
            json!({"type": "string", "description": "Tax in percent. Default: `\"0\"`."})
        );
        assert_eq!(properties["metadata"], json!({"type": "object", "description": "Default: `{}`."}));
    }

    #[test]
    fn response_headers_are_spelled_as_usual() {
        let tidied = tidy(
            json!({"paths": {"/a": {"post": {"responses": {"201": {"headers": {"ETAG": {}, "LOCATION": {}, "RETRY-AFTER": {}, "SET-AUTH-TOKEN": {}, "ACCESS-CONTROL-EXPOSE-HEADERS": {}}}}}}},
                   "components": {"schemas": {"S": {"properties": {"headers": {"type": "object"}}}}}}),
            "/",
        );
        let responses = &tidied["paths"]["/a"]["post"]["responses"];
        let names: Vec<&String> = responses["201"]["headers"].as_object().unwrap().keys().collect();
        assert_eq!(names, ["ETag", "Location", "Retry-After", "set-auth-token", "Access-Control-Expose-Headers"]);
        let property = &tidied["components"]["schemas"]["S"]["properties"]["headers"];
        assert_eq!(property, &json!({"type": "object"}), "a property called headers is left alone");
    }

    #[test]
    fn public_operations_say_they_need_no_credentials() {
        let tidied = tidy(
            json!({"paths": {"/a": {
                "get": {"responses": {}},
                "post": {"security": [{}]},
                "put": {"security": [{"bearer": []}]},
                "parameters": []
            }}}),
            "/",
        );
        let a = &tidied["paths"]["/a"];
        assert_eq!((&a["get"]["security"], &a["post"]["security"]), (&json!([]), &json!([])));
        assert_eq!(a["put"]["security"], json!([{"bearer": []}]));
        assert_eq!(a["parameters"], json!([]), "path-level keys are not operations");
    }

    #[test]
    fn json_bodies_are_plain_application_json() {
        let tidied = tidy(
            json!({"paths": {"/x": {"post": {"requestBody": {"content": {"application/json; charset=utf-8": {"schema": {"type": "object"}}}},
                "responses": {"200": {"content": {"application/json; charset=utf-8": {"schema": {"type": "string"}}, "text/plain": {}}}}}}}}),
            "https://api.example.com",
        );
        let post = &tidied["paths"]["/x"]["post"];
        assert_eq!(post["requestBody"]["content"], json!({"application/json": {"schema": {"type": "object"}}}));
        assert_eq!(
            post["responses"]["200"]["content"],
            json!({"application/json": {"schema": {"type": "string"}}, "text/plain": {}})
        );
        assert_eq!(tidied["servers"], json!([{"url": "https://api.example.com"}]));
    }
}
