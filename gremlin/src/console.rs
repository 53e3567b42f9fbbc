//! The web console, served at `/console` from assets embedded in the binary
//! (no Node.js to run it, nothing to build). It is a client of the public
//! API: every page reads and writes through the same HTTP endpoints a
//! generated client uses, with the session cookie, so a member sees exactly
//! what the API lets a member see. Deep links (`/console/orders?status=…`)
//! answer the same page, which routes in the browser.
//!
//! Every answer carries a strict Content-Security-Policy: scripts and
//! styles only from `/console/assets`, no inline code, no framing;
//! cookie-authenticated writes are guarded by the API's origin check.

use poem::http::{StatusCode, header};
use poem::web::Path;
use poem::{Endpoint, EndpointExt, IntoEndpoint, Response, Route, handler};

/// The policy on every console answer.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// One embedded file: name under `/console/assets/`, content type, bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const INDEX: &str = include_str!("../console/index.html");

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// An [`Asset`] embedded from `gremlin/console/assets/<name>`.
macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset { name: $name, content_type: $content_type, body: include_str!(concat!("../console/assets/", $name)) }
    };
}

const ASSETS: &[Asset] =
    &[asset!("app.css", CSS), asset!("app.js", JS), asset!("api.js", JS), asset!("ui.js", JS), asset!("orders.js", JS)];

/// The business domains this binary serves, for the console's navigation
/// (pages of a domain not compiled in are absent).
fn domains() -> Vec<&'static str> {
    let mut served = Vec::new();
    if cfg!(feature = "orders") {
        served.push("orders");
    }
    if cfg!(feature = "invoices") {
        served.push("invoices");
    }
    if cfg!(feature = "crm") {
        served.push("crm");
    }
    if cfg!(feature = "leave") {
        served.push("leave");
    }
    served
}

fn secured(status: StatusCode, content_type: &str, body: impl Into<poem::Body>, cache: &str) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::REFERRER_POLICY, "same-origin")
        .header("x-frame-options", "DENY")
        .header(header::CACHE_CONTROL, cache)
        .body(body)
}

#[handler]
fn page() -> Response {
    secured(StatusCode::OK, "text/html; charset=utf-8", INDEX, "no-cache")
}

#[handler]
fn config() -> Response {
    let body = serde_json::json!({ "domains": domains() }).to_string();
    secured(StatusCode::OK, "application/json", body, "no-cache")
}

#[handler]
fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(asset) => secured(StatusCode::OK, asset.content_type, asset.body, "no-cache"),
        None => secured(StatusCode::NOT_FOUND, "text/plain; charset=utf-8", "no such console asset", "no-store"),
    }
}

/// The console's routes, to nest at `/console`: the page for every path,
/// `config.json` and the embedded assets.
pub fn endpoint() -> impl Endpoint<Output = Response> {
    Route::new()
        .at("/", page)
        .at("/config.json", config)
        .at("/assets/:name", asset)
        .at("/*path", page)
        .into_endpoint()
        .map_to_response()
}
