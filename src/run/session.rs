//! A run session: what every face of Rollcall (the CLI, the desktop shell) does around the
//! engine, written once. A session is a journaled run made ready to drive: a new one from a
//! plan, or an unfinished one picked from the journal and checked before anything is sent (its
//! rows read whole, its org the run's own, the file's passwords read again, the pool sized for
//! what is left). Driving it takes the client, the settle policy, where events go and the
//! control; the engine's pacer decides how many requests each token has in flight.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};

use super::engine::{self, RunContext, RunControl, SettlePolicy};
use super::events::{EventSender, Progress, RunSummary, StopReason};
use super::export::{self, ExportKind};
use super::journal::{Journal, JournalRow, RunRecord, RunStatus};
use super::lock::RunLock;
use super::org::{resume_org, ResumeOrg, RunOrg};
use super::{record_run, RunError, RunOrigin};
use crate::genesys::GenesysClient;
use crate::import::{file_digest, import_bytes, ImportOptions, UserDraft};
use crate::paths::AppDirs;
use crate::plan::{auto_pool_size, rate_in_use, Plan, RateSource};
use crate::secrets::Secret;

/// A journaled run, ready to drive.
pub struct Session {
    journal: Journal,
    record: RunRecord,
    lock_dir: PathBuf,
    passwords: HashMap<usize, Secret>,
    pool_size: u8,
    rate_per_minute: u32,
}

impl Session {
    /// Journal a new run of `plan` and make it ready. Nothing is sent.
    pub fn start(dirs: &AppDirs, plan: &Plan, origin: &RunOrigin) -> Result<Session, RunError> {
        let mut journal = Journal::open(&dirs.journal())?;
        let record = record_run(&mut journal, plan, origin)?;
        Ok(Session {
            journal,
            record,
            lock_dir: dirs.run_locks(),
            passwords: plan.passwords.clone(),
            pool_size: plan.pool_size,
            rate_per_minute: plan.allowance_per_minute,
        })
    }

    /// The run `run_id`, or when none is named the latest unfinished run no process drives,
    /// read whole: a damaged journal stops here, before anything is sent.
    pub fn pick(dirs: &AppDirs, run_id: Option<&str>) -> Result<Resumable, RunError> {
        let journal = Journal::open(&dirs.journal())?;
        let lock_dir = dirs.run_locks();
        let record = match run_id {
            Some(id) => journal.run(id)?,
            None => journal
                .runs()?
                .into_iter()
                .find(|r| r.status != RunStatus::Finished && !RunLock::is_held(&lock_dir, &r.id))
                .ok_or(RunError::NothingToResume)?,
        };
        if record.status == RunStatus::Finished {
            return Err(RunError::Finished(record.id));
        }
        let rows = journal.rows(&record.id)?;
        Ok(Resumable {
            journal,
            record,
            rows,
            lock_dir,
        })
    }

    /// The run as the journal has it.
    pub fn record(&self) -> &RunRecord {
        &self.record
    }

    /// Tokens in the pool.
    pub fn pool_size(&self) -> u8 {
        self.pool_size
    }

    /// Requests per minute per token the run paces to.
    pub fn rate_per_minute(&self) -> u32 {
        self.rate_per_minute
    }

    /// Drive the run until every row is final, or it is cancelled or interrupted. Events go to
    /// `events` as they happen, never waiting for their reader.
    pub async fn drive(
        self,
        client: GenesysClient,
        settle: SettlePolicy,
        events: EventSender,
        control: RunControl,
    ) -> Result<RunSummary, RunError> {
        let context = RunContext {
            client,
            lock_dir: self.lock_dir,
            pool_size: self.pool_size,
            rate_per_minute: self.rate_per_minute,
            settle,
            invite: self.record.options.invite,
            passwords: self.passwords,
            events,
            control,
        };
        engine::drive(self.journal, &self.record.id, context).await
    }
}

/// An unfinished run picked from the journal, not yet known to be safe to drive from here.
pub struct Resumable {
    journal: Journal,
    record: RunRecord,
    rows: Vec<JournalRow>,
    lock_dir: PathBuf,
}

impl Resumable {
    /// The run as the journal has it.
    pub fn record(&self) -> &RunRecord {
        &self.record
    }

    /// Rows whose create (or restore) is still to do.
    pub fn rows_left(&self) -> usize {
        self.rows.iter().filter(|r| !r.status.is_final()).count()
    }

    /// Whether the run may go on in `org`: `None` in the run's own org, a question to ask when
    /// the journal does not say which org that is, and an error for another org.
    pub fn question_for(&self, org: &RunOrg) -> Result<Option<String>, RunError> {
        match resume_org(&self.record, org).map_err(RunError::from)? {
            ResumeOrg::Same => Ok(None),
            ResumeOrg::Unrecorded { question } => Ok(Some(question)),
        }
    }

    /// Record that the run goes on in `org`, once the user agreed (so they are not asked again).
    pub fn record_org(&self, org: &RunOrg) -> Result<(), RunError> {
        Ok(self.journal.record_org(
            &self.record.id,
            &org.endpoint,
            &org.client_id,
            org.profile.as_deref(),
        )?)
    }

    /// The rate to pace at, decided as a plan decides it: `chosen` (the command line's), else
    /// the run's own option, else `profile`'s (a raised org limit), else the org's. The answer
    /// does not hold on to the run, whose journal stays put while the org is asked.
    pub fn rate<'c>(
        &self,
        client: &'c GenesysClient,
        chosen: Option<u32>,
        profile: Option<u32>,
    ) -> impl Future<Output = (u32, RateSource)> + 'c {
        let setting = chosen.or(self.record.options.rate_per_minute).or(profile);
        rate_in_use(client, setting)
    }

    /// Ready to drive at `rate_per_minute` per token: the pool sized for what is left (unless
    /// the run chose its own), and the passwords read again from the original file, as long as
    /// it is the very file the run was read from. Passwords are never journaled; a row whose
    /// password cannot be read again fails rather than being created without it. Reads the
    /// file: call it where blocking is allowed.
    pub fn into_session(self, rate_per_minute: u32) -> Session {
        let pool_size = self
            .record
            .options
            .pool_size
            .unwrap_or_else(|| auto_pool_size(self.rows_left() as u32, rate_per_minute));
        let passwords = self.passwords();
        Session {
            journal: self.journal,
            record: self.record,
            lock_dir: self.lock_dir,
            passwords,
            pool_size,
            rate_per_minute,
        }
    }

    /// The passwords the run has still to send, read again from its file, each row's from the
    /// row on its line (a session may have removed rows, so positions no longer match the
    /// file's). Only a file with the digest the run recorded is read: any other may hold other
    /// passwords on the same lines. A run journaled before digests has only the e-mail to tell
    /// that a line still holds its row.
    fn passwords(&self) -> HashMap<usize, Secret> {
        let waiting: Vec<&JournalRow> = self.rows.iter().filter(|r| r.needs_password()).collect();
        let Some(path) = self
            .record
            .source_path
            .as_deref()
            .map(Path::new)
            .filter(|_| !waiting.is_empty())
        else {
            return HashMap::new();
        };
        let run = &self.record.id;
        let options = ImportOptions::default();
        let bytes = match std::fs::metadata(path) {
            // A file grown past what an import reads cannot be the run's own.
            Ok(meta) if meta.len() > options.max_bytes => return HashMap::new(),
            Ok(_) => std::fs::read(path),
            Err(e) => Err(e),
        };
        let bytes = match bytes {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::warn!(%run, "the file's passwords cannot be read again: {e}");
                return HashMap::new();
            }
        };
        let recorded = self.record.source_digest.as_deref();
        if recorded.is_some_and(|digest| digest != file_digest(&bytes)) {
            tracing::warn!(%run, "the file changed since the run started: its passwords are not read");
            return HashMap::new();
        }
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let report = match import_bytes(&bytes, &file_name, &options) {
            Ok(report) => report,
            Err(e) => {
                tracing::warn!(%run, "the file's passwords cannot be read again: {e}");
                return HashMap::new();
            }
        };
        let drafts: HashMap<usize, &UserDraft> = report
            .rows
            .iter()
            .filter_map(|row| Some((row.line, row.draft.as_deref()?)))
            .collect();
        waiting
            .into_iter()
            .filter_map(|row| {
                let draft = drafts.get(&row.line)?;
                let same_row = recorded.is_some() || row.email.as_ref() == Some(&draft.email);
                Some((row.index, draft.password.clone().filter(|_| same_row)?))
            })
            .collect()
    }
}

/// Where a run stands for the history: a run marked running that no process drives was
/// interrupted (the process that drove it ended without saying).
pub fn effective_status(record: &RunRecord, lock_dir: &Path) -> RunStatus {
    match record.status {
        RunStatus::Running if !RunLock::is_held(lock_dir, &record.id) => RunStatus::Interrupted,
        status => status,
    }
}

/// The summary of a run that could not be driven at all (its journal, its lock): interrupted,
/// saying why.
pub fn interrupted(run_id: &str, error: &RunError) -> RunSummary {
    RunSummary {
        run_id: run_id.to_owned(),
        status: RunStatus::Interrupted,
        message: Some(error.to_string()),
        stop_reason: matches!(error, RunError::Journal(_)).then_some(StopReason::Journal),
        progress: Progress::default(),
    }
}

/// The files a run's end leaves in a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exports {
    pub results: PathBuf,
    /// The failed rows, when a row or a step failed.
    pub failed_rows: Option<PathBuf>,
    /// What to tell the admin about the files.
    pub advice: Option<&'static str>,
    /// Whether something after a create failed (the manager, a role, the password…), as the
    /// journal has it: the progress counts do not include all of these.
    pub step_failed: bool,
}

/// Write the results of run `run_id` into `out_dir`, and its failed rows when there are any.
pub fn write_exports(dirs: &AppDirs, run_id: &str, out_dir: &Path) -> Result<Exports, String> {
    let journal = Journal::open(&dirs.journal()).map_err(|e| e.to_string())?;
    let record = journal.run(run_id).map_err(|e| e.to_string())?;
    let rows = journal.rows(run_id).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let save = |kind: ExportKind| {
        let path = out_dir.join(kind.file_name(&record));
        kind.save(&record, &rows, &path)
            .map(|summary| (path.clone(), summary))
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    let (results, summary) = save(ExportKind::Results)?;
    let failed_rows = if rows.iter().any(export::is_failed) {
        Some(save(ExportKind::FailedRows)?.0)
    } else {
        None
    };
    Ok(Exports {
        results,
        failed_rows,
        advice: summary.advice(),
        step_failed: rows.iter().any(JournalRow::any_step_failed),
    })
}
