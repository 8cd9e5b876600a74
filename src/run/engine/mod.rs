//! The bulk engine: drives a journaled run to the end, exactly once per row.
//!
//! Rows go in order of manager depth (a manager before the people who report to them); within
//! a depth, a pool of workers shares the rows, each worker bound to one token of the pool, and
//! each token paced at the run's rate, its pacer letting as many workers send at once as the
//! latency needs (see [`crate::genesys::pacing`]). For every row:
//!
//! 1. The intent is committed to the journal, then the create (or restore) is sent. A create
//!    never carries the password: it is set by a step of its own.
//! 2. A lost answer is settled by looking the e-mail up — retrying for a while, since search
//!    lags a fresh create — before anything is sent again; a user found that way was created
//!    by this run.
//! 3. A `general.conflict` is looked up too: the user already existed (or, after a lost answer,
//!    was created by this run).
//! 4. A restore reads the deleted user (`?state=deleted`) for its version and sets its state;
//!    Genesys leaves a restored user in Home with nothing else changed, so its steps move it to
//!    the row's division and set the row's name, title, department, work phone and manager.
//! 5. The manager of a created user is set (`PATCH` with the version the create returned).
//! 6. The password, roles, routing skills, location and extension are added (`steps`), the
//!    invitation sent when asked for, and once every row is through, queue memberships,
//!    batched per queue.
//!
//! Every `PATCH` that meets a stale version reads the user again and is sent again
//! (`steps::with_current_version`).

mod batches;
mod create;
mod day1;
mod follow_up;
mod progress;
mod steps;

pub use create::SettlePolicy;

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::events::{EventSender, RunEvent, RunSummary, StopReason};
use super::journal::attempt_record;
use super::journal::{
    Journal, JournalRow, JournalWriter, RowStatus, RowUpdate, RunStatus, StepKind, StepStatus,
};
use super::{RunError, RunLock};
use crate::genesys::pacing::MAX_IN_FLIGHT;
use crate::genesys::{GenesysClient, RetryNotice, RetryReason};
use crate::plan::RowAction;
use crate::secrets::Secret;
use progress::{progress_ticker, Counters};

/// Everything a run needs besides the journal.
pub struct RunContext {
    /// The client; the pool's other tokens are made from it.
    pub client: GenesysClient,
    /// Where run locks live (the data directory's `locks`).
    pub lock_dir: PathBuf,
    /// Tokens in the pool (1 to 10).
    pub pool_size: u8,
    /// Requests per minute per token allowed by the org (the plan's `allowance_per_minute`):
    /// every token of the pool paces to it.
    pub rate_per_minute: u32,
    pub settle: SettlePolicy,
    /// Send Genesys's invitation to each created user.
    pub invite: bool,
    /// Passwords from the file, by row index (never journaled).
    pub passwords: HashMap<usize, Secret>,
    /// Where events go, never waiting for the watcher; a receiver that is gone is ignored.
    pub events: EventSender,
    pub control: RunControl,
}

/// Pause, resume and cancel a run from another task.
#[derive(Clone)]
pub struct RunControl {
    paused: watch::Sender<bool>,
    cancelled: watch::Sender<bool>,
}

impl Default for RunControl {
    fn default() -> Self {
        RunControl {
            paused: watch::channel(false).0,
            cancelled: watch::channel(false).0,
        }
    }
}

impl RunControl {
    pub fn pause(&self) {
        self.paused.send_replace(true);
    }

    pub fn resume(&self) {
        self.paused.send_replace(false);
    }

    /// Stop starting new rows; rows in flight finish; the run stays resumable.
    pub fn cancel(&self) {
        self.cancelled.send_replace(true);
    }

    pub fn is_cancelled(&self) -> bool {
        *self.cancelled.borrow()
    }

    pub fn is_paused(&self) -> bool {
        *self.paused.borrow()
    }
}

struct Engine {
    run_id: String,
    clients: Vec<GenesysClient>,
    writer: JournalWriter,
    rows: Mutex<Vec<JournalRow>>,
    counters: Counters,
    /// Retries, counted by the clients' retry observers.
    retry_counter: Arc<AtomicU64>,
    settle: SettlePolicy,
    invite: bool,
    passwords: HashMap<usize, Secret>,
    events: EventSender,
    control: RunControl,
    /// Why the run must stop (a problem every row would meet).
    stop: Mutex<Option<(StopReason, String)>>,
    stopping: AtomicBool,
    /// Rows that gave up on transient failures in a row; the network is likely down.
    transient_streak: AtomicUsize,
    total: usize,
    started: Instant,
    /// Steps of the run after the creates (done, failed or still to do).
    steps_total: usize,
    /// Steps Genesys refused for a missing permission: the rest of that kind fail without a call.
    denied_steps: Mutex<HashMap<StepKind, String>>,
    /// Per kind of step, whether a call of it has gone through (see `gated`).
    step_gates: Mutex<HashMap<StepKind, Arc<tokio::sync::Mutex<bool>>>>,
}

/// Drive the run `run_id` of `journal` until every row is final, or it is cancelled or
/// interrupted. Works the same for a new run and for one resumed after a crash.
pub async fn drive(
    journal: Journal,
    run_id: &str,
    context: RunContext,
) -> Result<RunSummary, RunError> {
    let record = journal.run(run_id)?;
    let _lock = RunLock::acquire(&context.lock_dir, run_id, &journal)?;
    journal.set_owner(run_id)?;
    let rows = journal.rows(run_id)?;
    let resumed = rows.iter().any(|r| r.attempts > 0);
    let writer = JournalWriter::start(journal, run_id.to_owned());

    let pool_size = context.pool_size.clamp(1, crate::plan::MAX_POOL);
    context.client.set_rate_per_minute(context.rate_per_minute);
    let mut clients = vec![context.client.clone()];
    for _ in 1..pool_size {
        clients.push(context.client.with_own_token());
    }
    let all_steps = rows.iter().flat_map(|r| r.steps.iter());
    let steps_total = all_steps
        .clone()
        .filter(|s| s.status != StepStatus::None)
        .count();
    let counters = Counters::default();
    for step in all_steps {
        match step.status {
            StepStatus::Done => counters.steps_done.fetch_add(1, Ordering::Relaxed),
            StepStatus::Failed => counters.steps_failed.fetch_add(1, Ordering::Relaxed),
            _ => 0,
        };
    }
    let engine = Arc::new(Engine {
        run_id: run_id.to_owned(),
        steps_total,
        denied_steps: Mutex::default(),
        step_gates: Mutex::default(),
        clients,
        writer,
        total: rows.len(),
        rows: Mutex::new(rows),
        counters,
        retry_counter: Arc::default(),
        settle: context.settle,
        invite: context.invite,
        passwords: context.passwords,
        events: context.events,
        control: context.control,
        stop: Mutex::new(None),
        stopping: AtomicBool::new(false),
        transient_streak: AtomicUsize::new(0),
        started: Instant::now(),
    });
    engine
        .write(vec![RowUpdate::Run {
            status: RunStatus::Running,
            message: None,
        }])
        .await?;
    engine.settle_invitations_in_doubt().await?;
    tracing::info!(run = %run_id, rows = record.total, pool = pool_size, resumed, "run started");
    engine.emit(RunEvent::Started {
        run_id: run_id.to_owned(),
        total: record.total,
        pool_size,
        resumed,
    });

    // Rows already final (from the plan, or from before a crash) count at once.
    let finals: Vec<JournalRow> = engine
        .rows
        .lock()
        .expect("rows")
        .iter()
        .filter(|r| r.status.is_final() && !needs_follow_up(r, engine.invite))
        .cloned()
        .collect();
    for row in &finals {
        engine.count(row);
        engine.emit_row(row);
    }

    let ticker = tokio::spawn(progress_ticker(engine.clone()));

    let mut depths: Vec<u32> = engine
        .rows
        .lock()
        .expect("rows")
        .iter()
        .filter(|r| !r.status.is_final() || needs_follow_up(r, engine.invite))
        .map(|r| r.depth)
        .collect();
    depths.sort_unstable();
    depths.dedup();
    for depth in depths {
        if engine.should_stop() {
            break;
        }
        let queue: VecDeque<usize> = engine
            .rows
            .lock()
            .expect("rows")
            .iter()
            .filter(|r| r.depth == depth)
            .filter(|r| !r.status.is_final() || needs_follow_up(r, engine.invite))
            .map(|r| r.index)
            .collect();
        let queue = Arc::new(Mutex::new(queue));
        let workers = engine.clients.len() * MAX_IN_FLIGHT;
        let mut tasks = tokio::task::JoinSet::new();
        for worker in 0..workers {
            let engine = engine.clone();
            let queue = queue.clone();
            let token = worker % engine.clients.len();
            tasks.spawn(async move { engine.work(token, queue).await });
        }
        while let Some(joined) = tasks.join_next().await {
            joined.map_err(|e| RunError::Internal(format!("a worker failed: {e}")))?;
        }
    }

    if !engine.should_stop() {
        let workers = engine.clients.len() * MAX_IN_FLIGHT;
        engine.add_members(StepKind::Group, workers).await;
        engine.add_members(StepKind::Queue, workers).await;
        engine.set_auto_answer_batched().await;
    }
    if engine.invite && !engine.should_stop() {
        engine
            .send_invitations(engine.clients.len() * MAX_IN_FLIGHT)
            .await;
    }

    // Stopped before the summary, so its last progress is the summary's.
    ticker.abort();
    let _ = ticker.await;
    let summary = engine.finish().await?;
    Ok(summary)
}

fn needs_follow_up(row: &JournalRow, invite: bool) -> bool {
    (matches!(row.status, RowStatus::Created | RowStatus::Restored)
        && (row.manager_step == StepStatus::Pending
            || (invite
                && row.status == RowStatus::Created
                && row.invite_step == StepStatus::Pending)))
        || steps::pending_own_steps(row)
}

/// What happened to a row's main step.
enum Step {
    /// Done; go on with the follow-ups.
    Done,
    /// The row is final without follow-ups (failed, existed).
    Final,
    /// Not done; the row stays pending (the run is stopping, or a transient failure).
    Deferred,
}

impl Engine {
    async fn work(self: Arc<Self>, token: usize, queue: Arc<Mutex<VecDeque<usize>>>) {
        let mut paused = self.control.paused.subscribe();
        loop {
            while *paused.borrow_and_update() && !self.should_stop() {
                let _ = tokio::time::timeout(Duration::from_millis(200), paused.changed()).await;
            }
            if self.should_stop() {
                return;
            }
            let Some(index) = queue.lock().expect("queue").pop_front() else {
                return;
            };
            self.process(token, index).await;
        }
    }

    fn should_stop(&self) -> bool {
        self.control.is_cancelled() || self.stopping.load(Ordering::Relaxed)
    }

    fn stop_run(&self, reason: StopReason, message: String) {
        tracing::error!(run = %self.run_id, "run stopping: {message}");
        let mut stop = self.stop.lock().expect("stop");
        if stop.is_none() {
            *stop = Some((reason, message));
        }
        self.stopping.store(true, Ordering::Relaxed);
    }

    fn row(&self, index: usize) -> JournalRow {
        self.rows.lock().expect("rows")[index].clone()
    }

    /// Commit updates to the journal, then apply the same updates to the rows in memory
    /// ([`JournalRow::apply`]): what the engine knows of a row is what the journal holds.
    async fn write(&self, updates: Vec<RowUpdate>) -> Result<(), RunError> {
        self.writer
            .write(updates.clone())
            .await
            .map_err(|e| RunError::Internal(format!("The run journal failed: {e}")))?;
        let mut rows = self.rows.lock().expect("rows");
        for update in &updates {
            if let Some(row) = update.index().and_then(|index| rows.get_mut(index)) {
                row.apply(update);
            }
        }
        Ok(())
    }

    /// Write, or stop the run when the journal cannot be written (nothing may be sent then).
    async fn record(&self, updates: Vec<RowUpdate>) -> bool {
        match self.write(updates).await {
            Ok(()) => true,
            Err(e) => {
                self.stop_run(
                    StopReason::Journal,
                    format!("{e}; stopped so that no user is created unrecorded."),
                );
                false
            }
        }
    }

    /// The client of `token`, reporting its retries as events of row `index`.
    fn client(&self, token: usize, index: usize) -> GenesysClient {
        let line = self.rows.lock().expect("rows")[index].line;
        let events = self.events.clone();
        let retries = self.retry_counter.clone();
        self.clients[token]
            .clone()
            .with_retry_observer(Arc::new(move |notice: &RetryNotice| {
                retries.fetch_add(1, Ordering::Relaxed);
                tracing::info!(
                    line,
                    operation = %notice.operation,
                    attempt = notice.attempt,
                    wait_ms = notice.wait.as_millis() as u64,
                    correlation_id = notice.correlation_id.as_deref().unwrap_or(""),
                    "retrying: {}",
                    notice.reason.describe()
                );
                let event = if notice.reason == RetryReason::RateLimited {
                    RunEvent::RateLimited {
                        wait_ms: notice.wait.as_millis() as u64,
                        token,
                    }
                } else {
                    RunEvent::Retrying {
                        index: Some(index),
                        line: Some(line),
                        operation: notice.operation.clone(),
                        reason: notice.reason.describe(),
                        wait_ms: notice.wait.as_millis() as u64,
                        attempt: notice.attempt,
                        correlation_id: notice.correlation_id.clone(),
                    }
                };
                events.send(event);
            }))
    }

    async fn process(&self, token: usize, index: usize) {
        let client = self.client(token, index);
        let row = self.row(index);
        if !row.status.is_final() {
            let step = match row.action {
                RowAction::Restore => self.restore(&client, index).await,
                _ => self.create(&client, index).await,
            };
            match step {
                Step::Done => {}
                Step::Final => {
                    let row = self.row(index);
                    self.count(&row);
                    self.emit_row(&row);
                    return;
                }
                Step::Deferred => return,
            }
        }
        // The manager goes in the row's `PATCH` (`apply_steps`). The invitation goes out last, once every step (the password among them) and batch
        // is through: `send_invitations`.
        self.apply_steps(&client, index).await;
        let row = self.row(index);
        self.count(&row);
        self.emit_row(&row);
    }
}
