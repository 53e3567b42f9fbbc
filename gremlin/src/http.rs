//! The HTTP edge shared by every domain: middleware, the problem+json
//! catch-all, and the operational endpoints.

pub mod body_limit;
pub mod body_schema;
pub mod metrics;
pub mod ops;
pub mod problem;
pub mod rate_limit;
pub mod request_id;
pub mod timeout;
