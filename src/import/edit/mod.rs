//! Editing a file in the session: a cell, a find and replace in a column, a removed row, each
//! one step that can be undone and redone. The file itself is never written here; the session's
//! rows are what the plan and the run read, and [`EditableImport::changes`] is what a corrected
//! file needs.
//!
//! Every edit re-checks the rows it touches with the import's own rules, and keeps the
//! repeated-address check of the whole file up to date, so the report always reads as if the
//! edited file had just been imported. `rows` applies a step to the report, `repeats` keeps
//! which lines share an address, `history` holds the undo steps, `replace` matches whole values.

mod history;
mod repeats;
mod replace;
mod rows;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::text::column_letter;
use super::validate::{Kept, RowRules};
use super::{file_digest, ImportError, ImportOptions, ImportReport, UserDraft};
use history::{CellChange, History, Step};
use repeats::Repeats;

pub use replace::replace_in_cell;

/// A file open for editing: its import report, kept up to date with every edit.
pub struct EditableImport {
    report: ImportReport,
    options: ImportOptions,
    bytes: Vec<u8>,
    digest: String,
    secret_columns: Vec<usize>,
    revision: u64,
    rules: RowRules,
    kept: Kept,
    repeats: Repeats,
    /// The drafts of rows whose address another line also has, by line: they are out of the
    /// report until the repeat is gone.
    held: FxHashMap<usize, Box<UserDraft>>,
    history: History,
    /// The cells as the file has them, of every row that differs from it now (edited, or
    /// removed: then it is not in the report).
    originals: BTreeMap<usize, Vec<String>>,
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
        let (bytes, file_name) = super::read_file(path, opts)?;
        EditableImport::from_bytes(bytes, &file_name, opts)
    }

    /// Reads a file already in memory for editing; `file_name` is only reported back.
    pub fn from_bytes(
        bytes: Vec<u8>,
        file_name: &str,
        opts: &ImportOptions,
    ) -> Result<EditableImport, ImportError> {
        let (report, editing) = super::read_and_check(&bytes, file_name, opts, true)?;
        let editing = editing.expect("read for editing");
        let repeats = Repeats::new(report.rows.iter().map(|row| row.line).zip(editing.keys));
        let mut session = EditableImport {
            digest: file_digest(&bytes),
            secret_columns: editing.rules.secret_columns(),
            report,
            options: opts.clone(),
            bytes,
            revision: 0,
            rules: editing.rules,
            kept: editing.kept,
            held: FxHashMap::default(),
            history: History::default(),
            originals: BTreeMap::new(),
            repeats,
        };
        let repeated = session.repeats.repeated();
        session.refresh(&[], &[], repeated);
        Ok(session)
    }

    /// The rows as edited, removed rows left out: what the preview shows and the plan reads.
    pub fn report(&self) -> &ImportReport {
        &self.report
    }

    /// Applies one edit as one undo step; clears what could be redone. An edit that changes
    /// nothing (the same value, a replacement that matches no cell) is no step: it leaves the
    /// revision as it was and returns an empty outcome.
    pub fn apply(&mut self, edit: Edit) -> Result<EditOutcome, EditError> {
        let (step, outcome) = match edit {
            Edit::Cell {
                line,
                column,
                value,
            } => {
                let row = self.row(line)?;
                if column >= self.report.headers.len().max(row.raw.len()) {
                    return Err(no_such_column(column));
                }
                self.editable(column)?;
                let before = row.raw.get(column).map_or("", String::as_str);
                if before == value {
                    return Ok(EditOutcome::default());
                }
                let change = CellChange {
                    line,
                    column,
                    before: before.to_owned(),
                    after: value,
                    len_before: row.raw.len(),
                };
                let changes = vec![change];
                let outcome = self.set_cells(&changes, true);
                (Step::Cells(changes), outcome)
            }
            Edit::Replace(replace) => {
                let changes = self.replacements(&replace)?;
                if changes.is_empty() {
                    return Ok(EditOutcome::default());
                }
                let outcome = self.set_cells(&changes, true);
                (Step::Cells(changes), outcome)
            }
            Edit::Remove { line } => {
                self.row(line)?;
                let (cells, outcome) = self.remove_row(line);
                (Step::Remove { line, cells }, outcome)
            }
        };
        self.history.push(step);
        self.revision += 1;
        Ok(outcome)
    }

    /// How many cells `replace` would change (for "N cells will change" before applying); 0
    /// when it would be refused.
    pub fn count_replacements(&self, replace: &Replace) -> usize {
        self.replacements(replace)
            .map_or(0, |changes| changes.len())
    }

    /// Undoes the last step; `None` when there is none.
    pub fn undo(&mut self) -> Option<EditOutcome> {
        let step = self.history.done.pop()?;
        let (step, outcome) = match step {
            Step::Cells(changes) => {
                let outcome = self.set_cells(&changes, false);
                (Step::Cells(changes), outcome)
            }
            Step::Remove { line, cells } => {
                let outcome = self.restore_row(line, cells);
                (
                    Step::Remove {
                        line,
                        cells: Vec::new(),
                    },
                    outcome,
                )
            }
        };
        self.history.undone.push(step);
        self.revision += 1;
        Some(outcome)
    }

    /// Applies again the last step undone; `None` when there is none.
    pub fn redo(&mut self) -> Option<EditOutcome> {
        let step = self.history.undone.pop()?;
        let (step, outcome) = match step {
            Step::Cells(changes) => {
                let outcome = self.set_cells(&changes, true);
                (Step::Cells(changes), outcome)
            }
            Step::Remove { line, .. } => {
                let (cells, outcome) = self.remove_row(line);
                (Step::Remove { line, cells }, outcome)
            }
        };
        self.history.done.push(step);
        self.revision += 1;
        Some(outcome)
    }

    pub fn can_undo(&self) -> bool {
        !self.history.done.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.history.undone.is_empty()
    }

    /// Whether any edit is in effect (false again after undoing all of them, or after an edit
    /// puts back what the file has).
    pub fn is_edited(&self) -> bool {
        !self.originals.is_empty()
    }

    /// Bumps on every apply, undo and redo.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// [`file_digest`] of the bytes the session was read from.
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
        self.originals
            .keys()
            .map(|&line| {
                let change = match self.row(line) {
                    Ok(row) => RowChange::Cells(row.raw.clone()),
                    Err(_) => RowChange::Removed,
                };
                (line, change)
            })
            .collect()
    }

    /// Columns whose cells are blanked as secrets (password and password-like), by index.
    pub fn secret_columns(&self) -> &[usize] {
        &self.secret_columns
    }

    /// Refuses an edit of a secret column.
    fn editable(&self, column: usize) -> Result<(), EditError> {
        if self.secret_columns.contains(&column) {
            return Err(EditError::PasswordColumn {
                header: self.report.headers[column].clone(),
            });
        }
        Ok(())
    }

    /// The cells `replace` changes, row by row in line order.
    fn replacements(&self, replace: &Replace) -> Result<Vec<CellChange>, EditError> {
        let column = replace.column;
        if column >= self.report.headers.len() {
            return Err(no_such_column(column));
        }
        self.editable(column)?;
        if replace.find.trim().is_empty() {
            return Err(EditError::NothingToFind);
        }
        let field = self
            .report
            .mapping
            .columns
            .get(column)
            .and_then(|c| c.field);
        let changes = self
            .report
            .rows
            .iter()
            .filter(|row| {
                !replace.only_problem_rows
                    || !rows::issues_of(&self.report.issues, row.line).is_empty()
            })
            .filter_map(|row| {
                let before = row.raw.get(column)?;
                let after = replace_in_cell(before, field, &replace.find, &replace.with)?;
                Some(CellChange {
                    line: row.line,
                    column,
                    before: before.clone(),
                    after,
                    len_before: row.raw.len(),
                })
            })
            .collect();
        Ok(changes)
    }
}

fn no_such_column(column: usize) -> EditError {
    EditError::NoSuchColumn {
        column: column_letter(column),
    }
}
