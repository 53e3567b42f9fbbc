//! Rate limits through the `Cache` port, on by default: per client IP and
//! path, 100 requests per 10 s under `/api/`, 3 per 10 s on credential
//! endpoints (Better Auth's rules), and sign-in also per e-mail address.
//! Beyond a limit: 429 problem+json with `Retry-After` and `X-Retry-After`.
//! When the cache is down, limits fail open with a warning: an outage of
//! Redis must not lock every user out.
//!
//! Also resolves the client IP (trusted proxies only) into request data.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use gremlin_config::RateLimitSettings;
use gremlin_kernel::Cache;
use gremlin_kernel::client::{self, ClientIp};
use poem::http::{HeaderValue, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response};

use super::problem::problem_for_path;
use super::request_id::RequestIdValue;

/// Paths with the stricter credential limit (prefix match).
const CREDENTIAL_PATHS: &[&str] = &[
    "/api/auth/sign-in",
    "/api/auth/sign-up",
    "/api/auth/change-password",
    "/api/auth/change-email",
    "/api/auth/request-password-reset",
    "/api/auth/reset-password",
    "/api/auth/send-verification-email",
    "/api/auth/verify-password",
    "/api/auth/delete-user",
    "/api/auth/two-factor/",
];

/// The limiter's configuration and cache.
#[derive(Clone)]
pub struct RateLimiter {
    /// Where counters live.
    pub cache: Arc<dyn Cache>,
    /// Limits.
    pub settings: RateLimitSettings,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Cache key prefix.
    pub key_prefix: String,
}

enum Verdict {
    Allow,
    Deny(Duration),
}

impl RateLimiter {
    async fn check(&self, key: &str, max: u64) -> Verdict {
        let window = Duration::from_secs(self.settings.window_secs);
        match self.cache.increment(&format!("{}rl:{key}", self.key_prefix), window).await {
            Ok(counter) if counter.count > max => Verdict::Deny(counter.resets_in),
            Ok(_) => Verdict::Allow,
            Err(e) => {
                tracing::warn!(error = %e, "rate-limit cache unavailable; allowing the request");
                Verdict::Allow
            }
        }
    }

    /// The middleware.
    pub fn around<E: Endpoint + 'static>(
        self,
    ) -> impl Fn(Arc<E>, Request) -> std::pin::Pin<Box<dyn Future<Output = poem::Result<Response>> + Send>>
    + Send
    + Sync
    + 'static {
        move |ep: Arc<E>, mut req: Request| {
            let limiter = self.clone();
            Box::pin(async move {
                let peer = req.remote_addr().as_socket_addr().map(|a| a.ip());
                let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok()).map(str::to_owned);
                let ip = client::resolve(peer, forwarded.as_deref(), &limiter.trusted_proxies);
                if let Some(ip) = ip {
                    req.set_data(ClientIp(ip));
                }
                let path = req.uri().path().to_owned();
                if !limiter.settings.enabled || !path.starts_with("/api/") {
                    return ep.call(req).await.map(IntoResponse::into_response);
                }
                let client = ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
                let credential = CREDENTIAL_PATHS.iter().any(|p| path.starts_with(p));
                let max =
                    if credential { limiter.settings.max_credential_requests } else { limiter.settings.max_requests };
                let mut verdict = limiter.check(&format!("{client}|{path}"), max).await;
                if matches!(verdict, Verdict::Allow) && path.starts_with("/api/auth/sign-in") {
                    // Also per account, whatever the client address: slows
                    // credential stuffing spread over many IPs.
                    let body = req.take_body().into_bytes().await.unwrap_or_default();
                    let email = serde_json::from_slice::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v.get("email").and_then(|e| e.as_str()).map(str::to_lowercase));
                    req.set_body(body);
                    if let Some(email) = email {
                        verdict = limiter.check(&format!("email:{email}"), max).await;
                    }
                }
                match verdict {
                    Verdict::Allow => ep.call(req).await.map(IntoResponse::into_response),
                    Verdict::Deny(resets_in) => {
                        let seconds = resets_in.as_secs() + u64::from(resets_in.subsec_nanos() > 0);
                        let seconds = seconds.max(1);
                        let id = req.data::<RequestIdValue>().map(|r| r.0.clone());
                        let detail = format!("Too many requests. Please try again in {seconds} s.");
                        let mut resp =
                            problem_for_path(StatusCode::TOO_MANY_REQUESTS, Some(detail), id.as_deref(), &path);
                        let value = HeaderValue::from(seconds);
                        resp.headers_mut().insert("retry-after", value.clone());
                        resp.headers_mut().insert("x-retry-after", value);
                        Ok(resp)
                    }
                }
            })
        }
    }
}
