//! `Patch<T>`: a field of a partial update that may be absent (keep the
//! value), `null` (clear it) or a value (set it), documented as optional
//! and nullable in the OpenAPI document. poem-openapi's `MaybeUndefined`
//! reads the same three states but documents the field as not nullable,
//! so generated clients could not send the `null` that clears it.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::Value;

use crate::Nullable;

/// One field of a partial update.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// Absent: the value stays.
    #[default]
    Keep,
    /// `null`: the value is cleared.
    Clear,
    /// A value: it replaces the old one.
    Set(T),
}

impl<T> Patch<T> {
    /// The value after the patch, given the value before.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Self::Keep => current,
            Self::Clear => None,
            Self::Set(value) => Some(value),
        }
    }

    /// The value it sets, if it sets one.
    pub fn set_value(&self) -> Option<&T> {
        match self {
            Self::Set(value) => Some(value),
            _ => None,
        }
    }

    /// The patch with its value converted.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Self::Keep => Patch::Keep,
            Self::Clear => Patch::Clear,
            Self::Set(value) => Patch::Set(f(value)),
        }
    }

    /// The patch with its value converted by a conversion that may fail.
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Patch<U>, E> {
        Ok(match self {
            Self::Keep => Patch::Keep,
            Self::Clear => Patch::Clear,
            Self::Set(value) => Patch::Set(f(value)?),
        })
    }
}

impl<T: Type> Type for Patch<T> {
    const IS_REQUIRED: bool = false;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        format!("patch_{}", T::name()).into()
    }

    fn schema_ref() -> MetaSchemaRef {
        Nullable::<T>::schema_ref()
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

    fn is_none(&self) -> bool {
        matches!(self, Self::Keep)
    }
}

impl<T: ToJSON> ToJSON for Patch<T> {
    fn to_json(&self) -> Option<Value> {
        match self {
            Self::Keep => None,
            Self::Clear => Some(Value::Null),
            Self::Set(value) => value.to_json(),
        }
    }
}

impl<T: ParseFromJSON> ParseFromJSON for Patch<T> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            None => Ok(Self::Keep),
            Some(Value::Null) => Ok(Self::Clear),
            some => T::parse_from_json(some).map(Self::Set).map_err(ParseError::propagate),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_null_and_a_value_keep_clear_and_set() {
        assert_eq!(Patch::<i32>::parse_from_json(None).unwrap(), Patch::Keep);
        assert_eq!(Patch::<i32>::parse_from_json(Some(Value::Null)).unwrap(), Patch::Clear);
        assert_eq!(Patch::<i32>::parse_from_json(Some(Value::from(3))).unwrap(), Patch::Set(3));
        assert!(Patch::<i32>::parse_from_json(Some(Value::from("x"))).is_err());
        assert_eq!(
            (Patch::Keep.apply(Some(1)), Patch::Clear.apply(Some(1)), Patch::Set(2).apply(Some(1))),
            (Some(1), None, Some(2))
        );
        assert_eq!(Patch::<i32>::Keep.to_json(), None);
        assert_eq!(Patch::<i32>::Clear.to_json(), Some(Value::Null));
        let MetaSchemaRef::Inline(schema) = Patch::<String>::schema_ref() else { panic!("inline") };
        assert!(schema.nullable && !Patch::<String>::IS_REQUIRED);
    }
}
