//! The day-1 columns: languages, groups, employer info, auto-answer, phone and site, external
//! id and the model agent, each accepted in its forms and refused with a message that says
//! what to write.

use super::*;

fn import_with(text: &str, opts: &ImportOptions) -> ImportReport {
    import_bytes(text.as_bytes(), "cohort.csv", opts)
        .unwrap_or_else(|e| panic!("should import, got: {e}"))
}

fn import(text: &str) -> ImportReport {
    import_with(text, &ImportOptions::default())
}

/// The one issue of a one-row file, with its column.
fn only_issue(report: &ImportReport) -> &RowIssue {
    assert_eq!(report.issues.len(), 1, "{:?}", report.issues);
    &report.issues[0]
}

fn draft(report: &ImportReport) -> &UserDraft {
    report
        .valid_drafts()
        .next()
        .unwrap_or_else(|| panic!("the row should be valid: {:?}", report.issues))
}

#[test]
fn every_day1_column_is_read_into_the_draft() {
    let report = import(
        "name,email,languages,groups,employee_id,employee_type,hire_date,official_name,\
         acd_auto_answer,phone,site,external_id,like\n\
         Ada,ada@example.com,\"Spanish:4,French:2\",Tier 1 Agents,E1,full time,2026-03-14,\
         Augusta Ada King,Yes,WebRTC,London,Workday:E1,Grace@Example.com\n",
    );
    let ada = draft(&report);
    assert!(report.issues.is_empty(), "{:?}", report.issues);
    assert_eq!(
        ada.languages
            .iter()
            .map(|l| (l.name.as_str(), l.proficiency))
            .collect::<Vec<_>>(),
        [("Spanish", 4.0), ("French", 2.0)]
    );
    assert_eq!(ada.groups, ["Tier 1 Agents"]);
    assert_eq!(
        ada.employer,
        EmployerInfo {
            employee_id: Some("E1".into()),
            employee_type: Some("Full-time".into()),
            hire_date: Some("2026-03-14".into()),
            official_name: Some("Augusta Ada King".into()),
        }
    );
    assert_eq!(ada.acd_auto_answer, Some(true));
    assert_eq!(
        ada.phone,
        Some(PhoneRequest {
            base: PhoneBase::WebRtc,
            site: "London".into()
        })
    );
    assert_eq!(
        ada.external_id,
        Some(ExternalId {
            authority: "Workday".into(),
            key: "E1".into()
        })
    );
    assert_eq!(ada.like.as_deref(), Some("grace@example.com"));
}

#[test]
fn hr_export_headers_map_to_the_day1_fields() {
    let report = import(
        "Full Name,Work Email,Employee ID,Start Date,Employment Type,Legal Name,Auto Answer,\
         Routing Languages,Group,Model Agent\n\
         Ada,ada@example.com,E1,3/14/2026,Contractor,A. King,no,German:3,Night Shift,\
         grace@example.com\n",
    );
    assert!(
        report.issues.is_empty(),
        "no column is unknown: {:?}",
        report.issues
    );
    let ada = draft(&report);
    assert_eq!(ada.employer.employee_id.as_deref(), Some("E1"));
    assert_eq!(ada.employer.hire_date.as_deref(), Some("2026-03-14"));
    assert_eq!(ada.employer.employee_type.as_deref(), Some("Contractor"));
    assert_eq!(ada.acd_auto_answer, Some(false));
    assert_eq!(ada.languages[0].name, "German");
    assert_eq!(ada.groups, ["Night Shift"]);
    assert_eq!(ada.like.as_deref(), Some("grace@example.com"));
}

#[test]
fn a_language_without_a_level_or_out_of_range_is_an_error_on_the_languages_column() {
    for (cell, expected) in [
        ("Spanish", "the language \"Spanish\" has no level"),
        ("Spanish:9", "the level of language \"Spanish\" is \"9\""),
    ] {
        let report = import(&format!(
            "name,email,languages\nAda,ada@example.com,{cell}\n"
        ));
        let issue = only_issue(&report);
        assert_eq!(issue.kind, IssueKind::InvalidLanguages);
        assert!(issue.is_error());
        assert_eq!(issue.column.as_deref(), Some("languages"));
        assert!(issue.message.contains(expected), "{}", issue.message);
    }
}

#[test]
fn a_group_listed_twice_is_a_warning_and_kept_once() {
    let report = import("name,email,groups\nAda,ada@example.com,\"Night Shift,night shift\"\n");
    let issue = only_issue(&report);
    assert_eq!(issue.kind, IssueKind::InvalidGroups);
    assert!(!issue.is_error());
    assert_eq!(draft(&report).groups, ["Night Shift"]);
}

#[test]
fn an_unknown_employee_type_is_an_error_that_lists_the_types() {
    let report = import("name,email,employee_type\nAda,ada@example.com,Intern\n");
    let issue = only_issue(&report);
    assert_eq!(issue.kind, IssueKind::InvalidEmployeeType);
    assert!(
        issue.message.contains("Full-time, Part-time or Contractor"),
        "{}",
        issue.message
    );
}

#[test]
fn an_ambiguous_hire_date_needs_the_date_order_and_is_read_with_it() {
    let text = "name,email,hire_date\nAda,ada@example.com,3/4/2026\n";
    let issue = only_issue(&import(text)).clone();
    assert_eq!(issue.kind, IssueKind::InvalidDate);
    assert_eq!(issue.column.as_deref(), Some("hire_date"));
    assert!(issue.message.contains("date order"), "{}", issue.message);

    for (order, expected) in [
        (DateOrder::Mdy, "2026-03-04"),
        (DateOrder::Dmy, "2026-04-03"),
    ] {
        let opts = ImportOptions {
            date_order: Some(order),
            ..ImportOptions::default()
        };
        let report = import_with(text, &opts);
        assert_eq!(draft(&report).employer.hire_date.as_deref(), Some(expected));
    }
}

#[test]
fn the_date_order_is_read_from_the_wire_in_lowercase() {
    let opts: ImportOptions = serde_json::from_str(r#"{"dateOrder":"dmy"}"#).unwrap();
    assert_eq!(opts.date_order, Some(DateOrder::Dmy));
}

#[test]
fn auto_answer_takes_yes_or_no_and_refuses_anything_else() {
    let report = import("name,email,acd_auto_answer\nAda,ada@example.com,sometimes\n");
    let issue = only_issue(&report);
    assert_eq!(issue.kind, IssueKind::InvalidAutoAnswer);
    assert!(issue.message.contains("not yes or no"), "{}", issue.message);
    let report = import("name,email,acd_auto_answer\nAda,ada@example.com,FALSE\n");
    assert_eq!(draft(&report).acd_auto_answer, Some(false));
}

#[test]
fn a_phone_needs_a_site_and_a_number_in_the_phone_column_points_to_phone_work() {
    let report = import("name,email,phone\nAda,ada@example.com,webrtc\n");
    let issue = only_issue(&report);
    assert_eq!(issue.kind, IssueKind::InvalidPhoneDevice);
    assert!(issue.message.contains("needs a site"), "{}", issue.message);

    let report = import("name,email,phone,site\nAda,ada@example.com,+1 (415) 555-0100,HQ\n");
    let issue = only_issue(&report);
    assert!(issue.is_error());
    assert!(
        issue.message.contains("map this column to phone_work"),
        "{}",
        issue.message
    );

    let report = import("name,email,phone,site\nAda,ada@example.com,Polycom VVX,HQ\n");
    assert_eq!(
        draft(&report).phone.as_ref().map(|p| &p.base),
        Some(&PhoneBase::Named("Polycom VVX".into()))
    );
}

#[test]
fn a_site_without_a_phone_is_a_warning_that_it_is_ignored() {
    let report = import("name,email,site\nAda,ada@example.com,HQ\n");
    let issue = only_issue(&report);
    assert_eq!(issue.kind, IssueKind::InvalidPhoneDevice);
    assert!(!issue.is_error());
    assert!(issue.message.contains("location_work"), "{}", issue.message);
    assert_eq!(draft(&report).phone, None);
}

#[test]
fn an_external_id_needs_an_authority_and_a_key_and_keeps_their_case() {
    for cell in ["E12345", ":E12345", "Workday:"] {
        let report = import(&format!(
            "name,email,external_id\nAda,ada@example.com,{cell}\n"
        ));
        let issue = only_issue(&report);
        assert_eq!(issue.kind, IssueKind::InvalidExternalId, "{cell}");
        assert!(issue.message.contains("authority:key"), "{}", issue.message);
    }
    let report = import("name,email,external_id\nAda,ada@example.com,SAP:ab:CD\n");
    assert_eq!(
        draft(&report).external_id,
        Some(ExternalId {
            authority: "SAP".into(),
            key: "ab:CD".into()
        })
    );
}

#[test]
fn a_model_agent_must_be_an_address_and_not_the_user_themself() {
    let report = import("name,email,like\nAda,ada@example.com,Grace Hopper\n");
    assert_eq!(only_issue(&report).kind, IssueKind::InvalidModelUser);
    assert!(only_issue(&report).is_error());

    let report = import("name,email,like\nAda,ada@example.com,ADA@example.com\n");
    let issue = only_issue(&report);
    assert!(!issue.is_error());
    assert_eq!(draft(&report).like, None);
}
