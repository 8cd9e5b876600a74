//! An `.xlsx` workbook's chosen sheet, streamed row by row after the archive has passed the
//! size guard.

use std::io::Cursor;

use super::{has_value, Records, RowSink, SourceFormat, SourceInfo, Table};
use crate::import::error::ImportError;
use crate::import::{ImportOptions, MAX_COLUMNS};

/// Reads the chosen sheet of an `.xlsx` file, sending each row to `sink`.
pub(super) fn read_xlsx(
    bytes: &[u8],
    file_name: &str,
    opts: &ImportOptions,
    sink: &mut dyn RowSink,
) -> Result<Table, ImportError> {
    // calamine parses untrusted archives; a panic in it must not take the app down.
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::import::workbook::check_archive(bytes)?;
        read_sheet(bytes, opts, sink)
    }));
    let (sheet, header, header_line, rows) = read.unwrap_or_else(|_| {
        Err(ImportError::Xlsx {
            reason: "its contents are damaged".to_owned(),
        })
    })?;
    Ok(Table {
        source: SourceInfo {
            file_name: file_name.to_owned(),
            format: SourceFormat::Xlsx,
            encoding: None,
            delimiter: None,
            sheet: Some(sheet),
            header_line,
            data_rows: rows,
            size_bytes: bytes.len() as u64,
        },
        header,
    })
}

/// Streams the chosen sheet's cells row by row (a huge sheet is stopped at the row limit, not
/// loaded whole). Returns the sheet's name, the header, its row and the number of rows.
fn read_sheet(
    bytes: &[u8],
    opts: &ImportOptions,
    sink: &mut dyn RowSink,
) -> Result<(String, Vec<String>, usize, usize), ImportError> {
    use calamine::{Reader, Xlsx, XlsxError};

    let xlsx_error = |e: XlsxError| ImportError::Xlsx {
        reason: e.to_string(),
    };
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(xlsx_error)?;
    let names = workbook.sheet_names();
    let sheet = match &opts.sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(wanted)))
            .cloned()
            .ok_or_else(|| ImportError::SheetNotFound {
                name: wanted.clone(),
                available: names.clone(),
            })?,
        None => names.first().cloned().ok_or(ImportError::Xlsx {
            reason: "it has no sheets".to_owned(),
        })?,
    };
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(xlsx_error)?;
    let height = cells
        .dimensions()
        .end
        .0
        .saturating_sub(cells.dimensions().start.0) as usize;
    let mut records = Records::new(sink, opts.max_rows, height);
    records.sheet = true;
    let mut row = SheetRow::default();
    let mut row_index: Option<u32> = None;
    // A shared string is stored once and may fill every cell: the text handed over is counted,
    // and held to what a CSV file may hold, so a few kilobytes cannot become gigabytes of rows.
    let mut text_bytes: u64 = 0;
    while let Some(cell) = cells.next_cell().map_err(xlsx_error)? {
        let (r, c) = cell.get_position();
        if row_index != Some(r) {
            if let Some(previous) = row_index {
                row.push_to(&mut records, previous)?;
            }
            row_index = Some(r);
        }
        let text = cell_text(cell.get_value());
        if !text.is_empty() {
            text_bytes += text.len() as u64;
            if text_bytes > opts.max_bytes {
                return Err(ImportError::SheetTooLarge {
                    sheet,
                    limit: opts.max_bytes,
                });
            }
            row.set(c as usize, text);
        }
    }
    if let Some(previous) = row_index {
        row.push_to(&mut records, previous)?;
    }
    let (header, header_line, rows) = records.finish()?;
    Ok((sheet, header, header_line, rows))
}

/// The cells of the sheet row being read. A sheet stores only the cells that hold something,
/// each with its column, so a row is as wide as its rightmost value: a value in column XFD
/// must not make a 16,384-cell row, so cells past [`MAX_COLUMNS`] are only counted.
#[derive(Default)]
struct SheetRow {
    cells: Vec<String>,
    used_beyond: usize,
}

impl SheetRow {
    fn set(&mut self, column: usize, text: String) {
        if column >= MAX_COLUMNS {
            if has_value(&text) {
                self.used_beyond = self.used_beyond.max(column + 1);
            }
            return;
        }
        if self.cells.len() <= column {
            self.cells.resize(column + 1, String::new());
        }
        self.cells[column] = text;
    }

    /// Hands the row (0-based index) to the records and empties it.
    fn push_to(&mut self, records: &mut Records<'_>, index: u32) -> Result<(), ImportError> {
        let cells = self.cells.iter().map(String::as_str);
        records.push(|| index as usize + 1, cells, self.used_beyond)?;
        self.cells.clear();
        self.used_beyond = 0;
        Ok(())
    }
}

/// A cell's text as Excel shows it for the kinds of values a user list holds.
fn cell_text(cell: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef;
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        // A phone number or extension typed as a number comes back as a float: show it whole.
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(true) => "TRUE".to_owned(),
        DataRef::Bool(false) => "FALSE".to_owned(),
        DataRef::DateTime(d) if d.is_datetime() => excel_date(d),
        DataRef::DateTime(d) => d.to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    }
}

/// A date cell as `yyyy-mm-dd` (the form Genesys takes), with the time when it has one; Excel
/// keeps dates as day counts, which mean nothing in a user list.
fn excel_date(date: &calamine::ExcelDateTime) -> String {
    let (year, month, day, hour, minute, second, _) = date.to_ymd_hms_milli();
    if (hour, minute, second) == (0, 0, 0) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{DataRef, ExcelDateTime, ExcelDateTimeType};

    #[test]
    fn date_cells_read_as_iso_dates_not_day_counts() {
        // 46095 is 14 March 2026 in Excel's 1900 date system.
        let date = ExcelDateTime::new(46095.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&DataRef::DateTime(date)), "2026-03-14");
        let with_time = ExcelDateTime::new(46095.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(
            cell_text(&DataRef::DateTime(with_time)),
            "2026-03-14 12:00:00"
        );
    }
}
