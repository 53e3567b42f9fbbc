//! The SQL adapter: sea-orm entities for Better Auth's tables and the
//! repository implementing [`crate::ports::IdentityStore`].

mod admin;
mod api_keys;
mod deletion;
pub mod entities;
mod organizations;
mod roles;
mod shared;
mod sql;
mod two_factor;
mod verification;

pub use sql::SqlIdentityStore;
