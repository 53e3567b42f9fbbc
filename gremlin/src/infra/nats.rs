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

mod dead_letters;
mod subscription;

use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, pull};
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::stream::{self, StorageType};
use async_nats::jetstream::{self, Context};
use async_trait::async_trait;
use bytes::Bytes;
use gremlin_kernel::{EventBus, EventBusError, EventEnvelope, Subscription, SubscriptionSpec};

pub use dead_letters::DeadLetter;
use subscription::NatsSubscription;

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
    /// streams, as a serving process does. Fails, saying so, when NATS or
    /// JetStream cannot be reached.
    pub async fn connect(url: &str, options: NatsOptions) -> anyhow::Result<Self> {
        let bus = Self::attach(url, options).await?;
        bus.ensure_streams().await?;
        Ok(bus)
    }

    /// Connects to `url` without touching the streams, for tools that only
    /// read or remove what is there (`gremlin events`, test clean-up).
    pub async fn attach(url: &str, options: NatsOptions) -> anyhow::Result<Self> {
        let client = async_nats::ConnectOptions::new()
            .name("gremlin")
            .connection_timeout(CONNECT_TIMEOUT)
            .max_reconnects(None)
            .connect(url)
            .await
            .with_context(|| format!("cannot reach NATS at {}; start it or fix events.url", redact(url)))?;
        let mut jetstream = jetstream::new(client.clone());
        jetstream.set_timeout(PUBLISH_TIMEOUT);
        Ok(Self { client, jetstream, options })
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
    fn credentials_are_not_shown() {
        assert_eq!(redact("nats://user:secret@host:4222"), "nats://host:4222");
        assert_eq!(redact("nats://127.0.0.1:4222"), "nats://127.0.0.1:4222");
    }
}
