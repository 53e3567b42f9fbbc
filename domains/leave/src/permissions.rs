//! The permissions leave management defines. Use cases name these
//! constants, never strings, and [`GRANTS`] registers every one of them.
//!
//! `leave:approve` lets a member named as someone's approver (on that
//! person's profile) see and decide that person's requests; `leave:manage`
//! decides anyone's.

use gremlin_kernel::{Grant, Permission};

/// See leave types, one's own requests, balances and ledger, and the
/// requests one approves.
pub const READ: Permission = Permission::declare("leave:read");
/// Ask for leave for oneself and cancel one's own requests.
pub const REQUEST: Permission = Permission::declare("leave:request");
/// As someone's approver: see their requests in one's queue and decide them.
pub const APPROVE: Permission = Permission::declare("leave:approve");
/// Leave types, profiles, allocations, anyone's requests and balances;
/// decide and cancel any request.
pub const MANAGE: Permission = Permission::declare("leave:manage");

/// Every leave permission with the roles holding it by default: members
/// read, request and approve (for those who name them approver), admins
/// and owners also manage.
pub const GRANTS: &[Grant] = &[
    Grant { permission: READ, roles: &["owner", "admin", "member"] },
    Grant { permission: REQUEST, roles: &["owner", "admin", "member"] },
    Grant { permission: APPROVE, roles: &["owner", "admin", "member"] },
    Grant { permission: MANAGE, roles: &["owner", "admin"] },
];
