//! Answers 503 problem+json when a request runs past
//! `server.request_timeout_secs`; the handler's future is dropped.

use std::sync::Arc;
use std::time::Duration;

use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse, Request, Response};

use super::problem::problem_response;
use super::request_id::RequestIdValue;

/// Wraps an endpoint with a deadline.
pub fn around<E: Endpoint + 'static>(
    limit: Duration,
) -> impl Fn(Arc<E>, Request) -> std::pin::Pin<Box<dyn Future<Output = poem::Result<Response>> + Send>> + Send + Sync + 'static
{
    move |ep: Arc<E>, req: Request| {
        Box::pin(async move {
            let request_id = req.data::<RequestIdValue>().map(|r| r.0.clone());
            match tokio::time::timeout(limit, ep.call(req)).await {
                Ok(result) => result.map(IntoResponse::into_response),
                Err(_) => {
                    tracing::warn!(timeout_secs = limit.as_secs(), "request timed out");
                    let detail = format!(
                        "the request took longer than {} s (server.request_timeout_secs); retry later",
                        limit.as_secs()
                    );
                    Ok(problem_response(StatusCode::SERVICE_UNAVAILABLE, Some(detail), request_id.as_deref()))
                }
            }
        })
    }
}
