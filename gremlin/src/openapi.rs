//! The OpenAPI document: every API compiled into this binary in one service.
//! `gremlin openapi` writes it; `openapi/gremlin.json` is its committed copy.
//! poem-openapi's output passes through [`tidy`] (OpenAPI 3.1, plain
//! references) and gains its [`links`] before anyone sees it.
//!
//! The document describes what the binary can serve; `--domains` chooses
//! which of those APIs a process actually routes ([`Optional`]).

use std::collections::HashMap;

use gremlin_kernel::domain::Routes;
use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem_openapi::registry::{MetaApi, MetaOperationParam, MetaParamIn, Registry};
use poem_openapi::types::Type;
use poem_openapi::{OpenApi, OpenApiService};

pub(crate) mod links;
pub(crate) mod tidy;

use crate::http::ops::OpsApi;
use crate::registry::DOMAINS;

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
pub type IdentityApis = Optional<gremlin_identity::api::AuthApis>;
/// Identity's API, when compiled in.
#[cfg(not(feature = "identity"))]
pub type IdentityApis = ();

/// The business domains' APIs: documented from the registry, routed when
/// the process serves them. Every operation of a business domain that
/// takes the caller is scoped to an organization, so its document also
/// lists the `X-Organization-Id` header.
#[derive(Default)]
pub struct DomainApis(pub Vec<Box<dyn Routes>>);

impl OpenApi for DomainApis {
    fn meta() -> Vec<MetaApi> {
        let mut apis: Vec<MetaApi> = DOMAINS.iter().flat_map(|d| (d.api.meta)()).collect();
        for operation in apis.iter_mut().flat_map(|a| &mut a.paths).flat_map(|p| &mut p.operations) {
            if !operation.security.is_empty() && !operation.params.iter().any(|p| p.name == ORGANIZATION_HEADER) {
                operation.params.push(organization_param());
            }
            gremlin_kernel::http::prune_error_responses(operation);
        }
        apis
    }

    fn register(registry: &mut Registry) {
        for domain in DOMAINS {
            (domain.api.register)(registry);
        }
    }

    fn add_routes(self, route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        for api in self.0 {
            api.add_to(route_table);
        }
    }
}

/// The header naming the organization a request acts in.
pub const ORGANIZATION_HEADER: &str = "X-Organization-Id";

fn organization_param() -> MetaOperationParam {
    MetaOperationParam {
        name: ORGANIZATION_HEADER.to_owned(),
        schema: <String as Type>::schema_ref(),
        in_type: MetaParamIn::Header,
        description: Some(
            "The organization to act in. Without it: the token's `org` claim (service JWT) or the session's \
             active organization; 403 when neither names one the caller belongs to."
                .to_owned(),
        ),
        required: false,
        deprecated: false,
        explode: true,
        style: None,
    }
}

/// Every API of the binary.
pub type Apis = (OpsApi, IdentityApis, DomainApis);

/// The OpenAPI service over `apis`.
pub fn api_service(apis: Apis) -> OpenApiService<Apis, ()> {
    OpenApiService::new(apis, TITLE, env!("CARGO_PKG_VERSION"))
        .description(
            "Self-hostable business backend: identity (Better Auth compatible, under /api/auth), organizations \
             and business domains. Errors are RFC 9457 application/problem+json.",
        )
        .license(poem_openapi::LicenseObject::new("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0"))
}

/// The tidied document of `service`, served at `server` (a URL, or `/` for
/// wherever the document itself was fetched from), as pretty JSON with a
/// trailing newline.
pub fn document<T: OpenApi>(service: &OpenApiService<T, ()>, server: &str) -> String {
    tidied(&service.spec(), server)
}

fn tidied(raw: &str, server: &str) -> String {
    let raw: serde_json::Value = serde_json::from_str(raw).unwrap_or_default();
    let mut spec = tidy::tidy(raw, server);
    links::add_links(&mut spec);
    let mut text = serde_json::to_string_pretty(&spec).unwrap_or_default();
    text.push('\n');
    text
}

/// The document as committed: every compiled API, relative server.
pub fn spec_json() -> String {
    document(&api_service((OpsApi, IdentityApis::default(), DomainApis::default())), "/")
}

/// What a server serves of `service` at `server`: the tidied document
/// (`/openapi.json`) and the Swagger UI page showing it (`/docs`) rather
/// than poem-openapi's raw output, which the page embeds by default. Runs
/// once, at start-up.
pub fn served<T: OpenApi>(service: &OpenApiService<T, ()>, server: &str) -> (String, String) {
    let raw = service.spec();
    let document = tidied(&raw, server);
    let page = service.swagger_ui_html().replace(&raw, &document);
    (document, page)
}
