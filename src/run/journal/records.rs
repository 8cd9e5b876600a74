//! What the journal keeps of a run and its rows, and the one state machine of a row:
//! [`JournalRow::apply`] turns a [`RowUpdate`] into the row's next state, in the engine's memory,
//! and the journal's writer persists the very same update.

use serde::{Deserialize, Serialize};

use crate::genesys::CreateUser;
use crate::plan::{ManagerRef, PlanOptions, RowAction};

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
    pub(super) fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Finished => "finished",
        }
    }

    pub(super) fn parse(text: &str) -> Option<RunStatus> {
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

    pub(super) fn parse(text: &str) -> Option<RowStatus> {
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

    pub(super) fn as_str(self) -> &'static str {
        match self {
            StepStatus::None => "none",
            StepStatus::Pending => "pending",
            StepStatus::Sending => "sending",
            StepStatus::Done => "done",
            StepStatus::Failed => "failed",
            StepStatus::Unknown => "unknown",
        }
    }

    pub(super) fn parse(text: &str) -> Option<StepStatus> {
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
    /// Employer info, in the row's `PATCH` (with the location and extension, when it has them).
    Employer,
    /// ACD auto-answer: in the row's `PATCH`, or batched in `PATCH /users/bulk` (50 a call).
    AutoAnswer,
    /// Membership of one group (batched per group, up to 50 users per call).
    Group,
    /// Routing languages with proficiency (up to 50 per call).
    Languages,
    /// The user's external id.
    ExternalId,
    /// A WebRTC phone made the user's default station (looked up before it is created).
    Phone,
}

impl StepKind {
    pub const ALL: [StepKind; 14] = [
        StepKind::Division,
        StepKind::Profile,
        StepKind::Roles,
        StepKind::Skills,
        StepKind::Queue,
        StepKind::Location,
        StepKind::Extension,
        StepKind::Password,
        StepKind::Employer,
        StepKind::AutoAnswer,
        StepKind::Group,
        StepKind::Languages,
        StepKind::ExternalId,
        StepKind::Phone,
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
            StepKind::Employer => "employer",
            StepKind::AutoAnswer => "autoAnswer",
            StepKind::Group => "group",
            StepKind::Languages => "languages",
            StepKind::ExternalId => "externalId",
            StepKind::Phone => "phone",
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
            StepKind::Employer => "Employer info",
            StepKind::AutoAnswer => "Auto-answer",
            StepKind::Group => "Groups",
            StepKind::Languages => "Languages",
            StepKind::ExternalId => "External ID",
            StepKind::Phone => "Phone",
        }
    }

    pub(super) fn parse(text: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One step of one row after its create, as the journal keeps it. A crash resumes at the step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepRecord {
    pub kind: StepKind,
    /// The queue's or group's id for a queue or group step; empty for the others.
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
    /// The digest ([`crate::import::file_digest`]) of the file the rows were read from; `None`
    /// for a run journaled before digests were. A resume reads passwords again only from a
    /// file with this digest.
    #[serde(default)]
    pub source_digest: Option<String>,
    /// Whether the rows were edited after they were read from the file (the journal keeps
    /// them as edited, each with its line in the file).
    #[serde(default)]
    pub edited: bool,
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
    /// What the row's steps send (roles, skills, queues, location, extension), resolved to ids
    /// by the plan.
    pub step_plan: Option<crate::plan::RowSteps>,
    /// Its steps after the create, each with how it went.
    pub steps: Vec<StepRecord>,
}

impl JournalRow {
    /// Whether the run has still to send this row's password: with its create (the password
    /// step follows it) or in the step alone, for a user created already.
    pub fn needs_password(&self) -> bool {
        self.steps
            .iter()
            .any(|s| s.kind == StepKind::Password && s.status == StepStatus::Pending)
    }

    /// Whether something after the create failed: the manager, the invitation or a step.
    pub fn any_step_failed(&self) -> bool {
        self.manager_step == StepStatus::Failed
            || self.invite_step == StepStatus::Failed
            || self.steps.iter().any(|s| s.status == StepStatus::Failed)
    }

    /// The row after `update`: the one place a row's state changes. The engine applies each
    /// update to its copy in memory once the journal has committed it, and the journal's writer
    /// persists the same update (see `writer.rs`), so both hold the same row. An update of
    /// another row, or of the run itself, changes nothing here.
    pub fn apply(&mut self, update: &RowUpdate) {
        if update.index() != Some(self.index) {
            return;
        }
        match update {
            RowUpdate::Intent { .. } => {
                self.status = RowStatus::Sending;
                self.attempts += 1;
            }
            RowUpdate::Pending { note, .. } => {
                self.status = RowStatus::Pending;
                self.keep_note(note);
            }
            RowUpdate::Created {
                user_id,
                version,
                note,
                ..
            } => {
                self.status = RowStatus::Created;
                self.user_id = Some(user_id.clone());
                self.version = Some(*version);
                self.error = None;
                self.keep_note(note);
            }
            RowUpdate::Existed { user_id, note, .. } => {
                self.status = RowStatus::Existed;
                if user_id.is_some() {
                    self.user_id = user_id.clone();
                }
                self.keep_note(note);
                self.without_user();
            }
            RowUpdate::Restored {
                user_id, version, ..
            } => {
                self.status = RowStatus::Restored;
                self.user_id = Some(user_id.clone());
                self.version = Some(*version);
                self.error = None;
            }
            RowUpdate::Skipped { note, .. } => {
                self.status = RowStatus::Skipped;
                self.keep_note(note);
                self.without_user();
            }
            RowUpdate::Failed { error, .. } => {
                self.status = RowStatus::Failed;
                self.error = Some(error.clone());
                self.without_user();
            }
            RowUpdate::Manager {
                step,
                version,
                note,
                ..
            } => {
                self.manager_step = *step;
                if version.is_some() {
                    self.version = *version;
                }
                self.keep_note(note);
            }
            RowUpdate::Invite { step, note, .. } => {
                self.invite_step = *step;
                self.keep_note(note);
            }
            RowUpdate::Step {
                kind,
                item,
                status,
                error,
                ..
            } => {
                if let Some(step) = self
                    .steps
                    .iter_mut()
                    .find(|s| s.kind == *kind && &s.item == item)
                {
                    step.status = *status;
                    step.error = error.clone();
                }
            }
            RowUpdate::Version { version, .. } => self.version = Some(*version),
            RowUpdate::Attempt { .. } | RowUpdate::Run { .. } => {}
        }
    }

    /// A note replaces the row's note; no note keeps it.
    fn keep_note(&mut self, note: &Option<String>) {
        if note.is_some() {
            self.note = note.clone();
        }
    }

    /// A row that ends without its user (failed, skipped, found to exist) takes none of its
    /// follow-ups and none of its steps still to do.
    fn without_user(&mut self) {
        self.manager_step = StepStatus::None;
        self.invite_step = StepStatus::None;
        for step in &mut self.steps {
            if step.status == StepStatus::Pending {
                step.status = StepStatus::None;
            }
        }
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
    /// A step settled.
    Step {
        index: usize,
        kind: StepKind,
        item: String,
        status: StepStatus,
        error: Option<String>,
    },
    /// The user's version after a write of a step (the next write goes with it).
    Version {
        index: usize,
        version: i64,
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

impl RowUpdate {
    /// The row it changes; `None` for the run's own status.
    pub fn index(&self) -> Option<usize> {
        match self {
            RowUpdate::Intent { index }
            | RowUpdate::Pending { index, .. }
            | RowUpdate::Created { index, .. }
            | RowUpdate::Existed { index, .. }
            | RowUpdate::Restored { index, .. }
            | RowUpdate::Skipped { index, .. }
            | RowUpdate::Failed { index, .. }
            | RowUpdate::Manager { index, .. }
            | RowUpdate::Invite { index, .. }
            | RowUpdate::Step { index, .. }
            | RowUpdate::Version { index, .. }
            | RowUpdate::Attempt { index, .. } => Some(*index),
            RowUpdate::Run { .. } => None,
        }
    }
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
