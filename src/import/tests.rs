//! The import end to end, on the fixture files in `tests/fixtures/import/` (written by
//! `generate.py` there): encodings, delimiters, line numbers, the three layouts, every rule,
//! the limits and `.xlsx`.

use super::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import/");

fn fixture_path(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("{FIXTURES}{name}"))
}

fn import_fixture(name: &str) -> ImportReport {
    import_fixture_with(name, &ImportOptions::default())
}

fn import_fixture_with(name: &str, opts: &ImportOptions) -> ImportReport {
    import_path(&fixture_path(name), opts)
        .unwrap_or_else(|e| panic!("{name} should import, got: {e}"))
}

fn import_error(name: &str, opts: &ImportOptions) -> ImportError {
    match import_path(&fixture_path(name), opts) {
        Ok(report) => panic!("{name} should fail, got {} rows", report.rows.len()),
        Err(e) => e,
    }
}

fn csv(text: &str) -> ImportReport {
    import_bytes(text.as_bytes(), "inline.csv", &ImportOptions::default())
        .unwrap_or_else(|e| panic!("should import, got: {e}"))
}

fn lines(report: &ImportReport) -> Vec<usize> {
    report.rows.iter().map(|r| r.line).collect()
}

fn names(report: &ImportReport) -> Vec<&str> {
    report.valid_drafts().map(|d| d.name.as_str()).collect()
}

/// (line, kind, severity) of every issue, for compact assertions.
fn issue_summary(report: &ImportReport) -> Vec<(usize, IssueKind, Severity)> {
    report
        .issues
        .iter()
        .map(|i| (i.line, i.kind.clone(), i.severity))
        .collect()
}

fn with_country(code: &str) -> ImportOptions {
    ImportOptions {
        default_country: Some(code.to_owned()),
        ..ImportOptions::default()
    }
}

// --- encodings -------------------------------------------------------------------------------

#[test]
fn utf8_file_in_the_admin_ui_layout_reads_every_column() {
    let report = import_fixture("admin_ui.csv");
    assert_eq!(report.source.encoding.as_deref(), Some("UTF-8"));
    assert_eq!(report.source.delimiter, Some(','));
    assert_eq!(report.source.format, SourceFormat::Csv);
    assert_eq!(report.source.data_rows, 3);
    assert!(report.issues.is_empty(), "{:?}", report.issues);
    assert!(report
        .mapping
        .columns
        .iter()
        .all(|c| c.matched_by == MatchedBy::Name));

    let drafts: Vec<&UserDraft> = report.valid_drafts().collect();
    assert_eq!(drafts.len(), 3);
    let ada = drafts[0];
    assert_eq!(ada.phone_work.as_deref(), Some("+442079460958"));
    assert_eq!(ada.extension.as_deref(), Some("2001"));
    assert_eq!(
        ada.manager_email.as_deref(),
        Some("grace.hopper@example.com")
    );
    assert_eq!(ada.location.as_deref(), Some("London"));
    assert_eq!(ada.division, Some(DivisionRef::Name("Home".into())));
    assert_eq!(
        ada.roles,
        vec![
            RoleGrant {
                role: "Employee".into(),
                divisions: RoleDivisions::Home
            },
            RoleGrant {
                role: "Supervisor".into(),
                divisions: RoleDivisions::Named(vec!["Sales".into(), "Support".into()])
            },
            RoleGrant {
                role: "Reporting Viewer".into(),
                divisions: RoleDivisions::All
            },
        ]
    );
    assert_eq!(ada.queues, ["Support", "Billing"]);
    assert_eq!(
        ada.skills,
        vec![
            SkillLevel {
                name: "Billing".into(),
                proficiency: 3.0
            },
            SkillLevel {
                name: "Support".into(),
                proficiency: 4.5
            },
        ]
    );
    let grace = drafts[1];
    assert_eq!(
        grace.division,
        Some(DivisionRef::Id(
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301".into()
        ))
    );
    assert_eq!(grace.phone_work.as_deref(), Some("+14155550123"));
    let alan = drafts[2];
    assert_eq!(alan.division, None);
    assert_eq!(alan.title, None);
    assert!(alan.roles.is_empty() && alan.queues.is_empty() && alan.skills.is_empty());
}

#[test]
fn utf8_bom_and_crlf_are_handled_and_lines_count_from_the_header() {
    let report = import_fixture("hr_export_bom.csv");
    assert_eq!(report.source.encoding.as_deref(), Some("UTF-8 with BOM"));
    assert_eq!(
        report.headers[0], "Employee ID",
        "the BOM must not stick to the header"
    );
    assert_eq!(lines(&report), [2, 3, 4]);
    assert_eq!(report.source.header_line, 1);
}

#[test]
fn utf16le_excel_unicode_text_is_read_with_its_tabs() {
    let report = import_fixture("utf16le_tab.txt");
    assert_eq!(report.source.encoding.as_deref(), Some("UTF-16LE"));
    assert_eq!(report.source.delimiter, Some('\t'));
    assert_eq!(names(&report), ["Zoë Ångström", "José Núñez"]);
    let titles: Vec<_> = report
        .valid_drafts()
        .map(|d| d.title.clone().unwrap())
        .collect();
    assert_eq!(titles, ["Ingénieure", "Diseñador"]);
    assert_eq!(lines(&report), [2, 3]);
}

#[test]
fn utf16be_with_bom_is_read() {
    let report = import_fixture("utf16be.csv");
    assert_eq!(report.source.encoding.as_deref(), Some("UTF-16BE"));
    let zoe = report.valid_drafts().next().unwrap();
    assert_eq!(zoe.name, "Zoë Ångström");
    assert_eq!(zoe.department.as_deref(), Some("Recherche & Développement"));
}

#[test]
fn utf16_without_bom_is_recognised_by_its_zero_bytes() {
    let text = "name,email\r\nZoë,zoe@example.com\r\n";
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for (bytes, encoding) in [(le, "UTF-16LE"), (be, "UTF-16BE")] {
        let report = import_bytes(&bytes, "x.csv", &ImportOptions::default()).unwrap();
        assert_eq!(report.source.encoding.as_deref(), Some(encoding));
        assert_eq!(names(&report), ["Zoë"]);
    }
}

#[test]
fn windows1252_is_detected_reported_and_decoded() {
    let report = import_fixture("windows1252_semicolon.csv");
    assert_eq!(report.source.encoding.as_deref(), Some("windows-1252"));
    assert_eq!(report.source.delimiter, Some(';'));
    assert_eq!(names(&report), ["Zoë Ångström", "François Müller"]);
    let francois = report.valid_drafts().nth(1).unwrap();
    assert_eq!(francois.title.as_deref(), Some("Chef de projet €"));
    assert_eq!(francois.department.as_deref(), Some("Opérations"));
    assert_eq!(
        issue_summary(&report),
        [(0, IssueKind::LegacyEncoding, Severity::Warning)]
    );
    assert!(report.issues[0].message.contains("Windows-1252"));
    assert_eq!(report.error_count(), 0);
}

#[test]
fn a_binary_file_is_refused_as_not_text() {
    let err = import_bytes(
        b"name,email\n\x00\x01\x02\x03\x04\x05",
        "x.pdf",
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(err, ImportError::NotText { line: Some(2) }),
        "{err:?}"
    );
    assert!(err.to_string().contains("not a CSV or Excel file"));
}

// --- delimiters ------------------------------------------------------------------------------

#[test]
fn each_delimiter_is_sniffed() {
    for delimiter in [',', ';', '\t', '|'] {
        let text = format!(
            "name{d}email{d}title\nAda Lovelace{d}ada@example.com{d}Analyst\n\
             Grace Hopper{d}grace@example.com{d}Admiral\n",
            d = delimiter
        );
        let report = csv(&text);
        assert_eq!(report.source.delimiter, Some(delimiter));
        assert_eq!(
            names(&report),
            ["Ada Lovelace", "Grace Hopper"],
            "{delimiter:?}"
        );
        assert!(
            report.issues.is_empty(),
            "{delimiter:?}: {:?}",
            report.issues
        );
    }
}

#[test]
fn pipe_file_keeps_commas_inside_values() {
    let report = import_fixture("pipe.csv");
    assert_eq!(report.source.delimiter, Some('|'));
    let ada = report.valid_drafts().next().unwrap();
    assert_eq!(ada.title.as_deref(), Some("Analyst, Senior"));
}

#[test]
fn sniffing_ignores_delimiters_inside_quotes_and_inside_data() {
    let report = csv(
        "name;email;title\n\"Lovelace, Ada\";ada@example.com;\"a;b, c\"\n\
         Hopper, Grace;grace@example.com;Admiral, Rear\n",
    );
    assert_eq!(report.source.delimiter, Some(';'));
    assert_eq!(names(&report), ["Lovelace, Ada", "Hopper, Grace"]);
}

#[test]
fn an_excel_sep_line_sets_the_delimiter_and_counts_as_a_line() {
    let report = import_fixture("sep_hint.csv");
    assert_eq!(report.source.delimiter, Some(';'));
    assert_eq!(report.source.header_line, 2);
    assert_eq!(lines(&report), [3]);
    assert_eq!(names(&report), ["Ada Lovelace"]);
}

// --- line numbers ----------------------------------------------------------------------------

#[test]
fn multiline_quoted_cells_and_blank_lines_keep_editor_line_numbers() {
    let report = import_fixture("multiline.csv");
    assert_eq!(lines(&report), [2, 3, 7, 10, 12]);
    let grace = &report.rows[1];
    assert_eq!(
        grace.draft.as_ref().unwrap().title.as_deref(),
        Some("Rear Admiral of the \"Fleet\""),
        "Alt+Enter line breaks become one space each"
    );
    assert_eq!(
        grace.raw[2], "Rear\r\nAdmiral\r\nof the \"Fleet\"",
        "the raw cell stays as the file has it"
    );
    let ada = report.rows[0].draft.as_ref().unwrap();
    assert_eq!(ada.title.as_deref(), Some("Analyst, \"Senior\""));
    let issues: Vec<(usize, Option<&str>, Severity)> = report
        .issues
        .iter()
        .map(|i| (i.line, i.column.as_deref(), i.severity))
        .collect();
    assert_eq!(
        issues,
        [
            (3, Some("title"), Severity::Warning),
            (7, Some("email"), Severity::Error),
            (10, Some("title"), Severity::Warning),
            (12, Some("email"), Severity::Error)
        ]
    );
}

#[test]
fn lf_crlf_and_cr_line_endings_give_the_same_line_numbers() {
    let rows = [
        "name,email",
        "",
        "Ada,ada@",
        "\"Grace",
        "Hopper\",grace@",
        "Alan,alan@",
    ];
    for newline in ["\n", "\r\n", "\r"] {
        let report = csv(&(rows.join(newline) + newline));
        let error_lines: Vec<usize> = report
            .issues
            .iter()
            .filter(|i| i.is_error())
            .map(|i| i.line)
            .collect();
        assert_eq!(error_lines, [3, 4, 6], "newline {newline:?}");
    }
}

#[test]
fn every_message_line_matches_the_record_start_after_leading_blank_lines() {
    let report = csv("\n\n\nname,email\n\nAda,ada@example.com\n\n\nGrace,grace@\n");
    assert_eq!(report.source.header_line, 4);
    assert_eq!(lines(&report), [6, 9]);
    assert_eq!(report.issues[0].line, 9);
}

// --- the three layouts -----------------------------------------------------------------------

#[test]
fn tutorial_layout_maps_with_no_user_action() {
    let report = import_fixture("tutorial.csv");
    assert!(report.issues.is_empty(), "{:?}", report.issues);
    let divisions: Vec<Option<DivisionRef>> =
        report.valid_drafts().map(|d| d.division.clone()).collect();
    assert_eq!(
        divisions,
        [
            Some(DivisionRef::Id(
                "3f2504e0-4f89-11d3-9a0c-0305e82c3301".into()
            )),
            None,
            Some(DivisionRef::Name("Research".into())),
        ]
    );
    assert_eq!(
        report.mapping.column_of(Field::Division),
        Some(2),
        "division_id is the division"
    );
}

#[test]
fn hr_export_maps_synonyms_and_combines_first_and_last_name() {
    let report = import_fixture_with("hr_export_bom.csv", &ImportOptions::default());
    assert_eq!(names(&report), ["Ada Lovelace", "Grace Hopper", "Turing"]);
    let ada = report.valid_drafts().next().unwrap();
    assert_eq!(
        ada.email, "Ada.Lovelace@Example.com",
        "original case kept for display"
    );
    assert_eq!(ada.email_key, "ada.lovelace@example.com");
    assert_eq!(ada.title.as_deref(), Some("Analyst"));
    assert_eq!(ada.department.as_deref(), Some("Engineering"));
    assert_eq!(ada.phone_work.as_deref(), Some("+447911123456"));
    assert_eq!(ada.manager_email.as_deref(), Some("grace@example.com"));
    assert_eq!(
        ada.employer.employee_id.as_deref(),
        Some("1001"),
        "Employee ID is the employer info's employee id"
    );
    assert!(
        report.issues.is_empty(),
        "every column is known: {:?}",
        report.issues
    );
}

#[test]
fn a_full_name_column_wins_over_first_and_last_but_they_fill_an_empty_one() {
    let report =
        csv("First Name,Last Name,Name,Email\nA,B,Full Name,a@example.com\nC,D,,c@example.com\n");
    assert_eq!(names(&report), ["Full Name", "C D"]);
}

// --- validation ------------------------------------------------------------------------------

#[test]
fn every_rule_is_checked_on_every_row_with_errors_and_warnings_apart() {
    let report = import_fixture("invalid_rows.csv");
    use IssueKind::*;
    use Severity::{Error as E, Warning as W};
    let expected = vec![
        (3, MissingValue, E, Some("name")),
        (4, MissingValue, E, Some("email")),
        (5, InvalidEmail, E, Some("email")),
        (6, InvalidPhone, E, Some("phone_work")),
        (7, InvalidPhone, E, Some("phone_work")),
        (8, InvalidState, E, Some("state")),
        (9, InvalidSkills, E, Some("skills")),
        (9, InvalidSkills, E, Some("skills")),
        (10, InvalidQueues, W, Some("queues")),
        (11, InvalidRolesDivisions, E, Some("roles_divisions")),
        (11, InvalidRolesDivisions, E, Some("roles_divisions")),
        (11, InvalidRolesDivisions, E, Some("roles_divisions")),
        (
            12,
            TooLong {
                max: 255,
                found: 256,
            },
            E,
            Some("title"),
        ),
        (13, InvalidEmail, E, Some("email_manager")),
        (14, InvalidExtension, E, Some("extension")),
        (15, InvalidDivision, W, Some("division")),
        (
            16,
            TooLong {
                max: 255,
                found: 300,
            },
            E,
            Some("location_work"),
        ),
        (17, SelfManager, W, Some("email_manager")),
    ];
    let found: Vec<_> = report
        .issues
        .iter()
        .map(|i| (i.line, i.kind.clone(), i.severity, i.column.as_deref()))
        .collect();
    assert_eq!(found, expected);

    let valid: Vec<usize> = report
        .rows
        .iter()
        .filter(|r| r.draft.is_some())
        .map(|r| r.line)
        .collect();
    assert_eq!(valid, [2, 10, 15, 17], "warnings never block a row");

    let message = |line: usize| -> String {
        report
            .issues_on(line)
            .map(|i| i.message.clone())
            .collect::<Vec<_>>()
            .join(" / ")
    };
    assert!(message(5).contains("\"bad@@example.com\" is not a valid e-mail address"));
    assert!(
        message(6).contains("set the default country"),
        "{}",
        message(6)
    );
    assert!(message(7).contains("\"call me\" cannot be read as a phone number"));
    assert!(message(8).contains("write active or inactive"));
    assert!(message(9).contains("\"Billing\" is \"7\"; it must be a number from 0 to 5"));
    assert!(message(9).contains("\"Support\" has no level"));
    assert!(message(10).contains("\"support\" is listed twice"));
    assert!(message(12).contains("256 characters long; the most is 255"));

    // A skill, role, extension or location that cannot be applied blocks its row; a warned
    // row keeps what it can.
    assert!(
        report.rows[7].draft.is_none(),
        "bad skill levels block the row"
    );
    assert!(
        report.rows[9].draft.is_none(),
        "malformed roles block the row"
    );
    let queues = &report.rows[8].draft.as_ref().unwrap().queues;
    assert_eq!(queues, &vec!["Support".to_owned()]);
    let own = report.rows[15].draft.as_ref().unwrap();
    assert_eq!(own.manager_email, None);
}

#[test]
fn the_default_country_turns_national_numbers_into_e164() {
    let report = import_fixture_with("invalid_rows.csv", &with_country("us"));
    let row6 = report.rows.iter().find(|r| r.line == 6).unwrap();
    assert_eq!(
        row6.draft.as_ref().unwrap().phone_work.as_deref(),
        Some("+14155550123")
    );
    assert_eq!(report.issues_on(6).count(), 0);
}

#[test]
fn an_unknown_default_country_is_refused_before_reading() {
    let err = import_bytes(
        b"name,email\nA,a@example.com\n",
        "x.csv",
        &with_country("XX"),
    )
    .unwrap_err();
    assert!(matches!(err, ImportError::UnknownCountry { .. }), "{err:?}");
    assert!(err.to_string().contains("\"XX\""));
}

#[test]
fn duplicate_email_in_file_is_reported_on_both_lines_each_naming_the_other() {
    let report = import_fixture("duplicates.csv");
    let duplicates: Vec<(usize, usize)> = report
        .issues
        .iter()
        .map(|i| match i.kind {
            IssueKind::DuplicateEmail { other_line } => (i.line, other_line),
            ref other => panic!("unexpected issue {other:?}"),
        })
        .collect();
    assert_eq!(duplicates, [(2, 4), (3, 7), (4, 2), (6, 2), (7, 3)]);
    assert!(report.issues.iter().all(|i| i.is_error()));
    let on = |line| report.issues_on(line).next().unwrap().message.clone();
    assert!(on(2).contains("is also on lines 4 and 6"), "{}", on(2));
    assert!(on(4).contains("is also on lines 2 and 6"), "{}", on(4));
    assert!(on(3).contains("is also on line 7"), "{}", on(3));
    assert_eq!(
        names(&report),
        ["Alan Turing"],
        "no copy of a repeated address is imported"
    );
}

#[test]
fn a_row_that_fails_other_checks_still_counts_as_a_duplicate() {
    let report = csv("name,email\nAda,ada@example.com\n,ADA@example.com\n");
    let kinds: Vec<_> = issue_summary(&report)
        .into_iter()
        .map(|(l, k, _)| (l, k))
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

#[test]
fn ragged_rows_are_row_errors_or_warnings_and_trailing_empty_cells_are_fine() {
    let report = import_fixture("ragged.csv");
    assert_eq!(
        report.headers,
        ["name", "email", "title"],
        "trailing empty headers dropped"
    );
    let ragged: Vec<(usize, IssueKind, Severity)> = issue_summary(&report)
        .into_iter()
        .filter(|(_, k, _)| matches!(k, IssueKind::RaggedRow { .. }))
        .collect();
    assert_eq!(
        ragged,
        [
            (
                4,
                IssueKind::RaggedRow {
                    expected: 3,
                    found: 4
                },
                Severity::Error
            ),
            (
                5,
                IssueKind::RaggedRow {
                    expected: 3,
                    found: 2
                },
                Severity::Warning
            ),
        ]
    );
    let message = &report.issues_on(4).next().unwrap().message;
    assert!(
        message.contains("has 4 values but the header has 3 columns"),
        "{message}"
    );
    assert!(message.contains("\"Analyst\" would be lost"), "{message}");
    assert_eq!(
        names(&report),
        ["Ada Lovelace", "Grace Hopper", "Alan Turing"]
    );
    assert_eq!(
        report.rows[3].raw,
        ["Alan Turing", "alan@example.com"],
        "a short row is kept as read, not padded"
    );
    assert_eq!(
        report.rows[2].raw.len(),
        4,
        "the extra value is kept for the failed-rows file"
    );
}

#[test]
fn unknown_columns_are_warnings_and_an_unnamed_column_with_data_is_reported() {
    let report = csv("name,email,,Badge\nAda,ada@example.com,x,7\n");
    let messages: Vec<String> = report.issues.iter().map(|i| i.to_string()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].starts_with("line 1, column \"Badge\": column \"Badge\" is not a field"));
    assert!(messages[1].contains("column C has no header but holds values (first on line 2)"));
    assert_eq!(report.error_count(), 0);
    assert_eq!(names(&report), ["Ada"]);
}

#[test]
fn an_empty_file_is_refused() {
    let err = import_error("empty.csv", &ImportOptions::default());
    assert!(matches!(err, ImportError::Empty));
    assert_eq!(err.to_string(), "the file is empty");
    let err = import_error("blank_lines.csv", &ImportOptions::default());
    assert!(
        matches!(err, ImportError::Empty),
        "blank lines only: {err:?}"
    );
}

#[test]
fn a_header_without_rows_names_the_header_line() {
    let err = import_error("header_only.csv", &ImportOptions::default());
    assert!(
        matches!(err, ImportError::NoDataRows { header_line: 1 }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "line 1: the file has a header but no user rows below it"
    );
}

#[test]
fn a_duplicate_header_names_the_line_and_both_columns() {
    let err = import_error("duplicate_header.csv", &ImportOptions::default());
    assert_eq!(
        err.to_string(),
        "line 1: the column \"Title\" appears twice (columns 3 and 4); rename or delete one of \
         them"
    );
}

#[test]
fn a_file_without_an_email_column_lists_what_it_has_and_what_is_accepted() {
    let err = import_error("no_email_column.csv", &ImportOptions::default());
    let message = err.to_string();
    assert!(
        message.starts_with("line 1: no email column was found"),
        "{message}"
    );
    assert!(
        message.contains("The header has: \"Full Name\", \"Phone\""),
        "{message}"
    );
    assert!(message.contains("\"work email\""), "{message}");
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let opts = ImportOptions {
        max_bytes: 100,
        ..ImportOptions::default()
    };
    let err = import_error("invalid_rows.csv", &opts);
    assert!(
        matches!(err, ImportError::TooLarge { limit: 100, size } if size > 100),
        "{err:?}"
    );
    assert!(err.to_string().contains("split it into smaller files"));
    let err = import_bytes(&[b'a'; 101], "x.csv", &opts).unwrap_err();
    assert!(matches!(err, ImportError::TooLarge { .. }));
}

#[test]
fn a_file_over_the_row_limit_names_the_first_line_over_it() {
    let opts = ImportOptions {
        max_rows: 2,
        ..ImportOptions::default()
    };
    let err = import_error("multiline.csv", &opts);
    assert!(
        matches!(err, ImportError::TooManyRows { limit: 2, line: 7 }),
        "{err:?}"
    );
    assert!(err
        .to_string()
        .starts_with("line 7: the file has more than 2 user rows"));
    let ok = import_fixture_with(
        "tutorial.csv",
        &ImportOptions {
            max_rows: 3,
            ..ImportOptions::default()
        },
    );
    assert_eq!(ok.rows.len(), 3, "exactly the limit is fine");
}

#[test]
fn a_missing_file_says_which_path() {
    let err = import_error("no_such_file.csv", &ImportOptions::default());
    assert!(err.to_string().contains("no_such_file.csv"), "{err}");
}

// --- password and formula guard --------------------------------------------------------------

#[test]
fn a_password_is_a_secret_everywhere_the_report_goes() {
    let report = import_fixture("invalid_rows.csv");
    let ada = &report.rows[0];
    let draft = ada.draft.as_ref().unwrap();
    assert_eq!(draft.password.as_ref().unwrap().expose(), "S3cret!pw");
    let password_column = report.mapping.column_of(Field::Password).unwrap();
    assert_eq!(
        ada.raw[password_column], "",
        "the raw row never keeps the password"
    );

    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("S3cret!pw"), "the password leaked into JSON");
    assert!(
        json.contains("\"password\":\"***\""),
        "a preview shows it masked"
    );
    let debug = format!("{report:?}");
    assert!(
        !debug.contains("S3cret!pw"),
        "the password leaked into Debug"
    );
}

#[test]
fn the_formula_guard_apostrophe_is_removed_only_before_formula_characters() {
    let report = import_fixture("formula_guard.csv");
    let drafts: Vec<&UserDraft> = report.valid_drafts().collect();
    assert_eq!(drafts[0].name, "=Ada Lovelace");
    assert_eq!(drafts[0].phone_work.as_deref(), Some("+442079460958"));
    assert_eq!(drafts[0].title.as_deref(), Some("-Analyst-"));
    assert_eq!(drafts[0].department.as_deref(), Some("@Engineering"));
    assert_eq!(report.rows[0].raw[2], "+44 20 7946 0958");
    assert_eq!(drafts[1].title.as_deref(), Some("'Quoted' title"));
    assert_eq!(drafts[1].department.as_deref(), Some("It's fine"));
}

#[test]
fn a_failed_rows_file_written_with_the_guard_round_trips() {
    let original = import_fixture("invalid_rows.csv");
    // What the failed-rows export does: the same header, each cell guarded, passwords empty.
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut headers = original.headers.clone();
    headers.push("=Notes".into());
    let guarded_headers: Vec<_> = headers.iter().map(|h| neutralize_cell(h)).collect();
    writer
        .write_record(guarded_headers.iter().map(|h| h.as_ref()))
        .unwrap();
    let mut rows = original.rows.clone();
    rows[0].raw[1] = "=HYPERLINK(\"x\")@example.com".into();
    rows[1].raw[2] = "+1 415 555 0123".into();
    rows[2].raw[4] = "-\tdash".into();
    for row in &mut rows {
        row.raw.push("@note".into());
    }
    for row in &rows {
        let guarded: Vec<_> = row.raw.iter().map(|c| neutralize_cell(c)).collect();
        writer
            .write_record(guarded.iter().map(|c| c.as_ref()))
            .unwrap();
    }
    let bytes = writer.into_inner().unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains("'=HYPERLINK"), "the export guards formulas");
    assert!(
        text.contains(",+1 415 555 0123,"),
        "a phone number is not a formula: {text}"
    );

    let reread = import_bytes(&bytes, "failed.csv", &ImportOptions::default()).unwrap();
    assert_eq!(reread.headers, headers, "headers read back unchanged too");
    let reread_raw: Vec<&Vec<String>> = reread.rows.iter().map(|r| &r.raw).collect();
    let expected_raw: Vec<&Vec<String>> = rows.iter().map(|r| &r.raw).collect();
    assert_eq!(reread_raw, expected_raw, "every cell reads back as it was");
}

#[test]
fn neutralize_cell_guards_exactly_the_formula_starts() {
    for cell in [
        "=1+1",
        "-x",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "'=x",
        "''+1",
        "'+44",
        "-2+3+cmd|' /C calc'!A0",
        "+1 415 x",
        "+",
    ] {
        assert_eq!(neutralize_cell(cell), format!("'{cell}"));
        assert_eq!(read::strip_formula_guard(&neutralize_cell(cell)), cell);
    }
    // Signed numbers, which a spreadsheet reads as numbers: phone numbers keep their `+`.
    for cell in [
        "Ada",
        "",
        "'quoted'",
        "1-2",
        " =x",
        "+44",
        "+14155550100",
        "+1 (415) 555-0100",
        "-5.5",
    ] {
        assert!(
            matches!(neutralize_cell(cell), Cow::Borrowed(_)),
            "{cell:?}"
        );
        assert_eq!(read::strip_formula_guard(cell), cell);
    }
}

// --- xlsx ------------------------------------------------------------------------------------

#[test]
fn xlsx_first_sheet_is_read_with_sheet_row_numbers() {
    let report = import_fixture_with("users.xlsx", &with_country("US"));
    assert_eq!(report.source.format, SourceFormat::Xlsx);
    assert_eq!(report.source.sheet.as_deref(), Some("Users"));
    assert_eq!(report.source.encoding, None);
    assert_eq!(lines(&report), [2, 3, 5]);
    let ada = report.rows[0].draft.as_ref().unwrap();
    assert_eq!(
        ada.phone_work.as_deref(),
        Some("+14155550123"),
        "a number cell is a phone"
    );
    assert_eq!(ada.extension.as_deref(), Some("2001"));
    assert_eq!(ada.division, Some(DivisionRef::Name("Home".into())));
    assert_eq!(
        issue_summary(&report),
        [(5, IssueKind::InvalidEmail, Severity::Error)]
    );
    assert_eq!(report.issues[0].column.as_deref(), Some("Work Email"));
}

#[test]
fn xlsx_named_sheet_is_read_and_an_unknown_one_lists_the_sheets() {
    let opts = ImportOptions {
        sheet: Some("contractors".into()),
        ..ImportOptions::default()
    };
    let report = import_fixture_with("users.xlsx", &opts);
    assert_eq!(report.source.sheet.as_deref(), Some("Contractors"));
    assert_eq!(report.source.header_line, 3);
    assert_eq!(lines(&report), [4, 5]);
    assert_eq!(names(&report), ["Kay Johnson", "Zoë Ångström"]);

    let opts = ImportOptions {
        sheet: Some("Staff".into()),
        ..ImportOptions::default()
    };
    let err = import_error("users.xlsx", &opts);
    assert_eq!(
        err.to_string(),
        "the workbook has no sheet named \"Staff\"; its sheets are: \"Users\", \"Contractors\""
    );
}

#[test]
fn old_xls_and_damaged_workbooks_get_clear_errors() {
    let xls = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0];
    let err = import_bytes(&xls, "old.xls", &ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("save it as .xlsx or CSV"), "{err}");
    let err = import_bytes(
        b"PK\x03\x04 not really a zip",
        "x.xlsx",
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, ImportError::Xlsx { .. }), "{err:?}");
    assert!(err
        .to_string()
        .starts_with("the workbook could not be read"));
}

// --- the report ------------------------------------------------------------------------------

#[test]
fn the_report_serializes_in_camel_case_for_the_window() {
    let report = csv("name,email\nAda,ada@example.com\nAda,ADA@example.com\n");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["issues"][0],
        serde_json::json!({
            "line": 2,
            "column": "email",
            "kind": {"type": "duplicateEmail", "otherLine": 3},
            "severity": "error",
            "message": "\"ada@example.com\" is also on line 3; each person needs their own \
                        address — remove or correct the repeats",
        })
    );
    assert_eq!(json["source"]["headerLine"], 1);
    assert_eq!(json["source"]["dataRows"], 2);
    assert_eq!(
        json["rows"][0]["raw"],
        serde_json::json!(["Ada", "ada@example.com"])
    );
    assert_eq!(json["rows"][0]["draft"], serde_json::Value::Null);
}

#[test]
fn a_row_issue_displays_with_its_line_and_column() {
    let report = csv("name,E-mail\nAda,ada@\n");
    assert_eq!(
        report.issues[0].to_string(),
        "line 2, column \"E-mail\": \"ada@\" is not a valid e-mail address: nothing comes after \
         the @"
    );
}

#[test]
fn an_xlsx_over_the_row_limit_names_the_sheet_row() {
    let opts = ImportOptions {
        max_rows: 1,
        ..ImportOptions::default()
    };
    let err = import_error("users.xlsx", &opts);
    assert!(
        matches!(err, ImportError::TooManyRows { limit: 1, line: 3 }),
        "{err:?}"
    );
}

#[test]
fn options_arrive_from_the_window_in_camel_case_with_defaults() {
    let opts: ImportOptions =
        serde_json::from_str(r#"{"defaultCountry": "GB", "sheet": "Users"}"#).unwrap();
    assert_eq!(opts.default_country.as_deref(), Some("GB"));
    assert_eq!(opts.max_rows, DEFAULT_MAX_ROWS);
    assert_eq!(opts.max_bytes, DEFAULT_MAX_BYTES);
}

#[test]
fn every_import_error_has_a_kind_for_the_window() {
    let err = import_bytes(b"", "x.csv", &ImportOptions::default()).unwrap_err();
    assert_eq!(err.kind(), "empty");
    let err = import_error("duplicate_header.csv", &ImportOptions::default());
    assert_eq!(err.kind(), "duplicateHeader");
}

#[test]
fn the_docs_list_every_header_rollcall_accepts() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/import.md"))
        .expect("docs/import.md exists");
    for field in Field::ALL {
        assert!(
            docs.contains(&format!("`{}`", field.key())),
            "docs miss {}",
            field.key()
        );
        for synonym in field.synonyms() {
            assert!(
                docs.contains(synonym),
                "docs/import.md should list the synonym {synonym:?} of {}",
                field.key()
            );
        }
    }
}
