//! Rollcall's engine, measured against the sandbox org running in its own process, at
//! Genesys's defaults unless said: 300 requests per token over any 60 s, 250 ± 100 ms per
//! request, no rate-limit headers.
//!
//! `cargo bench -p rollcall-cli --bench engine_bench` prints:
//! - **pacing**: 3,000 rows with only a name and an e-mail (one create each) on the plan's own
//!   pool: requests per minute from the first create to the last (the plan excluded), against
//!   the pool's allowance, and the share of 429s;
//! - **adapt**: the same run with the sandbox's limit at 200 per token while the client
//!   believes 300: the share of 429s, whether every row was created exactly once, and the rate
//!   the tokens settle at;
//! - **baseline**: the common tutorial's loop (one request at a time, 100 ms pause, 429 → wait
//!   2/4/8 s, three times) against Rollcall, 100 rows each;
//! - **scale**: 10,000 rows in one run against a limit high enough not to matter (read from the
//!   org's limits) — the engine process's peak memory, and the journal's cost (on disk versus
//!   in memory);
//! - **steps**: 1,000 users of the demo org, each with 2 roles, 2 queues and 3 skills — the
//!   calls the run makes against one call per role, queue and skill, and the run's time at
//!   Genesys's default limit (300 per token per 60 s, 250 ± 100 ms per request).
//!
//! `-- --quick` runs a small version of each for a smoke test.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rollcall_core::genesys::pacing::pace_for;
use rollcall_core::genesys::{
    ClientConfig, CreateUser, Credentials, Endpoint, GenesysClient, GenesysError, RetryPolicy,
    UserState,
};
use rollcall_core::import::{import_bytes, ImportOptions};
use rollcall_core::plan::{plan, Plan, PlanOptions};
use rollcall_core::run::{
    drive, record_run, Journal, RunContext, RunControl, RunEvent, RunOrigin, RunSummary,
    SettlePolicy,
};
use rollcall_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

/// The sandbox's flags for Genesys's defaults: 300 requests per token over any 60 s, 250 ± 100
/// ms per request.
const GENESYS: [&str; 8] = [
    "--latency-ms",
    "250",
    "--jitter-ms",
    "100",
    "--rate-limit",
    "300",
    "--rate-window",
    "60",
];

/// A sandbox org in its own process.
struct SandboxProcess {
    child: Child,
    url: String,
}

impl SandboxProcess {
    /// An empty org (a home division only).
    fn start(args: &[&str]) -> SandboxProcess {
        Self::spawn(&["--empty"], args)
    }

    /// The demo org: its divisions, roles, queues, skills and locations.
    fn start_demo(args: &[&str]) -> SandboxProcess {
        Self::spawn(&[], args)
    }

    fn spawn(seed: &[&str], args: &[&str]) -> SandboxProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rollcall"))
            .args(["sandbox", "--json"])
            .args(seed)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("rollcall sandbox starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: serde_json::Value = serde_json::from_str(&line).expect("sandbox JSON line");
        SandboxProcess {
            child,
            url: info["url"].as_str().unwrap().to_owned(),
        }
    }

    fn client(&self) -> GenesysClient {
        GenesysClient::new(
            Endpoint::custom(&self.url).unwrap(),
            Credentials::new(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
            ClientConfig::default(),
        )
        .unwrap()
    }

    async fn stats(&self) -> serde_json::Value {
        rollcall_core::genesys::install_tls_provider();
        reqwest::get(format!("{}/__sandbox/stats", self.url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn csv(rows: usize, prefix: &str) -> String {
    let mut text = String::from("email,name\n");
    for i in 0..rows {
        text.push_str(&format!("{prefix}{i}@example.com,User {prefix} {i}\n"));
    }
    text
}

struct Measured {
    rows: usize,
    /// From the start of the run's creates to the last row's answer (the plan excluded).
    seconds: f64,
    /// Requests the sandbox answered in that time, 429s included.
    requests: u64,
    rate_limited: u64,
    /// Users the sandbox created in that time.
    created: u64,
    pool_size: u8,
    /// Requests per minute per token the plan paced to.
    allowance_per_minute: u32,
    /// The pool's pace at the end, in requests per minute (all tokens).
    final_pace: f64,
}

/// Plan and run `rows` rows with Rollcall's engine; times the run (not the plan).
async fn rollcall_run(
    sandbox: &SandboxProcess,
    rows: usize,
    prefix: &str,
    pool: Option<u8>,
    journal: Journal,
) -> Measured {
    let report = import_bytes(
        csv(rows, prefix).as_bytes(),
        "bench.csv",
        &ImportOptions::default(),
    )
    .unwrap();
    let client = sandbox.client();
    let options = PlanOptions {
        pool_size: pool,
        ..PlanOptions::default()
    };
    let plan = plan(&client, &report, &options).await.unwrap();
    assert_eq!(plan.counts.create, rows);
    let before = sandbox.stats().await;
    let (summary, seconds) = record_and_drive(client, &plan, journal).await;
    assert_eq!(summary.progress.created, rows, "{:?}", summary.message);
    let after = sandbox.stats().await;
    let delta = |key: &str| after[key].as_u64().unwrap() - before[key].as_u64().unwrap();
    Measured {
        rows,
        seconds,
        requests: delta("requests"),
        rate_limited: delta("rateLimited"),
        created: delta("usersCreated"),
        pool_size: plan.pool_size,
        allowance_per_minute: plan.allowance_per_minute,
        final_pace: summary.progress.rate_per_minute,
    }
}

/// Journal a run of `plan` and drive it to the end; the seconds from the start of its work (the
/// engine's `Started`) to the last row's answer.
async fn record_and_drive(
    client: GenesysClient,
    plan: &Plan,
    mut journal: Journal,
) -> (RunSummary, f64) {
    let record = record_run(&mut journal, plan, &RunOrigin::default()).unwrap();
    let (events, mut received) = rollcall_core::run::events::channel();
    let drain = tokio::spawn(async move {
        let (mut started, mut last_row) = (None, None);
        while let Some(event) = received.recv().await {
            match event {
                RunEvent::Started { .. } => started = Some(Instant::now()),
                RunEvent::RowFinished { .. } => last_row = Some(Instant::now()),
                _ => {}
            }
        }
        match (started, last_row) {
            (Some(started), Some(last)) => last.duration_since(started).as_secs_f64(),
            _ => f64::NAN,
        }
    });
    let locks = std::env::temp_dir().join(format!("rollcall-bench-locks-{}", std::process::id()));
    let context = RunContext {
        client,
        lock_dir: locks,
        pool_size: plan.pool_size,
        rate_per_minute: plan.allowance_per_minute,
        settle: SettlePolicy::default(),
        invite: false,
        passwords: HashMap::new(),
        events,
        control: RunControl::default(),
    };
    let summary = drive(journal, &record.id, context).await.unwrap();
    let seconds = drain.await.unwrap();
    (summary, seconds)
}

/// The common tutorial's loop: one request at a time, a 100 ms pause after each, and on a 429
/// a wait of 2, 4, then 8 s (three tries), with no other retry.
async fn tutorial_run(sandbox: &SandboxProcess, rows: usize) -> Measured {
    let config = ClientConfig {
        retry: RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        },
        ..ClientConfig::default()
    };
    let client = GenesysClient::new(
        Endpoint::custom(&sandbox.url).unwrap(),
        Credentials::new(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
        config,
    )
    .unwrap();
    client.authenticate().await.unwrap();
    let started = Instant::now();
    let mut requests = 0;
    let mut rate_limited = 0;
    for i in 0..rows {
        let body = CreateUser {
            name: format!("Tutorial {i}"),
            email: format!("tutorial{i}@example.com"),
            state: Some(UserState::Active),
            ..CreateUser::default()
        };
        for wait in [0u64, 2, 4, 8] {
            if wait > 0 {
                tokio::time::sleep(Duration::from_secs(wait)).await;
            }
            requests += 1;
            match client.create_user(&body).await {
                Err(GenesysError::GaveUp { last, .. }) if last.status() == Some(429) => {
                    rate_limited += 1;
                }
                _ => break,
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Measured {
        rows,
        seconds: started.elapsed().as_secs_f64(),
        requests,
        rate_limited,
        created: rows as u64,
        pool_size: 1,
        allowance_per_minute: 300,
        final_pace: f64::NAN,
    }
}

fn per_minute(m: &Measured) -> f64 {
    m.rows as f64 / m.seconds * 60.0
}

/// `part` of `whole`, in percent.
fn share(part: u64, whole: u64) -> f64 {
    part as f64 / whole.max(1) as f64 * 100.0
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let only: Option<String> = std::env::args()
        .skip(1)
        .find(|a| ["pacing", "adapt", "baseline", "scale", "steps"].contains(&a.as_str()));
    let wants = |name: &str| only.as_deref().is_none_or(|o| o == name);

    if wants("pacing") {
        // (a) 3,000 one-request rows on the plan's pool.
        let rows = if quick { 600 } else { 3_000 };
        let sandbox = SandboxProcess::start(&GENESYS);
        let run = rollcall_run(&sandbox, rows, "pace", None, Journal::in_memory().unwrap()).await;
        let allowance = f64::from(run.pool_size) * f64::from(run.allowance_per_minute);
        let achieved = run.requests as f64 / run.seconds * 60.0;
        println!(
            "pacing: {} rows on {} tokens in {:.1} s: {:.0} requests/min ({:.0} rows/min) of an allowance of {:.0}/min: ratio {:.3}; 429s: {} of {} requests ({:.2}%)",
            run.rows,
            run.pool_size,
            run.seconds,
            achieved,
            per_minute(&run),
            allowance,
            achieved / allowance,
            run.rate_limited,
            run.requests,
            share(run.rate_limited, run.requests)
        );
    }

    if wants("adapt") {
        // (b) The org's real limit is 200 per token; the client believes Genesys's 300.
        let rows = if quick { 600 } else { 3_000 };
        let mut lower = GENESYS;
        lower[5] = "200";
        let sandbox = SandboxProcess::start(&lower);
        let run = rollcall_run(&sandbox, rows, "adapt", None, Journal::in_memory().unwrap()).await;
        println!(
            "adapt: {} rows on {} tokens believing {}/min against a real 200/min: {:.1} s, {:.0} rows/min; 429s: {} of {} requests ({:.2}%); {} users created for {} rows; settled at {:.1} requests/min per token",
            run.rows,
            run.pool_size,
            run.allowance_per_minute,
            run.seconds,
            per_minute(&run),
            run.rate_limited,
            run.requests,
            share(run.rate_limited, run.requests),
            run.created,
            run.rows,
            run.final_pace / f64::from(run.pool_size)
        );
    }

    if wants("baseline") {
        // (b) Against the tutorial's loop at Genesys's real limit, 100 rows each.
        let rows = if quick { 20 } else { 100 };
        let sandbox = SandboxProcess::start(&GENESYS);
        let tutorial = tutorial_run(&sandbox, rows).await;
        let ours = rollcall_run(
            &sandbox,
            rows,
            "rollcall",
            None,
            Journal::in_memory().unwrap(),
        )
        .await;
        println!(
            "baseline: tutorial loop {:.0} rows/min ({} rows in {:.1} s); Rollcall {:.0} rows/min ({} rows in {:.1} s); {:.1}× faster",
            per_minute(&tutorial),
            tutorial.rows,
            tutorial.seconds,
            per_minute(&ours),
            ours.rows,
            ours.seconds,
            per_minute(&ours) / per_minute(&tutorial)
        );
        println!(
            "baseline: 10,000 users at Genesys's default limit would take the tutorial loop {:.0} min; Rollcall on 10 tokens paced at {:.0}/min each: {:.1} min",
            10_000.0 / per_minute(&tutorial),
            pace_for(300),
            10_000.0 / (10.0 * pace_for(300))
        );
    }

    if wants("scale") {
        // 10,000 rows, journal on disk versus in memory, realistic latency, a limit high enough
        // not to matter, which the plan reads from the org's limits.
        let rows = if quick { 1_000 } else { 10_000 };
        let sandbox = SandboxProcess::start(&[
            "--latency-ms",
            "250",
            "--jitter-ms",
            "100",
            "--rate-limit",
            "1000000",
            "--rate-window",
            "60",
            "--org-limits-readable",
        ]);
        let memory = rollcall_run(
            &sandbox,
            rows,
            "memory",
            Some(10),
            Journal::in_memory().unwrap(),
        )
        .await;
        let dir =
            std::env::temp_dir().join(format!("rollcall-bench-journal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let disk_journal = Journal::open(&dir.join("journal.sqlite3")).unwrap();
        let disk = rollcall_run(&sandbox, rows, "disk", Some(10), disk_journal).await;
        let _ = std::fs::remove_dir_all(&dir);
        println!(
            "scale: {rows} rows on 10 tokens: journal on disk {:.1} s, in memory {:.1} s: journal cost {:+.1}% of run time; {:.0} rows/min",
            disk.seconds,
            memory.seconds,
            (disk.seconds - memory.seconds) / memory.seconds * 100.0,
            per_minute(&disk)
        );
        println!(
            "scale: peak memory of the engine's process {:.1} MB",
            peak_rss_mb()
        );
    }

    if wants("steps") {
        steps_scenario(if quick { 100 } else { 1_000 }).await;
    }
}

/// 2 roles, 2 queues and 3 skills per user, spread over the demo org's queues and skills.
fn steps_csv(rows: usize) -> String {
    const QUEUES: [&str; 5] = [
        "Sales",
        "Support",
        "Billing",
        "Escalations",
        "Spanish Support",
    ];
    const SKILLS: [&str; 5] = ["English", "Spanish", "French", "Billing", "Technical"];
    let mut text = String::from("email,name,roles_divisions,queues,skills\n");
    for i in 0..rows {
        let queues = format!("{},{}", QUEUES[i % 5], QUEUES[(i + 1) % 5]);
        let skills = format!(
            "{}:{},{}:{},{}:{}",
            SKILLS[i % 5],
            1 + i % 5,
            SKILLS[(i + 1) % 5],
            1 + (i + 1) % 5,
            SKILLS[(i + 2) % 5],
            1 + (i + 2) % 5
        );
        text.push_str(&format!(
            "step{i}@example.com,Step User {i},Agent:Support|Employee,\"{queues}\",\"{skills}\"\n"
        ));
    }
    text
}

async fn steps_scenario(rows: usize) {
    let sandbox = SandboxProcess::start_demo(&GENESYS);
    let report = import_bytes(
        steps_csv(rows).as_bytes(),
        "steps.csv",
        &ImportOptions::default(),
    )
    .unwrap();
    let client = sandbox.client();
    let plan = plan(&client, &report, &PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(plan.counts.create, rows, "{:?}", plan.rows.first());
    let before = sandbox.stats().await;
    let (summary, seconds) = record_and_drive(client, &plan, Journal::in_memory().unwrap()).await;
    assert_eq!(summary.progress.created, rows, "{:?}", summary.message);
    assert_eq!(summary.progress.steps_failed, 0, "{:?}", summary.message);
    let after = sandbox.stats().await;
    let delta = |key: &str| after[key].as_u64().unwrap() - before[key].as_u64().unwrap();
    let calls = delta("requests");
    let (grants, skills, queues) = (
        delta("grantCalls"),
        delta("skillCalls"),
        delta("queueMemberCalls"),
    );
    // One call per create, per role, per queue membership and per skill.
    let naive = rows as u64 * (1 + 2 + 2 + 3);
    let naive_steps = rows as u64 * (2 + 2 + 3);
    println!(
        "steps: {rows} users × (2 roles, 2 queues, 3 skills): {calls} calls in all ({} creates, {grants} role, {skills} skill, {queues} queue-member calls) against {naive} one item at a time: {:.1}× fewer; the steps alone {} against {naive_steps}: {:.1}× fewer",
        delta("usersCreated"),
        naive as f64 / calls as f64,
        grants + skills + queues,
        naive_steps as f64 / (grants + skills + queues) as f64,
    );
    let allowance = f64::from(plan.pool_size) * f64::from(plan.allowance_per_minute);
    println!(
        "steps: run time {seconds:.1} s on {} tokens at {} requests/min each ({:.0} requests/min achieved, {} 429s); one call per item would need at least {:.1} s at the same allowance",
        plan.pool_size,
        plan.allowance_per_minute,
        calls as f64 / seconds * 60.0,
        delta("rateLimited"),
        naive as f64 / allowance * 60.0,
    );
}
