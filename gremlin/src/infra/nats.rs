//! `EventBus` on NATS JetStream.
//!
//! One stream (`events.stream`) holds every event under
//! `<events.subject_prefix>.<event type>` (`gremlin.orders.order.created`),
//! kept for `events.retention_hours`, de-duplicated on `Nats-Msg-Id` = the
//! event id within `events.duplicate_window_secs`. Each subscription is a
//! durable pull consumer with explicit acks; a negative ack asks for
//! redelivery after a growing delay, and an event delivered
//! `max_deliveries` times without success is copied to the dead-letter
//! stream (`<stream>_DEAD_LETTERS`, subject `<prefix>_dead_letter.<durable>`),
//! logged and terminated.
//!
//! Start-up fails when NATS cannot be reached; afterwards the client
//! reconnects forever, publishing fails fast while it is away (the outbox
//! keeps the events) and consumers resubscribe when it returns.

use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, pull};
use async_nats::jetstream::message::{AckKind, Acker, PublishMessage};
use async_nats::jetstream::stream::{self, StorageType};
use async_nats::jetstream::{self, Context};
use async_trait::async_trait;
use bytes::Bytes;
use futures_util::StreamExt;
use gremlin_kernel::ports::events::Acknowledger;
use gremlin_kernel::{Delivery, EventBus, EventBusError, EventEnvelope, Subscription, SubscriptionSpec, type_matches};

/// How long a publish waits for the stream's acknowledgement.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(3);
/// How long start-up waits for the first connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Where and how events are kept on the server.
#[derive(Debug, Clone)]
pub struct NatsOptions {
    /// The JetStream stream holding every event.
    pub stream: String,
    /// First subject token of every event (`gremlin`).
    pub subject_prefix: String,
    /// How long the stream keeps events.
    pub retention: Duration,
    /// How long a published event id is remembered to drop duplicates.
    pub duplicate_window: Duration,
}

/// An event bus on a NATS JetStream server.
pub struct NatsEventBus {
    client: async_nats::Client,
    jetstream: Context,
    options: NatsOptions,
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> EventBusError {
    EventBusError::Unavailable(format!("{what}: {e}"))
}

impl NatsEventBus {
    /// Connects to `url` and creates (or updates) the event and dead-letter
    /// streams. Fails, saying so, when NATS or JetStream cannot be reached.
    pub async fn connect(url: &str, options: NatsOptions) -> anyhow::Result<Self> {
        let client = async_nats::ConnectOptions::new()
            .name("gremlin")
            .connection_timeout(CONNECT_TIMEOUT)
            .max_reconnects(None)
            .connect(url)
            .await
            .with_context(|| format!("cannot reach NATS at {}; start it or fix events.url", redact(url)))?;
        let mut jetstream = jetstream::new(client.clone());
        jetstream.set_timeout(PUBLISH_TIMEOUT);
        let bus = Self { client, jetstream, options };
        bus.ensure_streams().await?;
        Ok(bus)
    }

    async fn ensure_streams(&self) -> anyhow::Result<()> {
        let o = &self.options;
        for (name, subjects) in [
            (o.stream.clone(), format!("{}.>", o.subject_prefix)),
            (self.dead_letter_stream(), format!("{}.>", self.dead_letter_root())),
        ] {
            self.jetstream
                .create_or_update_stream(stream::Config {
                    name: name.clone(),
                    subjects: vec![subjects],
                    max_age: o.retention,
                    duplicate_window: o.duplicate_window.min(o.retention),
                    storage: StorageType::File,
                    ..Default::default()
                })
                .await
                .with_context(|| format!("creating JetStream stream `{name}` (is JetStream enabled on the server?)"))?;
        }
        Ok(())
    }

    fn dead_letter_stream(&self) -> String {
        format!("{}_DEAD_LETTERS", self.options.stream)
    }

    fn dead_letter_root(&self) -> String {
        format!("{}_dead_letter", self.options.subject_prefix)
    }

    fn subject(&self, event_type: &str) -> String {
        format!("{}.{event_type}", self.options.subject_prefix)
    }

    /// Deletes both streams and their consumers (tests clean up with it).
    pub async fn delete_streams(&self) -> anyhow::Result<()> {
        for name in [self.options.stream.clone(), self.dead_letter_stream()] {
            self.jetstream.delete_stream(&name).await.with_context(|| format!("deleting stream `{name}`"))?;
        }
        Ok(())
    }
}

/// An event a consumer gave up on, as kept on the dead-letter stream.
#[derive(Debug, Clone)]
pub struct DeadLetter {
    /// Its sequence number on the dead-letter stream (what `replay` takes).
    pub seq: u64,
    /// The consumer (durable subscription) that gave up on it.
    pub consumer: String,
    /// Why: deliveries used up, or not an event envelope.
    pub reason: String,
    /// When it was dead-lettered.
    pub time: time::OffsetDateTime,
    /// The event, when the payload is one.
    pub event: Option<EventEnvelope>,
}

impl NatsEventBus {
    fn dead_letter_of(&self, message: &async_nats::jetstream::message::StreamMessage) -> DeadLetter {
        let header = |name: &str| message.headers.get(name).map(|v| v.as_str().to_owned()).unwrap_or_default();
        let root = format!("{}.", self.dead_letter_root());
        DeadLetter {
            seq: message.sequence,
            consumer: message.subject.strip_prefix(root.as_str()).unwrap_or(&message.subject).to_owned(),
            reason: header("Gremlin-Dead-Letter-Reason"),
            time: message.time,
            event: serde_json::from_slice(&message.payload).ok(),
        }
    }

    /// Up to `limit` dead letters, oldest first (`gremlin events dead-letters`).
    pub async fn dead_letters(&self, limit: usize) -> anyhow::Result<Vec<DeadLetter>> {
        let mut stream =
            self.jetstream.get_stream(self.dead_letter_stream()).await.context("opening the dead-letter stream")?;
        let state = stream.info().await.context("reading the dead-letter stream")?.state.clone();
        let mut letters = Vec::new();
        if state.messages == 0 {
            return Ok(letters);
        }
        for seq in state.first_sequence..=state.last_sequence {
            if letters.len() >= limit {
                break;
            }
            // Replayed letters leave gaps in the sequence.
            if let Ok(message) = stream.get_raw_message(seq).await {
                letters.push(self.dead_letter_of(&message));
            }
        }
        Ok(letters)
    }

    /// Publishes dead letter `seq` again to its original subject, then
    /// removes it from the dead-letter stream. Consumers that handled the
    /// event before ignore it (processed ids); the one that gave up gets
    /// it anew. It gets its own `Nats-Msg-Id`, so the duplicate window does
    /// not swallow it.
    pub async fn replay_dead_letter(&self, seq: u64) -> anyhow::Result<DeadLetter> {
        let stream =
            self.jetstream.get_stream(self.dead_letter_stream()).await.context("opening the dead-letter stream")?;
        let message =
            stream.get_raw_message(seq).await.with_context(|| format!("no dead letter with sequence {seq}"))?;
        let letter = self.dead_letter_of(&message);
        let subject = message
            .headers
            .get("Gremlin-Original-Subject")
            .map(|v| v.as_str().to_owned())
            .context("the dead letter has no original subject")?;
        let id = letter.event.as_ref().map_or_else(|| "undecodable".to_owned(), |e| e.id.to_string());
        let publish = PublishMessage::build().payload(message.payload.clone()).message_id(format!("{id}:replay:{seq}"));
        self.jetstream
            .send_publish(subject, publish)
            .await
            .context("publishing the dead letter again")?
            .await
            .context("waiting for JetStream to store the replay")?;
        stream.delete_message(seq).await.context("removing the replayed dead letter")?;
        Ok(letter)
    }
}

/// The URL without credentials, for messages. Unlike a database URL's user
/// name, the user part of a NATS URL may be a token, so both go.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() || !u.username().is_empty() => {
            let _ = u.set_password(None);
            let _ = u.set_username("");
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// The narrowest subject filter the server can apply for `patterns`
/// (servers before 2.10 take one filter); the rest is matched here.
fn filter_subject(prefix: &str, patterns: &[String]) -> String {
    let split: Vec<Vec<&str>> = patterns.iter().map(|p| p.split('.').collect()).collect();
    if let [only] = split.as_slice() {
        return format!("{prefix}.{}", only.join("."));
    }
    let mut common = Vec::new();
    if let Some(first) = split.first() {
        for (i, token) in first.iter().enumerate() {
            if *token == "*" || *token == ">" || !split.iter().all(|p| p.get(i) == Some(token) && p.len() > i + 1) {
                break;
            }
            common.push(*token);
        }
    }
    common.insert(0, prefix);
    format!("{}.>", common.join("."))
}

/// Delay before redelivering after the `attempt`-th failure: 100 ms, 500 ms,
/// 2.5 s, 12.5 s, then 30 s.
fn redelivery_delay(attempt: u32) -> Duration {
    let factor = 5u64.saturating_pow(attempt.saturating_sub(1));
    Duration::from_millis(100u64.saturating_mul(factor)).min(Duration::from_secs(30))
}

#[async_trait]
impl EventBus for NatsEventBus {
    async fn publish(&self, event: &EventEnvelope) -> Result<(), EventBusError> {
        if self.client.connection_state() != async_nats::connection::State::Connected {
            return Err(EventBusError::Unavailable("NATS is not connected".into()));
        }
        let payload = serde_json::to_vec(event).context("encoding event")?;
        let publish = PublishMessage::build().payload(Bytes::from(payload)).message_id(event.id.to_string());
        let ack = self
            .jetstream
            .send_publish(self.subject(&event.event_type), publish)
            .await
            .map_err(|e| unavailable("publishing to NATS", e))?;
        ack.await.map_err(|e| unavailable("waiting for JetStream's publish acknowledgement", e))?;
        Ok(())
    }

    async fn subscribe(&self, spec: &SubscriptionSpec) -> Result<Box<dyn Subscription>, EventBusError> {
        let stream = self
            .jetstream
            .get_stream(&self.options.stream)
            .await
            .map_err(|e| unavailable("looking up the event stream", e))?;
        let config = pull::Config {
            durable_name: Some(spec.durable_name.clone()),
            filter_subject: filter_subject(&self.options.subject_prefix, &spec.event_types),
            deliver_policy: DeliverPolicy::New,
            ack_policy: AckPolicy::Explicit,
            ack_wait: spec.ack_wait,
            // One more than allowed: the extra delivery is where the event
            // is dead-lettered, whether it was nacked or never acked.
            max_deliver: i64::from(spec.max_deliveries) + 1,
            inactive_threshold: spec.expire_when_idle.unwrap_or_default(),
            ..Default::default()
        };
        let consumer = stream
            .create_consumer(config)
            .await
            .map_err(|e| unavailable(&format!("creating consumer `{}`", spec.durable_name), e))?;
        let messages = consumer.messages().await.map_err(|e| unavailable("starting to pull events", e))?;
        Ok(Box::new(NatsSubscription {
            messages,
            spec: spec.clone(),
            jetstream: self.jetstream.clone(),
            dead_letter_subject: format!("{}.{}", self.dead_letter_root(), spec.durable_name),
            prefix_len: self.options.subject_prefix.len() + 1,
        }))
    }

    async fn ping(&self) -> Result<(), EventBusError> {
        if self.client.connection_state() != async_nats::connection::State::Connected {
            return Err(EventBusError::Unavailable("NATS is not connected".into()));
        }
        tokio::time::timeout(PUBLISH_TIMEOUT, self.client.flush())
            .await
            .map_err(|_| EventBusError::Unavailable("NATS did not answer within 3 s".into()))?
            .map_err(|e| unavailable("NATS ping", e))
    }
}

struct NatsSubscription {
    messages: pull::Stream,
    spec: SubscriptionSpec,
    jetstream: Context,
    dead_letter_subject: String,
    prefix_len: usize,
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

    fn patterns(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn one_pattern_is_filtered_by_the_server() {
        assert_eq!(filter_subject("g", &patterns(&["orders.order.*"])), "g.orders.order.*");
        assert_eq!(filter_subject("g", &patterns(&[">"])), "g.>");
    }

    #[test]
    fn several_patterns_share_their_common_tokens() {
        assert_eq!(filter_subject("g", &patterns(&["invoice.paid", "invoice.voided"])), "g.invoice.>");
        assert_eq!(filter_subject("g", &patterns(&["invoice.paid", "order.created"])), "g.>");
        assert_eq!(filter_subject("g", &patterns(&["a.b.c", "a.b"])), "g.a.>");
        assert_eq!(filter_subject("g", &patterns(&["a.*.c", "a.*.d"])), "g.a.>");
    }

    #[test]
    fn redelivery_delay_grows_and_is_capped() {
        let delays: Vec<u64> = (1..=6).map(|a| redelivery_delay(a).as_millis() as u64).collect();
        assert_eq!(delays, vec![100, 500, 2_500, 12_500, 30_000, 30_000]);
        assert_eq!(redelivery_delay(u32::MAX), Duration::from_secs(30));
    }

    #[test]
    fn credentials_are_not_shown() {
        assert_eq!(redact("nats://user:secret@host:4222"), "nats://host:4222");
        assert_eq!(redact("nats://127.0.0.1:4222"), "nats://127.0.0.1:4222");
    }
}
