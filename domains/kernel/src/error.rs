//! Error policy.
//!
//! * Every port and use case returns an error enum whose variants a caller
//!   can act on; [`DomainError`] is the shared vocabulary they convert into
//!   at the HTTP edge, and it maps one-to-one onto RFC 9457 problem types.
//! * `Backend` is the opaque bucket for infrastructure failures: it keeps its
//!   cause for the log and is answered as a generic 500 that echoes nothing.
//! * `anyhow` is used only inside adapters, migrations, `main` and tests.

/// One invalid input field, reported back to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field (`lines[2].quantity`).
    pub field: String,
    /// What is wrong with it and what is allowed.
    pub message: String,
}

/// The errors a use case can end in; each maps to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The caller is not authenticated (401).
    #[error("authentication required: {detail}")]
    Unauthenticated {
        /// Why (missing token, expired session).
        detail: String,
    },
    /// The caller may not do this (403).
    #[error("forbidden: {detail}")]
    Forbidden {
        /// Which permission is missing.
        detail: String,
    },
    /// No such entity in the caller's organization (404).
    #[error("{entity} not found")]
    NotFound {
        /// The kind of entity (`order`).
        entity: String,
    },
    /// The request conflicts with the current state (409).
    #[error("conflict: {detail}")]
    Conflict {
        /// What conflicts.
        detail: String,
    },
    /// What the request would create already exists (409): the problem
    /// names the existing resources (`existing_ids`) so a client can open
    /// them, or repeat the request saying it means a duplicate.
    #[error("{detail}")]
    Duplicate {
        /// What matched and how to go ahead anyway.
        detail: String,
        /// The ids of the matching resources, best match first.
        existing: Vec<String>,
    },
    /// The request is well-formed but its values are not allowed (422).
    #[error("invalid input: {}", .errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid {
        /// One entry per offending field.
        errors: Vec<FieldError>,
    },
    /// The request is well-formed but breaks a business rule (422, type
    /// `urn:gremlin:problem:rule`): the problem names the rule, so a
    /// client can tell "not enough balance" from "overlaps another".
    #[error("{detail}")]
    Rule {
        /// The rule's stable name (`insufficient_balance`).
        rule: String,
        /// What broke it and what would pass.
        detail: String,
    },
    /// `If-Match` names a stale version (412).
    #[error("precondition failed: {detail}")]
    PreconditionFailed {
        /// What changed.
        detail: String,
    },
    /// A conditional header is required (428).
    #[error("precondition required: {detail}")]
    PreconditionRequired {
        /// Which header.
        detail: String,
    },
    /// Too many requests (429); retry after the given seconds.
    #[error("too many requests; retry in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until the window resets.
        retry_after_secs: u64,
    },
    /// A dependency is unavailable; retrying later may succeed (503).
    #[error("service unavailable: {detail}")]
    Unavailable {
        /// Which dependency.
        detail: String,
    },
    /// An unexpected failure (500); the cause is logged, never sent.
    #[error("internal error: {0:#}")]
    Backend(#[from] anyhow::Error),
}

impl DomainError {
    /// A 422 for one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { errors: vec![FieldError { field: field.into(), message: message.into() }] }
    }

    /// A 404 for an entity kind.
    pub fn not_found(entity: impl Into<String>) -> Self {
        Self::NotFound { entity: entity.into() }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthenticated { .. } => 401,
            Self::Forbidden { .. } => 403,
            Self::NotFound { .. } => 404,
            Self::Conflict { .. } | Self::Duplicate { .. } => 409,
            Self::Invalid { .. } | Self::Rule { .. } => 422,
            Self::PreconditionFailed { .. } => 412,
            Self::PreconditionRequired { .. } => 428,
            Self::RateLimited { .. } => 429,
            Self::Unavailable { .. } => 503,
            Self::Backend(_) => 500,
        }
    }
}
