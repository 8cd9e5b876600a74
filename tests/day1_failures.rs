//! Day-1 steps refused: for a missing permission (each kind failed on every row with the
//! permission's name, Genesys asked once), for something not found, and for a bad body; a
//! refused step fails on its row alone and undoes nothing.

mod support;

use rollcall_core::plan::PlanOptions;
use rollcall_core::run::{JournalRow, StepKind, StepStatus};
use rollcall_sandbox::{SandboxClient, SandboxConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use support::Scratch;

/// The step of this kind of a row: its status and error.
fn step(row: &JournalRow, kind: StepKind) -> (StepStatus, String) {
    let step = row
        .steps
        .iter()
        .find(|s| s.kind == kind)
        .unwrap_or_else(|| panic!("a {kind:?} step: {:?}", row.steps));
    (step.status, step.error.clone().unwrap_or_default())
}

#[tokio::test]
async fn a_missing_permission_fails_that_kind_on_every_row_naming_it_and_asks_once() {
    let sandbox = support::start(SandboxConfig {
        clients: vec![SandboxClient::with_permissions(
            DEMO_CLIENT_ID,
            DEMO_CLIENT_SECRET,
            &["directory:user:add", "directory:user:view"],
        )],
        ..SandboxConfig::default()
    })
    .await;
    let scratch = Scratch::new("day1-403");
    let report = support::import(
        "name,email,languages,groups,external_id\n\
         One,one@example.com,Spanish:3,Night Shift,HR:1\n\
         Two,two@example.com,French:2,Night Shift,HR:2\n\
         Three,three@example.com,German:4,Night Shift,HR:3\n",
    );
    let plan = support::plan_with(&sandbox, &report, &PlanOptions::default()).await;
    assert_eq!(plan.counts.create, 3, "{:?}", plan.rows);
    let (run_id, outcome) = support::run_plan(&sandbox, &scratch, &plan).await;
    assert_eq!(outcome.summary.progress.created, 3);
    assert_eq!(sandbox.stats().language_calls, 1, "asked once");
    for row in support::journal_rows(&scratch, &run_id) {
        let (status, error) = step(&row, StepKind::Languages);
        assert_eq!(status, StepStatus::Failed);
        assert!(error.contains("routing:language:assign"), "{error}");
        let (status, error) = step(&row, StepKind::ExternalId);
        assert_eq!(status, StepStatus::Failed);
        assert!(error.contains("directory:user:edit"), "{error}");
        assert_eq!(
            step(&row, StepKind::Group).0,
            StepStatus::Done,
            "the SDK lists no permission for group members, so none is asked"
        );
    }
}

#[tokio::test]
async fn a_group_or_language_gone_since_the_plan_fails_its_step_as_not_found() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("day1-404");
    let report = support::import(
        "name,email,languages,groups\n\
         One,one@example.com,Spanish:3,Night Shift\n\
         Two,two@example.com,French:2,Tier 1 Agents\n",
    );
    let mut plan = support::plan_with(&sandbox, &report, &PlanOptions::default()).await;
    // Deleted in Genesys Cloud between the plan and the run.
    let steps = plan.rows[0].steps.as_mut().unwrap();
    steps.day1.groups[0].id = "00000000-0000-0000-0000-00000000dead".into();
    steps.day1.languages[0].skill.id = "00000000-0000-0000-0000-00000000beef".into();
    let (run_id, outcome) = support::run_plan(&sandbox, &scratch, &plan).await;
    assert_eq!(outcome.summary.progress.created, 2);
    let rows = support::journal_rows(&scratch, &run_id);
    // A group answers 404; a language that is gone is refused as an invalid value.
    for (kind, said) in [
        (StepKind::Group, "Not found"),
        (StepKind::Languages, "does not exist"),
    ] {
        let (status, error) = step(&rows[0], kind);
        assert_eq!(status, StepStatus::Failed, "{kind:?}");
        assert!(error.contains(said), "{kind:?}: {error}");
    }
    assert_eq!(step(&rows[1], StepKind::Group).0, StepStatus::Done);
    assert_eq!(step(&rows[1], StepKind::Languages).0, StepStatus::Done);
}

#[tokio::test]
async fn a_body_genesys_refuses_fails_its_step_and_the_rest_of_the_row_goes_on() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("day1-400");
    let report = support::import(
        "name,email,languages,employee_type,groups\n\
         One,one@example.com,Spanish:3,Full-time,Night Shift\n",
    );
    let mut plan = support::plan_with(&sandbox, &report, &PlanOptions::default()).await;
    // What the import would refuse, as a newer Genesys might: the sandbox takes the stricter
    // reading of API-day1.
    let steps = plan.rows[0].steps.as_mut().unwrap();
    steps.day1.languages[0].proficiency = 9.0;
    steps.day1.employer.as_mut().unwrap().employee_type = Some("Intern".into());
    let (run_id, _) = support::run_plan(&sandbox, &scratch, &plan).await;
    let rows = support::journal_rows(&scratch, &run_id);
    let (status, error) = step(&rows[0], StepKind::Languages);
    assert_eq!(status, StepStatus::Failed);
    assert!(error.contains("proficiency from 0.0 to 5.0"), "{error}");
    let (status, error) = step(&rows[0], StepKind::Employer);
    assert_eq!(status, StepStatus::Failed);
    assert!(error.contains("employeeType Intern"), "{error}");
    assert_eq!(step(&rows[0], StepKind::Group).0, StepStatus::Done);
}
