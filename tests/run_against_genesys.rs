//! Runs against Genesys as it behaves today (API.md, "Corrected on 2026-11-30"): a stale
//! version answered 400, a phone with an extension read back without its number, a password
//! refused after the create, roles refused for a user the auth service has not seen yet, and
//! an org too big to list.

mod support;

use rollcall_core::genesys::{Contact, CreateUser};
use rollcall_core::plan::{DeletedPolicy, Lookup, PlanOptions, RowAction};
use rollcall_core::run::{Journal, RowStatus, RunStatus, StepKind, StepStatus};
use rollcall_sandbox::{Faults, SandboxConfig, Seed, Variants};
use support::{Drive, Scratch};

/// Each row's first `PATCH` is a different kind: the manager (Report), routing skills
/// (Skilled), location with extension (Placed) and a restore (Riley, deleted in the demo org).
const EVERY_PATCH: &str = "\
name,email,email_manager,skills,location_work,extension,title
Boss,boss@example.com,,,,,Director
Report,report@example.com,boss@example.com,,,,Agent
Skilled,skilled@example.com,,English:4,,,Agent
Placed,placed@example.com,,,Remote,2202,Agent
Riley Morgan,riley.morgan@example.com,,,,,Returning Agent
";

fn stale_400_once() -> SandboxConfig {
    SandboxConfig {
        faults: Faults {
            stale_version_first: 1,
            ..Faults::default()
        },
        variants: Variants {
            stale_version_status: 400,
            ..Variants::default()
        },
        ..SandboxConfig::default()
    }
}

/// The attempts of a row's step, in order: `ok` or Genesys's error code.
fn attempts(scratch: &Scratch, run_id: &str, index: usize, step: &str) -> Vec<String> {
    Journal::open(&scratch.journal_path())
        .unwrap()
        .attempts(run_id, index)
        .unwrap()
        .into_iter()
        .filter(|(s, _)| s == step)
        .map(|(_, outcome)| outcome)
        .collect()
}

#[tokio::test]
async fn a_stale_version_answered_400_is_read_again_and_retried_on_every_patch() {
    let sandbox = support::start(stale_400_once()).await;
    let scratch = Scratch::new("stale");
    let report = support::import(EVERY_PATCH);
    let options = PlanOptions {
        deleted_policy: DeletedPolicy::Restore,
        ..PlanOptions::default()
    };
    let plan = support::plan_with(&sandbox, &report, &options).await;
    let (run_id, outcome) = support::run_plan(&sandbox, &scratch, &plan).await;
    assert_eq!(
        outcome.summary.status,
        RunStatus::Finished,
        "{:?}",
        outcome.summary
    );
    assert_eq!(outcome.summary.progress.failed, 0, "{:?}", outcome.summary);
    assert_eq!(
        outcome.summary.progress.steps_failed, 0,
        "{:?}",
        outcome.summary
    );
    let rows = support::journal_rows(&scratch, &run_id);
    assert!(
        rows.iter()
            .all(|r| r.steps.iter().all(|s| s.status == StepStatus::Done)),
        "{rows:#?}"
    );
    for (index, step) in [
        (1, "manager"),
        (2, "skills"),
        (3, "location"),
        (4, "restore"),
    ] {
        let tries = attempts(&scratch, &run_id, index, step);
        assert_eq!(tries.len(), 2, "line {}'s {step}: {tries:?}", index + 2);
        assert_ne!(tries[0], "ok", "the first {step} met the stale version");
        assert_eq!(tries[1], "ok", "the {step} went through once read again");
    }
    let boss = support::user_with_email(&sandbox, "boss@example.com");
    let report_user = support::user_with_email(&sandbox, "report@example.com");
    assert_eq!(report_user.manager_id.as_deref(), Some(boss.id.as_str()));
    assert_eq!(
        support::user_with_email(&sandbox, "skilled@example.com")
            .skills
            .len(),
        1
    );
    let placed = support::user_with_email(&sandbox, "placed@example.com");
    assert_eq!(placed.location_ids.len(), 1);
    assert!(placed
        .addresses
        .iter()
        .any(|a| a.extension.as_deref() == Some("2202")));
    let riley = support::user_with_email(&sandbox, "riley.morgan@example.com");
    assert_eq!(riley.state, rollcall_core::genesys::UserState::Active);
    assert_eq!(riley.title.as_deref(), Some("Returning Agent"));
}

#[tokio::test]
async fn a_restored_users_profile_is_retried_on_a_stale_version_too() {
    // The profile is a restored user's second PATCH: the restore is done (as a crash would
    // leave it) before the sandbox starts answering stale versions.
    let sandbox = support::demo().await;
    let scratch = Scratch::new("stale-profile");
    let report = support::import(
        "name,email,title,department\nRiley Morgan,riley.morgan@example.com,Lead,Care\n",
    );
    let options = PlanOptions {
        deleted_policy: DeletedPolicy::Restore,
        ..PlanOptions::default()
    };
    let plan = support::plan_with(&sandbox, &report, &options).await;
    let run_id = support::record(&sandbox, &scratch, &plan);
    support::restored_then_crashed(&sandbox, &scratch, &run_id, 0).await;
    sandbox.set_faults(Faults {
        stale_version_first: 1,
        ..Faults::default()
    });
    let outcome = Drive::new(&sandbox).run(&scratch, &run_id).await.unwrap();
    assert_eq!(
        outcome.summary.progress.steps_failed, 0,
        "{:?}",
        outcome.summary
    );
    assert_eq!(attempts(&scratch, &run_id, 0, "profile").len(), 2);
    let riley = support::user_with_email(&sandbox, "riley.morgan@example.com");
    assert_eq!(riley.title.as_deref(), Some("Lead"));
    assert_eq!(riley.department.as_deref(), Some("Care"));
}

#[tokio::test]
async fn an_extension_added_to_an_existing_user_keeps_the_work_phone_number() {
    let sandbox = support::demo().await;
    // Someone in the org with a work phone and an extension: Genesys reads it back as
    // display + extension, without the number in `address`.
    support::demo_client(&sandbox)
        .create_user(&CreateUser {
            name: "Desk Phone".into(),
            email: "desk.phone@example.com".into(),
            addresses: vec![Contact {
                extension: Some("1000".into()),
                ..Contact::work_phone("+14155550188")
            }],
            state: Some(rollcall_core::genesys::UserState::Active),
            ..CreateUser::default()
        })
        .await
        .unwrap();
    let scratch = Scratch::new("extension");
    let report = support::import("name,email,extension\nDesk Phone,desk.phone@example.com,2000\n");
    let options = PlanOptions {
        update_existing: true,
        ..PlanOptions::default()
    };
    let plan = support::plan_with(&sandbox, &report, &options).await;
    assert_eq!(plan.rows[0].action, RowAction::Update, "{:?}", plan.rows[0]);
    let (_, outcome) = support::run_plan(&sandbox, &scratch, &plan).await;
    assert_eq!(
        outcome.summary.progress.steps_done, 1,
        "{:?}",
        outcome.summary
    );
    let user = support::user_with_email(&sandbox, "desk.phone@example.com");
    let work = user
        .addresses
        .iter()
        .find(|a| a.media_type == "PHONE" && a.kind == "WORK")
        .expect("still a work phone");
    assert_eq!(
        work.address.as_deref(),
        Some("+14155550188"),
        "the number is kept"
    );
    assert_eq!(work.extension.as_deref(), Some("2000"));

    // Run again: the extension is there (read back either way), nothing to add.
    let again = support::plan_with(&sandbox, &report, &options).await;
    assert_eq!(
        again.rows[0].action,
        RowAction::Exists,
        "{:?}",
        again.rows[0]
    );
}

#[tokio::test]
async fn a_40_row_file_plans_and_runs_against_a_12000_user_org() {
    let sandbox = support::start(SandboxConfig {
        seed: Seed::demo().with_numbered_users(12_000, "big.example.com"),
        ..SandboxConfig::default()
    })
    .await;
    let scratch = Scratch::new("big-org");
    // 25 new people, 10 who are past the 10,000th user of the listing, 5 near its start.
    let mut csv = String::from("name,email\n");
    for i in 0..25 {
        csv.push_str(&format!("New {i},new{i}@example.com\n"));
    }
    for i in (11_000..11_010).chain(5..10) {
        csv.push_str(&format!("Person {i},person{i}@big.example.com\n"));
    }
    let report = support::import(&csv);
    let plan = support::plan_with(&sandbox, &report, &PlanOptions::default()).await;
    assert_eq!(plan.counts.create, 25, "{:?}", plan.counts);
    assert_eq!(plan.counts.exists, 15, "found past the listing's reach too");
    assert_eq!(plan.lookup, Lookup::Search { searches: 1 });
    let created_before = sandbox.stats().users_created;
    let (_, outcome) = support::run_plan(&sandbox, &scratch, &plan).await;
    assert_eq!(
        outcome.summary.status,
        RunStatus::Finished,
        "{:?}",
        outcome.summary
    );
    assert_eq!(outcome.summary.progress.created, 25);
    assert_eq!(outcome.summary.progress.existed, 15);
    assert_eq!(sandbox.stats().users_created - created_before, 25);
}

#[tokio::test]
async fn a_refused_password_fails_its_step_and_the_user_stays_created() {
    let sandbox = support::start(SandboxConfig {
        faults: Faults {
            refuse_passwords: true,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let scratch = Scratch::new("password-refused");
    let report =
        support::import("name,email,password\nPat Word,pat.word@example.com,tooSimple1!\n");
    let plan = support::plan_with(&sandbox, &report, &PlanOptions::default()).await;
    let (run_id, outcome) = support::run_plan(&sandbox, &scratch, &plan).await;
    assert_eq!(outcome.summary.progress.created, 1, "{:?}", outcome.summary);
    assert_eq!(outcome.summary.progress.steps_failed, 1);
    let row = &support::journal_rows(&scratch, &run_id)[0];
    assert_eq!(row.status, RowStatus::Created);
    let step = row
        .steps
        .iter()
        .find(|s| s.kind == StepKind::Password)
        .unwrap();
    assert_eq!(step.status, StepStatus::Failed);
    let error = step.error.as_deref().unwrap_or("");
    assert!(
        error.contains("password requirements"),
        "Genesys's message: {error}"
    );
    assert!(
        !error.contains("tooSimple1!"),
        "never the password itself: {error}"
    );
    let user = support::user_with_email(&sandbox, "pat.word@example.com");
    assert!(!user.password_set);
}

#[tokio::test]
async fn a_password_is_set_by_its_own_call_after_the_create_and_before_the_invitation() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("password-set");
    let report = support::import(
        "name,email,password\nPat Word,pat.word@example.com,Correct-Horse-9-Battery\n",
    );
    let options = PlanOptions {
        invite: true,
        ..PlanOptions::default()
    };
    let plan = support::plan_with(&sandbox, &report, &options).await;
    let drive = Drive {
        invite: true,
        passwords: rollcall_core::run::passwords(&report),
        ..Drive::new(&sandbox)
    };
    let run_id = support::record(&sandbox, &scratch, &plan);
    let outcome = drive.run(&scratch, &run_id).await.unwrap();
    assert_eq!(
        outcome.summary.progress.steps_done, 1,
        "{:?}",
        outcome.summary
    );
    let user = support::user_with_email(&sandbox, "pat.word@example.com");
    assert!(user.password_set, "set by its own call");
    assert_eq!(sandbox.stats().password_sets, 1);
    assert_eq!(user.invitations, 1);
    let steps: Vec<String> = Journal::open(&scratch.journal_path())
        .unwrap()
        .attempts(&run_id, 0)
        .unwrap()
        .into_iter()
        .map(|(step, _)| step)
        .collect();
    assert_eq!(
        steps,
        ["create", "password", "invite"],
        "the password before the invitation"
    );
}

#[tokio::test]
async fn roles_answered_404_for_a_fresh_user_are_tried_again() {
    let sandbox = support::start(SandboxConfig {
        faults: Faults {
            bulkadd_not_found_first: 2,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let scratch = Scratch::new("bulkadd-lag");
    let report =
        support::import("name,email,roles_divisions\nNew Agent,new.agent@example.com,Agent\n");
    let plan = support::plan_with(&sandbox, &report, &PlanOptions::default()).await;
    let (run_id, outcome) = support::run_plan(&sandbox, &scratch, &plan).await;
    assert_eq!(
        outcome.summary.progress.steps_done, 1,
        "{:?}",
        outcome.summary
    );
    assert_eq!(sandbox.stats().grant_calls, 3, "two 404s, then the grant");
    assert_eq!(
        attempts(&scratch, &run_id, 0, "roles"),
        ["not.found", "not.found", "ok"]
    );
    let user = support::user_with_email(&sandbox, "new.agent@example.com");
    assert_eq!(user.grants.len(), 1);
}

#[tokio::test]
async fn a_manager_rides_in_the_one_patch_with_the_location_and_employer_info() {
    // Report's manager is created in the same run: the row waits for Boss's create, then
    // makes one PATCH with the manager, the location and the employer info.
    let sandbox = support::demo().await;
    let scratch = Scratch::new("manager-in-patch");
    let report = support::import(
        "name,email,email_manager,location_work,employee_id\n\
         Report,report@example.com,boss@example.com,Remote,E1\n\
         Boss,boss@example.com,,,\n",
    );
    let plan = support::plan_with(&sandbox, &report, &PlanOptions::default()).await;
    let (run_id, outcome) = support::run_plan(&sandbox, &scratch, &plan).await;
    assert_eq!(
        outcome.summary.progress.steps_failed, 0,
        "{:?}",
        outcome.summary
    );
    let rows = support::journal_rows(&scratch, &run_id);
    assert_eq!(rows[0].manager_step, StepStatus::Done, "{rows:#?}");
    assert!(
        rows[0].steps.iter().all(|s| s.status == StepStatus::Done),
        "{rows:#?}"
    );
    assert!(attempts(&scratch, &run_id, 0, "manager").is_empty());
    assert_eq!(attempts(&scratch, &run_id, 0, "location"), ["ok"]);
    assert_eq!(sandbox.stats().user_patches, 1, "one PATCH for the row");

    let boss = support::user_with_email(&sandbox, "boss@example.com");
    let report_user = support::user_with_email(&sandbox, "report@example.com");
    assert_eq!(report_user.manager_id.as_deref(), Some(boss.id.as_str()));
    assert_eq!(report_user.location_ids.len(), 1);
    let employer = report_user
        .day_one
        .employer_info
        .as_ref()
        .expect("employer info");
    assert_eq!(employer.employee_id.as_deref(), Some("E1"));
}
