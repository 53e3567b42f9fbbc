//! The port conformance suites on every adapter: the embedded ones and the
//! production ones (Redis at `GREMLIN_TEST_REDIS_URL`, NATS JetStream at
//! `GREMLIN_TEST_NATS_URL`, MongoDB at `GREMLIN_TEST_MONGODB_URL`), each
//! test on its own keys, stream or database.

use std::sync::Arc;

use gremlin::infra::memory::{MemoryCache, MemoryEventBus};
use gremlin::infra::sql::SqlDocumentStore;
use gremlin_kernel::{Cache, DocumentStore, EventBus};

use crate::support::{Backend, TestApp};

mod memory_cache {
    use super::*;
    async fn make() -> Arc<dyn Cache> {
        Arc::new(MemoryCache::new())
    }
    gremlin_kernel::cache_conformance!(make());
}

mod redis_cache {
    use super::*;
    async fn make() -> Arc<dyn Cache> {
        Arc::new(
            gremlin::infra::redis::RedisCache::connect(&crate::support::redis_url(), 2)
                .await
                .expect("Redis for the cache conformance suite"),
        )
    }
    gremlin_kernel::cache_conformance!(make());
}

mod memory_event_bus {
    use super::*;
    async fn make() -> Arc<dyn EventBus> {
        Arc::new(MemoryEventBus::new())
    }
    gremlin_kernel::event_bus_conformance!(make());

    #[tokio::test]
    async fn a_group_that_falls_behind_refuses_rather_than_grows() {
        use gremlin::infra::memory::MAX_PENDING_PER_GROUP;
        use gremlin_kernel::{EventBusError, EventEnvelope, SubscriptionSpec};
        let bus = MemoryEventBus::new();
        let mut sub = bus.subscribe(&SubscriptionSpec::new("slow", &["t.*"])).await.unwrap();
        let event = || EventEnvelope::new("t.x", "tests", None, "s", serde_json::json!({}));
        for _ in 0..MAX_PENDING_PER_GROUP {
            bus.publish(&event()).await.unwrap();
        }
        let refused = event();
        assert!(matches!(bus.publish(&refused).await, Err(EventBusError::Unavailable(_))));
        // Once the consumer catches up by one, the same event is accepted:
        // the refusal did not mark it as a duplicate.
        sub.next().await.unwrap().ack().await.unwrap();
        bus.publish(&refused).await.unwrap();
        let mut last = None;
        for _ in 0..MAX_PENDING_PER_GROUP {
            let delivery = sub.next().await.unwrap();
            last = Some(delivery.event.id);
            delivery.ack().await.unwrap();
        }
        assert_eq!(last, Some(refused.id), "the retried event was delivered last");
    }
}

mod nats_event_bus {
    use super::*;
    use crate::support::TestStream;
    async fn make() -> (Arc<dyn EventBus>, TestStream) {
        let stream = TestStream::new();
        (Arc::new(stream.bus().await), stream)
    }
    gremlin_kernel::event_bus_conformance!(make());
}

async fn sql_documents(backend: Backend) -> (Arc<dyn DocumentStore>, TestApp) {
    let t = TestApp::new(backend).await;
    (Arc::new(SqlDocumentStore::new(t.app.adapters.db.clone())), t)
}

mod sql_documents_sqlite {
    use super::*;
    gremlin_kernel::document_store_conformance!(sql_documents(Backend::Sqlite));
}

mod sql_documents_postgres {
    use super::*;
    gremlin_kernel::document_store_conformance!(sql_documents(Backend::Postgres));
}

mod mongo_documents {
    use super::*;
    use crate::support::TestMongo;
    async fn make() -> (Arc<dyn DocumentStore>, TestMongo) {
        let db = TestMongo::new();
        (Arc::new(db.store().await), db)
    }
    gremlin_kernel::document_store_conformance!(make());
}
