use super::*;
use crate::genesys::CreateUser;
use crate::plan::RowSteps;
use crate::plan::{ManagerRef, RowAction};

const RUN: &str = "20261201-090000-abcdef";

fn record(total: usize) -> RunRecord {
    RunRecord {
        id: RUN.to_owned(),
        created_at: 0,
        updated_at: 0,
        source_name: "users.csv".to_owned(),
        source_path: None,
        source_digest: None,
        edited: false,
        endpoint: "sandbox".to_owned(),
        client_id: "rollcall-sandbox".to_owned(),
        profile: None,
        options: Default::default(),
        headers: vec!["name".to_owned(), "email".to_owned()],
        status: RunStatus::Running,
        message: None,
        total,
    }
}

fn step(kind: StepKind, item: &str) -> StepRecord {
    StepRecord {
        kind,
        item: item.to_owned(),
        label: format!("{kind:?} {item}"),
        status: StepStatus::Pending,
        error: None,
    }
}

/// A row to create, as a plan journals it: pending, with its follow-ups and steps to do.
fn pending_row(index: usize, steps: Vec<StepRecord>) -> JournalRow {
    let email = format!("user{index}@example.com");
    JournalRow {
        index,
        line: index + 2,
        email: Some(email.clone()),
        name: Some(format!("User {index}")),
        action: RowAction::Create,
        raw: vec![format!("User {index}"), email.clone()],
        body: Some(CreateUser {
            name: format!("User {index}"),
            email: email.clone(),
            division_id: Some("division-1".to_owned()),
            password: None,
            title: Some("Agent".to_owned()),
            department: None,
            addresses: Vec::new(),
            state: None,
        }),
        has_password: false,
        manager: (index > 0).then(|| ManagerRef::Row {
            index: 0,
            email: "user0@example.com".to_owned(),
        }),
        depth: u32::from(index > 0),
        existing_user_id: None,
        existing_version: None,
        status: RowStatus::Pending,
        user_id: None,
        version: None,
        manager_step: StepStatus::Pending,
        invite_step: StepStatus::Pending,
        error: None,
        attempts: 0,
        note: Some("planned".to_owned()),
        step_plan: Some(RowSteps {
            extension: Some(format!("23{index:02}")),
            ..RowSteps::default()
        }),
        steps,
    }
}

fn rows() -> Vec<JournalRow> {
    vec![
        pending_row(
            0,
            vec![
                step(StepKind::Roles, ""),
                step(StepKind::Queue, "queue-1"),
                step(StepKind::Queue, "queue-2"),
            ],
        ),
        pending_row(1, vec![step(StepKind::Skills, "")]),
        pending_row(2, vec![step(StepKind::Location, "")]),
        pending_row(3, vec![step(StepKind::Password, "")]),
        pending_row(4, vec![step(StepKind::Extension, "")]),
    ]
}

/// Every kind of update, in the order a run could send them (row 0 twice over a lost answer).
fn updates() -> Vec<RowUpdate> {
    let note = |text: &str| Some(text.to_owned());
    vec![
        RowUpdate::Run {
            status: RunStatus::Running,
            message: None,
        },
        RowUpdate::Intent { index: 0 },
        RowUpdate::Pending {
            index: 0,
            note: note("Not sent yet: Genesys could not be reached"),
        },
        RowUpdate::Intent { index: 0 },
        RowUpdate::Attempt {
            index: 0,
            step: "create",
            outcome: "ok".to_owned(),
            status: Some(200),
            correlation_id: Some("c-1".to_owned()),
        },
        RowUpdate::Created {
            index: 0,
            user_id: "user-0".to_owned(),
            version: 1,
            note: None,
        },
        RowUpdate::Manager {
            index: 0,
            step: StepStatus::Done,
            version: Some(2),
            note: None,
        },
        RowUpdate::Step {
            index: 0,
            kind: StepKind::Roles,
            item: String::new(),
            status: StepStatus::Done,
            error: None,
        },
        RowUpdate::Version {
            index: 0,
            version: 3,
        },
        RowUpdate::Invite {
            index: 0,
            step: StepStatus::Sending,
            note: None,
        },
        RowUpdate::Invite {
            index: 0,
            step: StepStatus::Unknown,
            note: note("The invitation may not have been sent (its answer was lost)."),
        },
        RowUpdate::Step {
            index: 0,
            kind: StepKind::Queue,
            item: "queue-2".to_owned(),
            status: StepStatus::Failed,
            error: note("Not done: the queue is gone"),
        },
        RowUpdate::Intent { index: 1 },
        RowUpdate::Failed {
            index: 1,
            error: RowError {
                code: Some("bad.request".to_owned()),
                message: "The title is too long".to_owned(),
                correlation_id: Some("c-2".to_owned()),
            },
        },
        RowUpdate::Intent { index: 2 },
        RowUpdate::Existed {
            index: 2,
            user_id: Some("user-2".to_owned()),
            note: note("Already existed (created by someone else since the plan)."),
        },
        RowUpdate::Skipped {
            index: 3,
            note: None,
        },
        RowUpdate::Intent { index: 4 },
        RowUpdate::Restored {
            index: 4,
            user_id: "user-4".to_owned(),
            version: 7,
        },
        RowUpdate::Run {
            status: RunStatus::Cancelled,
            message: note("Cancelled with 1 rows still to do; resume to finish."),
        },
    ]
}

#[test]
fn updates_applied_in_memory_leave_the_rows_the_journal_reads_back() {
    let mut journal = Journal::in_memory().unwrap();
    let mut in_memory = rows();
    journal
        .create_run(&record(in_memory.len()), &in_memory)
        .unwrap();
    let updates = updates();
    // In commits of a few updates, as the writer groups them.
    for commit in updates.chunks(3) {
        journal.apply(RUN, commit).unwrap();
    }
    for update in &updates {
        for row in &mut in_memory {
            row.apply(update);
        }
    }
    let read_back = journal.rows(RUN).unwrap();
    for (memory, journaled) in in_memory.iter().zip(&read_back) {
        assert_eq!(memory, journaled, "row {}", memory.index);
    }
    assert_eq!(read_back.len(), in_memory.len());
    assert_eq!(journal.run(RUN).unwrap().status, RunStatus::Cancelled);
}

#[test]
fn a_row_changes_as_each_update_says() {
    let mut rows = rows();
    for update in &updates() {
        for row in &mut rows {
            row.apply(update);
        }
    }
    let [created, failed, existed, skipped, restored] = &rows[..] else {
        panic!("five rows");
    };
    assert_eq!(
        (created.status, created.attempts, created.version),
        (RowStatus::Created, 2, Some(3)),
        "sent twice, the last version is the step's"
    );
    assert_eq!(
        created.note.as_deref(),
        Some("The invitation may not have been sent (its answer was lost)."),
        "a later note replaces an earlier one; no note keeps it"
    );
    let queue_2 = &created.steps[2];
    assert_eq!(
        (queue_2.status, queue_2.error.as_deref()),
        (StepStatus::Failed, Some("Not done: the queue is gone"))
    );
    assert_eq!(
        created.steps[1].status,
        StepStatus::Pending,
        "queue-1 untouched"
    );
    for row in [failed, existed, skipped] {
        assert_eq!(
            (row.manager_step, row.invite_step, row.steps[0].status),
            (StepStatus::None, StepStatus::None, StepStatus::None),
            "a row without its user takes no follow-up: {:?}",
            row.status
        );
    }
    assert_eq!(
        failed.error.as_ref().unwrap().message,
        "The title is too long"
    );
    assert_eq!(existed.user_id.as_deref(), Some("user-2"));
    assert_eq!(skipped.note.as_deref(), Some("planned"));
    assert_eq!(
        (
            restored.status,
            restored.user_id.as_deref(),
            restored.version
        ),
        (RowStatus::Restored, Some("user-4"), Some(7))
    );
    assert_eq!(
        restored.steps[0].status,
        StepStatus::Pending,
        "its steps follow"
    );
}

#[test]
fn a_journal_whose_step_plan_column_is_still_called_extras_opens_with_it() {
    let scratch = tempfile::tempdir().unwrap();
    let path = scratch.path().join("journal.sqlite3");
    let rows = rows();
    Journal::open(&path)
        .unwrap()
        .create_run(&record(rows.len()), &rows)
        .unwrap();
    // What an earlier release wrote: the same cells under the column's first name.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("ALTER TABLE rows RENAME COLUMN step_plan TO extras")
        .unwrap();

    let journal = Journal::open(&path).expect("the older journal opens");
    let read = journal.rows(RUN).unwrap();
    assert_eq!(read[0].step_plan, rows[0].step_plan);
    assert_eq!(read[4].step_plan, rows[4].step_plan);
    drop(journal);
    Journal::open(&path).expect("and opens again once migrated");
}

#[test]
fn a_run_keeps_the_digest_of_its_file_and_whether_it_was_edited() {
    let mut journal = Journal::in_memory().unwrap();
    let run = RunRecord {
        source_digest: Some("ab".repeat(32)),
        edited: true,
        ..record(0)
    };
    journal.create_run(&run, &[]).unwrap();
    let read = journal.run(RUN).unwrap();
    assert_eq!(read.source_digest, run.source_digest);
    assert!(read.edited);
    assert_eq!(
        journal.runs().unwrap(),
        [read],
        "the history reads them too"
    );
}

#[test]
fn a_journal_from_before_file_digests_opens_with_none_recorded_and_unedited() {
    let scratch = tempfile::tempdir().unwrap();
    let path = scratch.path().join("journal.sqlite3");
    let rows = rows();
    Journal::open(&path)
        .unwrap()
        .create_run(&record(rows.len()), &rows)
        .unwrap();
    // What an earlier release wrote: the runs table without the two columns.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "ALTER TABLE runs DROP COLUMN source_digest;
             ALTER TABLE runs DROP COLUMN edited;",
        )
        .unwrap();

    let mut journal = Journal::open(&path).expect("the older journal opens");
    let older = journal.run(RUN).unwrap();
    assert_eq!(older.source_digest, None, "no digest was recorded");
    assert!(!older.edited, "nothing was edited then");
    assert_eq!(
        journal.rows(RUN).unwrap(),
        rows,
        "its rows are as they were"
    );

    // A run journaled after the migration keeps both.
    let newer = RunRecord {
        id: "20261202-090000-fedcba".to_owned(),
        source_digest: Some("cd".repeat(32)),
        edited: true,
        ..record(0)
    };
    journal.create_run(&newer, &[]).unwrap();
    assert_eq!(journal.run(&newer.id).unwrap(), newer);
    drop(journal);
    Journal::open(&path).expect("and opens again once migrated");
}
