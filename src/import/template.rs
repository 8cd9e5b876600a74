//! The file users download to start from: the admin UI's columns plus `state` and the day-1
//! columns, and one example row that passes every check.

use super::mapping::Field;

/// The template's columns: the Genesys admin UI's import header, then `state`, then the columns
/// that ready an agent for a first shift.
pub const TEMPLATE_COLUMNS: [Field; 24] = [
    Field::Name,
    Field::Email,
    Field::PhoneWork,
    Field::Extension,
    Field::Title,
    Field::Department,
    Field::EmailManager,
    Field::LocationWork,
    Field::RolesDivisions,
    Field::Queues,
    Field::Division,
    Field::Skills,
    Field::State,
    Field::Languages,
    Field::Groups,
    Field::EmployeeId,
    Field::EmployeeType,
    Field::HireDate,
    Field::OfficialName,
    Field::AcdAutoAnswer,
    Field::Phone,
    Field::Site,
    Field::ExternalId,
    Field::Like,
];

const EXAMPLE_ROW: [&str; 24] = [
    "Ada Lovelace",
    "ada.lovelace@example.com",
    "+442079460958",
    "2001",
    "Support Analyst",
    "Customer Care",
    "grace.hopper@example.com",
    "London Office",
    "Employee|Supervisor:Sales,Support|Reporting Viewer:*",
    "Support,Billing",
    "Home",
    "Billing:3,Support:4.5",
    "active",
    "English:5,French:3",
    "Tier 1 Agents,Night Shift",
    "E12345",
    "Full-time",
    "2026-07-01",
    "Augusta Ada King",
    "yes",
    "webrtc",
    "London",
    "Workday:E12345",
    "grace.hopper@example.com",
];

/// A CSV (UTF-8, comma-delimited, CRLF) with the template's header and one example row. The
/// password column is left out on purpose: passwords are better set by invitation.
pub fn template_csv() -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let header = TEMPLATE_COLUMNS.map(Field::key);
    // Writing to a Vec cannot fail.
    let _ = writer.write_record(header);
    let _ = writer.write_record(EXAMPLE_ROW);
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{import_bytes, ImportOptions, RoleDivisions};

    #[test]
    fn template_starts_with_the_admin_ui_header_plus_state_then_the_day1_columns() {
        let template = template_csv();
        let header = template.lines().next().unwrap();
        assert_eq!(
            header,
            "name,email,phone_work,extension,title,department,email_manager,location_work,\
             roles_divisions,queues,division,skills,state,languages,groups,employee_id,\
             employee_type,hire_date,official_name,acd_auto_answer,phone,site,external_id,like"
        );
        assert_eq!(template.lines().count(), 2);
    }

    #[test]
    fn template_example_row_imports_with_no_issue() {
        let report = import_bytes(
            template_csv().as_bytes(),
            "template.csv",
            &ImportOptions::default(),
        )
        .unwrap();
        assert!(
            report.issues.is_empty(),
            "the example row should be clean: {:?}",
            report.issues
        );
        let drafts: Vec<_> = report.valid_drafts().collect();
        assert_eq!(drafts.len(), 1);
        let ada = drafts[0];
        assert_eq!(ada.name, "Ada Lovelace");
        assert_eq!(ada.phone_work.as_deref(), Some("+442079460958"));
        assert_eq!(ada.roles.len(), 3);
        assert_eq!(ada.roles[2].divisions, RoleDivisions::All);
        assert_eq!(ada.queues, ["Support", "Billing"]);
        assert_eq!(ada.skills[1].proficiency, 4.5);
        assert_eq!(ada.languages[1].name, "French");
        assert_eq!(ada.groups, ["Tier 1 Agents", "Night Shift"]);
        assert_eq!(ada.employer.hire_date.as_deref(), Some("2026-07-01"));
        assert_eq!(ada.acd_auto_answer, Some(true));
        assert_eq!(ada.like.as_deref(), Some("grace.hopper@example.com"));
    }
}
