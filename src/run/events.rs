//! What a run tells its watcher (the window, the terminal), as it happens.

use serde::Serialize;

use super::journal::{RowError, RowStatus, RunStatus, StepRecord};

/// One event of a run. On the wire: `{"event": "rowFinished", "data": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", content = "data", rename_all = "camelCase")]
pub enum RunEvent {
    /// The plan the run follows.
    #[serde(rename_all = "camelCase")]
    Planned {
        run_id: String,
        total: usize,
        to_create: usize,
        to_restore: usize,
    },
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
        /// Its post-creation steps so far (queue memberships come later, in `RowSteps`).
        steps: Vec<StepRecord>,
    },
    /// A row's post-creation steps changed after it finished (queue memberships, which are
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
    /// Post-creation steps (roles, skills, each queue, location, extension) of the run, and
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
