//! From bytes to a table of cells: detect the format (CSV or XLSX), the text encoding and the
//! delimiter, and number every record with the line a user sees in a text editor.

use serde::Serialize;

mod delimited;
mod sheet;

use super::error::ImportError;
use super::{ImportOptions, MAX_COLUMNS};
use delimited::read_csv;
use sheet::read_xlsx;

pub(crate) use delimited::{CsvText, LineCounter, WINDOWS_1252};

/// The most values one CSV line may have: Excel's 16,384 columns. Past the header's width they
/// are only counted, but the parser needs room for where each ends.
pub const MAX_VALUES_PER_LINE: usize = 16_384;

/// What kind of file was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SourceFormat {
    Csv,
    Xlsx,
}

/// How the file was read: shown to the user so a wrong guess is visible.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceInfo {
    pub file_name: String,
    pub format: SourceFormat,
    /// The text encoding used (`UTF-8`, `UTF-8 with BOM`, `UTF-16LE`, `UTF-16BE`,
    /// `windows-1252`); `None` for an `.xlsx`.
    pub encoding: Option<String>,
    /// The delimiter found (CSV only).
    pub delimiter: Option<char>,
    /// The sheet read (XLSX only).
    pub sheet: Option<String>,
    /// The line (or sheet row) of the header.
    pub header_line: usize,
    /// How many non-blank records follow the header.
    pub data_rows: usize,
    /// The file's size in bytes.
    pub size_bytes: u64,
}

/// The file as a table, before any column has a meaning: its records go to a [`RowSink`] as
/// they are read; this is what is left.
#[derive(Debug)]
pub(crate) struct Table {
    pub source: SourceInfo,
    /// The header cells, trimmed, without trailing empty cells.
    pub header: Vec<String>,
}

/// Receives the header, then each record below it, as the file is read.
pub(crate) trait RowSink {
    /// The header (trimmed, trailing empty cells dropped) and its line. An error stops reading.
    fn header(&mut self, header: &[String], line: usize) -> Result<(), ImportError>;
    /// A hint of how many records may follow.
    fn expect_rows(&mut self, _rows: usize) {}
    /// One non-blank record below the header.
    fn row(&mut self, row: RawRow);
}

/// One record below the header.
#[derive(Debug)]
pub(crate) struct RawRow {
    /// The line where the record starts (1-based, counting every physical line of the file).
    pub line: usize,
    /// The cells as read, with the formula guard removed; not trimmed. Kept up to the header's
    /// width or the last value, whichever is further, and never more than [`MAX_COLUMNS`]: a
    /// short row is not padded, and empty cells past the header are not stored.
    pub cells: Vec<String>,
    /// How many cells the record has up to its last value, counting any past [`MAX_COLUMNS`]
    /// that were not kept.
    pub used: usize,
    /// For a CSV line that ends before the header's last column, how many cells it has. (A
    /// sheet stores no empty cells, so a sheet row never ends early.)
    pub ended_early: Option<usize>,
}

pub(crate) const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads `bytes` as CSV or XLSX, chosen by content (an `.xlsx` is a zip archive).
pub(crate) fn read_table(
    bytes: &[u8],
    file_name: &str,
    opts: &ImportOptions,
    sink: &mut dyn RowSink,
) -> Result<Table, ImportError> {
    let size = bytes.len() as u64;
    if size > opts.max_bytes {
        return Err(ImportError::TooLarge {
            size,
            limit: opts.max_bytes,
        });
    }
    if bytes.starts_with(ZIP_MAGIC) {
        read_xlsx(bytes, file_name, opts, sink)
    } else if bytes.starts_with(OLE_MAGIC) {
        Err(ImportError::LegacyExcel)
    } else {
        read_csv(bytes, file_name, opts, sink)
    }
}

/// Removes the apostrophe that Rollcall's exports put before a cell a spreadsheet would
/// otherwise run as a formula (see [`neutralize_cell`](super::neutralize_cell)).
pub(crate) fn strip_formula_guard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if super::needs_formula_guard(rest) => rest,
        _ => cell,
    }
}

/// Whether a cell holds something: whitespace (and a lone formula guard) is nothing.
pub(crate) fn has_value(cell: &str) -> bool {
    !strip_formula_guard(cell).trim().is_empty()
}

/// How many cells a record has, and how many up to its last value (0 for a blank record, such
/// as the `,,,` lines spreadsheets write).
fn measure<'a>(cells: impl Iterator<Item = &'a str>) -> (usize, usize) {
    let mut read = 0;
    let mut used = 0;
    for cell in cells {
        read += 1;
        if has_value(cell) {
            used = read;
        }
    }
    (read, used)
}

/// Sorts the records of either format into the header (the first non-blank one) and the rows
/// below it, which go to the sink, and applies the row and column limits.
struct Records<'s> {
    sink: &'s mut dyn RowSink,
    max_rows: usize,
    row_hint: usize,
    /// A sheet has no "short rows": its empty trailing cells are simply not stored.
    sheet: bool,
    header: Option<(Vec<String>, usize)>,
    rows: usize,
}

impl<'s> Records<'s> {
    fn new(sink: &'s mut dyn RowSink, max_rows: usize, row_hint: usize) -> Self {
        Records {
            sink,
            max_rows,
            row_hint,
            sheet: false,
            header: None,
            rows: 0,
        }
    }

    /// One record; `line` says where it starts (asked only when the record is not blank).
    /// `used_beyond` is, for a sheet row with a value past the columns it kept, how many cells
    /// it has up to that value; otherwise 0.
    fn push<'c>(
        &mut self,
        line: impl FnOnce() -> usize,
        cells: impl Iterator<Item = &'c str> + Clone,
        used_beyond: usize,
    ) -> Result<(), ImportError> {
        let (read, used) = measure(cells.clone());
        let used = used.max(used_beyond);
        if used == 0 {
            return Ok(());
        }
        let line = line();
        let Some((header, _)) = &self.header else {
            // Checked before a cell is copied: a header of a million commas costs nothing.
            if used > MAX_COLUMNS {
                return Err(ImportError::TooManyColumns {
                    line,
                    found: used,
                    limit: MAX_COLUMNS,
                });
            }
            let header: Vec<String> = cells
                .take(used)
                .map(|c| strip_formula_guard(c).trim().to_owned())
                .collect();
            self.sink.header(&header, line)?;
            self.sink.expect_rows(self.row_hint.min(self.max_rows));
            self.header = Some((header, line));
            return Ok(());
        };
        if self.rows >= self.max_rows {
            return Err(ImportError::TooManyRows {
                limit: self.max_rows,
                line,
            });
        }
        self.rows += 1;
        let width = header.len();
        let kept = used.max(read.min(width)).min(MAX_COLUMNS);
        let mut kept_cells = Vec::with_capacity(kept);
        kept_cells.extend(
            cells
                .take(kept)
                .map(|cell| strip_formula_guard(cell).to_owned()),
        );
        let ended_early = (!self.sheet && read < width).then_some(read);
        self.sink.row(RawRow {
            line,
            cells: kept_cells,
            used,
            ended_early,
        });
        Ok(())
    }

    /// The header, its line and the number of rows; a file without a header is empty.
    fn finish(self) -> Result<(Vec<String>, usize, usize), ImportError> {
        let (header, line) = self.header.ok_or(ImportError::Empty)?;
        Ok((header, line, self.rows))
    }
}
