//! Plan: the dry run of the current file against a profile's org.

use rollcall_core::plan::{
    plan, Lookup, NameSuggestion, PlanCounts, PlanOptions, RateSource, RowAction, StepTotals,
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
    /// The names the org does not have, with its closest: the window's "did you mean" buttons.
    suggestions: Vec<NameSuggestion>,
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
    /// In a session whose rows were edited, the lines of the rows the run would send a
    /// password: after a restart, a resume reads them again only from the unchanged file.
    /// Empty for rows as read.
    password_lines: Vec<usize>,
}

/// Make the plan for the open file against `profile`'s org. Nothing is written to the org.
#[tauri::command]
pub async fn make_plan(
    state: State<'_, AppState>,
    profile: String,
    options: PlanOptions,
) -> Result<PlanView> {
    plan_file(&state, profile, options).await
}

/// The plan of the file open now, kept only if that reading of the file is still the current
/// one when the org has answered.
pub(crate) async fn plan_file(
    state: &AppState,
    profile: String,
    mut options: PlanOptions,
) -> Result<PlanView> {
    // The report is cloned out of the lock with its identity, before anything awaits: planning
    // awaits the network, and a file may be dropped or remapped meanwhile.
    let (file, report, edited) = {
        let session = state.session.lock().expect("session");
        let file = session
            .file()
            .ok_or_else(|| Error::NotReady("Open a file of users first.".to_owned()))?;
        (file.id, file.report().clone(), file.rows.is_edited())
    };
    let client = client_for(state, &profile).await?;
    if options.rate_per_minute.is_none() {
        options.rate_per_minute = profile_rate(state, &profile).await?;
    }
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
                suggestions: r.suggestions.clone(),
            })
            .collect(),
        password_lines: if edited {
            made.password_lines()
        } else {
            Vec::new()
        },
    };
    state
        .session
        .lock()
        .expect("session")
        .keep_plan(PlannedFile {
            file,
            profile,
            plan: made,
        })?;
    Ok(view)
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::path::{Path, PathBuf};
    use std::pin::pin;
    use std::task::{Context, Waker};

    use rollcall_core::profiles::SANDBOX_PROFILE;

    use super::*;
    use crate::commands::import::{open_offered, remap, ReadOptions};
    use crate::commands::run::planned_run;

    const FIRST: &str = "name,email,title\nAda Lovelace,ada@example.com,Analyst\n";
    const SECOND: &str = "name,email,title\nGrace Hopper,grace@example.com,Lead\n\
                          Alan Turing,alan@example.com,Agent\n";

    fn user_file(folder: &Path, name: &str, text: &str) -> PathBuf {
        let path = folder.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Plan the open file, and while the plan waits for the org do `meanwhile` (a drop, a
    /// remap): the plan is then refused, and nothing can run until the file is planned again.
    async fn interrupted_plan(state: &AppState, meanwhile: impl Future<Output = ()>) {
        let mut planning = pin!(plan_file(
            state,
            SANDBOX_PROFILE.to_owned(),
            PlanOptions::default()
        ));
        // The first step takes the file's rows and identity, then waits for the org (the
        // sandbox serves on this test's runtime, so it cannot answer before the next await).
        let first_step = planning
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()));
        assert!(first_step.is_pending(), "the plan waits for the org");
        meanwhile.await;

        let refused = planning.await.err().expect("the plan is not kept");
        assert_eq!(refused.kind(), "stale");
        assert!(
            refused.to_string().contains("Make the plan again"),
            "{refused}"
        );
        let not_run = planned_run(state).expect_err("nothing to run");
        assert_eq!(not_run.to_string(), "Make a plan first.");
    }

    #[tokio::test]
    async fn a_file_dropped_while_the_plan_awaits_the_org_does_not_get_that_plan() {
        let scratch = tempfile::tempdir().unwrap();
        let state = AppState::for_tests(scratch.path()).await;
        let first = user_file(scratch.path(), "first.csv", FIRST);
        let second = user_file(scratch.path(), "second.csv", SECOND);
        state.offered.offer([first.clone(), second.clone()]);
        open_offered(&state, first, ReadOptions::default())
            .await
            .unwrap();

        interrupted_plan(&state, async {
            open_offered(&state, second, ReadOptions::default())
                .await
                .unwrap();
        })
        .await;

        let view = plan_file(&state, SANDBOX_PROFILE.to_owned(), PlanOptions::default())
            .await
            .expect("planned again, against the app's own sandbox org");
        assert_eq!(view.counts.create, 2, "the plan is the second file's");
        let planned = planned_run(&state).expect("the new plan can run");
        assert_eq!(planned.report.rows.len(), planned.plan.rows.len());
        assert!(planned.source_path.ends_with("second.csv"));
        assert_eq!(
            planned.source_digest,
            rollcall_core::import::file_digest(SECOND.as_bytes()),
            "the run will record what was read"
        );
        assert!(!planned.edited);
    }

    #[tokio::test]
    async fn a_column_remapped_while_the_plan_awaits_the_org_does_not_get_that_plan() {
        let scratch = tempfile::tempdir().unwrap();
        let state = AppState::for_tests(scratch.path()).await;
        let file = user_file(scratch.path(), "first.csv", FIRST);
        state.offered.offer([file.clone()]);
        open_offered(&state, file, ReadOptions::default())
            .await
            .unwrap();

        interrupted_plan(&state, async {
            remap(&state, "title", None, ReadOptions::default())
                .await
                .unwrap();
        })
        .await;
    }

    #[tokio::test]
    async fn a_plan_made_before_another_file_was_opened_is_not_run_with_it() {
        let scratch = tempfile::tempdir().unwrap();
        let state = AppState::for_tests(scratch.path()).await;
        let first = user_file(scratch.path(), "first.csv", FIRST);
        let second = user_file(scratch.path(), "second.csv", SECOND);
        state.offered.offer([first.clone(), second.clone()]);
        open_offered(&state, first, ReadOptions::default())
            .await
            .unwrap();
        plan_file(&state, SANDBOX_PROFILE.to_owned(), PlanOptions::default())
            .await
            .unwrap();

        open_offered(&state, second, ReadOptions::default())
            .await
            .unwrap();
        let refused =
            planned_run(&state).expect_err("the first file's plan does not run the second file");
        assert_eq!(refused.kind(), "stale");
        assert!(
            refused.to_string().contains("second.csv")
                && refused.to_string().contains("plan again"),
            "{refused}"
        );
    }

    #[tokio::test]
    async fn a_name_the_org_lacks_reaches_the_window_with_the_closest_names_as_data() {
        let scratch = tempfile::tempdir().unwrap();
        let state = AppState::for_tests(scratch.path()).await;
        let file = user_file(
            scratch.path(),
            "typos.csv",
            "name,email,division\nAda Lovelace,ada@example.com,Suport\n",
        );
        state.offered.offer([file.clone()]);
        open_offered(&state, file, ReadOptions::default())
            .await
            .unwrap();
        let view = plan_file(&state, SANDBOX_PROFILE.to_owned(), PlanOptions::default())
            .await
            .unwrap();
        let notes = serde_json::to_value(&view.notes).unwrap();
        assert_eq!(
            notes[0]["suggestions"][0]["field"], "division",
            "the field as the mapping names it: {notes}"
        );
        assert_eq!(notes[0]["suggestions"][0]["name"], "Suport", "{notes}");
        assert_eq!(
            notes[0]["suggestions"][0]["suggestions"][0], "Support",
            "{notes}"
        );
    }

    #[tokio::test]
    async fn an_edited_session_names_the_rows_that_would_need_their_passwords_again() {
        let scratch = tempfile::tempdir().unwrap();
        let state = AppState::for_tests(scratch.path()).await;
        let file = user_file(
            scratch.path(),
            "passwords.csv",
            "name,email,password\nAda Lovelace,ada@example.com,Secret-1\n\
             Grace Hopper,grace@example,Secret-2\nAlan Turing,alan@example.com,\n",
        );
        state.offered.offer([file.clone()]);
        open_offered(&state, file, ReadOptions::default())
            .await
            .unwrap();
        let plan = || plan_file(&state, SANDBOX_PROFILE.to_owned(), PlanOptions::default());
        assert!(
            plan().await.unwrap().password_lines.is_empty(),
            "rows as read: a resume finds their passwords in the file"
        );

        crate::commands::edit::apply(
            &state,
            rollcall_core::import::Edit::Cell {
                line: 3,
                column: 1,
                value: "grace@example.com".to_owned(),
            },
        )
        .unwrap();
        assert_eq!(
            plan().await.unwrap().password_lines,
            [2, 3],
            "the rows to create that give a password, not Alan's, which gives none"
        );
    }
}
