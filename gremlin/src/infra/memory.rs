//! In-process adapters for the embedded default: nothing to install, state
//! lost on restart (the outbox keeps events durable until published).

mod cache;
mod events;

pub use cache::MemoryCache;
pub use events::{MAX_PENDING_PER_GROUP, MemoryEventBus};
