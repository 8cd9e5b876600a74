//! `rollcall runs`: the history of runs, from the journal.

use clap::Args;
use rollcall_core::run::session::effective_status;
use rollcall_core::run::{Journal, RowStatus};
use serde_json::json;

use super::dirs;
use crate::error::CliError;

#[derive(Args, Debug)]
pub struct RunsArgs {
    /// JSON Lines on standard output instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: RunsArgs) -> Result<(), CliError> {
    let dirs = dirs()?;
    let journal = Journal::open(&dirs.journal()).map_err(CliError::usage)?;
    let runs = journal.runs().map_err(CliError::usage)?;
    // A run whose rows cannot be read is left out of the list and named at the end, so one
    // damaged run neither hides the others nor passes for a run with nothing done.
    let mut unreadable = Vec::new();
    for run in &runs {
        let rows = match journal.rows(&run.id) {
            Ok(rows) => rows,
            Err(e) => {
                unreadable.push(e.to_string());
                continue;
            }
        };
        let count = |s: RowStatus| rows.iter().filter(|r| r.status == s).count();
        let status = effective_status(run, &dirs.run_locks());
        if args.json {
            println!(
                "{}",
                json!({"type": "run", "run": run, "status": status, "created": count(RowStatus::Created), "failed": count(RowStatus::Failed) + count(RowStatus::Invalid)})
            );
        } else {
            println!(
                "{}  {:<11} {:<24} {} rows: {} created, {} failed",
                run.id,
                format!("{status:?}").to_lowercase(),
                run.source_name,
                run.total,
                count(RowStatus::Created),
                count(RowStatus::Failed) + count(RowStatus::Invalid)
            );
        }
    }
    if runs.is_empty() && !args.json {
        println!("No runs yet.");
    }
    if unreadable.is_empty() {
        Ok(())
    } else {
        Err(CliError::usage(unreadable.join("\n")))
    }
}
