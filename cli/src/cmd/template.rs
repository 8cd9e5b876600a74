//! `rollcall template`: a CSV template, header and one example row.

use rollcall_core::import::template_csv;

use crate::error::CliError;

pub fn run() -> Result<(), CliError> {
    print!("{}", template_csv());
    Ok(())
}
