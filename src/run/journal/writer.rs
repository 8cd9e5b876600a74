//! Writing updates: the SQL that persists each [`RowUpdate`] (the same update the engine
//! applies to its rows in memory), and the one writer thread that group-commits them.

use std::sync::mpsc as std_mpsc;

use rusqlite::params;
use tokio::sync::oneshot;

use super::records::RowUpdate;
use super::schema::json;
use super::{now, Journal, JournalError, Result};

/// A row that ends without its user (failed, skipped, found to exist) takes none of its steps.
fn no_steps(tx: &rusqlite::Transaction<'_>, run: &str, index: usize) -> Result<()> {
    tx.execute(
        "UPDATE steps SET status = 'none' WHERE run_id = ?1 AND idx = ?2 AND status = 'pending'",
        params![run, index],
    )?;
    Ok(())
}

impl Journal {
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
        RowUpdate::Version { index, version } => {
            tx.execute(
                "UPDATE rows SET version = ?3 WHERE run_id = ?1 AND idx = ?2",
                params![run, index, version],
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
