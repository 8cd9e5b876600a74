//! What a run tells its watcher (the window, the terminal), as it happens, and the channel it
//! goes through: sending never waits for the watcher, so a slow window or a blocked terminal
//! never holds the run back. Progress is coalesced (a watcher that falls behind gets the latest
//! counts, once); every other event is kept, in order, until it is read.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::Notify;

use super::journal::{RowError, RowStatus, RunStatus, StepRecord};

/// One event of a run. On the wire: `{"event": "rowFinished", "data": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", content = "data", rename_all = "camelCase")]
pub enum RunEvent {
    /// Work starts (again, when `resumed`).
    #[serde(rename_all = "camelCase")]
    Started {
        run_id: String,
        total: usize,
        pool_size: u8,
        resumed: bool,
    },
    /// A row reached its final status.
    #[serde(rename_all = "camelCase")]
    RowFinished {
        index: usize,
        line: usize,
        email: Option<String>,
        status: RowStatus,
        user_id: Option<String>,
        error: Option<RowError>,
        note: Option<String>,
        /// Its steps after the create so far (queue memberships come later, in `RowSteps`).
        steps: Vec<StepRecord>,
    },
    /// A row's steps changed after it finished (queue memberships, which are
    /// batched per queue once every row is through).
    #[serde(rename_all = "camelCase")]
    RowSteps {
        index: usize,
        line: usize,
        steps: Vec<StepRecord>,
    },
    /// A request is retried after a wait.
    #[serde(rename_all = "camelCase")]
    Retrying {
        index: Option<usize>,
        line: Option<usize>,
        operation: String,
        reason: String,
        wait_ms: u64,
        attempt: u32,
        correlation_id: Option<String>,
    },
    /// A 429 holds a token's requests back for a while.
    #[serde(rename_all = "camelCase")]
    RateLimited { wait_ms: u64, token: usize },
    /// Counts so far (at most 20 of these a second).
    #[serde(rename_all = "camelCase")]
    Progress(Progress),
    /// Paused or resumed by the user.
    #[serde(rename_all = "camelCase")]
    Paused { paused: bool },
    /// The run stopped: finished, cancelled or interrupted.
    #[serde(rename_all = "camelCase")]
    Finished(RunSummary),
}

/// Cumulative counts of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// Rows with a final status.
    pub done: usize,
    pub total: usize,
    /// Created, restored, updated or already existing.
    pub ok: usize,
    /// Failed or invalid.
    pub failed: usize,
    /// Left out by the deleted-user policy.
    pub skipped: usize,
    pub created: usize,
    pub existed: usize,
    /// Already existed, and got roles, queues, skills, a location or an extension added.
    pub updated: usize,
    pub restored: usize,
    /// Rows finished per minute (over the last minute, or since the start).
    pub per_minute: f64,
    /// Seconds until the end at that rate.
    pub eta_seconds: Option<u64>,
    pub elapsed_seconds: f64,
    /// API requests sent by the run.
    pub requests: u64,
    /// Retries so far.
    pub retries: u64,
    /// Steps after the creates (roles, skills, each queue, location, extension) of the run, and
    /// how many are done or failed.
    pub steps_total: usize,
    pub steps_done: usize,
    pub steps_failed: usize,
    /// Requests per minute the pool paces at now: each token's rate, summed (just under the
    /// org's allowance, lower for a while after 429s).
    pub rate_per_minute: f64,
}

/// A problem that stopped a whole run (every row would have met it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum StopReason {
    /// Credentials or permissions: a wrong secret, a revoked client, a missing permission.
    Access,
    /// Genesys kept failing or could not be reached.
    Unreachable,
    /// The run journal could not be written.
    Journal,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub run_id: String,
    pub status: RunStatus,
    /// Why it stopped early, in words an admin can act on.
    pub message: Option<String>,
    /// What kind of problem stopped it, when one did.
    pub stop_reason: Option<StopReason>,
    pub progress: Progress,
}

impl RunSummary {
    /// Whether every row ended created, already existing, or skipped by the chosen policy.
    pub fn all_ok(&self) -> bool {
        self.status == RunStatus::Finished && self.progress.failed == 0
    }
}

/// A channel for one run's events: the engine holds the sender, the watcher the receiver.
pub fn channel() -> (EventSender, EventReceiver) {
    let shared = Arc::new(Shared {
        queue: Mutex::new(Queue {
            events: VecDeque::new(),
            progress: None,
            senders: 1,
            watched: true,
        }),
        ready: Notify::new(),
    });
    (
        EventSender {
            shared: shared.clone(),
        },
        EventReceiver { shared },
    )
}

/// Sends a run's events without ever waiting; a receiver that is gone is ignored.
pub struct EventSender {
    shared: Arc<Shared>,
}

/// Receives a run's events in the order they were sent (progress coalesced).
pub struct EventReceiver {
    shared: Arc<Shared>,
}

struct Shared {
    queue: Mutex<Queue>,
    /// Woken when an event is queued, or the last sender is gone.
    ready: Notify,
}

struct Queue {
    /// Events in the order sent; `None` marks where the progress not read yet stands, its
    /// counts in `progress` (replaced by each later one).
    events: VecDeque<Option<RunEvent>>,
    /// The latest progress, while one is queued and not read yet.
    progress: Option<Progress>,
    senders: usize,
    /// Whether the receiver is still there to read.
    watched: bool,
}

impl EventSender {
    /// Queue `event` for the receiver, at once.
    pub fn send(&self, event: RunEvent) {
        {
            let mut queue = self.shared.queue.lock().expect("events");
            if !queue.watched {
                return;
            }
            match event {
                RunEvent::Progress(progress) => {
                    if queue.progress.replace(progress).is_none() {
                        queue.events.push_back(None);
                    }
                }
                event => queue.events.push_back(Some(event)),
            }
        }
        self.shared.ready.notify_one();
    }
}

impl Clone for EventSender {
    fn clone(&self) -> Self {
        self.shared.queue.lock().expect("events").senders += 1;
        EventSender {
            shared: self.shared.clone(),
        }
    }
}

impl Drop for EventSender {
    fn drop(&mut self) {
        let last = {
            let mut queue = self.shared.queue.lock().expect("events");
            queue.senders -= 1;
            queue.senders == 0
        };
        if last {
            self.shared.ready.notify_one();
        }
    }
}

impl EventReceiver {
    /// The next event; `None` once every sender is gone and every event has been read.
    pub async fn recv(&mut self) -> Option<RunEvent> {
        loop {
            {
                let mut queue = self.shared.queue.lock().expect("events");
                match queue.events.pop_front() {
                    Some(Some(event)) => return Some(event),
                    Some(None) => return queue.progress.take().map(RunEvent::Progress),
                    None if queue.senders == 0 => return None,
                    None => {}
                }
            }
            // A notification sent since the queue was looked at is kept, not lost.
            self.shared.ready.notified().await;
        }
    }
}

impl Drop for EventReceiver {
    fn drop(&mut self) {
        let mut queue = self.shared.queue.lock().expect("events");
        queue.watched = false;
        queue.events.clear();
        queue.progress = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(done: usize) -> RunEvent {
        RunEvent::Progress(Progress {
            done,
            total: 100,
            ..Progress::default()
        })
    }

    fn row(index: usize) -> RunEvent {
        RunEvent::RowSteps {
            index,
            line: index + 2,
            steps: Vec::new(),
        }
    }

    #[tokio::test]
    async fn a_receiver_that_reads_late_loses_no_row_and_gets_the_latest_progress_once() {
        let (events, mut received) = channel();
        // Sending never waits: 10,000 events go while nobody reads.
        for index in 0..10_000 {
            events.send(row(index));
            events.send(progress(index + 1));
        }
        events.send(RunEvent::Paused { paused: true });
        drop(events);

        let mut all = Vec::new();
        while let Some(event) = received.recv().await {
            all.push(event);
        }
        let rows: Vec<usize> = all
            .iter()
            .filter_map(|e| match e {
                RunEvent::RowSteps { index, .. } => Some(*index),
                _ => None,
            })
            .collect();
        assert_eq!(rows, (0..10_000).collect::<Vec<_>>(), "every row, in order");
        let progress: Vec<&RunEvent> = all
            .iter()
            .filter(|e| matches!(e, RunEvent::Progress(_)))
            .collect();
        assert_eq!(progress, vec![&self::progress(10_000)], "the latest, once");
        assert_eq!(all.last(), Some(&RunEvent::Paused { paused: true }));
    }

    #[tokio::test]
    async fn progress_read_as_it_comes_is_not_held_back() {
        let (events, mut received) = channel();
        events.send(progress(1));
        assert_eq!(received.recv().await, Some(progress(1)));
        events.send(row(0));
        events.send(progress(2));
        assert_eq!(received.recv().await, Some(row(0)));
        assert_eq!(received.recv().await, Some(progress(2)));
    }

    #[tokio::test]
    async fn a_receiver_waits_for_the_next_event_and_ends_with_the_last_sender() {
        let (events, mut received) = channel();
        let second = events.clone();
        let reader = tokio::spawn(async move {
            let mut seen = Vec::new();
            while let Some(event) = received.recv().await {
                seen.push(event);
            }
            seen
        });
        events.send(row(0));
        drop(events);
        second.send(row(1));
        drop(second);
        assert_eq!(reader.await.unwrap(), vec![row(0), row(1)]);
    }

    #[test]
    fn sending_to_a_receiver_that_is_gone_is_ignored() {
        let (events, received) = channel();
        drop(received);
        events.send(row(0));
        events.send(progress(1));
    }
}
