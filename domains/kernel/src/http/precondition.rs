//! Optimistic concurrency: reads answer an `ETag` naming the resource's
//! version (`"7"`), and every change must send it back in `If-Match`. The
//! extractor declares the header required, so the spec says what the 428
//! means before a client ever meets one.

use crate::error::DomainError;

/// The `ETag` of `version`: a strong tag holding the number (`"7"`).
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version an `If-Match` header names. Declare it as
/// `#[oai(name = "If-Match")] if_match: IfMatch`; the request is answered
/// 428 without the header and 412 when it names no version of ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub i64);

impl IfMatch {
    /// Parses a header value: `"7"`, `W/"7"` or `7`; 412 otherwise.
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        value.trim().trim_start_matches("W/").trim_matches('"').parse().map(Self).map_err(|_| {
            DomainError::PreconditionFailed {
                detail: format!("If-Match `{value}` does not name a version of this resource"),
            }
        })
    }

    /// The version the client last saw.
    pub fn version(self) -> i64 {
        self.0
    }
}

impl super::HeaderParam for IfMatch {
    const REQUIRED: bool = true;

    fn schema() -> poem_openapi::registry::MetaSchema {
        poem_openapi::registry::MetaSchema {
            description: Some(
                "The resource's ETag as last read (`\"7\"`; `W/\"7\"` and `7` are accepted too). Without it the \
                 change is refused with 428; with a version that is no longer current, 412.",
            ),
            example: Some(serde_json::json!("\"1\"")),
            ..poem_openapi::registry::MetaSchema::new("string")
        }
    }

    fn from_header(name: &str, value: Option<&str>) -> Result<Self, DomainError> {
        let value = value.ok_or_else(|| DomainError::PreconditionRequired {
            detail: format!("send {name} with the resource's ETag (from a read or the last change)"),
        })?;
        Self::parse(value)
    }
}

super::header_param!(IfMatch);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strong_weak_and_bare_versions_parse() {
        for value in ["\"7\"", "W/\"7\"", "7", " \"7\" "] {
            assert_eq!(IfMatch::parse(value).unwrap(), IfMatch(7), "{value}");
        }
        assert_eq!(IfMatch::parse(&etag(42)).unwrap().version(), 42);
    }

    #[test]
    fn anything_else_is_a_failed_precondition() {
        for value in ["*", "\"abc\"", "", "\"1\", \"2\""] {
            assert_eq!(IfMatch::parse(value).unwrap_err().status(), 412, "{value}");
        }
    }
}
