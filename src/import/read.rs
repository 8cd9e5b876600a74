//! From bytes to a table of cells: detect the format (CSV or XLSX), the text encoding and the
//! delimiter, and number every record with the line a user sees in a text editor.

use std::borrow::Cow;
use std::io::Cursor;

use serde::Serialize;

use super::error::ImportError;
use super::{ImportOptions, MAX_COLUMNS};

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

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
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
fn has_value(cell: &str) -> bool {
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

// ---------------------------------------------------------------------------------------------
// CSV

fn read_csv(
    bytes: &[u8],
    file_name: &str,
    opts: &ImportOptions,
    sink: &mut dyn RowSink,
) -> Result<Table, ImportError> {
    let (text, encoding) = decode(bytes);
    if let Some(nul) = text.find('\0') {
        let line = text[..nul].bytes().filter(|&b| b == b'\n').count() + 1;
        return Err(ImportError::NotText { line: Some(line) });
    }
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    // Excel writes and honours a first line `sep=;` naming the delimiter.
    let (body, first_line, declared) = match declared_separator(&text) {
        Some((delimiter, rest)) => (rest, 2, Some(delimiter)),
        None => (&text[..], 1, None),
    };
    let delimiter = declared.unwrap_or_else(|| sniff_delimiter(body));

    // csv_core rather than csv's reader: csv's record grows to hold every field of a line, 8
    // bytes each, so one line of 40 million delimiters took half a gigabyte. Here the fields'
    // ends have a fixed room, and a line that overflows it is refused.
    let mut parser = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let input = body.as_bytes();
    let mut consumed = 0;
    let mut fields = vec![0u8; 4096];
    let mut ends = vec![0usize; MAX_VALUES_PER_LINE];
    let mut lines = LineCounter::new(input, first_line);
    // About one record per line: a cheap upper bound that saves regrowing.
    let mut records = Records::new(sink, opts.max_rows, count_byte(input, b'\n'));
    loop {
        let start = consumed;
        let (mut written, mut ended) = (0, 0);
        let found = loop {
            let (result, read, wrote, wrote_ends) = parser.read_record(
                &input[consumed..],
                &mut fields[written..],
                &mut ends[ended..],
            );
            consumed += read;
            written += wrote;
            ended += wrote_ends;
            match result {
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => fields.resize(fields.len() * 2, 0),
                csv_core::ReadRecordResult::OutputEndsFull => {
                    return Err(ImportError::TooManyValues {
                        line: lines.line_of_record_at(start),
                        limit: MAX_VALUES_PER_LINE,
                    });
                }
                csv_core::ReadRecordResult::Record => break true,
                csv_core::ReadRecordResult::End => break false,
            }
        };
        if !found {
            break;
        }
        // The input is valid UTF-8 and every delimiter and quote is ASCII, so every field is
        // valid UTF-8 too: this borrows, never copies.
        let record = String::from_utf8_lossy(&fields[..written]);
        let ends = &ends[..ended];
        let cells = (0..ends.len()).map(|i| &record[if i == 0 { 0 } else { ends[i - 1] }..ends[i]]);
        records.push(|| lines.line_of_record_at(start), cells, 0)?;
    }

    let (header, header_line, rows) = records.finish()?;
    Ok(Table {
        source: SourceInfo {
            file_name: file_name.to_owned(),
            format: SourceFormat::Csv,
            encoding: Some(encoding.to_owned()),
            delimiter: Some(delimiter as char),
            sheet: None,
            header_line,
            data_rows: rows,
            size_bytes: bytes.len() as u64,
        },
        header,
    })
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

/// Turns the byte offsets the CSV reader gives into editor line numbers.
///
/// The reader's own `Position::line()` is the line where the previous record ended, before its
/// line break and any blank lines, so it is wrong after CRLF, blank lines and quoted line breaks.
/// A record's byte offset has the same flaw (it points at the previous terminator), so this skips
/// line breaks from there and counts line breaks up to the record's first character. Offsets
/// only grow, so the whole file is scanned once.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a [u8], first_line: usize) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: first_line,
        }
    }

    fn line_of_record_at(&mut self, byte: usize) -> usize {
        let mut start = byte.min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start >= self.offset {
            self.line += count_line_breaks(&self.text[self.offset..start]);
            self.offset = start;
        }
        self.line
    }
}

/// Line breaks as editors count them: LF, CRLF, and a CR alone (old Mac files, and what the CSV
/// reader also takes as the end of a record).
fn count_line_breaks(bytes: &[u8]) -> usize {
    // Branch-free counts the compiler vectorises: this runs over every byte of the file.
    let (lf, cr) = bytes.iter().fold((0usize, 0usize), |(lf, cr), &b| {
        (lf + usize::from(b == b'\n'), cr + usize::from(b == b'\r'))
    });
    if cr == 0 {
        return lf;
    }
    let crlf = bytes
        .iter()
        .zip(bytes.iter().skip(1))
        .filter(|&(&a, &b)| a == b'\r' && b == b'\n')
        .count();
    lf + cr - crlf
}

fn count_byte(bytes: &[u8], needle: u8) -> usize {
    bytes.iter().map(|&b| usize::from(b == needle)).sum()
}

/// The name of the encoding read when the file is not UTF-8.
pub(crate) const WINDOWS_1252: &str = "windows-1252";

/// Decodes the file: a BOM decides; else UTF-16 without BOM is recognised by its zero bytes;
/// else valid UTF-8 is UTF-8; else Windows-1252 (which is what "Latin-1" means on the web and
/// in Excel on Windows).
pub(crate) fn decode(bytes: &[u8]) -> (Cow<'_, str>, &'static str) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match std::str::from_utf8(rest) {
            Ok(text) => (Cow::Borrowed(text), "UTF-8 with BOM"),
            Err(_) => (String::from_utf8_lossy(rest), "UTF-8 with BOM"),
        };
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let (text, _) = encoding_rs::UTF_16LE.decode_without_bom_handling(rest);
        return (text, "UTF-16LE");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let (text, _) = encoding_rs::UTF_16BE.decode_without_bom_handling(rest);
        return (text, "UTF-16BE");
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        return (text, encoding.name());
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), "UTF-8"),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text, WINDOWS_1252)
        }
    }
}

/// UTF-16 text without a BOM: ASCII characters leave a zero in every other byte.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = &bytes[..bytes.len().min(1024) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let zero_even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let zero_odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if zero_odd * 10 >= pairs * 9 && zero_even == 0 {
        Some(encoding_rs::UTF_16LE)
    } else if zero_even * 10 >= pairs * 9 && zero_odd == 0 {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// A first line `sep=X` (Excel's own hint) gives the delimiter; returns it and the text after
/// that line.
fn declared_separator(text: &str) -> Option<(u8, &str)> {
    let rest = text.strip_prefix("sep=")?;
    let delimiter = *rest.as_bytes().first()?;
    if !CANDIDATES.contains(&delimiter) {
        return None;
    }
    let after = &rest[1..];
    let after = after
        .strip_prefix("\r\n")
        .or_else(|| after.strip_prefix('\n'))?;
    Some((delimiter, after))
}

const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
const SNIFF_LINES: usize = 20;
const SNIFF_BYTES: usize = 64 * 1024;

/// Picks the delimiter among `,` `;` tab `|`: count each outside quotes on the first lines; the
/// winner appears in the header and the same number of times on the most lines after it.
pub(crate) fn sniff_delimiter(text: &str) -> u8 {
    let sample = &text.as_bytes()[..text.len().min(SNIFF_BYTES)];
    let mut lines: Vec<[usize; 4]> = Vec::new();
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    let mut has_content = false;
    for &byte in sample {
        match byte {
            b'"' => {
                in_quotes = !in_quotes;
                has_content = true;
            }
            b'\n' | b'\r' if !in_quotes => {
                if has_content {
                    lines.push(counts);
                    if lines.len() == SNIFF_LINES {
                        break;
                    }
                }
                counts = [0; 4];
                has_content = false;
            }
            _ if in_quotes => {}
            _ => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == byte) {
                    counts[i] += 1;
                }
                if !byte.is_ascii_whitespace() {
                    has_content = true;
                }
            }
        }
    }
    if has_content && lines.len() < SNIFF_LINES {
        lines.push(counts);
    }
    let Some((first, rest)) = lines.split_first() else {
        return b',';
    };
    let mut best: Option<(usize, usize, usize)> = None; // (consistent lines, header count, index)
    for (i, &in_header) in first.iter().enumerate() {
        if in_header == 0 {
            continue;
        }
        let consistent = rest.iter().filter(|line| line[i] == in_header).count();
        let better = match best {
            None => true,
            Some((best_consistent, best_in_header, _)) => {
                (consistent, in_header) > (best_consistent, best_in_header)
            }
        };
        if better {
            best = Some((consistent, in_header, i));
        }
    }
    best.map_or(b',', |(_, _, i)| CANDIDATES[i])
}

// ---------------------------------------------------------------------------------------------
// XLSX

fn read_xlsx(
    bytes: &[u8],
    file_name: &str,
    opts: &ImportOptions,
    sink: &mut dyn RowSink,
) -> Result<Table, ImportError> {
    // calamine parses untrusted archives; a panic in it must not take the app down.
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        super::workbook::check_archive(bytes)?;
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
        DataRef::DateTime(d) => d.to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    }
}
