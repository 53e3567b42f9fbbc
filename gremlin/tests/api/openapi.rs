//! The committed `openapi/gremlin.json` matches the code, and the served
//! document is valid OpenAPI 3.

use crate::support::{Backend, TestApp};

#[cfg(all(feature = "identity", feature = "orders", not(feature = "toy-domain")))]
fn committed_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/gremlin.json")
}

/// The committed document describes the full build (every domain; the
/// test-only toy domain excluded).
#[cfg(all(feature = "identity", feature = "orders", not(feature = "toy-domain")))]
#[test]
fn committed_spec_is_fresh() {
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    let generated = gremlin::openapi::spec_json();
    assert!(committed == generated, "openapi/gremlin.json is stale: run `make openapi` and commit the result");
}

#[tokio::test]
async fn served_spec_is_openapi_3_with_every_operation_named() {
    let t = TestApp::new(Backend::Sqlite).await;
    let resp = t.client().get("/openapi.json").send().await;
    resp.assert_status_is_ok();
    let spec: serde_json::Value = resp.0.into_body().into_json().await.unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."), "{}", spec["openapi"]);
    assert_eq!(spec["info"]["title"], "Gremlin");
    let paths = spec["paths"].as_object().unwrap();
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert!(paths.contains_key(path), "{path} missing");
    }
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(id.contains('.'), "operation ids are domain.action: {id}");
        }
    }
    let docs = t.client().get("/docs").send().await;
    docs.assert_status_is_ok();
    assert!(docs.0.into_body().into_string().await.unwrap().contains("swagger"));
}

/// Every documented operation is routed: whatever it answers an empty
/// request, it is never "no endpoint" (a documented API that 404s).
#[tokio::test]
async fn every_documented_operation_is_routed() {
    let t = TestApp::new(Backend::Sqlite).await;
    let spec: serde_json::Value = serde_json::from_str(&gremlin::openapi::spec_json()).unwrap();
    let mut unrouted = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        let concrete: String = path
            .split('/')
            .map(|segment| if segment.starts_with('{') { "x" } else { segment })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().unwrap().keys() {
            let method = poem::http::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let resp = t.client().request(method.clone(), &concrete).send().await;
            let status = resp.0.status();
            let body = resp.0.into_body().into_string().await.unwrap_or_default();
            if status == poem::http::StatusCode::NOT_FOUND && body.contains("no endpoint at") {
                unrouted.push(format!("{method} {path}"));
            }
        }
    }
    assert!(unrouted.is_empty(), "documented but not routed: {unrouted:?}");
}

/// The conventions the domain kit gives every business operation hold in
/// the document: each operation states its security (`[]` when public),
/// organization-scoped operations take `X-Organization-Id`, an operation
/// that changes a resource declares `If-Match` required (428 without it), list filters are
/// enums, and timestamps are `date-time`.
#[cfg(all(feature = "identity", feature = "orders"))]
#[test]
fn every_operation_states_security_and_the_kit_conventions() {
    let spec: serde_json::Value = serde_json::from_str(&gremlin::openapi::spec_json()).unwrap();
    let schemes = spec["components"]["securitySchemes"].as_object().expect("securitySchemes");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session_cookie"]["in"], "cookie");
    assert_eq!(
        (schemes["api_key"]["in"].as_str(), schemes["api_key"]["name"].as_str()),
        (Some("header"), Some("x-api-key"))
    );
    let mut public = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            let security = op["security"].as_array().unwrap_or_else(|| panic!("{name} states no security"));
            if security.iter().all(|s| s.as_object().is_some_and(|o| o.is_empty())) {
                public.push(name.clone());
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let param = |n: &str| params.iter().find(|p| p["name"].as_str().is_some_and(|p| p.eq_ignore_ascii_case(n)));
            // A calendar feed is opened by its own token (calendar apps send no
            // other credentials): declared as its own scheme, it stands apart.
            let by_feed_token = security.iter().any(|s| s.get("leave_feed_token").is_some());
            let business = path.starts_with("/api/") && !path.starts_with("/api/auth") && !by_feed_token;
            if business && method != "get" && path.contains("/{id}") {
                let if_match =
                    param("If-Match").unwrap_or_else(|| panic!("{name} changes a resource without If-Match"));
                assert_eq!(if_match["required"], true, "{name}: If-Match must be required (428 without it)");
            }
            if business {
                assert!(security.iter().any(|s| s.get("bearer").is_some()), "{name} is not behind the caller");
                assert!(param("X-Organization-Id").is_some(), "{name} lacks X-Organization-Id");
                for key in ["status", "payment_status", "sort", "direction"] {
                    if let Some(p) = param(key) {
                        assert!(p["schema"]["$ref"].is_string(), "{name}: `{key}` is not an enum: {p}");
                    }
                }
            }
        }
    }
    for op in ["get /healthz", "post /api/auth/sign-in/email", "post /api/auth/sign-up/email"] {
        assert!(public.iter().any(|p| p == op), "{op} should be public: {public:?}");
    }
    assert!(!public.iter().any(|p| p.starts_with("post /api/orders")), "{public:?}");
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        for (field, property) in schema["properties"].as_object().into_iter().flatten() {
            let timestamp = ["_at", "At", "Expires"].iter().any(|end| field.ends_with(end)) || field == "time";
            if timestamp {
                assert_eq!(property["format"], "date-time", "{name}.{field} is a timestamp without date-time");
            }
        }
    }
}
