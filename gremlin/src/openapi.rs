//! The OpenAPI document: every API of the compiled domains in one service.
//! `gremlin openapi` writes it; `openapi/gremlin.json` is its committed copy.

use poem_openapi::OpenApiService;

use crate::http::ops::OpsApi;

/// Title of the document.
pub const TITLE: &str = "Gremlin";

/// The OpenAPI service with every API compiled into this binary.
pub fn api_service() -> OpenApiService<OpsApi, ()> {
    OpenApiService::new(OpsApi, TITLE, env!("CARGO_PKG_VERSION")).description(
        "Self-hostable business backend: identity, organizations and business domains. \
         Errors are RFC 9457 application/problem+json.",
    )
}

/// The document as pretty JSON with a trailing newline, as committed.
pub fn spec_json() -> String {
    let mut spec = api_service().spec();
    spec.push('\n');
    spec
}
