//! CSV in any of the encodings and delimiters a spreadsheet writes: the encoding and the
//! delimiter are found, and each record is numbered with the line it starts on.

use std::borrow::Cow;

use super::{Records, RowSink, SourceFormat, SourceInfo, Table, MAX_VALUES_PER_LINE};
use crate::import::error::ImportError;
use crate::import::ImportOptions;

/// Reads a CSV file, sending each record to `sink`.
pub(super) fn read_csv(
    bytes: &[u8],
    file_name: &str,
    opts: &ImportOptions,
    sink: &mut dyn RowSink,
) -> Result<Table, ImportError> {
    let csv = CsvText::decode(bytes)?;
    let (body, first_line, delimiter) = (csv.body(), csv.first_line, csv.delimiter);

    // csv_core rather than csv's reader: csv's record grows to hold every field of a line, 8
    // bytes each, so one line of 40 million delimiters took half a gigabyte. Here the fields'
    // ends have a fixed room, and a line that overflows it is refused.
    let mut parser = csv.parser();
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
            encoding: Some(csv.encoding.to_owned()),
            delimiter: Some(delimiter as char),
            sheet: None,
            header_line,
            data_rows: rows,
            size_bytes: bytes.len() as u64,
        },
        header,
    })
}

/// A CSV file's text and how it is laid out, as the reader finds them: what rewrites the file
/// (a corrected copy) reads it the same way.
pub(crate) struct CsvText<'b> {
    /// The whole file decoded, without its BOM.
    pub text: Cow<'b, str>,
    /// The encoding, named as in [`SourceInfo::encoding`].
    pub encoding: &'static str,
    /// Where the records start in `text`: after a first line `sep=X`, when there is one.
    pub body_start: usize,
    /// The line the records start on.
    pub first_line: usize,
    pub delimiter: u8,
}

impl<'b> CsvText<'b> {
    /// Decodes `bytes` and finds the delimiter; refuses binary data and an empty file.
    pub fn decode(bytes: &'b [u8]) -> Result<CsvText<'b>, ImportError> {
        let (text, encoding) = decode(bytes);
        if let Some(nul) = text.find('\0') {
            let line = text[..nul].bytes().filter(|&b| b == b'\n').count() + 1;
            return Err(ImportError::NotText { line: Some(line) });
        }
        if text.trim().is_empty() {
            return Err(ImportError::Empty);
        }
        // Excel writes and honours a first line `sep=;` naming the delimiter.
        let (body_start, first_line, declared) = match declared_separator(&text) {
            Some((delimiter, rest)) => (text.len() - rest.len(), 2, Some(delimiter)),
            None => (0, 1, None),
        };
        let delimiter = declared.unwrap_or_else(|| sniff_delimiter(&text[body_start..]));
        Ok(CsvText {
            text,
            encoding,
            body_start,
            first_line,
            delimiter,
        })
    }

    /// The text from the first record on.
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// A parser configured as the reader's.
    pub fn parser(&self) -> csv_core::Reader {
        csv_core::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .build()
    }
}

/// Turns the byte offsets the CSV reader gives into editor line numbers.
///
/// The reader's own `Position::line()` is the line where the previous record ended, before its
/// line break and any blank lines, so it is wrong after CRLF, blank lines and quoted line breaks.
/// A record's byte offset has the same flaw (it points at the previous terminator), so this skips
/// line breaks from there and counts line breaks up to the record's first character. Offsets
/// only grow, so the whole file is scanned once.
pub(crate) struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    pub fn new(text: &'a [u8], first_line: usize) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: first_line,
        }
    }

    pub fn line_of_record_at(&mut self, byte: usize) -> usize {
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
fn decode(bytes: &[u8]) -> (Cow<'_, str>, &'static str) {
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
fn sniff_delimiter(text: &str) -> u8 {
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
