//! Editing the open file's rows: a cell, a find and replace in a column, a removed row, undo
//! and redo, and the plan's "did you mean" applied as a replacement. The rows live in the
//! session, never in the user's file. Each command answers with an [`EditDelta`] — the rows
//! that changed, the counts, whether undo and redo apply — never the whole preview, and makes
//! the rows a new reading (a plan made before no longer runs). Nothing is changed while a run
//! is going.

use rollcall_core::import::{Edit, EditOutcome, EditableImport, Field, Replace, RowIssue};
use serde::Serialize;
use tauri::State;

use super::import::{PreviewCounts, PreviewRow};
use crate::error::{Error, Result};
use crate::state::AppState;

#[cfg(test)]
mod measure;
#[cfg(test)]
mod tests;

/// What an edit, an undo or a redo changed, for the window to redraw only that.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EditDelta {
    /// The rows whose cells, validity or issues changed, and the rows back again, in line
    /// order.
    rows: Vec<PreviewRow>,
    /// Every issue of those rows' lines now (a line not named here has none).
    issues: Vec<RowIssue>,
    /// Lines of the rows left out, and of the rows back again.
    removed: Vec<usize>,
    restored: Vec<usize>,
    counts: PreviewCounts,
    /// Cells changed by this step.
    cells: usize,
    can_undo: bool,
    can_redo: bool,
    /// Whether the rows differ from the file at all now.
    edited: bool,
}

impl EditDelta {
    /// The delta of `outcome`, read from `rows` after it.
    pub(crate) fn new(rows: &EditableImport, outcome: &EditOutcome) -> EditDelta {
        let report = rows.report();
        let by_line = |line: &usize| {
            report
                .rows
                .binary_search_by_key(line, |row| row.line)
                .ok()
                .map(|at| &report.rows[at])
        };
        let mut lines: Vec<usize> = outcome
            .lines
            .iter()
            .chain(&outcome.restored)
            .copied()
            .collect();
        lines.sort_unstable();
        lines.dedup();
        // The issues are sorted by line: each line's are one run of them.
        let issues = lines
            .iter()
            .flat_map(|&line| {
                let first = report.issues.partition_point(|issue| issue.line < line);
                let end = report.issues.partition_point(|issue| issue.line <= line);
                report.issues[first..end].iter().cloned()
            })
            .collect();
        EditDelta {
            rows: lines
                .iter()
                .filter_map(by_line)
                .map(PreviewRow::of)
                .collect(),
            issues,
            removed: outcome.removed.clone(),
            restored: outcome.restored.clone(),
            counts: PreviewCounts::of(report),
            cells: outcome.cells,
            can_undo: rows.can_undo(),
            can_redo: rows.can_redo(),
            edited: rows.is_edited(),
        }
    }
}

/// Set one cell of the row on `line` (`column` is the file's column index).
#[tauri::command]
pub async fn edit_cell(
    state: State<'_, AppState>,
    line: usize,
    column: usize,
    value: String,
) -> Result<EditDelta> {
    apply(
        &state,
        Edit::Cell {
            line,
            column,
            value,
        },
    )
}

/// How many cells a find and replace would change, before it is applied.
#[tauri::command]
pub async fn count_replacements(
    state: State<'_, AppState>,
    column: usize,
    find: String,
    with: String,
    only_problem_rows: bool,
) -> Result<usize> {
    let replace = Replace {
        column,
        find,
        with,
        only_problem_rows,
    };
    let session = state.session.lock().expect("session");
    let file = session
        .file()
        .ok_or_else(|| Error::NotReady("Open a file first.".to_owned()))?;
    Ok(file.rows.count_replacements(&replace))
}

/// Replace a whole value by another in every cell of a column (optionally only in rows with
/// problems), as one step.
#[tauri::command]
pub async fn replace_in_column(
    state: State<'_, AppState>,
    column: usize,
    find: String,
    with: String,
    only_problem_rows: bool,
) -> Result<EditDelta> {
    apply(
        &state,
        Edit::Replace(Replace {
            column,
            find,
            with,
            only_problem_rows,
        }),
    )
}

/// Leave the row on `line` out (undo brings it back).
#[tauri::command]
pub async fn remove_row(state: State<'_, AppState>, line: usize) -> Result<EditDelta> {
    apply(&state, Edit::Remove { line })
}

/// Undo the last step; `None` when there is none.
#[tauri::command]
pub async fn undo_edit(state: State<'_, AppState>) -> Result<Option<EditDelta>> {
    change(&state, |rows| Ok(rows.undo()))
}

/// Apply again the last step undone; `None` when there is none.
#[tauri::command]
pub async fn redo_edit(state: State<'_, AppState>) -> Result<Option<EditDelta>> {
    change(&state, |rows| Ok(rows.redo()))
}

/// The plan's "did you mean": `name`, which the org does not have, becomes `with` in the
/// column of `field`, in every row (whole values, as any replacement). The window then makes
/// the plan again.
#[tauri::command]
pub async fn apply_suggestion(
    state: State<'_, AppState>,
    field: Field,
    name: String,
    with: String,
) -> Result<EditDelta> {
    suggestion(&state, field, name, with)
}

pub(crate) fn suggestion(
    state: &AppState,
    field: Field,
    name: String,
    with: String,
) -> Result<EditDelta> {
    let column = {
        let session = state.session.lock().expect("session");
        let file = session
            .file()
            .ok_or_else(|| Error::NotReady("Open a file first.".to_owned()))?;
        file.report().mapping.column_of(field).ok_or_else(|| {
            Error::NotReady(format!(
                "No column of {} holds {}: map one in the import step first.",
                file.report().source.file_name,
                field.key()
            ))
        })?
    };
    apply(
        state,
        Edit::Replace(Replace {
            column,
            find: name,
            with,
            only_problem_rows: false,
        }),
    )
}

/// Apply `edit` as one undo step.
pub(crate) fn apply(state: &AppState, edit: Edit) -> Result<EditDelta> {
    change(state, |rows| Ok(Some(rows.apply(edit)?)))?
        .ok_or_else(|| Error::Internal("an edit changed nothing".to_owned()))
}

/// Change the open file's rows with `step`, unless a run is going, and answer with the delta.
fn change(
    state: &AppState,
    step: impl FnOnce(&mut EditableImport) -> Result<Option<EditOutcome>>,
) -> Result<Option<EditDelta>> {
    if !state.runs.lock().expect("runs").is_empty() {
        return Err(Error::NotReady(
            "A run is going: the rows cannot be changed until it ends.".to_owned(),
        ));
    }
    let mut session = state.session.lock().expect("session");
    let (outcome, file) = session.edit(step)?;
    Ok(outcome?.map(|outcome| EditDelta::new(&file.rows, &outcome)))
}
