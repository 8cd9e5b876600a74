//! A corrected `.xlsx`: the sheet that was read, as a new workbook of its values. The rows keep
//! their places (blank rows stay blank), removed rows are left out and the rows below move up,
//! as in a CSV.

use std::path::Path;

use super::{write_error, Edits, SaveSummary};
use crate::import::read::{self, RawRow, RowSink};
use crate::import::{ImportError, ImportOptions, RowChange};
use crate::xlsx::write_xlsx;

/// Writes the corrected workbook of `original` to `out`.
pub(super) fn write(
    original: &[u8],
    file_name: &str,
    opts: &ImportOptions,
    edits: &Edits<'_>,
    out: &Path,
) -> Result<SaveSummary, ImportError> {
    let mut sheet = Sheet::default();
    let table = read::read_table(original, file_name, opts, &mut sheet)?;
    let mut summary = SaveSummary {
        sheet: table.source.sheet,
        ..SaveSummary::default()
    };
    let mut rows = Placed::default();
    rows.place(sheet.header_line, sheet.header);
    for row in sheet.rows {
        if edits.holds_secret(row.cells.iter().map(String::as_str)) {
            summary.passwords_dropped += 1;
        }
        let mut cells = match edits.changes.get(&row.line) {
            Some(RowChange::Removed) => {
                summary.removed += 1;
                // The rows below move up into its place, as its line is gone from a CSV.
                rows.previous_line = row.line;
                continue;
            }
            Some(RowChange::Cells(new_cells)) => {
                summary.cells_changed += count_changed(&row.cells, new_cells, edits);
                let mut cells = new_cells.clone();
                if cells.len() < row.cells.len() {
                    cells.extend_from_slice(&row.cells[cells.len()..]);
                }
                cells
            }
            None => row.cells,
        };
        for (column, cell) in cells.iter_mut().enumerate() {
            if edits.is_secret(column) {
                cell.clear();
            }
        }
        summary.rows += 1;
        rows.place(row.line, cells);
    }
    let name = summary.sheet.clone().unwrap_or_default();
    write_xlsx(out, &name, rows.rows).map_err(write_error(out))?;
    Ok(summary)
}

/// The rows to write, each at its place.
#[derive(Default)]
struct Placed {
    rows: Vec<Vec<String>>,
    /// The original sheet row of the last one placed (or left out): a gap after it is blank
    /// rows, which stay.
    previous_line: usize,
}

impl Placed {
    fn place(&mut self, line: usize, cells: Vec<String>) {
        let blank = line.saturating_sub(self.previous_line + 1);
        self.rows
            .extend(std::iter::repeat_with(Vec::new).take(blank));
        self.rows.push(cells);
        self.previous_line = line;
    }
}

/// How many of the cells that are not secret differ from the original's.
fn count_changed(original: &[String], new_cells: &[String], edits: &Edits<'_>) -> usize {
    new_cells
        .iter()
        .enumerate()
        .filter(|&(column, new)| {
            !edits.is_secret(column) && original.get(column).map_or("", String::as_str) != new
        })
        .count()
}

/// The sheet as the reader hands it over: the header (trimmed, as the session shows it) and
/// every row below it, by sheet row.
#[derive(Default)]
struct Sheet {
    header: Vec<String>,
    header_line: usize,
    rows: Vec<RawRow>,
}

impl RowSink for Sheet {
    fn header(&mut self, header: &[String], line: usize) -> Result<(), ImportError> {
        self.header = header.to_vec();
        self.header_line = line;
        Ok(())
    }

    fn expect_rows(&mut self, rows: usize) {
        self.rows.reserve(rows);
    }

    fn row(&mut self, row: RawRow) {
        self.rows.push(row);
    }
}
