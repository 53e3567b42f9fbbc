//! Identity's error body: RFC 9457 problem details plus Better Auth's
//! `code` and `message`.

use gremlin_kernel::problem::describe;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

use crate::error::AuthError;

/// A problem+json body with Better Auth's fields.
#[derive(Debug, Clone, Object)]
pub struct AuthProblem {
    /// Stable problem type URI (`urn:gremlin:problem:auth:<code>`).
    #[oai(rename = "type")]
    pub problem_type: String,
    /// Short summary of the status.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What went wrong.
    pub detail: String,
    /// The request id, to quote when reporting the problem.
    #[oai(skip_serializing_if_is_none)]
    pub instance: Option<String>,
    /// Better Auth's machine code (`INVALID_EMAIL_OR_PASSWORD`, `VALIDATION_ERROR`, …).
    pub code: crate::error::ErrorCode,
    /// Better Auth's human message (same as `detail`).
    pub message: String,
}

/// The error half of every identity endpoint.
#[derive(Debug, ApiResponse)]
pub enum AuthProblemResponse {
    /// Invalid input.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<AuthProblem>),
    /// Not authenticated, or wrong credentials.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<AuthProblem>),
    /// Not allowed (untrusted origin, banned user).
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<AuthProblem>),
    /// No such user.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<AuthProblem>),
    /// The body is not JSON.
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<AuthProblem>),
    /// Conflicts with existing data (e-mail taken).
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<AuthProblem>),
    /// Rate limited; retry after `Retry-After` seconds.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<AuthProblem>),
    /// Unexpected failure; logged.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<AuthProblem>),
    /// At capacity (password hashing or database connections); retry after
    /// `Retry-After` seconds.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<AuthProblem>, #[oai(header = "Retry-After")] u64),
}

impl From<AuthError> for AuthProblemResponse {
    fn from(err: AuthError) -> Self {
        if let AuthError::Backend(cause) = &err {
            tracing::error!(error = format!("{cause:#}"), "identity request failed");
        }
        let status = err.status();
        let retry_after = match &err {
            AuthError::Busy { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let message = err.client_message();
        let problem = Json(AuthProblem {
            problem_type: format!(
                "urn:gremlin:problem:auth:{}",
                err.code().as_str().to_ascii_lowercase().replace('_', "-")
            ),
            title: describe(status).1.to_owned(),
            status,
            detail: message.clone(),
            instance: None,
            code: err.code(),
            message,
        });
        match status {
            400 => Self::BadRequest(problem),
            401 => Self::Unauthorized(problem),
            403 => Self::Forbidden(problem),
            404 => Self::NotFound(problem),
            422 => Self::Unprocessable(problem),
            429 => Self::TooManyRequests(problem),
            503 => Self::Unavailable(problem, retry_after.unwrap_or(1)),
            _ => Self::Internal(problem),
        }
    }
}
