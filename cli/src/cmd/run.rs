//! `rollcall run`: plan, ask, create the users, and write the results; and the driving of a
//! journaled run that `rollcall resume` shares.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use rollcall_core::paths::{replace_file, AppDirs};
use rollcall_core::run::{
    drive, export, passwords, record_run, Journal, RowStatus, RunContext, RunControl, RunOrg,
    RunOrigin, RunRecord, RunStatus, RunSummary, SettlePolicy, StepStatus, StopReason,
};
use rollcall_core::secrets::Secret;
use serde_json::json;
use tokio::sync::mpsc;

use super::plan::{make_plan, PlanArgs};
use super::{confirm, dirs};
use crate::connect::Connection;
use crate::error::{exit, CliError};
use crate::render::{
    finish_message, plan_summary, print_events, print_plan, print_source, Written,
};

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    #[command(flatten)]
    pub drive: DriveArgs,
    /// Folder for the results and failed-rows files (next to the input by default).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct DriveArgs {
    /// Do not ask before writing to the org.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// How long to look for a user whose create may have happened before sending it again.
    #[arg(long, default_value_t = 15, value_name = "SECONDS")]
    pub settle_seconds: u64,
}

pub async fn run(args: RunArgs) -> Result<(), CliError> {
    let dirs = dirs()?;
    let (report, plan, connection) = make_plan(&args.plan).await?;
    let json = args.plan.file.json;
    if json {
        println!("{}", json!({"type": "plan", "plan": plan_summary(&plan)}));
    } else {
        print_source(&report);
        print_plan(&plan);
    }
    if plan.counts.create + plan.counts.restore == 0 {
        if !json {
            println!("Nothing to create.");
        }
    } else {
        confirm(
            args.drive.yes,
            &format!(
                "Create {} and restore {} users in {}?",
                plan.counts.create,
                plan.counts.restore,
                connection.client.endpoint().describe()
            ),
        )?;
    }
    let mut journal = Journal::open(&dirs.journal()).map_err(CliError::usage)?;
    let origin = RunOrigin {
        source_name: report.source.file_name.clone(),
        source_path: std::fs::canonicalize(&args.plan.file.file)
            .ok()
            .map(|p| p.display().to_string()),
        ..RunOrigin::from(RunOrg::of(
            &connection.client,
            connection.profile.as_deref(),
        ))
    };
    let record = record_run(&mut journal, &report, &plan, &origin).map_err(CliError::usage)?;
    if json {
        println!("{}", json!({"type": "run", "runId": record.id}));
    } else {
        println!("Run {} started.", record.id);
    }
    let out_dir = args
        .out
        .clone()
        .or_else(|| args.plan.file.file.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    drive_and_report(
        journal,
        &dirs,
        record,
        connection,
        passwords(&report),
        &args.drive,
        plan.pool_size,
        plan.allowance_per_minute,
        &out_dir,
        json,
    )
    .await
}

/// Drives the journaled run to its end (or to Ctrl-C), printing its events, then writes the
/// results files and says how it went.
#[allow(clippy::too_many_arguments)]
pub async fn drive_and_report(
    journal: Journal,
    dirs: &AppDirs,
    record: RunRecord,
    connection: Connection,
    passwords: std::collections::HashMap<usize, Secret>,
    drive_args: &DriveArgs,
    pool_size: u8,
    rate_per_minute: u32,
    out_dir: &Path,
    json: bool,
) -> Result<(), CliError> {
    let (events, received) = mpsc::channel(4096);
    let control = RunControl::default();
    let context = RunContext {
        client: connection.client.clone(),
        lock_dir: dirs.run_locks(),
        pool_size,
        rate_per_minute,
        settle: SettlePolicy {
            window: Duration::from_secs(drive_args.settle_seconds),
            ..SettlePolicy::default()
        },
        invite: record.options.invite,
        passwords,
        events,
        control: control.clone(),
    };
    let run_id = record.id.clone();
    let printer = tokio::spawn(print_events(received, json));
    let canceller = {
        let control = control.clone();
        let run_id = run_id.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!(
                    "\nCancelling: requests in flight finish, nothing new starts. Resume with `rollcall resume {run_id}`."
                );
                control.cancel();
            }
        })
    };
    let outcome = drive(journal, &run_id, context).await;
    canceller.abort();
    let _ = printer.await;
    let summary = outcome.map_err(|e| CliError::new(exit::INTERRUPTED, e))?;
    let written = write_exports(dirs, &run_id, out_dir);
    finish_message(&summary, &written, json);
    let outcome = exit_code(&summary, written.step_failed);
    match written.error {
        // Results that were not written are said whatever the run's outcome; the run's own
        // code wins when it has one (a resume may be owed), else they make the exit non-zero.
        Some(error) => Err(CliError::new(
            outcome.err().map_or(exit::USAGE, |e| e.code),
            format!("could not write the results: {error}"),
        )),
        None => outcome,
    }
}

/// The results file, and the failed-rows file when a row or a step failed, in `out_dir`.
fn write_exports(dirs: &AppDirs, run_id: &str, out_dir: &Path) -> Written {
    let mut written = Written::default();
    let mut attempt = || -> Result<(), String> {
        let journal = Journal::open(&dirs.journal()).map_err(|e| e.to_string())?;
        let record = journal.run(run_id).map_err(|e| e.to_string())?;
        let rows = journal.rows(run_id).map_err(|e| e.to_string())?;
        written.step_failed = rows.iter().any(|r| r.any_step_failed());
        let stem = Path::new(&record.source_name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "users".to_owned());
        std::fs::create_dir_all(out_dir).map_err(|e| e.to_string())?;
        // Through a temporary file renamed over the result: the app may export the same run to
        // the same folder at the same time.
        let results = out_dir.join(format!("{stem}.results-{run_id}.csv"));
        let summary = replace_file(&results, |file| {
            export::write_results(&record, &rows, file).map_err(std::io::Error::other)
        })
        .map_err(|e| format!("{}: {e}", results.display()))?;
        written.advice = summary.advice();
        written.results = Some(results);
        if rows.iter().any(|r| {
            matches!(r.status, RowStatus::Failed | RowStatus::Invalid)
                || r.steps.iter().any(|s| s.status == StepStatus::Failed)
        }) {
            let failed = out_dir.join(format!("{stem}.failed-{run_id}.csv"));
            replace_file(&failed, |file| {
                export::write_failed_rows(&record, &rows, file).map_err(std::io::Error::other)
            })
            .map_err(|e| format!("{}: {e}", failed.display()))?;
            written.failed = Some(failed);
        }
        Ok(())
    };
    if let Err(e) = attempt() {
        written.error = Some(e);
    }
    written
}

/// A finished run exits 0 only when every row and every step after its create went through;
/// `step_failed` says whether the journal has a failed step (the manager, a role, the
/// password…), which the progress counts do not all include.
fn exit_code(summary: &RunSummary, step_failed: bool) -> Result<(), CliError> {
    let step_failed = step_failed || summary.progress.steps_failed > 0;
    match summary.status {
        RunStatus::Finished if summary.progress.failed == 0 && !step_failed => Ok(()),
        RunStatus::Finished => Err(CliError::silent(exit::FAILED)),
        RunStatus::Interrupted if summary.stop_reason == Some(StopReason::Access) => {
            Err(CliError::silent(exit::AUTH))
        }
        _ => Err(CliError::silent(exit::INTERRUPTED)),
    }
}
