//! Request ids: taken from `X-Request-Id` when the caller sends a sane one,
//! generated (UUIDv7) otherwise, echoed on the response and attached to
//! every log line of the request through a tracing span.

use std::sync::Arc;

use poem::http::HeaderValue;
use poem::{Endpoint, IntoResponse, Request, Response};
use tracing::Instrument;

/// Header carrying the id both ways.
pub const HEADER: &str = "x-request-id";

/// The request's id, available to handlers as request data.
#[derive(Debug, Clone)]
pub struct RequestIdValue(pub String);

/// Accepts ids of 1–128 visible ASCII characters; anything else is replaced.
fn accept(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let ok = !text.is_empty() && text.len() <= 128 && text.bytes().all(|b| b.is_ascii_graphic());
    ok.then(|| text.to_owned())
}

/// The middleware.
pub async fn around<E: Endpoint>(ep: Arc<E>, mut req: Request) -> poem::Result<Response> {
    let id = req.headers().get(HEADER).and_then(accept).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.set_data(RequestIdValue(id.clone()));
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
    let result = ep.call(req).instrument(span).await;
    let mut resp = match result {
        Ok(output) => output.into_response(),
        Err(err) => err.into_response(),
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(HEADER, value);
    }
    Ok(resp)
}
