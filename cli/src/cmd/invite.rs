//! `rollcall invite RUN_ID`: Genesys's invitation for the users a past run created who have not
//! been invited, journaled so that nobody is invited twice.

use clap::Args;
use rollcall_core::run::{Invitations, RunOrg};

use super::{confirm, dirs};
use crate::connect::ConnectArgs;
use crate::error::{exit, CliError};
use crate::render;

#[derive(Args, Debug)]
pub struct InviteArgs {
    /// The run whose created users to invite (`rollcall runs` lists them).
    pub run_id: String,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Do not ask before sending the invitations.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// JSON on standard output instead of text.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: InviteArgs) -> Result<(), CliError> {
    let dirs = dirs()?;
    let invitations = Invitations::pick(&dirs, &args.run_id).map_err(CliError::usage)?;
    let record = invitations.record().clone();
    let count = invitations.count();
    if count == 0 {
        render::print_invitations(&Default::default(), args.json);
        return Ok(());
    }
    // A run started from a profile invites through it unless told otherwise.
    let mut connect = args.connect.clone();
    if connect.profile.is_none() && connect.api_url.is_none() && connect.region.is_none() {
        connect.profile = record.profile.clone();
    }
    let connection = connect.connect().await?;
    // Only in the run's own org: its user ids mean nothing elsewhere.
    let org = RunOrg::of(&connection.client, connection.profile.as_deref());
    let unrecorded = invitations.question_for(&org).map_err(CliError::usage)?;
    let plural = if count == 1 { "user" } else { "users" };
    let question = unrecorded.unwrap_or_else(|| {
        format!(
            "Send Genesys's invitation e-mail to {count} {plural} run {} created?",
            record.id
        )
    });
    confirm(args.yes, &question)?;
    let summary = invitations
        .send(&connection.client)
        .await
        .map_err(CliError::usage)?;
    render::print_invitations(&summary, args.json);
    match &summary.stopped {
        Some(why) => Err(CliError::new(exit::AUTH, why)),
        None if !summary.failed.is_empty() => Err(CliError::silent(exit::FAILED)),
        None => Ok(()),
    }
}
