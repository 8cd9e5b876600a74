//! `rollcall resume`: go on with an unfinished run, in the org it started in.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use clap::Args;
use rollcall_core::import::{import_path, ImportOptions, ImportReport};
use rollcall_core::plan::{auto_pool_size, rate_in_use};
use rollcall_core::run::{
    passwords, resume_org, Journal, JournalRow, ResumeOrg, RunLock, RunOrg, RunStatus,
};
use rollcall_core::secrets::Secret;

use super::plan::RateArg;
use super::run::{drive_and_report, DriveArgs};
use super::{confirm, dirs};
use crate::connect::ConnectArgs;
use crate::error::CliError;

#[derive(Args, Debug)]
pub struct ResumeArgs {
    /// The run to resume (the latest unfinished one by default).
    pub run_id: Option<String>,
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub drive: DriveArgs,
    /// Folder for the results and failed-rows files (next to the input by default).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// JSON Lines on standard output instead of text.
    #[arg(long)]
    pub json: bool,
    /// The org's rate limit (default: the one the run was planned with).
    #[command(flatten)]
    pub rate: RateArg,
}

pub async fn run(args: ResumeArgs) -> Result<(), CliError> {
    let dirs = dirs()?;
    let journal = Journal::open(&dirs.journal()).map_err(CliError::usage)?;
    let record = match &args.run_id {
        Some(id) => journal.run(id).map_err(CliError::usage)?,
        None => journal
            .runs()
            .map_err(CliError::usage)?
            .into_iter()
            .find(|r| {
                r.status != RunStatus::Finished && !RunLock::is_held(&dirs.run_locks(), &r.id)
            })
            .ok_or_else(|| CliError::usage("there is no unfinished run to resume"))?,
    };
    if record.status == RunStatus::Finished {
        return Err(CliError::usage(format!(
            "run {} is already finished",
            record.id
        )));
    }
    // Every cell of the run is read before anything else: a damaged journal stops here.
    let rows = journal.rows(&record.id).map_err(CliError::usage)?;
    // A run started from a profile resumes on it unless told otherwise.
    let mut connect = args.connect.clone();
    if connect.profile.is_none() && connect.api_url.is_none() && connect.region.is_none() {
        connect.profile = record.profile.clone();
    }
    let connection = connect.connect().await?;
    // Only in the run's own org; a journal that does not say which asks instead.
    let org = RunOrg::of(&connection.client, connection.profile.as_deref());
    let unrecorded = match resume_org(&record, &org).map_err(CliError::usage)? {
        ResumeOrg::Same => None,
        ResumeOrg::Unrecorded { question } => Some(question),
    };
    let left = rows.iter().filter(|r| !r.status.is_final()).count();
    if !args.json {
        println!(
            "Resuming run {} ({}): {left} of {} rows left.",
            record.id, record.source_name, record.total
        );
    }
    let question = unrecorded.as_deref().unwrap_or("Go on writing to the org?");
    confirm(args.drive.yes, question)?;
    if unrecorded.is_some() {
        journal
            .record_org(&record.id, &org)
            .map_err(CliError::usage)?;
    }
    // Passwords are never journaled: read them again from the original file when it is there.
    let passwords = record
        .source_path
        .as_deref()
        .filter(|_| rows.iter().any(|r| r.has_password && !r.status.is_final()))
        .and_then(|path| import_path(Path::new(path), &ImportOptions::default()).ok())
        .map(|report| matching_passwords(&report, &rows))
        .unwrap_or_default();
    let out_dir = args
        .out
        .clone()
        .or_else(|| {
            record
                .source_path
                .as_deref()
                .and_then(|p| Path::new(p).parent().map(Path::to_path_buf))
        })
        .unwrap_or_else(|| PathBuf::from("."));
    // The rate is decided as the plan decided it, from the run's own options.
    let setting = args
        .rate
        .per_minute
        .or(record.options.rate_per_minute)
        .or(connection.rate_per_minute);
    let (rate, source) = rate_in_use(&connection.client, setting).await;
    if !args.json {
        println!(
            "Pacing at {rate} requests/min per token ({}).",
            source.describe()
        );
    }
    let pool = record.options.pool_size.unwrap_or_else(|| {
        let calls = rows.iter().filter(|r| !r.status.is_final()).count() as u32;
        auto_pool_size(calls, rate)
    });
    drive_and_report(
        journal,
        &dirs,
        record,
        connection,
        passwords,
        &args.drive,
        pool,
        rate,
        &out_dir,
        args.json,
    )
    .await
}

/// The passwords of the re-read file, for the rows that still match it (same line, same
/// e-mail).
fn matching_passwords(report: &ImportReport, rows: &[JournalRow]) -> HashMap<usize, Secret> {
    passwords(report)
        .into_iter()
        .filter(|(index, _)| {
            let draft_email = report.rows[*index].draft.as_ref().map(|d| d.email.clone());
            rows.get(*index).is_some_and(|row| row.email == draft_email)
        })
        .collect()
}
