//! Runs: turning a plan into a journaled run, driving it (the engine), its events, and the
//! results it exports.

pub mod engine;
pub mod events;
pub mod export;
pub mod invite;
pub mod journal;
mod lock;
pub mod org;
pub mod session;

/// The passwords of a report's rows, by row index, as a plan carries them to its run.
pub use crate::plan::passwords;
pub use engine::{drive, RunContext, RunControl, SettlePolicy};
pub use events::{EventReceiver, EventSender, Progress, RunEvent, RunSummary, StopReason};
pub use invite::{Invitations, InviteSummary};
pub use journal::{
    Journal, JournalError, JournalRow, RowError, RowStatus, RunRecord, RunStatus, StepKind,
    StepRecord, StepStatus,
};
pub use lock::RunLock;
pub use org::{resume_org, OtherOrg, ResumeOrg, RunOrg, BUILT_IN_SANDBOX};
pub use session::{Resumable, Session};

use crate::genesys::CreateUser;
use crate::plan::{Plan, PlannedRow, RowAction};

/// Why a run could not go on.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// A resume's settings point at another org than the run's own.
    #[error(transparent)]
    OtherOrg(#[from] Box<OtherOrg>),
    /// The run asked for has every row final already.
    #[error("Run {0} is already finished.")]
    Finished(String),
    /// No run is left to resume: every run is finished, or being driven.
    #[error("Nothing to resume: there is no unfinished run that no process is driving.")]
    NothingToResume,
    #[error("{0}")]
    Internal(String),
}

/// Where a run comes from, for the journal and the history.
#[derive(Debug, Clone, Default)]
pub struct RunOrigin {
    pub source_name: String,
    pub source_path: Option<String>,
    /// The digest ([`crate::import::file_digest`]) of the bytes the rows were read from, so
    /// that a resume reads passwords again only from that very file.
    pub source_digest: Option<String>,
    /// Whether the rows were edited after they were read (the plan was made from the edits).
    pub edited: bool,
    pub endpoint: String,
    pub client_id: String,
    pub profile: Option<String>,
}

/// Journal a new run for `plan`, and return its record. Nothing is sent.
pub fn record_run(
    journal: &mut Journal,
    plan: &Plan,
    origin: &RunOrigin,
) -> Result<RunRecord, JournalError> {
    let id = new_run_id();
    let now = journal::unix_now();
    let record = RunRecord {
        id,
        created_at: now,
        updated_at: now,
        source_name: origin.source_name.clone(),
        source_path: origin.source_path.clone(),
        source_digest: origin.source_digest.clone(),
        edited: origin.edited,
        endpoint: origin.endpoint.clone(),
        client_id: origin.client_id.clone(),
        profile: origin.profile.clone(),
        options: plan.options.clone(),
        headers: plan.headers.clone(),
        status: RunStatus::Running,
        message: None,
        total: plan.rows.len(),
    };
    let rows: Vec<JournalRow> = plan
        .rows
        .iter()
        .map(|planned| {
            let (status, error, note) = match planned.action {
                RowAction::Create | RowAction::Restore => (RowStatus::Pending, None, None),
                RowAction::Exists | RowAction::Update => {
                    (RowStatus::Existed, None, planned.notes.first().cloned())
                }
                RowAction::SkipDeleted => {
                    (RowStatus::Skipped, None, planned.notes.first().cloned())
                }
                RowAction::FailDeleted => (
                    RowStatus::Failed,
                    Some(RowError {
                        code: Some("general.conflict".to_owned()),
                        message: "A deleted user has this e-mail (the policy is to fail such \
                                  rows; choose \"restore\" to bring the user back)."
                            .to_owned(),
                        correlation_id: None,
                    }),
                    None,
                ),
                RowAction::Invalid => (
                    RowStatus::Invalid,
                    Some(RowError {
                        code: Some("invalid.row".to_owned()),
                        message: planned.problems.join(" "),
                        correlation_id: None,
                    }),
                    None,
                ),
            };
            let has_password = plan.passwords.contains_key(&planned.index);
            let steps = planned_steps(planned, planned.body.as_ref(), has_password);
            JournalRow {
                index: planned.index,
                line: planned.line,
                email: planned.email.clone(),
                name: planned.name.clone(),
                action: planned.action,
                raw: planned.raw.clone(),
                has_password,
                body: planned.body.clone(),
                manager: planned.manager.clone(),
                depth: planned.depth,
                existing_user_id: planned.existing_user_id.clone(),
                existing_version: planned.existing_version,
                status,
                user_id: planned.existing_user_id.clone(),
                version: None,
                // A restore sets the manager with the rest of the row's profile.
                manager_step: if planned.action == RowAction::Create && planned.manager.is_some() {
                    StepStatus::Pending
                } else {
                    StepStatus::None
                },
                invite_step: if planned.action == RowAction::Create && plan.options.invite {
                    StepStatus::Pending
                } else {
                    StepStatus::None
                },
                error,
                attempts: 0,
                note: note.or_else(|| planned.notes.first().cloned()),
                steps,
                step_plan: planned.steps.clone(),
            }
        })
        .collect();
    journal.create_run(&record, &rows)?;
    Ok(record)
}

/// The steps of a planned row after its create (or restore), all pending: a restored user's
/// division and profile, the file's password, then what the row adds (roles, skills, queues,
/// location, extension) — the same for a restore as for a create.
fn planned_steps(
    planned: &PlannedRow,
    body: Option<&CreateUser>,
    has_password: bool,
) -> Vec<StepRecord> {
    let step = |kind, item: &str, label: String| StepRecord {
        kind,
        item: item.to_owned(),
        label,
        status: StepStatus::Pending,
        error: None,
    };
    let mut steps = Vec::new();
    if let (RowAction::Restore, Some(body)) = (planned.action, body) {
        let division = planned
            .division_name
            .clone()
            .or_else(|| body.division_id.clone())
            .unwrap_or_default();
        steps.push(step(StepKind::Division, "", division));
        steps.push(step(
            StepKind::Profile,
            "",
            journal::profile_label(body, planned.manager.as_ref()),
        ));
    }
    if has_password && matches!(planned.action, RowAction::Create | RowAction::Restore) {
        steps.push(step(
            StepKind::Password,
            "",
            journal::PASSWORD_LABEL.to_owned(),
        ));
    }
    let Some(plan) = planned.steps.as_ref().filter(|_| {
        matches!(
            planned.action,
            RowAction::Create | RowAction::Restore | RowAction::Update
        )
    }) else {
        return steps;
    };
    if !plan.roles.is_empty() {
        let roles: Vec<String> = plan
            .roles
            .iter()
            .map(crate::plan::PlannedGrant::label)
            .collect();
        steps.push(step(StepKind::Roles, "", roles.join(", ")));
    }
    if !plan.skills.is_empty() {
        let skills: Vec<String> = plan
            .skills
            .iter()
            .map(|s| format!("{}:{}", s.skill.name, s.proficiency))
            .collect();
        steps.push(step(StepKind::Skills, "", skills.join(", ")));
    }
    for queue in &plan.queues {
        steps.push(step(StepKind::Queue, &queue.id, queue.name.clone()));
    }
    if let Some(location) = &plan.location {
        steps.push(step(StepKind::Location, "", location.name.clone()));
    }
    if let Some(extension) = &plan.extension {
        steps.push(step(StepKind::Extension, "", extension.clone()));
    }
    let day1 = &plan.day1;
    if let Some(employer) = &day1.employer {
        steps.push(step(
            StepKind::Employer,
            "",
            crate::plan::employer_label(employer),
        ));
    }
    if let Some(on) = day1.acd_auto_answer {
        let label = if on { "on" } else { "off" };
        steps.push(step(StepKind::AutoAnswer, "", label.to_owned()));
    }
    for group in &day1.groups {
        steps.push(step(StepKind::Group, &group.id, group.name.clone()));
    }
    if !day1.languages.is_empty() {
        let languages: Vec<String> = day1
            .languages
            .iter()
            .map(|l| format!("{}:{}", l.skill.name, l.proficiency))
            .collect();
        steps.push(step(StepKind::Languages, "", languages.join(", ")));
    }
    if let Some(id) = &day1.external_id {
        let label = format!("{}:{}", id.authority_name, id.external_key);
        steps.push(step(StepKind::ExternalId, "", label));
    }
    if let Some(phone) = &day1.phone {
        let label = format!("{} on {}", phone.base.name, phone.site.name);
        steps.push(step(StepKind::Phone, "", label));
    }
    steps
}

/// A run id: sortable by time, unique.
fn new_run_id() -> String {
    let now = chrono_like_stamp();
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!("{now}-{}", &suffix[..6])
}

/// `YYYYMMDD-HHMMSS` in UTC, without a date crate.
fn chrono_like_stamp() -> String {
    let secs = journal::unix_now();
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_are_right() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_784), (2026, 11, 27));
    }
}
