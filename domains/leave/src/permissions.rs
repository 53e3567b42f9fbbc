//! The permissions leave management defines. Use cases name these
//! constants, never strings, and [`GRANTS`] registers every one of them.
//!
//! Deciding is not a permission of its own: a member named as someone's
//! approver decides that person's requests; `leave:manage` decides anyone's.

use gremlin_kernel::{Grant, Permission};

/// See leave types, one's own requests, balances and ledger, and the
/// requests one approves.
pub const READ: Permission = Permission::declare("leave:read");
/// Ask for leave for oneself and cancel one's own requests.
pub const REQUEST: Permission = Permission::declare("leave:request");
/// Leave types, profiles, allocations, anyone's requests and balances;
/// decide and cancel any request.
pub const MANAGE: Permission = Permission::declare("leave:manage");

/// Every leave permission with the roles holding it by default: members
/// read and request, admins and owners also manage.
pub const GRANTS: &[Grant] = &[
    Grant { permission: READ, roles: &["owner", "admin", "member"] },
    Grant { permission: REQUEST, roles: &["owner", "admin", "member"] },
    Grant { permission: MANAGE, roles: &["owner", "admin"] },
];
