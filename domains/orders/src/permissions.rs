//! The permissions orders defines. Use cases name these constants, never
//! strings, and [`GRANTS`] registers every one of them, so a permission the
//! service checks is always one an organization's roles can hold.

use gremlin_kernel::{Grant, Permission};

/// Read orders.
pub const READ: Permission = Permission::declare("orders:read");
/// Create and edit drafts, place and delete them.
pub const WRITE: Permission = Permission::declare("orders:write");
/// Confirm, fulfil and cancel orders; set the numbering.
pub const MANAGE: Permission = Permission::declare("orders:manage");

/// Every orders permission with the roles holding it by default: members
/// read and write, admins and owners also manage.
pub const GRANTS: &[Grant] = &[
    Grant { permission: READ, roles: &["owner", "admin", "member"] },
    Grant { permission: WRITE, roles: &["owner", "admin", "member"] },
    Grant { permission: MANAGE, roles: &["owner", "admin"] },
];
