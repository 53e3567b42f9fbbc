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
