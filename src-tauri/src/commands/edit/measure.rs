//! The measurement of one edited cell in a 100,000-row file, from the command's call to its
//! answer serialized as it crosses to the window (serde_json, as Tauri's IPC does). Ignored by
//! a plain `cargo test`; measure in a release build:
//!
//! ```sh
//! cargo test --release -p rollcall-desktop --bin rollcall-desktop -- --ignored --nocapture \
//!   one_edited_cell_of_100000_rows
//! ```

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use rollcall_core::import::Edit;

use super::apply;
use crate::commands::import::{open_offered, ReadOptions};
use crate::state::AppState;

const ROWS: usize = 100_000;
const EDITS: usize = 20;

/// A file of `ROWS` users in the admin UI's columns, every row valid.
fn users_file() -> String {
    let mut text = String::from("name,email,division,roles_divisions,queues,skills,phone_work\n");
    for i in 0..ROWS {
        writeln!(
            text,
            "User {i},user{i}@example.com,Support,Agent:Support,\"Support,Sales\",\
             \"English:4,Technical:2\",+1415555{:04}",
            i % 10_000
        )
        .unwrap();
    }
    text
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement: run it in a release build (see the module's comment)"]
async fn one_edited_cell_of_100000_rows() {
    let scratch = tempfile::tempdir().unwrap();
    let state = AppState::for_tests(scratch.path()).await;
    let path = scratch.path().join("users.csv");
    std::fs::write(&path, users_file()).unwrap();
    state.offered.offer([path.clone()]);
    open_offered(&state, path, ReadOptions::default())
        .await
        .expect("the file opens");

    let mut times = Vec::new();
    let mut answer_bytes = 0;
    for k in 0..EDITS {
        // Spread over the file; every other edit repeats another row's address, so the
        // duplicate check of the whole file has work to do, and the next one undoes that.
        let line = 2 + k * (ROWS / EDITS);
        let value = if k % 2 == 0 {
            format!("user{}@example.com", (k + 1) * 7)
        } else {
            format!("moved{k}@example.com")
        };
        let started = Instant::now();
        let delta = apply(
            &state,
            Edit::Cell {
                line,
                column: 1,
                value,
            },
        )
        .expect("the cell is set");
        let json = serde_json::to_vec(&delta).unwrap();
        times.push(started.elapsed());
        answer_bytes = answer_bytes.max(json.len());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "one edited cell of {ROWS} rows, {EDITS} edits, core + answer serialized: median {:.2} ms, \
         max {:.2} ms; largest answer {answer_bytes} bytes",
        ms(times[EDITS / 2]),
        ms(times[EDITS - 1])
    );
    assert!(
        times[EDITS / 2] < Duration::from_millis(50),
        "under 50 ms from the edit to updated counts: {:?}",
        times[EDITS / 2]
    );
}
