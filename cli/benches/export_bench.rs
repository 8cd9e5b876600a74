//! Export users measured against the sandbox org in its own process, at Genesys's defaults: 300
//! requests per token over any 60 s, 250 ± 100 ms per request.
//!
//! `cargo bench -p rollcall-cli --bench export_bench` prints, for the demo org with 5,000 more
//! active users, each format: the export's time, its calls (as it counts them and as the
//! sandbox served them, by kind), and the file's size. `-- --quick` exports 500.

mod support;

use std::time::Instant;

use rollcall_core::roster::{export_users, RosterFormat, RosterOptions};
use support::{SandboxProcess, GENESYS};

async fn export_scenario(users: usize) {
    let count = users.to_string();
    let mut args = GENESYS.to_vec();
    args.extend(["--seed-users", &count]);
    let sandbox = SandboxProcess::start_demo(&args);
    let client = sandbox.client();
    let folder = tempfile::tempdir().unwrap();
    for format in [RosterFormat::Csv, RosterFormat::Xlsx] {
        let path = folder.path().join(format!("users.{}", format.extension()));
        let before = sandbox.stats().await;
        let started = Instant::now();
        let summary = export_users(&client, &path, format, &RosterOptions::default(), None)
            .await
            .expect("the export is written");
        let seconds = started.elapsed().as_secs_f64();
        let after = sandbox.stats().await;
        let delta = |key: &str| after[key].as_u64().unwrap() - before[key].as_u64().unwrap();
        assert!(summary.users >= users, "{} users exported", summary.users);
        println!(
            "export {:?}: {} users in {seconds:.1} s; {} calls (sandbox served {}: {} user pages, \
             {} role and queue member pages, {} directory pages); {} bytes ({:.0} bytes a user)",
            format,
            summary.users,
            summary.calls,
            delta("requests"),
            delta("userPages"),
            delta("membershipPages"),
            delta("directoryPages"),
            summary.bytes,
            summary.bytes as f64 / summary.users as f64,
        );
    }
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    export_scenario(if quick { 500 } else { 5_000 }).await;
}
