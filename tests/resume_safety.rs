//! What a resume must never do: read a damaged journal as something to send again, or send an
//! invitation a second time after a crash.

mod support;

use std::sync::{Arc, Mutex};

use rollcall_core::plan::PlanOptions;
use rollcall_core::run::journal::RowUpdate;
use rollcall_core::run::{Journal, JournalError, RunError, StepStatus};
use rusqlite::{params, Connection, OpenFlags};
use serde_json::json;
use support::loopback::Loopback;
use support::{Drive, Scratch};

const TWO_USERS: &str = "name,email\nAda Lovelace,ada@example.com\nAlan Turing,alan@example.com\n";

/// Set one cell of the journal as a damaged disk, a bad copy or a hand edit would leave it.
fn damage(scratch: &Scratch, sql: &str, run_id: &str) {
    let conn = Connection::open(scratch.journal_path()).unwrap();
    let changed = conn.execute(sql, params![run_id]).unwrap();
    assert!(changed > 0, "{sql} changed nothing");
}

#[tokio::test]
async fn a_damaged_cell_stops_the_resume_naming_run_row_and_column_and_nothing_is_sent() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("damaged-journal");
    let report = support::import(TWO_USERS);
    let plan = support::plan_with(&sandbox, &report, &PlanOptions::default()).await;

    // Each cell a resume reads, with text Rollcall never writes there. Read as a default, each
    // of these would have been a row to send again (a status read as pending, a body read as
    // empty, an unknown step skipped, options read as Genesys's defaults).
    let cases: [(&str, &str, Option<usize>); 14] = [
        (
            "UPDATE rows SET status = 'pendng' WHERE run_id = ?1 AND idx = 1",
            "status",
            Some(3),
        ),
        (
            "UPDATE rows SET manager_step = 'dun' WHERE run_id = ?1 AND idx = 0",
            "manager_step",
            Some(2),
        ),
        (
            "UPDATE rows SET invite_step = '' WHERE run_id = ?1 AND idx = 0",
            "invite_step",
            Some(2),
        ),
        (
            "UPDATE rows SET action = '\"recreate\"' WHERE run_id = ?1 AND idx = 1",
            "action",
            Some(3),
        ),
        (
            "UPDATE rows SET raw = '[\"Ada\",' WHERE run_id = ?1 AND idx = 0",
            "raw",
            Some(2),
        ),
        (
            "UPDATE rows SET body = '{\"name\":\"Ada\"}' WHERE run_id = ?1 AND idx = 0",
            "body",
            Some(2),
        ),
        (
            "UPDATE rows SET manager = '{\"kind\":\"boss\"}' WHERE run_id = ?1 AND idx = 0",
            "manager",
            Some(2),
        ),
        (
            "UPDATE rows SET error = 'refused' WHERE run_id = ?1 AND idx = 0",
            "error",
            Some(2),
        ),
        (
            "UPDATE rows SET step_plan = '{\"roles\":7}' WHERE run_id = ?1 AND idx = 0",
            "step_plan",
            Some(2),
        ),
        (
            "INSERT INTO steps (run_id, idx, kind, item, label, status) \
             VALUES (?1, 1, 'teleport', '', '', 'pending')",
            "steps.kind",
            Some(3),
        ),
        (
            "INSERT INTO steps (run_id, idx, kind, item, label, status) \
             VALUES (?1, 0, 'roles', '', 'Agent', 'maybe')",
            "steps.status",
            Some(2),
        ),
        (
            "UPDATE runs SET status = 'paused' WHERE id = ?1",
            "status",
            None,
        ),
        (
            "UPDATE runs SET options = '{}' WHERE id = ?1",
            "options",
            None,
        ),
        (
            "UPDATE runs SET headers = 'name,email' WHERE id = ?1",
            "headers",
            None,
        ),
    ];
    let before = sandbox.stats();
    for (sql, column, line) in cases {
        let run_id = support::record(&sandbox, &scratch, &plan);
        damage(&scratch, sql, &run_id);

        let refused = Drive::new(&sandbox)
            .run(&scratch, &run_id)
            .await
            .err()
            .unwrap_or_else(|| panic!("{sql}: the resume went on"));
        let RunError::Journal(JournalError::Corrupt {
            run_id: named_run,
            line: named_line,
            column: named_column,
            ..
        }) = &refused
        else {
            panic!("{sql}: {refused}");
        };
        assert_eq!(
            (named_run.as_str(), *named_line, *named_column),
            (run_id.as_str(), line, column),
            "{refused}"
        );
        let message = refused.to_string();
        assert!(
            message.contains(&run_id)
                && message.contains(&format!("column \"{column}\""))
                && message.contains("nothing of it is sent again"),
            "{message}"
        );
    }
    let after = sandbox.stats();
    assert_eq!(
        (after.requests, after.token_requests, after.users_created),
        (before.requests, before.token_requests, before.users_created),
        "not one request for a damaged journal"
    );
    assert!(support::users_with_email(&sandbox.users(), "alan@example.com").is_empty());
}

#[tokio::test]
async fn an_invitation_is_journaled_as_being_sent_before_its_request_reaches_genesys() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("invite-intent");
    let report = support::import("name,email\nAda Lovelace,ada@example.com\n");
    let options = PlanOptions {
        invite: true,
        ..PlanOptions::default()
    };
    let plan = support::plan_with(&sandbox, &report, &options).await;
    let run_id = support::record(&sandbox, &scratch, &plan);
    // The user is created and recorded; the invitation is what is left.
    let mut journal = Journal::open(&scratch.journal_path()).unwrap();
    journal
        .apply(
            &run_id,
            &[
                RowUpdate::Intent { index: 0 },
                RowUpdate::Created {
                    index: 0,
                    user_id: "u-ada".to_owned(),
                    version: 1,
                    note: None,
                },
            ],
        )
        .unwrap();
    // Genesys, played by a server that looks in the journal when the invitation arrives.
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let server = {
        let seen = seen.clone();
        let journal = scratch.journal_path();
        let run_id = run_id.clone();
        Loopback::serve(move |method, path| match (method, path) {
            ("POST", "/oauth/token") => (
                200,
                json!({ "access_token": "token", "token_type": "bearer", "expires_in": 86399 }),
            ),
            ("POST", "/api/v2/users/u-ada/invite") => {
                let conn = Connection::open_with_flags(&journal, OpenFlags::SQLITE_OPEN_READ_ONLY)
                    .unwrap();
                let step: String = conn
                    .query_row(
                        "SELECT invite_step FROM rows WHERE run_id = ?1 AND idx = 0",
                        params![run_id],
                        |row| row.get(0),
                    )
                    .unwrap();
                seen.lock().unwrap().push(step);
                (200, json!({}))
            }
            _ => (
                404,
                json!({ "message": "Not scripted", "code": "not.found", "status": 404 }),
            ),
        })
        .await
    };
    let drive = Drive {
        client: support::client_at(server.url(), "client", "secret", support::fast_config()),
        invite: true,
        ..Drive::new(&sandbox)
    };
    drive.run(&scratch, &run_id).await.expect("the run ends");

    assert_eq!(
        *seen.lock().unwrap(),
        ["sending"],
        "one invitation, its intent committed before it went out"
    );
    let row = support::journal_rows(&scratch, &run_id).remove(0);
    assert_eq!(row.invite_step, StepStatus::Done);
}

#[tokio::test]
async fn an_invitation_a_crash_left_mid_send_is_reported_unknown_and_not_sent_again() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("invite-in-doubt");
    let report = support::import("name,email\nAda Lovelace,ada@example.com\n");
    let options = PlanOptions {
        invite: true,
        ..PlanOptions::default()
    };
    let plan = support::plan_with(&sandbox, &report, &options).await;
    let run_id = support::record(&sandbox, &scratch, &plan);
    // What a crash leaves when it strikes after the invitation went out and before its answer
    // was recorded: the user created, the invitation's intent committed.
    let client = support::demo_client(&sandbox);
    let body = support::journal_rows(&scratch, &run_id)[0]
        .body
        .clone()
        .expect("a create body");
    let ada = client.create_user(&body).await.unwrap().value;
    client.invite_user(&ada.id).await.unwrap();
    let mut journal = Journal::open(&scratch.journal_path()).unwrap();
    journal
        .apply(
            &run_id,
            &[
                RowUpdate::Intent { index: 0 },
                RowUpdate::Created {
                    index: 0,
                    user_id: ada.id.clone(),
                    version: ada.version,
                    note: None,
                },
                RowUpdate::Invite {
                    index: 0,
                    step: StepStatus::Sending,
                    note: None,
                },
            ],
        )
        .unwrap();

    let drive = Drive {
        invite: true,
        ..Drive::new(&sandbox)
    };
    let outcome = drive.run(&scratch, &run_id).await.expect("the resume ends");

    let invited = support::user_with_email(&sandbox, "ada@example.com").invitations;
    assert_eq!(invited, 1, "the invitation is not sent a second time");
    let row = support::journal_rows(&scratch, &run_id).remove(0);
    assert_eq!(row.invite_step, StepStatus::Unknown);
    let note = row.note.unwrap_or_default();
    assert!(
        note.contains("may have been sent") && note.contains("check in Genesys Cloud"),
        "{note}"
    );
    assert_eq!(outcome.summary.progress.created, 1);
}
