//! Run, results and history: drive a planned run (or resume one from the journal), stream its
//! events to the window, pause, resume, cancel, and export what happened.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use rollcall_core::genesys::GenesysClient;
use rollcall_core::import::ImportReport;
use rollcall_core::paths::AppDirs;
use rollcall_core::plan::Plan;
use rollcall_core::run::export::ExportKind;
use rollcall_core::run::invite::is_invitable;
use rollcall_core::run::session::{effective_status, interrupted};
use rollcall_core::run::{
    EventReceiver, Journal, JournalRow, Resumable, RowStatus, RunControl, RunEvent, RunOrg,
    RunOrigin, RunRecord, RunStatus, Session, SettlePolicy,
};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};

use super::profiles::{client_for, profile_rate};
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
    /// Users the run created who have not been invited, whom *Send invitations…* would invite
    /// (none while a process drives the run, or for a run the window cannot connect for).
    invitable: usize,
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

/// Journal a run for the current plan and drive it; its events arrive on `on_event`, in
/// batches.
#[tauri::command]
pub async fn start_run(
    app: AppHandle,
    state: State<'_, AppState>,
    on_event: Channel<Vec<RunEvent>>,
) -> Result<RunStarted> {
    let PlannedRun {
        report,
        plan,
        profile,
        source_path,
        source_digest,
        edited,
    } = planned_run(&state)?;
    let client = client_for(&state, &profile).await?;
    // The journal names the file and its digest: a resume reads the passwords again only from
    // that very file, by line (the edits never change a line or a password).
    let origin = RunOrigin {
        source_name: report.source.file_name.clone(),
        source_path: std::fs::canonicalize(source_path)
            .ok()
            .map(|p| p.display().to_string()),
        source_digest: Some(source_digest),
        edited,
        ..RunOrigin::from(RunOrg::of(&client, Some(&profile)))
    };
    let dirs = state.dirs.clone();
    let session =
        tauri::async_runtime::spawn_blocking(move || Session::start(&dirs, &plan, &origin))
            .await??;
    Ok(launch(&app, &state, session, client, on_event))
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
    let dirs = state.dirs.clone();
    let resumable =
        tauri::async_runtime::spawn_blocking(move || Session::pick(&dirs, Some(&run_id))).await??;
    let profile = resumable.record().profile.clone().ok_or_else(|| {
        Error::NotReady(
            "This run was started from the command line; resume it there (rollcall resume)."
                .to_owned(),
        )
    })?;
    let client = client_for(&state, &profile).await?;
    let resumable = in_own_org(resumable, &client, &profile, org_confirmed).await?;
    let profile_rate = profile_rate(&state, &profile).await?;
    let (rate, _) = resumable.rate(&client, None, profile_rate).await;
    let session =
        tauri::async_runtime::spawn_blocking(move || resumable.into_session(rate)).await?;
    Ok(launch(&app, &state, session, client, on_event))
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
    let title = match kind {
        ExportKind::Results => "Save the results",
        ExportKind::FailedRows => "Save the failed rows",
    };
    let Some(path) = dialogs::save_csv(&app, title, &kind.file_name(&record)).await? else {
        return Ok(None);
    };
    let written = tauri::async_runtime::spawn_blocking({
        let path = path.clone();
        move || {
            kind.save(&record, &rows, &path)
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

/// A run about to be resumed with `client` (made from `profile`), once it is known to belong
/// to that org: the same org goes on, another is refused, and a journal that does not say asks
/// the window (`confirm`) and, once the user agreed, records it.
async fn in_own_org(
    resumable: Resumable,
    client: &GenesysClient,
    profile: &str,
    org_confirmed: Option<bool>,
) -> Result<Resumable> {
    let org = RunOrg::of(client, Some(profile));
    match resumable.question_for(&org)? {
        None => Ok(resumable),
        Some(question) if org_confirmed != Some(true) => Err(Error::Confirm(question)),
        Some(_) => {
            tauri::async_runtime::spawn_blocking(move || {
                resumable.record_org(&org)?;
                Ok(resumable)
            })
            .await?
        }
    }
}

/// A plan ready to run, with the rows it was made from and what the journal keeps of their
/// file.
#[derive(Debug)]
pub(crate) struct PlannedRun {
    /// The rows as edited, which the plan was made from.
    pub report: ImportReport,
    pub plan: Plan,
    pub profile: String,
    /// The file the rows were read from, and the digest of what was read.
    pub source_path: PathBuf,
    pub source_digest: String,
    /// Whether the rows were edited in the window after they were read.
    pub edited: bool,
}

/// The open file's rows, their plan, its profile and the file's identity, taken together: a
/// plan runs only with the reading of the file it was made from (edits included), since the
/// run joins them row by row.
pub(crate) fn planned_run(state: &AppState) -> Result<PlannedRun> {
    let session = state.session.lock().expect("session");
    let (file, planned) = session.planned()?;
    Ok(PlannedRun {
        report: file.report().clone(),
        plan: planned.plan.clone(),
        profile: planned.profile.clone(),
        source_path: file.path.clone(),
        source_digest: file.rows.source_digest().to_owned(),
        edited: file.rows.is_edited(),
    })
}

/// Spawn the session's run and the forwarder of its events; the run's control is kept until
/// it ends.
fn launch(
    app: &AppHandle,
    state: &AppState,
    session: Session,
    client: GenesysClient,
    on_event: Channel<Vec<RunEvent>>,
) -> RunStarted {
    let record = session.record();
    let started = RunStarted {
        run_id: record.id.clone(),
        total: record.total,
        pool_size: session.pool_size(),
        allowance_per_minute: session.rate_per_minute(),
    };
    let run_id = record.id.clone();
    let (events, received) = rollcall_core::run::events::channel();
    let control = RunControl::default();
    state
        .runs
        .lock()
        .expect("runs")
        .insert(run_id.clone(), control.clone());
    let forwarder = tauri::async_runtime::spawn(forward(received, on_event.clone()));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let outcome = session
            .drive(client, SettlePolicy::default(), events, control)
            .await;
        // The engine has dropped its sender: the forwarder drains what is left and stops.
        let _ = forwarder.await;
        if let Err(error) = outcome {
            let _ = on_event.send(vec![RunEvent::Finished(interrupted(&run_id, &error))]);
        }
        app.state::<AppState>()
            .runs
            .lock()
            .expect("runs")
            .remove(&run_id);
    });
    started
}

/// Forward the engine's events to the window in batches. A window that went away is not an
/// error: the run goes on and its results are in the journal.
async fn forward(mut received: EventReceiver, on_event: Channel<Vec<RunEvent>>) {
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
        let rows = journal.rows(&record.id)?;
        for row in &rows {
            *counts.entry(row.status).or_insert(0) += 1;
        }
        let effective_status = effective_status(&record, &dirs.run_locks());
        // A run still marked running after that is held by a process now.
        let resumable = !matches!(effective_status, RunStatus::Finished | RunStatus::Running)
            && record.profile.is_some();
        let invitable = if effective_status == RunStatus::Running || record.profile.is_none() {
            0
        } else {
            rows.iter().filter(|row| is_invitable(row)).count()
        };
        entries.push(RunHistoryEntry {
            resumable,
            invitable,
            effective_status,
            counts,
            record,
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollcall_core::genesys::{ClientConfig, Credentials, Region};
    use rollcall_core::profiles::SANDBOX_PROFILE;
    use rollcall_core::run::{Progress, BUILT_IN_SANDBOX};
    use std::path::Path;

    const RUN_ID: &str = "20261201-090000-abcdef";

    /// The folders under `root`, their journal holding one run, started in `endpoint` with
    /// `client_id` from `profile`.
    fn dirs_with_run(root: &Path, endpoint: &str, client_id: &str, profile: &str) -> AppDirs {
        let dirs = AppDirs::under(root.to_owned());
        std::fs::create_dir_all(&dirs.data).unwrap();
        let mut journal = Journal::open(&dirs.journal()).unwrap();
        let record = RunRecord {
            id: RUN_ID.to_owned(),
            created_at: 0,
            updated_at: 0,
            source_name: "users.csv".to_owned(),
            source_path: None,
            source_digest: None,
            edited: false,
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
        dirs
    }

    fn picked(dirs: &AppDirs) -> Resumable {
        Session::pick(dirs, Some(RUN_ID)).unwrap()
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

        // On the built-in sandbox: wherever it listens this launch.
        let here = tempfile::tempdir().unwrap();
        let dirs = dirs_with_run(
            here.path(),
            BUILT_IN_SANDBOX,
            "rollcall-sandbox",
            SANDBOX_PROFILE,
        );
        let sandbox = client_for(&state, SANDBOX_PROFILE).await.unwrap();
        in_own_org(picked(&dirs), &sandbox, SANDBOX_PROFILE, None)
            .await
            .expect("the sandbox org of this launch is the run's org");

        // A profile that now points at another region: refused, naming the run's org.
        let other = tempfile::tempdir().unwrap();
        let dirs = dirs_with_run(
            other.path(),
            "Americas (US East) (us-east-1)",
            "7c1c",
            "Prod",
        );
        let refused = in_own_org(picked(&dirs), &dublin("7c1c"), "Prod", Some(true))
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
        let dirs = dirs_with_run(unsaid.path(), "", "", "Prod");
        let asked = in_own_org(picked(&dirs), &dublin("7c1c"), "Prod", None)
            .await
            .err()
            .expect("the window asks first");
        assert_eq!(asked.kind(), "confirm");
        assert!(
            asked.to_string().contains("EMEA (Dublin) (eu-west-1)"),
            "{asked}"
        );
        in_own_org(picked(&dirs), &dublin("7c1c"), "Prod", Some(true))
            .await
            .expect("the user agreed");
        let recorded = Journal::open(&dirs.journal()).unwrap().run(RUN_ID).unwrap();
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
