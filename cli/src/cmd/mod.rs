//! The subcommands, one room each, and what more than one of them needs: the home folder and
//! the question asked before writing to an org.

use std::io::{IsTerminal, Write};

use rollcall_core::paths::AppDirs;

use crate::error::CliError;

pub mod fix;
pub mod invite;
pub mod plan;
pub mod profiles;
pub mod resume;
pub mod run;
pub mod runs;
pub mod sandbox;
pub mod template;
pub mod validate;
pub mod version;

/// The folders of the journal, the run locks and the logs.
fn dirs() -> Result<AppDirs, CliError> {
    AppDirs::for_current_user().ok_or_else(|| {
        CliError::usage("cannot find a home folder for the run journal (set ROLLCALL_HOME)")
    })
}

/// Ask before writing: yes with --yes, a question on a terminal, a refusal otherwise.
fn confirm(yes: bool, question: &str) -> Result<(), CliError> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(format!(
            "refusing to write to the org without a terminal to ask on ({question}); add --yes"
        )));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        Err(CliError::usage("nothing was written"))
    }
}
