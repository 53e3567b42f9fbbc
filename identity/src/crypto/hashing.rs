//! A fixed pool of password-hashing workers with a bounded queue.
//!
//! An argon2id hash needs 19 MiB and tens of milliseconds of one core.
//! Run on tokio's blocking pool, a sign-in flood started one hash per
//! request (up to 512 threads), and each thread's allocator arena kept its
//! 19 MiB afterwards: 64 connections took the process to 5.8 GiB. Here
//! `concurrency` threads each own one reusable block of hashing memory, at
//! most `queue` hashes wait for them, and anything beyond is refused at once
//! with [`HashError::Busy`] (503 with `Retry-After`), so memory is bounded
//! by `concurrency × 19 MiB` and waiting time by `queue × hash time ÷
//! concurrency`. A worker idle for [`IDLE_RELEASE`] gives its memory back,
//! so between bursts the process is 19 MiB per worker smaller.
//!
//! Depends on nothing but the hash functions in [`super::password`].

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::password::{self, HashMemory, Verification};

/// How long a worker keeps its hashing memory without a job.
pub const IDLE_RELEASE: Duration = Duration::from_secs(5);

/// Seconds a refused caller is told to wait (`Retry-After`).
pub const BUSY_RETRY_AFTER_SECS: u64 = 1;

/// Why a hashing job did not run.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every worker is busy and the queue is full; retry after the given
    /// seconds.
    #[error("password hashing is at capacity; retry in {retry_after_secs} s")]
    Busy {
        /// Seconds to wait before retrying.
        retry_after_secs: u64,
    },
    /// The workers are gone (the process is shutting down) or the hasher
    /// rejected its own parameters.
    #[error("password hashing failed: {0:#}")]
    Failed(anyhow::Error),
}

type Job = Box<dyn FnOnce(&mut HashMemory) + Send>;

/// Counters shared by the handle and its workers.
#[derive(Default)]
struct Load {
    /// Jobs accepted and not yet picked up by a worker.
    waiting: AtomicUsize,
    /// Jobs being hashed now.
    running: AtomicUsize,
    /// The most jobs ever hashed at once (never above `concurrency`).
    peak_running: AtomicUsize,
    /// Workers holding hashing memory now.
    holding_memory: AtomicUsize,
}

/// A snapshot of the workers' load, for metrics and tests; a worker counts
/// itself idle just after its caller has the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashLoad {
    /// Hashes waiting for a worker (0 to `queue`).
    pub waiting: usize,
    /// Hashes being computed now (0 to `concurrency`).
    pub running: usize,
    /// The most hashes ever computed at once since start.
    pub peak_running: usize,
    /// The number of worker threads.
    pub concurrency: usize,
    /// Workers holding their hashing memory (0 once all idled for [`IDLE_RELEASE`]).
    pub holding_memory: usize,
}

/// The handle to the workers: cheap to clone; the threads stop when the
/// last handle is dropped.
#[derive(Clone)]
pub struct PasswordWorkers {
    jobs: SyncSender<Job>,
    load: Arc<Load>,
    concurrency: usize,
}

impl PasswordWorkers {
    /// Starts `concurrency` worker threads (0 = the number of CPU cores)
    /// behind a queue of `queue` waiting jobs (at least 1).
    ///
    /// Fails when the operating system refuses to start a thread.
    pub fn start(concurrency: usize, queue: usize) -> anyhow::Result<Self> {
        Self::start_releasing_after(concurrency, queue, IDLE_RELEASE)
    }

    /// [`PasswordWorkers::start`] with workers that give their memory back
    /// after `idle` without a job.
    pub fn start_releasing_after(concurrency: usize, queue: usize, idle: Duration) -> anyhow::Result<Self> {
        let concurrency = match concurrency {
            0 => std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            n => n,
        };
        let (jobs, receiver) = sync_channel::<Job>(queue.max(1));
        let receiver = Arc::new(Mutex::new(receiver));
        let load = Arc::new(Load::default());
        // Registered at zero so /metrics lists them before the first hash.
        metrics::gauge!("password_hash_queue_depth").increment(0.0);
        metrics::gauge!("password_hashes_running").increment(0.0);
        for index in 0..concurrency {
            let receiver = receiver.clone();
            let load = load.clone();
            std::thread::Builder::new()
                .name(format!("password-hash-{index}"))
                .spawn(move || work(&receiver, &load, idle))
                .map_err(|e| anyhow::anyhow!("starting password-hash worker {index}: {e}"))?;
        }
        Ok(Self { jobs, load, concurrency })
    }

    /// The current load.
    pub fn load(&self) -> HashLoad {
        HashLoad {
            waiting: self.load.waiting.load(Ordering::Relaxed),
            running: self.load.running.load(Ordering::Relaxed),
            peak_running: self.load.peak_running.load(Ordering::Relaxed),
            concurrency: self.concurrency,
            holding_memory: self.load.holding_memory.load(Ordering::Relaxed),
        }
    }

    /// Hashes a normalised password as argon2id (a PHC string).
    pub async fn hash(&self, normalized: String) -> Result<String, HashError> {
        self.run(move |memory| password::hash(&normalized, memory)).await?.map_err(HashError::Failed)
    }

    /// Checks a normalised password against a stored hash of either kind.
    pub async fn verify(&self, normalized: String, stored: String) -> Result<Verification, HashError> {
        self.run(move |memory| password::verify(&normalized, &stored, memory)).await
    }

    /// Spends the work of one verification and discards the result, so an
    /// unknown e-mail takes as long as a wrong password.
    pub async fn verify_dummy(&self, normalized: String) -> Result<(), HashError> {
        self.run(move |memory| password::verify_dummy(&normalized, memory)).await
    }

    /// Queues `f` for a worker and waits for its result; refuses at once
    /// when the queue is full.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut HashMemory) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            // The caller went away while queued (client disconnected,
            // request timed out): skip the work rather than burn a core.
            if done.is_closed() {
                return;
            }
            let _ = done.send(f(memory));
        });
        self.load.waiting.fetch_add(1, Ordering::Relaxed);
        metrics::gauge!("password_hash_queue_depth").increment(1.0);
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(refused) => {
                self.load.waiting.fetch_sub(1, Ordering::Relaxed);
                metrics::gauge!("password_hash_queue_depth").decrement(1.0);
                return Err(match refused {
                    TrySendError::Full(_) => {
                        metrics::counter!("password_hash_rejected_total").increment(1);
                        HashError::Busy { retry_after_secs: BUSY_RETRY_AFTER_SECS }
                    }
                    TrySendError::Disconnected(_) => HashError::Failed(anyhow::anyhow!("the hashing workers stopped")),
                });
            }
        }
        result.await.map_err(|_| HashError::Failed(anyhow::anyhow!("a hashing worker stopped mid-job")))
    }
}

/// One worker: takes jobs until every handle is dropped, reusing its
/// hashing memory for each and releasing it after `idle` without one.
fn work(receiver: &Mutex<Receiver<Job>>, load: &Load, idle: Duration) {
    let mut memory = HashMemory::default();
    loop {
        // The lock is held only while waiting for the next job, so the
        // other workers queue behind it rather than behind a running hash;
        // they take turns timing out, so each releases in turn.
        let next = match receiver.lock() {
            Ok(receiver) => receiver.recv_timeout(idle),
            Err(_) => return,
        };
        let job = match next {
            Ok(job) => job,
            Err(RecvTimeoutError::Timeout) => {
                if memory.release() {
                    load.holding_memory.fetch_sub(1, Ordering::Relaxed);
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        load.waiting.fetch_sub(1, Ordering::Relaxed);
        metrics::gauge!("password_hash_queue_depth").decrement(1.0);
        let running = load.running.fetch_add(1, Ordering::Relaxed) + 1;
        load.peak_running.fetch_max(running, Ordering::Relaxed);
        metrics::gauge!("password_hashes_running").increment(1.0);
        // A panicking job must not take the worker (and its memory) down.
        let held = memory.is_held();
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut memory)));
        if !held && memory.is_held() {
            load.holding_memory.fetch_add(1, Ordering::Relaxed);
        }
        load.running.fetch_sub(1, Ordering::Relaxed);
        metrics::gauge!("password_hashes_running").decrement(1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn never_hashes_more_at_once_than_its_concurrency() {
        let workers = PasswordWorkers::start(2, 64).unwrap();
        let jobs: Vec<_> = (0..24)
            .map(|i| {
                let workers = workers.clone();
                tokio::spawn(async move { workers.hash(format!("password-{i}")).await })
            })
            .collect();
        for job in jobs {
            assert!(job.await.unwrap().unwrap().starts_with("$argon2id$"));
        }
        let load = workers.load();
        assert!((1..=2).contains(&load.peak_running), "{load:?}");
        // A worker counts itself idle just after handing over its result.
        for _ in 0..100 {
            if (workers.load().waiting, workers.load().running) == (0, 0) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert_eq!((workers.load().waiting, workers.load().running), (0, 0));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn idle_workers_give_their_memory_back_and_hash_again() {
        let workers = PasswordWorkers::start_releasing_after(2, 8, Duration::from_millis(100)).unwrap();
        assert_eq!(workers.load().holding_memory, 0, "no memory before the first hash");
        let hash = workers.hash("password-1".into()).await.unwrap();
        // Counted just after the caller has its result.
        let mut seen_holding = false;
        let mut released = false;
        for _ in 0..300 {
            match workers.load().holding_memory {
                1 => seen_holding = true,
                0 if seen_holding => {
                    released = true;
                    break;
                }
                _ => {}
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(seen_holding && released, "the hashing worker kept its memory, then released it: {:?}", workers.load());
        let verified = workers.verify("password-1".into(), hash).await.unwrap();
        assert!(matches!(verified, Verification::Valid { upgrade: false }), "hashes again after releasing");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn refuses_with_busy_when_the_queue_is_full() {
        let workers = PasswordWorkers::start(1, 2).unwrap();
        // Hold the only worker until released, then fill the queue.
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let held = tokio::spawn({
            let workers = workers.clone();
            async move { workers.run(move |_| gate.recv().is_ok()).await }
        });
        while workers.load().running == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let queued: Vec<_> = (0..2)
            .map(|i| {
                let workers = workers.clone();
                tokio::spawn(async move { workers.verify_dummy(format!("password-{i}")).await })
            })
            .collect();
        while workers.load().waiting < 2 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let refused = workers.verify_dummy("one-too-many".into()).await;
        assert!(matches!(refused, Err(HashError::Busy { retry_after_secs: BUSY_RETRY_AFTER_SECS })), "{refused:?}");
        release.send(()).unwrap();
        assert!(held.await.unwrap().unwrap());
        for job in queued {
            job.await.unwrap().unwrap();
        }
        // Capacity is back once the queue drained.
        workers.verify_dummy("after-the-flood".into()).await.unwrap();
        assert_eq!(workers.load().peak_running, 1);
    }

    #[tokio::test]
    async fn verifies_what_it_hashed() {
        let workers = PasswordWorkers::start(1, 4).unwrap();
        let stored = workers.hash("correct-horse-battery-1".into()).await.unwrap();
        let ok = workers.verify("correct-horse-battery-1".into(), stored.clone()).await.unwrap();
        assert_eq!(ok, Verification::Valid { upgrade: false });
        let wrong = workers.verify("wrong-horse-battery-1".into(), stored).await.unwrap();
        assert_eq!(wrong, Verification::Invalid);
    }
}
