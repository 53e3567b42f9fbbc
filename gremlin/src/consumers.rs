//! Event consumers running beside the server: each holds a durable
//! subscription and a handler; a delivery is acknowledged after the handler
//! succeeds and negatively acknowledged (redelivered) when it fails.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

pub use gremlin_kernel::domain::{Consumer, Handler};
use gremlin_kernel::{Delivery, EventBus};

/// Runs `consumer` on `bus` until `shutdown` resolves; resubscribes with
/// back-off when the bus fails.
pub async fn run(bus: Arc<dyn EventBus>, consumer: Consumer, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    let mut backoff = Duration::from_millis(100);
    loop {
        let mut subscription = tokio::select! {
            () = &mut shutdown => return,
            sub = bus.subscribe(&consumer.spec) => match sub {
                Ok(sub) => sub,
                Err(e) => {
                    tracing::warn!(durable = %consumer.spec.durable_name, error = %e, "subscribing failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                    continue;
                }
            },
        };
        backoff = Duration::from_millis(100);
        loop {
            let delivery = tokio::select! {
                () = &mut shutdown => return,
                next = subscription.next() => next,
            };
            let delivery = match delivery {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(durable = %consumer.spec.durable_name, error = %e, "subscription failed; resubscribing");
                    break;
                }
            };
            observe(&consumer.spec.durable_name, &delivery);
            match (consumer.handler)(delivery.event.clone()).await {
                Ok(()) => {
                    if let Err(e) = delivery.ack().await {
                        tracing::warn!(error = %e, "ack failed; the event will be redelivered");
                    }
                }
                Err(e) => {
                    tracing::warn!(event_id = %delivery.event.id, error = format!("{e:#}"), "handler failed; asking for redelivery");
                    let _ = delivery.nack().await;
                }
            }
        }
    }
}

/// Records `consumer_lag` (events still waiting) and
/// `event_redeliveries_total` for one delivery.
fn observe(durable: &str, delivery: &Delivery) {
    if let Some(pending) = delivery.pending {
        metrics::gauge!("consumer_lag", "consumer" => durable.to_owned()).set(pending as f64);
    }
    if delivery.attempt > 1 {
        metrics::counter!("event_redeliveries_total", "consumer" => durable.to_owned()).increment(1);
    }
}
