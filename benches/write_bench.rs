//! Corrected-file benchmark: a generated 100,000-row file with 500 changed rows written back in
//! its own layout (`write_corrected`), as a UTF-8 CSV, a Windows-1252 CSV and an `.xlsx`. Prints
//! the median and slowest of a few writes and the peak memory of writing.
//!
//! Peak memory is Linux's `VmHWM`, reset before each write (`/proc/self/clear_refs`), so it is
//! the write's own peak over what the process held before it (the original's bytes and the
//! changes); "n/a" elsewhere.
//!
//! Run with `cargo bench --bench write_bench`. `ROWS=…` and `CHANGED=…` change the counts.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use rollcall_core::import::{write_corrected, ImportOptions, RowChange};

const DEFAULT_ROWS: usize = 100_000;
const DEFAULT_CHANGED: usize = 500;
const WRITES: usize = 5;
const HEADER: [&str; 8] = [
    "name",
    "email",
    "division",
    "title",
    "phone_work",
    "queues",
    "skills",
    "location_work",
];
const DIVISIONS: [&str; 3] = ["Sales", "Support", "Suport"];

/// One row's cells: unique addresses, a misspelt division on every third row.
fn row(i: usize) -> Vec<String> {
    vec![
        format!("Zoë Ångström {i}"),
        format!("user{i:06}@example.com"),
        DIVISIONS[i % DIVISIONS.len()].to_owned(),
        "Ingénieure, R&D".to_owned(),
        format!("+1415555{:04}", i % 10_000),
        "Billing,Tier 1".to_owned(),
        "English:5,French:3".to_owned(),
        "Paris".to_owned(),
    ]
}

/// The file as CSV text, CRLF, quoting what needs it.
fn csv_text(rows: usize) -> String {
    let mut text = HEADER.join(",");
    text.push_str("\r\n");
    for i in 0..rows {
        let cells: Vec<String> = row(i)
            .into_iter()
            .map(|cell| {
                if cell.contains(',') {
                    format!("\"{cell}\"")
                } else {
                    cell
                }
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push_str("\r\n");
    }
    text
}

fn xlsx_bytes(rows: usize, folder: &Path) -> Vec<u8> {
    let path = folder.join("source.xlsx");
    let header = HEADER.iter().map(|h| (*h).to_owned()).collect();
    let all = std::iter::once(header).chain((0..rows).map(row));
    rollcall_core::xlsx::write_xlsx(&path, "Users", all).expect("write the source workbook");
    std::fs::read(&path).expect("read the source workbook")
}

/// `changed` rows spread over the file, each with its division and title edited. Made from the
/// generator rather than an import, so the process holds nothing but the file when it writes.
fn changes(rows: usize, changed: usize) -> BTreeMap<usize, RowChange> {
    let step = (rows / changed.max(1)).max(1);
    (0..rows)
        .step_by(step)
        .take(changed)
        .map(|i| {
            let mut cells = row(i);
            cells[2] = "Support".to_owned();
            cells[3] = "Ingénieure principale; \"R&D\"".to_owned();
            // The header is line 1, and every record one line.
            (i + 2, RowChange::Cells(cells))
        })
        .collect()
}

/// Resets the peak so that the next reading is what came after (Linux 4.0 and later).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn bench(
    label: &str,
    bytes: &[u8],
    name: &str,
    changes: &BTreeMap<usize, RowChange>,
    folder: &Path,
) {
    let out = folder.join(format!("corrected-{name}"));
    let mut times = Vec::with_capacity(WRITES);
    // (peak during the write, resident just before it), the highest peak of the writes.
    let mut peak: Option<(f64, f64)> = None;
    let mut written = None;
    for _ in 0..WRITES {
        let resettable = reset_peak();
        let before = support::resident_memory_mb();
        let started = Instant::now();
        let summary = write_corrected(bytes, name, &ImportOptions::default(), changes, &[], &out)
            .expect("the corrected file is written");
        times.push(started.elapsed());
        if let (true, Some(before), Some(high)) = (resettable, before, support::peak_memory_mb()) {
            if peak.is_none_or(|(highest, _)| high > highest) {
                peak = Some((high, before));
            }
        }
        written = Some(summary);
    }
    times.sort();
    let summary = written.expect("at least one write");
    let size = std::fs::metadata(&out).map_or(0, |m| m.len());
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<22} {:>7} rows, {:>4} changed, {:>5.1} MB: median {:>7.1} ms, slowest {:>7.1} ms, peak memory {}",
        summary.rows,
        changes.len(),
        size as f64 / 1_048_576.0,
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
        peak.map_or("n/a".to_owned(), |(high, before)| format!(
            "{high:.0} MB (+{:.0} MB over the {before:.0} MB resident before the write)",
            high - before
        )),
    );
}

/// The formats measured, each in a process of its own so that one's memory is not another's.
const CASES: [&str; 3] = ["csv", "windows-1252", "xlsx"];
const CASE_VARIABLE: &str = "WRITE_BENCH_CASE";

fn main() {
    let Ok(case) = std::env::var(CASE_VARIABLE) else {
        println!("Writing a corrected file ({WRITES} writes each):");
        let this = std::env::current_exe().expect("the benchmark's own path");
        for case in CASES {
            let status = std::process::Command::new(&this)
                .env(CASE_VARIABLE, case)
                .status()
                .expect("the benchmark runs again");
            assert!(status.success(), "the {case} case failed");
        }
        return;
    };
    let count = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let rows = count("ROWS", DEFAULT_ROWS);
    let changed = count("CHANGED", DEFAULT_CHANGED);
    let folder = tempfile::tempdir().expect("a scratch folder");
    let changes = changes(rows, changed);
    match case.as_str() {
        "csv" => {
            let text = csv_text(rows);
            bench(
                "CSV, UTF-8",
                text.as_bytes(),
                "users.csv",
                &changes,
                folder.path(),
            );
        }
        "windows-1252" => {
            let latin = encoding_rs::WINDOWS_1252
                .encode(&csv_text(rows))
                .0
                .into_owned();
            bench(
                "CSV, Windows-1252",
                &latin,
                "latin.csv",
                &changes,
                folder.path(),
            );
        }
        _ => {
            let started = Instant::now();
            let workbook = xlsx_bytes(rows, folder.path());
            println!(
                "(write_xlsx alone, {rows} rows of {} cells: {:.0} ms)",
                HEADER.len(),
                started.elapsed().as_secs_f64() * 1000.0
            );
            bench("XLSX", &workbook, "users.xlsx", &changes, folder.path());
        }
    }
}
