//! From bytes to a table of cells: detect the format (CSV or XLSX), the text encoding and the
//! delimiter, and number every record with the line a user sees in a text editor.

use std::borrow::Cow;
use std::io::Cursor;

use serde::Serialize;

use super::error::ImportError;
use super::ImportOptions;

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
    /// The cells as read, with the formula guard removed; not trimmed.
    pub cells: Vec<String>,
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

/// A record with nothing but whitespace in its cells (`,,,` lines from spreadsheets).
fn is_blank<'a>(mut cells: impl Iterator<Item = &'a str>) -> bool {
    cells.all(|cell| strip_formula_guard(cell).trim().is_empty())
}

fn unguarded(cell: &str) -> String {
    strip_formula_guard(cell).to_owned()
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

    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(body.as_bytes(), first_line);
    let mut header: Option<(Vec<String>, usize)> = None;
    let mut rows = 0;
    loop {
        let before = reader.position().byte() as usize;
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                let start = error.position().map_or(before, |p| p.byte() as usize);
                return Err(ImportError::Csv {
                    line: lines.line_of_record_at(start),
                    reason: error.to_string(),
                });
            }
        }
        if is_blank(record.iter()) {
            continue;
        }
        let start = record.position().map_or(before, |p| p.byte() as usize);
        let line = lines.line_of_record_at(start);
        if header.is_none() {
            let cells = header_cells(record.iter());
            sink.header(&cells, line)?;
            // About one record per line: a cheap upper bound that saves regrowing.
            sink.expect_rows(count_byte(body.as_bytes(), b'\n').min(opts.max_rows));
            header = Some((cells, line));
            continue;
        }
        if rows >= opts.max_rows {
            return Err(ImportError::TooManyRows {
                limit: opts.max_rows,
                line,
            });
        }
        rows += 1;
        sink.row(RawRow {
            line,
            cells: record.iter().map(unguarded).collect(),
        });
    }

    let Some((header, header_line)) = header else {
        return Err(ImportError::Empty);
    };
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

/// Header cells, trimmed, with trailing empty cells dropped.
fn header_cells<'a>(cells: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut header: Vec<String> = cells.map(|c| c.trim().to_owned()).collect();
    while header.last().is_some_and(|c| c.is_empty()) {
        header.pop();
    }
    header
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
    use calamine::{Data, Reader, Xlsx};

    // calamine parses untrusted archives; a panic in it must not take the app down.
    let opened =
        std::panic::catch_unwind(|| -> Result<(String, calamine::Range<Data>), ImportError> {
            let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::XlsxError| ImportError::Xlsx {
                    reason: e.to_string(),
                })?;
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
            let range = workbook
                .worksheet_range(&sheet)
                .map_err(|e: calamine::XlsxError| ImportError::Xlsx {
                    reason: e.to_string(),
                })?;
            Ok((sheet, range))
        });
    let (sheet, range) = opened.unwrap_or_else(|_| {
        Err(ImportError::Xlsx {
            reason: "its contents are damaged".to_owned(),
        })
    })?;

    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let first_col = range.start().map_or(0, |(_, col)| col as usize);
    let mut header: Option<(Vec<String>, usize)> = None;
    let mut rows = 0;
    for (i, cells) in range.rows().enumerate() {
        let line = first_row + i + 1;
        let texts: Vec<String> = cells.iter().map(cell_text).collect();
        if is_blank(texts.iter().map(String::as_str)) {
            continue;
        }
        // Columns left of the used range are empty; keep them so column letters line up.
        let padded = std::iter::repeat_n(String::new(), first_col);
        if header.is_none() {
            let all: Vec<String> = padded.chain(texts).collect();
            let cells = header_cells(all.iter().map(String::as_str));
            sink.header(&cells, line)?;
            sink.expect_rows(range.height().min(opts.max_rows));
            header = Some((cells, line));
            continue;
        }
        if rows >= opts.max_rows {
            return Err(ImportError::TooManyRows {
                limit: opts.max_rows,
                line,
            });
        }
        rows += 1;
        sink.row(RawRow {
            line,
            cells: padded.chain(texts.iter().map(|c| unguarded(c))).collect(),
        });
    }
    let Some((header, header_line)) = header else {
        return Err(ImportError::Empty);
    };
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

/// A cell's text as Excel shows it for the kinds of values a user list holds.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        // A phone number or extension typed as a number comes back as a float: show it whole.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Bool(true) => "TRUE".to_owned(),
        Data::Bool(false) => "FALSE".to_owned(),
        other => other.to_string(),
    }
}
