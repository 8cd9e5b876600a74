//! Editing benchmark: opens a generated 100,000-row file for editing, then times 20 single-cell
//! edits from `apply` to the updated counts (`report().error_count()`), and measures what the
//! window would get back for each: the outcome and the changed rows (line, cells, valid,
//! issues) as JSON. Ten edits give a row an address another line has (the repeat grows with
//! each, and every line in it is rewritten), ten give one an invalid address. The target is
//! under 50 ms per edit, IPC included (the window's bench adds that part).
//!
//! Run with `cargo bench --bench edit_bench`. `ROWS=…` changes the row count.

#[path = "../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use rollcall_core::import::{Edit, EditableImport, ImportOptions, Replace, RowIssue};
use serde::Serialize;

const DEFAULT_ROWS: usize = 100_000;
const EDITS: usize = 20;
const TARGET_MS: f64 = 50.0;
const DIVISIONS: [&str; 4] = ["Sales", "Support", "Suport", "Billing"];
const QUEUES: [&str; 3] = ["Sales, Support", "Billing", ""];

/// A file in the admin UI's layout, every address unique, one division in four misspelt.
fn generate(rows: usize) -> Vec<u8> {
    let mut text = String::with_capacity(rows * 120);
    text.push_str("name,email,title,division,queues,skills,roles_divisions\n");
    for i in 0..rows {
        writeln!(
            text,
            "User {i},user{i:06}@contoso-example.com,Agent,{},\"{}\",Billing:3,Agent|Supervisor:Sales",
            DIVISIONS[i % DIVISIONS.len()],
            QUEUES[i % QUEUES.len()],
        )
        .expect("a String takes every write");
    }
    text.into_bytes()
}

/// One changed row as the window would receive it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RowDelta<'r> {
    line: usize,
    cells: &'r [String],
    valid: bool,
    issues: Vec<&'r RowIssue>,
}

/// What the window gets back for one edit: the outcome, the changed rows and the counts.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Delta<'r> {
    outcome: &'r rollcall_core::import::EditOutcome,
    rows: Vec<RowDelta<'r>>,
    errors: usize,
    warnings: usize,
}

fn delta_bytes(session: &EditableImport, outcome: &rollcall_core::import::EditOutcome) -> usize {
    let report = session.report();
    let rows = outcome
        .lines
        .iter()
        .filter_map(|&line| {
            let index = report.rows.binary_search_by_key(&line, |r| r.line).ok()?;
            let row = &report.rows[index];
            Some(RowDelta {
                line,
                cells: &row.raw,
                valid: row.draft.is_some(),
                issues: report.issues_on(line).collect(),
            })
        })
        .collect();
    let delta = Delta {
        outcome,
        rows,
        errors: report.error_count(),
        warnings: report.warning_count(),
    };
    serde_json::to_vec(&delta)
        .expect("a delta serializes")
        .len()
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn main() {
    let rows = std::env::var("ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(DEFAULT_ROWS);
    let bytes = generate(rows);
    let size_mb = bytes.len() as f64 / 1e6;

    let start = Instant::now();
    let mut session = EditableImport::from_bytes(bytes, "bench.csv", &ImportOptions::default())
        .expect("the benchmark file opens");
    let open = start.elapsed();
    assert_eq!(
        session.report().error_count(),
        0,
        "the generated file is valid"
    );

    let mut times = Vec::with_capacity(EDITS);
    let mut sizes = Vec::with_capacity(EDITS);
    let mut errors = 0;
    for i in 0..EDITS {
        // Lines spread over the file; the first data row's address is the one repeated.
        let line = 3 + (i * 4_999) % (rows - 1);
        let value = if i % 2 == 0 {
            "USER000000@contoso-example.com".to_owned()
        } else {
            format!("user{i}@")
        };
        let edit = Edit::Cell {
            line,
            column: 1,
            value,
        };
        let start = Instant::now();
        let outcome = session.apply(edit).expect("the edit applies");
        errors = session.report().error_count();
        times.push(start.elapsed());
        sizes.push(delta_bytes(&session, &outcome));
    }
    // The first row and one more per even edit share an address; each odd edit breaks a row.
    assert_eq!(errors, EDITS / 2 + 1 + EDITS / 2, "every edit counted");

    let replace = Replace {
        column: 3,
        find: "Suport".to_owned(),
        with: "Support".to_owned(),
        only_problem_rows: false,
    };
    let start = Instant::now();
    let replaced = session
        .apply(Edit::Replace(replace))
        .expect("the replacement applies");
    let replace_time = start.elapsed();
    let start = Instant::now();
    session.undo().expect("the replacement undoes");
    let undo_time = start.elapsed();

    let mut sorted = times.clone();
    sorted.sort();
    let median = ms((sorted[EDITS / 2 - 1] + sorted[EDITS / 2]) / 2);
    let max = ms(*sorted.last().expect("20 edits"));
    sizes.sort_unstable();
    println!("edit benchmark (admin UI layout, 7 columns)");
    println!("rows:              {rows} ({size_mb:.1} MB)");
    println!("open for editing:  {:.1} ms", ms(open));
    println!(
        "single-cell edit:  median {median:.3} ms, max {max:.3} ms over {EDITS} edits (apply to \
         updated counts; target < {TARGET_MS} ms with IPC: {})",
        if max < TARGET_MS { "met" } else { "MISSED" }
    );
    println!(
        "window's answer:   {} to {} bytes of JSON per edit (outcome, changed rows, counts)",
        sizes[0],
        sizes[EDITS - 1]
    );
    println!(
        "replace a column:  {} cells in {:.1} ms, undone in {:.1} ms",
        replaced.cells,
        ms(replace_time),
        ms(undo_time)
    );
    match support::peak_memory_mb() {
        Some(mb) => println!("peak memory:       {mb:.1} MB (VmHWM)"),
        None => println!("peak memory:       not measured (no /proc/self/status)"),
    }
}
