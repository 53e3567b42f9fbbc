//! Writing timeline lines (`crm_timeline`) in a change's transaction.

use anyhow::Context;
use gremlin_kernel::OrganizationId;
use gremlin_kernel::sql::{execute, micros};
use sea_orm::ConnectionTrait;

use crate::ports::TimelineEntry;

/// Inserts `entries` for `organization`.
pub(crate) async fn append(
    conn: &impl ConnectionTrait,
    organization: &OrganizationId,
    entries: &[TimelineEntry],
) -> anyhow::Result<()> {
    const SQL: &str = "INSERT INTO crm_timeline \
        (id, organization_id, record_kind, record_id, kind, occurred_at_us, actor, data) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    for entry in entries {
        let values = vec![
            entry.id.to_string().into(),
            organization.as_str().into(),
            entry.record_kind.as_str().into(),
            entry.record_id.to_string().into(),
            entry.kind.as_str().into(),
            micros(entry.occurred_at).into(),
            entry.actor.as_str().into(),
            entry.data.to_string().into(),
        ];
        execute(conn, SQL, values).await.context("writing a timeline entry")?;
    }
    Ok(())
}
