//! Identifier newtypes. Organization and user ids are opaque strings because
//! Better Auth databases use text ids of their own making; every entity a
//! Gremlin domain creates uses a UUIDv7 (time-ordered, index-friendly).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The tenant: an organization's id as identity stores it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrganizationId(String);

/// A user's id as identity stores it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(String);

macro_rules! opaque_id {
    ($name:ident) => {
        impl $name {
            /// Wraps an id issued by identity.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as text, for queries and headers.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

opaque_id!(OrganizationId);
opaque_id!(UserId);

/// Declares a UUIDv7 entity id newtype (`entity_id!(OrderId)`), so ids of
/// different entities cannot be mixed up.
#[macro_export]
macro_rules! entity_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A new time-ordered id.
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }
    };
}

entity_id!(
    /// An event's id; also the de-duplication key on the bus.
    EventId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_ids_are_v7_and_ordered() {
        let a = EventId::generate();
        let b = EventId::generate();
        assert_eq!(a.0.get_version_num(), 7);
        assert!(a < b);
        assert_eq!(a.to_string().parse::<EventId>().ok(), Some(a));
        assert!("not-a-uuid".parse::<EventId>().is_err());
    }

    #[test]
    fn opaque_ids_keep_their_text() {
        let org = OrganizationId::new("org_abc");
        assert_eq!(org.as_str(), "org_abc");
        assert_eq!(serde_json::to_string(&org).ok().as_deref(), Some("\"org_abc\""));
    }
}
