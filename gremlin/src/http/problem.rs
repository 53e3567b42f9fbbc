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
    let mut problem = Problem::for_status(status.as_u16(), detail);
    problem.instance = request_id.map(|id| format!("urn:gremlin:request:{id}"));
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    Response::builder().status(status).content_type(PROBLEM_JSON).body(body)
}

/// The middleware: errors and bodiless error responses become problems.
pub async fn around<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let request_id = req.data::<RequestIdValue>().map(|r| r.0.clone());
    let id = request_id.as_deref();
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    match ep.call(req).await {
        Ok(output) => {
            let resp = output.into_response();
            let status = resp.status();
            let bare = !resp.headers().contains_key(header::CONTENT_TYPE)
                && (status.is_client_error() || status.is_server_error());
            if bare {
                return Ok(problem_response(status, None, id));
            }
            Ok(resp)
        }
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
            let detail = Some(detail);
            Ok(problem_response(status, detail, id))
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
