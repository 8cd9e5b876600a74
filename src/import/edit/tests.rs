//! Editing a session: every edit leaves the report as the import of the edited file would read,
//! undo and redo walk the steps, replacements match whole values, repeats follow the edits, and
//! passwords are never lost or shown.

use super::*;
use crate::import::{import_bytes, import_path, Field, IssueKind, RowIssue, Severity};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import/");

fn session(text: &str) -> EditableImport {
    EditableImport::from_bytes(
        text.as_bytes().to_vec(),
        "inline.csv",
        &ImportOptions::default(),
    )
    .unwrap_or_else(|e| panic!("should open, got: {e}"))
}

fn cell(line: usize, column: usize, value: &str) -> Edit {
    Edit::Cell {
        line,
        column,
        value: value.to_owned(),
    }
}

fn replace(column: usize, find: &str, with: &str) -> Replace {
    Replace {
        column,
        find: find.to_owned(),
        with: with.to_owned(),
        only_problem_rows: false,
    }
}

/// One row as the preview and the plan read it: its line, cells and draft.
type RowContents = (usize, Vec<String>, Option<UserDraft>);

/// Everything the preview and the plan read of a report: each row and every issue.
fn contents(report: &ImportReport) -> (Vec<RowContents>, Vec<RowIssue>) {
    let rows = report
        .rows
        .iter()
        .map(|row| (row.line, row.raw.clone(), row.draft.as_deref().cloned()))
        .collect();
    (rows, report.issues.clone())
}

/// The session reads exactly as `text` imported (a removed row is a blank line there, so the
/// lines stay).
fn assert_reads_as(session: &EditableImport, text: &str) {
    let imported = import_bytes(text.as_bytes(), "inline.csv", &ImportOptions::default())
        .unwrap_or_else(|e| panic!("should import, got: {e}"));
    assert_eq!(contents(session.report()), contents(&imported));
}

fn messages(report: &ImportReport, line: usize) -> Vec<String> {
    report.issues_on(line).map(|i| i.message.clone()).collect()
}

fn valid_lines(report: &ImportReport) -> Vec<usize> {
    report
        .rows
        .iter()
        .filter(|row| row.draft.is_some())
        .map(|row| row.line)
        .collect()
}

// --- opening -----------------------------------------------------------------------------------

#[test]
fn a_file_opened_for_editing_reads_as_its_import() {
    for name in [
        "invalid_rows.csv",
        "duplicates.csv",
        "ragged.csv",
        "admin_ui.csv",
        "windows1252_semicolon.csv",
        "utf16le_tab.txt",
        "users.xlsx",
    ] {
        let path = std::path::PathBuf::from(format!("{FIXTURES}{name}"));
        let opts = ImportOptions::default();
        let session = EditableImport::open(&path, &opts).unwrap();
        let imported = import_path(&path, &opts).unwrap();
        assert_eq!(contents(session.report()), contents(&imported), "{name}");
        assert_eq!(session.report().headers, imported.headers, "{name}");
        assert_eq!(session.report().source, imported.source, "{name}");
        assert_eq!(session.original_bytes(), std::fs::read(&path).unwrap());
        assert_eq!(
            session.source_digest(),
            file_digest(session.original_bytes())
        );
        assert!(!session.is_edited() && !session.can_undo() && !session.can_redo());
        assert_eq!(session.revision(), 0);
    }
}

// --- editing a cell ----------------------------------------------------------------------------

#[test]
fn editing_a_cell_checks_its_row_again_and_updates_the_counts() {
    let mut session = session("name,email\nAda,ada@\nGrace,grace@example.com\n");
    assert_eq!(session.report().error_count(), 1);

    let outcome = session.apply(cell(2, 1, "ada@example.com")).unwrap();

    assert_eq!(
        outcome,
        EditOutcome {
            lines: vec![2],
            cells: 1,
            ..EditOutcome::default()
        }
    );
    assert_eq!(session.report().error_count(), 0);
    assert_eq!(valid_lines(session.report()), [2, 3]);
    assert_eq!(session.revision(), 1);
    assert_reads_as(
        &session,
        "name,email\nAda,ada@example.com\nGrace,grace@example.com\n",
    );
}

#[test]
fn an_edit_that_breaks_a_row_gives_it_the_import_s_message() {
    let mut session = session("name,email,phone_work\nAda,ada@example.com,+14155550100\n");
    session.apply(cell(2, 2, "call me")).unwrap();
    assert!(valid_lines(session.report()).is_empty());
    assert!(
        messages(session.report(), 2)[0].contains("\"call me\" cannot be read as a phone number")
    );
    assert_reads_as(
        &session,
        "name,email,phone_work\nAda,ada@example.com,call me\n",
    );
}

#[test]
fn setting_a_cell_to_its_own_value_is_no_step() {
    let mut session = session("name,email\nAda,ada@example.com\n");
    assert_eq!(
        session.apply(cell(2, 0, "Ada")).unwrap(),
        EditOutcome::default()
    );
    assert!(!session.can_undo());
    assert_eq!(session.revision(), 0);
}

#[test]
fn a_short_row_grows_to_reach_an_edited_cell_and_shrinks_back_on_undo() {
    let mut session = session("name,email,title\nAda,ada@example.com\n");
    assert_eq!(
        session.report().warning_count(),
        1,
        "the short row is a warning"
    );
    session.apply(cell(2, 2, "Engineer")).unwrap();
    assert_eq!(
        session.report().rows[0].raw,
        ["Ada", "ada@example.com", "Engineer"]
    );
    assert_reads_as(&session, "name,email,title\nAda,ada@example.com,Engineer\n");
    session.undo().unwrap();
    assert_eq!(session.report().rows[0].raw, ["Ada", "ada@example.com"]);
    assert_eq!(session.report().warning_count(), 1);
    assert!(!session.is_edited());
}

#[test]
fn clearing_the_extra_value_of_a_ragged_row_makes_it_valid() {
    let mut session = session("name,email\nAda,ada@example.com,oops\n");
    assert_eq!(session.report().error_count(), 1);
    session.apply(cell(2, 2, "")).unwrap();
    assert_eq!(session.report().error_count(), 0);
    assert_eq!(valid_lines(session.report()), [2]);
    assert_eq!(
        session.report().rows[0].raw,
        ["Ada", "ada@example.com", ""],
        "the emptied cell stays, as the corrected file will have it"
    );
}

// --- undo and redo -----------------------------------------------------------------------------

#[test]
fn undo_and_redo_walk_the_steps_and_bump_the_revision() {
    let text = "name,email\nAda,ada@\nGrace,grace@\n";
    let mut session = session(text);
    session.apply(cell(2, 1, "ada@example.com")).unwrap();
    session.apply(cell(3, 1, "grace@example.com")).unwrap();
    assert_eq!(session.report().error_count(), 0);

    let undone = session.undo().unwrap();
    assert_eq!((undone.lines, undone.cells), (vec![3], 1));
    assert_reads_as(&session, "name,email\nAda,ada@example.com\nGrace,grace@\n");
    assert!(session.can_undo() && session.can_redo());

    session.undo().unwrap();
    assert_reads_as(&session, text);
    assert!(!session.can_undo() && !session.is_edited());
    assert_eq!(session.undo(), None, "nothing left to undo");

    let redone = session.redo().unwrap();
    assert_eq!(redone.lines, [2]);
    session.redo().unwrap();
    assert_eq!(session.redo(), None, "nothing left to redo");
    assert_reads_as(
        &session,
        "name,email\nAda,ada@example.com\nGrace,grace@example.com\n",
    );
    assert_eq!(session.revision(), 6);
}

#[test]
fn a_new_edit_clears_what_could_be_redone() {
    let mut session = session("name,email\nAda,ada@example.com\n");
    session.apply(cell(2, 0, "Ada Lovelace")).unwrap();
    session.undo().unwrap();
    assert!(session.can_redo());
    session.apply(cell(2, 0, "Countess")).unwrap();
    assert!(!session.can_redo());
    assert_eq!(session.redo(), None);
    assert_eq!(session.report().rows[0].raw[0], "Countess");
}

#[test]
fn undoing_a_replace_puts_every_cell_back_in_one_step() {
    let text = "name,email,division\nAda,ada@example.com,Suport\nGrace,grace@example.com,Sales\n\
                Alan,alan@example.com,suport\n";
    let mut session = session(text);
    let outcome = session
        .apply(Edit::Replace(replace(2, "Suport", "Support")))
        .unwrap();
    assert_eq!((outcome.lines, outcome.cells), (vec![2, 4], 2));
    assert_reads_as(
        &session,
        "name,email,division\nAda,ada@example.com,Support\nGrace,grace@example.com,Sales\n\
         Alan,alan@example.com,Support\n",
    );
    let undone = session.undo().unwrap();
    assert_eq!((undone.lines, undone.cells), (vec![2, 4], 2));
    assert_reads_as(&session, text);
    assert!(!session.is_edited());
}

#[test]
fn removing_a_row_leaves_it_out_and_undo_brings_it_back() {
    let text = "name,email\nAda,ada@\nGrace,grace@example.com\n";
    let mut session = session(text);
    let outcome = session.apply(Edit::Remove { line: 2 }).unwrap();
    assert_eq!(
        outcome,
        EditOutcome {
            removed: vec![2],
            ..EditOutcome::default()
        }
    );
    assert_eq!(
        session.report().error_count(),
        0,
        "its problem went with it"
    );
    assert_reads_as(&session, "name,email\n\nGrace,grace@example.com\n");
    assert_eq!(session.changes(), BTreeMap::from([(2, RowChange::Removed)]));

    let undone = session.undo().unwrap();
    assert_eq!(
        undone,
        EditOutcome {
            lines: vec![2],
            restored: vec![2],
            ..EditOutcome::default()
        }
    );
    assert_reads_as(&session, text);
    assert!(!session.is_edited());

    let redone = session.redo().unwrap();
    assert_eq!(redone.removed, [2]);
    assert_reads_as(&session, "name,email\n\nGrace,grace@example.com\n");
}

#[test]
fn an_edited_row_removed_and_brought_back_keeps_its_edit() {
    let mut session = session("name,email\nAda,ada@\nGrace,grace@example.com\n");
    session.apply(cell(2, 1, "ada@example.com")).unwrap();
    session.apply(Edit::Remove { line: 2 }).unwrap();
    session.undo().unwrap();
    assert_reads_as(
        &session,
        "name,email\nAda,ada@example.com\nGrace,grace@example.com\n",
    );
    assert_eq!(
        session.changes(),
        BTreeMap::from([(
            2,
            RowChange::Cells(vec!["Ada".into(), "ada@example.com".into()])
        )])
    );
}

// --- changes -----------------------------------------------------------------------------------

#[test]
fn changes_name_the_rows_that_differ_from_the_file_in_line_order() {
    let mut session = session(
        "name,email\nAda,ada@example.com\nGrace,grace@example.com\nAlan,alan@example.com\n",
    );
    session.apply(cell(4, 0, "Alan Turing")).unwrap();
    session.apply(Edit::Remove { line: 3 }).unwrap();
    session.apply(cell(2, 0, "Ada L.")).unwrap();
    assert_eq!(
        session.changes(),
        BTreeMap::from([
            (
                2,
                RowChange::Cells(vec!["Ada L.".into(), "ada@example.com".into()])
            ),
            (3, RowChange::Removed),
            (
                4,
                RowChange::Cells(vec!["Alan Turing".into(), "alan@example.com".into()])
            ),
        ])
    );
    session.apply(cell(2, 0, "Ada")).unwrap();
    assert!(
        !session.changes().contains_key(&2),
        "an edit back to the file's value is no change"
    );
    assert!(session.is_edited());
}

// --- repeated addresses ------------------------------------------------------------------------

#[test]
fn an_edit_that_makes_a_repeat_reports_it_on_both_lines() {
    let mut session = session("name,email\nAda,ada@example.com\nGrace,grace@example.com\n");
    let outcome = session.apply(cell(3, 1, "ADA@example.com")).unwrap();
    assert_eq!(
        outcome.lines,
        [2, 3],
        "the other line of the repeat changed too"
    );
    assert!(valid_lines(session.report()).is_empty());
    assert!(messages(session.report(), 2)[0].contains("is also on line 3"));
    assert_reads_as(
        &session,
        "name,email\nAda,ada@example.com\nGrace,ADA@example.com\n",
    );
}

#[test]
fn an_edit_that_breaks_a_repeat_gives_the_other_line_its_draft_back() {
    let mut session = session("name,email\nAda,ada@example.com\nGrace,ada@example.com\n");
    assert_eq!(session.report().error_count(), 2);
    let outcome = session.apply(cell(3, 1, "grace@example.com")).unwrap();
    assert_eq!(outcome.lines, [2, 3]);
    assert_eq!(session.report().error_count(), 0);
    assert_eq!(valid_lines(session.report()), [2, 3]);
    assert_reads_as(
        &session,
        "name,email\nAda,ada@example.com\nGrace,grace@example.com\n",
    );

    session.undo().unwrap();
    assert_eq!(session.report().error_count(), 2);
    assert_reads_as(
        &session,
        "name,email\nAda,ada@example.com\nGrace,ada@example.com\n",
    );
}

#[test]
fn a_three_way_repeat_rewrites_every_line_that_names_the_others() {
    let text = "name,email\nAda,ada@example.com\nAda2,ada@example.com\nAda3,ada@example.com\n\
                Grace,grace@example.com\n";
    let mut session = session(text);
    assert!(messages(session.report(), 2)[0].contains("is also on lines 3 and 4"));

    let outcome = session.apply(cell(4, 1, "ada3@example.com")).unwrap();
    assert_eq!(outcome.lines, [2, 3, 4], "line 5 is in no repeat");
    assert!(messages(session.report(), 2)[0].contains("is also on line 3;"));
    assert!(messages(session.report(), 3)[0].contains("is also on line 2;"));
    assert_eq!(valid_lines(session.report()), [4, 5]);
    assert_reads_as(
        &session,
        "name,email\nAda,ada@example.com\nAda2,ada@example.com\nAda3,ada3@example.com\n\
         Grace,grace@example.com\n",
    );

    // Joining the repeat again, from another address.
    let outcome = session.apply(cell(5, 1, "Ada@Example.com")).unwrap();
    assert_eq!(outcome.lines, [2, 3, 5]);
    assert!(
        messages(session.report(), 5)[0].contains("\"Ada@Example.com\" is also on lines 2 and 3")
    );
}

#[test]
fn removing_a_repeated_row_clears_the_repeat_on_the_other() {
    let mut session = session("name,email\nAda,ada@example.com\nAda again,ada@example.com\n");
    let outcome = session.apply(Edit::Remove { line: 3 }).unwrap();
    assert_eq!((outcome.lines, outcome.removed), (vec![2], vec![3]));
    assert_eq!(valid_lines(session.report()), [2]);
    assert_reads_as(&session, "name,email\nAda,ada@example.com\n\n");
    session.undo().unwrap();
    assert_eq!(session.report().error_count(), 2);
}

#[test]
fn a_row_with_other_errors_still_counts_in_a_repeat_after_an_edit() {
    let mut session = session("name,email\nAda,ada@example.com\nGrace,grace@example.com\n");
    session.apply(cell(3, 0, "")).unwrap();
    session.apply(cell(3, 1, "ADA@example.com")).unwrap();
    assert_reads_as(
        &session,
        "name,email\nAda,ada@example.com\n,ADA@example.com\n",
    );
    let kinds: Vec<_> = session
        .report()
        .issues
        .iter()
        .map(|i| (i.line, i.kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (2, IssueKind::DuplicateEmail { other_line: 3 }),
            (3, IssueKind::MissingValue),
            (3, IssueKind::DuplicateEmail { other_line: 2 }),
        ]
    );
}

// --- replacing ---------------------------------------------------------------------------------

#[test]
fn a_replacement_only_in_problem_rows_leaves_the_others_alone() {
    let mut session = session(
        "name,email,queues\nAda,ada@,Suport\nGrace,grace@example.com,Suport\nAlan,alan@example.com,\
         \"Suport, suport\"\n",
    );
    let only_problems = Replace {
        only_problem_rows: true,
        ..replace(2, "suport", "Support")
    };
    assert_eq!(
        session.count_replacements(&only_problems),
        2,
        "line 4 repeats a queue: a warning"
    );
    let outcome = session.apply(Edit::Replace(only_problems)).unwrap();
    assert_eq!((outcome.lines, outcome.cells), (vec![2, 4], 2));
    let queues: Vec<&str> = session
        .report()
        .rows
        .iter()
        .map(|r| r.raw[2].as_str())
        .collect();
    assert_eq!(queues, ["Support", "Suport", "Support, Support"]);
}

#[test]
fn count_replacements_says_what_apply_then_changes() {
    let mut session = session("name,email,division\nAda,ada@example.com,Sales\nGrace,grace@example.com,sales \nAlan,alan@example.com,Salesforce\n");
    let rename = replace(2, "Sales", "Sales EMEA");
    assert_eq!(session.count_replacements(&rename), 2);
    assert_eq!(
        session.apply(Edit::Replace(rename.clone())).unwrap().cells,
        2
    );
    assert_eq!(
        session.count_replacements(&rename),
        0,
        "nothing left to change"
    );
    let cells: Vec<&str> = session
        .report()
        .rows
        .iter()
        .map(|r| r.raw[2].as_str())
        .collect();
    assert_eq!(cells, ["Sales EMEA", "Sales EMEA ", "Salesforce"]);
    assert_eq!(
        session.apply(Edit::Replace(rename)).unwrap(),
        EditOutcome::default(),
        "a replacement that matches nothing is no step"
    );
    assert_eq!(session.revision(), 1);
}

#[test]
fn whole_values_are_replaced_never_part_of_a_name() {
    let roles = Some(Field::RolesDivisions);
    assert_eq!(
        replace_in_cell("Supervisor:Sales", roles, "Super", "X"),
        None
    );
    assert_eq!(
        replace_in_cell("Supervisor:Sales", roles, "Sale", "X"),
        None
    );
    assert_eq!(
        replace_in_cell("Supervisor:Sales", roles, "Sales", "Support").as_deref(),
        Some("Supervisor:Support")
    );
    assert_eq!(
        replace_in_cell(
            "Supervisor:Sales, Sales West|Agent",
            roles,
            "sales",
            "Support"
        )
        .as_deref(),
        Some("Supervisor:Support, Sales West|Agent")
    );
    assert_eq!(
        replace_in_cell("supervisor:Sales|Agent:*", roles, "Supervisor", "Team Lead").as_deref(),
        Some("Team Lead:Sales|Agent:*")
    );
    assert_eq!(
        replace_in_cell("Agent | Supervisor", roles, "supervisor", "Lead").as_deref(),
        Some("Agent | Lead")
    );

    let queues = Some(Field::Queues);
    assert_eq!(
        replace_in_cell("Sales, Sales West,sales", queues, "SALES", "Support").as_deref(),
        Some("Support, Sales West,Support")
    );
    assert_eq!(
        replace_in_cell("Sales West", queues, "Sales", "Support"),
        None
    );
    assert_eq!(
        replace_in_cell(
            "Night Shift,Tier 1",
            Some(Field::Groups),
            "tier 1",
            "Tier 2"
        )
        .as_deref(),
        Some("Night Shift,Tier 2")
    );

    let skills = Some(Field::Skills);
    assert_eq!(
        replace_in_cell(
            "Billing:3, billing :4.5,Billing Plus:2",
            skills,
            "Billing",
            "Invoices"
        )
        .as_deref(),
        Some("Invoices:3, Invoices :4.5,Billing Plus:2"),
        "the level and the spacing stay as written"
    );
    assert_eq!(
        replace_in_cell("Spanish:4", Some(Field::Languages), "spanish", "Español").as_deref(),
        Some("Español:4")
    );

    // A single-value column: the whole cell, its surrounding spaces kept.
    let division = Some(Field::Division);
    assert_eq!(
        replace_in_cell(" Suport ", division, "suport", " Support").as_deref(),
        Some(" Support ")
    );
    assert_eq!(
        replace_in_cell("Suport Desk", division, "Suport", "Support"),
        None
    );
    assert_eq!(
        replace_in_cell("Sales, West", division, "Sales", "X"),
        None,
        "no items here"
    );
    assert_eq!(
        replace_in_cell("Équipe", None, "équipe", "Team").as_deref(),
        Some("Team")
    );
    assert_eq!(
        replace_in_cell("support", division, "Support", "Support").as_deref(),
        Some("Support"),
        "a change of case is a change"
    );
    assert_eq!(
        replace_in_cell("Support", division, "Support", "Support"),
        None,
        "already so"
    );
    assert_eq!(
        replace_in_cell("", division, " ", "X"),
        None,
        "nothing to find"
    );
}

// --- passwords ---------------------------------------------------------------------------------

#[test]
fn a_row_s_password_survives_edits_of_its_other_cells() {
    let mut session = session("name,email,password,PIN\nAda,ada@,S3cret!pass,1234\n");
    assert_eq!(session.secret_columns(), [2, 3]);
    assert_eq!(session.report().rows[0].raw, ["Ada", "ada@", "", ""]);

    session.apply(cell(2, 1, "ada@example.com")).unwrap();

    let row = &session.report().rows[0];
    assert_eq!(
        row.raw,
        ["Ada", "ada@example.com", "", ""],
        "never in the raw cells"
    );
    let password = row.draft.as_ref().unwrap().password.as_ref().unwrap();
    assert_eq!(password.expose(), "S3cret!pass");
    assert_eq!(
        session.changes(),
        BTreeMap::from([(
            2,
            RowChange::Cells(vec![
                "Ada".into(),
                "ada@example.com".into(),
                String::new(),
                String::new()
            ])
        )]),
        "a corrected file gets no password"
    );

    // Through a repeat and out of it, and through a removal and back.
    session.apply(Edit::Remove { line: 2 }).unwrap();
    session.undo().unwrap();
    let draft = session.report().rows[0].draft.as_ref().unwrap();
    assert_eq!(draft.password.as_ref().unwrap().expose(), "S3cret!pass");
}

#[test]
fn a_password_that_breaks_a_rule_still_breaks_it_after_an_edit() {
    let mut session = session("name,email,password\nAda,ada@example.com,\"a\u{7}b\"\n");
    let before = messages(session.report(), 2);
    session.apply(cell(2, 0, "Ada L.")).unwrap();
    assert_eq!(messages(session.report(), 2), before);
    assert!(before[0].contains("the password contains an invisible control character"));
}

#[test]
fn password_columns_cannot_be_edited_or_replaced() {
    let mut session = session("name,email,password,PIN\nAda,ada@example.com,pw,1234\n");
    for column in [2, 3] {
        let refused = session.apply(cell(2, column, "x")).unwrap_err();
        assert!(matches!(refused, EditError::PasswordColumn { .. }));
        let refused = session
            .apply(Edit::Replace(replace(column, "pw", "x")))
            .unwrap_err();
        assert!(matches!(refused, EditError::PasswordColumn { .. }));
        assert_eq!(session.count_replacements(&replace(column, "pw", "x")), 0);
    }
    assert_eq!(
        session.apply(cell(2, 2, "x")).unwrap_err().to_string(),
        "column \"password\" holds passwords, which are never shown or kept, so it cannot be \
         edited here — correct it in the file itself"
    );
    assert!(!session.can_undo());
}

// --- refusals ----------------------------------------------------------------------------------

#[test]
fn edits_of_rows_and_columns_that_are_not_there_are_refused_in_words() {
    let mut session = session("name,email\nAda,ada@example.com\nGrace,grace@example.com\n");
    assert_eq!(
        session.apply(cell(9, 0, "x")).unwrap_err().to_string(),
        "there is no row on line 9 (it may have been removed)"
    );
    assert_eq!(
        session.apply(cell(2, 2, "x")).unwrap_err().to_string(),
        "the file has no column C"
    );
    assert_eq!(
        session
            .apply(Edit::Replace(replace(5, "a", "b")))
            .unwrap_err(),
        EditError::NoSuchColumn { column: "F".into() }
    );
    assert_eq!(
        session
            .apply(Edit::Replace(replace(0, "  ", "b")))
            .unwrap_err(),
        EditError::NothingToFind
    );
    session.apply(Edit::Remove { line: 3 }).unwrap();
    assert_eq!(
        session.apply(Edit::Remove { line: 3 }).unwrap_err(),
        EditError::NoSuchRow { line: 3 }
    );
    assert_eq!(
        session.apply(cell(1, 0, "x")).unwrap_err(),
        EditError::NoSuchRow { line: 1 },
        "the header is no row"
    );
    assert_eq!(session.revision(), 1);
}

// --- the window ------------------------------------------------------------------------------

#[test]
fn a_session_can_be_kept_in_the_window_s_state() {
    fn shared<T: Send + Sync + 'static>() {}
    shared::<EditableImport>();
}

// --- the wire ----------------------------------------------------------------------------------

#[test]
fn outcomes_and_replacements_are_camel_case_on_the_wire() {
    let outcome = EditOutcome {
        lines: vec![2, 3],
        removed: vec![4],
        restored: vec![],
        cells: 1,
    };
    assert_eq!(
        serde_json::to_value(&outcome).unwrap(),
        serde_json::json!({"lines": [2, 3], "removed": [4], "restored": [], "cells": 1})
    );
    let replace: Replace = serde_json::from_value(serde_json::json!({
        "column": 4, "find": "Suport", "with": "Support", "onlyProblemRows": true
    }))
    .unwrap();
    assert!(replace.only_problem_rows);
}

#[test]
fn an_xlsx_session_is_edited_like_a_csv() {
    let path = std::path::PathBuf::from(format!("{FIXTURES}users.xlsx"));
    let mut session = EditableImport::open(&path, &ImportOptions::default()).unwrap();
    let line = session.report().rows[0].line;
    session.apply(cell(line, 0, "")).unwrap();
    let issues: Vec<_> = session
        .report()
        .issues_on(line)
        .map(|i| (i.kind.clone(), i.severity))
        .collect();
    assert!(
        issues.contains(&(IssueKind::MissingValue, Severity::Error)),
        "{issues:?}"
    );
    session.undo().unwrap();
    assert_eq!(
        contents(session.report()),
        contents(&import_path(&path, &ImportOptions::default()).unwrap())
    );
}
