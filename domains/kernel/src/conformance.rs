//! Conformance suites: the behaviour every adapter of a port must show.
//! Adapter tests instantiate them with the macros below, giving an async
//! expression that yields a fresh adapter (or `(adapter, guard)`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "conformance suites are test code: a failed expectation must fail the test"
)]

use std::sync::Arc;

pub mod cache;
pub mod documents;
pub mod events;

/// What a suite's factory yields: the port, plus anything that must live
/// as long as the test (a temporary database).
pub trait PortFixture<P: ?Sized> {
    /// The port under test.
    fn port(&self) -> Arc<P>;
}

impl<P: ?Sized> PortFixture<P> for Arc<P> {
    fn port(&self) -> Arc<P> {
        Arc::clone(self)
    }
}

impl<P: ?Sized, G> PortFixture<P> for (Arc<P>, G) {
    fn port(&self) -> Arc<P> {
        Arc::clone(&self.0)
    }
}

/// A unique name for this test's keys and collections.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    ($port:ident, $suite:ident, $make:expr, [$($check:ident),* $(,)?]) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let fixture = $make.await;
                let port: std::sync::Arc<dyn $crate::$port> = $crate::conformance::PortFixture::port(&fixture);
                $crate::conformance::$suite::$check(port).await;
                drop(fixture);
            }
        )*
    };
}

/// Generates one test per `Cache` conformance check.
#[macro_export]
macro_rules! cache_conformance {
    ($make:expr) => {
        $crate::__conformance_tests!(
            Cache,
            cache,
            $make,
            [
                missing_key_is_none,
                set_then_get,
                set_replaces_value,
                get_many_reads_in_key_order,
                entries_expire,
                set_if_absent_stores_once,
                set_if_absent_is_atomic,
                set_if_absent_after_expiry,
                delete_reports_presence,
                increment_counts_within_window,
                increment_window_resets,
                concurrent_increments_are_atomic,
                ping_answers,
            ]
        );
    };
}

/// Generates one test per `EventBus` conformance check.
#[macro_export]
macro_rules! event_bus_conformance {
    ($make:expr) => {
        $crate::__conformance_tests!(
            EventBus,
            events,
            $make,
            [
                subscriber_receives_published_event,
                subscription_filters_by_type,
                events_are_kept_while_nobody_consumes,
                acked_event_is_not_redelivered,
                nack_redelivers_with_next_attempt,
                unacked_delivery_is_redelivered_after_ack_wait,
                durable_name_shares_work,
                separate_durables_each_get_every_event,
                duplicate_publish_is_delivered_once,
                gives_up_after_max_deliveries,
                ping_answers,
            ]
        );
    };
}

/// Generates one test per `DocumentStore` conformance check.
#[macro_export]
macro_rules! document_store_conformance {
    ($make:expr) => {
        $crate::__conformance_tests!(
            DocumentStore,
            documents,
            $make,
            [
                upsert_then_get,
                upsert_replaces,
                delete_reports_presence,
                find_filters_and_orders,
                collections_are_separate,
                invalid_names_are_rejected,
                bodies_must_be_objects,
                log_is_newest_first_and_filtered,
                log_pages_cover_everything_once,
                expired_log_entries_are_hidden,
                ping_answers,
            ]
        );
    };
}
