//! Rewrites every error the server itself produces — unknown route, wrong
//! method, unparsable body, wrong content type, body too large, timeout,
//! panic — as RFC 9457 `application/problem+json`.
//!
//! poem-openapi answers request-parsing failures through poem errors, not
//! through an endpoint's own error type, so this one middleware gives them
//! all the house shape.

use std::sync::Arc;

use gremlin_kernel::Problem;
use gremlin_kernel::problem::PROBLEM_JSON;
use poem::http::{StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};

use super::request_id::RequestIdValue;

/// Builds a problem+json response; `instance` carries the request id.
pub fn problem_response(status: StatusCode, detail: Option<String>, request_id: Option<&str>) -> Response {
    build(status, detail, request_id, false)
}

/// A problem response for a request to `path`: under `/api/auth/` it also
/// carries Better Auth's `code` and `message`.
pub fn problem_for_path(status: StatusCode, detail: Option<String>, request_id: Option<&str>, path: &str) -> Response {
    build(status, detail, request_id, path.starts_with(BETTER_AUTH_PREFIX))
}

/// Paths whose clients (Better Auth's) read `code` and `message` fields.
const BETTER_AUTH_PREFIX: &str = "/api/auth/";

/// Better Auth's code for an error status it produces itself.
fn better_auth_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 415 => "VALIDATION_ERROR",
        401 => "UNAUTHORIZED",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        413 => "PAYLOAD_TOO_LARGE",
        429 => "TOO_MANY_REQUESTS",
        503 => "SERVICE_UNAVAILABLE",
        _ => "INTERNAL_SERVER_ERROR",
    }
}

fn build(status: StatusCode, detail: Option<String>, request_id: Option<&str>, better_auth: bool) -> Response {
    let mut problem = Problem::for_status(status.as_u16(), detail);
    problem.instance = request_id.map(|id| format!("urn:gremlin:request:{id}"));
    let mut body = serde_json::to_value(&problem).unwrap_or_default();
    if better_auth && let Some(fields) = body.as_object_mut() {
        let message = problem.detail.clone().unwrap_or_else(|| problem.title.clone());
        fields.insert("code".into(), better_auth_code(status).into());
        fields.insert("message".into(), message.into());
    }
    let mut builder = Response::builder().status(status).content_type(PROBLEM_JSON);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        // Every 503 Gremlin produces (timeout, overload) is worth retrying.
        builder = builder.header(header::RETRY_AFTER, gremlin_kernel::overload::POOL_EXHAUSTED_RETRY_AFTER_SECS);
    }
    builder.body(serde_json::to_vec(&body).unwrap_or_default())
}

/// The middleware: errors and bodiless error responses become problems.
pub async fn around<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let request_id = req.data::<RequestIdValue>().map(|r| r.0.clone());
    let id = request_id.as_deref();
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let better_auth = path.starts_with(BETTER_AUTH_PREFIX);
    match ep.call(req).await {
        Ok(output) => {
            let resp = output.into_response();
            let status = resp.status();
            let bare = !resp.headers().contains_key(header::CONTENT_TYPE)
                && (status.is_client_error() || status.is_server_error());
            if bare {
                return Ok(build(status, None, id, better_auth));
            }
            Ok(resp)
        }
        // An endpoint's own error response (its problem+json) passes as is.
        Err(err) if err.is_from_response() => Ok(err.into_response()),
        Err(err) => {
            let status = err.status();
            let detail = match status {
                StatusCode::NOT_FOUND if err.is::<poem::error::NotFoundError>() => {
                    format!("no endpoint at {path}; see /openapi.json")
                }
                StatusCode::METHOD_NOT_ALLOWED => format!("{method} is not allowed on {path}; see /openapi.json"),
                s if s.is_server_error() => {
                    tracing::error!(error = %err, "request failed");
                    "an unexpected error occurred; it has been logged".to_owned()
                }
                _ => err.to_string(),
            };
            Ok(build(status, Some(detail), id, better_auth))
        }
    }
}

/// The response for a panic caught in a handler: a generic 500 problem.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %message, "handler panicked; answered 500");
    problem_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        Some("an unexpected error occurred; it has been logged".into()),
        None,
    )
}

#[cfg(all(test, feature = "identity"))]
mod tests {
    use super::*;

    /// The codes the HTTP layer answers on Better Auth paths are among
    /// identity's declared codes, so the spec's enum covers them.
    #[test]
    fn better_auth_codes_of_the_http_layer_are_declared() {
        for status in [400, 401, 404, 405, 413, 415, 429, 500, 503] {
            let code = better_auth_code(StatusCode::from_u16(status).unwrap());
            assert!(gremlin_identity::ErrorCode::parse(code).is_some(), "{code}");
        }
    }
}
