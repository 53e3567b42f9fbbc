//! `Nullable<T>`: a value that is always present in JSON and may be `null`,
//! documented as such (`nullable: true`) in the OpenAPI document.
//! poem-openapi's `Option<T>` documents "may be absent" but not "may be
//! null", which misleads generated clients and schema checkers.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::Value;

/// A required field whose value may be `null`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Nullable<T>(pub Option<T>);

impl<T> From<Option<T>> for Nullable<T> {
    fn from(value: Option<T>) -> Self {
        Self(value)
    }
}

impl<T: Type> Type for Nullable<T> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        format!("nullable_{}", T::name()).into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let schema = match T::schema_ref() {
            MetaSchemaRef::Inline(inner) => MetaSchema { nullable: true, ..*inner },
            reference @ MetaSchemaRef::Reference(_) => {
                MetaSchema { nullable: true, all_of: vec![reference], ..MetaSchema::ANY }
            }
        };
        MetaSchemaRef::Inline(Box::new(schema))
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl<T: ToJSON> ToJSON for Nullable<T> {
    fn to_json(&self) -> Option<Value> {
        Some(self.0.as_ref().and_then(ToJSON::to_json).unwrap_or(Value::Null))
    }
}

impl<T: ParseFromJSON> ParseFromJSON for Nullable<T> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            None | Some(Value::Null) => Ok(Self(None)),
            some => T::parse_from_json(some).map(|v| Self(Some(v))).map_err(ParseError::propagate),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_and_values_round_trip_and_the_schema_is_nullable() {
        assert_eq!(Nullable::<String>(None).to_json(), Some(Value::Null));
        assert_eq!(Nullable(Some("x".to_owned())).to_json(), Some(Value::from("x")));
        assert_eq!(Nullable::<String>::parse_from_json(Some(Value::Null)).unwrap(), Nullable(None));
        assert_eq!(Nullable::<i32>::parse_from_json(Some(Value::from(3))).unwrap(), Nullable(Some(3)));
        let MetaSchemaRef::Inline(schema) = Nullable::<String>::schema_ref() else { panic!("inline") };
        assert!(schema.nullable);
        assert_eq!(schema.ty, "string");
    }
}
