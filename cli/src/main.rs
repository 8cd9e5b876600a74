//! `rollcall`: Rollcall's engine from the command line, for scripts, schedulers and servers.

mod cmd;
mod connect;
mod error;
mod render;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::CliError;

/// Bulk-create Genesys Cloud users from a CSV or XLSX file — validated, planned against the
/// org, paced to Genesys's rate limits, and never creating anyone twice.
///
/// Credentials come from GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET, the org from
/// GENESYS_REGION (a region key) or GENESYS_API_URL.
#[derive(Parser)]
#[command(name = "rollcall", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read and check a file: mapping and problems by line (exit 0 when no row is invalid).
    Validate(cmd::validate::FileArgs),
    /// Find and replace whole values in a column and write the corrected file, in the file's
    /// own format, delimiter and encoding.
    Fix(cmd::fix::FixArgs),
    /// The dry run against the org: who will be created, who exists, what is wrong.
    Plan(cmd::plan::PlanArgs),
    /// Plan, ask, then create the users; writes a results file (and a failed-rows file).
    Run(cmd::run::RunArgs),
    /// Go on with an unfinished run (the latest one when no id is given).
    Resume(cmd::resume::ResumeArgs),
    /// Send Genesys's invitation to the users a past run created who have not been invited.
    Invite(cmd::invite::InviteArgs),
    /// The history of runs, from the journal.
    Runs(cmd::runs::RunsArgs),
    /// Print a CSV template (header and one example row).
    Template,
    /// Saved connections; secrets go to the OS keychain.
    #[command(subcommand)]
    Profiles(cmd::profiles::ProfilesCommand),
    /// Serve the sandbox org: a local simulation of Genesys Cloud to try Rollcall on.
    Sandbox(cmd::sandbox::SandboxArgs),
    /// Print the version; with --check, say whether a newer release exists.
    Version(cmd::version::VersionArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The log goes to the shared log folder; a failure to open it is not worth stopping for.
    // A panic is written there too, with its backtrace, for a bug report.
    let dirs = rollcall_core::paths::AppDirs::for_current_user();
    let _log = dirs
        .as_ref()
        .and_then(|dirs| rollcall_core::logging::init(&dirs.logs, "rollcall").ok());
    if let Some(dirs) = &dirs {
        rollcall_core::logging::log_panics(&dirs.logs, "rollcall", env!("CARGO_PKG_VERSION"));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Validate(args) => cmd::validate::run(args),
            Command::Fix(args) => cmd::fix::run(args),
            Command::Plan(args) => cmd::plan::run(args).await,
            Command::Run(args) => cmd::run::run(args).await,
            Command::Resume(args) => cmd::resume::run(args).await,
            Command::Invite(args) => cmd::invite::run(args).await,
            Command::Runs(args) => cmd::runs::run(args),
            Command::Template => cmd::template::run(),
            Command::Profiles(command) => cmd::profiles::run(command).await,
            Command::Sandbox(args) => cmd::sandbox::run(args).await,
            Command::Version(args) => cmd::version::run(args).await,
        }
    });
    exit_code(outcome)
}

/// The one place a command's outcome becomes the process's: its message on standard error,
/// then its exit code.
fn exit_code(outcome: Result<(), CliError>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if let Some(message) = &error.message {
                eprintln!("rollcall: {message}");
            }
            ExitCode::from(error.code)
        }
    }
}
