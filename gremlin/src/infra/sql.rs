//! Adapters over the SQL database itself.

mod documents;

pub use documents::SqlDocumentStore;
