//! The events identity publishes (through the outbox). Consumers in other
//! domains key on `type`; `data` carries what they need without a lookup.

use gremlin_kernel::EventEnvelope;

use crate::DOMAIN;
use crate::model::User;

/// `identity.user.created`: a user signed up or was created by an admin.
pub fn user_created(user: &User) -> EventEnvelope {
    EventEnvelope::new(
        "identity.user.created",
        DOMAIN,
        None,
        user.id.clone(),
        serde_json::json!({ "user_id": user.id, "email": user.email, "name": user.name, "role": user.role }),
    )
}
