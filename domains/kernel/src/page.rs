//! Cursor pagination: a page of items and an opaque cursor for the next one.

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::error::DomainError;

/// A page of a stable-ordered list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items, in the list's order.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Whether more items follow (exactly when `next_cursor` is set).
    pub has_more: bool,
}

impl<T> Page<T> {
    /// A page from rows fetched `limit + 1` at a time in list order, each
    /// item with its sort key: the extra row only says that more exist, and
    /// the cursor is the key of the last item kept.
    pub fn from_overfetch<K: Serialize>(mut keyed: Vec<(T, K)>, limit: usize) -> Result<Self, DomainError> {
        let has_more = keyed.len() > limit;
        keyed.truncate(limit);
        let next_cursor = match keyed.last() {
            Some((_, key)) if has_more => Some(Cursor::encode(key)?),
            _ => None,
        };
        Ok(Page { items: keyed.into_iter().map(|(item, _)| item).collect(), next_cursor, has_more })
    }
}

/// An opaque cursor: the sort key of the last item seen, as URL-safe hex of
/// its JSON. Opaque to clients so the key can change without breaking them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(String);

impl Cursor {
    /// Encodes a sort key.
    pub fn encode<K: Serialize>(key: &K) -> Result<String, DomainError> {
        let json = serde_json::to_vec(key).map_err(|e| DomainError::Backend(e.into()))?;
        Ok(json.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Decodes a cursor given by a client; fails with a 422 on `cursor` when
    /// it was not produced by [`Cursor::encode`] for this key type.
    pub fn decode<K: DeserializeOwned>(cursor: &str) -> Result<K, DomainError> {
        let invalid = || DomainError::invalid("cursor", "not a cursor returned by this list; start again without it");
        if !cursor.len().is_multiple_of(2) || cursor.len() > 2048 {
            return Err(invalid());
        }
        let bytes = (0..cursor.len())
            .step_by(2)
            .map(|i| cursor.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(invalid)?;
        serde_json::from_slice(&bytes).map_err(|_| invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overfetched_row_yields_the_cursor_of_the_last_item_kept() {
        let page = Page::from_overfetch(vec![("a", 1), ("b", 2), ("c", 3)], 2).unwrap();
        assert_eq!(page.items, ["a", "b"]);
        assert!(page.has_more);
        assert_eq!(Cursor::decode::<i32>(&page.next_cursor.unwrap()).unwrap(), 2);
        let last = Page::from_overfetch(vec![("a", 1), ("b", 2)], 2).unwrap();
        assert_eq!((last.items, last.next_cursor), (vec!["a", "b"], None));
        let empty = Page::<&str>::from_overfetch(Vec::<(&str, i32)>::new(), 2).unwrap();
        assert!(empty.items.is_empty() && empty.next_cursor.is_none() && !empty.has_more);
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let key = ("2026-11-27T10:00:00Z".to_owned(), 42u64);
        let c = Cursor::encode(&key).unwrap();
        assert_eq!(Cursor::decode::<(String, u64)>(&c).unwrap(), key);
        for bad in ["zz", "abc", "7b7d", ""] {
            assert_eq!(Cursor::decode::<(String, u64)>(bad).unwrap_err().status(), 422, "{bad}");
        }
    }
}
