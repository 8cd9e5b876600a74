//! The plan's "did you mean" as data: every name a row gives that the org does not have comes
//! with its field and the org's closest names, beside the problem's message, so that the window
//! can offer one replacement for all the rows that name it.

mod support;

use rollcall_core::import::Field;
use rollcall_core::plan::{NameSuggestion, Plan, PlanOptions, RowAction};
use support::{demo, import, plan_with};

/// Rows naming a misspelt division, role, role division, queue, skill and location, and
/// managers misspelt after a row of the file and after a user of the org.
const MISSPELT: &str = "\
name,email,division,roles_divisions,queues,skills,location_work,email_manager
Ada Lovelace,ada@example.com,Suport,,,,,
Alan Turing,alan@example.com,,Agnet:Slaes,\"Sales,Suport\",Englsh:3,London Ofice,
Grace Hopper,grace@example.com,,,,,,ada@exmaple.com
Edsger Dijkstra,edsger@example.com,,,,,,jordan.lee@example.com
Barbara Liskov,barbara@example.com,,,,,,jordan.le@example.com
";

async fn planned() -> Plan {
    let sandbox = demo().await;
    plan_with(&sandbox, &import(MISSPELT), &PlanOptions::default()).await
}

fn suggestion(field: Field, name: &str, closest: &[&str]) -> NameSuggestion {
    NameSuggestion {
        field,
        name: name.to_owned(),
        suggestions: closest.iter().map(|s| s.to_string()).collect(),
    }
}

#[tokio::test]
async fn every_unknown_name_comes_with_its_field_and_the_org_s_closest_names() {
    let plan = planned().await;
    let by_line = |line: usize| {
        plan.rows
            .iter()
            .find(|row| row.line == line)
            .unwrap_or_else(|| panic!("a row on line {line}"))
    };

    let ada = by_line(2);
    assert_eq!(ada.action, RowAction::Invalid);
    assert_eq!(
        ada.suggestions,
        [suggestion(Field::Division, "Suport", &["Support"])]
    );
    assert_eq!(
        ada.problems,
        ["line 2: the division \"Suport\" does not exist in this org. Did you mean \"Support\"?"],
        "the message is as it was"
    );

    let alan = by_line(3);
    assert_eq!(alan.action, RowAction::Invalid);
    assert_eq!(
        alan.suggestions,
        [
            suggestion(Field::RolesDivisions, "Agnet", &["Agent"]),
            suggestion(Field::Skills, "Englsh", &["English"]),
            suggestion(Field::Queues, "Suport", &["Support"]),
            suggestion(Field::LocationWork, "London Ofice", &["London Office"]),
        ]
    );
    assert!(
        alan.problems[0].contains("The role \"Agnet\" is not in this org. Did you mean \"Agent\"?"),
        "{:?}",
        alan.problems
    );
}

#[tokio::test]
async fn a_role_s_unknown_division_is_suggested_within_roles_divisions() {
    let sandbox = demo().await;
    let report = import("name,email,roles_divisions\nAlan Turing,alan@example.com,Agent:Slaes\n");
    let plan = plan_with(&sandbox, &report, &PlanOptions::default()).await;
    assert_eq!(
        plan.rows[0].suggestions,
        [suggestion(Field::RolesDivisions, "Slaes", &["Sales"])]
    );
}

#[tokio::test]
async fn an_unknown_manager_is_suggested_the_closest_e_mails_of_the_file_and_the_org() {
    let plan = planned().await;
    let grace = plan.rows.iter().find(|row| row.line == 4).unwrap();
    assert_eq!(grace.action, RowAction::Invalid);
    assert_eq!(
        grace.suggestions[0].field,
        Field::EmailManager,
        "{:?}",
        grace.suggestions
    );
    assert_eq!(grace.suggestions[0].name, "ada@exmaple.com");
    assert_eq!(
        grace.suggestions[0].suggestions.first().map(String::as_str),
        Some("ada@example.com"),
        "a row of the file, closest first"
    );

    let edsger = plan.rows.iter().find(|row| row.line == 5).unwrap();
    assert!(
        edsger.suggestions.is_empty(),
        "a manager the org has: {:?}",
        edsger.suggestions
    );
    let barbara = plan.rows.iter().find(|row| row.line == 6).unwrap();
    assert_eq!(
        barbara.suggestions[0]
            .suggestions
            .first()
            .map(String::as_str),
        Some("jordan.lee@example.com"),
        "a user of the org the plan read already"
    );
    assert!(
        barbara.problems[0].contains("neither in the org nor in this file"),
        "{:?}",
        barbara.problems
    );
}

#[tokio::test]
async fn suggestions_reach_the_window_keyed_by_the_field_s_column_name() {
    let plan = planned().await;
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(
        json["rows"][0]["suggestions"],
        serde_json::json!([{"field": "division", "name": "Suport", "suggestions": ["Support"]}])
    );
    assert_eq!(
        json["rows"][1]["suggestions"][0]["field"], "roles_divisions",
        "{}",
        json["rows"][1]
    );
    assert_eq!(json["rows"][2]["suggestions"][0]["field"], "email_manager");
}
