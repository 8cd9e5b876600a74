//! The one error every command returns: the exit code a script sees, and what to say about it.

use std::fmt::Display;

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

/// Why a command ends with a non-zero exit code: the code, and the message for standard
/// error. There is no message when the command's own output already said why (a file with
/// invalid rows, a run in which rows failed).
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: Option<String>,
}

impl CliError {
    /// An exit code and what went wrong.
    pub fn new(code: u8, message: impl Display) -> Self {
        CliError {
            code,
            message: Some(message.to_string()),
        }
    }

    /// Bad input or usage ([`exit::USAGE`]).
    pub fn usage(message: impl Display) -> Self {
        CliError::new(exit::USAGE, message)
    }

    /// An exit code alone, when the output already told the story.
    pub fn silent(code: u8) -> Self {
        CliError {
            code,
            message: None,
        }
    }
}
