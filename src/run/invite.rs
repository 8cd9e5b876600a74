//! *Invite later*: Genesys's invitation for a past run's created users who have not been
//! invited, the CLI's `rollcall invite RUN_ID` and the window's *Send invitations…* alike.
//!
//! The journal's invitation step of each row is the one record of who was invited, so nobody is
//! invited twice: the step turns `sending` before the request goes out, and a crash between the
//! send and the answer's record leaves it so; found again, such an invitation is reported as
//! possibly sent and never repeated. The run's lock is held throughout, so neither a resume
//! nor a second *Invite later* sends alongside.

use std::path::PathBuf;

use super::journal::{attempt_record, Journal, JournalRow, RowStatus, RowUpdate, RunRecord};
use super::lock::RunLock;
use super::org::{resume_org, ResumeOrg, RunOrg};
use super::{RunError, StepStatus};
use crate::genesys::{GenesysClient, GenesysError, Reply};
use crate::paths::AppDirs;

/// Why an invitation found mid-send is not sent again.
pub(crate) const INVITATION_IN_DOUBT: &str = "The invitation may have been sent (Rollcall \
                                              stopped before its answer was recorded); check in \
                                              Genesys Cloud before sending it again.";

/// Whether an invitation may go to `row`'s user: the run created it, and no invitation has
/// gone out or may have (never asked for, left pending by a stopped run, or refused).
pub fn is_invitable(row: &JournalRow) -> bool {
    row.status == RowStatus::Created
        && row.user_id.is_some()
        && matches!(
            row.invite_step,
            StepStatus::None | StepStatus::Pending | StepStatus::Failed
        )
}

/// The updates that settle the invitations a crash left mid-send (their intent committed, no
/// answer recorded): each may have gone out, so it is reported as unknown, never sent again.
pub(crate) fn settle_in_doubt<'a>(
    rows: impl IntoIterator<Item = &'a JournalRow>,
) -> Vec<RowUpdate> {
    rows.into_iter()
        .filter(|r| r.invite_step == StepStatus::Sending)
        .map(|r| RowUpdate::Invite {
            index: r.index,
            step: StepStatus::Unknown,
            note: Some(INVITATION_IN_DOUBT.to_owned()),
        })
        .collect()
}

/// How an invitation's request went, as the row's invitation step records it.
pub(crate) fn invitation_settled(
    index: usize,
    result: &Result<Reply<()>, GenesysError>,
) -> RowUpdate {
    let (step, note) = match result {
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
    RowUpdate::Invite { index, step, note }
}

/// What *Invite later* did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteSummary {
    /// Invitations Genesys accepted.
    pub sent: usize,
    /// Rows whose invitation was refused, with why: (line, e-mail, note).
    pub failed: Vec<(usize, String, String)>,
    /// Invitations that may have gone out (a lost answer, or one a crash left mid-send):
    /// never sent again.
    pub in_doubt: usize,
    /// Why the rest were not sent: the org refused the credentials or a permission.
    pub stopped: Option<String>,
}

/// A past run's invitations still to send, read from the journal.
pub struct Invitations {
    journal: Journal,
    record: RunRecord,
    rows: Vec<JournalRow>,
    lock_dir: PathBuf,
}

impl Invitations {
    /// The run `run_id` of the journal in `dirs`.
    pub fn pick(dirs: &AppDirs, run_id: &str) -> Result<Invitations, RunError> {
        Invitations::of(Journal::open(&dirs.journal())?, dirs.run_locks(), run_id)
    }

    /// The run `run_id` of `journal`, whose locks are in `lock_dir`.
    pub fn of(journal: Journal, lock_dir: PathBuf, run_id: &str) -> Result<Invitations, RunError> {
        let record = journal.run(run_id)?;
        let rows = journal.rows(run_id)?;
        Ok(Invitations {
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

    /// How many users an invitation would go to.
    pub fn count(&self) -> usize {
        self.rows.iter().filter(|r| is_invitable(r)).count()
    }

    /// Whether the invitations may go out in `org`: `None` in the run's own org, a question to
    /// ask when the journal does not say which org that is, and an error for another org (its
    /// user ids are not the run's users).
    pub fn question_for(&self, org: &RunOrg) -> Result<Option<String>, RunError> {
        match resume_org(&self.record, org).map_err(RunError::from)? {
            ResumeOrg::Same => Ok(None),
            ResumeOrg::Unrecorded { question } => Ok(Some(question)),
        }
    }

    /// Send the invitations with `client`, one at a time (the client keeps the org's pace),
    /// each journaled before it goes out and once it is answered.
    pub async fn send(mut self, client: &GenesysClient) -> Result<InviteSummary, RunError> {
        let _lock = RunLock::acquire(&self.lock_dir, &self.record.id, &self.journal)?;
        // Read again under the lock: a resume may have run since the rows were read.
        self.rows = self.journal.rows(&self.record.id)?;
        let run_id = self.record.id.clone();
        let mut summary = InviteSummary::default();
        let in_doubt = settle_in_doubt(&self.rows);
        summary.in_doubt += in_doubt.len();
        if !in_doubt.is_empty() {
            self.journal.apply(&run_id, &in_doubt)?;
        }
        let to_send: Vec<(usize, usize, String, String)> = self
            .rows
            .iter()
            .filter(|r| is_invitable(r))
            .filter_map(|r| {
                let user_id = r.user_id.clone()?;
                Some((
                    r.index,
                    r.line,
                    r.email.clone().unwrap_or_default(),
                    user_id,
                ))
            })
            .collect();
        for (index, line, email, user_id) in to_send {
            // The intent first: from here on a crash leaves it looking possibly sent.
            let intent = RowUpdate::Invite {
                index,
                step: StepStatus::Sending,
                note: None,
            };
            self.journal.apply(&run_id, &[intent])?;
            let result = client.invite_user(&user_id).await;
            let settled = invitation_settled(index, &result);
            if let RowUpdate::Invite { step, note, .. } = &settled {
                match step {
                    StepStatus::Done => summary.sent += 1,
                    StepStatus::Unknown => summary.in_doubt += 1,
                    _ => summary
                        .failed
                        .push((line, email, note.clone().unwrap_or_default())),
                }
            }
            let attempt = attempt_record(index, "invite", &result);
            self.journal.apply(&run_id, &[attempt, settled])?;
            if let Err(e) = &result {
                // Without access, every other invitation would be refused the same way.
                if e.is_auth_or_permission() {
                    summary.stopped = Some(e.to_string());
                    break;
                }
            }
        }
        Ok(summary)
    }
}
