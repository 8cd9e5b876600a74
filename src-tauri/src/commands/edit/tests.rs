use std::path::Path;

use rollcall_core::plan::PlanOptions;
use rollcall_core::profiles::SANDBOX_PROFILE;
use rollcall_core::run::RunControl;
use serde_json::{json, Value};

use super::*;
use crate::commands::import::{open_offered, ReadOptions};
use crate::commands::plan::plan_file;
use crate::commands::run::planned_run;

const USERS: &str = "name,email,division,password\n\
                     Ada Lovelace,ada@example.com,Suport,Secret-1\n\
                     Grace Hopper,grace@example,Support,Secret-2\n\
                     Alan Turing,alan@example.com,suport,Secret-3\n";

async fn app_with(folder: &Path, text: &str) -> AppState {
    let state = AppState::for_tests(folder).await;
    let path = folder.join("users.csv");
    std::fs::write(&path, text).unwrap();
    state.offered.offer([path.clone()]);
    open_offered(&state, path, ReadOptions::default())
        .await
        .expect("the file opens");
    state
}

fn json_of(delta: &EditDelta) -> Value {
    serde_json::to_value(delta).unwrap()
}

fn reading(state: &AppState) -> crate::state::ImportId {
    state.session.lock().unwrap().file().unwrap().id
}

#[tokio::test]
async fn a_fixed_cell_answers_with_its_row_its_issues_and_the_new_counts_only() {
    let scratch = tempfile::tempdir().unwrap();
    let state = app_with(scratch.path(), USERS).await;
    let before = reading(&state);

    let delta = json_of(
        &apply(
            &state,
            Edit::Cell {
                line: 3,
                column: 1,
                value: "grace@example.com".to_owned(),
            },
        )
        .expect("the cell is set"),
    );
    assert_eq!(
        delta["rows"],
        json!([{"line": 3, "cells": ["Grace Hopper", "grace@example.com", "Support", ""], "valid": true}]),
        "only the edited row comes back, its password cell blank: {delta}"
    );
    assert_eq!(delta["issues"], json!([]), "line 3 has no problem now");
    assert_eq!(delta["counts"]["valid"], 3);
    assert_eq!(delta["counts"]["invalid"], 0);
    assert_eq!(delta["cells"], 1);
    assert_eq!(
        (&delta["canUndo"], &delta["canRedo"], &delta["edited"]),
        (&json!(true), &json!(false), &json!(true))
    );
    assert_ne!(reading(&state), before, "an edit is a new reading");
}

#[tokio::test]
async fn an_edit_that_repeats_an_address_answers_with_both_rows_and_their_issues() {
    let scratch = tempfile::tempdir().unwrap();
    let state = app_with(scratch.path(), USERS).await;
    let delta = json_of(
        &apply(
            &state,
            Edit::Cell {
                line: 4,
                column: 1,
                value: "ADA@example.com".to_owned(),
            },
        )
        .unwrap(),
    );
    let lines: Vec<&Value> = delta["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["line"])
        .collect();
    assert_eq!(lines, [&json!(2), &json!(4)], "{delta}");
    let issue_lines: Vec<&Value> = delta["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|issue| &issue["line"])
        .collect();
    assert!(
        issue_lines.contains(&&json!(2)) && issue_lines.contains(&&json!(4)),
        "both lines say the address repeats: {delta}"
    );
    assert_eq!(delta["counts"]["invalid"], 3, "{delta}");
}

#[tokio::test]
async fn an_edit_undo_and_redo_each_make_the_plan_made_before_them_stale() {
    let scratch = tempfile::tempdir().unwrap();
    let state = app_with(scratch.path(), USERS).await;
    let plan = || plan_file(&state, SANDBOX_PROFILE.to_owned(), PlanOptions::default());
    plan().await.expect("planned");
    planned_run(&state).expect("the plan runs with this reading");

    apply(&state, Edit::Remove { line: 3 }).unwrap();
    let refused = planned_run(&state).expect_err("the rows changed");
    assert_eq!(refused.kind(), "stale");
    assert!(refused.to_string().contains("plan again"), "{refused}");

    plan().await.unwrap();
    let planned = planned_run(&state).unwrap();
    assert_eq!(
        planned.report.rows.len(),
        2,
        "the removed row is not planned"
    );
    assert!(planned.plan.rows.iter().all(|row| row.line != 3));
    assert!(planned.edited, "the journal will say the rows were edited");
    assert_eq!(
        planned.source_digest,
        rollcall_core::import::file_digest(USERS.as_bytes()),
        "and keep the digest of the file as read, not of the edits"
    );

    let undone = change(&state, |rows| Ok(rows.undo()))
        .unwrap()
        .expect("one step undone");
    let undone = json_of(&undone);
    assert_eq!(undone["restored"], json!([3]));
    assert_eq!(
        undone["rows"][0]["line"], 3,
        "the row comes back with its cells: {undone}"
    );
    assert_eq!(planned_run(&state).unwrap_err().kind(), "stale");
    assert_eq!(undone["edited"], false, "nothing is changed any more");

    let redone = json_of(&change(&state, |rows| Ok(rows.redo())).unwrap().unwrap());
    assert_eq!(redone["removed"], json!([3]));
    assert_eq!(redone["canRedo"], false);
    let before = reading(&state);
    assert!(
        change(&state, |rows| Ok(rows.redo())).unwrap().is_none(),
        "nothing left to redo"
    );
    assert_eq!(
        reading(&state),
        before,
        "a redo of nothing is no new reading"
    );
}

#[tokio::test]
async fn a_suggestion_replaces_the_unknown_name_in_every_row_of_its_column() {
    let scratch = tempfile::tempdir().unwrap();
    let state = app_with(scratch.path(), USERS).await;
    let delta = json_of(
        &suggestion(
            &state,
            Field::Division,
            "Suport".to_owned(),
            "Support".to_owned(),
        )
        .expect("applied"),
    );
    assert_eq!(
        delta["cells"], 2,
        "both spellings, whole values only: {delta}"
    );
    let session = state.session.lock().unwrap();
    let divisions: Vec<&str> = session
        .file()
        .unwrap()
        .report()
        .rows
        .iter()
        .map(|row| row.raw[2].as_str())
        .collect();
    assert_eq!(divisions, ["Support", "Support", "Support"]);
}

#[tokio::test]
async fn a_suggestion_for_a_field_no_column_holds_says_to_map_one() {
    let scratch = tempfile::tempdir().unwrap();
    let state = app_with(scratch.path(), USERS).await;
    let refused = suggestion(&state, Field::Queues, "Sals".to_owned(), "Sales".to_owned())
        .err()
        .expect("no queues column");
    assert_eq!(refused.kind(), "notReady");
    assert!(refused.to_string().contains("map one"), "{refused}");
}

#[tokio::test]
async fn the_rows_cannot_change_while_a_run_is_going_nor_a_password_ever() {
    let scratch = tempfile::tempdir().unwrap();
    let state = app_with(scratch.path(), USERS).await;
    let password = apply(
        &state,
        Edit::Cell {
            line: 2,
            column: 3,
            value: "guess".to_owned(),
        },
    )
    .err()
    .expect("a password cell is not edited here");
    assert_eq!(password.kind(), "edit");
    assert!(password.to_string().contains("password"), "{password}");

    state
        .runs
        .lock()
        .unwrap()
        .insert("run".to_owned(), RunControl::default());
    let before = reading(&state);
    let refused = apply(&state, Edit::Remove { line: 2 })
        .err()
        .expect("refused during a run");
    assert_eq!(refused.kind(), "notReady");
    assert!(refused.to_string().contains("A run is going"), "{refused}");
    assert_eq!(reading(&state), before);
    assert_eq!(
        state
            .session
            .lock()
            .unwrap()
            .file()
            .unwrap()
            .report()
            .rows
            .len(),
        3,
        "nothing was removed"
    );
}
