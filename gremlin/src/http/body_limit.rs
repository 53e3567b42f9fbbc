//! Refuses request bodies larger than `server.body_limit_bytes` with 413:
//! by `Content-Length` when given, by counting while reading otherwise
//! (chunked and HTTP/2 bodies).
//! (poem's own `SizeLimit` demands a `Content-Length` on every request,
//! which would refuse plain GETs.)

use std::sync::Arc;

use poem::http::{StatusCode, header};

use poem::{Endpoint, IntoResponse, Request, Response};

use super::problem::problem_response;
use super::request_id::RequestIdValue;

/// Wraps an endpoint with the body limit.
pub fn around<E: Endpoint + 'static>(
    limit: usize,
) -> impl Fn(Arc<E>, Request) -> std::pin::Pin<Box<dyn Future<Output = poem::Result<Response>> + Send>> + Send + Sync + 'static
{
    move |ep: Arc<E>, mut req: Request| {
        Box::pin(async move {
            let id = req_id(&req);
            let too_large = || {
                let detail = format!("request bodies are limited to {limit} bytes (server.body_limit_bytes)");
                problem_response(StatusCode::PAYLOAD_TOO_LARGE, Some(detail), id.as_deref())
            };
            let declared = req
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            match declared {
                Some(length) if length > limit as u64 => return Ok(too_large()),
                Some(_) => {}
                // Chunked (or HTTP/2) bodies declare no length: count while reading.
                None => {
                    let body = req.take_body();
                    if !body.is_empty() {
                        match body.into_bytes_limit(limit).await {
                            Ok(bytes) => req.set_body(bytes),
                            Err(_) => return Ok(too_large()),
                        }
                    }
                }
            }
            ep.call(req).await.map(IntoResponse::into_response)
        })
    }
}

fn req_id(req: &Request) -> Option<String> {
    req.data::<RequestIdValue>().map(|r| r.0.clone())
}
