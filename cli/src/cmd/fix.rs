//! `rollcall fix`: find and replace whole values in a column of a file, headless, and write the
//! corrected file in the original's own layout (what the window's *Save corrected file…* does).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use rollcall_core::import::mapping::normalize_header;
use rollcall_core::import::terminal_safe as safe;
use rollcall_core::import::{
    write_corrected, Edit, EditableImport, Field, ImportReport, Replace, SaveSummary,
};
use serde_json::json;

use super::validate::FileArgs;
use crate::error::CliError;

/// `rollcall fix`'s arguments.
#[derive(Args, Debug)]
pub struct FixArgs {
    #[command(flatten)]
    pub file: FileArgs,
    /// The column to replace in: its header as written, or a field (division, queues,
    /// roles_divisions…). Give it once for every --replace, or once before each.
    #[arg(long, required = true, value_name = "COLUMN")]
    pub column: Vec<String>,
    /// A value to find, ignoring case: a whole cell, or a whole item of a list (a queue, a
    /// skill's or a role's name, a division) — never a part of one, so "Sale" leaves
    /// "Supervisor:Sales" alone. Repeat it with --with for more replacements.
    #[arg(long = "replace", required = true, value_name = "FIND")]
    pub find: Vec<String>,
    /// What the --replace before it becomes.
    #[arg(long = "with", required = true, value_name = "VALUE")]
    pub with: Vec<String>,
    /// Replace only in rows that have a problem (an error or a warning).
    #[arg(long)]
    pub only_problem_rows: bool,
    /// Where to write the corrected file: the same format, columns, delimiter and encoding as
    /// FILE. Password cells are left empty.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Let --out be FILE itself, replacing the original.
    #[arg(long)]
    pub force: bool,
}

/// One replacement as asked for and as done.
struct Replaced {
    header: String,
    find: String,
    with: String,
    cells: usize,
}

pub fn run(args: FixArgs) -> Result<(), CliError> {
    let asked = replacements(&args)?;
    refuse_overwriting_the_original(&args)?;
    let path = &args.file.file;
    let mut session = EditableImport::open(path, &args.file.options())
        .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
    let mut done = Vec::with_capacity(asked.len());
    for (column, find, with) in asked {
        let index = column_index(session.report(), column)?;
        let replace = Replace {
            column: index,
            find: find.to_owned(),
            with: with.to_owned(),
            only_problem_rows: args.only_problem_rows,
        };
        let outcome = session
            .apply(Edit::Replace(replace))
            .map_err(CliError::usage)?;
        done.push(Replaced {
            header: session.report().headers[index].clone(),
            find: find.to_owned(),
            with: with.to_owned(),
            cells: outcome.cells,
        });
    }
    let summary = write_corrected(
        session.original_bytes(),
        &session.report().source.file_name,
        session.options(),
        &session.changes(),
        session.secret_columns(),
        &args.out,
    )
    .map_err(CliError::usage)?;
    let report = session.report();
    if args.file.json {
        print_json(&done, &summary, report, &args.out);
    } else {
        print_text(&done, &summary, report, &args.out);
    }
    Ok(())
}

/// The (column, find, with) of each replacement: as many --with as --replace, and one --column
/// for all or one for each.
fn replacements(args: &FixArgs) -> Result<Vec<(&str, &str, &str)>, CliError> {
    if args.find.len() != args.with.len() {
        return Err(CliError::usage(format!(
            "{} --replace but {} --with: give each --replace its --with",
            args.find.len(),
            args.with.len()
        )));
    }
    if args.column.len() != 1 && args.column.len() != args.find.len() {
        return Err(CliError::usage(format!(
            "{} --column for {} --replace: give one --column for all, or one for each",
            args.column.len(),
            args.find.len()
        )));
    }
    Ok((0..args.find.len())
        .map(|i| {
            let column = &args.column[i.min(args.column.len() - 1)];
            (
                column.as_str(),
                args.find[i].as_str(),
                args.with[i].as_str(),
            )
        })
        .collect())
}

/// The original is never replaced by accident: only with --out naming it and --force.
fn refuse_overwriting_the_original(args: &FixArgs) -> Result<(), CliError> {
    if args.force || !same_file(&args.file.file, &args.out) {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "--out {} is the file being fixed; write the corrected file somewhere else, or add \
         --force to replace the original",
        args.out.display()
    )))
}

/// Whether `out` names the file `file` is (through links and relative paths), existing or not.
fn same_file(file: &Path, out: &Path) -> bool {
    let Ok(file) = std::fs::canonicalize(file) else {
        return false;
    };
    let out = std::fs::canonicalize(out).or_else(|_| {
        let folder = match out.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let name = out.file_name().unwrap_or_default();
        std::fs::canonicalize(folder).map(|folder| folder.join(name))
    });
    out.is_ok_and(|out| out == file)
}

/// The column named `wanted`: a header as written (ignoring case, spaces and punctuation), or
/// the key of the field a column is mapped to.
fn column_index(report: &ImportReport, wanted: &str) -> Result<usize, CliError> {
    let key = normalize_header(wanted);
    let by_header = || {
        let exact = report.headers.iter().position(|h| h == wanted.trim());
        exact.or_else(|| {
            report
                .headers
                .iter()
                .position(|h| normalize_header(h) == key)
        })
    };
    let by_field = || {
        Field::ALL
            .iter()
            .find(|field| normalize_header(field.key()) == key)
            .and_then(|&field| report.mapping.column_of(field))
    };
    by_header().or_else(by_field).ok_or_else(|| {
        let headers: Vec<String> = report
            .headers
            .iter()
            .map(|h| format!("\"{}\"", safe(h)))
            .collect();
        CliError::usage(format!(
            "the file has no column \"{}\"; its columns are {}",
            safe(wanted),
            headers.join(", ")
        ))
    })
}

fn print_text(done: &[Replaced], summary: &SaveSummary, report: &ImportReport, out: &Path) {
    for replaced in done {
        let cells = match replaced.cells {
            0 => "no cell matched".to_owned(),
            1 => "1 cell".to_owned(),
            n => format!("{n} cells"),
        };
        println!(
            "{}: \"{}\" → \"{}\": {cells}",
            safe(&replaced.header),
            safe(&replaced.find),
            safe(&replaced.with)
        );
    }
    for warning in &summary.warnings {
        eprintln!("warning: {warning}");
    }
    println!(
        "Wrote {} ({} rows, {} cells changed).",
        out.display(),
        summary.rows,
        summary.cells_changed
    );
    let invalid = report.rows.iter().filter(|r| r.draft.is_none()).count();
    if invalid > 0 {
        println!(
            "{invalid} rows still have errors: rollcall validate {}",
            out.display()
        );
    }
}

fn print_json(done: &[Replaced], summary: &SaveSummary, report: &ImportReport, out: &Path) {
    let mut stdout = std::io::stdout().lock();
    for replaced in done {
        let line = json!({
            "type": "replacement",
            "column": replaced.header,
            "find": replaced.find,
            "with": replaced.with,
            "cells": replaced.cells,
        });
        let _ = writeln!(stdout, "{line}");
    }
    let line = json!({
        "type": "saved",
        "path": out,
        "summary": summary,
        "invalidRows": report.rows.iter().filter(|r| r.draft.is_none()).count(),
    });
    let _ = writeln!(stdout, "{line}");
}
