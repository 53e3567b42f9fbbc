//! The committed `openapi/gremlin.json` matches the code, and the served
//! document is valid OpenAPI 3.

use crate::support::{Backend, TestApp};

#[cfg(all(feature = "identity", feature = "orders"))]
fn committed_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/gremlin.json")
}

/// The committed document describes the full build (every domain).
#[cfg(all(feature = "identity", feature = "orders"))]
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
