//! The corrected file: the file the session was read from, with the session's edits, written
//! in its own layout so that the admin's other tools read it as they read the original.
//!
//! A CSV keeps its columns, delimiter, encoding (BOM or not, UTF-16, Windows-1252), line
//! endings and quoting: every record and every cell the session did not change is copied byte
//! for byte, removed rows are left out, and a changed cell is quoted only where the file's
//! style needs it and guarded against running as a formula. An `.xlsx` becomes a workbook of
//! the sheet that was read, values only. Password cells are never kept by the session, so
//! they are written empty; the summary counts the rows that lost one, for the warning.

mod delimited;
mod sheet;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::read::ZIP_MAGIC;
use super::{ImportError, ImportOptions, RowChange};

/// What a corrected file holds, for the message after saving it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveSummary {
    /// User rows written (the header and blank lines not counted).
    pub rows: usize,
    /// Rows of the original left out.
    pub removed: usize,
    /// Cells written with a value other than the original's.
    pub cells_changed: usize,
    /// Rows whose password (or other password-like cell) was left empty.
    pub passwords_dropped: usize,
    /// For an `.xlsx`, the one sheet that was written (as values; nothing else of the workbook
    /// is kept).
    pub sheet: Option<String>,
    /// What the admin should know about the file, in sentences.
    pub warnings: Vec<String>,
}

/// Writes `original` (the bytes a session was read from, named `file_name`, read with `opts`)
/// with the session's `changes` (by line) to `out`: a CSV in its own layout, an `.xlsx` as a
/// workbook of the sheet read. The cells of `secret_columns` are written empty. The file is
/// created readable by its owner only and replaces `out` atomically (a temporary file beside it
/// is renamed over it). Lines in `changes` that the file does not have are ignored.
pub fn write_corrected(
    original: &[u8],
    file_name: &str,
    opts: &ImportOptions,
    changes: &BTreeMap<usize, RowChange>,
    secret_columns: &[usize],
    out: &Path,
) -> Result<SaveSummary, ImportError> {
    let edits = Edits {
        changes,
        secret_columns,
    };
    let mut summary = if original.starts_with(ZIP_MAGIC) {
        sheet::write(original, file_name, opts, &edits, out)?
    } else {
        delimited::write(original, &edits, out)?
    };
    if summary.passwords_dropped > 0 {
        let rows = plural(summary.passwords_dropped, "row");
        summary.warnings.push(format!(
            "{rows} lost a password: Rollcall never keeps passwords, so the password columns \
             are empty in the corrected file — add the passwords again before importing it, or \
             let those users set their own"
        ));
    }
    if let Some(sheet) = &summary.sheet {
        summary.warnings.push(format!(
            "only the values of the sheet \"{sheet}\" were saved: the workbook's other sheets, \
             its formulas and its formatting are not kept"
        ));
    }
    Ok(summary)
}

/// The session's edits as the writers of both formats read them.
struct Edits<'e> {
    changes: &'e BTreeMap<usize, RowChange>,
    secret_columns: &'e [usize],
}

impl Edits<'_> {
    fn is_secret(&self, column: usize) -> bool {
        self.secret_columns.contains(&column)
    }

    /// Whether the record on `line` has a password-like cell with something in it.
    fn holds_secret<'c>(&self, cells: impl Iterator<Item = &'c str>) -> bool {
        cells
            .enumerate()
            .any(|(column, cell)| self.is_secret(column) && super::read::has_value(cell))
    }
}

/// The error for a corrected file that could not be written at `out`.
fn write_error(out: &Path) -> impl FnOnce(std::io::Error) -> ImportError + '_ {
    move |source| ImportError::Write {
        path: out.to_owned(),
        source,
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
