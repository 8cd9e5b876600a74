//! Import benchmark: reads and validates a generated 100,000-row CSV in the tutorial layout
//! (`email,name,division_id`) and compares it, in the same run, with the common tutorial's Python
//! loader (`tests/bench/tutorial_loader.py`: `csv.DictReader`, strip, skip rows without e-mail or
//! name, nothing else). The target is full validation in at most half the baseline's time and a
//! peak memory under 150 MB.
//!
//! Run with `cargo bench --bench import_bench`. `ROWS=…` changes the row count.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rollcall_core::import::{import_path, ImportOptions};

const DEFAULT_ROWS: usize = 100_000;
const TARGET_RATIO: f64 = 0.5;
const TARGET_PEAK_MB: f64 = 150.0;
const BASELINE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/bench/tutorial_loader.py"
);

const FIRST: [&str; 16] = [
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Margaret",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "Dennis",
    "Radia",
    "Linus",
    "Hedy",
    "Tim",
    "Sophie",
    "Guido",
];
const LAST: [&str; 16] = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Johnson",
    "Hamilton",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "Ritchie",
    "Perlman",
    "Torvalds",
    "Lamarr",
    "Berners-Lee",
    "Wilson",
    "van Rossum",
];
const DIVISIONS: [&str; 4] = [
    "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
    "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
    "",
];

/// Writes the tutorial-layout file: unique addresses, a few shapes of name, ids and empty
/// divisions mixed.
fn generate(path: &Path, rows: usize) -> std::io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "email,name,division_id")?;
    for i in 0..rows {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i / FIRST.len()) % LAST.len()];
        let division = DIVISIONS[i % DIVISIONS.len()];
        writeln!(
            out,
            "{}.{}{i:06}@contoso-example.com,{first} {last},{division}",
            first.to_ascii_lowercase(),
            last.to_ascii_lowercase().replace(' ', ""),
        )?;
    }
    out.flush()
}

fn baseline_seconds(path: &Path) -> Result<f64, String> {
    let output = Command::new("python3")
        .arg(BASELINE)
        .arg(path)
        .output()
        .map_err(|e| format!("could not run python3: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .split_whitespace()
        .find_map(|field| field.strip_prefix("seconds="))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("unexpected baseline output: {stdout}"))
}

fn main() {
    let rows = std::env::var("ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(DEFAULT_ROWS);
    let dir: PathBuf =
        std::env::temp_dir().join(format!("rollcall-import-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("tutorial.csv");
    generate(&path, rows).expect("write the benchmark file");
    let size_mb = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;

    let opts = ImportOptions::default();
    let mut best = f64::INFINITY;
    let mut first = 0.0;
    let mut valid = 0;
    for run in 0..3 {
        let start = Instant::now();
        let report = import_path(&path, &opts).expect("the benchmark file imports");
        let seconds = start.elapsed().as_secs_f64();
        if run == 0 {
            first = seconds;
        }
        best = best.min(seconds);
        valid = report.valid_drafts().count();
        assert_eq!(report.error_count(), 0, "the generated file is valid");
        drop(report);
    }
    let peak = support::peak_memory_mb();
    let baseline = baseline_seconds(&path);
    let _ = std::fs::remove_dir_all(&dir);

    println!("import benchmark (tutorial layout email,name,division_id)");
    println!("rows:              {rows} ({valid} valid)");
    println!("file:              {size_mb:.1} MB");
    println!("rollcall:          {best:.4} s (read + map + full validation, best of 3)");
    println!("rollcall 1st run:  {first:.4} s (fresh process: every page of memory is new)");
    match &baseline {
        Ok(seconds) => {
            let ratio = best / seconds;
            println!(
                "baseline:          {seconds:.4} s (python csv.DictReader tutorial loader, best \
                 of 3)"
            );
            println!(
                "ratio:             {ratio:.3} (target <= {TARGET_RATIO}: {})",
                if ratio <= TARGET_RATIO {
                    "met"
                } else {
                    "MISSED"
                }
            );
        }
        Err(e) => println!("baseline:          not measured ({e})"),
    }
    match peak {
        Some(mb) => println!(
            "peak memory:       {mb:.1} MB (VmHWM; target < {TARGET_PEAK_MB}: {})",
            if mb < TARGET_PEAK_MB { "met" } else { "MISSED" }
        ),
        None => println!("peak memory:       not measured (no /proc/self/status)"),
    }
}
