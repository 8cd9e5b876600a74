//! The plan: a dry run of an import against the live org. It reads the org (divisions, and
//! which e-mails already exist) and decides what each row will do; it writes nothing.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::directory::{self, Current, Directory, RowExtras};
use crate::genesys::pacing::{pace_for, DEFAULT_RATE_PER_MINUTE, MAX_IN_FLIGHT};
use crate::genesys::{
    Contact, CreateUser, Division, GenesysClient, GenesysError, StateFilter, User, UserState,
    MAX_EMAILS_PER_SEARCH, SEARCH_PAGE_SIZE,
};
use crate::import::{DivisionRef, ImportReport, UserDraft};
use crate::names::{did_you_mean, find_division, similar_names};

/// Users per page when the plan pages through the org.
const PAGE_SIZE: u32 = 500;
/// How far `GET /api/v2/users` lists: it answers 400 once `pageNumber × pageSize` passes this.
const LISTING_CAP: u32 = 10_000;
/// Searches the plan keeps in flight at once.
const SEARCH_CONCURRENCY: usize = 8;
/// The largest token pool a run may use.
pub const MAX_POOL: u8 = 10;

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
    /// Add the file's roles, queues, skills, location and extension to users that already
    /// exist (added, never removed, as the admin UI's import does).
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

/// What a row will do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RowAction {
    /// Create the user.
    Create,
    /// An active or inactive user has this e-mail: nothing to do.
    Exists,
    /// A user has this e-mail and the file adds roles, queues, skills, a location or an
    /// extension they do not have yet (with [`PlanOptions::update_existing`]).
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
    pub email: Option<String>,
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
    /// What the row adds after the create (or to the existing user, for an update), resolved
    /// to ids.
    #[serde(default)]
    pub extras: Option<RowExtras>,
}

/// How the plan found the e-mails that already exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Lookup {
    /// Paged through every user of the org once.
    Paged { pages: u32 },
    /// Searched for the e-mails, many in each search (after reading one page of the org to
    /// learn its size, when the file needs more than one search).
    Search { searches: u32 },
    /// Paged as far as Genesys lists users (10,000), then searched for the e-mails the pages
    /// did not have.
    PagedThenSearched { pages: u32, searches: u32 },
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

/// How many users get each post-creation step, and the calls they take.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StepTotals {
    pub roles: usize,
    pub skills: usize,
    pub queues: usize,
    pub location: usize,
    pub extension: usize,
    /// Queue memberships to add, and the calls that takes batched per queue.
    pub queue_memberships: usize,
    pub queue_calls: u32,
    /// Calls of all the steps (roles, skills, location and extension, queues).
    pub calls: u32,
    /// What the same steps would take with one call per role, skill and queue.
    pub naive_calls: u32,
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
    /// The post-creation steps the run will take.
    #[serde(default)]
    pub steps: StepTotals,
}

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Genesys(#[from] GenesysError),
    #[error("The default division \"{name}\" does not exist in this org.{}", did_you_mean(.suggestions))]
    UnknownDefaultDivision {
        name: String,
        suggestions: Vec<String>,
    },
}

/// A user of the org, as far as the plan cares.
#[derive(Debug, Clone)]
struct OrgUser {
    id: String,
    state: UserState,
    version: i64,
}

impl OrgUser {
    fn from_user(user: &User) -> Option<(String, OrgUser)> {
        let email = user.email.as_ref()?.trim().to_lowercase();
        Some((
            email,
            OrgUser {
                id: user.id.clone(),
                state: user.state.unwrap_or(UserState::Active),
                version: user.version,
            },
        ))
    }
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

    // Every e-mail the plan must know about: the rows' own, and managers from outside the file.
    let file_emails: HashSet<String> = report.valid_drafts().map(|d| d.email_key.clone()).collect();
    let mut wanted: Vec<String> = file_emails.iter().cloned().collect();
    for draft in report.valid_drafts() {
        if let Some(manager) = &draft.manager_email {
            let key = manager.to_lowercase();
            if !file_emails.contains(&key) && !wanted.contains(&key) {
                wanted.push(key);
            }
        }
    }
    wanted.sort();
    let (org_users, lookup, lookup_calls) = find_existing(client, &wanted).await?;
    calls += lookup_calls;

    let mut rows: Vec<PlannedRow> = report
        .rows
        .iter()
        .enumerate()
        .map(|(index, row)| {
            classify(
                index,
                row.line,
                row.draft.as_deref(),
                report,
                &divisions,
                &default_division,
                &org_users,
                options.deleted_policy,
            )
        })
        .collect();
    resolve_managers(&mut rows, report, &org_users);
    calls += resolve_extras(client, report, &divisions, &home, options, &mut rows).await?;

    let counts = count(&rows);
    let steps = step_totals(&rows);
    let passwords = rows
        .iter()
        .filter(|r| matches!(r.action, RowAction::Create | RowAction::Restore))
        .filter(|r| {
            report.rows[r.index]
                .draft
                .as_ref()
                .is_some_and(|d| d.password.is_some())
        })
        .count() as u32;
    let calls_planned = planned_calls(&rows, options.invite) + steps.calls + passwords;
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
    })
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

/// Resolve every row's roles, queues, skills, location and extension against the org (one
/// read of each list), and for users that exist, what they lack. Returns the calls it made.
async fn resolve_extras(
    client: &GenesysClient,
    report: &ImportReport,
    divisions: &[Division],
    home: &Division,
    options: &PlanOptions,
    rows: &mut [PlannedRow],
) -> Result<u32, PlanError> {
    let applies = |row: &PlannedRow| match row.action {
        RowAction::Create | RowAction::Restore => true,
        RowAction::Exists => options.update_existing,
        _ => false,
    };
    let drafts: Vec<&UserDraft> = rows
        .iter()
        .filter(|row| applies(row))
        .filter_map(|row| report.rows[row.index].draft.as_deref())
        .filter(|draft| directory::wanted(draft))
        .collect();
    if drafts.is_empty() {
        return Ok(0);
    }
    let directory = Directory::load(client, divisions, home, drafts.into_iter()).await?;
    let mut calls = directory.calls;
    // Existing users to compare with what the file lists: (row position, user id, wanted).
    let mut to_compare: Vec<(usize, String, RowExtras)> = Vec::new();
    for (position, row) in rows.iter_mut().enumerate().filter(|(_, row)| applies(row)) {
        let Some(draft) = report.rows[row.index].draft.as_deref() else {
            continue;
        };
        if !directory::wanted(draft) {
            continue;
        }
        let extras = match directory.resolve(draft) {
            Ok(extras) => extras,
            Err(problems) => {
                let line = row.line;
                row.problems
                    .extend(problems.into_iter().map(|p| format!("line {line}: {p}")));
                row.action = RowAction::Invalid;
                continue;
            }
        };
        if row.action != RowAction::Exists {
            row.extras = Some(extras);
            continue;
        }
        if let Some(user_id) = row.existing_user_id.clone() {
            to_compare.push((position, user_id, extras));
        }
    }

    // What those users have, read side by side (as the e-mail searches are).
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(SEARCH_CONCURRENCY));
    let mut reads = tokio::task::JoinSet::new();
    for (position, user_id, extras) in to_compare {
        let client = client.clone();
        let semaphore = semaphore.clone();
        reads.spawn(async move {
            let _slot = semaphore.acquire_owned().await.expect("semaphore open");
            let current = Current::read(&client, &user_id).await;
            current.map(|current| (position, current.missing(&extras)))
        });
    }
    while let Some(read) = reads.join_next().await {
        let (position, missing) = read.expect("read task")?;
        calls += Current::CALLS;
        let row = &mut rows[position];
        if missing.is_empty() {
            row.notes
                .push("Already has every role, queue, skill and location the file lists.".into());
        } else {
            row.notes = vec![format!(
                "Already in the org; will add {}.",
                missing.describe().join("; ")
            )];
            row.action = RowAction::Update;
            row.extras = Some(missing);
        }
    }
    Ok(calls)
}

fn step_totals(rows: &[PlannedRow]) -> StepTotals {
    let mut totals = StepTotals::default();
    let mut per_queue: HashMap<&str, usize> = HashMap::new();
    for row in rows {
        if !matches!(
            row.action,
            RowAction::Create | RowAction::Restore | RowAction::Update
        ) {
            continue;
        }
        let Some(extras) = &row.extras else {
            continue;
        };
        totals.roles += usize::from(!extras.roles.is_empty());
        totals.skills += usize::from(!extras.skills.is_empty());
        totals.queues += usize::from(!extras.queues.is_empty());
        totals.location += usize::from(extras.location.is_some());
        totals.extension += usize::from(extras.extension.is_some());
        totals.calls += extras.calls();
        totals.naive_calls += (extras.roles.len() + extras.skills.len() + extras.queues.len())
            as u32
            + u32::from(extras.location.is_some())
            + u32::from(extras.extension.is_some());
        for queue in &extras.queues {
            *per_queue.entry(queue.id.as_str()).or_default() += 1;
            totals.queue_memberships += 1;
        }
    }
    totals.queue_calls = directory::queue_calls(per_queue.into_values());
    totals.calls += totals.queue_calls;
    totals
}

/// Enough tokens to do the run's calls in about a minute at the pace of `allowance_per_minute`,
/// within 1 to [`MAX_POOL`]. Each token adds its own allowance; more than the work needs only
/// mints tokens for nothing (and minting many at once can trip the login service's own limit).
pub fn auto_pool_size(calls: u32, allowance_per_minute: u32) -> u8 {
    (f64::from(calls) / pace_for(allowance_per_minute))
        .ceil()
        .clamp(1.0, f64::from(MAX_POOL)) as u8
}

/// Seconds a run should take: each token paces just under `allowance_per_minute`, with as many
/// requests in flight as the latency needs, up to [`MAX_IN_FLIGHT`]; whichever bound is slower.
pub fn estimate_seconds(
    calls: u32,
    pool: u8,
    allowance_per_minute: u32,
    per_call: Duration,
) -> u64 {
    let pool = f64::from(pool.max(1));
    let rate_bound = f64::from(calls) / (pace_for(allowance_per_minute) * pool) * 60.0;
    let latency_bound = f64::from(calls) * per_call.as_secs_f64() / (MAX_IN_FLIGHT as f64 * pool);
    rate_bound.max(latency_bound).ceil() as u64
}

fn planned_calls(rows: &[PlannedRow], invite: bool) -> u32 {
    rows.iter()
        .map(|row| {
            let mut calls = match row.action {
                RowAction::Create => 1,
                // Read the deleted user, restore it, move it to its division, read it and set
                // its profile (the manager with it).
                RowAction::Restore => 5,
                _ => 0,
            };
            if row.action == RowAction::Create && row.manager.is_some() {
                calls += 1;
            }
            if row.action == RowAction::Create && invite {
                calls += 1;
            }
            calls
        })
        .sum()
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

/// Find which of `emails` belong to users of the org, in the fewest calls: paging through the
/// org (500 a page, as far as Genesys lists: 10,000 users), searching many e-mails at a time,
/// or paging then searching for what the pages did not reach. One page is read first when the
/// file needs more than one search: it tells how big the org is. Returns the users found, how,
/// and the calls made.
async fn find_existing(
    client: &GenesysClient,
    emails: &[String],
) -> Result<(HashMap<String, OrgUser>, Lookup, u32), GenesysError> {
    let mut found = HashMap::new();
    if emails.is_empty() {
        return Ok((found, Lookup::Search { searches: 0 }, 0));
    }
    let wanted: HashSet<&str> = emails.iter().map(String::as_str).collect();
    let mut pages = 0;
    let mut unreached: Vec<String> = emails.to_vec();
    if emails.len() > MAX_EMAILS_PER_SEARCH {
        let first = client
            .list_users_page(1, PAGE_SIZE, StateFilter::Any)
            .await?
            .value;
        pages = 1;
        keep(&mut found, &wanted, &first.entities, "list users")?;
        let live = |found: &HashMap<String, OrgUser>| {
            found
                .values()
                .filter(|u| u.state != UserState::Deleted)
                .count()
        };
        let plan = lookup_plan(first.total, first.page_count, emails.len(), live(&found));
        for page in 2..=plan.last_page {
            let listing = client
                .list_users_page(page, PAGE_SIZE, StateFilter::Any)
                .await?
                .value;
            keep(&mut found, &wanted, &listing.entities, "list users")?;
            pages = page;
        }
        if !plan.search {
            return Ok((found, Lookup::Paged { pages }, pages));
        }
        // A user found live is settled; a deleted one may have a live namesake further on.
        unreached.retain(|email| {
            found
                .get(email)
                .is_none_or(|user| user.state == UserState::Deleted)
        });
    }

    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(SEARCH_CONCURRENCY));
    let mut searches = tokio::task::JoinSet::new();
    for batch in unreached.chunks(MAX_EMAILS_PER_SEARCH) {
        let client = client.clone();
        let batch = batch.to_vec();
        let semaphore = semaphore.clone();
        searches.spawn(async move {
            let _slot = semaphore.acquire_owned().await.expect("semaphore open");
            client.search_users_by_emails(&batch, true).await
        });
    }
    let mut search_calls = 0;
    while let Some(result) = searches.join_next().await {
        let users = result.expect("search task")?.value;
        // One call per page of results.
        search_calls += users.len().div_ceil(SEARCH_PAGE_SIZE as usize).max(1) as u32;
        keep(&mut found, &wanted, &users, "search users")?;
    }
    let lookup = if pages > 1 {
        Lookup::PagedThenSearched {
            pages,
            searches: search_calls,
        }
    } else {
        Lookup::Search {
            searches: search_calls,
        }
    };
    Ok((found, lookup, pages + search_calls))
}

/// Keep the users whose e-mail the plan wants; a live user wins over a deleted one with the
/// same e-mail. A wanted user without an id cannot be acted on: that is an error, named.
fn keep(
    found: &mut HashMap<String, OrgUser>,
    wanted: &HashSet<&str>,
    users: &[User],
    what: &str,
) -> Result<(), GenesysError> {
    for (email, user) in users.iter().filter_map(OrgUser::from_user) {
        if !wanted.contains(email.as_str()) {
            continue;
        }
        if user.id.is_empty() {
            return Err(GenesysError::UnexpectedResponse {
                what: what.to_owned(),
                status: 200,
                reason: format!("the user with the e-mail {email} in Genesys's answer has no id"),
                correlation_id: None,
            });
        }
        let replace = found
            .get(&email)
            .is_none_or(|old: &OrgUser| old.state == UserState::Deleted);
        if replace {
            found.insert(email, user);
        }
    }
    Ok(())
}

/// What to read after the first page of the org's users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LookupPlan {
    /// Read pages up to this one (1: no more pages).
    last_page: u32,
    /// Then search for the e-mails not found live.
    search: bool,
}

/// Page or search, whichever takes fewer calls, knowing the org's size (`total`, `pages` of
/// 500) and how many of the `wanted` e-mails the first page had (`found_first`). Genesys lists
/// no further than 10,000 users, so in a larger org paging can only reach some of them and the
/// rest must be searched: how many the pages would find is estimated from the first one.
/// Paging wins ties, since search lags a fresh create and a listing does not.
fn lookup_plan(total: u64, pages: u32, wanted: usize, found_first: usize) -> LookupPlan {
    let reachable = pages.clamp(1, LISTING_CAP / PAGE_SIZE);
    let searches = |emails: usize| emails.div_ceil(MAX_EMAILS_PER_SEARCH) as u32;
    let search_only = searches(wanted - found_first.min(wanted));
    let beyond_reach = total > u64::from(reachable) * u64::from(PAGE_SIZE);
    let paged_finds = found_first.saturating_mul(reachable as usize).min(wanted);
    let paging = (reachable - 1)
        + if beyond_reach {
            searches(wanted - paged_finds)
        } else {
            0
        };
    if paging <= search_only {
        LookupPlan {
            last_page: reachable,
            search: beyond_reach,
        }
    } else {
        LookupPlan {
            last_page: 1,
            search: true,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn classify(
    index: usize,
    line: usize,
    draft: Option<&UserDraft>,
    report: &ImportReport,
    divisions: &[Division],
    default_division: &Division,
    org: &HashMap<String, OrgUser>,
    policy: DeletedPolicy,
) -> PlannedRow {
    let mut row = PlannedRow {
        index,
        line,
        email: draft.map(|d| d.email.clone()),
        name: draft.map(|d| d.name.clone()),
        action: RowAction::Invalid,
        division_id: None,
        division_name: None,
        manager: None,
        existing_user_id: None,
        existing_version: None,
        depth: 0,
        problems: Vec::new(),
        notes: Vec::new(),
        extras: None,
    };
    let Some(draft) = draft else {
        row.problems = report
            .issues_on(line)
            .filter(|i| i.is_error())
            .map(|i| i.to_string())
            .collect();
        return row;
    };
    let division = match &draft.division {
        None => Some(default_division),
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
            }
            found
        }
    };
    if let Some(division) = division {
        row.division_id = Some(division.id.clone());
        row.division_name = Some(division.name.clone());
    }
    if let Some(existing) = org.get(&draft.email_key) {
        row.existing_user_id = Some(existing.id.clone());
        row.existing_version = Some(existing.version);
        row.action = match (existing.state, policy) {
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

/// Set each row's manager, order managers before their reports, and turn unknown managers and
/// cycles into row errors.
fn resolve_managers(
    rows: &mut [PlannedRow],
    report: &ImportReport,
    org: &HashMap<String, OrgUser>,
) {
    let by_email: HashMap<String, usize> = rows
        .iter()
        .filter_map(|row| {
            let draft = report.rows[row.index].draft.as_ref()?;
            Some((draft.email_key.clone(), row.index))
        })
        .collect();
    for position in 0..rows.len() {
        let index = rows[position].index;
        let Some(draft) = report.rows[index].draft.as_ref() else {
            continue;
        };
        let Some(manager) = draft.manager_email.as_ref() else {
            continue;
        };
        let key = manager.to_lowercase();
        if key == draft.email_key
            || !matches!(
                rows[position].action,
                RowAction::Create | RowAction::Restore
            )
        {
            continue;
        }
        let line = rows[position].line;
        let resolved = match by_email.get(&key) {
            Some(&other) => match rows[other].action {
                RowAction::Create | RowAction::Restore => Ok(ManagerRef::Row {
                    index: other,
                    email: manager.clone(),
                }),
                RowAction::Exists => Ok(ManagerRef::Existing {
                    user_id: rows[other].existing_user_id.clone().unwrap_or_default(),
                    email: manager.clone(),
                }),
                _ => Err(format!(
                    "line {line}: the manager {manager} (line {}) will not be in the org, so \
                     this user cannot report to them.",
                    rows[other].line
                )),
            },
            None => match org.get(&key) {
                Some(user) if user.state != UserState::Deleted => Ok(ManagerRef::Existing {
                    user_id: user.id.clone(),
                    email: manager.clone(),
                }),
                Some(_) => Err(format!(
                    "line {line}: the manager {manager} is a deleted user; restore them or \
                     choose another manager."
                )),
                None => Err(format!(
                    "line {line}: the manager {manager} is neither in the org nor in this file."
                )),
            },
        };
        match resolved {
            Ok(manager) => rows[position].manager = Some(manager),
            Err(problem) => {
                rows[position].problems.push(problem);
                rows[position].action = RowAction::Invalid;
            }
        }
    }

    // Depth and cycles: walk each row's chain of in-file managers up to a row whose depth is
    // known or whose manager is outside the file; a walk that meets itself is a cycle.
    let manager_row = |rows: &[PlannedRow], r: usize| match &rows[r].manager {
        Some(ManagerRef::Row { index, .. }) => Some(*index),
        _ => None,
    };
    let mut depth: Vec<Option<u32>> = vec![None; rows.len()];
    for start in 0..rows.len() {
        let mut path: Vec<usize> = Vec::new();
        let mut current = start;
        let top = loop {
            if let Some(known) = depth[current] {
                break Some(known + 1);
            }
            if let Some(at) = path.iter().position(|&r| r == current) {
                let cycle: Vec<usize> = path.split_off(at);
                let lines: Vec<String> = cycle.iter().map(|&r| rows[r].line.to_string()).collect();
                for &row in &cycle {
                    rows[row].problems.push(format!(
                        "line {}: managers form a cycle (lines {}); one of them must report to \
                         someone outside the cycle.",
                        rows[row].line,
                        lines.join(" → ")
                    ));
                    rows[row].action = RowAction::Invalid;
                    depth[row] = Some(0);
                }
                break Some(1);
            }
            path.push(current);
            match manager_row(rows, current) {
                Some(manager) => current = manager,
                None => break None,
            }
        };
        // The last row of the path sits right below `top` (or at the top of its chain).
        for (level, &row) in (top.unwrap_or(0)..).zip(path.iter().rev()) {
            depth[row] = Some(level);
        }
    }
    // A row whose manager turned invalid cannot get that manager.
    for position in 0..rows.len() {
        if let Some(ManagerRef::Row { index, email }) = rows[position].manager.clone() {
            if rows[index].action == RowAction::Invalid
                && rows[position].action != RowAction::Invalid
            {
                let line = rows[position].line;
                rows[position].problems.push(format!(
                    "line {line}: the manager {email} (line {}) has errors and will not be \
                     created.",
                    rows[index].line
                ));
                rows[position].action = RowAction::Invalid;
            }
        }
    }
    for (row, depth) in rows.iter_mut().zip(depth) {
        row.depth = depth.unwrap_or(0);
    }
}

/// The body of the create call for a row. It carries no password: that is set in a step of its
/// own, from [`RunContext::passwords`](crate::run::RunContext::passwords), and never journaled.
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
        state: Some(match draft.state {
            Some(crate::import::UserState::Inactive) => UserState::Inactive,
            _ => UserState::Active,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lookup_pages_only_within_genesys_listing_cap() {
        // A small org and a big file: four pages beat sixty searches.
        assert_eq!(
            lookup_plan(1_800, 4, 3_000, 0),
            LookupPlan {
                last_page: 4,
                search: false
            }
        );
        // A small org and a small file: one search beats three more pages.
        assert_eq!(
            lookup_plan(2_000, 4, 60, 0),
            LookupPlan {
                last_page: 1,
                search: true
            }
        );
        // 12,000 users, 60 e-mails none of which is on the first page: search, never page past
        // 10,000.
        assert_eq!(
            lookup_plan(12_000, 24, 60, 0),
            LookupPlan {
                last_page: 1,
                search: true
            }
        );
        // 12,000 users, a re-run of 3,000 users who are mostly on the first pages: page as far
        // as Genesys lists (20 pages), then search for the rest.
        assert_eq!(
            lookup_plan(12_000, 24, 3_000, 400),
            LookupPlan {
                last_page: 20,
                search: true
            }
        );
    }

    #[test]
    fn pool_is_sized_to_the_work() {
        assert_eq!(auto_pool_size(50, 300), 1);
        assert_eq!(auto_pool_size(1_000, 300), 4);
        assert_eq!(auto_pool_size(10_000, 300), 10);
    }

    #[test]
    fn estimate_uses_the_pace_and_the_slower_of_rate_and_latency() {
        // 3,000 calls on 10 tokens allowed 300/min, paced at 296/min: 61 s.
        assert_eq!(
            estimate_seconds(3_000, 10, 300, Duration::from_millis(10)),
            61
        );
        // A raised limit shortens it in proportion.
        assert_eq!(
            estimate_seconds(3_000, 10, 600, Duration::from_millis(10)),
            31
        );
        // 100 calls on one token at 8 s each: the 16 in flight cannot keep up, 50 s.
        assert_eq!(estimate_seconds(100, 1, 300, Duration::from_secs(8)), 50);
    }
}
