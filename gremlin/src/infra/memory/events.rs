//! `EventBus` inside the process: durable groups with work queues, ack
//! deadlines, redelivery and a duplicate window, mirroring JetStream's
//! semantics so code written against it behaves the same on NATS.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use gremlin_kernel::ports::events::Acknowledger;
use gremlin_kernel::{
    Delivery, EventBus, EventBusError, EventEnvelope, EventId, Subscription, SubscriptionSpec, type_matches,
};
use tokio::sync::Notify;

/// How long a published event id is remembered to drop duplicates.
const DUPLICATE_WINDOW: Duration = Duration::from_secs(120);

/// Events one durable group may hold (waiting or unacknowledged). A
/// publish that would go past it fails, so the outbox relay leaves the
/// event in the database and retries: a stuck consumer costs rows in the
/// outbox, not memory in the process.
pub const MAX_PENDING_PER_GROUP: usize = 10_000;

/// An in-process event bus.
#[derive(Default)]
pub struct MemoryEventBus {
    state: Mutex<BusState>,
}

#[derive(Default)]
struct BusState {
    groups: HashMap<String, Arc<Group>>,
    recent: HashMap<EventId, Instant>,
}

/// One durable subscription: consumers sharing its name share its queue.
struct Group {
    spec: SubscriptionSpec,
    queue: Mutex<Queue>,
    wake: Notify,
}

#[derive(Default)]
struct Queue {
    /// Events waiting, with how many times each was delivered already.
    ready: VecDeque<(EventEnvelope, u32)>,
    /// Delivered, not yet acknowledged: token → (event, deliveries, deadline).
    in_flight: HashMap<u64, (EventEnvelope, u32, Instant)>,
    next_token: u64,
}

fn lock<T>(m: &Mutex<T>) -> Result<MutexGuard<'_, T>, EventBusError> {
    m.lock().map_err(|_| EventBusError::Unavailable("memory bus lock poisoned".into()))
}

impl MemoryEventBus {
    /// An empty bus.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl EventBus for MemoryEventBus {
    async fn publish(&self, event: &EventEnvelope) -> Result<(), EventBusError> {
        let groups: Vec<Arc<Group>> = {
            let mut state = lock(&self.state)?;
            let now = Instant::now();
            let groups: Vec<Arc<Group>> = state
                .groups
                .values()
                .filter(|g| g.spec.event_types.iter().any(|p| type_matches(p, &event.event_type)))
                .cloned()
                .collect();
            // Refuse before recording the id, so the retry is not taken
            // for a duplicate.
            for group in &groups {
                let queue = lock(&group.queue)?;
                if queue.ready.len() + queue.in_flight.len() >= MAX_PENDING_PER_GROUP {
                    return Err(EventBusError::Unavailable(format!(
                        "consumer `{}` is {MAX_PENDING_PER_GROUP} events behind; the event stays in the outbox",
                        group.spec.durable_name
                    )));
                }
            }
            if state.recent.len() > 10_000 {
                state.recent.retain(|_, at| now.duration_since(*at) < DUPLICATE_WINDOW);
            }
            match state.recent.get(&event.id) {
                Some(at) if now.duration_since(*at) < DUPLICATE_WINDOW => return Ok(()),
                _ => {}
            }
            state.recent.insert(event.id, now);
            groups
        };
        for group in groups {
            lock(&group.queue)?.ready.push_back((event.clone(), 0));
            group.wake.notify_waiters();
        }
        Ok(())
    }

    async fn subscribe(&self, spec: &SubscriptionSpec) -> Result<Box<dyn Subscription>, EventBusError> {
        let mut state = lock(&self.state)?;
        let group = state
            .groups
            .entry(spec.durable_name.clone())
            .or_insert_with(|| Arc::new(Group { spec: spec.clone(), queue: Mutex::default(), wake: Notify::new() }))
            .clone();
        Ok(Box::new(MemorySubscription { group }))
    }

    async fn ping(&self) -> Result<(), EventBusError> {
        lock(&self.state).map(|_| ())
    }
}

struct MemorySubscription {
    group: Arc<Group>,
}

enum Next {
    Deliver(Box<Delivery>),
    WaitUntil(Option<Instant>),
}

impl MemorySubscription {
    fn poll(&self) -> Result<Next, EventBusError> {
        let group = &self.group;
        let mut queue = lock(&group.queue)?;
        let now = Instant::now();
        // Deliveries whose ack wait ran out go back to the front.
        let expired: Vec<u64> =
            queue.in_flight.iter().filter(|(_, (_, _, deadline))| *deadline <= now).map(|(t, _)| *t).collect();
        for token in expired {
            if let Some((event, deliveries, _)) = queue.in_flight.remove(&token) {
                queue.ready.push_front((event, deliveries));
            }
        }
        while let Some((event, deliveries)) = queue.ready.pop_front() {
            if deliveries >= group.spec.max_deliveries {
                tracing::error!(event_id = %event.id, event_type = %event.event_type, durable = %group.spec.durable_name, deliveries, "giving up on event after max deliveries (dead letter)");
                continue;
            }
            let token = queue.next_token;
            queue.next_token += 1;
            queue.in_flight.insert(token, (event.clone(), deliveries + 1, now + group.spec.ack_wait));
            let acker = MemoryAcker { group: Arc::clone(group), token };
            let pending = queue.ready.len() as u64;
            return Ok(Next::Deliver(Box::new(
                Delivery::new(event, deliveries + 1, Box::new(acker)).with_pending(pending),
            )));
        }
        Ok(Next::WaitUntil(queue.in_flight.values().map(|(_, _, d)| *d).min()))
    }
}

#[async_trait]
impl Subscription for MemorySubscription {
    async fn next(&mut self) -> Result<Delivery, EventBusError> {
        loop {
            // Register interest before looking, so a publish in between wakes us.
            let woken = self.group.wake.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            match self.poll()? {
                Next::Deliver(delivery) => return Ok(*delivery),
                Next::WaitUntil(None) => woken.await,
                Next::WaitUntil(Some(deadline)) => {
                    tokio::select! {
                        () = woken => {}
                        () = tokio::time::sleep_until(deadline.into()) => {}
                    }
                }
            }
        }
    }
}

struct MemoryAcker {
    group: Arc<Group>,
    token: u64,
}

#[async_trait]
impl Acknowledger for MemoryAcker {
    async fn ack(&self) -> Result<(), EventBusError> {
        lock(&self.group.queue)?.in_flight.remove(&self.token);
        Ok(())
    }

    async fn nack(&self) -> Result<(), EventBusError> {
        {
            let mut queue = lock(&self.group.queue)?;
            if let Some((event, deliveries, _)) = queue.in_flight.remove(&self.token) {
                queue.ready.push_front((event, deliveries));
            }
        }
        self.group.wake.notify_waiters();
        Ok(())
    }
}
