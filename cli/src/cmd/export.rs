//! `rollcall export --out FILE`: the org's active and inactive users in the import's own
//! layout (CSV or XLSX, readable by its owner only) — a backup before a run, and a file to edit
//! and import again with `--update-existing`. Progress goes to standard error.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rollcall_core::roster::{export_users, RosterError, RosterFormat, RosterOptions};

use crate::connect::ConnectArgs;
use crate::error::{exit, CliError};
use crate::render;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    Csv,
    Xlsx,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Where to write the users; replaced if it exists.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// The file's format (default: xlsx for a FILE ending in .xlsx, else csv).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Also read each user's external ids, which takes one more call per user.
    #[arg(long)]
    pub external_ids: bool,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// A JSON summary on standard output instead of text.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: ExportArgs) -> Result<(), CliError> {
    let format = match args.format {
        Some(FormatArg::Csv) => RosterFormat::Csv,
        Some(FormatArg::Xlsx) => RosterFormat::Xlsx,
        None => RosterFormat::from_path(&args.out),
    };
    let options = RosterOptions {
        external_ids: args.external_ids,
    };
    let connection = args.connect.connect().await?;
    let (events, received) = tokio::sync::mpsc::unbounded_channel();
    let printer = tokio::spawn(render::print_roster_progress(received));
    let exported = export_users(
        &connection.client,
        &args.out,
        format,
        &options,
        Some(&events),
    )
    .await;
    drop(events);
    let _ = printer.await;
    let summary = exported.map_err(|e| {
        let code = match &e {
            RosterError::Genesys(g) if g.is_auth_or_permission() => exit::AUTH,
            RosterError::Write { .. } => exit::USAGE,
            _ => exit::FAILED,
        };
        CliError::new(code, e)
    })?;
    render::print_roster_summary(&summary, args.json);
    Ok(())
}
