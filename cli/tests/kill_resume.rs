//! A run in its own process, killed at random moments (SIGKILL on Unix, TerminateProcess on
//! Windows: no chance to clean up either way) and resumed each time: the org ends with every
//! valid row's user exactly once, and every row has a final status, and the journal's file lock
//! is freed by the OS each time.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use rollcall_core::run::{Journal, RowStatus, RunStatus};
use rollcall_sandbox::{Latency, RateLimitConfig, Sandbox, SandboxConfig};

mod support;

use support::{against_blocking, Home};

const ROWS: usize = 600;
const KILLS: usize = 5;

/// A small deterministic generator, seeded from the clock and printed for a rerun.
struct Lcg(u64);

impl Lcg {
    fn between(&mut self, low: u64, high: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        low + (self.0 >> 33) % (high - low)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_runs_resume_without_duplicates_or_losses() {
    let config = SandboxConfig {
        rate_limit: RateLimitConfig {
            requests: 60,
            window: Duration::from_secs(1),
        },
        latency: Latency {
            base: Duration::from_millis(5),
            jitter: Duration::from_millis(5),
        },
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let url = sandbox.url().to_owned();
    let scratch = Home::new("kill");
    let home = scratch.path().to_owned();
    let file = home.join("people.csv");
    let mut csv = String::from("name,email,division\n");
    for i in 0..ROWS {
        csv.push_str(&format!("Person {i},person{i}@example.com,Sales\n"));
    }
    std::fs::write(&file, csv).unwrap();

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    println!("kill schedule seed: {seed}");
    let mut random = Lcg(seed);

    let home_for_blocking = home.clone();
    let url_for_blocking = url.clone();
    let (run_id, kills) = tokio::task::spawn_blocking(move || {
        let home = home_for_blocking;
        let url = url_for_blocking;
        // The first process: wait until the run is journaled, then kill it at a random moment.
        let mut first = against_blocking(&home, &url)
            .args([
                "run",
                file.to_str().unwrap(),
                "--yes",
                "--pool",
                "2",
                // The sandbox's scaled limit (60 a second per token), told as an admin would
                // tell a raised one; the resumes pace to it from the journal.
                "--rate",
                "2400",
                "--settle-seconds",
                "1",
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(first.stdout.take().unwrap()).lines();
        let run_id = loop {
            let line = lines.next().expect("the run starts").unwrap();
            if let Some(rest) = line.strip_prefix("Run ") {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        std::thread::sleep(Duration::from_millis(random.between(50, 800)));
        first.kill().unwrap();
        first.wait().unwrap();
        let mut kills = 1;
        while kills < KILLS {
            let mut resumed = against_blocking(&home, &url)
                .args(["resume", &run_id, "--yes", "--settle-seconds", "1"])
                .stdout(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(random.between(150, 900)));
            let finished = resumed.try_wait().unwrap().is_some();
            resumed.kill().ok();
            resumed.wait().unwrap();
            if finished {
                break;
            }
            kills += 1;
        }
        (run_id, kills)
    })
    .await
    .unwrap();

    let status = against_blocking(&home, &url)
        .args(["resume", &run_id, "--yes", "--settle-seconds", "1"])
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0), "the last resume finishes cleanly");
    assert!(
        kills >= 3,
        "the run was killed mid-way at least 3 times ({kills})"
    );

    let journal = Journal::open(&scratch.dirs().journal()).unwrap();
    assert_eq!(journal.run(&run_id).unwrap().status, RunStatus::Finished);
    let rows = journal.rows(&run_id).unwrap();
    assert_eq!(rows.len(), ROWS);
    let not_created: Vec<_> = rows
        .iter()
        .filter(|r| r.status != RowStatus::Created)
        .map(|r| (r.line, r.status, r.note.clone()))
        .collect();
    assert!(
        not_created.is_empty(),
        "every row created by this run: {not_created:?}"
    );

    let mut per_email: HashMap<String, usize> = HashMap::new();
    for user in sandbox.users() {
        *per_email.entry(user.email.to_lowercase()).or_default() += 1;
    }
    for i in 0..ROWS {
        assert_eq!(
            per_email.get(&format!("person{i}@example.com")),
            Some(&1),
            "person{i}"
        );
    }
    assert_eq!(sandbox.stats().users_created as usize, ROWS);
}
