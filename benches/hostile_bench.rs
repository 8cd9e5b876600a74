//! Hostile-file benchmark: each careless or hostile case of `tests/hostile_files.rs`, at N and
//! 2N, with the import's time and its peak memory, so that linear time and bounded memory show.
//!
//! Each case runs in a child process (this benchmark run again with `--case`), so the peak
//! memory printed is the case's own: the child reads its `VmHWM` from `/proc/self/status` when
//! the import is done. Other systems print no memory figure. The files are written by the
//! parent before the child starts; the time is the import alone, best of 3.
//!
//! Run with `cargo bench --bench hostile_bench`. `ROWS=…` changes N (default 100,000; 2N must
//! stay within the 200,000-row limit).

#[path = "../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

use rollcall_core::import::{import_path, ImportOptions};
use support::xlsx;

const DEFAULT_ROWS: usize = 100_000;
const TARGET_PEAK_MB: f64 = 300.0;
const MB: u64 = 1024 * 1024;

/// The cases, by the name the child is given.
const CASES: [(&str, &str); 10] = [
    ("duplicates", "rows, all with one e-mail address"),
    (
        "wide-header",
        "short rows under a 1,000-column header (refused)",
    ),
    ("short-rows", "short rows under a 512-column header"),
    (
        "delimiters",
        "delimiters on one line under a 2-column header",
    ),
    ("xlsx-bomb", "MB unpacked from a small .xlsx (refused)"),
    (
        "shared-strings",
        "shared strings declared in a 200-byte table (refused)",
    ),
    (
        "xlsx-strings",
        "empty shared strings packed small (refused past 2 million)",
    ),
    (
        "xlsx-repeated",
        "rows repeating one 500 KB shared text (refused past 50 MB of cells)",
    ),
    ("passwords", "rows with PIN, Passwort and Secret columns"),
    (
        "characters",
        "rows with line breaks, control characters, formula names",
    ),
];

/// Writes the file of `case` at scale `n` (rows, MB or a count); returns its name.
fn write_case(case: &str, n: usize, dir: &Path) -> std::io::Result<std::path::PathBuf> {
    let mut text = String::new();
    let (name, bytes) = match case {
        "duplicates" => {
            text.push_str("name,email\n");
            for i in 0..n {
                let _ = writeln!(text, "User {i},same@example.com");
            }
            ("duplicates.csv", text.into_bytes())
        }
        "wide-header" | "short-rows" => {
            let columns = if case == "wide-header" { 1000 } else { 512 };
            text.push_str("name,email");
            for c in 3..=columns {
                let _ = write!(text, ",Extra {c}");
            }
            text.push('\n');
            for i in 0..n {
                let _ = writeln!(text, "User {i},user{i}@example.com");
            }
            ("wide.csv", text.into_bytes())
        }
        "delimiters" => {
            text.push_str("name,email\nAda,ada@example.com");
            text.extend(std::iter::repeat_n(',', n));
            text.push('\n');
            ("delimiters.csv", text.into_bytes())
        }
        "xlsx-bomb" => ("bomb.xlsx", xlsx::bomb(n as u64 * MB)),
        "shared-strings" => {
            let strings = format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="{n}"><si><t>Ada</t></si></sst>"#
            );
            let strings = xlsx::Part::stored("xl/sharedStrings.xml", strings.as_bytes());
            let sheet = xlsx::sheet_of(&[&["name", "email"], &["Ada", "ada@example.com"]]);
            let parts = xlsx::workbook_parts(sheet, Some(strings));
            ("strings.xlsx", xlsx::archive(&parts))
        }
        "xlsx-strings" => {
            let strings = xlsx::Part::repeated(
                "xl/sharedStrings.xml",
                xlsx::STRINGS_START,
                b"<si/>",
                n as u64,
                xlsx::STRINGS_END,
            );
            let sheet = xlsx::sheet_of(&[&["name", "email"], &["Ada", "ada@example.com"]]);
            let parts = xlsx::workbook_parts(sheet, Some(strings));
            ("strings.xlsx", xlsx::archive(&parts))
        }
        "xlsx-repeated" => {
            let mut note = xlsx::STRINGS_START.to_vec();
            note.extend_from_slice(b"<si><t>");
            let strings = xlsx::Part::repeated(
                "xl/sharedStrings.xml",
                &note,
                b"note ",
                100_000,
                b"</t></si></sst>",
            );
            let mut sheet = xlsx::SHEET_START.to_vec();
            sheet.extend_from_slice(
                br#"<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>email</t></is></c><c r="C1" t="inlineStr"><is><t>notes</t></is></c></row>"#,
            );
            for r in 2..n + 2 {
                let _ = write!(
                    text,
                    "<row r=\"{r}\"><c r=\"A{r}\" t=\"inlineStr\"><is><t>U{r}</t></is></c>\
                     <c r=\"B{r}\" t=\"inlineStr\"><is><t>u{r}@example.com</t></is></c>\
                     <c r=\"C{r}\" t=\"s\"><v>0</v></c></row>"
                );
            }
            sheet.extend_from_slice(text.as_bytes());
            sheet.extend_from_slice(xlsx::SHEET_END);
            let sheet = xlsx::Part::stored("xl/worksheets/sheet1.xml", &sheet);
            let parts = xlsx::workbook_parts(sheet, Some(strings));
            ("repeated.xlsx", xlsx::archive(&parts))
        }
        "passwords" => {
            text.push_str("name,email,password,PIN,Passwort,Secret,Passport\n");
            for i in 0..n {
                let _ = writeln!(
                    text,
                    "User {i},user{i}@example.com,Pw-{i}!x,{:04},geheim-{i},s3cr3t-{i},P{i:07}",
                    i % 10_000
                );
            }
            ("passwords.csv", text.into_bytes())
        }
        "characters" => {
            text.push_str("name,email,title,department\n");
            for i in 0..n {
                let _ = match i % 4 {
                    0 => writeln!(
                        text,
                        "\"User\r\n{i}\",user{i}@example.com,\"Lead\nAnalyst\",R&D"
                    ),
                    1 => writeln!(text, "User {i},user{i}@example.com,Lead\u{1b}[2J,R&D"),
                    2 => writeln!(text, "User {i},user{i}@example.com,Analyst,\u{202e}selas"),
                    _ => writeln!(text, "=User {i},user{i}@example.com,Analyst,R&D"),
                };
            }
            ("characters.csv", text.into_bytes())
        }
        other => panic!("no case {other}"),
    };
    let path = dir.join(format!("{n}-{name}"));
    std::fs::write(&path, bytes)?;
    Ok(path)
}

/// In the child: import the file three times; print the best time, this process's peak memory
/// and what the import said.
fn run_child(path: &Path) {
    let mut best = f64::INFINITY;
    let mut outcome = String::new();
    for _ in 0..3 {
        let start = Instant::now();
        let result = import_path(path, &ImportOptions::default());
        best = best.min(start.elapsed().as_secs_f64());
        outcome = match &result {
            Ok(report) => format!(
                "{} rows, {} valid, {} errors, {} warnings, longest message {} bytes",
                report.rows.len(),
                report.valid_drafts().count(),
                report.error_count(),
                report.warning_count(),
                report
                    .issues
                    .iter()
                    .map(|i| i.message.len())
                    .max()
                    .unwrap_or(0)
            ),
            Err(error) => format!("refused: {}", error.kind()),
        };
    }
    let peak = support::peak_memory_mb().map_or("-".to_owned(), |mb| format!("{mb:.1}"));
    println!("seconds={best:.6} peak_mb={peak} outcome={outcome}");
}

struct Measured {
    seconds: f64,
    peak_mb: Option<f64>,
    outcome: String,
}

fn measure(case: &str, path: &Path) -> Result<Measured, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let output = Command::new(exe)
        .arg("--case")
        .arg(case)
        .arg(path)
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("seconds="))
        .ok_or_else(|| {
            format!(
                "the child printed no result: {stdout}{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|f| f.strip_prefix(name))
            .unwrap_or("")
            .to_owned()
    };
    Ok(Measured {
        seconds: field("seconds=").parse().map_err(|_| line.to_owned())?,
        peak_mb: field("peak_mb=").parse().ok(),
        outcome: line
            .split_once("outcome=")
            .map_or("", |(_, o)| o)
            .to_owned(),
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--case") {
        run_child(Path::new(&args[at + 2]));
        return ExitCode::SUCCESS;
    }
    let rows = std::env::var("ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(DEFAULT_ROWS);
    let scratch = support::Scratch::new("hostile-bench");
    let mut over = Vec::new();
    println!("hostile-file benchmark: N and 2N of each case, each in its own process");
    println!(
        "{:<15} {:>12} {:>10} {:>10}  outcome",
        "case", "N", "time", "peak"
    );
    for (case, what) in CASES {
        let scales = match case {
            "xlsx-bomb" => [256, 512],
            "shared-strings" => [1_000_000_000, 2_000_000_000],
            "xlsx-strings" => [10_000_000, 20_000_000],
            "delimiters" => [20_000_000, 40_000_000],
            _ => [rows, 2 * rows],
        };
        let mut times = Vec::new();
        for n in scales {
            let path = write_case(case, n, &scratch.path()).expect("write the case's file");
            match measure(case, &path) {
                Ok(m) => {
                    let peak = m.peak_mb.map_or("-".to_owned(), |mb| format!("{mb:.1} MB"));
                    println!(
                        "{case:<15} {n:>12} {:>8.4} s {peak:>10}  {}",
                        m.seconds, m.outcome
                    );
                    if m.peak_mb.is_some_and(|mb| mb >= TARGET_PEAK_MB) {
                        over.push(format!("{case} at {n}"));
                    }
                    times.push(m.seconds);
                }
                Err(e) => {
                    println!("{case:<15} {n:>12} failed: {e}");
                    over.push(format!("{case} at {n} (failed)"));
                }
            }
            let _ = std::fs::remove_file(&path);
        }
        if let [small, large] = times[..] {
            println!(
                "{:<15} {what}; time 2N/N = {:.2}",
                "",
                large / small.max(1e-9)
            );
        }
    }
    if over.is_empty() {
        println!("peak memory under {TARGET_PEAK_MB} MB in every case: met");
        ExitCode::SUCCESS
    } else {
        println!(
            "peak memory under {TARGET_PEAK_MB} MB: MISSED for {}",
            over.join(", ")
        );
        ExitCode::FAILURE
    }
}
