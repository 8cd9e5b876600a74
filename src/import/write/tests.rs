use std::collections::BTreeMap;

use super::*;
use crate::import::{import_bytes, ImportOptions};

/// The corrected text of a UTF-8 `csv` with `changes`, each a line and its new cells.
fn corrected(csv: &str, changes: &[(usize, RowChange)]) -> (String, SaveSummary) {
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("out.csv");
    let changes: BTreeMap<usize, RowChange> = changes.iter().cloned().collect();
    let summary = write_corrected(
        csv.as_bytes(),
        "in.csv",
        &ImportOptions::default(),
        &changes,
        &[],
        &out,
    )
    .unwrap();
    (std::fs::read_to_string(&out).unwrap(), summary)
}

fn cells(values: &[&str]) -> RowChange {
    RowChange::Cells(values.iter().map(|v| (*v).to_owned()).collect())
}

#[test]
fn each_line_keeps_its_own_line_break() {
    let csv = "name,email\nAda,ada@example.com\r\nBo,bo@example.com\rCy,cy@example.com";
    let (text, _) = corrected(csv, &[(3, cells(&["Bob", "bo@example.com"]))]);
    assert_eq!(
        text,
        "name,email\nAda,ada@example.com\r\nBob,bo@example.com\rCy,cy@example.com"
    );
    let (text, _) = corrected(csv, &[(4, RowChange::Removed)]);
    assert_eq!(
        text,
        "name,email\nAda,ada@example.com\r\nBo,bo@example.com\r"
    );
}

#[test]
fn a_separator_line_blank_lines_and_empty_records_stay() {
    let csv = "sep=;\r\nname;email\r\n\r\n;\r\nAda;ada@example.com\r\n";
    let (text, summary) = corrected(csv, &[(5, cells(&["Ada L", "ada@example.com"]))]);
    assert_eq!(
        text,
        "sep=;\r\nname;email\r\n\r\n;\r\nAda L;ada@example.com\r\n"
    );
    assert_eq!(summary.rows, 1);
}

#[test]
fn a_short_row_grows_to_its_new_last_value_and_unchanged_cells_keep_their_quotes() {
    let csv = "name,email,title,division\n\"Ada\",ada@example.com\n";
    let (text, summary) = corrected(csv, &[(2, cells(&["Ada", "ada@example.com", "", "Sales"]))]);
    assert_eq!(
        text,
        "name,email,title,division\n\"Ada\",ada@example.com,,Sales\n"
    );
    assert_eq!(summary.cells_changed, 1);
}

#[test]
fn a_cell_read_through_its_guard_is_unchanged_when_its_value_is() {
    let csv = "name,email,title\n'=Ada,ada@example.com,Analyst\n";
    let report = import_bytes(csv.as_bytes(), "in.csv", &ImportOptions::default()).unwrap();
    let mut row = report.rows[0].raw.clone();
    assert_eq!(row[0], "=Ada");
    row[2] = "Lead".into();
    let (text, summary) = corrected(csv, &[(2, RowChange::Cells(row))]);
    assert_eq!(text, "name,email,title\n'=Ada,ada@example.com,Lead\n");
    assert_eq!(summary.cells_changed, 1);
}

#[test]
fn lines_the_file_does_not_have_and_the_header_are_not_touched() {
    let csv = "name,email\nAda,ada@example.com\n";
    let (text, summary) = corrected(csv, &[(1, RowChange::Removed), (9, cells(&["x", "y"]))]);
    assert_eq!(text, csv);
    assert_eq!((summary.rows, summary.removed), (1, 0));
}
