//! Files that are not what they claim, and careless files at scale: each gets a clear error or a
//! clear warning, and what the import keeps stays bounded — a few lines named per message, at
//! most 512 columns, short rows left short, a workbook refused before it is unpacked. Nothing
//! here is decided by time; where "nothing was read" matters, the test runs alone in its own
//! process and checks that process's peak memory.

mod support;

use std::fmt::Write as _;

use rollcall_core::import::{
    import_bytes, import_path, ImportError, ImportOptions, ImportReport, IssueKind, RowIssue,
    Severity, MAX_COLUMNS, MAX_SHARED_STRINGS, MAX_UNPACKED_BYTES,
};
use support::xlsx::{self, Part};
use support::{alone, peak_memory_mb, Scratch};

const MB: u64 = 1024 * 1024;

fn import(bytes: &[u8], file_name: &str) -> Result<ImportReport, ImportError> {
    import_bytes(bytes, file_name, &ImportOptions::default())
}

fn issues_of<'r>(
    report: &'r ImportReport,
    kind: impl Fn(&IssueKind) -> bool + 'r,
) -> Vec<&'r RowIssue> {
    report.issues.iter().filter(|i| kind(&i.kind)).collect()
}

/// In a process of its own, the peak memory stays under `limit_mb` (Linux only).
fn assert_peak_under(limit_mb: f64, what: &str) {
    if let Some(peak) = peak_memory_mb() {
        assert!(
            peak < limit_mb,
            "{what}, yet the process peaked at {peak:.0} MB"
        );
    }
}

// --- files that are not what they claim -------------------------------------------------------

#[test]
fn a_2_gb_file_is_refused_before_it_is_read() {
    if !alone("a_2_gb_file_is_refused_before_it_is_read") {
        return;
    }
    let scratch = Scratch::new("huge");
    let path = scratch.path().join("huge.csv");
    let file = std::fs::File::create(&path).unwrap();
    // A sparse file: 2 GB on paper, nothing on disk.
    file.set_len(2 * 1024 * MB).unwrap();
    let err = import_path(&path, &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, ImportError::TooLarge { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("2048 MB") && text.contains("50 MB"), "{text}");
    assert!(text.contains("split it"), "{text}");
    assert_peak_under(100.0, "nothing was to be read");
}

#[test]
fn a_binary_file_is_not_mistaken_for_a_csv() {
    let scratch = Scratch::new("binary");
    let path = scratch.path().join("photo.csv");
    let mut bytes = Vec::new();
    for i in 0..200_000u32 {
        bytes.extend_from_slice(&i.wrapping_mul(2_654_435_761).to_le_bytes());
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = import_path(&path, &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, ImportError::NotText { .. }), "{err:?}");
    assert!(err.to_string().contains("not a CSV or Excel file"), "{err}");
}

#[test]
fn a_zip_renamed_to_csv_gets_a_clear_error() {
    let scratch = Scratch::new("zip");
    let path = scratch.path().join("archive.csv");
    // A real zip archive holding a text file, not a workbook.
    let notes = Part::stored("notes.txt", b"hello, this is not a spreadsheet\n");
    std::fs::write(&path, xlsx::archive(&[notes])).unwrap();
    let err = import_path(&path, &ImportOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, ImportError::Xlsx { .. } | ImportError::NotText { .. }),
        "{err:?}"
    );
    assert!(text.contains(".xlsx") || text.contains("CSV"), "{text}");
}

// --- one address on 200,000 lines --------------------------------------------------------------

#[test]
fn two_hundred_thousand_rows_with_one_address_name_at_most_five_other_lines_each() {
    const ROWS: usize = 200_000;
    let mut csv = String::from("name,email\n");
    for i in 0..ROWS {
        writeln!(csv, "User {i},same@example.com").unwrap();
    }
    let report = import(csv.as_bytes(), "same.csv").unwrap();
    let duplicates = issues_of(&report, |k| matches!(k, IssueKind::DuplicateEmail { .. }));
    assert_eq!(duplicates.len(), ROWS, "one error on every line");
    assert_eq!(report.valid_drafts().count(), 0);
    assert_eq!(
        duplicates[0].message,
        "\"same@example.com\" is also on lines 3, 4, 5, 6, 7 and 199994 more; each person \
         needs their own address — remove or correct the repeats"
    );
    assert_eq!(
        duplicates[0].kind,
        IssueKind::DuplicateEmail { other_line: 3 }
    );
    assert!(
        duplicates[1]
            .message
            .contains("is also on lines 2, 4, 5, 6, 7 and 199994 more;"),
        "{}",
        duplicates[1].message
    );
    assert!(
        duplicates[ROWS - 1]
            .message
            .contains("is also on lines 2, 3, 4, 5, 6 and 199994 more;"),
        "{}",
        duplicates[ROWS - 1].message
    );
    let longest = duplicates.iter().map(|i| i.message.len()).max().unwrap();
    assert!(longest < 160, "a message of {longest} bytes");
}

#[test]
fn a_few_repeats_are_all_named() {
    let report = import(
        b"name,email\nA,x@example.com\nB,X@example.com\nC,y@example.com\nD,x@example.com\n",
        "few.csv",
    )
    .unwrap();
    let duplicates = issues_of(&report, |k| matches!(k, IssueKind::DuplicateEmail { .. }));
    let messages: Vec<(usize, &str)> = duplicates
        .iter()
        .map(|i| (i.line, i.message.split(';').next().unwrap()))
        .collect();
    assert_eq!(
        messages,
        [
            (2, "\"x@example.com\" is also on lines 3 and 5"),
            (3, "\"X@example.com\" is also on lines 2 and 5"),
            (5, "\"x@example.com\" is also on lines 2 and 3"),
        ]
    );
}

// --- wide headers and short rows ---------------------------------------------------------------

/// `name,email` and then `Extra 3`… up to `columns` columns.
fn wide_header(columns: usize) -> String {
    let mut header = String::from("name,email");
    for c in 3..=columns {
        write!(header, ",Extra {c}").unwrap();
    }
    header.push('\n');
    header
}

fn short_rows(header: String, rows: usize) -> String {
    let mut csv = header;
    for i in 0..rows {
        writeln!(csv, "User {i},user{i}@example.com").unwrap();
    }
    csv
}

#[test]
fn a_1000_column_header_over_200000_short_rows_is_refused_naming_the_limit() {
    let csv = short_rows(wide_header(1000), 200_000);
    let err = import(csv.as_bytes(), "wide.csv").unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::TooManyColumns {
                line: 1,
                found: 1000,
                limit: MAX_COLUMNS
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.kind(), "tooManyColumns");
    assert_eq!(
        err.to_string(),
        "line 1: the header has 1000 columns; Rollcall reads at most 512 — delete the columns \
         it does not need (it uses at most 27) and try again"
    );
}

#[test]
fn the_column_limit_is_exactly_512_and_trailing_empty_headers_do_not_count() {
    let at_limit = short_rows(wide_header(MAX_COLUMNS), 1);
    assert_eq!(
        import(at_limit.as_bytes(), "512.csv")
            .unwrap()
            .headers
            .len(),
        MAX_COLUMNS
    );
    let over = short_rows(wide_header(MAX_COLUMNS + 1), 1);
    assert!(matches!(
        import(over.as_bytes(), "513.csv"),
        Err(ImportError::TooManyColumns { found: 513, .. })
    ));
    // Spreadsheets write trailing delimiters, up to their last column; those are no columns.
    let trailing = format!("name,email{}\nAda,ada@example.com\n", ",".repeat(16_000));
    let report = import(trailing.as_bytes(), "trailing.csv").unwrap();
    assert_eq!(report.headers, ["name", "email"]);
}

#[test]
fn a_line_of_a_million_delimiters_is_refused_naming_it() {
    // One line of a 2 MB file: held field by field, it cost 8 bytes a field before any check.
    let csv = format!("name,email\nAda,ada@example.com{}\n", ",".repeat(1_000_000));
    let err = import(csv.as_bytes(), "commas.csv").unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::TooManyValues {
                line: 2,
                limit: 16_384
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "line 2 has more than 16384 values, more than a spreadsheet has columns — check that the \
         file is a list of users and that its delimiter is , ; tab or |"
    );
    assert_eq!(err.kind(), "tooManyValues");
}

#[test]
fn short_rows_under_a_512_column_header_are_kept_as_read_not_padded() {
    const ROWS: usize = 200_000;
    let csv = short_rows(wide_header(MAX_COLUMNS), ROWS);
    let report = import(csv.as_bytes(), "wide.csv").unwrap();
    assert_eq!(report.headers.len(), MAX_COLUMNS);
    assert_eq!(report.valid_drafts().count(), ROWS);
    let widest = report.rows.iter().map(|r| r.raw.len()).max().unwrap();
    assert_eq!(widest, 2, "every row keeps its 2 cells, not 512");
    let short = issues_of(&report, |k| matches!(k, IssueKind::RaggedRow { .. }));
    assert_eq!(short.len(), ROWS);
    assert_eq!(
        short[0].kind,
        IssueKind::RaggedRow {
            expected: 512,
            found: 2
        }
    );
    assert_eq!(short[0].severity, Severity::Warning);
}

#[test]
fn a_value_in_a_sheets_last_column_costs_one_cell_not_sixteen_thousand() {
    let row = |r: usize, cells: &str| format!("<row r=\"{r}\">{cells}</row>");
    let text = |reference: &str, value: &str| {
        format!("<c r=\"{reference}\" t=\"inlineStr\"><is><t>{value}</t></is></c>")
    };
    let mut sheet = xlsx::SHEET_START.to_vec();
    sheet.extend(row(1, &(text("A1", "name") + &text("B1", "email"))).bytes());
    sheet.extend(row(2, &(text("A2", "Ada") + &text("B2", "ada@example.com"))).bytes());
    sheet.extend(
        row(
            3,
            &(text("A3", "Grace") + &text("B3", "grace@example.com") + &text("XFD3", "far")),
        )
        .bytes(),
    );
    sheet.extend_from_slice(xlsx::SHEET_END);
    let parts = xlsx::workbook_parts(Part::stored("xl/worksheets/sheet1.xml", &sheet), None);
    let report = import(&xlsx::archive(&parts), "far.xlsx").unwrap();
    assert_eq!(report.rows[0].raw, ["Ada", "ada@example.com"]);
    assert!(
        report.rows[1].raw.len() <= MAX_COLUMNS,
        "{} cells kept",
        report.rows[1].raw.len()
    );
    let ragged = issues_of(&report, |k| matches!(k, IssueKind::RaggedRow { .. }));
    assert_eq!(ragged.len(), 1);
    assert_eq!(ragged[0].line, 3);
    assert_eq!(
        ragged[0].kind,
        IssueKind::RaggedRow {
            expected: 2,
            found: 16_384
        }
    );
    assert!(
        ragged[0]
            .message
            .contains("the value in column XFD would be lost"),
        "{}",
        ragged[0].message
    );
}

// --- workbooks that unpack to more than they seem ----------------------------------------------

#[test]
fn an_xlsx_that_unpacks_to_256_mb_is_refused_before_it_is_unpacked() {
    if !alone("an_xlsx_that_unpacks_to_256_mb_is_refused_before_it_is_unpacked") {
        return;
    }
    let bomb = xlsx::bomb(256 * MB);
    assert!(bomb.len() < 2 * MB as usize, "{} bytes packed", bomb.len());
    let err = import(&bomb, "bomb.xlsx").unwrap_err();
    match &err {
        ImportError::WorkbookTooLarge { part, size, limit } => {
            assert_eq!(part.as_deref(), Some("xl/worksheets/sheet1.xml"));
            assert_eq!(*size, 256 * MB);
            assert_eq!(*limit, MAX_UNPACKED_BYTES);
        }
        other => panic!("expected WorkbookTooLarge, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "the workbook unpacks to 256 MB in its part xl/worksheets/sheet1.xml alone, more than \
         the 200 MB Rollcall reads — this is not an ordinary user list: export the sheet as CSV, \
         or delete other sheets and pictures and save it again"
    );
    assert_eq!(err.kind(), "workbookTooLarge");
    assert_peak_under(100.0, "nothing was to be unpacked");
}

#[test]
fn parts_that_together_unpack_past_the_limit_are_refused() {
    let sheet = Part::spaces(
        "xl/worksheets/sheet1.xml",
        xlsx::SHEET_START,
        150 * MB,
        xlsx::SHEET_END,
    );
    let mut parts = xlsx::workbook_parts(sheet, None);
    parts.push(Part::spaces("xl/media/image1.png", b"", 150 * MB, b""));
    let err = import(&xlsx::archive(&parts), "two.xlsx").unwrap_err();
    assert!(
        matches!(err, ImportError::WorkbookTooLarge { part: None, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("the workbook unpacks to 300 MB, more than the 200 MB"),
        "{err}"
    );
}

#[test]
fn a_workbook_packed_like_the_bombs_but_small_reads_normally() {
    // The same packing as the bombs, so those are real archives the reader would unpack.
    let mut start = xlsx::SHEET_START.to_vec();
    start.extend_from_slice(
        br#"<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>email</t></is></c></row>"#,
    );
    let mut end = br#"<row r="2"><c r="A2" t="inlineStr"><is><t>Ada</t></is></c><c r="B2" t="inlineStr"><is><t>ada@example.com</t></is></c></row>"#.to_vec();
    end.extend_from_slice(xlsx::SHEET_END);
    let sheet = Part::spaces("xl/worksheets/sheet1.xml", &start, 100_000, &end);
    let report = import(
        &xlsx::archive(&xlsx::workbook_parts(sheet, None)),
        "ok.xlsx",
    )
    .unwrap();
    assert_eq!(report.valid_drafts().count(), 1);
    assert_eq!(report.rows[0].raw, ["Ada", "ada@example.com"]);
}

#[test]
fn a_part_that_unpacks_past_its_declared_size_is_stopped() {
    // The check trusts the declared sizes because the zip reader stops any part at its declared
    // size; this keeps that true.
    let mut sheet = Part::spaces(
        "xl/worksheets/sheet1.xml",
        xlsx::SHEET_START,
        50 * MB,
        xlsx::SHEET_END,
    );
    sheet.declared_size = 4096;
    let err = import(
        &xlsx::archive(&xlsx::workbook_parts(sheet, None)),
        "lie.xlsx",
    )
    .unwrap_err();
    assert!(matches!(err, ImportError::Xlsx { .. }), "{err:?}");
    assert!(
        err.to_string().contains("larger than its declared"),
        "{err}"
    );
}

#[test]
fn a_shared_string_table_declaring_more_strings_than_it_holds_is_refused() {
    let sheet = xlsx::sheet_of(&[&["name", "email"], &["Ada", "ada@example.com"]]);
    let strings = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="100000000" uniqueCount="100000000"><si><t>Ada</t></si></sst>"#;
    let table = |xml: &str| Part::stored("xl/sharedStrings.xml", xml.as_bytes());
    let parts = xlsx::workbook_parts(sheet, Some(table(strings)));
    let err = import(&xlsx::archive(&parts), "sst.xlsx").unwrap_err();
    assert!(matches!(err, ImportError::Xlsx { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains(
            "xl/sharedStrings.xml declares 100000000 strings, but its 194 bytes can hold at most 38"
        ),
        "{text}"
    );

    // The same table with an honest count reads.
    let honest = strings.replace("100000000", "1");
    let parts = xlsx::workbook_parts(
        xlsx::sheet_of(&[&["name", "email"], &["Ada", "ada@example.com"]]),
        Some(table(&honest)),
    );
    assert!(import(&xlsx::archive(&parts), "sst.xlsx").is_ok());
}

#[test]
fn a_shared_string_table_of_millions_of_texts_is_refused() {
    if !alone("a_shared_string_table_of_millions_of_texts_is_refused") {
        return;
    }
    // Two million and one empty texts: 10 MB of XML packed into 100 KB, which the workbook
    // reader would keep as 48 MB of empty strings — and 200 MB of them as a gigabyte.
    let strings = Part::repeated(
        "xl/sharedStrings.xml",
        xlsx::STRINGS_START,
        b"<si/>",
        MAX_SHARED_STRINGS + 1,
        xlsx::STRINGS_END,
    );
    let sheet = xlsx::sheet_of(&[&["name", "email"], &["Ada", "ada@example.com"]]);
    let workbook = xlsx::archive(&xlsx::workbook_parts(sheet, Some(strings)));
    assert!(workbook.len() < 200_000, "{} bytes packed", workbook.len());
    let err = import(&workbook, "strings.xlsx").unwrap_err();
    assert!(
        matches!(err, ImportError::TooManySharedStrings { limit: 2_000_000 }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the workbook holds more than 2000000 different texts; Rollcall reads workbooks with up \
         to 2000000 — this is not an ordinary user list: export the sheet as CSV, or split it"
    );
    assert_peak_under(100.0, "no text was to be kept");

    // As many texts as the limit read.
    let strings = Part::repeated(
        "xl/sharedStrings.xml",
        xlsx::STRINGS_START,
        b"<si/>",
        MAX_SHARED_STRINGS,
        xlsx::STRINGS_END,
    );
    let sheet = xlsx::sheet_of(&[&["name", "email"], &["Ada", "ada@example.com"]]);
    let workbook = xlsx::archive(&xlsx::workbook_parts(sheet, Some(strings)));
    assert!(import(&workbook, "strings.xlsx").is_ok());
}

#[test]
fn a_text_of_megabytes_in_one_cell_is_refused_before_it_is_read() {
    let mut start = xlsx::SHEET_START.to_vec();
    start.extend_from_slice(
        br#"<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>email</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>"#,
    );
    let mut end = b"</t></is></c></row>".to_vec();
    end.extend_from_slice(xlsx::SHEET_END);
    let sheet = Part::repeated("xl/worksheets/sheet1.xml", &start, b"a", 2 * MB, &end);
    let err = import(
        &xlsx::archive(&xlsx::workbook_parts(sheet, None)),
        "long.xlsx",
    )
    .unwrap_err();
    assert!(matches!(err, ImportError::Xlsx { .. }), "{err:?}");
    assert!(
        err.to_string().contains(
            "its part xl/worksheets/sheet1.xml holds a text or tag of more than 1 MB, longer \
             than any Excel cell"
        ),
        "{err}"
    );
}

#[test]
fn a_long_shared_text_in_every_cell_is_held_to_what_a_csv_may_hold() {
    // One 500 KB text, stored once, in the notes of 200 rows: 100 MB of cells from a part of
    // half a megabyte.
    let strings = Part::repeated(
        "xl/sharedStrings.xml",
        b"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>",
        b"note ",
        100_000,
        b"</t></si></sst>",
    );
    let mut sheet = xlsx::SHEET_START.to_vec();
    sheet.extend_from_slice(
        br#"<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>email</t></is></c><c r="C1" t="inlineStr"><is><t>notes</t></is></c></row>"#,
    );
    for r in 2..=201 {
        sheet.extend_from_slice(
            format!(
                "<row r=\"{r}\"><c r=\"A{r}\" t=\"inlineStr\"><is><t>U{r}</t></is></c>\
                 <c r=\"B{r}\" t=\"inlineStr\"><is><t>u{r}@example.com</t></is></c>\
                 <c r=\"C{r}\" t=\"s\"><v>0</v></c></row>"
            )
            .as_bytes(),
        );
    }
    sheet.extend_from_slice(xlsx::SHEET_END);
    let parts = xlsx::workbook_parts(
        Part::stored("xl/worksheets/sheet1.xml", &sheet),
        Some(strings),
    );
    let err = import(&xlsx::archive(&parts), "notes.xlsx").unwrap_err();
    assert!(
        matches!(&err, ImportError::SheetTooLarge { sheet, limit } if sheet == "Users" && *limit == 50 * MB),
        "{err:?}"
    );
    assert_eq!(err.kind(), "sheetTooLarge");
    assert!(
        err.to_string().starts_with(
            "the sheet \"Users\" holds more than 50 MB of text in its cells (a text repeated in \
             many cells counts each time)"
        ),
        "{err}"
    );
}

// --- passwords where no password should be ------------------------------------------------------

#[test]
fn password_like_columns_are_blanked_in_the_report_with_a_warning_naming_each() {
    let csv = "name,email,password,PIN,Passwort,mot de passe,Contraseña,Temp_Password,Passport,Secret\n\
               Ada,ada@example.com,Pw-mapped-1,4821,geheim-77,motdepasse-9,clave-3,temp-5,P1234567,s3cr3t-x\n\
               Grace,grace@example.com,,,,,,,P7654321,\n";
    let report = import(csv.as_bytes(), "secrets.csv").unwrap();
    let json = serde_json::to_string(&report).unwrap();
    for secret in [
        "Pw-mapped-1",
        "4821",
        "geheim-77",
        "motdepasse-9",
        "clave-3",
        "temp-5",
        "s3cr3t-x",
    ] {
        assert!(!json.contains(secret), "{secret} reached the report");
    }
    let ada = &report.rows[0].raw;
    assert_eq!(ada[8], "P1234567", "a passport number is no password");
    assert!(
        ada.iter()
            .enumerate()
            .all(|(i, c)| i < 2 || i == 8 || c.is_empty()),
        "{ada:?}"
    );
    let draft = report.rows[0].draft.as_ref().unwrap();
    assert_eq!(draft.password.as_ref().unwrap().expose(), "Pw-mapped-1");

    let warned: Vec<(&str, Severity, usize)> =
        issues_of(&report, |k| matches!(k, IssueKind::PasswordColumn))
            .iter()
            .map(|i| (i.column.as_deref().unwrap(), i.severity, i.line))
            .collect();
    assert_eq!(
        warned,
        [
            ("PIN", Severity::Warning, 1),
            ("Passwort", Severity::Warning, 1),
            ("mot de passe", Severity::Warning, 1),
            ("Contraseña", Severity::Warning, 1),
            ("Temp_Password", Severity::Warning, 1),
            ("Secret", Severity::Warning, 1),
        ]
    );
    let pin = issues_of(&report, |k| matches!(k, IssueKind::PasswordColumn))[0];
    assert_eq!(
        pin.message,
        "column \"PIN\" looks like it holds passwords, so its values were removed (1 row): they \
         are not shown, saved or exported — if it holds the users' initial passwords, map it to \
         password"
    );
}

// --- line breaks, control characters and formulas --------------------------------------------

#[test]
fn line_breaks_become_one_space_with_a_warning_and_control_characters_are_row_errors() {
    let csv = "name,email,title,department\n\
               \"Ada\r\nLovelace\",ada@example.com,\"Lead\n\nAnalyst\",R&D\n\
               Grace,grace@example.com,\"Lead\u{1b}[2J\",Navy\n\
               Alan,alan@example.com,Analyst,\u{202e}selas\n\
               Kay,kay@example.com,Analyst,\"Re\u{85}search\"\n";
    let report = import(csv.as_bytes(), "breaks.csv").unwrap();

    let ada = report.rows[0]
        .draft
        .as_ref()
        .expect("a line break blocks nothing");
    assert_eq!(ada.name, "Ada Lovelace");
    assert_eq!(ada.title.as_deref(), Some("Lead Analyst"));
    let breaks: Vec<(usize, &str)> = issues_of(&report, |k| matches!(k, IssueKind::LineBreak))
        .iter()
        .map(|i| (i.line, i.column.as_deref().unwrap()))
        .collect();
    assert_eq!(breaks, [(2, "name"), (2, "title")]);
    let name_break = issues_of(&report, |k| matches!(k, IssueKind::LineBreak))[0];
    assert_eq!(name_break.severity, Severity::Warning);
    assert_eq!(
        name_break.message,
        "the name has a line break (Alt+Enter in Excel); it was replaced by a space: \"Ada \
         Lovelace\""
    );

    let controls: Vec<(usize, &str, Severity)> =
        issues_of(&report, |k| matches!(k, IssueKind::ControlCharacter))
            .iter()
            .map(|i| (i.line, i.column.as_deref().unwrap(), i.severity))
            .collect();
    assert_eq!(
        controls,
        [
            (6, "title", Severity::Error),
            (7, "department", Severity::Error),
            (8, "department", Severity::Error),
        ]
    );
    let messages: Vec<&str> = issues_of(&report, |k| matches!(k, IssueKind::ControlCharacter))
        .iter()
        .map(|i| i.message.as_str())
        .collect();
    assert_eq!(
        messages[0],
        "the title \"Lead\\u{1b}[2J\" contains an invisible control character, U+001B (escape), \
         at character 5; type the value again without it (it can make the text display as \
         something else)"
    );
    assert!(
        messages[1].contains("U+202E (right-to-left override), at character 1"),
        "{}",
        messages[1]
    );
    assert!(messages[2].contains("U+0085"), "{}", messages[2]);
    for message in messages {
        assert!(
            !message.contains(['\u{1b}', '\u{202e}', '\u{85}']),
            "a message carries the raw character: {message:?}"
        );
    }
    let valid: Vec<usize> = report
        .rows
        .iter()
        .filter(|r| r.draft.is_some())
        .map(|r| r.line)
        .collect();
    assert_eq!(valid, [2]);
}

#[test]
fn a_name_that_starts_like_a_formula_gets_a_warning() {
    let csv = "name,email\n\
               =HYPERLINK(\"http://x\"),a@example.com\n\
               +Ada,b@example.com\n\
               -Ada,c@example.com\n\
               @Ada,d@example.com\n\
               Ada-Marie,e@example.com\n\
               '=Guarded,f@example.com\n";
    let report = import(csv.as_bytes(), "formulas.csv").unwrap();
    let warned: Vec<usize> = issues_of(&report, |k| matches!(k, IssueKind::FormulaLike))
        .iter()
        .map(|i| i.line)
        .collect();
    // Line 7 is Rollcall's own guard: the apostrophe is removed, and the name is "=Guarded".
    assert_eq!(warned, [2, 3, 4, 5, 7]);
    assert_eq!(report.valid_drafts().count(), 6, "a warning blocks nothing");
    let first = issues_of(&report, |k| matches!(k, IssueKind::FormulaLike))[0];
    assert_eq!(first.severity, Severity::Warning);
    assert!(
        first
            .message
            .contains("starts with \"=\", which a spreadsheet may run as a formula"),
        "{}",
        first.message
    );
}
