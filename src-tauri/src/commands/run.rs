//! Run, results and history: drive a planned run (or resume one from the journal), stream its
//! events to the window, pause, resume, cancel, and export what happened.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rollcall_core::genesys::GenesysClient;
use rollcall_core::import::{import_path, ImportOptions, ImportReport};
use rollcall_core::paths::{replace_file, AppDirs};
use rollcall_core::plan::{auto_pool_size, rate_in_use, Plan};
use rollcall_core::run::events::StopReason;
use rollcall_core::run::RunError;
use rollcall_core::run::{
    drive, export, passwords, record_run, resume_org, Journal, JournalRow, Progress, ResumeOrg,
    RowStatus, RunContext, RunControl, RunEvent, RunLock, RunOrg, RunOrigin, RunRecord, RunStatus,
    RunSummary, SettlePolicy,
};
use rollcall_core::secrets::Secret;
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};
use tokio::sync::mpsc;

use super::profiles::client_for;
use crate::dialogs;
use crate::error::{Error, Result};
use crate::state::AppState;

/// How often queued events go to the window: often enough to look live, rarely enough that a
/// burst of 100,000 rows finishing at once (a resume) is a few hundred messages.
const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// A run that started.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunStarted {
    run_id: String,
    total: usize,
    pool_size: u8,
    /// Requests per minute per token the org allows, which the run paces to (the chart's
    /// allowance line follows the pool's actual pace, from the progress events).
    allowance_per_minute: u32,
}

/// A past run, for the history.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunHistoryEntry {
    #[serde(flatten)]
    record: RunRecord,
    /// `running` only while a process drives it; a crashed run shows as `interrupted`.
    effective_status: RunStatus,
    /// Whether "Resume" applies.
    resumable: bool,
    counts: HashMap<RowStatus, usize>,
}

/// What an export wrote.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    path: String,
    rows: usize,
    advice: Option<&'static str>,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExportKind {
    /// Every row with its result.
    Results,
    /// The failed and invalid rows, in the file's own layout.
    FailedRows,
}

/// Journal a run for the current plan and drive it; its events arrive on `on_event`, in
/// batches.
#[tauri::command]
pub async fn start_run(
    app: AppHandle,
    state: State<'_, AppState>,
    on_event: Channel<Vec<RunEvent>>,
) -> Result<RunStarted> {
    let (report, plan, profile, source_path) = planned_run(&state)?;
    let client = client_for(&state, &profile).await?;
    let origin = RunOrigin {
        source_name: report.source.file_name.clone(),
        source_path: std::fs::canonicalize(source_path)
            .ok()
            .map(|p| p.display().to_string()),
        ..RunOrigin::from(RunOrg::of(&client, Some(&profile)))
    };
    let journal_path = state.dirs.journal();
    let (pool_size, allowance_per_minute) = (plan.pool_size, plan.allowance_per_minute);
    let (journal, record, passwords) = tauri::async_runtime::spawn_blocking(move || {
        let mut journal = Journal::open(&journal_path)?;
        let record = record_run(&mut journal, &plan, &origin)?;
        Ok::<_, Error>((journal, record, plan.passwords))
    })
    .await??;
    let started = RunStarted {
        run_id: record.id.clone(),
        total: record.total,
        pool_size,
        allowance_per_minute,
    };
    launch(
        &app, &state, journal, record.id, client, passwords, &started, on_event,
    );
    Ok(started)
}

/// Drive an unfinished run again (after Cancel, an interruption, or a crash), in the org it was
/// started in. When the journal does not say which org that was, it fails with `confirm` and a
/// question; asked again with `org_confirmed`, it goes on in the profile's org and records it.
#[tauri::command]
pub async fn resume_run(
    app: AppHandle,
    state: State<'_, AppState>,
    run_id: String,
    on_event: Channel<Vec<RunEvent>>,
    org_confirmed: Option<bool>,
) -> Result<RunStarted> {
    let journal_path = state.dirs.journal();
    let id = run_id.clone();
    let (journal, record, rows) = tauri::async_runtime::spawn_blocking(move || {
        let journal = Journal::open(&journal_path)?;
        let record = journal.run(&id)?;
        let rows = journal.rows(&id)?;
        Ok::<_, Error>((journal, record, rows))
    })
    .await??;
    if record.status == RunStatus::Finished {
        return Err(Error::NotReady(format!(
            "Run {} is already finished.",
            record.id
        )));
    }
    let profile = record.profile.clone().ok_or_else(|| {
        Error::NotReady(
            "This run was started from the command line; resume it there (rollcall resume)."
                .to_owned(),
        )
    })?;
    let client = client_for(&state, &profile).await?;
    let journal = in_own_org(journal, &record, &client, &profile, org_confirmed).await?;
    let remaining = rows.iter().filter(|r| !r.status.is_final()).count() as u32;
    // Passwords are never journaled: read them again from the original file, when it is there
    // and its rows still match.
    let passwords = match record.source_path.clone() {
        Some(path) if rows.iter().any(|r| r.has_password && !r.status.is_final()) => {
            tauri::async_runtime::spawn_blocking(move || {
                import_path(Path::new(&path), &ImportOptions::default())
                    .map(|report| matching_passwords(&report, &rows))
                    .unwrap_or_default()
            })
            .await?
        }
        _ => HashMap::new(),
    };
    // The rate is decided as the plan decided it, from the run's own options.
    let (rate, _) = rate_in_use(&client, record.options.rate_per_minute).await;
    let pool_size = record
        .options
        .pool_size
        .unwrap_or_else(|| auto_pool_size(remaining, rate));
    let started = RunStarted {
        run_id: record.id.clone(),
        total: record.total,
        pool_size,
        allowance_per_minute: rate,
    };
    launch(
        &app, &state, journal, run_id, client, passwords, &started, on_event,
    );
    Ok(started)
}

#[tauri::command]
pub fn pause_run(state: State<'_, AppState>, run_id: String) -> Result<()> {
    control(&state, &run_id)?.pause();
    Ok(())
}

#[tauri::command]
pub fn continue_run(state: State<'_, AppState>, run_id: String) -> Result<()> {
    control(&state, &run_id)?.resume();
    Ok(())
}

/// Stop starting rows; those in flight finish, and the run stays resumable.
#[tauri::command]
pub fn cancel_run(state: State<'_, AppState>, run_id: String) -> Result<()> {
    let control = control(&state, &run_id)?;
    control.resume();
    control.cancel();
    Ok(())
}

/// Every run in the journal, newest first.
#[tauri::command]
pub async fn list_runs(state: State<'_, AppState>) -> Result<Vec<RunHistoryEntry>> {
    let dirs = state.dirs.clone();
    let entries = tauri::async_runtime::spawn_blocking(move || history(&dirs)).await??;
    Ok(entries)
}

/// The rows of a run with their results, in file order.
#[tauri::command]
pub async fn run_rows(state: State<'_, AppState>, run_id: String) -> Result<Vec<JournalRow>> {
    let journal_path = state.dirs.journal();
    let rows =
        tauri::async_runtime::spawn_blocking(move || Journal::open(&journal_path)?.rows(&run_id))
            .await??;
    Ok(rows)
}

/// Save the results file or the failed rows of a run where the user chooses.
#[tauri::command]
pub async fn export_run(
    app: AppHandle,
    state: State<'_, AppState>,
    run_id: String,
    kind: ExportKind,
) -> Result<Option<Exported>> {
    let journal_path = state.dirs.journal();
    let id = run_id.clone();
    let (record, rows) = tauri::async_runtime::spawn_blocking(move || {
        let journal = Journal::open(&journal_path)?;
        Ok::<_, Error>((journal.run(&id)?, journal.rows(&id)?))
    })
    .await??;
    let stem = Path::new(&record.source_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "users".to_owned());
    let (title, name) = match kind {
        ExportKind::Results => ("Save the results", format!("{stem}.results-{run_id}.csv")),
        ExportKind::FailedRows => (
            "Save the failed rows",
            format!("{stem}.failed-{run_id}.csv"),
        ),
    };
    let Some(path) = dialogs::save_csv(&app, title, &name).await? else {
        return Ok(None);
    };
    let written = tauri::async_runtime::spawn_blocking({
        let path = path.clone();
        move || -> Result<export::ExportSummary> {
            // Through a temporary file renamed over the result: the CLI may write the same
            // run's file into the same folder.
            replace_file(&path, |file| {
                match kind {
                    ExportKind::Results => export::write_results(&record, &rows, file),
                    ExportKind::FailedRows => export::write_failed_rows(&record, &rows, file),
                }
                .map_err(std::io::Error::other)
            })
            .map_err(|e| Error::Io(format!("could not write {}: {e}", path.display())))
        }
    })
    .await??;
    Ok(Some(Exported {
        path: path.display().to_string(),
        rows: written.rows,
        advice: written.advice(),
    }))
}

/// Empty the sandbox org back to its demo users.
#[tauri::command]
pub fn reset_sandbox(state: State<'_, AppState>) -> Result<()> {
    if !state.runs.lock().expect("runs").is_empty() {
        return Err(Error::NotReady(
            "A run is going; cancel it before resetting the sandbox org.".to_owned(),
        ));
    }
    state
        .sandbox
        .reset()
        .map_err(|e| Error::Io(format!("could not save the sandbox org: {e}")))
}

fn control(state: &AppState, run_id: &str) -> Result<RunControl> {
    state
        .runs
        .lock()
        .expect("runs")
        .get(run_id)
        .cloned()
        .ok_or_else(|| Error::NotReady(format!("Run {run_id} is not going.")))
}

/// The journal of a run about to be resumed with `client` (made from `profile`), once the run is
/// known to belong to that org: the same org goes on, another is refused, and a journal that
/// does not say asks the window (`confirm`) and, once the user agreed, records it.
async fn in_own_org(
    journal: Journal,
    record: &RunRecord,
    client: &GenesysClient,
    profile: &str,
    org_confirmed: Option<bool>,
) -> Result<Journal> {
    let org = RunOrg::of(client, Some(profile));
    match resume_org(record, &org).map_err(RunError::from)? {
        ResumeOrg::Same => Ok(journal),
        ResumeOrg::Unrecorded { question } if org_confirmed != Some(true) => {
            Err(Error::Confirm(question))
        }
        ResumeOrg::Unrecorded { .. } => {
            let id = record.id.clone();
            tauri::async_runtime::spawn_blocking(move || {
                journal.record_org(&id, &org)?;
                Ok(journal)
            })
            .await?
        }
    }
}

/// The open file's rows, their plan, its profile and the file's path, taken together: a plan
/// runs only with the reading of the file it was made from, since the run joins them row by
/// row.
pub(crate) fn planned_run(state: &AppState) -> Result<(ImportReport, Plan, String, PathBuf)> {
    let session = state.session.lock().expect("session");
    let (file, planned) = session.planned()?;
    Ok((
        file.report.clone(),
        planned.plan.clone(),
        planned.profile.clone(),
        file.path.clone(),
    ))
}

/// Spawn the engine and the forwarder of its events; the run's control is kept until it ends.
#[allow(clippy::too_many_arguments)]
fn launch(
    app: &AppHandle,
    state: &AppState,
    journal: Journal,
    run_id: String,
    client: GenesysClient,
    passwords: HashMap<usize, Secret>,
    started: &RunStarted,
    on_event: Channel<Vec<RunEvent>>,
) {
    let (events, received) = mpsc::channel(4096);
    let control = RunControl::default();
    state
        .runs
        .lock()
        .expect("runs")
        .insert(run_id.clone(), control.clone());
    let invite = journal
        .run(&run_id)
        .map(|r| r.options.invite)
        .unwrap_or(false);
    let context = RunContext {
        client,
        lock_dir: state.dirs.run_locks(),
        pool_size: started.pool_size,
        rate_per_minute: started.allowance_per_minute,
        settle: SettlePolicy::default(),
        invite,
        passwords,
        events,
        control,
    };
    let forwarder = tauri::async_runtime::spawn(forward(received, on_event.clone()));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let outcome = drive(journal, &run_id, context).await;
        // The engine has dropped its sender: the forwarder drains what is left and stops.
        let _ = forwarder.await;
        if let Err(error) = outcome {
            let summary = RunSummary {
                run_id: run_id.clone(),
                status: RunStatus::Interrupted,
                message: Some(error.to_string()),
                stop_reason: matches!(error, RunError::Journal(_)).then_some(StopReason::Journal),
                progress: Progress::default(),
            };
            let _ = on_event.send(vec![RunEvent::Finished(summary)]);
        }
        app.state::<AppState>()
            .runs
            .lock()
            .expect("runs")
            .remove(&run_id);
    });
}

/// Forward the engine's events to the window in batches. A window that went away is not an
/// error: the run goes on and its results are in the journal.
async fn forward(mut received: mpsc::Receiver<RunEvent>, on_event: Channel<Vec<RunEvent>>) {
    let mut batch = Vec::new();
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    loop {
        tokio::select! {
            event = received.recv() => match event {
                Some(event) => push_coalesced(&mut batch, event),
                None => break,
            },
            _ = tick.tick() => {
                if !batch.is_empty() {
                    let _ = on_event.send(std::mem::take(&mut batch));
                }
            }
        }
    }
    if !batch.is_empty() {
        let _ = on_event.send(batch);
    }
}

/// Progress counts are cumulative, so a batch keeps only its latest.
fn push_coalesced(batch: &mut Vec<RunEvent>, event: RunEvent) {
    if matches!(event, RunEvent::Progress(_)) {
        batch.retain(|queued| !matches!(queued, RunEvent::Progress(_)));
    }
    batch.push(event);
}

/// The history: every run, with what its rows came to and whether it can be resumed.
fn history(dirs: &AppDirs) -> Result<Vec<RunHistoryEntry>> {
    if !dirs.journal().exists() {
        return Ok(Vec::new());
    }
    let journal = Journal::open(&dirs.journal())?;
    let mut entries = Vec::new();
    for record in journal.runs()? {
        let mut counts = HashMap::new();
        for row in journal.rows(&record.id)? {
            *counts.entry(row.status).or_insert(0) += 1;
        }
        let held = RunLock::is_held(&dirs.run_locks(), &record.id);
        let effective_status = match record.status {
            RunStatus::Running if !held => RunStatus::Interrupted,
            status => status,
        };
        entries.push(RunHistoryEntry {
            resumable: effective_status != RunStatus::Finished && !held && record.profile.is_some(),
            effective_status,
            counts,
            record,
        });
    }
    Ok(entries)
}

/// The passwords of the re-read file, for the rows that still match it (same e-mail at the
/// same position).
fn matching_passwords(report: &ImportReport, rows: &[JournalRow]) -> HashMap<usize, Secret> {
    passwords(report)
        .into_iter()
        .filter(|(index, _)| {
            let email = report.rows[*index].draft.as_ref().map(|d| d.email.clone());
            rows.get(*index).is_some_and(|row| row.email == email)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollcall_core::genesys::{ClientConfig, Credentials, Region};
    use rollcall_core::profiles::SANDBOX_PROFILE;
    use rollcall_core::run::BUILT_IN_SANDBOX;

    /// A journal holding one run, started in `endpoint` with `client_id` from `profile`.
    fn journal_of(root: &Path, endpoint: &str, client_id: &str, profile: &str) -> Journal {
        let mut journal = Journal::open(&root.join("journal.sqlite3")).unwrap();
        let record = RunRecord {
            id: "20261201-090000-abcdef".to_owned(),
            created_at: 0,
            updated_at: 0,
            source_name: "users.csv".to_owned(),
            source_path: None,
            endpoint: endpoint.to_owned(),
            client_id: client_id.to_owned(),
            profile: Some(profile.to_owned()),
            options: Default::default(),
            headers: Vec::new(),
            status: RunStatus::Interrupted,
            message: None,
            total: 0,
        };
        journal.create_run(&record, &[]).unwrap();
        journal
    }

    fn dublin(client_id: &str) -> GenesysClient {
        let endpoint = Region::by_key("eu-west-1").unwrap().endpoint();
        let credentials = Credentials::new(client_id, "secret");
        GenesysClient::new(endpoint, credentials, ClientConfig::default()).unwrap()
    }

    #[tokio::test]
    async fn a_resume_goes_on_only_in_the_runs_own_org_and_asks_when_the_journal_does_not_say() {
        let scratch = tempfile::tempdir().unwrap();
        let state = AppState::for_tests(scratch.path()).await;
        let run_id = "20261201-090000-abcdef";

        // On the built-in sandbox: wherever it listens this launch.
        let journal = journal_of(
            scratch.path(),
            BUILT_IN_SANDBOX,
            "rollcall-sandbox",
            SANDBOX_PROFILE,
        );
        let record = journal.run(run_id).unwrap();
        let sandbox = client_for(&state, SANDBOX_PROFILE).await.unwrap();
        in_own_org(journal, &record, &sandbox, SANDBOX_PROFILE, None)
            .await
            .expect("the sandbox org of this launch is the run's org");

        // A profile that now points at another region: refused, naming the run's org.
        let other = tempfile::tempdir().unwrap();
        let journal = journal_of(
            other.path(),
            "Americas (US East) (us-east-1)",
            "7c1c",
            "Prod",
        );
        let record = journal.run(run_id).unwrap();
        let refused = in_own_org(journal, &record, &dublin("7c1c"), "Prod", Some(true))
            .await
            .err()
            .expect("another org is refused, even when the user would agree");
        assert_eq!(refused.kind(), "run");
        let message = refused.to_string();
        assert!(
            message.contains(
                "Americas (US East) (us-east-1) with the OAuth client 7c1c (profile \"Prod\")"
            ) && message.contains("EMEA (Dublin) (eu-west-1)"),
            "{message}"
        );

        // A journal that does not say: the window is asked, and the answer is recorded.
        let unsaid = tempfile::tempdir().unwrap();
        let journal = journal_of(unsaid.path(), "", "", "Prod");
        let record = journal.run(run_id).unwrap();
        let asked = in_own_org(journal, &record, &dublin("7c1c"), "Prod", None)
            .await
            .err()
            .expect("the window asks first");
        assert_eq!(asked.kind(), "confirm");
        assert!(
            asked.to_string().contains("EMEA (Dublin) (eu-west-1)"),
            "{asked}"
        );
        let journal = Journal::open(&unsaid.path().join("journal.sqlite3")).unwrap();
        let journal = in_own_org(journal, &record, &dublin("7c1c"), "Prod", Some(true))
            .await
            .expect("the user agreed");
        let recorded = journal.run(run_id).unwrap();
        assert_eq!(
            (recorded.endpoint.as_str(), recorded.client_id.as_str()),
            ("EMEA (Dublin) (eu-west-1)", "7c1c"),
            "asked once: the org is in the journal now"
        );
    }

    fn progress(done: usize) -> RunEvent {
        RunEvent::Progress(Progress {
            done,
            total: 10,
            ..Progress::default()
        })
    }

    #[test]
    fn a_batch_keeps_every_row_but_only_the_latest_progress() {
        let mut batch = Vec::new();
        push_coalesced(&mut batch, progress(1));
        push_coalesced(&mut batch, RunEvent::Paused { paused: true });
        push_coalesced(&mut batch, progress(2));
        push_coalesced(&mut batch, progress(3));
        assert_eq!(batch, vec![RunEvent::Paused { paused: true }, progress(3)]);
    }

    #[test]
    fn events_reach_the_window_tagged_and_camel_cased() {
        let event = RunEvent::RateLimited {
            wait_ms: 1500,
            token: 0,
        };
        assert_eq!(
            serde_json::to_value(vec![event]).unwrap(),
            serde_json::json!([{"event": "rateLimited", "data": {"waitMs": 1500, "token": 0}}])
        );
    }
}
