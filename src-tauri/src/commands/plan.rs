//! Plan: the dry run of the current file against a profile's org.

use rollcall_core::plan::{
    plan, Lookup, PlanCounts, PlanOptions, RateSource, RowAction, StepTotals,
};
use serde::Serialize;
use tauri::State;

use super::profiles::{client_for, profile_rate};
use crate::error::{Error, Result};
use crate::state::{AppState, PlannedFile};

/// A row the plan has something to say about.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanNote {
    index: usize,
    line: usize,
    /// Errors that make the row invalid, then notes that do not block it.
    messages: Vec<String>,
}

/// What the plan step shows.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    profile: String,
    counts: PlanCounts,
    options: PlanOptions,
    home_division: String,
    default_division: String,
    lookup: Lookup,
    calls_planned: u32,
    pool_size: u8,
    /// Requests per minute per token the run paces to, and where that figure came from.
    allowance_per_minute: u32,
    rate_source: RateSource,
    estimated_seconds: u64,
    /// The roles, skills, queues, locations and extensions the run will add, and their calls.
    steps: StepTotals,
    /// What each row will do, by row index.
    actions: Vec<RowAction>,
    notes: Vec<PlanNote>,
}

/// Make the plan for the open file against `profile`'s org. Nothing is written to the org.
#[tauri::command]
pub async fn make_plan(
    state: State<'_, AppState>,
    profile: String,
    mut options: PlanOptions,
) -> Result<PlanView> {
    let client = client_for(&state, &profile).await?;
    options.rate_per_minute = match options.rate_per_minute {
        Some(rate) => Some(rate),
        None => profile_rate(&state, &profile).await?,
    };
    // The report is cloned out of the lock: planning awaits the network.
    let report = {
        let session = state.session.lock().expect("session");
        let file = session
            .file
            .as_ref()
            .ok_or_else(|| Error::NotReady("Open a file of users first.".to_owned()))?;
        file.report.clone()
    };
    let made = plan(&client, &report, &options).await?;
    let view = PlanView {
        profile: profile.clone(),
        counts: made.counts,
        options: made.options.clone(),
        home_division: made.home_division.name.clone(),
        default_division: made.default_division.name.clone(),
        lookup: made.lookup,
        calls_planned: made.calls_planned,
        pool_size: made.pool_size,
        allowance_per_minute: made.allowance_per_minute,
        rate_source: made.rate_source,
        estimated_seconds: made.estimated_seconds,
        steps: made.steps,
        actions: made.rows.iter().map(|r| r.action).collect(),
        notes: made
            .rows
            .iter()
            .filter(|r| !r.problems.is_empty() || !r.notes.is_empty())
            .map(|r| PlanNote {
                index: r.index,
                line: r.line,
                messages: r.problems.iter().chain(&r.notes).cloned().collect(),
            })
            .collect(),
    };
    state.session.lock().expect("session").plan = Some(PlannedFile {
        profile,
        plan: made,
    });
    Ok(view)
}
