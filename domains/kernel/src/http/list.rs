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

/// Declares the page schema of a list, the shape every business list
/// answers with: `items`, `next_cursor` (null on the last page) and
/// `has_more`, plus its conversion from the store's [`Page`](crate::Page).
/// Each list gets its own named schema (`OrderPage`) so generated clients
/// read naturally; attributes (docs, `#[oai(example)]`) pass through.
///
/// ```ignore
/// gremlin_kernel::page_dto! {
///     /// A page of orders.
///     #[oai(example)]
///     pub struct OrderPage of OrderDto from Order;
///     /// Orders with their lines.
///     items
/// }
/// ```
#[macro_export]
macro_rules! page_dto {
    ($(#[$attr:meta])* $vis:vis struct $name:ident of $dto:ident from $model:ty; #[doc = $items:literal] items) => {
        #[derive(Debug, Clone, poem_openapi::Object)]
        $(#[$attr])*
        $vis struct $name {
            #[doc = $items]
            pub items: Vec<$dto>,
            /// Pass as `cursor` for the next page; null on the last.
            pub next_cursor: $crate::Nullable<String>,
            /// Whether another page follows.
            pub has_more: bool,
        }

        impl From<$crate::Page<$model>> for $name {
            fn from(page: $crate::Page<$model>) -> Self {
                Self {
                    items: page.items.iter().map($dto::from).collect(),
                    next_cursor: page.next_cursor.into(),
                    has_more: page.has_more,
                }
            }
        }
    };
}
