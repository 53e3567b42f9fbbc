//! Typed list parameters every business list shares. Status filters and
//! sort keys are the domain's own enums; times are `OffsetDateTime` query
//! parameters (RFC 3339, `format: date-time` in the spec).

use poem_openapi::Enum;

/// Order of a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SortDirection {
    /// Smallest first.
    Asc,
    /// Largest (newest) first; the default.
    #[default]
    Desc,
}

impl SortDirection {
    /// Whether the list runs smallest first.
    pub fn is_ascending(self) -> bool {
        self == Self::Asc
    }
}
