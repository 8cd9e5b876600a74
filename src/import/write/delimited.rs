//! A corrected CSV: the original's text with only the records the session changed rewritten,
//! encoded as the original was.
//!
//! The file is read again with the reader's own decoding, delimiter and parser (so every record
//! gets the line the session knows it by), one field at a time, which gives each cell's bytes
//! as written (quotes and all). A record nobody changed is never touched: the text between
//! rewritten records is copied as is, line breaks and blank lines included.

use std::borrow::Cow;
use std::io::Write;
use std::ops::Range;
use std::path::Path;

use csv_core::ReadFieldResult;

use super::{write_error, Edits, SaveSummary};
use crate::import::read::{
    has_value, strip_formula_guard, CsvText, LineCounter, MAX_VALUES_PER_LINE, WINDOWS_1252,
};
use crate::import::{neutralize_cell, ImportError, RowChange};
use crate::paths;

/// Writes the corrected CSV of `original` to `out`.
pub(super) fn write(
    original: &[u8],
    edits: &Edits<'_>,
    out: &Path,
) -> Result<SaveSummary, ImportError> {
    let csv = CsvText::decode(original)?;
    let (text, summary) = rewrite(&csv, edits)?;
    let bytes = encode(&text, csv.encoding, original);
    paths::replace_private_file(out, |file| file.write_all(&bytes)).map_err(write_error(out))?;
    Ok(summary)
}

/// The corrected text, and what it holds.
fn rewrite(csv: &CsvText<'_>, edits: &Edits<'_>) -> Result<(String, SaveSummary), ImportError> {
    let body = csv.body();
    let mut text = String::with_capacity(csv.text.len());
    text.push_str(&csv.text[..csv.body_start]);
    let mut records = Records {
        body,
        parser: csv.parser(),
        lines: LineCounter::new(body.as_bytes(), csv.first_line),
        at: 0,
        values: vec![0; 4096],
    };
    let mut record = Record::default();
    let mut header: Option<Layout> = None;
    let mut summary = SaveSummary::default();
    // The body up to here is in `text` already, as it was or rewritten.
    let mut copied = 0;
    let mut rewritten = String::new();
    while let Some(line) = records.next(&mut record)? {
        if !record.cells().any(has_value) {
            continue;
        }
        let Some(layout) = &header else {
            header = Some(Layout::of(&record, csv));
            continue;
        };
        let new_cells = match edits.changes.get(&line) {
            Some(RowChange::Removed) => {
                text.push_str(&body[copied..record.start]);
                copied = record.next;
                summary.removed += 1;
                continue;
            }
            Some(RowChange::Cells(cells)) => Some(cells.as_slice()),
            None => None,
        };
        summary.rows += 1;
        if new_cells.is_none() && !edits.holds_secret(record.cells()) {
            continue;
        }
        rewritten.clear();
        let written = layout.rewrite(&mut rewritten, body, &record, new_cells, edits, line)?;
        summary.cells_changed += written.cells_changed;
        summary.passwords_dropped += usize::from(written.secret_dropped);
        if written.cells_changed > 0 || written.secret_dropped {
            text.push_str(&body[copied..record.start]);
            text.push_str(&rewritten);
            copied = record.end;
        }
    }
    text.push_str(&body[copied..]);
    Ok((text, summary))
}

/// The file's text in its own encoding: the same BOM (or none), UTF-16 in its byte order, or
/// Windows-1252. The text holds only characters the encoding has (see
/// [`Layout::check_encodable`]).
fn encode<'t>(text: &'t str, encoding: &str, original: &[u8]) -> Cow<'t, [u8]> {
    let utf16 = |bom: &[u8], unit_bytes: fn(u16) -> [u8; 2]| {
        let mut bytes = Vec::with_capacity(bom.len() + text.len() * 2);
        if original.starts_with(bom) {
            bytes.extend_from_slice(bom);
        }
        bytes.extend(text.encode_utf16().flat_map(unit_bytes));
        Cow::Owned(bytes)
    };
    match encoding {
        "UTF-8 with BOM" => Cow::Owned([b"\xEF\xBB\xBF", text.as_bytes()].concat()),
        "UTF-16LE" => utf16(b"\xFF\xFE", u16::to_le_bytes),
        "UTF-16BE" => utf16(b"\xFE\xFF", u16::to_be_bytes),
        WINDOWS_1252 => encoding_rs::WINDOWS_1252.encode(text).0,
        _ => Cow::Borrowed(text.as_bytes()),
    }
}

/// Walks the body's records with the reader's parser, a field at a time.
struct Records<'b> {
    body: &'b str,
    parser: csv_core::Reader,
    lines: LineCounter<'b>,
    /// Where the parser is in the body.
    at: usize,
    /// Room for a field's value, quotes removed.
    values: Vec<u8>,
}

/// One record: where its text lies in the body, and each field's bytes and value.
#[derive(Default)]
struct Record {
    /// Its first character.
    start: usize,
    /// Just past its last character (before the line break that ends it).
    end: usize,
    /// Just past the line break that ends it.
    next: usize,
    /// Each field's bytes as written, quotes included, delimiters not.
    fields: Vec<Range<usize>>,
    /// The fields' values, quotes removed, one after the other.
    values: String,
    value_ends: Vec<usize>,
}

impl Record {
    fn cells(&self) -> impl Iterator<Item = &str> + Clone {
        (0..self.value_ends.len()).map(|i| self.value(i))
    }

    fn value(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.value_ends[i - 1] };
        &self.values[start..self.value_ends[i]]
    }
}

impl Records<'_> {
    /// Reads the next record into `record`; returns its line, or `None` at the end.
    fn next(&mut self, record: &mut Record) -> Result<Option<usize>, ImportError> {
        let input = self.body.as_bytes();
        record.fields.clear();
        record.values.clear();
        record.value_ends.clear();
        let mut field_start = self.at;
        let mut written = 0;
        loop {
            let (result, read, wrote) = self
                .parser
                .read_field(&input[self.at..], &mut self.values[written..]);
            self.at += read;
            written += wrote;
            let record_end = match result {
                ReadFieldResult::InputEmpty => continue,
                ReadFieldResult::OutputFull => {
                    self.values.resize(self.values.len() * 2, 0);
                    continue;
                }
                ReadFieldResult::End => return Ok(None),
                ReadFieldResult::Field { record_end } => record_end,
            };
            if record.fields.is_empty() {
                // A record's first field begins with the line breaks before it (the rest of a
                // CRLF, blank lines), which belong to no field.
                while matches!(input.get(field_start), Some(b'\r' | b'\n')) {
                    field_start += 1;
                }
                record.start = field_start;
            }
            // A field ends at the delimiter or line break the parser read with it; at the end of
            // the input it reads none.
            let field_end = if read > 0 { self.at - 1 } else { self.at };
            record.fields.push(field_start..field_end.max(field_start));
            // The input is UTF-8 and every quote and delimiter is ASCII, so each value is too.
            record
                .values
                .push_str(&String::from_utf8_lossy(&self.values[..written]));
            record.value_ends.push(record.values.len());
            written = 0;
            field_start = self.at;
            if record.fields.len() > MAX_VALUES_PER_LINE {
                return Err(ImportError::TooManyValues {
                    line: self.lines.line_of_record_at(record.start),
                    limit: MAX_VALUES_PER_LINE,
                });
            }
            if record_end {
                record.end = field_end.max(record.start);
                let rest = &self.body[record.end..];
                record.next = record.end
                    + if rest.starts_with("\r\n") {
                        2
                    } else {
                        usize::from(rest.starts_with(['\r', '\n']))
                    };
                return Ok(Some(self.lines.line_of_record_at(record.start)));
            }
        }
    }
}

/// How the file writes a record, learned from its header.
struct Layout {
    delimiter: char,
    /// Every header cell is quoted, so every cell written is too.
    quote_all: bool,
    /// The header's names, for an error about a cell.
    headers: Vec<String>,
    encoding: &'static str,
}

/// What rewriting one record did.
struct Rewritten {
    cells_changed: usize,
    secret_dropped: bool,
}

impl Layout {
    fn of(header: &Record, csv: &CsvText<'_>) -> Layout {
        let body = csv.body();
        Layout {
            delimiter: char::from(csv.delimiter),
            quote_all: header
                .fields
                .iter()
                .all(|field| body[field.clone()].starts_with('"')),
            headers: header.cells().map(|c| c.trim().to_owned()).collect(),
            encoding: csv.encoding,
        }
    }

    /// Writes `record` with `new_cells` where they differ from its values, and its secret cells
    /// empty; every other cell as it was written.
    fn rewrite(
        &self,
        out: &mut String,
        body: &str,
        record: &Record,
        new_cells: Option<&[String]>,
        edits: &Edits<'_>,
        line: usize,
    ) -> Result<Rewritten, ImportError> {
        let new_cells = new_cells.unwrap_or_default();
        let original = record.fields.len();
        // A short row that gained values grows to its last one.
        let width = new_cells
            .iter()
            .rposition(|cell| !cell.is_empty())
            .map_or(original, |last| original.max(last + 1));
        let mut written = Rewritten {
            cells_changed: 0,
            secret_dropped: false,
        };
        for column in 0..width {
            if column > 0 {
                out.push(self.delimiter);
            }
            let value = (column < original).then(|| strip_formula_guard(record.value(column)));
            if edits.is_secret(column) && value.is_some_and(has_value) {
                self.push_value(out, "");
                written.secret_dropped = true;
                continue;
            }
            match new_cells.get(column) {
                Some(new) if new != value.unwrap_or_default() => {
                    let guarded = neutralize_cell(new);
                    self.check_encodable(&guarded, line, column)?;
                    self.push_value(out, &guarded);
                    written.cells_changed += 1;
                }
                _ => {
                    if let Some(field) = record.fields.get(column) {
                        out.push_str(&body[field.clone()]);
                    }
                }
            }
        }
        Ok(written)
    }

    fn push_value(&self, out: &mut String, value: &str) {
        let needs_quotes = self.quote_all || value.contains([self.delimiter, '"', '\r', '\n']);
        if needs_quotes {
            out.push('"');
            out.push_str(&value.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(value);
        }
    }

    /// Refuses a value the file's encoding cannot hold (only Windows-1252 lacks characters).
    fn check_encodable(&self, value: &str, line: usize, column: usize) -> Result<(), ImportError> {
        if self.encoding != WINDOWS_1252 || !encoding_rs::WINDOWS_1252.encode(value).2 {
            return Ok(());
        }
        Err(ImportError::Unencodable {
            line,
            column: self.headers.get(column).cloned().unwrap_or_default(),
            value: value.to_owned(),
            encoding: self.encoding.to_owned(),
        })
    }
}
