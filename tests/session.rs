//! The run session the CLI and the app share: a new run journaled from a plan, and an
//! unfinished one picked from the journal, checked and made ready to drive again.

mod support;

use rollcall_core::import::{file_digest, ImportReport};
use rollcall_core::paths::AppDirs;
use rollcall_core::plan::{auto_pool_size, PlanOptions, RateSource};
use rollcall_core::run::session::{effective_status, write_exports};
use rollcall_core::run::{
    events, Journal, RowStatus, RunControl, RunError, RunLock, RunOrg, RunOrigin, RunStatus,
    RunSummary, Session,
};
use rollcall_sandbox::Sandbox;
use support::{demo_client, fast_settle, import, numbered_users, plan_with, Scratch};

const WITH_PASSWORDS: &str = "\
name,email,password
Ada Lovelace,ada@example.com,Correct-Horse-9-Battery
Alan Turing,alan@example.com,Staple-7-Battery-Horse
";

/// The app's folders under the scratch folder.
fn dirs_in(scratch: &Scratch) -> AppDirs {
    let dirs = AppDirs::under(scratch.path());
    std::fs::create_dir_all(&dirs.data).unwrap();
    dirs
}

/// A session of a new run of `csv`, read from `users.csv` in the scratch folder, as a run
/// journaled before file digests was.
async fn started(sandbox: &Sandbox, scratch: &Scratch, csv: &str) -> Session {
    started_with(sandbox, scratch, csv, &import(csv), None, false).await
}

/// A session of a new run of `report`, the rows of `csv` as a session may have `edited` them,
/// read from `users.csv` in the scratch folder; `digest` is the file's, when the run records
/// it.
async fn started_with(
    sandbox: &Sandbox,
    scratch: &Scratch,
    csv: &str,
    report: &ImportReport,
    digest: Option<String>,
    edited: bool,
) -> Session {
    let file = scratch.path().join("users.csv");
    std::fs::write(&file, csv).unwrap();
    let plan = plan_with(sandbox, report, &PlanOptions::default()).await;
    let origin = RunOrigin {
        source_name: "users.csv".to_owned(),
        source_path: Some(file.display().to_string()),
        source_digest: digest,
        edited,
        ..RunOrigin::from(RunOrg::of(&demo_client(sandbox), None))
    };
    Session::start(&dirs_in(scratch), &plan, &origin).expect("the run is journaled")
}

/// Drive `session` cancelled before its first row, then pick it up again as a resume would,
/// in its own org; nothing is sent in between.
async fn cancelled_then_resumed(session: Session, sandbox: &Sandbox, dirs: &AppDirs) -> Session {
    let run_id = session.record().id.clone();
    let control = RunControl::default();
    control.cancel();
    let cancelled = drive(session, sandbox, control).await;
    assert_eq!(cancelled.status, RunStatus::Cancelled);
    assert_eq!(sandbox.stats().users_created, 0, "cancelled before any row");
    let resumable = Session::pick(dirs, Some(&run_id)).expect("the cancelled run is picked");
    resumable.into_session(6_000)
}

async fn drive(session: Session, sandbox: &Sandbox, control: RunControl) -> RunSummary {
    let (events, _received) = events::channel();
    session
        .drive(demo_client(sandbox), fast_settle(), events, control)
        .await
        .expect("the run is driven")
}

#[tokio::test]
async fn a_resumed_run_gets_the_passwords_of_the_rows_the_file_still_has() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("session-resume");
    let dirs = dirs_in(&scratch);
    let session = started(&sandbox, &scratch, WITH_PASSWORDS).await;
    let run_id = session.record().id.clone();
    let control = RunControl::default();
    control.cancel();
    let cancelled = drive(session, &sandbox, control).await;
    assert_eq!(cancelled.status, RunStatus::Cancelled);
    assert_eq!(sandbox.stats().users_created, 0, "cancelled before any row");

    // Meanwhile Alan's row changed in the file: his password no longer belongs to his row.
    let changed = WITH_PASSWORDS.replace("alan@example.com", "alan.turing@example.com");
    std::fs::write(scratch.path().join("users.csv"), changed).unwrap();

    let resumable = Session::pick(&dirs, None).expect("the cancelled run is picked");
    assert_eq!(resumable.record().id, run_id);
    assert_eq!(resumable.rows_left(), 2);
    let client = demo_client(&sandbox);
    let org = RunOrg::of(&client, None);
    assert_eq!(resumable.question_for(&org).unwrap(), None, "its own org");
    assert_eq!(
        resumable.rate(&client, Some(900), Some(600)).await,
        (900, RateSource::Setting),
        "the command line's rate first"
    );
    assert_eq!(
        resumable.rate(&client, None, Some(600)).await,
        (600, RateSource::Setting),
        "then (the run having none of its own) the profile's"
    );
    let session = resumable.into_session(6_000);
    assert_eq!(
        session.pool_size(),
        auto_pool_size(2, 6_000),
        "the pool is sized for the rows left"
    );
    let summary = drive(session, &sandbox, RunControl::default()).await;
    assert_eq!(summary.status, RunStatus::Finished);

    let ada = support::user_with_email(&sandbox, "ada@example.com");
    assert!(
        ada.password_set,
        "Ada's row still matches: her password is set"
    );
    let rows = Journal::open(&dirs.journal())
        .unwrap()
        .rows(&run_id)
        .unwrap();
    assert_eq!(rows[1].status, RowStatus::Failed);
    let message = &rows[1].error.as_ref().unwrap().message;
    assert!(
        message.contains("password for this user is no longer available"),
        "{message}"
    );
}

#[tokio::test]
async fn a_resume_reads_no_password_from_a_file_changed_since_the_run_started() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("session-changed-file");
    let dirs = dirs_in(&scratch);
    let csv = "\
name,email,title,password
Ada Lovelace,ada@example.com,Analyst,Correct-Horse-9-Battery
Alan Turing,alan@example.com,Analyst,Staple-7-Battery-Horse
Grace Hopper,grace@example.com,Analyst,
";
    let digest = Some(file_digest(csv.as_bytes()));
    let session = started_with(&sandbox, &scratch, csv, &import(csv), digest, false).await;
    let run_id = session.record().id.clone();
    // Only Grace's title changes: the same e-mails and passwords on the same lines, yet
    // another file, which may as well hold other passwords.
    let changed = csv.replace(
        "Grace Hopper,grace@example.com,Analyst",
        "Grace Hopper,grace@example.com,Admiral",
    );
    std::fs::write(scratch.path().join("users.csv"), changed).unwrap();

    let session = cancelled_then_resumed(session, &sandbox, &dirs).await;
    let summary = drive(session, &sandbox, RunControl::default()).await;
    assert_eq!(summary.status, RunStatus::Finished);

    let rows = Journal::open(&dirs.journal())
        .unwrap()
        .rows(&run_id)
        .unwrap();
    for row in &rows[..2] {
        assert_eq!(row.status, RowStatus::Failed, "line {}", row.line);
        let message = &row.error.as_ref().unwrap().message;
        assert!(
            message.contains("the file changed since the run started"),
            "{message}"
        );
    }
    assert_eq!(
        rows[2].status,
        RowStatus::Created,
        "a row without a password goes on"
    );
    let users = sandbox.users();
    assert!(support::users_with_email(&users, "ada@example.com").is_empty());
    assert!(support::users_with_email(&users, "alan@example.com").is_empty());
    let stats = sandbox.stats();
    assert_eq!(
        (stats.users_created, stats.password_sets),
        (1, 0),
        "no user went out without the password, and no password from the changed file"
    );
}

#[tokio::test]
async fn a_resume_matches_passwords_by_line_after_the_session_removed_and_corrected_rows() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("session-edited");
    let dirs = dirs_in(&scratch);
    // Bob's password breaks the org's policy: given to anyone, its step fails.
    let csv = "\
name,email,password
Ada Lovelace,ada@example.com,Correct-Horse-9-Battery
Bob Short,bob@example.com,short
Cy Young,cy@example.com,Staple-7-Battery-Horse
";
    let mut report = import(csv);
    // The session removed Bob's row and corrected Cy's e-mail: Cy is now the second row, on
    // line 4, with an e-mail the file does not have.
    report.rows.remove(1);
    let cy = report.rows[1].draft.as_deref_mut().unwrap();
    cy.email = "cy.young@example.com".to_owned();
    cy.email_key = cy.email.clone();
    let digest = Some(file_digest(csv.as_bytes()));
    let session = started_with(&sandbox, &scratch, csv, &report, digest.clone(), true).await;
    let run_id = session.record().id.clone();
    let record = Journal::open(&dirs.journal())
        .unwrap()
        .run(&run_id)
        .unwrap();
    assert_eq!((record.source_digest, record.edited), (digest, true));

    let session = cancelled_then_resumed(session, &sandbox, &dirs).await;
    let summary = drive(session, &sandbox, RunControl::default()).await;
    assert_eq!(summary.status, RunStatus::Finished);

    let rows = Journal::open(&dirs.journal())
        .unwrap()
        .rows(&run_id)
        .unwrap();
    assert_eq!(
        rows.iter().map(|r| (r.line, r.status)).collect::<Vec<_>>(),
        [(2, RowStatus::Created), (4, RowStatus::Created)]
    );
    assert!(
        !rows.iter().any(|r| r.any_step_failed()),
        "each password is its own row's: {rows:?}"
    );
    assert!(support::user_with_email(&sandbox, "ada@example.com").password_set);
    assert!(support::user_with_email(&sandbox, "cy.young@example.com").password_set);
    assert!(support::users_with_email(&sandbox.users(), "bob@example.com").is_empty());
    assert_eq!(sandbox.stats().password_sets, 2);
}

#[tokio::test]
async fn only_an_unfinished_run_that_no_process_drives_is_picked() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("session-pick");
    let dirs = dirs_in(&scratch);
    let finished = started(&sandbox, &scratch, &numbered_users(3)).await;
    let finished_id = finished.record().id.clone();
    let summary = drive(finished, &sandbox, RunControl::default()).await;
    assert_eq!(summary.status, RunStatus::Finished);
    assert!(matches!(
        Session::pick(&dirs, Some(&finished_id)),
        Err(RunError::Finished(id)) if id == finished_id
    ));
    assert!(matches!(
        Session::pick(&dirs, None),
        Err(RunError::NothingToResume)
    ));

    // Journaled, never driven: marked running, held by nobody, so interrupted.
    let waiting = started(&sandbox, &scratch, &numbered_users(2)).await;
    let waiting_id = waiting.record().id.clone();
    drop(waiting);
    let journal = Journal::open(&dirs.journal()).unwrap();
    let record = journal.run(&waiting_id).unwrap();
    assert_eq!(record.status, RunStatus::Running);
    assert_eq!(
        effective_status(&record, &dirs.run_locks()),
        RunStatus::Interrupted
    );
    let picked = Session::pick(&dirs, None).expect("the interrupted run is picked");
    assert_eq!(picked.record().id, waiting_id);

    // Held by a process: running, and not picked.
    let _held = RunLock::acquire(&dirs.run_locks(), &waiting_id, &journal).unwrap();
    assert_eq!(
        effective_status(&record, &dirs.run_locks()),
        RunStatus::Running
    );
    assert!(matches!(
        Session::pick(&dirs, None),
        Err(RunError::NothingToResume)
    ));
}

#[tokio::test]
async fn a_runs_files_are_named_after_its_source_and_failed_rows_come_with_failures() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("session-exports");
    let dirs = dirs_in(&scratch);
    let out = scratch.path().join("out");

    let clean = started(&sandbox, &scratch, &numbered_users(2)).await;
    let clean_id = clean.record().id.clone();
    drive(clean, &sandbox, RunControl::default()).await;
    let exports = write_exports(&dirs, &clean_id, &out).expect("written");
    assert_eq!(
        exports.results,
        out.join(format!("users.results-{clean_id}.csv"))
    );
    assert!(exports.results.exists());
    assert_eq!(exports.failed_rows, None, "no row failed");
    assert!(!exports.step_failed);

    let with_invalid = format!("{}Nameless,not-an-address\n", numbered_users(1));
    let failing = started(&sandbox, &scratch, &with_invalid).await;
    let failing_id = failing.record().id.clone();
    drive(failing, &sandbox, RunControl::default()).await;
    let exports = write_exports(&dirs, &failing_id, &out).expect("written");
    let failed_rows = out.join(format!("users.failed-{failing_id}.csv"));
    assert_eq!(exports.failed_rows.as_ref(), Some(&failed_rows));
    let failed = std::fs::read_to_string(failed_rows).unwrap();
    assert!(failed.contains("not-an-address"), "{failed}");
    assert!(!failed.contains("user0@example.com"), "{failed}");
}
