//! Identity's rules, pure: no I/O, no storage types. Exhaustively unit-tested.

pub mod access;
pub mod admin;
pub mod api_key;
pub mod custom_role;
pub mod email;
pub mod id;
pub mod invitation;
pub mod organization;
pub mod password;
pub mod profile;
pub mod records;
pub mod session;
pub mod statements;
pub mod two_factor;

pub use api_key::ApiKey;
pub use custom_role::CustomRole;
pub use email::EmailAddress;
pub use organization::{Member, OrgAction, OrgRole, Organization, Roles};
pub use password::NewPassword;
pub use records::{Session, User};
pub use session::{SessionPolicy, SessionTiming};
