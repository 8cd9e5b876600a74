//! What a plan carries to its run: each row's create body, its cells and its password, so that
//! a run is journaled from the plan alone; and what a serialized plan leaves out.

mod support;

use rollcall_core::genesys::UserState;
use rollcall_core::plan::{plan, Plan, PlanOptions, RowAction};
use rollcall_core::run::{record_run, Journal, RowStatus, RunOrigin};
use support::{demo, demo_client, import, Scratch};

const SECRET: &str = "Pa55-Word-Never-Shown";

/// A row to create (inactive, with a title and a password) and a row with errors.
fn users() -> String {
    format!(
        "name,email,title,state,password\n\
         Ada Lovelace,ada@example.com,Analyst,inactive,{SECRET}\n\
         Bad Row,not-an-email,Clerk,,\n"
    )
}

/// The plan of [`users`] against the demo org; the import report is gone when it returns.
async fn planned() -> Plan {
    let sandbox = demo().await;
    let report = import(&users());
    plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_plan_carries_each_row_s_create_body_cells_and_password() {
    let made = planned().await;
    let ada = &made.rows[0];
    assert_eq!(ada.action, RowAction::Create);
    let body = ada.body.as_ref().expect("a row to create carries its body");
    assert_eq!(body.email, "ada@example.com");
    assert_eq!(body.title.as_deref(), Some("Analyst"));
    assert_eq!(body.state, Some(UserState::Inactive));
    assert_eq!(body.division_id, Some(made.home_division.id.clone()));
    assert!(
        body.password.is_none(),
        "the password is set in a step of its own, never in the body"
    );
    assert_eq!(made.passwords.get(&0).map(|p| p.expose()), Some(SECRET));
    assert_eq!(made.passwords.len(), 1, "only Ada's row has a password");
    assert_eq!(
        made.headers,
        ["name", "email", "title", "state", "password"]
    );
    assert_eq!(
        ada.raw,
        ["Ada Lovelace", "ada@example.com", "Analyst", "inactive", ""],
        "the cells as the file has them, the password blanked"
    );

    let bad = &made.rows[1];
    assert_eq!(bad.action, RowAction::Invalid);
    assert!(bad.body.is_none(), "a row with errors sends nothing");
    assert_eq!(
        bad.email.as_deref(),
        Some("not-an-email"),
        "named by its cells"
    );
    assert_eq!(bad.name.as_deref(), Some("Bad Row"));
}

#[tokio::test]
async fn a_serialized_plan_holds_no_password_body_or_cells() {
    let made = planned().await;
    let json = serde_json::to_string(&made).unwrap();
    assert!(!json.contains(SECRET), "the password is never serialized");
    assert!(
        !json.contains("Analyst"),
        "nor the create body or cells: {json}"
    );
    for field in ["\"body\"", "\"raw\"", "\"headers\"", "\"passwords\""] {
        assert!(
            !json.contains(field),
            "{field} is not for the window: {json}"
        );
    }
}

#[tokio::test]
async fn a_run_is_journaled_from_the_plan_alone() {
    let made = planned().await;
    let scratch = Scratch::new("plan-alone");
    let mut journal = Journal::open(&scratch.journal_path()).unwrap();
    let record = record_run(&mut journal, &made, &RunOrigin::default()).unwrap();
    assert_eq!(record.headers, made.headers);
    let rows = journal.rows(&record.id).unwrap();

    assert_eq!(rows[0].status, RowStatus::Pending);
    assert_eq!(rows[0].body, made.rows[0].body, "the body the plan made");
    assert!(rows[0].has_password);
    assert_eq!(rows[0].raw, made.rows[0].raw);

    assert_eq!(rows[1].status, RowStatus::Invalid);
    assert_eq!(rows[1].email.as_deref(), Some("not-an-email"));
    assert!(rows[1].body.is_none());
    assert!(!rows[1].has_password);
}

#[tokio::test]
async fn password_lines_are_those_of_the_rows_the_run_sends_a_password_for() {
    let sandbox = demo().await;
    // Jordan Lee is in the org already: the run sends nothing for that row.
    let csv = format!(
        "name,email,password\n\
         Ada Lovelace,ada@example.com,{SECRET}\n\
         Alan Turing,alan@example.com,\n\
         Jordan Lee,jordan.lee@example.com,{SECRET}\n\
         Bad Row,not-an-email,{SECRET}\n\
         Grace Hopper,grace@example.com,{SECRET}\n"
    );
    let mut report = import(&csv);
    // A session removed Alan's row: lines, not positions, name the rows.
    report.rows.remove(1);
    let made = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(made.rows[1].action, RowAction::Exists);
    assert_eq!(made.password_lines(), [2, 6]);
}
