//! The plan: a dry run of an import against the live org. It reads the org (divisions, which
//! e-mails and external ids already exist, the roles, queues, skills, locations, languages,
//! groups, sites and phone base settings the file names, the model agents) and decides what
//! each row will do; it writes nothing.
//!
//! [`plan`] puts the rooms together: `existing` finds the users the file's e-mails and external
//! ids belong to, `managers` decides who reports to whom and in which order rows go, `resolve`
//! turns each row's names into what it adds after its create — `steps` the admin UI's columns,
//! `day1` languages, groups, employer info, auto-answer, external id and phone, `model` a model
//! agent's — and `estimate` prices the run. A room never reaches back into this one: the
//! row's own types sit in `row` and `named`, and the names the org lacks, each a problem and a
//! "did you mean" as data, in `unknown`.
//!
//! The plan carries everything its run sends: each row's create body and cells, and the rows'
//! passwords as secrets, so that the run is journaled from the plan alone.

mod day1;
mod estimate;
mod existing;
mod managers;
mod model;
mod named;
mod resolve;
mod row;
mod steps;
mod unknown;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use day1::{employer_label, Day1Steps, PlannedPhone};
pub use estimate::{auto_pool_size, estimate_seconds, StepTotals, MAX_POOL};
pub use existing::Lookup;
pub use named::{Named, PlannedSkill};
pub use row::{ManagerRef, PlannedRow, RowAction};
pub use steps::{PlannedGrant, RowSteps, ALL_DIVISIONS};
pub use unknown::NameSuggestion;

use crate::genesys::pacing::DEFAULT_RATE_PER_MINUTE;
use crate::genesys::{
    Contact, CreateUser, Division, ExternalId, GenesysClient, GenesysError, UserState,
};
use crate::import::{DivisionRef, Field, ImportReport, ImportedRow, UserDraft};
use crate::names::{did_you_mean, find_division, similar_names};
use crate::secrets::Secret;
use estimate::{planned_calls, step_totals};
use existing::{find_existing, owners_of_external_ids, OrgUser};
use managers::resolve_managers;
use resolve::resolve_steps;

/// What to do with a row whose e-mail belongs to a soft-deleted user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeletedPolicy {
    /// Bring the deleted user back (`PATCH state`), as Genesys's Terraform provider does.
    Restore,
    /// Leave the row out, with a note (the default: restoring is a decision for an admin).
    #[default]
    Skip,
    /// Report the row as failed.
    Fail,
}

/// The caller's choices for a plan (and the run that follows it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanOptions {
    /// Division (name or id) for rows that name none; the org's home division when `None`.
    pub default_division: Option<String>,
    pub deleted_policy: DeletedPolicy,
    /// Tokens to run with, 1 to 10; `None` picks enough to finish within about a minute.
    pub pool_size: Option<u8>,
    /// Send Genesys's invitation e-mail to each created user.
    pub invite: bool,
    /// Add the file's roles, queues, skills, languages, groups, location, extension, employer
    /// info, auto-answer, external id and phone to users that already exist (lists added to,
    /// never removed from, as the admin UI's import does; a blank cell clears nothing).
    #[serde(default)]
    pub update_existing: bool,
    /// Requests per minute per token, when the org's limit is known to differ from Genesys's
    /// default (the profile's figure, or the command line's): it wins over the figure the
    /// org's limits give.
    #[serde(default)]
    pub rate_per_minute: Option<u32>,
}

/// Where the rate a run paces at came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RateSource {
    /// Genesys's default, 300 per token per minute: nothing said otherwise.
    #[default]
    Default,
    /// The org's own limits (`client.credentials.token.rate.per.minute`).
    Org,
    /// The profile's or the command line's figure.
    Setting,
}

impl RateSource {
    /// Where the figure came from, in a few words for the plan's summary.
    pub fn describe(self) -> &'static str {
        match self {
            RateSource::Default => "Genesys's default; the org's limits could not be read",
            RateSource::Org => "from the org's limits",
            RateSource::Setting => "the profile's or the command line's setting",
        }
    }
}

/// Counts of each action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanCounts {
    pub total: usize,
    pub create: usize,
    pub exists: usize,
    pub restore: usize,
    pub skip_deleted: usize,
    pub fail_deleted: usize,
    pub invalid: usize,
    #[serde(default)]
    pub update: usize,
}

/// The whole dry run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub rows: Vec<PlannedRow>,
    pub counts: PlanCounts,
    pub options: PlanOptions,
    pub home_division: Division,
    pub default_division: Division,
    pub lookup: Lookup,
    /// API calls the plan made.
    pub calls_made: u32,
    /// API calls the run will make (creates, restores, manager updates, invitations).
    pub calls_planned: u32,
    /// Tokens the run will use.
    pub pool_size: u8,
    /// Requests per minute per token allowed by the org: the figure the run paces to (each
    /// token a little under it, see [`crate::genesys::pacing`]).
    pub allowance_per_minute: u32,
    /// Where that figure came from.
    #[serde(default)]
    pub rate_source: RateSource,
    /// How long the run should take at that rate.
    pub estimated_seconds: u64,
    /// The steps the run will take after the creates.
    #[serde(default)]
    pub steps: StepTotals,
    /// The file's header, which the run's exports give back. Not for the window.
    #[serde(skip)]
    pub headers: Vec<String>,
    /// The rows' initial passwords, by row index: the run sends them and nothing keeps them.
    /// Never serialized.
    #[serde(skip)]
    pub passwords: HashMap<usize, Secret>,
}

impl Plan {
    /// The lines of the rows the run sends a password for, in order. Passwords are never
    /// journaled: after a restart a resume reads them again from the file the run was read
    /// from, by line, so a row the session corrected from errors in that file would need its
    /// password again; the window warns about these lines in an edited session.
    pub fn password_lines(&self) -> Vec<usize> {
        let mut lines: Vec<usize> = self
            .rows
            .iter()
            .filter(|row| sends_password(row, &self.passwords))
            .map(|row| row.line)
            .collect();
        lines.sort_unstable();
        lines
    }
}

/// Whether the run sends `row`'s password: a user to create or restore, whose row gives one.
fn sends_password(row: &PlannedRow, passwords: &HashMap<usize, Secret>) -> bool {
    matches!(row.action, RowAction::Create | RowAction::Restore)
        && passwords.contains_key(&row.index)
}

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Genesys(#[from] GenesysError),
    #[error(
        "The default division \"{name}\" does not exist in this org.{}",
        did_you_mean(.suggestions)
    )]
    UnknownDefaultDivision {
        name: String,
        suggestions: Vec<String>,
    },
}

/// Make the plan for an imported file.
pub async fn plan(
    client: &GenesysClient,
    report: &ImportReport,
    options: &PlanOptions,
) -> Result<Plan, PlanError> {
    let started = Instant::now();
    let mut calls = 0u32;

    let (allowance_per_minute, rate_source) = rate_in_use(client, options.rate_per_minute).await;
    calls += u32::from(options.rate_per_minute.is_none());
    if rate_source != RateSource::Default {
        // A figure the admin or the org gave applies at once, to the plan's own reads too.
        client.set_rate_per_minute(allowance_per_minute);
    }

    let divisions = client.list_divisions().await?;
    calls += divisions.value.len().div_ceil(100).max(1) as u32;
    let divisions = divisions.value;
    let home = client.home_division().await?.value;
    calls += 1;
    let default_division = match &options.default_division {
        None => home.clone(),
        Some(wanted) => find_division(&divisions, wanted).cloned().ok_or_else(|| {
            PlanError::UnknownDefaultDivision {
                name: wanted.clone(),
                suggestions: similar_names(wanted, divisions.iter().map(|d| d.name.as_str())),
            }
        })?,
    };

    // Every e-mail the plan must know about: the rows' own, and the managers and model agents.
    let file_emails: HashSet<String> = report.valid_drafts().map(|d| d.email_key.clone()).collect();
    let mut wanted: Vec<String> = file_emails.iter().cloned().collect();
    for draft in report.valid_drafts() {
        // Managers and model agents from outside the file.
        for other in [&draft.manager_email, &draft.like].into_iter().flatten() {
            let key = other.to_lowercase();
            if !file_emails.contains(&key) && !wanted.contains(&key) {
                wanted.push(key);
            }
        }
    }
    wanted.sort();
    let (org_users, lookup, lookup_calls) = find_existing(client, &wanted).await?;
    calls += lookup_calls;

    let org = Org {
        divisions: &divisions,
        default_division: &default_division,
        users: &org_users,
        deleted_policy: options.deleted_policy,
    };
    let mut rows: Vec<PlannedRow> = report
        .rows
        .iter()
        .enumerate()
        .map(|(index, imported)| classify(index, imported, report, &org))
        .collect();
    calls += check_external_ids(client, report, &mut rows).await?;
    resolve_managers(&mut rows, report, &org_users);
    calls += resolve_steps(
        client, report, &divisions, &home, options, &org_users, &mut rows,
    )
    .await?;
    // Last, as any of the above may have found a row invalid.
    for row in &mut rows {
        let draft = report.rows[row.index].draft.as_deref();
        if let (RowAction::Create | RowAction::Restore, Some(draft), Some(division)) =
            (row.action, draft, row.division_id.as_deref())
        {
            row.body = Some(create_body(draft, division));
        }
    }

    let counts = count(&rows);
    let steps = step_totals(&rows);
    let passwords = passwords(report);
    let password_calls = rows
        .iter()
        .filter(|row| sends_password(row, &passwords))
        .count() as u32;
    let calls_planned = planned_calls(&rows, options.invite) + steps.calls + password_calls;
    let pool_size = options
        .pool_size
        .map(|p| p.clamp(1, MAX_POOL))
        .unwrap_or_else(|| auto_pool_size(calls_planned, allowance_per_minute));
    let average_call = if calls > 0 {
        started.elapsed() / calls
    } else {
        Duration::from_millis(250)
    };
    let estimated_seconds =
        estimate_seconds(calls_planned, pool_size, allowance_per_minute, average_call);
    Ok(Plan {
        rows,
        counts,
        options: options.clone(),
        home_division: home,
        default_division,
        lookup,
        calls_made: calls,
        calls_planned,
        pool_size,
        allowance_per_minute,
        rate_source,
        estimated_seconds,
        steps,
        headers: report.headers.clone(),
        passwords,
    })
}

/// The passwords of a report's rows, by row index: what a plan carries to its run (passwords
/// are never journaled; a resume reads them again from the file, by line).
pub fn passwords(report: &ImportReport) -> HashMap<usize, Secret> {
    report
        .rows
        .iter()
        .enumerate()
        .filter_map(|(index, row)| {
            // The report stays with the session (to plan again); the plan owns a copy.
            let password = row.draft.as_ref()?.password.clone()?;
            Some((index, password))
        })
        .collect()
}

/// The rate a run paces each token to, and where it came from: the setting (the profile's or
/// the command line's figure) when there is one, else the org's own limit when this client
/// may read it, else Genesys's default of 300. A plan and a resume decide it the same way.
pub async fn rate_in_use(client: &GenesysClient, setting: Option<u32>) -> (u32, RateSource) {
    if let Some(rate) = setting.filter(|r| *r > 0) {
        return (rate, RateSource::Setting);
    }
    match client.org_rate_limit().await {
        Ok(Some(rate)) => (rate, RateSource::Org),
        Ok(None) => (DEFAULT_RATE_PER_MINUTE, RateSource::Default),
        Err(e) => {
            // The figure is a refinement: the plan's next calls meet any real problem.
            tracing::warn!("the org's rate limits could not be read: {e}");
            (DEFAULT_RATE_PER_MINUTE, RateSource::Default)
        }
    }
}

/// A row to create whose external id already belongs to a user with another e-mail is a row
/// error: Rollcall never changes an e-mail, and two users must not share an HR id. Returns the
/// calls made.
async fn check_external_ids(
    client: &GenesysClient,
    report: &ImportReport,
    rows: &mut [PlannedRow],
) -> Result<u32, PlanError> {
    let wanted: Vec<(usize, ExternalId)> = rows
        .iter()
        .enumerate()
        .filter(|(_, row)| row.action == RowAction::Create)
        .filter_map(|(position, row)| {
            let id = report.rows[row.index]
                .draft
                .as_deref()?
                .external_id
                .as_ref()?;
            Some((
                position,
                ExternalId {
                    authority_name: id.authority.clone(),
                    external_key: id.key.clone(),
                },
            ))
        })
        .collect();
    if wanted.is_empty() {
        return Ok(0);
    }
    let (owners, calls) = owners_of_external_ids(client, wanted).await?;
    for (position, owner) in owners {
        let row = &mut rows[position];
        let own = row.email.as_deref().unwrap_or_default();
        if owner.eq_ignore_ascii_case(own) {
            continue;
        }
        let line = row.line;
        let id = report.rows[row.index]
            .draft
            .as_deref()
            .and_then(|d| d.external_id.as_ref())
            .map(|id| format!("{}:{}", id.authority, id.key))
            .unwrap_or_default();
        row.problems.push(format!(
            "line {line}: the external id {id} already belongs to {owner}, who has another \
             e-mail; Rollcall never changes an e-mail — correct the row's e-mail or its \
             external id."
        ));
        row.action = RowAction::Invalid;
    }
    Ok(calls)
}

fn count(rows: &[PlannedRow]) -> PlanCounts {
    let mut counts = PlanCounts {
        total: rows.len(),
        ..PlanCounts::default()
    };
    for row in rows {
        match row.action {
            RowAction::Create => counts.create += 1,
            RowAction::Exists => counts.exists += 1,
            RowAction::Update => counts.update += 1,
            RowAction::Restore => counts.restore += 1,
            RowAction::SkipDeleted => counts.skip_deleted += 1,
            RowAction::FailDeleted => counts.fail_deleted += 1,
            RowAction::Invalid => counts.invalid += 1,
        }
    }
    counts
}

/// What each row is weighed against: the org's divisions and users, and the caller's policy.
struct Org<'a> {
    divisions: &'a [Division],
    default_division: &'a Division,
    /// The users the file's e-mails belong to, by lowercased e-mail.
    users: &'a HashMap<String, OrgUser>,
    deleted_policy: DeletedPolicy,
}

/// What a row will do as far as its own cells and the org's users and divisions say (its
/// manager and its steps come after).
fn classify(index: usize, imported: &ImportedRow, report: &ImportReport, org: &Org) -> PlannedRow {
    let line = imported.line;
    let draft = imported.draft.as_deref();
    let mut row = PlannedRow {
        index,
        line,
        // A row with errors has no draft: name it by what its cells say.
        email: draft
            .map(|d| d.email.clone())
            .or_else(|| cell(report, &imported.raw, Field::Email)),
        name: draft
            .map(|d| d.name.clone())
            .or_else(|| cell(report, &imported.raw, Field::Name)),
        action: RowAction::Invalid,
        division_id: None,
        division_name: None,
        manager: None,
        existing_user_id: None,
        existing_version: None,
        depth: 0,
        problems: Vec::new(),
        notes: Vec::new(),
        suggestions: Vec::new(),
        steps: None,
        body: None,
        raw: imported.raw.clone(),
    };
    let Some(draft) = draft else {
        row.problems = report
            .issues_on(line)
            .filter(|i| i.is_error())
            .map(|i| i.to_string())
            .collect();
        return row;
    };
    let divisions = org.divisions;
    let division = match &draft.division {
        None => Some(org.default_division),
        Some(DivisionRef::Id(id)) => {
            let found = divisions.iter().find(|d| d.id.eq_ignore_ascii_case(id));
            if found.is_none() {
                row.problems.push(format!(
                    "line {line}: the division id {id} does not exist in this org."
                ));
            }
            found
        }
        Some(DivisionRef::Name(name)) => {
            let found = find_division(divisions, name);
            if found.is_none() {
                let suggestions = similar_names(name, divisions.iter().map(|d| d.name.as_str()));
                row.problems.push(format!(
                    "line {line}: the division \"{name}\" does not exist in this org.{}",
                    did_you_mean(&suggestions)
                ));
                row.suggestions.push(NameSuggestion {
                    field: Field::Division,
                    name: name.trim().to_owned(),
                    suggestions,
                });
            }
            found
        }
    };
    if let Some(division) = division {
        row.division_id = Some(division.id.clone());
        row.division_name = Some(division.name.clone());
    }
    if let Some(existing) = org.users.get(&draft.email_key) {
        row.existing_user_id = Some(existing.id.clone());
        row.existing_version = Some(existing.version);
        row.action = match (existing.state, org.deleted_policy) {
            (UserState::Deleted, DeletedPolicy::Restore) => RowAction::Restore,
            (UserState::Deleted, DeletedPolicy::Skip) => {
                row.notes.push(
                    "A deleted user has this e-mail; skipped (choose \"restore\" to bring them \
                     back)."
                        .to_owned(),
                );
                RowAction::SkipDeleted
            }
            (UserState::Deleted, DeletedPolicy::Fail) => RowAction::FailDeleted,
            _ => {
                row.notes.push(format!(
                    "Already in the org ({}); left as it is.",
                    existing.state.as_str()
                ));
                RowAction::Exists
            }
        };
    } else {
        row.action = RowAction::Create;
    }
    if !row.problems.is_empty() && matches!(row.action, RowAction::Create | RowAction::Restore) {
        row.action = RowAction::Invalid;
    }
    row
}

/// A non-empty cell of a row, by field.
fn cell(report: &ImportReport, raw: &[String], field: Field) -> Option<String> {
    let column = report.mapping.column_of(field)?;
    raw.get(column)
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
}

/// The body of the create call for a row. It carries no password: that is set in a step of its
/// own, from the plan's passwords, and never journaled.
pub fn create_body(draft: &UserDraft, division_id: &str) -> CreateUser {
    CreateUser {
        name: draft.name.clone(),
        email: draft.email.clone(),
        division_id: Some(division_id.to_owned()),
        password: None,
        title: draft.title.clone(),
        department: draft.department.clone(),
        addresses: draft
            .phone_work
            .as_deref()
            .map(Contact::work_phone)
            .into_iter()
            .collect(),
        // Genesys makes a user inactive when no state is sent and no invitation goes out:
        // Rollcall always sends one, active unless the file says otherwise.
        state: Some(draft.state.unwrap_or(UserState::Active)),
    }
}
