//! `rollcall validate`: read and check a file, with its problems by line.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rollcall_core::import::terminal_safe as safe;
use rollcall_core::import::{import_path, DateOrder, ImportOptions, ImportReport};
use serde_json::json;

use crate::error::{exit, CliError};
use crate::render::print_source;

/// The file options every command that reads a file shares.
#[derive(Args, Debug)]
pub struct FileArgs {
    /// The CSV or XLSX file of users.
    pub file: PathBuf,
    /// Country for phone numbers written without +country code (ISO code: US, GB, DE…).
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// How to read hire dates such as 3/4/2026: month first (mdy) or day first (dmy).
    #[arg(long, value_name = "ORDER")]
    pub date_order: Option<DateOrderArg>,
    /// The sheet to read from an .xlsx (the first one by default).
    #[arg(long)]
    pub sheet: Option<String>,
    /// JSON Lines on standard output instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `--date-order`'s values.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DateOrderArg {
    /// Month first: 3/14/2026.
    Mdy,
    /// Day first: 14/3/2026.
    Dmy,
}

impl FileArgs {
    /// How to read the file.
    pub fn options(&self) -> ImportOptions {
        ImportOptions {
            default_country: self.country.clone(),
            date_order: self.date_order.map(|order| match order {
                DateOrderArg::Mdy => DateOrder::Mdy,
                DateOrderArg::Dmy => DateOrder::Dmy,
            }),
            sheet: self.sheet.clone(),
            ..ImportOptions::default()
        }
    }

    /// The file read and validated; a file that cannot be read at all is a usage error.
    pub fn import(&self) -> Result<ImportReport, CliError> {
        import_path(&self.file, &self.options())
            .map_err(|e| CliError::usage(format!("{}: {e}", self.file.display())))
    }
}

pub fn run(args: FileArgs) -> Result<(), CliError> {
    let report = args.import()?;
    let invalid_rows = report.rows.iter().filter(|r| r.draft.is_none()).count();
    if args.json {
        let mut out = std::io::stdout().lock();
        for issue in &report.issues {
            let _ = writeln!(out, "{}", json!({"type": "issue", "issue": issue}));
        }
        let _ = writeln!(
            out,
            "{}",
            json!({
                "type": "summary",
                "source": report.source,
                "mapping": report.mapping,
                "rows": report.rows.len(),
                "validRows": report.rows.len() - invalid_rows,
                "invalidRows": invalid_rows,
                "errors": report.error_count(),
                "warnings": report.warning_count(),
            })
        );
    } else {
        print_source(&report);
        for issue in &report.issues {
            let severity = if issue.is_error() { "error" } else { "warning" };
            println!("  {severity}: {}", safe(&issue.to_string()));
        }
        println!(
            "{} rows: {} valid, {} invalid ({} errors, {} warnings).",
            report.rows.len(),
            report.rows.len() - invalid_rows,
            invalid_rows,
            report.error_count(),
            report.warning_count()
        );
    }
    if invalid_rows > 0 {
        Err(CliError::silent(exit::USAGE))
    } else {
        Ok(())
    }
}
