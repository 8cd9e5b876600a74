//! Property tests for the reader and the mapper: no input makes them panic, what they report
//! holds together, and a file they refuse is refused for a reason that input can have. Case
//! counts are small so CI stays short; raise them locally with
//! `PROPTEST_CASES=10000 cargo test import::proptests`.

use proptest::prelude::*;

use super::mapping::{self, Field};
use super::*;

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(64)
}

/// What must hold for any report the import returns.
fn assert_consistent(report: &ImportReport) {
    assert_eq!(report.rows.len(), report.source.data_rows);
    assert_eq!(report.mapping.columns.len(), report.headers.len());
    assert!(
        report.mapping.column_of(Field::Email).is_some(),
        "a file without an e-mail column is refused, not reported"
    );
    let mut previous = report.source.header_line;
    for row in &report.rows {
        assert!(
            row.line > previous,
            "lines must grow: {} after {previous}",
            row.line
        );
        previous = row.line;
        let has_error = report.issues_on(row.line).any(RowIssue::is_error);
        assert_eq!(row.draft.is_none(), has_error, "line {}", row.line);
    }
    assert!(report.issues.windows(2).all(|w| w[0].line <= w[1].line));
    for field in Field::ALL {
        let holders = report
            .mapping
            .columns
            .iter()
            .filter(|c| c.field == Some(field))
            .count();
        assert!(holders <= 1, "{field:?} is held by {holders} columns");
    }
}

/// The kinds of refusal any text can earn: what is wrong with its content, never with the
/// options, the file system or a workbook.
const TEXT_REFUSALS: &[&str] = &[
    "empty",
    "noDataRows",
    "notText",
    "duplicateHeader",
    "missingRequiredColumn",
    "noHeader",
    "tooManyColumns",
    "tooManyValues",
];

/// The kinds of refusal a damaged workbook can earn: its archive, its size, or what its sheet
/// holds.
const WORKBOOK_REFUSALS: &[&str] = &[
    "xlsx",
    "workbookTooLarge",
    "tooManySharedStrings",
    "sheetTooLarge",
    "empty",
    "noDataRows",
    "duplicateHeader",
    "missingRequiredColumn",
    "noHeader",
    "tooManyColumns",
];

/// Whether `error` is a refusal `bytes` can earn: a workbook's when they start as a zip archive
/// does, a text's otherwise.
fn refusal_fits(error: &ImportError, bytes: &[u8]) -> bool {
    let refusals = if bytes.starts_with(b"PK\x03\x04") {
        WORKBOOK_REFUSALS
    } else {
        TEXT_REFUSALS
    };
    refusals.contains(&error.kind())
}

/// Every name Rollcall knows a column by, as written in its own lists: each field's key and
/// synonyms.
fn known_header() -> impl Strategy<Value = String> {
    let names: Vec<String> = Field::ALL
        .iter()
        .flat_map(|field| std::iter::once(field.key()).chain(field.synonyms().iter().copied()))
        .map(str::to_owned)
        .collect();
    prop::sample::select(names)
}

/// Cell text with everything that makes CSV hard: quotes, line breaks, every delimiter,
/// apostrophes and formula starts, accents, spaces.
fn cell() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Zé@.+=' \"\r\n,;\t|:*-]{0,12}").unwrap()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_import_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        match import_bytes(&bytes, "fuzz.csv", &ImportOptions::default()) {
            Ok(report) => assert_consistent(&report),
            Err(error) => prop_assert!(refusal_fits(&error, &bytes), "{}", error),
        }
    }

    #[test]
    fn any_text_with_a_user_header_imports_without_panic(
        body in "[ -~\u{e9}\u{feff}\r\n\t\"]{0,600}",
        header in prop::sample::select(vec!["name,email\n", "email;name;phone_work;state\n",
            "First Name\tLast Name\tE-mail\tskills\troles_divisions\tqueues\n",
            "sep=|\nname|email|division|password\n"]),
    ) {
        let text = format!("{header}{body}");
        let opts = ImportOptions { default_country: Some("GB".into()), ..ImportOptions::default() };
        match import_bytes(text.as_bytes(), "fuzz.csv", &opts) {
            Ok(report) => assert_consistent(&report),
            // The header is whole, but the body can leave no rows, or tip the delimiter sniffing
            // towards a character the header does not use.
            Err(error) => prop_assert!(
                matches!(
                    error,
                    ImportError::NoDataRows { header_line: 1 | 2 }
                        | ImportError::MissingRequiredColumn { line: 1, .. }
                ),
                "{}",
                error
            ),
        }
    }

    #[test]
    fn anything_that_looks_like_a_zip_fails_cleanly(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(tail);
        let result = import_bytes(&bytes, "fuzz.xlsx", &ImportOptions::default());
        prop_assert!(matches!(result, Err(ImportError::Xlsx { .. })), "{:?}", result.err());
    }

    #[test]
    fn a_damaged_workbook_is_read_or_refused_without_panic(
        damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import/users.xlsx");
        let mut bytes = std::fs::read(path).unwrap();
        for (at, value) in damage {
            let at = at.index(bytes.len());
            bytes[at] = value;
        }
        match import_bytes(&bytes, "damaged.xlsx", &ImportOptions::default()) {
            Ok(report) => assert_consistent(&report),
            // Damage to the first bytes leaves no zip archive: it is then read as text.
            Err(error) => prop_assert!(refusal_fits(&error, &bytes), "{}", error),
        }
    }

    #[test]
    fn any_header_maps_without_panic_and_never_twice_to_one_field(
        header in proptest::collection::vec(
            prop_oneof![".{0,20}", known_header(), Just("ada@example.com".to_owned())],
            0..12,
        ),
    ) {
        let keys: Vec<String> = header.iter().map(|h| mapping::normalize_header(h)).collect();
        match mapping::resolve(&header, 1, None) {
            Ok((mapping, issues)) => {
                prop_assert_eq!(mapping.columns.len(), header.len());
                prop_assert!(mapping.column_of(Field::Email).is_some());
                for field in Field::ALL {
                    prop_assert!(mapping.columns.iter().filter(|c| c.field == Some(field)).count() <= 1);
                }
                prop_assert!(issues.iter().all(|i| !i.is_error()));
            }
            Err(ImportError::DuplicateHeader { line, name, first_column, second_column }) => {
                prop_assert_eq!(line, 1);
                prop_assert!(first_column < second_column);
                prop_assert_eq!(&name, &header[second_column - 1]);
                prop_assert_eq!(&keys[first_column - 1], &keys[second_column - 1]);
            }
            Err(ImportError::MissingRequiredColumn { line, accepted, .. }) => {
                // Had any column carried one of the names the message offers, it would have
                // been found.
                prop_assert_eq!(line, 1);
                for name in &accepted {
                    let wanted = mapping::normalize_header(name);
                    prop_assert!(!keys.contains(&wanted), "{:?} was offered but is there", name);
                }
            }
            Err(ImportError::NoHeader { line }) => {
                prop_assert_eq!(line, 1);
                prop_assert!(header.iter().any(|cell| email::check_address(cell).is_ok()));
            }
            Err(other) => prop_assert!(false, "unexpected error {}", other),
        }
    }

    #[test]
    fn cells_written_with_any_delimiter_read_back_unchanged_on_their_lines(
        delimiter in prop::sample::select(vec![b',', b';', b'\t', b'|']),
        crlf in any::<bool>(),
        rows in proptest::collection::vec([cell(), cell(), cell()], 1..20),
    ) {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
            .from_writer(Vec::new());
        writer.write_record(["name", "email", "title"]).unwrap();
        let mut expected = Vec::new();
        for row in &rows {
            writer.flush().unwrap();
            // Editors break lines at LF, CRLF and a lone CR, inside quotes too.
            let written = String::from_utf8_lossy(writer.get_ref()).replace("\r\n", "\n");
            let line = written.matches(['\n', '\r']).count() + 1;
            let guarded: Vec<String> = row.iter().map(|c| neutralize_cell(c).into_owned()).collect();
            writer.write_record(&guarded).unwrap();
            if row.iter().any(|c| !c.trim().is_empty()) {
                expected.push((line, row.to_vec()));
            }
        }
        let bytes = writer.into_inner().unwrap();
        match import_bytes(&bytes, "roundtrip.csv", &ImportOptions::default()) {
            Ok(report) => {
                prop_assert_eq!(report.source.delimiter, Some(delimiter as char));
                let found: Vec<(usize, Vec<String>)> =
                    report.rows.iter().map(|r| (r.line, r.raw.clone())).collect();
                prop_assert_eq!(found, expected);
                assert_consistent(&report);
            }
            Err(ImportError::NoDataRows { .. }) => prop_assert!(expected.is_empty()),
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    #[test]
    fn any_phone_text_is_checked_without_panic(
        value in "[+0-9 ()x.a-z-]{0,24}",
        country in prop::sample::select(vec![None, Some("US"), Some("GB"), Some("DE"), Some("IN")]),
    ) {
        let text = format!("name,email,phone_work\nA,a@example.com,\"{value}\"\n");
        let opts = ImportOptions { default_country: country.map(str::to_owned), ..ImportOptions::default() };
        let report = import_bytes(text.as_bytes(), "phone.csv", &opts).unwrap();
        let phone_errors = report
            .issues_on(2)
            .filter(|i| i.is_error() && i.kind == IssueKind::InvalidPhone)
            .count();
        match report.rows[0].draft.as_ref().map(|d| d.phone_work.as_deref()) {
            Some(Some(phone)) => {
                prop_assert!(phone.starts_with('+'));
                prop_assert!(phone[1..].bytes().all(|b| b.is_ascii_digit()), "{}", phone);
            }
            Some(None) => prop_assert!(value.trim().is_empty(), "{:?} was dropped silently", value),
            None => prop_assert_eq!(phone_errors, 1, "{:?} kept the row from a draft", value),
        }
    }

    #[test]
    fn the_fast_email_check_agrees_with_the_detailed_rules(
        value in "[a-zA-Z0-9.@_+-]{0,12}(@[a-z0-9.-]{0,12})?",
    ) {
        prop_assert_eq!(email::check_address(&value).is_ok(), email::explain(&value).is_ok());
    }

    #[test]
    fn any_email_text_is_checked_without_panic(value in ".{0,80}") {
        match email::check_address(&value) {
            Ok(()) => {
                prop_assert_eq!(value.matches('@').count(), 1);
                prop_assert!(value.len() <= 254 && value.is_ascii());
            }
            Err(reason) => {
                prop_assert!(!reason.is_empty(), "a refusal says why");
                prop_assert!(email::explain(&value).is_err());
            }
        }
    }
}
