//! A small `.xlsx` writer: one sheet of text cells, values only, for the files Rollcall hands
//! back to an admin (a corrected user list, an export of the org's users).
//!
//! Every value is an inline string, so Excel shows it exactly as written: a phone number keeps
//! its `+` and leading zeros, and a cell starting with `=` is text, never a formula (so no
//! formula guard is needed). Rows are streamed into the archive as they come, so a large sheet
//! is never held twice in memory. The file holds personal data: it is created readable by its
//! owner only, and replaces any file at the path atomically.

use std::fmt::Write as _;
use std::io::{self, Seek, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::ZipWriter;

use crate::paths;

/// Excel refuses a sheet name longer than this.
const MAX_SHEET_NAME: usize = 31;

/// Writes `rows` (the first is usually the header) as the only sheet, named `sheet`, of a new
/// workbook at `path`. An empty cell is left out, an empty row too (the rows after it keep their
/// numbers). The file is created owner-only (0600 on Unix) through a temporary file beside it.
pub fn write_xlsx(
    path: &Path,
    sheet: &str,
    rows: impl IntoIterator<Item = Vec<String>>,
) -> io::Result<()> {
    // Buffered: the compressor hands over a few bytes per row, each a system call unbuffered.
    paths::replace_private_file(path, |file| {
        write_workbook(io::BufWriter::new(file), sheet, rows)?.flush()
    })
}

/// The whole archive, into any seekable writer.
fn write_workbook<W: Write + Seek>(
    out: W,
    sheet: &str,
    rows: impl IntoIterator<Item = Vec<String>>,
) -> io::Result<W> {
    let mut zip = ZipWriter::new(out);
    // The fastest deflate: a sheet of text packs well at any level, and a 100,000-row sheet
    // takes a third of the time to write.
    let options = SimpleFileOptions::default().compression_level(Some(1));
    for (name, content) in [
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", ROOT_RELATIONSHIPS.to_owned()),
        ("xl/workbook.xml", workbook_xml(sheet)),
        (
            "xl/_rels/workbook.xml.rels",
            WORKBOOK_RELATIONSHIPS.to_owned(),
        ),
    ] {
        zip.start_file(name, options)?;
        zip.write_all(content.as_bytes())?;
    }
    zip.start_file("xl/worksheets/sheet1.xml", options)?;
    zip.write_all(SHEET_START.as_bytes())?;
    let mut row_xml = String::new();
    for (index, row) in rows.into_iter().enumerate() {
        row_xml.clear();
        push_row(&mut row_xml, index + 1, &row);
        zip.write_all(row_xml.as_bytes())?;
    }
    zip.write_all(SHEET_END.as_bytes())?;
    Ok(zip.finish()?)
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;

const ROOT_RELATIONSHIPS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK_RELATIONSHIPS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_END: &str = "</sheetData></worksheet>";

fn workbook_xml(sheet: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{}" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        quick_xml::escape::escape(sheet_name(sheet))
    )
}

/// A name Excel accepts for a sheet: without the characters it forbids (`[]:*?/\`), without an
/// apostrophe at either end, at most 31 characters, and not empty.
fn sheet_name(wanted: &str) -> String {
    let cleaned: String = wanted
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .take(MAX_SHEET_NAME)
        .collect();
    let cleaned = cleaned.trim_matches('\'').trim();
    if cleaned.is_empty() {
        "Sheet1".to_owned()
    } else {
        cleaned.to_owned()
    }
}

/// One `<row>` of inline strings; nothing for a row without a value.
fn push_row(xml: &mut String, number: usize, cells: &[String]) {
    if cells.iter().all(String::is_empty) {
        return;
    }
    let _ = write!(xml, "<row r=\"{number}\">");
    for (column, cell) in cells.iter().enumerate() {
        if cell.is_empty() {
            continue;
        }
        xml.push_str("<c r=\"");
        push_column_letters(xml, column);
        let _ = write!(
            xml,
            "{number}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">"
        );
        push_cell_text(xml, cell);
        xml.push_str("</t></is></c>");
    }
    xml.push_str("</row>");
}

/// `A` for the first column, `Z` for the 26th, then `AA`, `AB`…
fn push_column_letters(xml: &mut String, column: usize) {
    let mut letters = [0u8; 4];
    let mut start = letters.len();
    let mut rest = column + 1;
    while rest > 0 {
        start -= 1;
        letters[start] = b'A' + ((rest - 1) % 26) as u8;
        rest = (rest - 1) / 26;
    }
    xml.extend(letters[start..].iter().map(|&b| b as char));
}

/// A cell's text as XML character data. XML 1.0 cannot hold most control characters even as
/// references, so they are written the way Excel writes them, `_xHHHH_` (which spreadsheet
/// readers turn back into the character); a literal `_x` followed by four hex digits and `_`
/// then has its underscore written that way too, so it reads back as written.
fn push_cell_text(xml: &mut String, cell: &str) {
    let mut rest = cell;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => xml.push_str("&lt;"),
            '>' => xml.push_str("&gt;"),
            '&' => xml.push_str("&amp;"),
            // A literal CR would be read back as LF (XML's end-of-line rule).
            '\r' => xml.push_str("&#13;"),
            '\t' | '\n' => xml.push(c),
            c if c.is_control() && (c as u32) < 0x20 => {
                let _ = write!(xml, "_x{:04X}_", c as u32);
            }
            '\u{FFFE}' | '\u{FFFF}' => xml.push('\u{FFFD}'),
            '_' if looks_like_escape(rest) => xml.push_str("_x005F_"),
            c => xml.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
}

/// Whether `text` starts with `_xHHHH_`.
fn looks_like_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 7
        && bytes[1] == b'x'
        && bytes[2..6].iter().all(u8::is_ascii_hexdigit)
        && bytes[6] == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{import_bytes, ImportOptions};

    fn read_back(rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("out.xlsx");
        write_xlsx(&path, "Users", rows).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let report = import_bytes(&bytes, "out.xlsx", &ImportOptions::default()).unwrap();
        let mut table = vec![report.headers.clone()];
        table.extend(report.rows.into_iter().map(|row| row.raw));
        table
    }

    fn strings(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|row| row.iter().map(|c| (*c).to_owned()).collect())
            .collect()
    }

    #[test]
    fn a_written_sheet_reads_back_cell_for_cell() {
        let rows = strings(&[
            &["name", "email", "phone_work", "title"],
            &[
                "Zoë Ångström",
                "zoe@example.com",
                "+14155550100",
                "=SUM(A1:A2)",
            ],
            &[
                "Ann <R&D>",
                "ann@example.com",
                "0044 20 7946 0000",
                "  Lead  ",
            ],
            &["Bo", "bo@example.com", "", "two\nlines"],
        ]);
        assert_eq!(read_back(rows.clone()), rows);
    }

    #[test]
    fn control_characters_and_escape_lookalikes_survive() {
        let rows = strings(&[
            &["name", "email", "title"],
            &["Vertical\u{b}Tab", "a@example.com", "literal _x0041_ here"],
        ]);
        assert_eq!(read_back(rows.clone()), rows);
    }

    #[test]
    fn columns_past_z_get_two_letters() {
        let mut xml = String::new();
        for column in [0, 25, 26, 51, 52, 701, 702] {
            push_column_letters(&mut xml, column);
            xml.push(' ');
        }
        assert_eq!(xml, "A Z AA AZ BA ZZ AAA ");
    }

    #[test]
    fn sheet_names_are_made_acceptable_to_excel() {
        assert_eq!(sheet_name("Users"), "Users");
        assert_eq!(sheet_name("Q1/Q2 [draft]"), "Q1_Q2 _draft_");
        assert_eq!(sheet_name(""), "Sheet1");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), MAX_SHEET_NAME);
    }

    #[cfg(unix)]
    #[test]
    fn the_workbook_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("users.xlsx");
        write_xlsx(&path, "Users", strings(&[&["email"], &["a@example.com"]])).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the workbook holds personal data");
    }
}
