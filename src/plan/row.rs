//! What the plan decides for one row of the file.

use serde::{Deserialize, Serialize};

use super::steps::RowSteps;
use super::unknown::{NameSuggestion, Problems};
use crate::genesys::CreateUser;

/// What a row will do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RowAction {
    /// Create the user.
    Create,
    /// An active or inactive user has this e-mail: nothing to do.
    Exists,
    /// A user has this e-mail and the file adds something they do not have yet — roles,
    /// queues, skills, languages, groups, a location, an extension, a changed employer value or
    /// auto-answer, a phone (with [`PlanOptions::update_existing`]).
    Update,
    /// A soft-deleted user has this e-mail and the policy is to restore it.
    Restore,
    /// A soft-deleted user has this e-mail and the policy is to skip the row.
    SkipDeleted,
    /// A soft-deleted user has this e-mail and the policy is to fail the row.
    FailDeleted,
    /// The row has errors (from the file or from the plan).
    #[default]
    Invalid,
}

/// Who a row's manager is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ManagerRef {
    /// A user already in the org.
    Existing { user_id: String, email: String },
    /// Another row of the file, created (or restored) first.
    Row { index: usize, email: String },
}

/// The plan for one row of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedRow {
    /// Position in the file's rows (0-based).
    pub index: usize,
    /// The line in the file.
    pub line: usize,
    /// The e-mail: the draft's, or for a row with errors what its e-mail cell says, so that
    /// the admin can find it.
    pub email: Option<String>,
    /// The name, likewise.
    pub name: Option<String>,
    pub action: RowAction,
    /// The division the user goes to.
    pub division_id: Option<String>,
    pub division_name: Option<String>,
    pub manager: Option<ManagerRef>,
    /// The existing user with this e-mail.
    pub existing_user_id: Option<String>,
    pub existing_version: Option<i64>,
    /// How many managers sit above this row within the file: rows go in order of depth.
    pub depth: u32,
    /// The errors that make the row invalid.
    pub problems: Vec<String>,
    /// Things worth knowing that do not block the row.
    pub notes: Vec<String>,
    /// The names in the row's cells that the org does not have, each with the org's closest
    /// names: the data behind the "did you mean" in `problems`, so that the window can offer
    /// the fix as a replacement.
    #[serde(default)]
    pub suggestions: Vec<NameSuggestion>,
    /// What the row adds after the create (or to the existing user, for an update), resolved
    /// to ids.
    #[serde(default)]
    pub steps: Option<RowSteps>,
    /// The body of the create call, for a row to create or restore: what the run sends but
    /// the password, which the plan keeps apart with the other rows' passwords. Not for the
    /// window.
    #[serde(skip)]
    pub body: Option<CreateUser>,
    /// The row's cells as the file has them (password cells blank), which the run's exports
    /// give back. Not for the window.
    #[serde(skip)]
    pub raw: Vec<String>,
}

impl PlannedRow {
    /// Make the row invalid for `problems`, each message naming the row's line.
    pub(super) fn fail(&mut self, problems: Problems) {
        let line = self.line;
        self.problems.extend(
            problems
                .messages
                .into_iter()
                .map(|problem| format!("line {line}: {problem}")),
        );
        self.suggestions.extend(problems.unknown);
        self.action = RowAction::Invalid;
    }
}
