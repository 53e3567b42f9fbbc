//! Identity: users, sessions, organizations, members, invitations, roles and
//! service JWTs, compatible with Better Auth's API and tables.
//!
//! The only writer of users, organizations, members and sessions. It may
//! depend on the kernel, never on a business domain. Its endpoints and
//! tables arrive with the identity issue; the foundation only reserves the
//! crate so the workspace layout and the `identity` feature are in place.

/// The name of this domain, as used by `--domains` and event sources.
pub const DOMAIN: &str = "identity";
