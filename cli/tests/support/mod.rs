//! Shared set-up for the `rollcall` binary's tests: a scratch home, the binary pointed at it
//! (and at a sandbox org), what it said, and runs journaled without the binary. Each test file
//! says `mod support;`; helpers a file does not use are allowed to be dead there.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use rollcall_core::genesys::{ClientConfig, Credentials, Endpoint, GenesysClient};
use rollcall_core::import::{import_bytes, ImportOptions};
use rollcall_core::paths::AppDirs;
use rollcall_core::plan::{plan, PlanOptions};
use rollcall_core::run::{record_run, Journal, RunOrg, RunOrigin};
use rollcall_sandbox::{Sandbox, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use tokio::io::{BufReader, Lines};
use tokio::process::{ChildStdout, Command};

#[path = "../../../tests/support/files.rs"]
mod files;
// Not every test binary checks files.
#[allow(unused_imports)]
pub use files::assert_no_file_contains;

/// A scratch home for the binary (journal, locks, profiles, logs), removed when the test ends.
pub struct Home(tempfile::TempDir);

impl Home {
    pub fn new(name: &str) -> Home {
        let dir = tempfile::Builder::new()
            .prefix(&format!("rollcall-cli-{name}-"))
            .tempdir()
            .expect("scratch home");
        Home(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// The folders the binary uses under this home.
    pub fn dirs(&self) -> AppDirs {
        AppDirs::under(self.path().to_owned())
    }

    /// Writes `text` to `name` in the home; its path.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// The binary with `home` as its home and no org from the environment, for tests that drive
/// it from a blocking thread.
pub fn rollcall_blocking(home: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rollcall"));
    command
        .env("ROLLCALL_HOME", home)
        .env("HOME", home)
        .env_remove("GENESYS_CLIENT_ID")
        .env_remove("GENESYS_CLIENT_SECRET")
        .env_remove("GENESYS_API_URL")
        .env_remove("GENESYS_REGION")
        .env_remove("ROLLCALL_PROFILE")
        .stdin(Stdio::null());
    command
}

/// [`rollcall_blocking`] pointed at the org at `url` with the demo client.
pub fn against_blocking(home: &Path, url: &str) -> std::process::Command {
    let mut command = rollcall_blocking(home);
    command
        .env("GENESYS_CLIENT_ID", DEMO_CLIENT_ID)
        .env("GENESYS_CLIENT_SECRET", DEMO_CLIENT_SECRET)
        .env("GENESYS_API_URL", url);
    command
}

/// The binary with `home` as its home and no org from the environment.
pub fn rollcall(home: &Home) -> Command {
    rollcall_blocking(home.path()).into()
}

/// [`rollcall`] pointed at `sandbox` with the demo client.
pub fn against(home: &Home, sandbox: &Sandbox) -> Command {
    against_blocking(home.path(), sandbox.url()).into()
}

pub async fn output(command: &mut Command) -> Output {
    command.output().await.expect("rollcall runs")
}

/// Standard output then standard error.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// Reads a running binary's output until a line `wanted` accepts; that line. The binary's
/// own output says when it got somewhere, so no test guesses how long that takes.
pub async fn line_where(
    lines: &mut Lines<BufReader<ChildStdout>>,
    wanted: impl Fn(&str) -> bool,
) -> String {
    while let Some(line) = lines.next_line().await.expect("the binary's output") {
        if wanted(&line) {
            return line;
        }
    }
    panic!("the binary ended without the line the test waits for");
}

/// A file of `count` new users, User 0 (user0@example.com) onwards.
pub fn numbered_users(count: usize) -> String {
    let mut csv = String::from("name,email\n");
    for i in 0..count {
        csv.push_str(&format!("User {i},user{i}@example.com\n"));
    }
    csv
}

/// The org `sandbox` serves, with the demo client, as a run journaled against it records it.
pub fn org_of(sandbox: &Sandbox) -> RunOrg {
    RunOrg {
        endpoint: sandbox.url().to_owned(),
        client_id: DEMO_CLIENT_ID.to_owned(),
        profile: None,
    }
}

/// Journal a run of `csv`, planned against `sandbox`, in `home`'s journal as started in `org`
/// and stopped before it sent anything; its id.
pub async fn journaled_run(home: &Home, sandbox: &Sandbox, csv: &str, org: RunOrg) -> String {
    let report = import_bytes(csv.as_bytes(), "users.csv", &ImportOptions::default()).unwrap();
    let client = GenesysClient::new(
        Endpoint::custom(sandbox.url()).unwrap(),
        Credentials::new(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
        ClientConfig::default(),
    )
    .unwrap();
    let plan = plan(&client, &report, &PlanOptions::default())
        .await
        .unwrap();
    let mut journal = Journal::open(&home.dirs().journal()).unwrap();
    // The results of a resume go next to the file.
    let file = home.file("users.csv", csv);
    let origin = RunOrigin {
        source_name: "users.csv".to_owned(),
        source_path: Some(file.display().to_string()),
        ..RunOrigin::from(org)
    };
    record_run(&mut journal, &plan, &origin).unwrap().id
}

/// Writes text Rollcall never writes into a cell of `home`'s journal, as a bad disk or a hand
/// edit would; `statement` takes the run's id as `?1`.
pub fn damage_journal(home: &Home, statement: &str, run_id: &str) {
    rusqlite::Connection::open(home.dirs().journal())
        .unwrap()
        .execute(statement, [run_id])
        .unwrap();
}

/// What a sandbox has served: API calls and token requests.
pub fn served(sandbox: &Sandbox) -> (u64, u64) {
    let stats = sandbox.stats();
    (stats.requests, stats.token_requests)
}
