//! *Invite later* against the sandbox org: a past run's created users who were not invited get
//! Genesys's invitation once, never twice — not on a second try, not after an invitation sent
//! at run time, and not after a crash between the send and its record.

mod support;

use rollcall_core::plan::PlanOptions;
use rollcall_core::run::journal::RowUpdate;
use rollcall_core::run::{Invitations, Journal, StepStatus};
use support::{Drive, Scratch};

const USERS: &str = "\
name,email,roles_divisions
Ada Agent,ada.agent@example.com,Agent
Ben Agent,ben.agent@example.com,Agent
Cy Agent,cy.agent@example.com,Agent
";

const EMAILS: [&str; 3] = [
    "ada.agent@example.com",
    "ben.agent@example.com",
    "cy.agent@example.com",
];

fn invitations(scratch: &Scratch, run_id: &str) -> Invitations {
    let journal = Journal::open(&scratch.journal_path()).unwrap();
    Invitations::of(journal, scratch.locks(), run_id).expect("the run is in the journal")
}

fn sent_to(sandbox: &rollcall_sandbox::Sandbox) -> Vec<u32> {
    EMAILS
        .iter()
        .map(|email| support::user_with_email(sandbox, email).invitations)
        .collect()
}

/// A run of [`USERS`] that invited nobody.
async fn run_without_invitations(sandbox: &rollcall_sandbox::Sandbox, scratch: &Scratch) -> String {
    let plan = support::plan_with(sandbox, &support::import(USERS), &PlanOptions::default()).await;
    let (run_id, _) = support::run_plan(sandbox, scratch, &plan).await;
    run_id
}

#[tokio::test]
async fn a_past_runs_created_users_are_invited_once_and_a_second_try_sends_nothing() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("invite-later");
    let run_id = run_without_invitations(&sandbox, &scratch).await;
    assert_eq!(sent_to(&sandbox), [0, 0, 0], "the run invited nobody");

    let later = invitations(&scratch, &run_id);
    assert_eq!(later.count(), 3);
    let summary = later
        .send(&support::demo_client(&sandbox))
        .await
        .expect("the invitations go out");
    assert_eq!((summary.sent, summary.in_doubt), (3, 0), "{summary:?}");
    assert!(summary.failed.is_empty() && summary.stopped.is_none());
    assert_eq!(sent_to(&sandbox), [1, 1, 1]);
    assert!(support::journal_rows(&scratch, &run_id)
        .iter()
        .all(|row| row.invite_step == StepStatus::Done));

    let again = invitations(&scratch, &run_id);
    assert_eq!(again.count(), 0, "everybody is invited");
    let summary = again.send(&support::demo_client(&sandbox)).await.unwrap();
    assert_eq!(summary.sent, 0);
    assert_eq!(sent_to(&sandbox), [1, 1, 1], "nobody is invited twice");
}

#[tokio::test]
async fn users_the_run_invited_itself_are_not_invited_again() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("invite-later-run-invited");
    let options = PlanOptions {
        invite: true,
        ..PlanOptions::default()
    };
    let plan = support::plan_with(&sandbox, &support::import(USERS), &options).await;
    let run_id = support::record(&sandbox, &scratch, &plan);
    Drive {
        invite: true,
        ..Drive::new(&sandbox)
    }
    .run(&scratch, &run_id)
    .await
    .expect("the run completes");
    assert_eq!(sent_to(&sandbox), [1, 1, 1]);

    let later = invitations(&scratch, &run_id);
    assert_eq!(later.count(), 0);
    let summary = later.send(&support::demo_client(&sandbox)).await.unwrap();
    assert_eq!(summary.sent, 0);
    assert_eq!(sent_to(&sandbox), [1, 1, 1]);
}

#[tokio::test]
async fn a_crash_between_the_send_and_its_record_leaves_the_invitation_in_doubt_never_resent() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("invite-later-crash");
    let run_id = run_without_invitations(&sandbox, &scratch).await;
    // What a crash right after Ada's invitation went out leaves: its intent committed, the
    // invitation sent, its answer never recorded.
    let ada = support::journal_rows(&scratch, &run_id)
        .into_iter()
        .find(|row| row.email.as_deref() == Some(EMAILS[0]))
        .unwrap();
    let mut journal = Journal::open(&scratch.journal_path()).unwrap();
    let intent = RowUpdate::Invite {
        index: ada.index,
        step: StepStatus::Sending,
        note: None,
    };
    journal.apply(&run_id, &[intent]).unwrap();
    let client = support::demo_client(&sandbox);
    client
        .invite_user(ada.user_id.as_deref().unwrap())
        .await
        .expect("Ada's invitation went out");
    drop(journal);

    let later = invitations(&scratch, &run_id);
    assert_eq!(later.count(), 2, "Ada's invitation may have gone out");
    let summary = later.send(&client).await.unwrap();
    assert_eq!((summary.sent, summary.in_doubt), (2, 1), "{summary:?}");
    assert_eq!(sent_to(&sandbox), [1, 1, 1], "Ada is not invited twice");
    let rows = support::journal_rows(&scratch, &run_id);
    let ada = rows.iter().find(|row| row.index == ada.index).unwrap();
    assert_eq!(ada.invite_step, StepStatus::Unknown);
    assert!(
        ada.note
            .as_deref()
            .is_some_and(|note| note.contains("may have been sent")),
        "{:?}",
        ada.note
    );

    // A third try sends nothing either: the one in doubt stays for the admin to check.
    let summary = invitations(&scratch, &run_id).send(&client).await.unwrap();
    assert_eq!((summary.sent, summary.in_doubt), (0, 0), "{summary:?}");
    assert_eq!(sent_to(&sandbox), [1, 1, 1]);
}

#[tokio::test]
async fn a_run_being_driven_elsewhere_is_not_invited_alongside() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("invite-later-busy");
    let run_id = run_without_invitations(&sandbox, &scratch).await;
    let journal = Journal::open(&scratch.journal_path()).unwrap();
    let _held = rollcall_core::run::RunLock::acquire(&scratch.locks(), &run_id, &journal)
        .expect("this test holds the run");
    let refused = invitations(&scratch, &run_id)
        .send(&support::demo_client(&sandbox))
        .await
        .expect_err("another holder of the run's lock");
    assert!(refused.to_string().contains(&run_id), "{refused}");
    assert_eq!(sent_to(&sandbox), [0, 0, 0]);
}
