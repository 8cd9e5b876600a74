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

#[path = "steps.rs"]
mod steps;

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};

use super::events::{Progress, RunEvent, RunSummary, StopReason};
use super::journal::{
    Journal, JournalRow, JournalWriter, RowError, RowStatus, RowUpdate, RunStatus, StepKind,
    StepStatus,
};
use super::{RunError, RunLock};
use crate::genesys::pacing::MAX_IN_FLIGHT;
use crate::genesys::{
    GenesysClient, GenesysError, RetryNotice, RetryReason, User, UserPatch, UserState,
};
use crate::plan::{ManagerRef, RowAction};
use crate::secrets::Secret;

/// How the run waits for Genesys to catch up with a fresh create: a lost answer settled by
/// looking the e-mail up, and roles refused by an auth service that has not seen the user yet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SettlePolicy {
    /// How long to keep looking for a user whose create may have happened (search lags a fresh
    /// create; Genesys's Terraform provider waits 15 s).
    pub window: Duration,
    /// The pause between two lookups (and between two tries of a grant, below).
    pub interval: Duration,
    /// How often a row whose outcome stayed unknown is sent again before it is failed.
    pub max_resends: u32,
    /// How long roles answered 404 for a user this run just created or restored are tried
    /// again: "new roles or divisions have not yet been added to the auth service cache", as
    /// Genesys's Terraform provider puts it when it retries the same `bulkadd`. Counted in
    /// tries, one every `interval`.
    pub auth_lag: Duration,
}

impl SettlePolicy {
    /// Tries of a grant after a 404 for a fresh user (see [`SettlePolicy::auth_lag`]).
    fn grant_retries(&self) -> u32 {
        let interval = self.interval.as_millis().max(1);
        (self.auth_lag.as_millis() / interval).min(u128::from(u32::MAX)) as u32
    }
}

impl Default for SettlePolicy {
    fn default() -> Self {
        SettlePolicy {
            window: Duration::from_secs(15),
            interval: Duration::from_secs(1),
            max_resends: 3,
            auth_lag: Duration::from_secs(30),
        }
    }
}

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
    /// Where events go; a closed receiver is ignored.
    pub events: mpsc::Sender<RunEvent>,
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

/// Counters behind the progress events.
#[derive(Default)]
struct Counters {
    created: AtomicUsize,
    existed: AtomicUsize,
    /// Users that existed and got roles, queues, skills, a location or an extension added.
    updated: AtomicUsize,
    restored: AtomicUsize,
    skipped: AtomicUsize,
    failed: AtomicUsize,
    requests: AtomicU64,
    steps_done: AtomicUsize,
    steps_failed: AtomicUsize,
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
    events: mpsc::Sender<RunEvent>,
    control: RunControl,
    /// Why the run must stop (a problem every row would meet).
    stop: Mutex<Option<(StopReason, String)>>,
    stopping: AtomicBool,
    /// Rows that gave up on transient failures in a row; the network is likely down.
    transient_streak: AtomicUsize,
    total: usize,
    started: Instant,
    /// Post-creation steps of the run (done, failed or still to do).
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
    engine
        .emit(RunEvent::Started {
            run_id: run_id.to_owned(),
            total: record.total,
            pool_size,
            resumed,
        })
        .await;

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
        engine.emit_row(row).await;
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
        engine
            .add_queue_members(engine.clients.len() * MAX_IN_FLIGHT)
            .await;
    }

    ticker.abort();
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

    fn update_row(&self, index: usize, change: impl FnOnce(&mut JournalRow)) {
        change(&mut self.rows.lock().expect("rows")[index]);
    }

    async fn write(&self, updates: Vec<RowUpdate>) -> Result<(), RunError> {
        self.writer
            .write(updates)
            .await
            .map_err(|e| RunError::Internal(format!("The run journal failed: {e}")))
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

    async fn emit(&self, event: RunEvent) {
        let _ = self.events.send(event).await;
    }

    async fn emit_row(&self, row: &JournalRow) {
        self.emit(RunEvent::RowFinished {
            index: row.index,
            line: row.line,
            email: row.email.clone(),
            status: row.status,
            user_id: row.user_id.clone(),
            error: row.error.clone(),
            note: row.note.clone(),
            steps: row.steps.clone(),
        })
        .await;
    }

    fn count(&self, row: &JournalRow) {
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
                let _ = events.try_send(event);
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
                    self.emit_row(&row).await;
                    return;
                }
                Step::Deferred => return,
            }
        }
        if self.row(index).manager_step == StepStatus::Pending {
            self.set_manager(&client, index).await;
        }
        // The password is one of the steps: the invitation goes out once it is set.
        self.apply_steps(&client, index).await;
        let row = self.row(index);
        if self.invite
            && !self.should_stop()
            && row.status == RowStatus::Created
            && row.invite_step == StepStatus::Pending
        {
            self.send_invitation(&client, index).await;
        }
        let row = self.row(index);
        self.count(&row);
        self.emit_row(&row).await;
    }

    /// Create the row's user, exactly once.
    async fn create(&self, client: &GenesysClient, index: usize) -> Step {
        let row = self.row(index);
        let email = row.email.clone().unwrap_or_default();
        // A row found mid-send (after a crash) may have been created: look before sending.
        let mut maybe_sent = row.status == RowStatus::Sending;
        let mut resends = 0;
        loop {
            if maybe_sent {
                match self.find_user(client, &email, false).await {
                    Ok(Some(user)) => {
                        return self.created(index, &user, Some(LOST_ANSWER), None).await
                    }
                    Ok(None) => {
                        if resends >= self.settle.max_resends {
                            let error = RowError {
                                code: None,
                                message: format!(
                                    "Genesys never confirmed creating {email}, and it could \
                                     not be found after {resends} tries. Check the user in \
                                     Genesys Cloud before trying again."
                                ),
                                correlation_id: None,
                            };
                            return self.failed(index, error).await;
                        }
                    }
                    Err(e) => return self.deferred(index, &e).await,
                }
            }
            let Some(body) = row.body.clone() else {
                let error = RowError {
                    code: None,
                    message: "Nothing to create: the row has no user data.".to_owned(),
                    correlation_id: None,
                };
                return self.failed(index, error).await;
            };
            // The password is set by its own step once the user exists (a create can succeed
            // while Genesys refuses its password); a row whose password is gone is not sent.
            if row.has_password && !self.passwords.contains_key(&index) {
                let error = RowError {
                    code: None,
                    message: PASSWORD_GONE.to_owned(),
                    correlation_id: None,
                };
                return self.failed(index, error).await;
            }
            if !self.commit_intent(index).await {
                return Step::Deferred;
            }
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            let result = client.create_user(&body).await;
            let attempt = attempt_record(index, "create", &result);
            match result {
                Ok(reply) => {
                    self.transient_streak.store(0, Ordering::Relaxed);
                    // One commit for the attempt and the outcome.
                    return self.created(index, &reply.value, None, Some(attempt)).await;
                }
                Err(e) if e.is_conflict() => {
                    let _ = self.record(vec![attempt]).await;
                    return self.conflict(client, index, &email, maybe_sent, &e).await;
                }
                Err(e) if e.is_outcome_unknown() => {
                    let _ = self.record(vec![attempt]).await;
                    maybe_sent = true;
                    resends += 1;
                    continue;
                }
                Err(e) => {
                    let _ = self.record(vec![attempt]).await;
                    // Nothing was created: a refusal, or a failure before it reached Genesys.
                    if maybe_sent {
                        // An earlier attempt may still have created the user: settle first.
                        continue;
                    }
                    return self.refused(index, &e).await;
                }
            }
        }
    }

    /// A `general.conflict` on create: the e-mail is taken. By this run (an earlier attempt
    /// whose answer was lost) or by someone else.
    async fn conflict(
        &self,
        client: &GenesysClient,
        index: usize,
        email: &str,
        maybe_sent: bool,
        error: &GenesysError,
    ) -> Step {
        match self.find_user(client, email, true).await {
            Ok(Some(user)) if maybe_sent => {
                self.created(index, &user, Some(LOST_ANSWER), None).await
            }
            Ok(Some(user)) if user.state == Some(UserState::Deleted) => {
                let error = RowError {
                    message: format!(
                        "A deleted user has the e-mail {email} (deleted since the plan was \
                         made). Restore them, or run again with the \"restore\" policy."
                    ),
                    ..RowError::from_genesys(error)
                };
                self.failed(index, error).await
            }
            Ok(Some(user)) => {
                let note =
                    Some("Already existed (created by someone else since the plan).".to_owned());
                if !self
                    .record(vec![RowUpdate::Existed {
                        index,
                        user_id: Some(user.id.clone()),
                        note: note.clone(),
                    }])
                    .await
                {
                    return Step::Deferred;
                }
                self.update_row(index, |r| {
                    r.status = RowStatus::Existed;
                    r.user_id = Some(user.id.clone());
                    r.note = note;
                    r.manager_step = StepStatus::None;
                    r.invite_step = StepStatus::None;
                    steps::drop_pending(r);
                });
                Step::Final
            }
            Ok(None) => self.failed(index, RowError::from_genesys(error)).await,
            Err(e) => self.deferred(index, &e).await,
        }
    }

    /// Bring a soft-deleted user back: read it with `?state=deleted` for its version, then set
    /// its state (a `PATCH` that carries `state` changes nothing else). Its division and
    /// profile follow as steps.
    async fn restore(&self, client: &GenesysClient, index: usize) -> Step {
        let row = self.row(index);
        let email = row.email.clone().unwrap_or_default();
        let Some(user_id) = row.existing_user_id.clone() else {
            let error = RowError {
                code: None,
                message: format!("The plan found no user id for the deleted user {email}."),
                correlation_id: None,
            };
            return self.failed(index, error).await;
        };
        let wanted = row
            .body
            .as_ref()
            .and_then(|b| b.state)
            .unwrap_or(UserState::Active);
        if !self.commit_intent(index).await {
            return Step::Deferred;
        }
        let read = || async {
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            match client.get_deleted_user(&user_id).await {
                // Not deleted (any more): an earlier attempt of this run restored it.
                Err(e) if e.status() == Some(404) => {
                    self.counters.requests.fetch_add(1, Ordering::Relaxed);
                    client.get_user(&user_id).await.map(|r| r.value)
                }
                other => other.map(|r| r.value),
            }
        };
        let write = |user: User| async move {
            if user.state != Some(UserState::Deleted) {
                return Ok((user, None));
            }
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            let patch = UserPatch {
                version: user.version,
                state: Some(wanted),
                ..UserPatch::default()
            };
            let result = client.patch_user(&user.id, &patch).await;
            let attempt = attempt_record(index, "restore", &result);
            match result {
                Ok(reply) => Ok((reply.value, Some(attempt))),
                Err(e) => {
                    let _ = self.record(vec![attempt]).await;
                    Err(e)
                }
            }
        };
        match steps::with_current_version(None, read, write).await {
            Ok((user, attempt)) => self.restored(index, &user, attempt).await,
            Err(e) if e.status() == Some(404) => {
                let error = RowError {
                    message: format!(
                        "The deleted user with the e-mail {email} is gone (removed for good \
                         since the plan)."
                    ),
                    ..RowError::from_genesys(&e)
                };
                self.failed(index, error).await
            }
            Err(e) => self.refused(index, &e).await,
        }
    }

    /// The id of the row's manager, or why there is none (the manager's row did not make it).
    fn manager_id(&self, manager: &ManagerRef) -> Result<String, String> {
        match manager {
            ManagerRef::Existing { user_id, .. } => Ok(user_id.clone()),
            ManagerRef::Row { index, email } => {
                let other = self.row(*index);
                match other.status {
                    RowStatus::Created | RowStatus::Restored | RowStatus::Existed => other
                        .user_id
                        .ok_or_else(|| format!("{email} was not created.")),
                    _ => Err(format!("{email} was not created.")),
                }
            }
        }
    }

    async fn set_manager(&self, client: &GenesysClient, index: usize) {
        let row = self.row(index);
        let (Some(user_id), Some(manager)) = (row.user_id.clone(), row.manager.clone()) else {
            return;
        };
        let manager_id = match self.manager_id(&manager) {
            Ok(id) => id,
            Err(reason) => {
                let note = Some(format!("Manager not set: {reason}"));
                self.manager_done(index, StepStatus::Failed, None, note)
                    .await;
                return;
            }
        };
        let (user_id, manager_id) = (&user_id, &manager_id);
        // The version of the create's answer first; a stale one reads the user again, and an
        // earlier attempt may have set the manager already.
        let known = row.version.map(|version| User {
            version,
            ..User::default()
        });
        let read = || async {
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            client.get_user(user_id).await.map(|r| r.value)
        };
        let write = |current: User| async move {
            if current.manager.as_ref().map(|m| m.id.as_str()) == Some(manager_id.as_str()) {
                return Ok(current.version);
            }
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            let patch = UserPatch {
                version: current.version,
                manager: Some(manager_id.clone()),
                ..UserPatch::default()
            };
            let result = client.patch_user(user_id, &patch).await;
            let _ = self
                .record(vec![attempt_record(index, "manager", &result)])
                .await;
            result.map(|r| r.value.version)
        };
        match steps::with_current_version(known, read, write).await {
            Ok(version) => {
                self.manager_done(index, StepStatus::Done, Some(version), None)
                    .await
            }
            Err(e) if e.is_auth_or_permission() || matches!(e, GenesysError::GaveUp { .. }) => {
                // Leave the step pending: a resume will do it.
                if e.is_auth_or_permission() {
                    self.stop_run(StopReason::Access, e.to_string());
                }
            }
            Err(e) => self.manager_failed(index, &e).await,
        }
    }

    /// Invitations a crash left mid-send (their intent committed, no answer recorded) may have
    /// gone out: they are reported as unknown, like a lost answer, and never sent again.
    async fn settle_invitations_in_doubt(&self) -> Result<(), RunError> {
        let in_doubt: Vec<usize> = self
            .rows
            .lock()
            .expect("rows")
            .iter()
            .filter(|r| r.invite_step == StepStatus::Sending)
            .map(|r| r.index)
            .collect();
        if in_doubt.is_empty() {
            return Ok(());
        }
        let note = Some(INVITATION_IN_DOUBT.to_owned());
        let updates = in_doubt
            .iter()
            .map(|&index| RowUpdate::Invite {
                index,
                step: StepStatus::Unknown,
                note: note.clone(),
            })
            .collect();
        self.write(updates).await?;
        for index in in_doubt {
            self.update_row(index, |r| {
                r.invite_step = StepStatus::Unknown;
                r.note = note.clone();
            });
        }
        Ok(())
    }

    async fn manager_failed(&self, index: usize, error: &GenesysError) {
        let note = Some(format!("Manager not set: {error}"));
        self.manager_done(index, StepStatus::Failed, None, note)
            .await;
    }

    async fn manager_done(
        &self,
        index: usize,
        step: StepStatus,
        version: Option<i64>,
        note: Option<String>,
    ) {
        if self
            .record(vec![RowUpdate::Manager {
                index,
                step,
                version,
                note: note.clone(),
            }])
            .await
        {
            self.update_row(index, |r| {
                r.manager_step = step;
                if let Some(version) = version {
                    r.version = Some(version);
                }
                if note.is_some() {
                    r.note = note;
                }
            });
        }
    }

    async fn send_invitation(&self, client: &GenesysClient, index: usize) {
        let Some(user_id) = self.row(index).user_id else {
            return;
        };
        // The intent first: a crash from here on leaves the invitation in doubt, never looking
        // unsent, so a resume does not send a second one.
        if !self
            .record(vec![RowUpdate::Invite {
                index,
                step: StepStatus::Sending,
                note: None,
            }])
            .await
        {
            return;
        }
        self.update_row(index, |r| r.invite_step = StepStatus::Sending);
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let result = client.invite_user(&user_id).await;
        let attempt = attempt_record(index, "invite", &result);
        let (step, note) = match &result {
            Ok(_) => (StepStatus::Done, None),
            Err(e) if e.is_outcome_unknown() => (
                StepStatus::Unknown,
                Some("The invitation may not have been sent (its answer was lost).".to_owned()),
            ),
            Err(e) => (
                StepStatus::Failed,
                Some(format!("Invitation not sent: {e}")),
            ),
        };
        if self
            .record(vec![
                attempt,
                RowUpdate::Invite {
                    index,
                    step,
                    note: note.clone(),
                },
            ])
            .await
        {
            self.update_row(index, |r| {
                r.invite_step = step;
                if note.is_some() {
                    r.note = note;
                }
            });
        }
    }

    /// Commit the row's intent before its create or restore is sent, and mark it sending.
    /// False when the run is stopping or the journal could not be written: nothing may be
    /// sent then.
    async fn commit_intent(&self, index: usize) -> bool {
        if self.should_stop() || !self.record(vec![RowUpdate::Intent { index }]).await {
            return false;
        }
        self.update_row(index, |r| {
            r.status = RowStatus::Sending;
            r.attempts += 1;
        });
        true
    }

    /// Look a user up by e-mail, for as long as the settle window allows (search lags).
    async fn find_user(
        &self,
        client: &GenesysClient,
        email: &str,
        include_deleted: bool,
    ) -> Result<Option<User>, GenesysError> {
        let deadline = Instant::now() + self.settle.window;
        loop {
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            let found = client
                .search_users_by_email(email, include_deleted)
                .await?
                .value;
            let wanted = email.trim().to_lowercase();
            let user = found
                .into_iter()
                .filter(|u| {
                    u.email.as_deref().map(|e| e.trim().to_lowercase()) == Some(wanted.clone())
                })
                .min_by_key(|u| u.state == Some(UserState::Deleted));
            if user.is_some() || Instant::now() + self.settle.interval > deadline {
                return Ok(user);
            }
            tokio::time::sleep(self.settle.interval).await;
        }
    }

    async fn created(
        &self,
        index: usize,
        user: &User,
        note: Option<&str>,
        attempt: Option<RowUpdate>,
    ) -> Step {
        let note = note.map(str::to_owned);
        let update = RowUpdate::Created {
            index,
            user_id: user.id.clone(),
            version: user.version,
            note: note.clone(),
        };
        if !self
            .record(attempt.into_iter().chain([update]).collect())
            .await
        {
            return Step::Deferred;
        }
        self.update_row(index, |r| {
            r.status = RowStatus::Created;
            r.user_id = Some(user.id.clone());
            r.version = Some(user.version);
            r.error = None;
            if note.is_some() {
                r.note = note;
            }
        });
        Step::Done
    }

    async fn restored(&self, index: usize, user: &User, attempt: Option<RowUpdate>) -> Step {
        let update = RowUpdate::Restored {
            index,
            user_id: user.id.clone(),
            version: user.version,
        };
        if !self
            .record(attempt.into_iter().chain([update]).collect())
            .await
        {
            return Step::Deferred;
        }
        self.update_row(index, |r| {
            r.status = RowStatus::Restored;
            r.user_id = Some(user.id.clone());
            r.version = Some(user.version);
            r.error = None;
        });
        Step::Done
    }

    async fn failed(&self, index: usize, error: RowError) -> Step {
        let line = self.rows.lock().expect("rows")[index].line;
        tracing::warn!(
            run = %self.run_id,
            line,
            code = error.code.as_deref().unwrap_or(""),
            correlation_id = error.correlation_id.as_deref().unwrap_or(""),
            "row failed: {}",
            error.message
        );
        if !self
            .record(vec![RowUpdate::Failed {
                index,
                error: error.clone(),
            }])
            .await
        {
            return Step::Deferred;
        }
        self.update_row(index, |r| {
            r.status = RowStatus::Failed;
            r.error = Some(error);
            r.manager_step = StepStatus::None;
            r.invite_step = StepStatus::None;
            steps::drop_pending(r);
        });
        Step::Final
    }

    /// Genesys refused the request, or it never got there.
    async fn refused(&self, index: usize, error: &GenesysError) -> Step {
        if error.is_auth_or_permission() {
            // Every other row would meet the same refusal: stop, keep the row pending.
            self.stop_run(StopReason::Access, error.to_string());
            return self.deferred(index, error).await;
        }
        if matches!(
            error,
            GenesysError::GaveUp { .. }
                | GenesysError::Unreachable { .. }
                | GenesysError::Timeout { .. }
        ) {
            return self.deferred(index, error).await;
        }
        self.transient_streak.store(0, Ordering::Relaxed);
        self.failed(index, RowError::from_genesys(error)).await
    }

    /// Leave the row pending for a resume; after several in a row, stop the run.
    async fn deferred(&self, index: usize, error: &GenesysError) -> Step {
        let note = Some(format!("Not sent yet: {error}"));
        if self
            .record(vec![RowUpdate::Pending {
                index,
                note: note.clone(),
            }])
            .await
        {
            self.update_row(index, |r| {
                r.status = RowStatus::Pending;
                r.note = note;
            });
        }
        if !error.is_auth_or_permission() {
            let streak = self.transient_streak.fetch_add(1, Ordering::Relaxed) + 1;
            if streak >= 3 {
                self.stop_run(
                    StopReason::Unreachable,
                    format!(
                        "Genesys Cloud kept failing or could not be reached ({error}). The run \
                     stopped so nothing is lost; resume it when the connection is back."
                    ),
                );
            }
        }
        Step::Deferred
    }

    fn progress(&self) -> Progress {
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

    async fn finish(&self) -> Result<RunSummary, RunError> {
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
        self.emit(RunEvent::Progress(summary.progress.clone()))
            .await;
        self.emit(RunEvent::Finished(summary.clone())).await;
        Ok(summary)
    }
}

const LOST_ANSWER: &str = "Created by this run (its answer was lost; confirmed by a lookup).";

/// Why an invitation found mid-send on a resume is not sent again.
const INVITATION_IN_DOUBT: &str = "The invitation may have been sent (Rollcall stopped before \
                                   its answer was recorded); check in Genesys Cloud before \
                                   sending it again.";

/// Why a row with a password in the file cannot go on after a resume.
const PASSWORD_GONE: &str = "The file's password for this user is no longer available (the \
                             file changed or was moved). Resume with the original file, or \
                             import the row again.";

fn attempt_record<T>(
    index: usize,
    step: &'static str,
    result: &Result<crate::genesys::Reply<T>, GenesysError>,
) -> RowUpdate {
    match result {
        Ok(reply) => RowUpdate::Attempt {
            index,
            step,
            outcome: "ok".to_owned(),
            status: Some(reply.meta.status),
            correlation_id: reply.meta.correlation_id.clone(),
        },
        Err(e) => RowUpdate::Attempt {
            index,
            step,
            outcome: if e.is_outcome_unknown() {
                "unknown".to_owned()
            } else {
                e.code().unwrap_or("error").to_owned()
            },
            status: e.status(),
            correlation_id: e.correlation_id().map(str::to_owned),
        },
    }
}

/// Emits coalesced progress (at most 20 a second) and rate-limit holds.
async fn progress_ticker(engine: Arc<Engine>) {
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
            engine.emit(RunEvent::Paused { paused }).await;
        }
        for (token, client) in engine.clients.iter().enumerate() {
            let until = client.paced_until();
            if until.is_some() && until != holds[token] {
                let wait = until
                    .map(|u| u.saturating_duration_since(tokio::time::Instant::now()))
                    .unwrap_or_default();
                if wait >= Duration::from_millis(200) {
                    engine
                        .emit(RunEvent::RateLimited {
                            wait_ms: wait.as_millis() as u64,
                            token,
                        })
                        .await;
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
            engine.emit(RunEvent::Progress(progress.clone())).await;
            last = Some(progress);
        }
    }
}
