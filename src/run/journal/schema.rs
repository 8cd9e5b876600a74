//! The journal's tables, the migrations of older journals, and how stored cells are read back
//! into records (never guessing: a cell Rollcall did not write is [`JournalError::Corrupt`]).

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use super::records::{
    profile_label, JournalRow, RowStatus, RunRecord, RunStatus, StepKind, StepStatus,
    PASSWORD_LABEL,
};
use super::{JournalError, Result};
use crate::genesys::CreateUser;
use crate::plan::{ManagerRef, RowAction};

pub(super) const SCHEMA: &str = "
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
pub(super) fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let has_column = |table: &str, name: &str| {
        conn.prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2")?
            .exists([table, name])
    };
    // The column of what a row's steps send was first called `extras`.
    if has_column("rows", "extras")? {
        conn.execute_batch("ALTER TABLE rows RENAME COLUMN extras TO step_plan")?;
    } else if !has_column("rows", "step_plan")? {
        conn.execute_batch("ALTER TABLE rows ADD COLUMN step_plan TEXT")?;
    }
    // A run's file identity: unknown (NULL) and unedited for the runs journaled before it.
    if !has_column("runs", "source_digest")? {
        conn.execute_batch("ALTER TABLE runs ADD COLUMN source_digest TEXT")?;
    }
    if !has_column("runs", "edited")? {
        conn.execute_batch("ALTER TABLE runs ADD COLUMN edited INTEGER NOT NULL DEFAULT 0")?;
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

pub(super) const RUN_COLUMNS: &str =
    "SELECT id, created_at, updated_at, source_name, source_path, endpoint,
    client_id, profile, options, headers, status, message, total, source_digest, edited
    FROM runs";

/// A run's cells as SQLite has them, before they are checked.
pub(super) struct StoredRun {
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
    source_digest: Option<String>,
    edited: bool,
}

impl StoredRun {
    pub(super) fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredRun> {
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
            source_digest: row.get(13)?,
            edited: row.get(14)?,
        })
    }

    pub(super) fn decode(self) -> Result<RunRecord> {
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
            source_digest: self.source_digest,
            edited: self.edited,
            endpoint: self.endpoint,
            client_id: self.client_id,
            profile: self.profile,
            message: self.message,
            total: self.total,
        })
    }
}

/// A row's cells as SQLite has them, before they are checked.
pub(super) struct StoredRow {
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
    step_plan: Option<String>,
}

impl StoredRow {
    pub(super) fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredRow> {
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
            step_plan: row.get(20)?,
        })
    }

    pub(super) fn decode(self, run_id: &str) -> Result<JournalRow> {
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
            step_plan: self
                .step_plan
                .map(|plan| cell.json("step_plan", &plan))
                .transpose()?,
            steps: Vec::new(),
        })
    }
}

/// Where a cell being read sits, to name it when it is damaged.
#[derive(Clone, Copy)]
pub(super) struct Cell<'a> {
    run_id: &'a str,
    line: Option<usize>,
}

impl<'a> Cell<'a> {
    fn of_run(run_id: &'a str) -> Cell<'a> {
        Cell { run_id, line: None }
    }

    pub(super) fn of_row(run_id: &'a str, line: usize) -> Cell<'a> {
        Cell {
            run_id,
            line: Some(line),
        }
    }

    /// One of the words Rollcall writes in `column` (a status, a kind of step).
    pub(super) fn known<T>(
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

pub(super) fn json<T: Serialize>(value: &T) -> String {
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
