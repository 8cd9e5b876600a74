//! The corrected file, byte for byte: a session's edits written in the original's own layout
//! (delimiter, encoding, BOM, line endings, quoting), every untouched cell as it was.

use std::collections::BTreeMap;
use std::path::Path;

use rollcall_core::import::{
    import_bytes, write_corrected, ImportOptions, ImportReport, RowChange, SaveSummary,
};

mod support;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn import(bytes: &[u8], name: &str) -> ImportReport {
    import_bytes(bytes, name, &ImportOptions::default()).expect("the file imports")
}

/// The cells of the row on `line` as the session holds them.
fn cells(report: &ImportReport, line: usize) -> Vec<String> {
    let row = report.rows.iter().find(|row| row.line == line);
    row.unwrap_or_else(|| panic!("no row on line {line}"))
        .raw
        .clone()
}

/// The row on `line` with its cell in `column` set to `value`.
fn changed(report: &ImportReport, line: usize, column: usize, value: &str) -> RowChange {
    let mut row = cells(report, line);
    row[column] = value.to_owned();
    RowChange::Cells(row)
}

/// Writes the corrected file of `original` and returns its bytes and the summary.
fn corrected(
    original: &[u8],
    name: &str,
    changes: &[(usize, RowChange)],
    secret_columns: &[usize],
) -> (Vec<u8>, SaveSummary) {
    let scratch = support::Scratch::new("corrected");
    let out = scratch.path().join(format!("corrected-{name}"));
    let changes: BTreeMap<usize, RowChange> = changes.iter().cloned().collect();
    let summary = write_corrected(
        original,
        name,
        &ImportOptions::default(),
        &changes,
        secret_columns,
        &out,
    )
    .expect("the corrected file is written");
    (std::fs::read(&out).unwrap(), summary)
}

fn windows_1252(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable, "{text:?} is Windows-1252");
    bytes.into_owned()
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

#[test]
fn an_unchanged_file_is_written_byte_for_byte_in_every_encoding() {
    for name in [
        "windows1252_semicolon.csv",
        "utf16le_tab.txt",
        "utf16be.csv",
        "hr_export_bom.csv",
        "multiline.csv",
        "sep_hint.csv",
        "formula_guard.csv",
    ] {
        let original = fixture(name);
        let (written, summary) = corrected(&original, name, &[], &[]);
        assert_eq!(written, original, "{name} is written as it was read");
        assert_eq!(summary.cells_changed, 0, "{name}");
        assert!(
            summary.warnings.is_empty(),
            "{name}: {:?}",
            summary.warnings
        );
    }
}

#[test]
fn one_changed_cell_in_a_windows_1252_file_changes_only_that_cells_bytes() {
    let original = fixture("windows1252_semicolon.csv");
    let report = import(&original, "windows1252_semicolon.csv");
    assert_eq!(report.source.encoding.as_deref(), Some("windows-1252"));
    let change = changed(&report, 2, 2, "Ingénieure principale");
    let (written, summary) = corrected(&original, "w.csv", &[(2, change)], &[]);

    let expected = windows_1252(
        "Nom complet;Adresse e-mail;Titre;Département\r\n\
         Zoë Ångström;zoe@example.com;Ingénieure principale;Recherche & Développement\r\n\
         François Müller;francois@example.com;Chef de projet € ;Opérations\r\n",
    );
    assert_eq!(written, expected, "only the title's bytes differ");
    assert_eq!(summary.cells_changed, 1);
    assert_eq!(summary.rows, 2);
}

#[test]
fn a_removed_row_is_left_out_with_its_line_break() {
    let original = fixture("windows1252_semicolon.csv");
    let (written, summary) = corrected(&original, "w.csv", &[(2, RowChange::Removed)], &[]);
    let expected = windows_1252(
        "Nom complet;Adresse e-mail;Titre;Département\r\n\
         François Müller;francois@example.com;Chef de projet € ;Opérations\r\n",
    );
    assert_eq!(written, expected);
    assert_eq!((summary.rows, summary.removed), (1, 1));
}

#[test]
fn a_removed_row_with_line_breaks_in_a_quoted_cell_goes_whole() {
    let original = fixture("multiline.csv");
    let (written, _) = corrected(&original, "m.csv", &[(3, RowChange::Removed)], &[]);
    let text = String::from_utf8(written).unwrap();
    let original = String::from_utf8(original).unwrap();
    let grace =
        "Grace Hopper,grace@example.com,\"Rear\r\nAdmiral\r\nof the \"\"Fleet\"\"\",Navy\r\n";
    assert!(original.contains(grace));
    assert_eq!(text, original.replace(grace, ""));
    let reread = import(text.as_bytes(), "m.csv");
    assert!(reread
        .rows
        .iter()
        .all(|row| row.raw[1] != "grace@example.com"));
    assert_eq!(
        reread.rows.iter().map(|row| row.line).collect::<Vec<_>>(),
        vec![2, 4, 7, 9],
        "the rows below moved up by the three lines the removed row took"
    );
}

#[test]
fn a_changed_cell_holding_the_delimiter_or_a_quote_is_quoted_and_others_are_not() {
    let original = fixture("windows1252_semicolon.csv");
    let report = import(&original, "w.csv");
    let change = changed(&report, 3, 3, "R&D; \"Lab\"");
    let (written, _) = corrected(&original, "w.csv", &[(3, change)], &[]);
    let expected = windows_1252(
        "Nom complet;Adresse e-mail;Titre;Département\r\n\
         Zoë Ångström;zoe@example.com;Ingénieure;Recherche & Développement\r\n\
         François Müller;francois@example.com;Chef de projet € ;\"R&D; \"\"Lab\"\"\"\r\n",
    );
    assert_eq!(written, expected);
    let reread = import(&written, "w.csv");
    assert_eq!(
        cells(&reread, 3)[3],
        "R&D; \"Lab\"",
        "it reads back as typed"
    );
}

#[test]
fn a_phone_number_is_written_unguarded_and_a_formula_guarded() {
    let original = b"name,email,phone_work,title\nAda,ada@example.com,,Analyst\n".to_vec();
    let report = import(&original, "p.csv");
    let mut row = cells(&report, 2);
    row[2] = "+14155550100".into();
    row[3] = "=SUM(A1:A2)".into();
    let (written, summary) = corrected(&original, "p.csv", &[(2, RowChange::Cells(row))], &[]);
    assert_eq!(
        String::from_utf8(written.clone()).unwrap(),
        "name,email,phone_work,title\nAda,ada@example.com,+14155550100,'=SUM(A1:A2)\n"
    );
    assert_eq!(summary.cells_changed, 2);
    let reread = import(&written, "p.csv");
    assert_eq!(cells(&reread, 2)[2..], ["+14155550100", "=SUM(A1:A2)"]);
}

#[test]
fn a_utf16_file_keeps_its_bom_byte_order_and_tabs() {
    let original = fixture("utf16le_tab.txt");
    let report = import(&original, "u.txt");
    assert_eq!(report.source.delimiter, Some('\t'));
    let change = changed(&report, 3, 2, "Diseñador sénior");
    let (written, _) = corrected(&original, "u.txt", &[(3, change)], &[]);
    let expected = utf16le_with_bom(
        "name\temail\ttitle\r\n\
         Zoë Ångström\tzoe@example.com\tIngénieure\r\n\
         José Núñez\tjose@example.com\tDiseñador sénior\r\n",
    );
    assert_eq!(written, expected);
}

#[test]
fn a_utf8_bom_stays() {
    let original = fixture("hr_export_bom.csv");
    let report = import(&original, "hr.csv");
    let change = changed(&report, 4, 1, "Alan");
    let (written, _) = corrected(&original, "hr.csv", &[(4, change)], &[]);
    assert!(written.starts_with(b"\xEF\xBB\xBFEmployee ID,"));
    let text = String::from_utf8(written).unwrap();
    assert!(text.ends_with("\r\n1003,Alan,Turing,alan@example.com,,,,,\r\n"));
}

#[test]
fn password_cells_are_written_empty_and_counted() {
    let original =
        b"name,email,password,PIN\r\nAda,ada@example.com,\"s3cret,1\",1234\r\nBo,bo@example.com,,\r\nCy,cy@example.com,pw,\r\n"
            .to_vec();
    let report = import(&original, "pw.csv");
    assert_eq!(cells(&report, 2)[2..], ["", ""], "the import blanks them");
    let (written, summary) = corrected(&original, "pw.csv", &[], &[2, 3]);
    assert_eq!(
        String::from_utf8(written).unwrap(),
        "name,email,password,PIN\r\nAda,ada@example.com,,\r\nBo,bo@example.com,,\r\nCy,cy@example.com,,\r\n"
    );
    assert_eq!(summary.passwords_dropped, 2);
    assert_eq!(summary.cells_changed, 0);
    assert!(
        summary.warnings[0].starts_with("2 rows lost a password"),
        "{:?}",
        summary.warnings
    );
}

#[test]
fn a_file_that_quotes_every_cell_gets_its_changed_cells_quoted_too() {
    let original =
        b"\"name\",\"email\",\"division\"\n\"Ada\",\"ada@example.com\",\"Suport\"\n".to_vec();
    let report = import(&original, "q.csv");
    let change = changed(&report, 2, 2, "Support");
    let (written, _) = corrected(&original, "q.csv", &[(2, change)], &[]);
    assert_eq!(
        String::from_utf8(written).unwrap(),
        "\"name\",\"email\",\"division\"\n\"Ada\",\"ada@example.com\",\"Support\"\n"
    );
}

#[test]
fn a_character_windows_1252_lacks_is_refused_naming_the_cell() {
    let original = fixture("windows1252_semicolon.csv");
    let report = import(&original, "w.csv");
    let change = changed(&report, 2, 0, "Łucja Ångström");
    let scratch = support::Scratch::new("corrected");
    let out = scratch.path().join("out.csv");
    let error = write_corrected(
        &original,
        "w.csv",
        &ImportOptions::default(),
        &BTreeMap::from([(2, change)]),
        &[],
        &out,
    )
    .expect_err("Ł is not in Windows-1252");
    let message = error.to_string();
    assert!(
        message.starts_with("line 2, column \"Nom complet\": \"Łucja Ångström\""),
        "{message}"
    );
    assert!(!out.exists(), "nothing half-written is left");
}

#[test]
fn an_xlsx_becomes_a_workbook_of_the_sheets_values() {
    let original = fixture("users.xlsx");
    let report = import(&original, "users.xlsx");
    let change = changed(&report, 5, 1, "alan@example.com");
    let (written, summary) = corrected(
        &original,
        "users.xlsx",
        &[(2, RowChange::Removed), (5, change)],
        &[],
    );
    assert_eq!(summary.sheet.as_deref(), Some("Users"));
    assert!(
        summary.warnings[0].contains("other sheets, its formulas and its formatting"),
        "{:?}",
        summary.warnings
    );
    assert_eq!(
        (summary.rows, summary.removed, summary.cells_changed),
        (2, 1, 1)
    );

    let reread = import(&written, "corrected.xlsx");
    assert_eq!(reread.headers, report.headers);
    let rows: Vec<(usize, Vec<String>)> = reread
        .rows
        .iter()
        .map(|row| (row.line, row.raw.clone()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (2, cells(&report, 3)),
            (4, {
                let mut alan = cells(&report, 5);
                alan[1] = "alan@example.com".into();
                alan
            }),
        ],
        "Grace moved up into Ada's row, the blank row stayed, Alan's e-mail is fixed"
    );
    assert_eq!(
        cells(&reread, 2)[2],
        "+44 20 7946 0958",
        "no guard in a workbook"
    );
}

#[cfg(unix)]
#[test]
fn the_corrected_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let scratch = support::Scratch::new("corrected");
    let out = scratch.path().join("fixed.csv");
    write_corrected(
        &fixture("tutorial.csv"),
        "tutorial.csv",
        &ImportOptions::default(),
        &BTreeMap::new(),
        &[],
        &out,
    )
    .unwrap();
    let mode = std::fs::metadata(&out).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}
