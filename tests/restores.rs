//! A restored user ends as if created from its row: Genesys restores a deleted user into Home
//! with nothing else changed, so the run moves it to the row's division and applies the row's
//! profile and every step a create would get — each journaled, a resume going on at the step.

mod support;

use rollcall_core::plan::{DeletedPolicy, PlanOptions, RowAction};
use rollcall_core::run::{export, Journal, RowStatus, RunStatus, StepKind, StepStatus};
use rollcall_sandbox::{Sandbox, SandboxUser};
use support::{Drive, Scratch};

/// Riley Morgan is a deleted user of the demo org; the row brings them back in Sales, with a
/// new name, title, department, work phone, manager, role, queue, skill, location and
/// extension.
const RILEY: &str = "\
name,email,division,title,department,phone_work,email_manager,roles_divisions,queues,skills,location_work,extension
Riley Morgan-Lee,riley.morgan@example.com,Sales,Team Lead,Sales Ops,+14155550123,avery.admin@example.com,Agent:Sales,Sales,English:4,Remote,2301
";

fn restore() -> PlanOptions {
    PlanOptions {
        deleted_policy: DeletedPolicy::Restore,
        ..PlanOptions::default()
    }
}

fn named<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>, name: &str) -> String {
    items
        .into_iter()
        .find(|(_, n)| *n == name)
        .map(|(id, _)| id.to_owned())
        .unwrap_or_else(|| panic!("{name} is in the demo org"))
}

/// Riley, as the row says they should be: in Sales, with every field and step of the row.
fn assert_as_if_created(sandbox: &Sandbox, riley: &SandboxUser) {
    let divisions = sandbox.divisions();
    let sales = named(
        divisions.iter().map(|d| (d.id.as_str(), d.name.as_str())),
        "Sales",
    );
    assert_eq!(riley.state, rollcall_core::genesys::UserState::Active);
    assert_eq!(
        riley.division_id, sales,
        "moved out of Home to the row's division"
    );
    assert_eq!(riley.name, "Riley Morgan-Lee");
    assert_eq!(riley.title.as_deref(), Some("Team Lead"));
    assert_eq!(riley.department.as_deref(), Some("Sales Ops"));
    let work = riley
        .addresses
        .iter()
        .find(|a| a.media_type == "PHONE" && a.kind == "WORK")
        .expect("a work phone");
    assert_eq!(work.address.as_deref(), Some("+14155550123"));
    assert_eq!(work.extension.as_deref(), Some("2301"));
    let avery = support::user_with_email(sandbox, "avery.admin@example.com");
    assert_eq!(riley.manager_id.as_deref(), Some(avery.id.as_str()));
    let roles = sandbox.roles();
    let agent = named(
        roles.iter().map(|r| (r.id.as_str(), r.name.as_str())),
        "Agent",
    );
    let grants: Vec<(String, String)> = riley
        .grants
        .iter()
        .map(|g| (g.role_id.clone(), g.division_id.clone()))
        .collect();
    assert_eq!(grants, [(agent, sales)]);
    assert_eq!(riley.skills.len(), 1);
    assert_eq!(riley.skills[0].proficiency, 4.0);
    let locations = sandbox.locations();
    let remote = named(
        locations.iter().map(|l| (l.id.as_str(), l.name.as_str())),
        "Remote",
    );
    assert_eq!(riley.location_ids, [remote]);
    let queues = sandbox.queues();
    let sales_queue = queues.iter().find(|q| q.name == "Sales").unwrap();
    assert_eq!(sales_queue.member_ids, [riley.id.as_str()]);
}

#[tokio::test]
async fn a_restored_user_lands_in_the_rows_division_with_the_rows_fields_and_steps() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("restore");
    let report = support::import(RILEY);
    let plan = support::plan_with(&sandbox, &report, &restore()).await;
    assert_eq!(
        plan.rows[0].action,
        RowAction::Restore,
        "{:?}",
        plan.rows[0]
    );

    let (run_id, outcome) = support::run_plan(&sandbox, &scratch, &plan).await;
    assert_eq!(
        outcome.summary.status,
        RunStatus::Finished,
        "{:?}",
        outcome.summary
    );
    assert_eq!(outcome.summary.progress.restored, 1);
    assert_eq!(
        outcome.summary.progress.steps_failed, 0,
        "{:?}",
        outcome.summary
    );
    let row = &support::journal_rows(&scratch, &run_id)[0];
    assert_eq!(row.status, RowStatus::Restored);
    for kind in [
        StepKind::Division,
        StepKind::Profile,
        StepKind::Roles,
        StepKind::Skills,
        StepKind::Queue,
        StepKind::Location,
        StepKind::Extension,
    ] {
        let step = row.steps.iter().find(|s| s.kind == kind);
        assert_eq!(
            step.map(|s| s.status),
            Some(StepStatus::Done),
            "{kind:?}: {:?}",
            row.steps
        );
    }
    let riley = support::user_with_email(&sandbox, "riley.morgan@example.com");
    assert_as_if_created(&sandbox, &riley);

    // The results show the move and the profile in their own columns.
    let journal = Journal::open(&scratch.journal_path()).unwrap();
    let mut csv = Vec::new();
    export::write_results(
        &journal.run(&run_id).unwrap(),
        &journal.rows(&run_id).unwrap(),
        &mut csv,
    )
    .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.contains("Division result") && header.contains("Profile result"),
        "{header}"
    );
    assert!(csv.contains("done: Sales"), "{csv}");
}

#[tokio::test]
async fn a_crash_between_the_restore_and_the_move_resumes_at_the_move() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("restore-crash");
    let report = support::import(RILEY);
    let plan = support::plan_with(&sandbox, &report, &restore()).await;
    let run_id = support::record(&sandbox, &scratch, &plan);
    support::restored_then_crashed(&sandbox, &scratch, &run_id, 0).await;
    let home = sandbox.divisions().into_iter().find(|d| d.home).unwrap();
    let riley = support::user_with_email(&sandbox, "riley.morgan@example.com");
    assert_eq!(riley.division_id, home.id, "Genesys restores into Home");
    let pending: Vec<StepKind> = support::journal_rows(&scratch, &run_id)[0]
        .steps
        .iter()
        .filter(|s| s.status == StepStatus::Pending)
        .map(|s| s.kind)
        .collect();
    assert!(pending.contains(&StepKind::Division), "{pending:?}");
    let patches_before = sandbox.stats().user_patches;

    let outcome = Drive::new(&sandbox)
        .run(&scratch, &run_id)
        .await
        .expect("the run resumes");
    assert_eq!(
        outcome.summary.status,
        RunStatus::Finished,
        "{:?}",
        outcome.summary
    );
    let riley = support::user_with_email(&sandbox, "riley.morgan@example.com");
    assert_as_if_created(&sandbox, &riley);
    assert_eq!(sandbox.stats().division_moves, 1, "moved once");
    let journal = Journal::open(&scratch.journal_path()).unwrap();
    let restores = journal
        .attempts(&run_id, 0)
        .unwrap()
        .into_iter()
        .filter(|(step, _)| step == "restore")
        .count();
    assert_eq!(restores, 0, "the restore is not sent again");
    assert_eq!(
        sandbox.stats().user_patches - patches_before,
        2,
        "the resume sends the profile and the location with the extension, nothing more"
    );
}

#[tokio::test]
async fn a_journal_from_before_these_steps_gets_them_for_rows_not_sent_yet() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("restore-old-journal");
    let file = RILEY
        .replace("extension\n", "extension,password\n")
        .replace("2301\n", "2301,Correct-Horse-9-Battery\n");
    let report = support::import(&file);
    let plan = support::plan_with(&sandbox, &report, &restore()).await;
    let run_id = support::record(&sandbox, &scratch, &plan);
    // What the previous release journaled for this row: no division, profile or password
    // step, the manager as a follow-up of its own, and no journal version.
    {
        let old = rusqlite::Connection::open(scratch.journal_path()).unwrap();
        old.execute_batch(
            "DELETE FROM steps WHERE kind IN ('division', 'profile', 'password');
             UPDATE rows SET manager_step = 'pending';
             PRAGMA user_version = 0;",
        )
        .unwrap();
    }

    let drive = Drive {
        passwords: rollcall_core::run::passwords(&report),
        ..Drive::new(&sandbox)
    };
    let outcome = drive.run(&scratch, &run_id).await.expect("the run goes on");
    assert_eq!(
        outcome.summary.status,
        RunStatus::Finished,
        "{:?}",
        outcome.summary
    );
    let row = &support::journal_rows(&scratch, &run_id)[0];
    for kind in [StepKind::Division, StepKind::Profile, StepKind::Password] {
        let step = row.steps.iter().find(|s| s.kind == kind);
        assert_eq!(
            step.map(|s| s.status),
            Some(StepStatus::Done),
            "{kind:?}: {:?}",
            row.steps
        );
    }
    let riley = support::user_with_email(&sandbox, "riley.morgan@example.com");
    assert_as_if_created(&sandbox, &riley);
    assert!(riley.password_set, "the file's password is set");
}
