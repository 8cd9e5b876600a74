//! How far a run got: the counters, the progress events (coalesced, at most 20 a second),
//! and the summary it ends with.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{needs_follow_up, steps, Engine};
use crate::genesys::GenesysClient;
use crate::plan::RowAction;
use crate::run::events::{Progress, RunEvent, RunSummary};
use crate::run::journal::{JournalRow, RowStatus, RowUpdate, RunStatus};
use crate::run::RunError;

/// Counters behind the progress events.
#[derive(Default)]
pub(super) struct Counters {
    pub(super) created: AtomicUsize,
    pub(super) existed: AtomicUsize,
    /// Users that existed and got roles, queues, skills, a location or an extension added.
    pub(super) updated: AtomicUsize,
    pub(super) restored: AtomicUsize,
    pub(super) skipped: AtomicUsize,
    pub(super) failed: AtomicUsize,
    pub(super) requests: AtomicU64,
    pub(super) steps_done: AtomicUsize,
    pub(super) steps_failed: AtomicUsize,
}

impl Engine {
    /// One more request sent by the run.
    pub(super) fn count_request(&self) {
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn emit(&self, event: RunEvent) {
        self.events.send(event);
    }

    pub(super) fn emit_row(&self, row: &JournalRow) {
        self.emit(RunEvent::RowFinished {
            index: row.index,
            line: row.line,
            email: row.email.clone(),
            status: row.status,
            user_id: row.user_id.clone(),
            error: row.error.clone(),
            note: row.note.clone(),
            steps: row.steps.clone(),
        });
    }

    pub(super) fn count(&self, row: &JournalRow) {
        let counter = match row.status {
            RowStatus::Created => &self.counters.created,
            RowStatus::Existed if row.action == RowAction::Update => &self.counters.updated,
            RowStatus::Existed => &self.counters.existed,
            RowStatus::Restored => &self.counters.restored,
            RowStatus::Skipped => &self.counters.skipped,
            RowStatus::Failed | RowStatus::Invalid => &self.counters.failed,
            RowStatus::Pending | RowStatus::Sending => return,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn progress(&self) -> Progress {
        let c = &self.counters;
        let created = c.created.load(Ordering::Relaxed);
        let existed = c.existed.load(Ordering::Relaxed);
        let updated = c.updated.load(Ordering::Relaxed);
        let restored = c.restored.load(Ordering::Relaxed);
        let skipped = c.skipped.load(Ordering::Relaxed);
        let failed = c.failed.load(Ordering::Relaxed);
        let ok = created + existed + updated + restored;
        let done = ok + skipped + failed;
        let elapsed = self.started.elapsed().as_secs_f64();
        Progress {
            done,
            total: self.total,
            ok,
            failed,
            skipped,
            created,
            existed,
            updated,
            restored,
            per_minute: 0.0,
            eta_seconds: None,
            elapsed_seconds: elapsed,
            requests: c.requests.load(Ordering::Relaxed),
            retries: self.retry_counter.load(Ordering::Relaxed),
            steps_total: self.steps_total,
            steps_done: c.steps_done.load(Ordering::Relaxed),
            steps_failed: c.steps_failed.load(Ordering::Relaxed),
            rate_per_minute: self
                .clients
                .iter()
                .map(GenesysClient::current_rate_per_minute)
                .sum(),
        }
    }

    pub(super) async fn finish(&self) -> Result<RunSummary, RunError> {
        let rows = self.rows.lock().expect("rows").clone();
        let unfinished = rows
            .iter()
            .filter(|r| {
                !r.status.is_final() || needs_follow_up(r, self.invite) || steps::pending_steps(r)
            })
            .count();
        let stop = self.stop.lock().expect("stop").clone();
        let stop_reason = stop.as_ref().map(|(reason, _)| *reason);
        let (status, message) = if let Some((_, message)) = stop {
            (RunStatus::Interrupted, Some(message))
        } else if self.control.is_cancelled() && unfinished > 0 {
            (
                RunStatus::Cancelled,
                Some(format!(
                    "Cancelled with {unfinished} rows still to do; resume to finish."
                )),
            )
        } else if unfinished > 0 {
            (
                RunStatus::Interrupted,
                Some(format!(
                    "{unfinished} rows could not be finished; resume to retry them."
                )),
            )
        } else {
            (RunStatus::Finished, None)
        };
        self.write(vec![RowUpdate::Run {
            status,
            message: message.clone(),
        }])
        .await?;
        let mut progress = self.progress();
        let minutes = progress.elapsed_seconds / 60.0;
        if minutes > 0.0 {
            progress.per_minute = progress.done as f64 / minutes;
        }
        progress.eta_seconds = Some(0);
        tracing::info!(
            run = %self.run_id,
            status = ?status,
            created = progress.created,
            existed = progress.existed,
            failed = progress.failed,
            seconds = progress.elapsed_seconds,
            "run ended{}",
            message.as_deref().map(|m| format!(": {m}")).unwrap_or_default()
        );
        let summary = RunSummary {
            run_id: self.run_id.clone(),
            status,
            message,
            stop_reason,
            progress,
        };
        self.emit(RunEvent::Progress(summary.progress.clone()));
        self.emit(RunEvent::Finished(summary.clone()));
        Ok(summary)
    }
}

/// Emits coalesced progress (at most 20 a second) and rate-limit holds.
pub(super) async fn progress_ticker(engine: Arc<Engine>) {
    let mut samples: VecDeque<(Instant, usize)> = VecDeque::new();
    let mut last: Option<Progress> = None;
    let mut holds: Vec<Option<tokio::time::Instant>> = vec![None; engine.clients.len()];
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    let mut paused = engine.control.is_paused();
    loop {
        tick.tick().await;
        let now = Instant::now();
        if engine.control.is_paused() != paused {
            paused = !paused;
            engine.emit(RunEvent::Paused { paused });
        }
        for (token, client) in engine.clients.iter().enumerate() {
            let until = client.paced_until();
            if until.is_some() && until != holds[token] {
                let wait = until
                    .map(|u| u.saturating_duration_since(tokio::time::Instant::now()))
                    .unwrap_or_default();
                if wait >= Duration::from_millis(200) {
                    engine.emit(RunEvent::RateLimited {
                        wait_ms: wait.as_millis() as u64,
                        token,
                    });
                }
            }
            holds[token] = until;
        }
        let mut progress = engine.progress();
        samples.push_back((now, progress.done));
        while samples
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) > Duration::from_secs(60))
        {
            samples.pop_front();
        }
        if let Some((first_at, first_done)) = samples.front() {
            let span = now.duration_since(*first_at).as_secs_f64();
            // Under a second of history says nothing about a rate.
            if span >= 1.0 {
                progress.per_minute = (progress.done - first_done) as f64 / span * 60.0;
            }
        }
        if progress.per_minute > 0.0 {
            let remaining = progress.total.saturating_sub(progress.done) as f64;
            progress.eta_seconds = Some((remaining / progress.per_minute * 60.0).ceil() as u64);
        }
        let changed = last.as_ref().is_none_or(|l| {
            l.done != progress.done
                || l.requests != progress.requests
                || l.retries != progress.retries
        });
        if changed {
            engine.emit(RunEvent::Progress(progress.clone()));
            last = Some(progress);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicBool, AtomicUsize};
    use std::sync::Mutex;

    use super::*;
    use crate::genesys::{ClientConfig, Credentials, Region};
    use crate::run::events::channel;
    use crate::run::journal::{Journal, JournalWriter};
    use crate::run::{RunControl, SettlePolicy};

    /// An engine of a run with nothing to send, reporting to `events`.
    fn engine(events: crate::run::EventSender) -> Arc<Engine> {
        let endpoint = Region::by_key("eu-west-1").unwrap().endpoint();
        let client = GenesysClient::new(
            endpoint,
            Credentials::new("client", "secret"),
            ClientConfig::default(),
        )
        .unwrap();
        Arc::new(Engine {
            run_id: "run".to_owned(),
            clients: vec![client],
            writer: JournalWriter::start(Journal::in_memory().unwrap(), "run".to_owned()),
            rows: Mutex::new(Vec::new()),
            counters: Counters::default(),
            retry_counter: Arc::default(),
            settle: SettlePolicy::default(),
            invite: false,
            passwords: HashMap::new(),
            events,
            control: RunControl::default(),
            stop: Mutex::new(None),
            stopping: AtomicBool::new(false),
            transient_streak: AtomicUsize::new(0),
            total: 1_000,
            started: Instant::now(),
            steps_total: 0,
            denied_steps: Mutex::default(),
            step_gates: Mutex::default(),
        })
    }

    #[tokio::test(start_paused = true)]
    async fn progress_goes_out_at_most_twenty_times_a_second_however_fast_rows_finish() {
        let (events, mut received) = channel();
        // The watcher reads as events come, as a window does: nothing is coalesced on its side.
        let watcher = tokio::spawn(async move {
            let mut sent = Vec::new();
            while let Some(event) = received.recv().await {
                if let RunEvent::Progress(progress) = event {
                    sent.push(progress.done);
                }
            }
            sent
        });
        let engine = engine(events);
        let ticker = tokio::spawn(progress_ticker(engine.clone()));
        // A row finishes every millisecond for a second (of tokio's paused clock).
        for _ in 0..1_000 {
            engine.counters.created.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        ticker.abort();
        let _ = ticker.await;
        drop(engine);

        let sent = watcher.await.unwrap();
        assert!(
            (19..=21).contains(&sent.len()),
            "one progress per 50 ms tick at most, and along the way: {sent:?}"
        );
        assert!(sent.windows(2).all(|w| w[0] < w[1]), "{sent:?}");
    }
}
