//! The permissions invoices defines. Use cases name these constants, never
//! strings, and [`GRANTS`] registers every one of them.

use gremlin_kernel::{Grant, Permission};

/// Read invoices, payments and credit notes.
pub const READ: Permission = Permission::declare("invoices:read");
/// Create, edit and delete drafts.
pub const WRITE: Permission = Permission::declare("invoices:write");
/// Finalize, void, mark uncollectible, record and refund payments, issue
/// and void credit notes, change the settings.
pub const MANAGE: Permission = Permission::declare("invoices:manage");

/// Every invoices permission with the roles holding it by default: members
/// read and write drafts, admins and owners also manage.
pub const GRANTS: &[Grant] = &[
    Grant { permission: READ, roles: &["owner", "admin", "member"] },
    Grant { permission: WRITE, roles: &["owner", "admin", "member"] },
    Grant { permission: MANAGE, roles: &["owner", "admin"] },
];
