//! The success answers every domain gives alike: a resource with its ETag,
//! a created one with its ETag and address, and a deletion's empty 204. A
//! domain returns these rather than declaring its own copies, so the spec
//! describes them the same way everywhere.

use poem_openapi::ApiResponse;
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;

use super::etag;

/// A resource with its version as the `ETag` (send it back in `If-Match`).
#[derive(Debug, ApiResponse)]
pub enum Tagged<T: ToJSON> {
    /// The resource.
    #[oai(status = 200)]
    Ok(Json<T>, #[oai(header = "ETag")] String),
}

impl<T: ToJSON> Tagged<T> {
    /// `body` at `version`.
    pub fn at(body: T, version: i64) -> Self {
        Self::Ok(Json(body), etag(version))
    }
}

/// A created resource.
#[derive(Debug, ApiResponse)]
pub enum Created<T: ToJSON> {
    /// Created (or, for a repeated `Idempotency-Key`, what it created).
    #[oai(status = 201)]
    Created(Json<T>, #[oai(header = "ETag")] String, #[oai(header = "Location")] String),
}

impl<T: ToJSON> Created<T> {
    /// `body` at `version`, found at `location`.
    pub fn at(body: T, version: i64, location: String) -> Self {
        Self::Created(Json(body), etag(version), location)
    }
}

/// A deletion.
#[derive(Debug, ApiResponse)]
pub enum Deleted {
    /// Deleted; nothing to return.
    #[oai(status = 204)]
    Deleted,
}
