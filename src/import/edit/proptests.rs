//! Property tests for editing: after any sequence of edits, undos and redos, the session reads
//! exactly as the import of the file it now describes, and undoing everything gives back the
//! import of the original file.

use proptest::prelude::*;

use super::*;
use crate::import::{import_bytes, RowIssue};

const FILE: &str = "name,email,queues\nAda,ada@example.com,Sales\nGrace,grace@example.com,\
                    Support\nAda again,ADA@example.com,sales\nAlan,alan@,Sales\n,nobody@example.com\n\
                    Short,short@example.com\n";
const LINES: [usize; 6] = [2, 3, 4, 5, 6, 7];
const VALUES: [&str; 8] = [
    "ada@example.com",
    "Grace@Example.com",
    "new@example.com",
    "bad@",
    "",
    "Sales",
    "Support, sales",
    "Someone",
];

#[derive(Clone, Debug)]
enum Action {
    Cell(usize, usize, usize),
    Replace(usize, usize, bool),
    Remove(usize),
    Undo,
    Redo,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => (0..LINES.len(), 0..3usize, 0..VALUES.len()).prop_map(|(l, c, v)| Action::Cell(l, c, v)),
        2 => (0..3usize, 0..VALUES.len(), any::<bool>()).prop_map(|(c, v, p)| Action::Replace(c, v, p)),
        1 => (0..LINES.len()).prop_map(Action::Remove),
        2 => Just(Action::Undo),
        1 => Just(Action::Redo),
    ]
}

/// The file the session describes: each row's cells, a removed row a blank line. `None` when a
/// row is left with nothing in it, which a file cannot say (an empty line is no row).
fn text_of(session: &EditableImport) -> Option<String> {
    let mut text = String::from("name,email,queues\n");
    for line in LINES {
        if let Ok(row) = session.row(line) {
            if row.raw.iter().all(|cell| cell.trim().is_empty()) {
                return None;
            }
            let cells: Vec<String> = row
                .raw
                .iter()
                .map(|cell| match cell.contains(',') {
                    true => format!("\"{cell}\""),
                    false => cell.clone(),
                })
                .collect();
            text.push_str(&cells.join(","));
        }
        text.push('\n');
    }
    Some(text)
}

/// One row's line, cells and whether it is valid.
type RowContents = (usize, Vec<String>, bool);

/// Each row and every issue of a report.
fn contents(report: &ImportReport) -> (Vec<RowContents>, Vec<RowIssue>) {
    let rows = report
        .rows
        .iter()
        .map(|row| (row.line, row.raw.clone(), row.draft.is_some()))
        .collect();
    (rows, report.issues.clone())
}

fn import(text: &str) -> ImportReport {
    import_bytes(text.as_bytes(), "inline.csv", &ImportOptions::default()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_edits_read_as_the_import_of_the_edited_file(actions in prop::collection::vec(action(), 1..24)) {
        let mut session =
            EditableImport::from_bytes(FILE.as_bytes().to_vec(), "inline.csv", &ImportOptions::default())
                .unwrap();
        for action in actions {
            match action {
                Action::Cell(line, column, value) => {
                    let _ = session.apply(Edit::Cell {
                        line: LINES[line],
                        column,
                        value: VALUES[value].to_owned(),
                    });
                }
                Action::Replace(column, value, only_problem_rows) => {
                    let replace = Replace {
                        column,
                        find: VALUES[value].to_owned(),
                        with: VALUES[(value + 1) % VALUES.len()].to_owned(),
                        only_problem_rows,
                    };
                    let counted = session.count_replacements(&replace);
                    let applied = session.apply(Edit::Replace(replace)).map_or(0, |o| o.cells);
                    prop_assert_eq!(counted, applied);
                }
                Action::Remove(line) => {
                    let _ = session.apply(Edit::Remove { line: LINES[line] });
                }
                Action::Undo => {
                    session.undo();
                }
                Action::Redo => {
                    session.redo();
                }
            }
            if let Some(text) = text_of(&session) {
                prop_assert_eq!(contents(session.report()), contents(&import(&text)));
                prop_assert_eq!(session.is_edited(), text != FILE);
            }
        }
        while session.undo().is_some() {}
        prop_assert_eq!(contents(session.report()), contents(&import(FILE)));
        prop_assert!(!session.is_edited());
        prop_assert!(session.changes().is_empty());
    }
}
