//! The column matcher on headers as HR exports, spreadsheets and the user's own overrides
//! write them.

use super::*;

fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn fields(mapping: &ColumnMapping) -> Vec<Option<Field>> {
    mapping.columns.iter().map(|c| c.field).collect()
}

#[test]
fn header_normalisation_ignores_case_spaces_punctuation_and_accents() {
    assert_eq!(normalize_header("E-mail Address"), "emailaddress");
    assert_eq!(normalize_header("  Prénom "), "prenom");
    assert_eq!(normalize_header("Division_ID"), "divisionid");
    assert_eq!(normalize_header("Correo Electrónico"), "correoelectronico");
    assert_eq!(normalize_header("\u{feff}EMAIL"), "email");
}

#[test]
fn admin_ui_header_maps_every_column_by_name() {
    let header = headers(&[
        "name",
        "email",
        "phone_work",
        "extension",
        "title",
        "department",
        "email_manager",
        "location_work",
        "roles_divisions",
        "queues",
        "division",
        "skills",
    ]);
    let (mapping, issues) = resolve(&header, 1, None).unwrap();
    assert!(issues.is_empty(), "no warnings expected, got {issues:?}");
    assert!(mapping
        .columns
        .iter()
        .all(|c| c.matched_by == MatchedBy::Name));
    assert_eq!(mapping.column_of(Field::Skills), Some(11));
    assert_eq!(mapping.column_of(Field::EmailManager), Some(6));
}

#[test]
fn tutorial_header_maps_division_id_to_division() {
    let (mapping, issues) = resolve(&headers(&["email", "name", "division_id"]), 1, None).unwrap();
    assert!(issues.is_empty());
    assert_eq!(
        fields(&mapping),
        vec![Some(Field::Email), Some(Field::Name), Some(Field::Division)]
    );
    assert_eq!(mapping.columns[2].matched_by, MatchedBy::Synonym);
}

#[test]
fn hr_export_synonyms_are_recognised() {
    let header = headers(&[
        "Employee ID",
        "First Name",
        "Last Name",
        "E-mail Address",
        "Job Title",
        "Dept",
        "Mobile",
        "Manager Email",
        "Division ID",
    ]);
    let (mapping, issues) = resolve(&header, 1, None).unwrap();
    assert_eq!(
        fields(&mapping),
        vec![
            Some(Field::EmployeeId),
            Some(Field::FirstName),
            Some(Field::LastName),
            Some(Field::Email),
            Some(Field::Title),
            Some(Field::Department),
            Some(Field::PhoneWork),
            Some(Field::EmailManager),
            Some(Field::Division),
        ]
    );
    assert!(issues.is_empty(), "every column is known: {issues:?}");
}

#[test]
fn more_synonyms_from_hr_systems_match() {
    for (header, field) in [
        ("Work Email", Field::Email),
        ("Full Name", Field::Name),
        ("Display Name", Field::Name),
        ("Job Title", Field::Title),
        ("Department", Field::Department),
        ("Work Phone", Field::PhoneWork),
        ("Given Name", Field::FirstName),
        ("Surname", Field::LastName),
        ("Division Name", Field::Division),
        ("Manager E-mail", Field::EmailManager),
        ("Initial Password", Field::Password),
        ("Work Location", Field::LocationWork),
        ("Roles", Field::RolesDivisions),
        ("STATE", Field::State),
    ] {
        let (mapping, _) = resolve(&headers(&["email", "name", header]), 1, None)
            .or_else(|_| resolve(&headers(&[header, "first name"]), 1, None))
            .unwrap();
        assert!(
            mapping.column_of(field).is_some(),
            "{header:?} should map to {field:?}, mapping was {mapping:?}"
        );
    }
}

#[test]
fn two_columns_for_one_field_keep_the_better_and_warn_about_the_other() {
    let header = headers(&["Name", "Mobile", "Email", "Work Phone"]);
    let (mapping, issues) = resolve(&header, 1, None).unwrap();
    assert_eq!(mapping.column_of(Field::PhoneWork), Some(3));
    assert_eq!(mapping.columns[1].field, None);
    assert_eq!(issues.len(), 1);
    assert_eq!(
        issues[0].kind,
        IssueKind::AmbiguousColumn {
            used_column: "Work Phone".into()
        }
    );
    assert!(
        issues[0].message.contains("\"Mobile\""),
        "{}",
        issues[0].message
    );
}

#[test]
fn the_same_field_header_twice_is_a_file_error_naming_both_columns() {
    let err = resolve(&headers(&["name", "email", "E-Mail"]), 3, None).unwrap_err();
    match &err {
        ImportError::DuplicateHeader {
            line,
            first_column,
            second_column,
            ..
        } => assert_eq!((*line, *first_column, *second_column), (3, 2, 3)),
        other => panic!("expected DuplicateHeader, got {other:?}"),
    }
    assert!(err
        .to_string()
        .starts_with("line 3: the column \"E-Mail\" appears twice"));
}

#[test]
fn a_missing_email_column_lists_the_headers_and_the_accepted_names() {
    let err = resolve(&headers(&["Full Name", "Phone"]), 1, None).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("no email column"), "{message}");
    assert!(message.contains("\"Full Name\", \"Phone\""), "{message}");
    assert!(message.contains("\"email address\""), "{message}");
}

#[test]
fn a_file_without_a_header_row_is_told_to_add_one() {
    let err = resolve(&headers(&["Ada Lovelace", "ada@example.com"]), 1, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1 holds a user, not column names: add a header line first, such as \
         name,email,division"
    );
}

#[test]
fn a_missing_name_column_mentions_first_and_last_name() {
    let err = resolve(&headers(&["email"]), 1, None).unwrap_err();
    assert!(err.to_string().contains("First Name + Last Name"), "{err}");
}

#[test]
fn a_user_override_wins_and_is_matched_by_header_wherever_the_column_is() {
    let mut saved = resolve(&headers(&["Courriel pro", "Name", "Emp No"]), 1, None)
        .err()
        .map(|_| ColumnMapping {
            columns: vec![ColumnAssignment {
                header: "Courriel pro".into(),
                field: Some(Field::Email),
                matched_by: MatchedBy::User,
            }],
        })
        .unwrap();
    saved.columns.push(ColumnAssignment {
        header: "name".into(),
        field: None,
        matched_by: MatchedBy::User,
    });
    saved.columns.push(ColumnAssignment {
        header: "Display".into(),
        field: Some(Field::Name),
        matched_by: MatchedBy::User,
    });
    let json = serde_json::to_string(&saved).unwrap();
    let reloaded: ColumnMapping = serde_json::from_str(&json).unwrap();

    let header = headers(&["Emp No", "NAME", "display", "COURRIEL-PRO"]);
    let (mapping, _) = resolve(&header, 1, Some(&reloaded)).unwrap();
    assert_eq!(
        fields(&mapping),
        vec![None, None, Some(Field::Name), Some(Field::Email)]
    );
    assert_eq!(mapping.columns[3].matched_by, MatchedBy::User);
}

#[test]
fn mapping_serializes_with_camel_case_and_field_keys() {
    let (mapping, _) = resolve(&headers(&["Work Email", "Full Name"]), 1, None).unwrap();
    let json = serde_json::to_value(&mapping).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"columns": [
            {"header": "Work Email", "field": "email", "matchedBy": "synonym"},
            {"header": "Full Name", "field": "name", "matchedBy": "synonym"},
        ]})
    );
}

#[test]
fn assign_moves_a_field_to_another_column() {
    let (mut mapping, _) = resolve(&headers(&["email", "name", "Mobile", "Alt"]), 1, None).unwrap();
    assert!(mapping.assign("alt", Some(Field::PhoneWork)));
    assert_eq!(mapping.column_of(Field::PhoneWork), Some(3));
    assert_eq!(mapping.columns[2].field, None);
    assert!(!mapping.assign("nope", None));
}

#[test]
fn two_user_choices_for_one_field_are_a_conflict() {
    let user = ColumnMapping {
        columns: vec![
            ColumnAssignment {
                header: "a".into(),
                field: Some(Field::Email),
                matched_by: MatchedBy::User,
            },
            ColumnAssignment {
                header: "b".into(),
                field: Some(Field::Email),
                matched_by: MatchedBy::User,
            },
        ],
    };
    let err = resolve(&headers(&["a", "b", "name"]), 1, Some(&user)).unwrap_err();
    assert!(matches!(
        err,
        ImportError::ConflictingMapping { field: "email", .. }
    ));
}

#[test]
fn password_like_headers_match_whole_in_any_case_accent_or_spacing() {
    for header in [
        "PWD",
        "Pass",
        "password",
        "Password 2",
        "PASSWORT",
        "Secret",
        "PIN",
        "pin_code",
        "Mot de passe",
        "mot-de-passe",
        "CONTRASEÑA",
        "contrasena",
        "Senha",
        "wachtwoord",
        "Passcode",
        "Temp Password",
        "Hasło",
        "Пароль",
    ] {
        assert!(looks_like_password(header), "{header:?} holds passwords");
    }
    for header in [
        "Passport",
        "Passport Number",
        "Spinner",
        "Pinned",
        "Password Expiry Date",
        "Secretary",
        "Compass",
        "",
        "2",
    ] {
        assert!(!looks_like_password(header), "{header:?} is no password");
    }
}

#[test]
fn every_synonym_maps_back_to_its_own_field() {
    for field in Field::ALL {
        for synonym in field.synonyms() {
            let (found, _) = auto_match(&normalize_header(synonym)).unwrap();
            assert_eq!(
                found, field,
                "synonym {synonym:?} of {field:?} maps to {found:?}"
            );
        }
    }
}
