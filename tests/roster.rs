//! Export users against the sandbox org: an org made by a run (roles in divisions, queues,
//! skills, languages, groups, managers, extensions, locations, employer info, auto-answer)
//! exported and imported again with "Update existing users" gives a plan of zero steps and a
//! run of zero write calls, as the sandbox counts them; the file is the owner's alone, as CSV
//! or XLSX; the calls are counted; and an org past the listing's 10,000 users is read by
//! cursor, or refused with the reason.

mod support;

use rollcall_core::genesys::UserState;
use rollcall_core::import::{import_path, ImportOptions};
use rollcall_core::plan::{PlanOptions, RowAction};
use rollcall_core::roster::{export_users, RosterError, RosterEvent, RosterFormat, RosterOptions};
use rollcall_sandbox::{Sandbox, SandboxClient, SandboxConfig, Seed, SeedUser};
use support::{Scratch, TEST_RATE};

const ORG: &str = "\
name,email,phone_work,extension,title,department,email_manager,location_work,roles_divisions,queues,division,skills,state,languages,groups,employee_id,employee_type,hire_date,official_name,acd_auto_answer
Mia Manager,mia.manager@example.com,+13175550100,2101,Team Lead,Care,,Indianapolis HQ,\"Supervisor:Sales,Support|Employee\",\"Support,Escalations\",Support,\"Billing:4,Technical:2.5\",active,English:5,Supervisors,E3001,Full-time,2024-01-15,Mia M. Manager,no
Ada Agent,ada.agent@example.com,+13175550101,2102,Agent,Care,mia.manager@example.com,London Office,Agent:Sales|Admin:*,Sales,Sales,Spanish:3,active,\"Spanish:4,French:2.5\",\"Tier 1 Agents,Night Shift\",E3002,Part-time,2025-03-14,,yes
Eli Extension,eli.ext@example.com,,2103,,,mia.manager@example.com,Remote,Agent:Support,Billing,Finance,,active,,,,,,,
Ivy Inactive,ivy.inactive@example.com,+442079460958,,Analyst,Finance,,,Quality Evaluator:Finance,Billing,Finance,English:1,inactive,German:3,,,Contractor,,,
";

/// Build the org with a run of [`ORG`], as an admin would.
async fn org_made_by_a_run(sandbox: &Sandbox, scratch: &Scratch) {
    let report = support::import(ORG);
    assert_eq!(report.error_count(), 0, "{:?}", report.issues);
    let plan = support::plan_with(sandbox, &report, &PlanOptions::default()).await;
    assert_eq!(plan.counts.create, 4, "{:?}", plan.rows);
    let (_, outcome) = support::run_plan(sandbox, scratch, &plan).await;
    assert!(outcome.summary.all_ok(), "{:?}", outcome.summary);
}

#[tokio::test]
async fn reimporting_an_unedited_export_plans_zero_steps_and_writes_nothing() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("roster-noop");
    org_made_by_a_run(&sandbox, &scratch).await;

    let path = scratch.path().join("users.csv");
    let before = sandbox.stats();
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let summary = export_users(
        &support::demo_client(&sandbox),
        &path,
        RosterFormat::Csv,
        &RosterOptions::default(),
        Some(&sender),
    )
    .await
    .expect("the export is written");
    drop(sender);
    let after_export = sandbox.stats();
    let live = sandbox
        .users()
        .iter()
        .filter(|u| u.state != UserState::Deleted)
        .count();
    assert_eq!(summary.users, live, "every active and inactive user");
    assert_eq!(
        u64::from(summary.calls),
        after_export.requests - before.requests,
        "the export counts its calls as the sandbox does"
    );
    assert_eq!(after_export.write_calls(), before.write_calls());
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    let mut received = Vec::new();
    while let Ok(event) = events.try_recv() {
        received.push(event);
    }
    assert_eq!(received.first(), Some(&RosterEvent::Started));
    assert!(
        matches!(received.get(1), Some(RosterEvent::Users { pages: 1, .. })),
        "{received:?}"
    );
    assert_eq!(
        received.last(),
        Some(&RosterEvent::Written {
            done: live,
            total: live
        })
    );

    let report = import_path(&path, &ImportOptions::default()).expect("the export imports");
    assert!(report.issues.is_empty(), "{:?}", report.issues);
    assert_eq!(report.rows.len(), live);
    let ada = report
        .valid_drafts()
        .find(|d| d.email == "ada.agent@example.com")
        .expect("Ada is exported");
    assert_eq!(
        ada.manager_email.as_deref(),
        Some("mia.manager@example.com")
    );
    assert_eq!(ada.groups, ["Night Shift", "Tier 1 Agents"]);
    let mia = report
        .valid_drafts()
        .find(|d| d.email == "mia.manager@example.com")
        .expect("Mia is exported");
    let roles: Vec<&str> = mia.roles.iter().map(|g| g.role.as_str()).collect();
    assert_eq!(
        roles,
        ["Employee", "Supervisor"],
        "with every role the run gave"
    );
    assert_eq!(mia.queues, ["Escalations", "Support"]);
    assert_eq!(mia.skills.len(), 2);
    assert_eq!(mia.languages[0].name, "English");
    assert_eq!(mia.extension.as_deref(), Some("2101"));
    assert_eq!(mia.phone_work.as_deref(), Some("+13175550100"));
    assert_eq!(mia.location.as_deref(), Some("Indianapolis HQ"));
    assert_eq!(mia.employer.employee_id.as_deref(), Some("E3001"));
    assert_eq!(mia.acd_auto_answer, Some(false));

    let options = PlanOptions {
        update_existing: true,
        ..PlanOptions::default()
    };
    let plan = support::plan_with(&sandbox, &report, &options).await;
    let changing: Vec<_> = plan
        .rows
        .iter()
        .filter(|r| r.action != RowAction::Exists || r.steps.is_some())
        .collect();
    assert!(changing.is_empty(), "nothing to do: {changing:?}");
    assert_eq!(plan.counts.exists, live);
    assert_eq!(plan.steps.calls, 0, "{:?}", plan.steps);

    let before_run = sandbox.stats();
    let (_, outcome) = support::run_plan(&sandbox, &Scratch::new("roster-noop-run"), &plan).await;
    assert!(outcome.summary.all_ok(), "{:?}", outcome.summary);
    assert_eq!(
        sandbox.stats().write_calls(),
        before_run.write_calls(),
        "the run of an unedited export writes nothing"
    );

    // The same file with one level raised plans exactly that change.
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches("Billing:4").count(), 1, "{text}");
    let edited = scratch.path().join("edited.csv");
    std::fs::write(&edited, text.replace("Billing:4", "Billing:5")).unwrap();
    let report = import_path(&edited, &ImportOptions::default()).unwrap();
    let plan = support::plan_with(&sandbox, &report, &options).await;
    let updates: Vec<_> = plan
        .rows
        .iter()
        .filter(|r| r.action == RowAction::Update)
        .collect();
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(updates[0].email.as_deref(), Some("mia.manager@example.com"));
    assert_eq!(plan.steps.skills, 1, "{:?}", plan.steps);
}

#[cfg(unix)]
#[tokio::test]
async fn the_export_is_readable_by_its_owner_only_in_either_format() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = support::demo().await;
    let scratch = Scratch::new("roster-private");
    org_made_by_a_run(&sandbox, &scratch).await;
    let client = support::demo_client(&sandbox);
    let mut drafts = Vec::new();
    for format in [RosterFormat::Csv, RosterFormat::Xlsx] {
        let path = scratch.path().join(format!("users.{}", format.extension()));
        let summary = export_users(&client, &path, format, &RosterOptions::default(), None)
            .await
            .expect("the export is written");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{format:?} is the owner's alone");
        assert_eq!(summary.bytes, std::fs::metadata(&path).unwrap().len());
        let report = import_path(&path, &ImportOptions::default()).unwrap();
        assert!(report.issues.is_empty(), "{format:?}: {:?}", report.issues);
        drafts.push(report.valid_drafts().cloned().collect::<Vec<_>>());
    }
    assert_eq!(drafts[0], drafts[1], "CSV and XLSX hold the same users");
}

#[tokio::test]
async fn external_ids_are_exported_when_asked_and_import_again_as_no_step() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("roster-external-ids");
    let client = support::demo_client(&sandbox);
    let path = scratch.path().join("users.csv");
    let without = export_users(
        &client,
        &path,
        RosterFormat::Csv,
        &RosterOptions::default(),
        None,
    )
    .await
    .unwrap();
    let options = RosterOptions { external_ids: true };
    let with = export_users(&client, &path, RosterFormat::Csv, &options, None)
        .await
        .unwrap();
    assert_eq!(with.calls, without.calls + with.users as u32);
    let report = import_path(&path, &ImportOptions::default()).unwrap();
    let jordan = report
        .valid_drafts()
        .find(|d| d.email == "jordan.lee@example.com")
        .unwrap();
    let id = jordan.external_id.as_ref().expect("Jordan's HR id");
    assert_eq!(
        (id.authority.as_str(), id.key.as_str()),
        ("Workday", "E1001")
    );

    // Imported again with "Update existing users", an id the user has is no step: the plan
    // reads the user's ids (one call for each row that names one) and sends none.
    let options = PlanOptions {
        update_existing: true,
        ..PlanOptions::default()
    };
    let plan = support::plan_with(&sandbox, &report, &options).await;
    let jordan = plan
        .rows
        .iter()
        .find(|r| r.email.as_deref() == Some("jordan.lee@example.com"))
        .unwrap();
    assert_eq!(jordan.action, RowAction::Exists, "{jordan:?}");
    assert!(jordan.steps.is_none(), "{jordan:?}");
    assert_eq!(plan.steps.calls, 0, "{:?}", plan.steps);

    // Another key for the same authority is a step.
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = scratch.path().join("changed.csv");
    std::fs::write(&changed, text.replace("Workday:E1001", "Workday:E1002")).unwrap();
    let report = import_path(&changed, &ImportOptions::default()).unwrap();
    let plan = support::plan_with(&sandbox, &report, &options).await;
    let updates: Vec<_> = plan
        .rows
        .iter()
        .filter(|r| r.action == RowAction::Update)
        .collect();
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(updates[0].email.as_deref(), Some("jordan.lee@example.com"));
}

/// An org of `count` active users and nothing else, and a client that may not list users by
/// cursor.
fn crowded(count: usize) -> SandboxConfig {
    let mut config = SandboxConfig {
        seed: Seed {
            users: (0..count)
                .map(|i| SeedUser {
                    name: format!("User {i}"),
                    email: format!("user{i}@example.com"),
                    state: UserState::Active,
                    division: None,
                })
                .collect(),
            ..Seed::demo()
        },
        ..SandboxConfig::default()
    };
    config.clients.push(SandboxClient::with_permissions(
        "no-cursor",
        "no-cursor-secret",
        &["authorization:role:view", "routing:queue:view"],
    ));
    config.rate_limit.requests = TEST_RATE;
    config
}

#[tokio::test]
async fn past_ten_thousand_users_the_org_is_read_by_cursor_or_refused_with_the_reason() {
    let sandbox = support::start(crowded(10_050)).await;
    let scratch = Scratch::new("roster-crowded");
    let path = scratch.path().join("users.csv");
    let summary = export_users(
        &support::demo_client(&sandbox),
        &path,
        RosterFormat::Csv,
        &RosterOptions::default(),
        None,
    )
    .await
    .expect("the cursor listing reaches every user");
    assert_eq!(summary.users, 10_050);
    let report = import_path(&path, &ImportOptions::default()).unwrap();
    assert_eq!(report.valid_drafts().count(), 10_050);

    let refused_path = scratch.path().join("refused.csv");
    let client = support::client_for(&sandbox, "no-cursor", "no-cursor-secret");
    let error = export_users(
        &client,
        &refused_path,
        RosterFormat::Csv,
        &RosterOptions::default(),
        None,
    )
    .await
    .expect_err("without the cursor listing the export is refused");
    assert!(
        matches!(error, RosterError::TooManyUsers { total: 10_050, .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("10,000") && message.contains("directory:user:view"),
        "says why: {message}"
    );
    assert!(!refused_path.exists(), "nothing is written");
}
