//! Business request bodies checked against the OpenAPI document before a
//! handler reads them, so the document is the contract in both directions:
//! poem-openapi alone reads some values the document forbids (a number
//! where a string is declared becomes its digits, `null` in an optional
//! field is taken as absent), and clients built from the document must not
//! come to depend on that. A body breaking its schema is 422 problem+json
//! listing every field at fault (`lines[0].quantity`), never a handler's
//! guess.
//!
//! One reading follows JSON Schema where poem-openapi is narrower: a whole
//! number written with a fraction (`14.0`) where the schema says `integer`
//! is that integer, and reaches the handler as one.
//!
//! Identity's endpoints (`/api/auth/…`) are left to identity, which
//! answers as Better Auth does. A request without credentials is left to
//! the handler too, so it is told 401 before anything about its body.

use std::sync::Arc;

use gremlin_kernel::{DomainError, FieldError, ProblemResponse};
use poem::http::{Method, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use serde_json::{Value, json};

/// The compiled schemas of every business operation with a JSON body.
pub struct BodySchemas {
    routes: Vec<Route>,
    /// The document's `components`, which the schemas refer to.
    components: Value,
}

struct Route {
    method: Method,
    /// Path segments; `None` stands for a parameter (`{id}`).
    segments: Vec<Option<String>>,
    validator: jsonschema::Validator,
    /// The body's schema, for [`whole_numbers_as_integers`].
    schema: Value,
}

impl BodySchemas {
    /// The schemas of `document` (the tidied OpenAPI document); fails when
    /// a schema does not compile, which is a bug in the document.
    pub fn from_document(document: &Value) -> anyhow::Result<Self> {
        let components = document.get("components").cloned().unwrap_or_else(|| json!({}));
        let mut routes = Vec::new();
        for (path, item) in document.get("paths").and_then(Value::as_object).into_iter().flatten() {
            if path.starts_with("/api/auth/") || !path.starts_with("/api/") {
                continue;
            }
            for (method, operation) in item.as_object().into_iter().flatten() {
                let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema") else {
                    continue;
                };
                let Ok(method) = method.to_ascii_uppercase().parse::<Method>() else { continue };
                let root = json!({ "allOf": [schema], "components": components });
                let validator = jsonschema::options()
                    .should_validate_formats(true)
                    .build(&root)
                    .map_err(|e| anyhow::anyhow!("the request schema of {method} {path} does not compile: {e}"))?;
                let segments =
                    segments(path).map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_owned())).collect();
                routes.push(Route { method, segments, validator, schema: schema.clone() });
            }
        }
        Ok(Self { routes, components })
    }

    /// How many operations have a checked body.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// Whether no operation has a checked body.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// The operation `method path`, if it takes a JSON body.
    fn find(&self, method: &Method, path: &str) -> Option<&Route> {
        let given: Vec<&str> = segments(path).collect();
        // A literal segment wins over a parameter (`/settings` over `/{id}`).
        self.routes
            .iter()
            .filter(|r| r.method == *method && r.segments.len() == given.len())
            .filter(|r| r.segments.iter().zip(&given).all(|(s, g)| s.as_deref().is_none_or(|s| s == *g)))
            .max_by_key(|r| r.segments.iter().filter(|s| s.is_some()).count())
    }

    /// The body's problems, as field errors; empty when it conforms. A
    /// conforming body has its whole numbers rewritten as integers.
    pub fn problems(&self, method: &Method, path: &str, body: &mut Value) -> Vec<FieldError> {
        self.find(method, path).map_or_else(Vec::new, |route| self.check(route, body))
    }

    /// [`Self::problems`] for a route already found.
    fn check(&self, route: &Route, body: &mut Value) -> Vec<FieldError> {
        let problems: Vec<FieldError> = route
            .validator
            .iter_errors(body)
            .map(|e| FieldError { field: field_path(e.instance_path.as_str()), message: e.to_string() })
            .take(50)
            .collect();
        if problems.is_empty() {
            whole_numbers_as_integers(&route.schema, &self.components, body, 0);
        }
        problems
    }
}

/// Rewrites `14.0` as `14` wherever `schema` says `integer` (JSON Schema's
/// reading: the same number), following `$ref`s into `components`,
/// properties, items and `allOf`/`anyOf`/`oneOf` branches.
fn whole_numbers_as_integers(schema: &Value, components: &Value, value: &mut Value, depth: usize) {
    if depth > 32 {
        return;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        if let Some(target) = reference.strip_prefix("#/components/").and_then(|p| components.pointer(&format!("/{p}")))
        {
            whole_numbers_as_integers(target, components, value, depth + 1);
        }
        return;
    }
    for branches in ["allOf", "anyOf", "oneOf"] {
        for branch in schema.get(branches).and_then(Value::as_array).into_iter().flatten() {
            whole_numbers_as_integers(branch, components, value, depth + 1);
        }
    }
    let says_integer = match schema.get("type") {
        Some(Value::String(t)) => t == "integer",
        Some(Value::Array(types)) => types.iter().any(|t| t == "integer"),
        _ => false,
    };
    match value {
        Value::Number(number) if says_integer && !number.is_i64() && !number.is_u64() => {
            if let Some(whole) = number.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                // Exact: |whole| < 2^53, and it has no fraction.
                *value = Value::from(whole as i64);
            }
        }
        Value::Object(fields) => {
            for (name, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
                if let Some(field) = fields.get_mut(name) {
                    whole_numbers_as_integers(property, components, field, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    whole_numbers_as_integers(item_schema, components, item, depth + 1);
                }
            }
        }
        _ => {}
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// A JSON pointer as a field path: `/lines/0/quantity` → `lines[0].quantity`,
/// the body itself → `body`.
fn field_path(pointer: &str) -> String {
    let mut path = String::new();
    for part in pointer.split('/').skip(1) {
        let part = part.replace("~1", "/").replace("~0", "~");
        if part.parse::<usize>().is_ok() {
            path.push_str(&format!("[{part}]"));
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&part);
        }
    }
    if path.is_empty() { "body".into() } else { path }
}

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")))
}

fn has_credentials(req: &Request) -> bool {
    req.headers().contains_key(header::AUTHORIZATION) || req.headers().contains_key(header::COOKIE)
}

/// Wraps an endpoint with the check.
pub fn around<E: Endpoint + 'static>(
    schemas: Arc<BodySchemas>,
) -> impl Fn(Arc<E>, Request) -> std::pin::Pin<Box<dyn Future<Output = poem::Result<Response>> + Send>> + Send + Sync + 'static
{
    move |ep: Arc<E>, mut req: Request| {
        let schemas = schemas.clone();
        Box::pin(async move {
            let route = (is_json(&req) && has_credentials(&req))
                .then(|| schemas.find(req.method(), req.uri().path()))
                .flatten();
            if let Some(route) = route {
                // The body limit (outside this) has bounded what is read here.
                let bytes = req.take_body().into_bytes().await?;
                // A body that is not JSON at all is the handler's to refuse (400).
                match serde_json::from_slice::<Value>(&bytes) {
                    Ok(mut body) => {
                        let errors = schemas.check(route, &mut body);
                        if !errors.is_empty() {
                            return Ok(ProblemResponse::from(DomainError::Invalid { errors }).into_response());
                        }
                        req.set_body(serde_json::to_vec(&body).unwrap_or_else(|_| bytes.to_vec()));
                    }
                    Err(_) => req.set_body(bytes),
                }
            }
            ep.call(req).await.map(IntoResponse::into_response)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Value {
        json!({
            "paths": {
                "/api/orders": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Create"}}}}}},
                "/api/orders/{id}": {"patch": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"note": {"type": "string"}}}}}}}},
                "/api/orders/settings": {"patch": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["prefix"]}}}}}},
                "/api/auth/sign-up/email": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["email"]}}}}}}
            },
            "components": {"schemas": {"Create": {"type": "object", "required": ["currency"], "properties": {
                "currency": {"type": "string"},
                "lines": {"type": "array", "items": {"type": "object", "properties": {"quantity": {"type": "string", "pattern": "^[0-9]+$"}}}}
            }}}}
        })
    }

    #[test]
    fn bodies_are_checked_against_their_operation_with_field_paths() {
        let schemas = BodySchemas::from_document(&document()).unwrap();
        assert_eq!(schemas.len(), 3, "identity's operations are left to identity");
        let post = Method::POST;
        let problems = |method: &Method, path: &str, body: Value| schemas.problems(method, path, &mut body.clone());
        assert!(problems(&post, "/api/orders", json!({"currency": "EUR"})).is_empty());
        let errors = problems(&post, "/api/orders", json!({"currency": 5, "lines": [{"quantity": "x"}]}));
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["currency", "lines[0].quantity"], "{errors:?}");
        let missing = problems(&post, "/api/orders", json!({}));
        assert_eq!(missing[0].field, "body", "{missing:?}");
        assert!(problems(&Method::PATCH, "/api/orders/01/x", json!({"note": 1})).is_empty(), "no such route");
        assert_eq!(problems(&Method::PATCH, "/api/orders/01", json!({"note": 1}))[0].field, "note");
        let settings = problems(&Method::PATCH, "/api/orders/settings", json!({"note": 1}));
        assert_eq!(settings[0].field, "body", "the literal path wins: {settings:?}");
        assert!(problems(&post, "/api/auth/sign-up/email", json!({})).is_empty());
    }

    #[test]
    fn whole_numbers_are_read_as_the_integers_they_are() {
        let schemas = BodySchemas::from_document(&json!({
            "paths": {"/api/things": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}},
            "components": {"schemas": {"Thing": {"type": "object", "properties": {
                "days": {"type": "integer"},
                "lines": {"type": "array", "items": {"type": "object", "properties": {"position": {"type": "integer"}}}},
                "metadata": {"type": "object"}
            }}}}
        }))
        .unwrap();
        let mut body = json!({"days": 14.0, "lines": [{"position": 2.0}], "metadata": {"ratio": 1.0}});
        assert!(schemas.problems(&Method::POST, "/api/things", &mut body).is_empty());
        assert_eq!(body, json!({"days": 14, "lines": [{"position": 2}], "metadata": {"ratio": 1.0}}));
        let mut fraction = json!({"days": 14.5});
        assert_eq!(schemas.problems(&Method::POST, "/api/things", &mut fraction)[0].field, "days");
    }

    #[test]
    fn pointers_read_as_field_paths() {
        assert_eq!(field_path(""), "body");
        assert_eq!(field_path("/customer/email"), "customer.email");
        assert_eq!(field_path("/lines/12/discount/value"), "lines[12].discount.value");
        assert_eq!(field_path("/a~1b"), "a/b");
    }
}
