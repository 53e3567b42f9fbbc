//! RFC 9457 problem details: the one error body every endpoint answers with.

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

use crate::error::DomainError;

/// Media type of every error response.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error response body (RFC 9457).
#[derive(Debug, Clone, PartialEq, Eq, Object, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// A stable URI naming the kind of problem, such as `urn:gremlin:problem:not-found`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, and what to do about it.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request id, to quote when reporting the problem.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// One entry per invalid field, for validation problems.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemField>>,
    /// The existing resources a create would duplicate (type
    /// `urn:gremlin:problem:duplicate`), best match first.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_ids: Option<Vec<String>>,
    /// The business rule a request broke (type `urn:gremlin:problem:rule`),
    /// a stable name such as `insufficient_balance`.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// One invalid field of a validation problem.
#[derive(Debug, Clone, PartialEq, Eq, Object, serde::Serialize, serde::Deserialize)]
pub struct ProblemField {
    /// The field, as a JSON path (`lines[2].quantity`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl Problem {
    /// The problem for an HTTP status, with the house type URI and title.
    pub fn for_status(status: u16, detail: impl Into<Option<String>>) -> Self {
        let (slug, title) = describe(status);
        Self {
            problem_type: format!("urn:gremlin:problem:{slug}"),
            title: title.to_owned(),
            status,
            detail: detail.into(),
            instance: None,
            errors: None,
            existing_ids: None,
            rule: None,
        }
    }
}

/// Type slug and title of each status Gremlin answers with.
pub fn describe(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => ("bad-request", "Bad request"),
        401 => ("unauthenticated", "Authentication required"),
        403 => ("forbidden", "Forbidden"),
        404 => ("not-found", "Not found"),
        405 => ("method-not-allowed", "Method not allowed"),
        406 => ("not-acceptable", "Not acceptable"),
        409 => ("conflict", "Conflict"),
        412 => ("precondition-failed", "Precondition failed"),
        413 => ("payload-too-large", "Payload too large"),
        415 => ("unsupported-media-type", "Unsupported media type"),
        422 => ("validation", "Invalid input"),
        428 => ("precondition-required", "Precondition required"),
        429 => ("rate-limited", "Too many requests"),
        503 => ("unavailable", "Service unavailable"),
        504 => ("timeout", "Request timed out"),
        s if s >= 500 => ("internal", "Internal server error"),
        _ => ("client-error", "Client error"),
    }
}

impl From<&DomainError> for Problem {
    fn from(err: &DomainError) -> Self {
        let status = err.status();
        let detail = match err {
            // Never echo an internal cause to the client.
            DomainError::Backend(_) => "an unexpected error occurred; it has been logged".to_owned(),
            DomainError::NotFound { entity } => format!("no {entity} with this id in this organization"),
            other => other.to_string(),
        };
        let mut problem = Problem::for_status(status, detail);
        if let DomainError::Invalid { errors } = err {
            problem.errors = Some(
                errors.iter().map(|e| ProblemField { field: e.field.clone(), message: e.message.clone() }).collect(),
            );
        }
        if let DomainError::Rule { rule, .. } = err {
            problem.problem_type = "urn:gremlin:problem:rule".to_owned();
            problem.title = "Rule not met".to_owned();
            problem.rule = Some(rule.clone());
        }
        if let DomainError::Duplicate { existing, .. } = err {
            problem.problem_type = "urn:gremlin:problem:duplicate".to_owned();
            problem.title = "Duplicate".to_owned();
            problem.existing_ids = Some(existing.clone());
        }
        problem
    }
}

/// The error half of every endpoint's `Result`: each status an endpoint can
/// fail with, all as `application/problem+json`.
#[derive(Debug, ApiResponse)]
pub enum ProblemResponse {
    /// Malformed request.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// Not authenticated.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthenticated(Json<Problem>),
    /// Authenticated but not allowed.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// The body's media type is not accepted.
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// Not found in the caller's organization.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// Conflicts with the current state.
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// `If-Match` names a stale version.
    #[oai(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Json<Problem>),
    /// Values not allowed.
    #[oai(status = 422, content_type = "application/problem+json")]
    Invalid(Json<Problem>),
    /// A conditional header is missing.
    #[oai(status = 428, content_type = "application/problem+json")]
    PreconditionRequired(Json<Problem>),
    /// Rate limited.
    #[oai(status = 429, content_type = "application/problem+json")]
    RateLimited(Json<Problem>, #[oai(header = "Retry-After")] u64),
    /// Unexpected failure.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// A dependency is down or at capacity; retry after `Retry-After` seconds.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>, #[oai(header = "Retry-After")] u64),
}

impl From<DomainError> for ProblemResponse {
    fn from(err: DomainError) -> Self {
        let problem = Json(Problem::from(&err));
        match err {
            DomainError::Unauthenticated { .. } => Self::Unauthenticated(problem),
            DomainError::Forbidden { .. } => Self::Forbidden(problem),
            DomainError::NotFound { .. } => Self::NotFound(problem),
            DomainError::Conflict { .. } | DomainError::Duplicate { .. } => Self::Conflict(problem),
            DomainError::Invalid { .. } | DomainError::Rule { .. } => Self::Invalid(problem),
            DomainError::PreconditionFailed { .. } => Self::PreconditionFailed(problem),
            DomainError::PreconditionRequired { .. } => Self::PreconditionRequired(problem),
            DomainError::RateLimited { retry_after_secs } => Self::RateLimited(problem, retry_after_secs),
            DomainError::Unavailable { .. } => {
                Self::Unavailable(problem, crate::overload::UNAVAILABLE_RETRY_AFTER_SECS)
            }
            DomainError::Backend(cause) if let Some(secs) = crate::overload::retry_after(&cause) => {
                crate::overload::record_pool_timeout(&cause);
                let detail = "the server is at capacity (all database connections were busy); retry shortly".to_owned();
                Self::Unavailable(Json(Problem::for_status(503, detail)), secs)
            }
            DomainError::Backend(cause) => {
                tracing::error!(error = format!("{cause:#}"), "unexpected error");
                Self::Internal(problem)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_domain_error_maps_to_its_status_and_type() {
        let cases: Vec<(DomainError, u16, &str)> = vec![
            (DomainError::Unauthenticated { detail: "x".into() }, 401, "unauthenticated"),
            (DomainError::Forbidden { detail: "x".into() }, 403, "forbidden"),
            (DomainError::not_found("order"), 404, "not-found"),
            (DomainError::Conflict { detail: "x".into() }, 409, "conflict"),
            (DomainError::Duplicate { detail: "x".into(), existing: vec!["a".into()] }, 409, "duplicate"),
            (DomainError::invalid("name", "too long"), 422, "validation"),
            (DomainError::Rule { rule: "overlap".into(), detail: "x".into() }, 422, "rule"),
            (DomainError::PreconditionFailed { detail: "x".into() }, 412, "precondition-failed"),
            (DomainError::PreconditionRequired { detail: "x".into() }, 428, "precondition-required"),
            (DomainError::RateLimited { retry_after_secs: 3 }, 429, "rate-limited"),
            (DomainError::Unavailable { detail: "x".into() }, 503, "unavailable"),
            (DomainError::Backend(anyhow::anyhow!("password=hunter2")), 500, "internal"),
        ];
        for (err, status, slug) in cases {
            let p = Problem::from(&err);
            assert_eq!(p.status, status);
            assert_eq!(p.problem_type, format!("urn:gremlin:problem:{slug}"));
        }
    }

    #[test]
    fn an_exhausted_pool_is_503_with_retry_after() {
        let err = DomainError::Backend(anyhow::Error::new(sea_orm::DbErr::ConnectionAcquire(
            sea_orm::ConnAcquireErr::Timeout,
        )));
        match ProblemResponse::from(err) {
            ProblemResponse::Unavailable(problem, secs) => {
                assert_eq!((problem.0.status, secs), (503, crate::overload::POOL_EXHAUSTED_RETRY_AFTER_SECS));
                assert!(problem.0.detail.unwrap_or_default().contains("retry"));
            }
            other => panic!("expected 503, got {other:?}"),
        }
    }

    #[test]
    fn backend_errors_echo_nothing_internal() {
        let p = Problem::from(&DomainError::Backend(anyhow::anyhow!("password=hunter2")));
        assert!(!p.detail.unwrap_or_default().contains("hunter2"));
    }

    #[test]
    fn validation_problems_list_fields() {
        let p = Problem::from(&DomainError::invalid("lines[0].quantity", "must be positive"));
        let errors = p.errors.unwrap();
        assert_eq!(errors[0].field, "lines[0].quantity");
        let json = serde_json::to_value(Problem::for_status(404, None)).unwrap();
        assert!(json.get("detail").is_none() && json.get("errors").is_none());
        assert_eq!(json["type"], "urn:gremlin:problem:not-found");
    }
}
