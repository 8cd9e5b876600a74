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

mod attempt;
mod records;
mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};

pub(crate) use attempt::attempt_record;
pub(crate) use records::{profile_label, PASSWORD_LABEL};
pub use records::{
    JournalRow, RowError, RowStatus, RowUpdate, RunRecord, RunStatus, StepKind, StepRecord,
    StepStatus,
};
pub use writer::JournalWriter;

use schema::{json, migrate, Cell, StoredRow, StoredRun, RUN_COLUMNS, SCHEMA};

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
            "INSERT INTO runs (id, created_at, updated_at, source_name, source_path,
                source_digest, edited, endpoint, client_id, profile, options, headers, status,
                message, owner_pid, total)
             VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                run.id,
                run.created_at,
                run.source_name,
                run.source_path,
                run.source_digest,
                run.edited,
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
                    user_id, version, manager_step, invite_step, error, attempts, note, step_plan)
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
                    row.step_plan.as_ref().map(json),
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
                invite_step, error, attempts, note, step_plan
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

    /// Record the org a run writes to (its endpoint, OAuth client and profile), for a run whose
    /// journal did not say: the user agreed to go on in that org, and is not asked again.
    pub fn record_org(
        &self,
        run_id: &str,
        endpoint: &str,
        client_id: &str,
        profile: Option<&str>,
    ) -> Result<()> {
        let changed = self.conn.execute(
            "UPDATE runs SET endpoint = ?2, client_id = ?3, profile = COALESCE(profile, ?4)
             WHERE id = ?1 AND (endpoint = '' OR client_id = '')",
            params![run_id, endpoint, client_id, profile],
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

#[cfg(test)]
mod tests;
