//! `rollcall`: Rollcall's engine from the command line.

mod sandbox;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Bulk-create Genesys Cloud users from a CSV file.
#[derive(Parser)]
#[command(name = "rollcall", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the sandbox org: a local simulation of Genesys Cloud to try Rollcall on.
    Sandbox(sandbox::SandboxArgs),
}

/// Exit codes shared by every subcommand.
pub mod exit {
    /// Bad input or usage.
    pub const USAGE: u8 = 2;
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        match cli.command {
            Command::Sandbox(args) => sandbox::run(args).await,
        }
    })
}
