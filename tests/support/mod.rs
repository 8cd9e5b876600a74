//! Shared set-up for the integration tests: scratch folders, a sandbox org, clients against it,
//! imported files, and a run recorded and driven to its end. Each test file that uses it says
//! `mod support;`; helpers a file does not use are allowed to be dead there.

#![allow(dead_code)]

pub mod files;
pub mod loopback;
pub mod xlsx;

// Re-exported for the tests that use them; not every test binary does.
#[allow(unused_imports)]
pub use files::assert_no_file_contains;
#[allow(unused_imports)]
pub use loopback::{Canned, Loopback};

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rollcall_core::genesys::{
    ClientConfig, Credentials, Endpoint, GenesysClient, RetryNotice, RetryPolicy, StationWait,
    UserPatch, UserState,
};
use rollcall_core::import::{import_bytes, ImportOptions, ImportReport};
use rollcall_core::plan::{plan, Plan, PlanOptions};
use rollcall_core::run::journal::RowUpdate;
use rollcall_core::run::{
    drive, record_run, EventReceiver, Journal, JournalRow, RunContext, RunControl, RunError,
    RunEvent, RunOrigin, RunSummary, SettlePolicy,
};
use rollcall_core::secrets::Secret;
use rollcall_sandbox::{Sandbox, SandboxConfig, SandboxUser, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use tokio::task::JoinHandle;

/// A scratch folder for a test's journal and locks, removed when the test ends.
pub struct Scratch(tempfile::TempDir);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = tempfile::Builder::new()
            .prefix(&format!("rollcall-{name}-"))
            .tempdir()
            .expect("scratch folder");
        Scratch(dir)
    }

    pub fn path(&self) -> PathBuf {
        self.0.path().to_owned()
    }

    pub fn journal_path(&self) -> PathBuf {
        self.0.path().join("journal.sqlite3")
    }

    pub fn locks(&self) -> PathBuf {
        self.0.path().join("locks")
    }
}

/// This process's peak resident memory in MB (Linux's `VmHWM`); `None` on other systems.
pub fn peak_memory_mb() -> Option<f64> {
    status_mb("VmHWM:")
}

/// This process's resident memory now, in MB (Linux's `VmRSS`); `None` on other systems.
pub fn resident_memory_mb() -> Option<f64> {
    status_mb("VmRSS:")
}

/// A memory figure of `/proc/self/status`, in MB.
fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix(field))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Runs the test named `test` again, alone, in a child process of this test binary, so that
/// what it measures about its process (its peak memory) is its own, not that of the tests
/// running beside it. Returns true in the child, where the test's body runs; in the parent,
/// waits for the child, fails when it failed, and returns false.
pub fn alone(test: &str) -> bool {
    const CHILD: &str = "ROLLCALL_TEST_ALONE";
    if std::env::var(CHILD).as_deref() == Ok(test) {
        return true;
    }
    let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([test, "--exact", "--test-threads=1", "--nocapture"])
        .env(CHILD, test)
        .output()
        .expect("the test binary runs again");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "{test}, run alone, failed:\n{printed}"
    );
    // A filter that matches nothing succeeds too: make sure the test did run.
    assert!(
        printed.contains("1 passed"),
        "{test} did not run alone:\n{printed}"
    );
    false
}

/// Start a sandbox org.
pub async fn start(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config).await.expect("sandbox starts")
}

/// The demo org, as the app's Sandbox profile has it.
pub async fn demo() -> Sandbox {
    start(SandboxConfig::default()).await
}

/// Requests per minute per token of the tests' clients and runs: no test waits on the pacer,
/// and no test makes enough requests on a token to meet a test sandbox's limit at this pace.
/// Pacing itself is tested on tokio's paused clock (`genesys::pacing`) and measured in the
/// benchmark.
pub const TEST_RATE: u32 = 6_000;

/// Short timeouts and millisecond backoffs, so a test of retries takes no time.
pub fn fast_config() -> ClientConfig {
    ClientConfig {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy::fast(),
        rate_per_minute: TEST_RATE,
    }
}

/// A client of the sandbox with this OAuth client.
pub fn client_for(sandbox: &Sandbox, id: &str, secret: &str) -> GenesysClient {
    client_with(sandbox, id, secret, fast_config())
}

/// A client of the sandbox with this OAuth client and configuration.
pub fn client_with(
    sandbox: &Sandbox,
    id: &str,
    secret: &str,
    config: ClientConfig,
) -> GenesysClient {
    client_at(sandbox.url(), id, secret, config)
}

/// A client of the server at `url` (a sandbox, a [`Loopback`]).
pub fn client_at(url: &str, id: &str, secret: &str, config: ClientConfig) -> GenesysClient {
    let endpoint = Endpoint::custom(url).expect("a loopback url");
    GenesysClient::new(endpoint, Credentials::new(id, secret), config).expect("client")
}

/// A client of the sandbox with the demo OAuth client (every permission).
pub fn demo_client(sandbox: &Sandbox) -> GenesysClient {
    client_for(sandbox, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
}

/// A client that records every retry it makes.
pub fn observed(client: GenesysClient) -> (GenesysClient, Arc<Mutex<Vec<RetryNotice>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let client = client.with_retry_observer(Arc::new(move |notice: &RetryNotice| {
        sink.lock().unwrap().push(notice.clone())
    }));
    (client, seen)
}

/// Import CSV text as the app would a file named `users.csv`.
pub fn import(csv: &str) -> ImportReport {
    import_bytes(csv.as_bytes(), "users.csv", &ImportOptions::default()).expect("imports")
}

/// A file of `count` users, `User i,useri@example.com`.
pub fn numbered_users(count: usize) -> String {
    let mut csv = String::from("name,email\n");
    for i in 0..count {
        csv.push_str(&format!("User {i},user{i}@example.com\n"));
    }
    csv
}

/// Settling a lost answer within a second, for tests.
pub fn fast_settle() -> SettlePolicy {
    SettlePolicy {
        window: Duration::from_millis(600),
        interval: Duration::from_millis(100),
        max_resends: 3,
        auth_lag: Duration::from_millis(600),
        station: StationWait {
            reads: 5,
            interval: Duration::from_millis(50),
        },
    }
}

/// The users of the org with this e-mail (any state).
pub fn users_with_email<'a>(users: &'a [SandboxUser], email: &str) -> Vec<&'a SandboxUser> {
    users
        .iter()
        .filter(|u| u.email.eq_ignore_ascii_case(email))
        .collect()
}

/// The user of the org with this e-mail; panics when there is none.
pub fn user_with_email(sandbox: &Sandbox, email: &str) -> SandboxUser {
    sandbox
        .users()
        .into_iter()
        .find(|u| u.email.eq_ignore_ascii_case(email))
        .unwrap_or_else(|| panic!("{email} is in the org"))
}

/// What a driven run returned and every event it sent.
pub struct Outcome {
    pub summary: RunSummary,
    pub events: Vec<RunEvent>,
}

/// Journal a run of `plan` in the scratch journal, sending nothing; its id.
pub fn record(sandbox: &Sandbox, scratch: &Scratch, plan: &Plan) -> String {
    let mut journal = Journal::open(&scratch.journal_path()).unwrap();
    let origin = RunOrigin {
        source_name: "users.csv".into(),
        endpoint: sandbox.url().into(),
        client_id: DEMO_CLIENT_ID.into(),
        ..RunOrigin::default()
    };
    record_run(&mut journal, plan, &origin).unwrap().id
}

/// How a test drives a recorded run.
pub struct Drive {
    pub client: GenesysClient,
    pub pool_size: u8,
    /// The rate every token of the pool paces to.
    pub rate_per_minute: u32,
    pub passwords: HashMap<usize, Secret>,
    pub invite: bool,
    pub control: RunControl,
}

impl Drive {
    /// The demo client, one token, no passwords, no invitations.
    pub fn new(sandbox: &Sandbox) -> Drive {
        Drive {
            client: demo_client(sandbox),
            pool_size: 1,
            rate_per_minute: TEST_RATE,
            passwords: HashMap::new(),
            invite: false,
            control: RunControl::default(),
        }
    }

    /// Drive the run `run_id` of the scratch journal to its end, collecting its events.
    pub async fn run(self, scratch: &Scratch, run_id: &str) -> Result<Outcome, RunError> {
        let (driving, mut received) = self.spawn(scratch, run_id);
        let collector = tokio::spawn(async move {
            let mut events = Vec::new();
            while let Some(event) = received.recv().await {
                events.push(event);
            }
            events
        });
        let summary = driving.await.expect("the run's task")?;
        let events = collector.await.unwrap();
        Ok(Outcome { summary, events })
    }

    /// Start driving the run `run_id` of the scratch journal; its events arrive on the
    /// receiver as they happen, for a test that acts on them.
    pub fn spawn(
        self,
        scratch: &Scratch,
        run_id: &str,
    ) -> (JoinHandle<Result<RunSummary, RunError>>, EventReceiver) {
        let journal = Journal::open(&scratch.journal_path()).unwrap();
        let (events, received) = rollcall_core::run::events::channel();
        let context = RunContext {
            client: self.client,
            lock_dir: scratch.locks(),
            pool_size: self.pool_size,
            rate_per_minute: self.rate_per_minute,
            settle: fast_settle(),
            invite: self.invite,
            passwords: self.passwords,
            events,
            control: self.control,
        };
        let run_id = run_id.to_owned();
        (
            tokio::spawn(async move { drive(journal, &run_id, context).await }),
            received,
        )
    }
}

/// Record `plan` and drive it to its end on the plan's pool, with the file's passwords.
pub async fn run_plan(sandbox: &Sandbox, scratch: &Scratch, plan: &Plan) -> (String, Outcome) {
    let run_id = record(sandbox, scratch, plan);
    let drive = Drive {
        pool_size: plan.pool_size,
        passwords: plan.passwords.clone(),
        ..Drive::new(sandbox)
    };
    let outcome = drive.run(scratch, &run_id).await.expect("run completes");
    (run_id, outcome)
}

/// A client of a scripted [`Loopback`] server (fast retries, the tests' rate).
pub fn loopback_client(server: &Loopback) -> GenesysClient {
    client_at(server.url(), "id", "secret", fast_config())
}

/// A plain HTTP client for raw calls, with the TLS provider reqwest needs installed first.
pub fn raw_http() -> reqwest::Client {
    rollcall_core::genesys::install_tls_provider();
    reqwest::Client::new()
}

/// Raw HTTP against a sandbox with one token, for tests of the wire itself (status codes,
/// headers, bodies) that a typed client would hide.
pub struct Wire {
    pub http: reqwest::Client,
    pub base: String,
    pub bearer: String,
}

/// One raw answer: its status, headers and JSON body (`null` when empty).
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: serde_json::Value,
}

impl Answer {
    /// A header's value as text; panics when it is missing.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("a {name} header"))
            .to_str()
            .unwrap()
    }
}

/// `POST /oauth/token` with client credentials, raw.
pub async fn token_answer(sandbox: &Sandbox, id: &str, secret: &str) -> Answer {
    let response = raw_http()
        .post(format!("{}/oauth/token", sandbox.url()))
        .basic_auth(id, Some(secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .expect("token request");
    read_answer(response).await
}

async fn read_answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body");
    let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

impl Wire {
    /// With a token of the demo client (every permission).
    pub async fn demo(sandbox: &Sandbox) -> Wire {
        Wire::as_client(sandbox, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).await
    }

    /// With a token of this OAuth client.
    pub async fn as_client(sandbox: &Sandbox, id: &str, secret: &str) -> Wire {
        let token = token_answer(sandbox, id, secret).await;
        assert_eq!(token.status, 200, "token: {}", token.body);
        Wire {
            http: raw_http(),
            base: sandbox.url().to_owned(),
            bearer: token.body["access_token"]
                .as_str()
                .expect("access_token")
                .to_owned(),
        }
    }

    /// Send a request with this token and a JSON body, if any.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Answer {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.bearer);
        if let Some(body) = body {
            request = request.json(&body);
        }
        read_answer(request.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> Answer {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: serde_json::Value) -> Answer {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }
}

/// The plan of `report` against the sandbox, with the demo client.
pub async fn plan_with(sandbox: &Sandbox, report: &ImportReport, options: &PlanOptions) -> Plan {
    plan(&demo_client(sandbox), report, options)
        .await
        .expect("the plan is made")
}

/// The rows of a run, as its journal has them now.
pub fn journal_rows(scratch: &Scratch, run_id: &str) -> Vec<JournalRow> {
    Journal::open(&scratch.journal_path())
        .unwrap()
        .rows(run_id)
        .unwrap()
}

/// What a crash right after a restore leaves behind, written as the engine would have: the
/// user of row `index` restored in Genesys (so, in Home, nothing else changed) and the journal
/// saying so, with every step after the restore still to do.
pub async fn restored_then_crashed(
    sandbox: &Sandbox,
    scratch: &Scratch,
    run_id: &str,
    index: usize,
) {
    let mut journal = Journal::open(&scratch.journal_path()).unwrap();
    let row = journal.rows(run_id).unwrap().remove(index);
    let user_id = row
        .existing_user_id
        .expect("a restore row has its user's id");
    let client = demo_client(sandbox);
    let deleted = client.get_deleted_user(&user_id).await.unwrap().value;
    let patch = UserPatch {
        version: deleted.version,
        state: Some(UserState::Active),
        ..UserPatch::default()
    };
    let restored = client.patch_user(&user_id, &patch).await.unwrap().value;
    journal
        .apply(
            run_id,
            &[
                RowUpdate::Intent { index },
                RowUpdate::Restored {
                    index,
                    user_id,
                    version: restored.version,
                },
            ],
        )
        .unwrap();
}
