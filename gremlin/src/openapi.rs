//! The OpenAPI document: every API compiled into this binary in one service.
//! `gremlin openapi` writes it; `openapi/gremlin.json` is its committed copy.
//!
//! The document describes what the binary can serve; `--domains` chooses
//! which of those APIs a process actually routes ([`Optional`]).

use std::collections::HashMap;

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem_openapi::registry::{MetaApi, Registry};
use poem_openapi::{OpenApi, OpenApiService};

use crate::http::ops::OpsApi;

/// Title of the document.
pub const TITLE: &str = "Gremlin";

/// An API compiled in but possibly not served by this process: always
/// documented, routed only when present.
pub struct Optional<T>(pub Option<T>);

impl<T> Default for Optional<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<T: OpenApi> OpenApi for Optional<T> {
    fn meta() -> Vec<MetaApi> {
        T::meta()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn add_routes(self, route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        if let Some(api) = self.0 {
            api.add_routes(route_table);
        }
    }
}

/// Identity's API, when compiled in.
#[cfg(feature = "identity")]
pub type IdentityApis = Optional<(
    gremlin_identity::IdentityApi,
    gremlin_identity::api::OrganizationApi,
    gremlin_identity::api::admin::AdminApi,
)>;
/// Identity's API, when compiled in.
#[cfg(not(feature = "identity"))]
pub type IdentityApis = ();

/// The orders API, when compiled in.
#[cfg(feature = "orders")]
pub type OrdersApis = Optional<gremlin_orders::api::OrdersApi>;
/// The orders API, when compiled in.
#[cfg(not(feature = "orders"))]
pub type OrdersApis = ();

/// Every API of the binary.
pub type Apis = (OpsApi, IdentityApis, OrdersApis);

/// The OpenAPI service over `apis`.
pub fn api_service(apis: Apis) -> OpenApiService<Apis, ()> {
    OpenApiService::new(apis, TITLE, env!("CARGO_PKG_VERSION")).description(
        "Self-hostable business backend: identity (Better Auth compatible, under /api/auth), organizations \
         and business domains. Errors are RFC 9457 application/problem+json.",
    )
}

/// The document as pretty JSON with a trailing newline, as committed.
pub fn spec_json() -> String {
    let mut spec = api_service((OpsApi, IdentityApis::default(), OrdersApis::default())).spec();
    spec.push('\n');
    spec
}
