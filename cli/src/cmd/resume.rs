//! `rollcall resume`: go on with an unfinished run, in the org it started in.

use std::path::{Path, PathBuf};

use clap::Args;
use rollcall_core::run::{RunOrg, Session};

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
    // Every cell of the run is read before anything else: a damaged journal stops here.
    let resumable = Session::pick(&dirs, args.run_id.as_deref()).map_err(CliError::usage)?;
    let record = resumable.record().clone();
    // A run started from a profile resumes on it unless told otherwise.
    let mut connect = args.connect.clone();
    if connect.profile.is_none() && connect.api_url.is_none() && connect.region.is_none() {
        connect.profile = record.profile.clone();
    }
    let connection = connect.connect().await?;
    // Only in the run's own org; a journal that does not say which asks instead.
    let org = RunOrg::of(&connection.client, connection.profile.as_deref());
    let unrecorded = resumable.question_for(&org).map_err(CliError::usage)?;
    if !args.json {
        println!(
            "Resuming run {} ({}): {} of {} rows left.",
            record.id,
            record.source_name,
            resumable.rows_left(),
            record.total
        );
    }
    let question = unrecorded.as_deref().unwrap_or("Go on writing to the org?");
    confirm(args.drive.yes, question)?;
    if unrecorded.is_some() {
        resumable.record_org(&org).map_err(CliError::usage)?;
    }
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
    let (rate, source) = resumable
        .rate(
            &connection.client,
            args.rate.per_minute,
            connection.rate_per_minute,
        )
        .await;
    if !args.json {
        println!(
            "Pacing at {rate} requests/min per token ({}).",
            source.describe()
        );
    }
    drive_and_report(
        resumable.into_session(rate),
        &dirs,
        connection.client,
        &args.drive,
        &out_dir,
        args.json,
    )
    .await
}
