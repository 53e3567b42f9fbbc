//! Times as Better Auth sends them: ISO 8601 in UTC with milliseconds
//! (`2026-11-27T16:58:01.118Z`, JavaScript's `Date.toISOString()`), and
//! documented as what they are — `type: string, format: date-time` — so
//! generated clients hand their users dates, not strings.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// A point in time, written with millisecond precision in UTC; any RFC 3339
/// time is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub OffsetDateTime);

impl Timestamp {
    /// The time as Better Auth writes it: `2026-11-27T16:58:01.118Z`.
    pub fn to_iso(self) -> String {
        let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
        self.0.to_offset(time::UtcOffset::UTC).format(&format).unwrap_or_default()
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(t: OffsetDateTime) -> Self {
        Self(t)
    }
}

impl Type for Timestamp {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_date-time".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "date-time")))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ToJSON for Timestamp {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.to_iso()))
    }
}

impl ParseFromJSON for Timestamp {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(text) => Ok(Self(OffsetDateTime::parse(&text, &Rfc3339)?)),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_iso())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_like_javascript_read_as_rfc_3339() {
        let t = Timestamp(OffsetDateTime::from_unix_timestamp_nanos(1_764_262_681_118_999_000).unwrap());
        assert_eq!(t.to_iso(), "2025-11-27T16:58:01.118Z");
        assert_eq!(t.to_json(), Some(Value::String("2025-11-27T16:58:01.118Z".into())));
        assert_eq!(serde_json::to_value(t).unwrap(), Value::String("2025-11-27T16:58:01.118Z".into()));
        let parsed = Timestamp::parse_from_json(Some(Value::String("2025-11-27T17:58:01.118+01:00".into()))).unwrap();
        assert_eq!(parsed.to_iso(), "2025-11-27T16:58:01.118Z");
        assert!(Timestamp::parse_from_json(Some(Value::from(5))).is_err());
    }
}
