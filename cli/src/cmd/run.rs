//! `rollcall run`: plan, ask, create the users, and write the results; and the driving of a
//! journaled run that `rollcall resume` shares.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use rollcall_core::genesys::GenesysClient;
use rollcall_core::import::file_digest;
use rollcall_core::paths::AppDirs;
use rollcall_core::run::session::write_exports;
use rollcall_core::run::{
    events, RunControl, RunOrg, RunOrigin, RunStatus, RunSummary, Session, SettlePolicy, StopReason,
};
use serde_json::json;

use super::plan::{make_plan, PlanArgs};
use super::{confirm, dirs};
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
    // Read before the plan reads the file: were it changed in between, the digest would not be
    // that of the rows planned, and a resume would refuse its passwords rather than take
    // another file's.
    let source_digest = std::fs::read(&args.plan.file.file)
        .ok()
        .map(|bytes| file_digest(&bytes));
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
    let origin = RunOrigin {
        source_name: report.source.file_name.clone(),
        source_path: std::fs::canonicalize(&args.plan.file.file)
            .ok()
            .map(|p| p.display().to_string()),
        source_digest,
        ..RunOrigin::from(RunOrg::of(
            &connection.client,
            connection.profile.as_deref(),
        ))
    };
    let session = Session::start(&dirs, &plan, &origin).map_err(CliError::usage)?;
    let run_id = &session.record().id;
    if json {
        println!("{}", json!({"type": "run", "runId": run_id}));
    } else {
        println!("Run {run_id} started.");
    }
    let out_dir = args
        .out
        .clone()
        .or_else(|| args.plan.file.file.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    drive_and_report(
        session,
        &dirs,
        connection.client,
        &args.drive,
        &out_dir,
        json,
    )
    .await
}

/// Drives the session's run to its end (or to Ctrl-C), printing its events, then writes the
/// results files and says how it went.
pub async fn drive_and_report(
    session: Session,
    dirs: &AppDirs,
    client: GenesysClient,
    drive_args: &DriveArgs,
    out_dir: &Path,
    json: bool,
) -> Result<(), CliError> {
    let (events, received) = events::channel();
    let control = RunControl::default();
    let settle = SettlePolicy {
        window: Duration::from_secs(drive_args.settle_seconds),
        ..SettlePolicy::default()
    };
    let run_id = session.record().id.clone();
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
    let outcome = session.drive(client, settle, events, control).await;
    canceller.abort();
    let _ = printer.await;
    let summary = outcome.map_err(|e| CliError::new(exit::INTERRUPTED, e))?;
    let written = match write_exports(dirs, &run_id, out_dir) {
        Ok(exports) => Written {
            results: Some(exports.results),
            failed: exports.failed_rows,
            advice: exports.advice,
            error: None,
            step_failed: exports.step_failed,
        },
        Err(error) => Written {
            error: Some(error),
            ..Written::default()
        },
    };
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
