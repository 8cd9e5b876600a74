//! What the benchmarks share: the sandbox org in its own process, and a recorded run driven
//! to its end.

// Each benchmark is its own crate and uses a part of what they share.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use rollcall_core::genesys::{ClientConfig, Credentials, Endpoint, GenesysClient};
use rollcall_core::plan::Plan;
use rollcall_core::run::{
    drive, record_run, Journal, RunContext, RunControl, RunEvent, RunOrigin, RunSummary,
    SettlePolicy,
};
use rollcall_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

/// The sandbox's flags for Genesys's defaults: 300 requests per token over any 60 s, 250 ± 100
/// ms per request.
pub const GENESYS: [&str; 8] = [
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
pub struct SandboxProcess {
    child: Child,
    pub url: String,
}

impl SandboxProcess {
    /// An empty org (a home division only).
    pub fn start(args: &[&str]) -> SandboxProcess {
        Self::spawn(&["--empty"], args)
    }

    /// The demo org: its divisions, roles, queues, skills and locations.
    pub fn start_demo(args: &[&str]) -> SandboxProcess {
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

    pub fn client(&self) -> GenesysClient {
        GenesysClient::new(
            Endpoint::custom(&self.url).unwrap(),
            Credentials::new(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
            ClientConfig::default(),
        )
        .unwrap()
    }

    pub async fn stats(&self) -> serde_json::Value {
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

/// Journal a run of `plan` and drive it to the end; the seconds from the start of its work (the
/// engine's `Started`) to the last row's answer.
pub async fn record_and_drive(
    client: GenesysClient,
    plan: &Plan,
    mut journal: Journal,
) -> (RunSummary, f64) {
    let record = record_run(&mut journal, plan, &RunOrigin::default()).unwrap();
    drive_again(client, plan, journal, &record.id).await
}

/// Drive the journaled run `run_id` of `plan` to the end (again, after a crash); the seconds
/// from the start of its work to the last row's answer.
pub async fn drive_again(
    client: GenesysClient,
    plan: &Plan,
    journal: Journal,
    run_id: &str,
) -> (RunSummary, f64) {
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
    let summary = drive(journal, run_id, context).await.unwrap();
    let seconds = drain.await.unwrap();
    (summary, seconds)
}
