//! The files a run leaves an admin: the results (every row, with what happened) and the failed
//! rows (in the file's own layout, to fix and import again).
//!
//! Every cell goes through the spreadsheet formula guard ([`neutralize_cell`]), and no secret
//! is written: the password column, when the file had one, is left empty.

use std::io::Write;
use std::path::Path;

use serde::Deserialize;

use super::journal::{JournalRow, RowStatus, RunRecord, StepKind, StepStatus};
use crate::import::mapping::{normalize_header, Field};
use crate::import::neutralize_cell;

/// The columns the results file adds after the file's own.
pub const RESULT_COLUMNS: [&str; 5] = [
    "Result",
    "User ID",
    "Error code",
    "Message",
    "Correlation ID",
];

/// The kinds of step the run's rows have, in column order: each gets a column after the
/// result columns (`Roles result`, `Division result`, …), as the window shows them.
pub fn step_kinds(rows: &[JournalRow]) -> Vec<StepKind> {
    StepKind::ALL
        .into_iter()
        .filter(|kind| rows.iter().any(|r| r.steps.iter().any(|s| s.kind == *kind)))
        .collect()
}

/// The results file's column for a kind of step.
pub fn step_column(kind: StepKind) -> String {
    format!("{} result", kind.title())
}

/// One of the files a run's results are exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExportKind {
    /// Every row with its result.
    Results,
    /// The failed and invalid rows, in the file's own layout.
    FailedRows,
}

impl ExportKind {
    /// The file's name: the source file's stem, the kind and the run
    /// (`users.results-<run>.csv`, `users.failed-<run>.csv`).
    pub fn file_name(self, run: &RunRecord) -> String {
        let stem = Path::new(&run.source_name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "users".to_owned());
        let kind = match self {
            ExportKind::Results => "results",
            ExportKind::FailedRows => "failed",
        };
        format!("{stem}.{kind}-{}.csv", run.id)
    }

    /// Write the file to `path`, through a temporary file renamed over it: the app and the CLI
    /// may write the same run's file into the same folder at the same time.
    pub fn save(
        self,
        run: &RunRecord,
        rows: &[JournalRow],
        path: &Path,
    ) -> std::io::Result<ExportSummary> {
        crate::paths::replace_file(path, |file| {
            match self {
                ExportKind::Results => write_results(run, rows, file),
                ExportKind::FailedRows => write_failed_rows(run, rows, file),
            }
            .map_err(std::io::Error::other)
        })
    }
}

/// Whether a row goes to the failed-rows file: it failed, was invalid, or a step of it failed.
pub fn is_failed(row: &JournalRow) -> bool {
    matches!(row.status, RowStatus::Failed | RowStatus::Invalid)
        || row.steps.iter().any(|s| s.status == StepStatus::Failed)
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportSummary {
    pub rows: usize,
    /// The file had a password column, and it was left empty.
    pub password_left_empty: bool,
}

impl ExportSummary {
    /// What to tell the admin about the file.
    pub fn advice(&self) -> Option<&'static str> {
        self.password_left_empty.then_some(
            "The password column was left empty: Rollcall never writes passwords to disk. Fill \
             it in again before importing the file.",
        )
    }
}

/// The results file: the original columns, then result, user id, error code, message and
/// correlation id.
pub fn write_results(
    run: &RunRecord,
    rows: &[JournalRow],
    out: impl Write,
) -> csv::Result<ExportSummary> {
    let kinds = step_kinds(rows);
    let mut columns: Vec<String> = RESULT_COLUMNS.iter().map(|c| c.to_string()).collect();
    columns.extend(kinds.iter().map(|kind| step_column(*kind)));
    let mut writer = start(run, &columns, out)?;
    let width = run.headers.len();
    for row in rows {
        let mut record: Vec<String> = padded(&row.raw, width);
        record.push(result_label(row).to_owned());
        record.push(guard(row.user_id.as_deref().unwrap_or("")));
        let error = row.error.as_ref();
        record.push(guard(error.and_then(|e| e.code.as_deref()).unwrap_or("")));
        let message = error
            .map(|e| e.message.clone())
            .or_else(|| row.note.clone())
            .unwrap_or_default();
        record.push(guard(&message));
        record.push(guard(
            error
                .and_then(|e| e.correlation_id.as_deref())
                .unwrap_or(""),
        ));
        for kind in &kinds {
            record.push(guard(&step_summary(row, *kind)));
        }
        writer.write_record(&record)?;
    }
    writer.flush()?;
    Ok(ExportSummary {
        rows: rows.len(),
        password_left_empty: has_password_column(run),
    })
}

/// The rows that failed or were invalid, in the file's own layout, ready to fix and import
/// again.
pub fn write_failed_rows(
    run: &RunRecord,
    rows: &[JournalRow],
    out: impl Write,
) -> csv::Result<ExportSummary> {
    let mut writer = start(run, &[], out)?;
    let width = run.headers.len();
    let mut written = 0;
    for row in rows.iter().filter(|r| is_failed(r)) {
        writer.write_record(padded(&row.raw, width))?;
        written += 1;
    }
    writer.flush()?;
    Ok(ExportSummary {
        rows: written,
        password_left_empty: has_password_column(run),
    })
}

/// A CSV writer that has written the file's header (guarded), then `extra` columns.
fn start<W: Write>(run: &RunRecord, extra: &[String], out: W) -> csv::Result<csv::Writer<W>> {
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(out);
    let mut header: Vec<String> = run.headers.iter().map(|h| guard(h)).collect();
    header.extend(extra.iter().cloned());
    writer.write_record(&header)?;
    Ok(writer)
}

/// What became of one kind of step of a row: `done: Support, Sales`, `failed: …`, or empty
/// when the row has none. Queues can end differently each: `done: Support; failed: Sales (…)`.
pub fn step_summary(row: &JournalRow, kind: StepKind) -> String {
    let mut parts: Vec<String> = Vec::new();
    for status in [
        StepStatus::Done,
        StepStatus::Failed,
        StepStatus::Pending,
        StepStatus::Sending,
        StepStatus::Unknown,
        StepStatus::None,
    ] {
        let steps: Vec<_> = row
            .steps
            .iter()
            .filter(|s| s.kind == kind && s.status == status)
            .collect();
        if steps.is_empty() {
            continue;
        }
        let labels: Vec<&str> = steps.iter().map(|s| s.label.as_str()).collect();
        let word = match status {
            StepStatus::Done => "done",
            StepStatus::Failed => "failed",
            StepStatus::Pending => "not done",
            StepStatus::Sending | StepStatus::Unknown => "outcome unknown",
            _ => "not applied",
        };
        let mut part = format!("{word}: {}", labels.join(", "));
        if let Some(error) = steps.iter().find_map(|s| s.error.as_deref()) {
            part.push_str(&format!(" ({error})"));
        }
        parts.push(part);
    }
    parts.join("; ")
}

/// How a row ended, in a word an admin reads at a glance.
pub fn result_label(row: &JournalRow) -> &'static str {
    match row.status {
        RowStatus::Created => "created",
        RowStatus::Existed if row.steps.iter().any(|s| s.status == StepStatus::Done) => "updated",
        RowStatus::Existed => "already existed",
        RowStatus::Restored => "restored",
        RowStatus::Skipped => "skipped",
        RowStatus::Failed => "failed",
        RowStatus::Invalid => "invalid",
        RowStatus::Pending | RowStatus::Sending => "not done",
    }
}

fn padded(raw: &[String], width: usize) -> Vec<String> {
    let mut cells: Vec<String> = raw.iter().map(|c| guard(c)).collect();
    while cells.len() < width {
        cells.push(String::new());
    }
    cells
}

fn guard(cell: &str) -> String {
    neutralize_cell(cell).into_owned()
}

fn has_password_column(run: &RunRecord) -> bool {
    let password = normalize_header(Field::Password.key());
    run.headers.iter().any(|h| normalize_header(h) == password)
}
