//! The run journal: every run, its options, each row and each attempt, in SQLite (WAL).
//!
//! The journal is what makes a run exactly-once. A row's intent to create is committed before
//! its request goes out; a row found in `sending` after a crash was possibly created and is
//! settled by looking the e-mail up before anything is sent again. An invitation's intent is
//! committed first too, and one found in `sending` is reported as unknown, never sent again.
//! Reading never guesses: a cell holding text Rollcall does not write is an error naming the
//! run, the row and the column. Writes go through one writer thread that commits whatever has
//! queued up in one transaction (a group commit), and each writer waits for its own commit.
//!
//! Secrets never enter the journal: the create body is stored without its password.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc as std_mpsc;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use crate::genesys::CreateUser;
use crate::plan::{ManagerRef, PlanOptions, RowAction};

/// A journal failure.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("The run journal at {path} cannot be used: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("The run journal failed: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("The run journal's writer stopped")]
    WriterGone,
    #[error("There is no run {0} in the journal")]
    NoSuchRun(String),
    #[error(
        "Run {run_id} is being driven by another Rollcall process{}. Only one process may \
         drive a run: wait for it to finish, or stop it, then resume.",
        .pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
    )]
    Busy { run_id: String, pid: Option<u32> },
    #[error("Cannot lock run {run_id}: {source}")]
    Lock {
        run_id: String,
        source: std::io::Error,
    },
    /// A cell holds text Rollcall never writes there. Read as a default it could turn a row
    /// that was sent into one to send again, so the run is not read at all.
    #[error(
        "The run journal is damaged: run {run_id}, {}, column \"{column}\": {reason}. Rollcall \
         will not resume this run, so nothing of it is sent again; check its users in Genesys \
         Cloud before running the file again.",
        .line.map(|l| format!("the row of line {l}")).unwrap_or_else(|| "the run's own record".to_owned())
    )]
    Corrupt {
        run_id: String,
        /// The row's line in the file; `None` for a cell of the run itself.
        line: Option<usize>,
        column: &'static str,
        reason: String,
    },
}

pub type Result<T, E = JournalError> = std::result::Result<T, E>;

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RunStatus {
    /// Being driven, or interrupted by a crash (then nobody holds its lock).
    Running,
    /// Stopped by the user; resumable.
    Cancelled,
    /// Stopped by a problem that concerns every row (credentials, permissions, network);
    /// resumable once it is fixed.
    Interrupted,
    /// Every row has a final status.
    Finished,
}

impl RunStatus {
    fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Finished => "finished",
        }
    }

    fn parse(text: &str) -> Option<RunStatus> {
        [
            RunStatus::Running,
            RunStatus::Cancelled,
            RunStatus::Interrupted,
            RunStatus::Finished,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// Where a row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RowStatus {
    /// Nothing sent yet.
    Pending,
    /// The create (or restore) may have been sent; its outcome is not known yet.
    Sending,
    /// Created by this run.
    Created,
    /// Already in the org (found by the plan, or by a conflict on create).
    Existed,
    /// A soft-deleted user brought back by this run.
    Restored,
    /// Left out by the deleted-user policy.
    Skipped,
    /// Genesys refused it (the error is on the row).
    Failed,
    /// The file or the plan found errors in it.
    Invalid,
}

impl RowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Pending => "pending",
            RowStatus::Sending => "sending",
            RowStatus::Created => "created",
            RowStatus::Existed => "existed",
            RowStatus::Restored => "restored",
            RowStatus::Skipped => "skipped",
            RowStatus::Failed => "failed",
            RowStatus::Invalid => "invalid",
        }
    }

    fn parse(text: &str) -> Option<RowStatus> {
        [
            RowStatus::Pending,
            RowStatus::Sending,
            RowStatus::Created,
            RowStatus::Existed,
            RowStatus::Restored,
            RowStatus::Skipped,
            RowStatus::Failed,
            RowStatus::Invalid,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Whether the row needs no more work on its main step.
    pub fn is_final(self) -> bool {
        !matches!(self, RowStatus::Pending | RowStatus::Sending)
    }
}

/// A follow-up step of a row (setting the manager, sending the invitation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StepStatus {
    None,
    Pending,
    /// About to be sent, or sent with its answer not recorded yet: committed before the request
    /// goes out, so a crash cannot leave it looking unsent (an invitation found so on a resume
    /// may have gone out, and becomes `Unknown`).
    Sending,
    Done,
    Failed,
    /// Sent, answer lost (an invitation may or may not have gone out).
    Unknown,
}

impl StepStatus {
    const ALL: [StepStatus; 6] = [
        StepStatus::None,
        StepStatus::Pending,
        StepStatus::Sending,
        StepStatus::Done,
        StepStatus::Failed,
        StepStatus::Unknown,
    ];

    fn as_str(self) -> &'static str {
        match self {
            StepStatus::None => "none",
            StepStatus::Pending => "pending",
            StepStatus::Sending => "sending",
            StepStatus::Done => "done",
            StepStatus::Failed => "failed",
            StepStatus::Unknown => "unknown",
        }
    }

    fn parse(text: &str) -> Option<StepStatus> {
        StepStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A step after the create (or restore): what it adds to the user.
///
/// The order of the variants is the order of the results' columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StepKind {
    /// A restored user's move from Home (where Genesys keeps deleted users) to the row's
    /// division.
    Division,
    /// A restored user's name, title, department, work phone and manager, from the row.
    Profile,
    /// Roles with their divisions (one `bulkadd` per user).
    Roles,
    /// Routing skills with proficiency (up to 50 per call).
    Skills,
    /// Membership of one queue (batched per queue, up to 100 users per call).
    Queue,
    /// The user's work location.
    Location,
    /// The phone extension (the work phone is kept).
    Extension,
    /// The file's password, set after the create (`POST /api/v2/users/{id}/password`). The
    /// password itself is never journaled.
    Password,
}

impl StepKind {
    pub const ALL: [StepKind; 8] = [
        StepKind::Division,
        StepKind::Profile,
        StepKind::Roles,
        StepKind::Skills,
        StepKind::Queue,
        StepKind::Location,
        StepKind::Extension,
        StepKind::Password,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Division => "division",
            StepKind::Profile => "profile",
            StepKind::Roles => "roles",
            StepKind::Skills => "skills",
            StepKind::Queue => "queue",
            StepKind::Location => "location",
            StepKind::Extension => "extension",
            StepKind::Password => "password",
        }
    }

    /// What the admin calls it, as a column title: `Roles`, `Queues`, `Division`.
    pub fn title(self) -> &'static str {
        match self {
            StepKind::Division => "Division",
            StepKind::Profile => "Profile",
            StepKind::Roles => "Roles",
            StepKind::Skills => "Skills",
            StepKind::Queue => "Queues",
            StepKind::Location => "Location",
            StepKind::Extension => "Extension",
            StepKind::Password => "Password",
        }
    }

    fn parse(text: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One post-creation step of one row, as the journal keeps it. A crash resumes at the step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepRecord {
    pub kind: StepKind,
    /// The queue's id for a queue step; empty for the others.
    pub item: String,
    /// What the admin knows it by (`Support`, `Agent (Sales), Supervisor (Home)`).
    pub label: String,
    pub status: StepStatus,
    pub error: Option<String>,
}

/// Genesys's refusal, as kept on a row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    pub code: Option<String>,
    pub message: String,
    pub correlation_id: Option<String>,
}

impl RowError {
    pub fn from_genesys(error: &crate::genesys::GenesysError) -> RowError {
        RowError {
            code: error.code().map(str::to_owned),
            message: error.to_string(),
            correlation_id: error.correlation_id().map(str::to_owned),
        }
    }
}

/// A run as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    pub id: String,
    /// Seconds since the Unix epoch.
    pub created_at: u64,
    pub updated_at: u64,
    pub source_name: String,
    pub source_path: Option<String>,
    /// The API base or region the run talks to.
    pub endpoint: String,
    pub client_id: String,
    /// The profile it was started from, when it was.
    pub profile: Option<String>,
    pub options: PlanOptions,
    /// The file's header, for the exports.
    pub headers: Vec<String>,
    pub status: RunStatus,
    pub message: Option<String>,
    pub total: usize,
}

/// One row as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalRow {
    pub index: usize,
    pub line: usize,
    pub email: Option<String>,
    pub name: Option<String>,
    pub action: RowAction,
    /// The file's cells (the password cell blanked).
    pub raw: Vec<String>,
    /// What to send to create the user, without its password.
    #[serde(skip)]
    pub body: Option<CreateUser>,
    /// Whether the file gave a password (needed again on a resume).
    pub has_password: bool,
    pub manager: Option<ManagerRef>,
    pub depth: u32,
    pub existing_user_id: Option<String>,
    pub existing_version: Option<i64>,
    pub status: RowStatus,
    pub user_id: Option<String>,
    pub version: Option<i64>,
    pub manager_step: StepStatus,
    pub invite_step: StepStatus,
    pub error: Option<RowError>,
    pub attempts: u32,
    pub note: Option<String>,
    /// What the row adds after the create, resolved to ids by the plan.
    pub extras: Option<crate::plan::RowSteps>,
    /// Its post-creation steps.
    pub steps: Vec<StepRecord>,
}

impl JournalRow {
    /// Whether something after the create failed: the manager, the invitation or a step.
    pub fn any_step_failed(&self) -> bool {
        self.manager_step == StepStatus::Failed
            || self.invite_step == StepStatus::Failed
            || self.steps.iter().any(|s| s.status == StepStatus::Failed)
    }
}

/// A change to one row. Applied in order, in a group commit.
#[derive(Debug, Clone)]
pub enum RowUpdate {
    /// About to send the create (or restore): committed before the request goes out.
    Intent {
        index: usize,
    },
    /// Settled or reverted: nothing is known to exist, the row may be sent again.
    Pending {
        index: usize,
        note: Option<String>,
    },
    Created {
        index: usize,
        user_id: String,
        version: i64,
        note: Option<String>,
    },
    Existed {
        index: usize,
        user_id: Option<String>,
        note: Option<String>,
    },
    Restored {
        index: usize,
        user_id: String,
        version: i64,
    },
    Skipped {
        index: usize,
        note: Option<String>,
    },
    Failed {
        index: usize,
        error: RowError,
    },
    Manager {
        index: usize,
        step: StepStatus,
        version: Option<i64>,
        note: Option<String>,
    },
    Invite {
        index: usize,
        step: StepStatus,
        note: Option<String>,
    },
    /// A post-creation step settled.
    Step {
        index: usize,
        kind: StepKind,
        item: String,
        status: StepStatus,
        error: Option<String>,
    },
    /// A request and its outcome, for the attempts log.
    Attempt {
        index: usize,
        step: &'static str,
        outcome: String,
        status: Option<u16>,
        correlation_id: Option<String>,
    },
    /// The run's own status.
    Run {
        status: RunStatus,
        message: Option<String>,
    },
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    source_name TEXT NOT NULL,
    source_path TEXT,
    endpoint TEXT NOT NULL,
    client_id TEXT NOT NULL,
    profile TEXT,
    options TEXT NOT NULL,
    headers TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT,
    owner_pid INTEGER,
    total INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS rows (
    run_id TEXT NOT NULL REFERENCES runs(id),
    idx INTEGER NOT NULL,
    line INTEGER NOT NULL,
    email TEXT,
    name TEXT,
    action TEXT NOT NULL,
    raw TEXT NOT NULL,
    body TEXT,
    has_password INTEGER NOT NULL,
    manager TEXT,
    depth INTEGER NOT NULL,
    existing_user_id TEXT,
    existing_version INTEGER,
    status TEXT NOT NULL,
    user_id TEXT,
    version INTEGER,
    manager_step TEXT NOT NULL,
    invite_step TEXT NOT NULL,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    note TEXT,
    PRIMARY KEY (run_id, idx)
);
CREATE TABLE IF NOT EXISTS attempts (
    run_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    at INTEGER NOT NULL,
    step TEXT NOT NULL,
    outcome TEXT NOT NULL,
    status INTEGER,
    correlation_id TEXT
);
CREATE INDEX IF NOT EXISTS attempts_by_row ON attempts(run_id, idx);
CREATE TABLE IF NOT EXISTS steps (
    run_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    kind TEXT NOT NULL,
    item TEXT NOT NULL,
    label TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    PRIMARY KEY (run_id, idx, kind, item)
);
";

/// Columns and steps added after the first release, for journals created before them.
fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let has_extras = conn
        .prepare("SELECT 1 FROM pragma_table_info('rows') WHERE name = 'extras'")?
        .exists([])?;
    if !has_extras {
        conn.execute_batch("ALTER TABLE rows ADD COLUMN extras TEXT")?;
    }
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version < 1 {
        add_password_and_restore_steps(conn)?;
        conn.pragma_update(None, "user_version", 1)?;
    }
    Ok(())
}

/// Journal version 1: a password is set by its own step after the create, and a restore is
/// followed by the move to the row's division and the row's profile (which carries the
/// manager). Rows of older journals that have not been sent yet get those steps, so a resume
/// neither creates a user without the file's password nor leaves a restored user in Home.
fn add_password_and_restore_steps(conn: &Connection) -> rusqlite::Result<()> {
    let mut select = conn.prepare(
        "SELECT run_id, idx, action, body, has_password, manager FROM rows
         WHERE status IN ('pending', 'sending')",
    )?;
    // A damaged cell is left for `Journal::rows` to report, naming its run and row.
    let waiting = select
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, usize>(1)?,
                serde_json::from_str::<RowAction>(&row.get::<_, String>(2)?).ok(),
                row.get::<_, Option<String>>(3)?
                    .and_then(|b| serde_json::from_str::<StoredBody>(&b).ok())
                    .map(StoredBody::into_create),
                row.get::<_, bool>(4)?,
                row.get::<_, Option<String>>(5)?
                    .and_then(|m| serde_json::from_str::<ManagerRef>(&m).ok()),
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut insert = conn.prepare(
        "INSERT OR IGNORE INTO steps (run_id, idx, kind, item, label, status)
         VALUES (?1, ?2, ?3, '', ?4, 'pending')",
    )?;
    for (run, index, action, body, has_password, manager) in waiting {
        if has_password {
            insert.execute(params![
                run,
                index,
                StepKind::Password.as_str(),
                PASSWORD_LABEL
            ])?;
        }
        let Some(body) = body.filter(|_| action == Some(RowAction::Restore)) else {
            continue;
        };
        // The division's name is not in older journals: its id stands in.
        let division = body.division_id.clone().unwrap_or_default();
        insert.execute(params![run, index, StepKind::Division.as_str(), division])?;
        insert.execute(params![
            run,
            index,
            StepKind::Profile.as_str(),
            profile_label(&body, manager.as_ref())
        ])?;
        conn.execute(
            "UPDATE rows SET manager_step = 'none' WHERE run_id = ?1 AND idx = ?2",
            params![run, index],
        )?;
    }
    Ok(())
}

/// How the results name a password step (never the password).
pub(crate) const PASSWORD_LABEL: &str = "from the file";

/// How the results name a restored user's profile step: what it sets, from the row.
pub(crate) fn profile_label(body: &CreateUser, manager: Option<&ManagerRef>) -> String {
    let mut parts = vec![body.name.clone()];
    parts.extend(body.title.clone());
    parts.extend(body.department.clone());
    parts.extend(
        body.addresses
            .iter()
            .filter(|a| a.is_work_phone())
            .filter_map(|a| a.address.clone()),
    );
    if let Some(manager) = manager {
        let (ManagerRef::Existing { email, .. } | ManagerRef::Row { email, .. }) = manager;
        parts.push(format!("manager {email}"));
    }
    parts.join(", ")
}

/// A connection to the journal.
pub struct Journal {
    conn: Connection,
    path: Option<PathBuf>,
}

impl Journal {
    /// Open (or create) the journal file.
    pub fn open(path: &Path) -> Result<Journal> {
        // Every row's name and e-mail is in it: this user's only (SQLite gives its -wal and
        // -shm files the journal's own mode). A failure shows as SQLite's, just below.
        let _ = crate::paths::create_private_file(path);
        let open = || -> rusqlite::Result<Connection> {
            let conn = Connection::open(path)?;
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            // FULL: a commit is on disk when it returns, so an intent survives a power cut too.
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.execute_batch(SCHEMA)?;
            migrate(&conn)?;
            Ok(conn)
        };
        let conn = open().map_err(|source| JournalError::Open {
            path: path.to_owned(),
            source,
        })?;
        Ok(Journal {
            conn,
            path: Some(path.to_owned()),
        })
    }

    /// A journal in memory (for benchmarks and tests that measure the journal's cost).
    pub fn in_memory() -> Result<Journal> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(SCHEMA)?;
        migrate(&conn)?;
        Ok(Journal { conn, path: None })
    }

    /// The file behind this journal.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Record a new run and its rows.
    pub fn create_run(&mut self, run: &RunRecord, rows: &[JournalRow]) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO runs (id, created_at, updated_at, source_name, source_path, endpoint,
                client_id, profile, options, headers, status, message, owner_pid, total)
             VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                run.id,
                run.created_at,
                run.source_name,
                run.source_path,
                run.endpoint,
                run.client_id,
                run.profile,
                json(&run.options),
                json(&run.headers),
                run.status.as_str(),
                run.message,
                std::process::id(),
                run.total,
            ],
        )?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO rows (run_id, idx, line, email, name, action, raw, body,
                    has_password, manager, depth, existing_user_id, existing_version, status,
                    user_id, version, manager_step, invite_step, error, attempts, note, extras)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                    ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
            )?;
            let mut insert_step = tx.prepare(
                "INSERT INTO steps (run_id, idx, kind, item, label, status, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for row in rows {
                // The password is not stored: the body is written field by field without it.
                let body = row.body.as_ref().map(|body| {
                    let mut body = body.clone();
                    body.password = None;
                    json(&body)
                });
                insert.execute(params![
                    run.id,
                    row.index,
                    row.line,
                    row.email,
                    row.name,
                    json(&row.action),
                    json(&row.raw),
                    body,
                    row.has_password,
                    row.manager.as_ref().map(json),
                    row.depth,
                    row.existing_user_id,
                    row.existing_version,
                    row.status.as_str(),
                    row.user_id,
                    row.version,
                    row.manager_step.as_str(),
                    row.invite_step.as_str(),
                    row.error.as_ref().map(json),
                    row.attempts,
                    row.note,
                    row.extras.as_ref().map(json),
                ])?;
                for step in &row.steps {
                    insert_step.execute(params![
                        run.id,
                        row.index,
                        step.kind.as_str(),
                        step.item,
                        step.label,
                        step.status.as_str(),
                        step.error,
                    ])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Apply updates in one transaction.
    pub fn apply(&mut self, run_id: &str, updates: &[RowUpdate]) -> Result<()> {
        let tx = self.conn.transaction()?;
        let now = now();
        for update in updates {
            apply_one(&tx, run_id, now, update)?;
        }
        tx.execute(
            "UPDATE runs SET updated_at = ?2 WHERE id = ?1",
            params![run_id, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Record that this process drives the run.
    pub fn set_owner(&self, run_id: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE runs SET owner_pid = ?2, status = 'running', updated_at = ?3 WHERE id = ?1",
            params![run_id, std::process::id(), now()],
        )?;
        Ok(())
    }

    /// The process that last drove the run.
    pub fn owner(&self, run_id: &str) -> Result<Option<u32>> {
        Ok(self
            .conn
            .query_row(
                "SELECT owner_pid FROM runs WHERE id = ?1",
                params![run_id],
                |row| row.get::<_, Option<u32>>(0),
            )
            .optional()?
            .flatten())
    }

    /// One run.
    pub fn run(&self, run_id: &str) -> Result<RunRecord> {
        self.conn
            .query_row(
                &format!("{RUN_COLUMNS} WHERE id = ?1"),
                params![run_id],
                StoredRun::read,
            )
            .optional()?
            .ok_or_else(|| JournalError::NoSuchRun(run_id.to_owned()))?
            .decode()
    }

    /// Every run, newest first.
    pub fn runs(&self) -> Result<Vec<RunRecord>> {
        let mut statement = self.conn.prepare(&format!(
            "{RUN_COLUMNS} ORDER BY created_at DESC, rowid DESC"
        ))?;
        let runs = statement
            .query_map([], StoredRun::read)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        runs.into_iter().map(StoredRun::decode).collect()
    }

    /// The rows of a run, in file order. A cell that holds what Rollcall never writes is a
    /// [`JournalError::Corrupt`] naming the run, the row and the column.
    pub fn rows(&self, run_id: &str) -> Result<Vec<JournalRow>> {
        let mut statement = self.conn.prepare(
            "SELECT idx, line, email, name, action, raw, body, has_password, manager, depth,
                existing_user_id, existing_version, status, user_id, version, manager_step,
                invite_step, error, attempts, note, extras
             FROM rows WHERE run_id = ?1 ORDER BY idx",
        )?;
        let stored = statement
            .query_map(params![run_id], StoredRow::read)?
            .collect::<rusqlite::Result<Vec<StoredRow>>>()?;
        let mut rows = stored
            .into_iter()
            .map(|row| row.decode(run_id))
            .collect::<Result<Vec<JournalRow>>>()?;
        let mut statement = self.conn.prepare(
            "SELECT idx, kind, item, label, status, error FROM steps WHERE run_id = ?1
             ORDER BY idx, rowid",
        )?;
        let steps = statement.query_map(params![run_id], |row| {
            Ok((
                row.get::<_, usize>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, Option<String>>(5)?,
            ))
        })?;
        for step in steps {
            let (index, kind, item, label, status, error) = step?;
            let Some(row) = rows.get_mut(index) else {
                continue;
            };
            let cell = Cell::of_row(run_id, row.line);
            row.steps.push(StepRecord {
                kind: cell.known("steps.kind", &kind, StepKind::parse)?,
                item,
                label,
                status: cell.known("steps.status", &status, StepStatus::parse)?,
                error,
            });
        }
        Ok(rows)
    }

    /// Record the org a run writes to, for a run whose journal did not say (see
    /// [`crate::run::resume_org`]): the user agreed to go on in `org`, and is not asked again.
    pub fn record_org(&self, run_id: &str, org: &crate::run::RunOrg) -> Result<()> {
        let changed = self.conn.execute(
            "UPDATE runs SET endpoint = ?2, client_id = ?3, profile = COALESCE(profile, ?4)
             WHERE id = ?1 AND (endpoint = '' OR client_id = '')",
            params![run_id, org.endpoint, org.client_id, org.profile],
        )?;
        if changed == 0 {
            self.run(run_id)?;
        }
        Ok(())
    }

    /// How many requests were sent for a row's main step.
    pub fn attempts(&self, run_id: &str, index: usize) -> Result<Vec<(String, String)>> {
        let mut statement = self.conn.prepare(
            "SELECT step, outcome FROM attempts WHERE run_id = ?1 AND idx = ?2 ORDER BY rowid",
        )?;
        let rows = statement
            .query_map(params![run_id, index], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

const RUN_COLUMNS: &str = "SELECT id, created_at, updated_at, source_name, source_path, endpoint,
    client_id, profile, options, headers, status, message, total FROM runs";

/// A run's cells as SQLite has them, before they are checked.
struct StoredRun {
    id: String,
    created_at: u64,
    updated_at: u64,
    source_name: String,
    source_path: Option<String>,
    endpoint: String,
    client_id: String,
    profile: Option<String>,
    options: String,
    headers: String,
    status: String,
    message: Option<String>,
    total: usize,
}

impl StoredRun {
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredRun> {
        Ok(StoredRun {
            id: row.get(0)?,
            created_at: row.get(1)?,
            updated_at: row.get(2)?,
            source_name: row.get(3)?,
            source_path: row.get(4)?,
            endpoint: row.get(5)?,
            client_id: row.get(6)?,
            profile: row.get(7)?,
            options: row.get(8)?,
            headers: row.get(9)?,
            status: row.get(10)?,
            message: row.get(11)?,
            total: row.get(12)?,
        })
    }

    fn decode(self) -> Result<RunRecord> {
        let cell = Cell::of_run(&self.id);
        Ok(RunRecord {
            options: cell.json("options", &self.options)?,
            headers: cell.json("headers", &self.headers)?,
            status: cell.known("status", &self.status, RunStatus::parse)?,
            id: self.id,
            created_at: self.created_at,
            updated_at: self.updated_at,
            source_name: self.source_name,
            source_path: self.source_path,
            endpoint: self.endpoint,
            client_id: self.client_id,
            profile: self.profile,
            message: self.message,
            total: self.total,
        })
    }
}

/// A row's cells as SQLite has them, before they are checked.
struct StoredRow {
    index: usize,
    line: usize,
    email: Option<String>,
    name: Option<String>,
    action: String,
    raw: String,
    body: Option<String>,
    has_password: bool,
    manager: Option<String>,
    depth: u32,
    existing_user_id: Option<String>,
    existing_version: Option<i64>,
    status: String,
    user_id: Option<String>,
    version: Option<i64>,
    manager_step: String,
    invite_step: String,
    error: Option<String>,
    attempts: u32,
    note: Option<String>,
    extras: Option<String>,
}

impl StoredRow {
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredRow> {
        Ok(StoredRow {
            index: row.get(0)?,
            line: row.get(1)?,
            email: row.get(2)?,
            name: row.get(3)?,
            action: row.get(4)?,
            raw: row.get(5)?,
            body: row.get(6)?,
            has_password: row.get(7)?,
            manager: row.get(8)?,
            depth: row.get(9)?,
            existing_user_id: row.get(10)?,
            existing_version: row.get(11)?,
            status: row.get(12)?,
            user_id: row.get(13)?,
            version: row.get(14)?,
            manager_step: row.get(15)?,
            invite_step: row.get(16)?,
            error: row.get(17)?,
            attempts: row.get(18)?,
            note: row.get(19)?,
            extras: row.get(20)?,
        })
    }

    fn decode(self, run_id: &str) -> Result<JournalRow> {
        let cell = Cell::of_row(run_id, self.line);
        Ok(JournalRow {
            index: self.index,
            line: self.line,
            email: self.email,
            name: self.name,
            action: cell.json("action", &self.action)?,
            raw: cell.json("raw", &self.raw)?,
            body: self
                .body
                .map(|b| cell.json::<StoredBody>("body", &b))
                .transpose()?
                .map(StoredBody::into_create),
            has_password: self.has_password,
            manager: self.manager.map(|m| cell.json("manager", &m)).transpose()?,
            depth: self.depth,
            existing_user_id: self.existing_user_id,
            existing_version: self.existing_version,
            status: cell.known("status", &self.status, RowStatus::parse)?,
            user_id: self.user_id,
            version: self.version,
            manager_step: cell.known("manager_step", &self.manager_step, StepStatus::parse)?,
            invite_step: cell.known("invite_step", &self.invite_step, StepStatus::parse)?,
            error: self.error.map(|e| cell.json("error", &e)).transpose()?,
            attempts: self.attempts,
            note: self.note,
            extras: self.extras.map(|e| cell.json("extras", &e)).transpose()?,
            steps: Vec::new(),
        })
    }
}

/// Where a cell being read sits, to name it when it is damaged.
#[derive(Clone, Copy)]
struct Cell<'a> {
    run_id: &'a str,
    line: Option<usize>,
}

impl<'a> Cell<'a> {
    fn of_run(run_id: &'a str) -> Cell<'a> {
        Cell { run_id, line: None }
    }

    fn of_row(run_id: &'a str, line: usize) -> Cell<'a> {
        Cell {
            run_id,
            line: Some(line),
        }
    }

    /// One of the words Rollcall writes in `column` (a status, a kind of step).
    fn known<T>(
        self,
        column: &'static str,
        text: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T> {
        parse(text).ok_or_else(|| {
            corrupt(
                self.run_id,
                self.line,
                column,
                format!("{:?} is not a value Rollcall writes there", excerpt(text)),
            )
        })
    }

    /// The JSON Rollcall writes in `column`.
    fn json<T: serde::de::DeserializeOwned>(self, column: &'static str, text: &str) -> Result<T> {
        serde_json::from_str(text).map_err(|e| {
            corrupt(
                self.run_id,
                self.line,
                column,
                format!(
                    "{:?} is not what Rollcall writes there ({e})",
                    excerpt(text)
                ),
            )
        })
    }
}

fn corrupt(
    run_id: &str,
    line: Option<usize>,
    column: &'static str,
    reason: String,
) -> JournalError {
    JournalError::Corrupt {
        run_id: run_id.to_owned(),
        line,
        column,
        reason,
    }
}

/// The start of a damaged cell, for the message (a body can be long).
fn excerpt(text: &str) -> String {
    const SHOWN: usize = 60;
    match text.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// A row that ends without its user (failed, skipped, found to exist) takes none of its steps.
fn no_steps(tx: &rusqlite::Transaction<'_>, run: &str, index: usize) -> Result<()> {
    tx.execute(
        "UPDATE steps SET status = 'none' WHERE run_id = ?1 AND idx = ?2 AND status = 'pending'",
        params![run, index],
    )?;
    Ok(())
}

fn apply_one(
    tx: &rusqlite::Transaction<'_>,
    run: &str,
    now: u64,
    update: &RowUpdate,
) -> Result<()> {
    match update {
        RowUpdate::Intent { index } => {
            tx.execute(
                "UPDATE rows SET status = 'sending', attempts = attempts + 1
                 WHERE run_id = ?1 AND idx = ?2",
                params![run, index],
            )?;
        }
        RowUpdate::Pending { index, note } => {
            tx.execute(
                "UPDATE rows SET status = 'pending', note = COALESCE(?3, note)
                 WHERE run_id = ?1 AND idx = ?2",
                params![run, index, note],
            )?;
        }
        RowUpdate::Created {
            index,
            user_id,
            version,
            note,
        } => {
            tx.execute(
                "UPDATE rows SET status = 'created', user_id = ?3, version = ?4,
                    note = COALESCE(?5, note), error = NULL
                 WHERE run_id = ?1 AND idx = ?2",
                params![run, index, user_id, version, note],
            )?;
        }
        RowUpdate::Existed {
            index,
            user_id,
            note,
        } => {
            tx.execute(
                "UPDATE rows SET status = 'existed', user_id = COALESCE(?3, user_id),
                    note = COALESCE(?4, note), manager_step = 'none', invite_step = 'none'
                 WHERE run_id = ?1 AND idx = ?2",
                params![run, index, user_id, note],
            )?;
            no_steps(tx, run, *index)?;
        }
        RowUpdate::Restored {
            index,
            user_id,
            version,
        } => {
            tx.execute(
                "UPDATE rows SET status = 'restored', user_id = ?3, version = ?4, error = NULL
                 WHERE run_id = ?1 AND idx = ?2",
                params![run, index, user_id, version],
            )?;
        }
        RowUpdate::Skipped { index, note } => {
            tx.execute(
                "UPDATE rows SET status = 'skipped', note = COALESCE(?3, note),
                    manager_step = 'none', invite_step = 'none'
                 WHERE run_id = ?1 AND idx = ?2",
                params![run, index, note],
            )?;
            no_steps(tx, run, *index)?;
        }
        RowUpdate::Failed { index, error } => {
            tx.execute(
                "UPDATE rows SET status = 'failed', error = ?3, manager_step = 'none',
                    invite_step = 'none'
                 WHERE run_id = ?1 AND idx = ?2",
                params![run, index, json(error)],
            )?;
            no_steps(tx, run, *index)?;
        }
        RowUpdate::Step {
            index,
            kind,
            item,
            status,
            error,
        } => {
            tx.execute(
                "UPDATE steps SET status = ?5, error = ?6
                 WHERE run_id = ?1 AND idx = ?2 AND kind = ?3 AND item = ?4",
                params![run, index, kind.as_str(), item, status.as_str(), error],
            )?;
        }
        RowUpdate::Manager {
            index,
            step,
            version,
            note,
        } => {
            tx.execute(
                "UPDATE rows SET manager_step = ?3, version = COALESCE(?4, version),
                    note = COALESCE(?5, note)
                 WHERE run_id = ?1 AND idx = ?2",
                params![run, index, step.as_str(), version, note],
            )?;
        }
        RowUpdate::Invite { index, step, note } => {
            tx.execute(
                "UPDATE rows SET invite_step = ?3, note = COALESCE(?4, note)
                 WHERE run_id = ?1 AND idx = ?2",
                params![run, index, step.as_str(), note],
            )?;
        }
        RowUpdate::Attempt {
            index,
            step,
            outcome,
            status,
            correlation_id,
        } => {
            tx.execute(
                "INSERT INTO attempts (run_id, idx, at, step, outcome, status, correlation_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![run, index, now, step, outcome, status, correlation_id],
            )?;
        }
        RowUpdate::Run { status, message } => {
            tx.execute(
                "UPDATE runs SET status = ?2, message = ?3 WHERE id = ?1",
                params![run, status.as_str(), message],
            )?;
        }
    }
    Ok(())
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("journal values serialise")
}

/// The stored create body (no password field at all).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredBody {
    name: String,
    email: String,
    #[serde(default)]
    division_id: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    department: Option<String>,
    #[serde(default)]
    addresses: Vec<crate::genesys::Contact>,
    #[serde(default)]
    state: Option<crate::genesys::UserState>,
}

impl StoredBody {
    fn into_create(self) -> CreateUser {
        CreateUser {
            name: self.name,
            email: self.email,
            division_id: self.division_id,
            password: None,
            title: self.title,
            department: self.department,
            addresses: self.addresses,
            state: self.state,
        }
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Seconds since the Unix epoch, as the journal stamps runs (0 on a clock before 1970).
pub fn unix_now() -> u64 {
    now()
}

/// The one writer of a journal: a thread that group-commits what queues up.
#[derive(Clone)]
pub struct JournalWriter {
    tx: std_mpsc::Sender<Job>,
}

struct Job {
    updates: Vec<RowUpdate>,
    done: oneshot::Sender<Result<(), String>>,
}

impl JournalWriter {
    /// Start the writer thread for `run_id` on `journal`.
    pub fn start(mut journal: Journal, run_id: String) -> JournalWriter {
        let (tx, rx) = std_mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("rollcall-journal".to_owned())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut jobs = vec![first];
                    while let Ok(more) = rx.try_recv() {
                        jobs.push(more);
                        if jobs.len() >= 512 {
                            break;
                        }
                    }
                    let updates: Vec<RowUpdate> = jobs
                        .iter()
                        .flat_map(|j| j.updates.iter().cloned())
                        .collect();
                    let outcome = journal.apply(&run_id, &updates).map_err(|e| e.to_string());
                    for job in jobs {
                        let _ = job.done.send(outcome.clone());
                    }
                }
            })
            .expect("journal thread");
        JournalWriter { tx }
    }

    /// Write updates and wait until they are committed.
    pub async fn write(&self, updates: Vec<RowUpdate>) -> Result<(), String> {
        let (done, committed) = oneshot::channel();
        self.tx
            .send(Job { updates, done })
            .map_err(|_| JournalError::WriterGone.to_string())?;
        committed
            .await
            .map_err(|_| JournalError::WriterGone.to_string())?
    }
}

/// Proof that this process drives a run: an OS file lock, released when the process ends
/// however it ends.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    path: PathBuf,
}

impl RunLock {
    /// Take the lock of `run_id` in `lock_dir`, or say who holds it.
    pub fn acquire(lock_dir: &Path, run_id: &str, journal: &Journal) -> Result<RunLock> {
        crate::paths::create_private_dir(lock_dir).map_err(|source| JournalError::Lock {
            run_id: run_id.to_owned(),
            source,
        })?;
        let path = lock_dir.join(format!("{run_id}.lock"));
        let file = crate::paths::private_file_options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| JournalError::Lock {
                run_id: run_id.to_owned(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock { _file: file, path }),
            Err(std::fs::TryLockError::WouldBlock) => Err(JournalError::Busy {
                run_id: run_id.to_owned(),
                pid: journal.owner(run_id).ok().flatten(),
            }),
            Err(std::fs::TryLockError::Error(source)) => Err(JournalError::Lock {
                run_id: run_id.to_owned(),
                source,
            }),
        }
    }

    /// Whether some process holds the lock of `run_id` right now.
    pub fn is_held(lock_dir: &Path, run_id: &str) -> bool {
        let path = lock_dir.join(format!("{run_id}.lock"));
        match File::open(&path) {
            Ok(file) => matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock)),
            Err(_) => false,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}
