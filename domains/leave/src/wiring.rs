//! Wiring leave to a process: the SQL store, the service (members checked
//! through the verifier's member directory), the API, and the consumer
//! closing the profiles of members who leave.

use gremlin_kernel::{Consumer, DomainPorts, SubscriptionSpec, Wiring};

use crate::events::{MEMBER_REMOVED, MEMBERS_CONSUMER};
use crate::service::LeaveService;
use crate::store::SqlLeave;

/// The leave API and consumer on `ports`.
pub(crate) fn wire(ports: &DomainPorts) -> anyhow::Result<Wiring> {
    let service = LeaveService::new(SqlLeave::new(ports.db.clone()), ports.members.clone());
    let api = crate::api::apis(service.clone(), ports.idempotency.clone());
    let consumer = Consumer::new(SubscriptionSpec::new(MEMBERS_CONSUMER, &[MEMBER_REMOVED.event_type]), move |event| {
        let service = service.clone();
        async move { service.member_left(&event).await }
    });
    Ok(Wiring { api: Box::new(api), consumers: vec![consumer] })
}
