//! `rollcall`: Rollcall's engine from the command line, for scripts, schedulers and servers.

mod commands;
mod connect;
mod profiles;
mod sandbox;
mod version;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    Validate(commands::FileArgs),
    /// The dry run against the org: who will be created, who exists, what is wrong.
    Plan(commands::PlanArgs),
    /// Plan, ask, then create the users; writes a results file (and a failed-rows file).
    Run(commands::RunArgs),
    /// Go on with an unfinished run (the latest one when no id is given).
    Resume(commands::ResumeArgs),
    /// The history of runs, from the journal.
    Runs(commands::RunsArgs),
    /// Print a CSV template (header and one example row).
    Template,
    /// Saved connections; secrets go to the OS keychain.
    #[command(subcommand)]
    Profiles(profiles::ProfilesCommand),
    /// Serve the sandbox org: a local simulation of Genesys Cloud to try Rollcall on.
    Sandbox(sandbox::SandboxArgs),
    /// Print the version; with --check, say whether a newer release exists.
    Version(version::VersionArgs),
}

/// Exit codes.
pub mod exit {
    /// Some rows failed or were invalid, or a step after a create failed (the manager, a role,
    /// the password…); or Genesys answered the plan with something unexpected; or `version
    /// --check` could not read the release manifest.
    pub const FAILED: u8 = 1;
    /// Bad input or usage.
    pub const USAGE: u8 = 2;
    /// Authentication or permission problem.
    pub const AUTH: u8 = 3;
    /// Interrupted or cancelled; the run can be resumed.
    pub const INTERRUPTED: u8 = 4;
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
    runtime.block_on(async {
        match cli.command {
            Command::Validate(args) => commands::validate(args),
            Command::Plan(args) => commands::plan_command(args).await,
            Command::Run(args) => commands::run(args).await,
            Command::Resume(args) => commands::resume(args).await,
            Command::Runs(args) => commands::runs(args),
            Command::Template => commands::template(),
            Command::Profiles(command) => profiles::run(command).await,
            Command::Sandbox(args) => sandbox::run(args).await,
            Command::Version(args) => version::version(args).await,
        }
    })
}
