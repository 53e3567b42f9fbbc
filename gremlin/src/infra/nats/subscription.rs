//! A durable pull consumer as a [`Subscription`]: deliveries with their
//! attempt number, acks and delayed nacks, and the move of events past
//! their last delivery to the dead-letter stream.

use std::time::Duration;

use async_nats::jetstream::consumer::pull;
use async_nats::jetstream::message::{AckKind, Acker, PublishMessage};
use async_nats::jetstream::{self, Context};
use async_trait::async_trait;
use futures_util::StreamExt;
use gremlin_kernel::ports::events::Acknowledger;
use gremlin_kernel::{Delivery, EventBusError, EventEnvelope, Subscription, SubscriptionSpec, type_matches};

use super::unavailable;

/// Delay before redelivering after the `attempt`-th failure: 100 ms, 500 ms,
/// 2.5 s, 12.5 s, then 30 s.
fn redelivery_delay(attempt: u32) -> Duration {
    let factor = 5u64.saturating_pow(attempt.saturating_sub(1));
    Duration::from_millis(100u64.saturating_mul(factor)).min(Duration::from_secs(30))
}

pub(super) struct NatsSubscription {
    /// The consumer's pulled messages.
    pub(super) messages: pull::Stream,
    /// What the subscriber asked for.
    pub(super) spec: SubscriptionSpec,
    /// For publishing dead letters.
    pub(super) jetstream: Context,
    /// `<prefix>_dead_letter.<consumer>`.
    pub(super) dead_letter_subject: String,
    /// Length of `<prefix>.`, cut from subjects to get event types.
    pub(super) prefix_len: usize,
}

impl NatsSubscription {
    /// Copies a message given up on to the dead-letter stream, then
    /// terminates it so the server stops delivering it.
    async fn dead_letter(
        &self,
        message: jetstream::Message,
        stream_seq: u64,
        reason: &str,
    ) -> Result<(), EventBusError> {
        tracing::error!(
            durable = %self.spec.durable_name,
            subject = %message.subject,
            reason,
            dead_letter_subject = %self.dead_letter_subject,
            "giving up on event; moved to the dead-letter stream"
        );
        metrics::counter!("events_dead_lettered_total", "consumer" => self.spec.durable_name.clone()).increment(1);
        let mut headers = message.headers.clone().unwrap_or_default();
        headers.insert("Gremlin-Dead-Letter-Reason", reason);
        headers.insert("Gremlin-Original-Subject", message.subject.as_str());
        // Unique per consumer and stored event: two consumers giving up on
        // one event keep two letters; a retried move keeps one.
        headers.insert("Nats-Msg-Id", format!("{}:{stream_seq}", self.spec.durable_name).as_str());
        let publish = PublishMessage::build().payload(message.payload.clone()).headers(headers);
        self.jetstream
            .send_publish(self.dead_letter_subject.clone(), publish)
            .await
            .map_err(|e| unavailable("publishing a dead letter", e))?
            .await
            .map_err(|e| unavailable("storing a dead letter", e))?;
        message.ack_with(AckKind::Term).await.map_err(|e| unavailable("terminating a dead letter", e))
    }
}

#[async_trait]
impl Subscription for NatsSubscription {
    async fn next(&mut self) -> Result<Delivery, EventBusError> {
        loop {
            let message = match self.messages.next().await {
                None => return Err(EventBusError::Closed),
                Some(Err(e)) => return Err(unavailable("pulling events", e)),
                Some(Ok(message)) => message,
            };
            let (attempt, pending, stream_seq) = match message.info() {
                Ok(info) => (u32::try_from(info.delivered).unwrap_or(u32::MAX), info.pending, info.stream_sequence),
                Err(e) => return Err(unavailable("reading delivery metadata", e)),
            };
            let event_type = message.subject.get(self.prefix_len..).unwrap_or_default().to_owned();
            if !self.spec.event_types.iter().any(|p| type_matches(p, &event_type)) {
                // Inside the server-side filter but not asked for.
                message.ack().await.map_err(|e| unavailable("acknowledging an unwanted event", e))?;
                continue;
            }
            if attempt > self.spec.max_deliveries {
                let reason = format!("not acknowledged after {} deliveries", self.spec.max_deliveries);
                self.dead_letter(message, stream_seq, &reason).await?;
                continue;
            }
            let event: EventEnvelope = match serde_json::from_slice(&message.payload) {
                Ok(event) => event,
                Err(e) => {
                    self.dead_letter(message, stream_seq, &format!("not a Gremlin event envelope: {e}")).await?;
                    continue;
                }
            };
            let (_, acker) = message.split();
            return Ok(Delivery::new(event, attempt, Box::new(NatsAcker { acker, attempt })).with_pending(pending));
        }
    }
}

struct NatsAcker {
    acker: Acker,
    attempt: u32,
}

#[async_trait]
impl Acknowledger for NatsAcker {
    async fn ack(&self) -> Result<(), EventBusError> {
        self.acker.ack().await.map_err(|e| unavailable("acknowledging an event", e))
    }

    async fn nack(&self) -> Result<(), EventBusError> {
        let delay = redelivery_delay(self.attempt);
        self.acker.ack_with(AckKind::Nak(Some(delay))).await.map_err(|e| unavailable("asking for redelivery", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redelivery_delay_grows_and_is_capped() {
        let delays: Vec<u64> = (1..=6).map(|a| redelivery_delay(a).as_millis() as u64).collect();
        assert_eq!(delays, vec![100, 500, 2_500, 12_500, 30_000, 30_000]);
        assert_eq!(redelivery_delay(u32::MAX), Duration::from_secs(30));
    }
}
