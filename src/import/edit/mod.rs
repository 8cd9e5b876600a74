//! Editing a file in the session: a cell, a find and replace in a column, a removed row, each
//! one step that can be undone and redone. The file itself is never written here; the session's
//! rows are what the plan and the run read, and [`EditableImport::changes`] is what a corrected
//! file needs.
//!
//! Every edit re-checks the rows it touches with the import's own rules, and keeps the
//! repeated-address check of the whole file up to date, so the report always reads as if the
//! edited file had just been imported.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::mapping::Field;
use super::{ImportError, ImportOptions, ImportReport};

/// A file open for editing: its import report, kept up to date with every edit.
pub struct EditableImport {
    report: ImportReport,
    options: ImportOptions,
    bytes: Vec<u8>,
    digest: String,
    secret_columns: Vec<usize>,
    revision: u64,
}

/// One change to the session's rows; each is one undo step.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Sets one cell (by the file's column index) of the row on `line`.
    Cell {
        line: usize,
        column: usize,
        value: String,
    },
    /// Replaces a whole value in every cell of a column (see [`replace_in_cell`]).
    Replace(Replace),
    /// Leaves the row on `line` out of the session.
    Remove { line: usize },
}

/// A find and replace in one column, by whole values (see [`replace_in_cell`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Replace {
    /// The file's column index.
    pub column: usize,
    pub find: String,
    pub with: String,
    /// Only in rows that have a problem (an error or a warning).
    pub only_problem_rows: bool,
}

/// What an edit, an undo or a redo changed, for the window to redraw only that.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EditOutcome {
    /// Rows whose cells, validity or issues changed, incl. rows whose duplicate status
    /// changed because of this edit (their lines), in line order. A row back again is here too.
    pub lines: Vec<usize>,
    /// Rows removed (apply of Remove, or redo of one) and rows back again (undo of a Remove).
    pub removed: Vec<usize>,
    pub restored: Vec<usize>,
    /// Cells changed.
    pub cells: usize,
}

/// How a row of the session differs from the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowChange {
    /// The row is left out.
    Removed,
    /// The row's cells, in file column order like [`ImportedRow::raw`](super::ImportedRow::raw)
    /// (secret columns empty).
    Cells(Vec<String>),
}

/// Why an edit was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EditError {
    #[error("there is no row on line {line} (it may have been removed)")]
    NoSuchRow { line: usize },
    #[error("the file has no column {column}")]
    NoSuchColumn {
        /// The column's letter, as a spreadsheet shows it.
        column: String,
    },
    #[error(
        "column \"{header}\" holds passwords, which are never shown or kept, so it cannot be \
         edited here — correct it in the file itself"
    )]
    PasswordColumn { header: String },
    #[error("type the value to find; an empty one would match every empty cell")]
    NothingToFind,
}

impl EditableImport {
    /// Reads the file at `path` (as [`import_path`](super::import_path) does) for editing.
    pub fn open(path: &Path, opts: &ImportOptions) -> Result<EditableImport, ImportError> {
        let _ = (path, opts);
        todo!()
    }

    /// Reads a file already in memory for editing; `file_name` is only reported back.
    pub fn from_bytes(
        bytes: Vec<u8>,
        file_name: &str,
        opts: &ImportOptions,
    ) -> Result<EditableImport, ImportError> {
        let _ = (bytes, file_name, opts);
        todo!()
    }

    /// The rows as edited, removed rows left out: what the preview shows and the plan reads.
    pub fn report(&self) -> &ImportReport {
        &self.report
    }

    /// Applies one edit as one undo step; clears what could be redone.
    pub fn apply(&mut self, edit: Edit) -> Result<EditOutcome, EditError> {
        let _ = edit;
        todo!()
    }

    /// How many cells `replace` would change (for "N cells will change" before applying).
    pub fn count_replacements(&self, replace: &Replace) -> usize {
        let _ = replace;
        todo!()
    }

    /// Undoes the last step; `None` when there is none.
    pub fn undo(&mut self) -> Option<EditOutcome> {
        todo!()
    }

    /// Applies again the last step undone; `None` when there is none.
    pub fn redo(&mut self) -> Option<EditOutcome> {
        todo!()
    }

    pub fn can_undo(&self) -> bool {
        todo!()
    }

    pub fn can_redo(&self) -> bool {
        todo!()
    }

    /// Whether any edit is in effect (false again after undoing all of them).
    pub fn is_edited(&self) -> bool {
        todo!()
    }

    /// Bumps on every apply, undo and redo.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// [`file_digest`](super::file_digest) of the bytes the session was read from.
    pub fn source_digest(&self) -> &str {
        &self.digest
    }

    /// The bytes the session was read from (for writing the corrected file).
    pub fn original_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The options it was read with (sheet, country, date order, mapping).
    pub fn options(&self) -> &ImportOptions {
        &self.options
    }

    /// Rows that differ from the file, by line, in line order.
    pub fn changes(&self) -> BTreeMap<usize, RowChange> {
        todo!()
    }

    /// Columns whose cells are blanked as secrets (password and password-like), by index.
    pub fn secret_columns(&self) -> &[usize] {
        &self.secret_columns
    }
}

/// `cell` with `find` replaced by `with` as the shared rule says, or None when nothing matches.
///
/// Whole values only, trimmed and ignoring case: a single-value column's whole cell; in queues
/// and groups each item between `,`; in skills and languages the name before `:N` (the level is
/// kept); in roles with divisions (`Role:Div A,Div B|Role2`) a role name before `:` or a whole
/// division name after it. The rest of the cell is kept byte for byte.
pub fn replace_in_cell(cell: &str, field: Option<Field>, find: &str, with: &str) -> Option<String> {
    let _ = (cell, field, find, with);
    todo!()
}
