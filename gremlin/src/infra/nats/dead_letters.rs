//! Dead letters: events a consumer gave up on, kept on the dead-letter
//! stream; listed and replayed by `gremlin events`.

use anyhow::Context as _;
use async_nats::jetstream::message::{PublishMessage, StreamMessage};
use gremlin_kernel::EventEnvelope;

use super::NatsEventBus;

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
    fn dead_letter_of(&self, message: &StreamMessage) -> DeadLetter {
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
