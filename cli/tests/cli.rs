//! The `rollcall` binary against the sandbox org: each subcommand, each exit code, the JSON
//! Lines output, Ctrl-C then resume, and profiles with a real keychain.

use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::time::Duration;

use rollcall_core::run::{Journal, RunOrg, BUILT_IN_SANDBOX};
use rollcall_sandbox::{
    Faults, Latency, RateLimitConfig, Sandbox, SandboxClient, SandboxConfig, DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

#[path = "../../tests/support/loopback.rs"]
mod loopback;
mod support;

use support::{
    against, assert_no_file_contains, damage_journal, journaled_run, json_lines, line_where,
    numbered_users, org_of, output, rollcall, served, text, Home,
};

const GOOD: &str =
    "name,email,division\nAda Lovelace,ada@example.com,Sales\nAlan Turing,alan@example.com,\n";
const WITH_BAD_ROW: &str =
    "name,email,division\nAda Lovelace,ada@example.com,Sales\nNo Mail,,\nGrace,grace@example.com,\n";

#[tokio::test]
async fn template_validates_cleanly() {
    let home = Home::new("template");
    let template = output(rollcall(&home).arg("template")).await;
    assert!(template.status.success());
    let csv = String::from_utf8(template.stdout).unwrap();
    assert!(csv.starts_with("name,email,"), "{csv}");
    let file = home.file("template.csv", &csv);
    let validated = output(rollcall(&home).arg("validate").arg(&file)).await;
    assert_eq!(validated.status.code(), Some(0), "{}", text(&validated));
}

#[tokio::test]
async fn validate_exits_2_on_invalid_rows_and_speaks_json_lines() {
    let home = Home::new("validate");
    let good = home.file("good.csv", GOOD);
    let bad = home.file("bad.csv", WITH_BAD_ROW);
    let ok = output(rollcall(&home).arg("validate").arg(&good)).await;
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert!(text(&ok).contains("2 rows: 2 valid"), "{}", text(&ok));

    let failed = output(rollcall(&home).arg("validate").arg(&bad)).await;
    assert_eq!(failed.status.code(), Some(2));
    assert!(text(&failed).contains("line 3"), "{}", text(&failed));

    let json = output(rollcall(&home).args(["validate", "--json"]).arg(&bad)).await;
    let lines = json_lines(&json);
    let issue = lines
        .iter()
        .find(|l| l["type"] == "issue")
        .expect("an issue line");
    assert_eq!(issue["issue"]["line"], 3);
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["invalidRows"], 1);
    assert_eq!(summary["validRows"], 2);

    let missing = output(
        rollcall(&home)
            .arg("validate")
            .arg(home.path().join("nope.csv")),
    )
    .await;
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing).contains("nope.csv"), "{}", text(&missing));
}

#[tokio::test]
async fn validate_reads_an_ambiguous_hire_date_only_with_a_date_order() {
    let home = Home::new("date-order");
    let file = home.file(
        "hires.csv",
        "name,email,hire_date\nAda Lovelace,ada@example.com,3/4/2026\n",
    );
    let refused = output(rollcall(&home).arg("validate").arg(&file)).await;
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        text(&refused).contains("--date-order"),
        "{}",
        text(&refused)
    );

    let read = output(
        rollcall(&home)
            .args(["validate", "--date-order", "dmy"])
            .arg(&file),
    )
    .await;
    assert_eq!(read.status.code(), Some(0), "{}", text(&read));

    let unknown = output(
        rollcall(&home)
            .args(["validate", "--date-order", "ymd"])
            .arg(&file),
    )
    .await;
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
}

#[tokio::test]
async fn validate_escapes_control_characters_from_the_file_before_printing_them() {
    let home = Home::new("escape");
    // A header that would set the terminal's title, a title that would clear the screen, a
    // department written backwards by a bidi override.
    let file = home.file(
        "hostile.csv",
        "name,email,Badge\u{1b}]0;pwned\u{7},title,department\n\
         Ada,ada@example.com,7,\"Lead\u{1b}[2J\",\u{202e}sales\n",
    );
    let validated = output(rollcall(&home).arg("validate").arg(&file)).await;
    let printed = text(&validated);
    assert!(
        !printed.contains(['\u{1b}', '\u{7}', '\u{202e}']),
        "raw control characters reached the terminal: {printed:?}"
    );
    assert!(printed.contains("Badge\\u{1b}]0;pwned\\u{7}"), "{printed}");
    assert!(printed.contains("\"Lead\\u{1b}[2J\""), "{printed}");
    assert!(printed.contains("\\u{202e}sales"), "{printed}");
}

#[tokio::test]
async fn plan_prints_the_dry_run_and_json_rows() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let home = Home::new("plan");
    let file = home.file(
        "users.csv",
        "name,email\nAda,ada@example.com\nJordan Lee,jordan.lee@example.com\n",
    );
    let plan = output(against(&home, &sandbox).arg("plan").arg(&file)).await;
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    assert!(
        text(&plan).contains("1 to create, 1 already exist"),
        "{}",
        text(&plan)
    );

    let json = output(against(&home, &sandbox).args(["plan", "--json"]).arg(&file)).await;
    let lines = json_lines(&json);
    assert_eq!(lines.iter().filter(|l| l["type"] == "row").count(), 2);
    assert_eq!(lines[1]["row"]["action"], "exists");
    assert_eq!(lines.last().unwrap()["plan"]["counts"]["create"], 1);
    assert_eq!(sandbox.stats().users_created, 0, "a plan writes nothing");

    let no_org = output(rollcall(&home).arg("plan").arg(&file)).await;
    assert_eq!(no_org.status.code(), Some(2));
    assert!(text(&no_org).contains("--profile"), "{}", text(&no_org));
}

#[tokio::test]
async fn plan_shows_a_cohorts_day1_steps_and_run_does_them() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let home = Home::new("cohort");
    let file = home.file(
        "cohort.csv",
        "name,email,roles_divisions,languages,groups,hire_date,acd_auto_answer,phone,site,like\n\
         Ada,ada@example.com,Agent,Spanish:3,Night Shift,14/3/2026,yes,webrtc,Indianapolis,jordan.lee@example.com\n\
         Alan,alan@example.com,Agent,French:2,Night Shift,,no,,,\n",
    );
    let plan = output(against(&home, &sandbox).arg("plan").arg(&file)).await;
    let printed = text(&plan);
    assert_eq!(plan.status.code(), Some(0), "{printed}");
    for expected in [
        "routing languages for 2",
        "employer info for 1",
        "a WebRTC phone as the default station for 1",
        "2 group memberships in 3 calls (batched per group)",
        "auto-answer for 1 users without a PATCH of their own in 1 call",
        "create: line 2: ada@example.com: Like jordan.lee@example.com: adds",
    ] {
        assert!(printed.contains(expected), "{expected:?} in {printed}");
    }
    let run = output(against(&home, &sandbox).args(["run", "--yes"]).arg(&file)).await;
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    assert_eq!(sandbox.day_one().phones.len(), 1);
}

#[tokio::test]
async fn plan_and_run_say_which_rate_they_pace_at() {
    let mut config = SandboxConfig::default();
    let home = Home::new("rate");
    let file = home.file("users.csv", "name,email\nAda,ada@example.com\n");

    let sandbox = Sandbox::start(config.clone()).await.unwrap();
    let plan = output(against(&home, &sandbox).arg("plan").arg(&file)).await;
    assert!(
        text(&plan).contains(
            "at 300 requests/min each (Genesys's default; the org's limits could not be read)"
        ),
        "{}",
        text(&plan)
    );
    let set = output(
        against(&home, &sandbox)
            .args(["plan", "--json", "--rate", "1200"])
            .arg(&file),
    )
    .await;
    let summary = json_lines(&set).last().unwrap()["plan"].clone();
    assert_eq!(summary["allowancePerMinute"], 1200);
    assert_eq!(summary["rateSource"], "setting");

    config.rate_limit = RateLimitConfig {
        requests: 600,
        window: Duration::from_secs(60),
    };
    config.variants.org_limits_readable = true;
    let sandbox = Sandbox::start(config).await.unwrap();
    let plan = output(against(&home, &sandbox).arg("plan").arg(&file)).await;
    assert!(
        text(&plan).contains("at 600 requests/min each (from the org's limits)"),
        "{}",
        text(&plan)
    );

    // The progress line shows the pace the tokens keep.
    let ran = output(
        against(&home, &sandbox)
            .args(["run", "--yes", "--rate", "1200"])
            .arg(&file),
    )
    .await;
    assert_eq!(ran.status.code(), Some(0), "{}", text(&ran));
    assert!(
        text(&ran).contains("(pacing 1193 requests/min)"),
        "{}",
        text(&ran)
    );
}

#[tokio::test]
async fn run_asks_unless_yes_and_exits_by_outcome() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let home = Home::new("run");
    let good = home.file("good.csv", GOOD);
    let refused = output(against(&home, &sandbox).arg("run").arg(&good)).await;
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused).contains("add --yes"), "{}", text(&refused));
    assert_eq!(sandbox.stats().users_created, 0);

    let ran = output(against(&home, &sandbox).args(["run", "--yes"]).arg(&good)).await;
    assert_eq!(ran.status.code(), Some(0), "{}", text(&ran));
    assert!(text(&ran).contains("Finished: 2 created"), "{}", text(&ran));
    let results: Vec<_> = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("good.results-"))
        .collect();
    assert_eq!(results.len(), 1, "a results file next to the input");

    let bad = home.file("bad.csv", WITH_BAD_ROW);
    let partly = output(
        against(&home, &sandbox)
            .args(["run", "--yes", "--json"])
            .arg(&bad),
    )
    .await;
    assert_eq!(partly.status.code(), Some(1), "{}", text(&partly));
    let lines = json_lines(&partly);
    let finished = lines
        .iter()
        .find(|l| l["event"] == "finished")
        .expect("a finished event");
    assert_eq!(
        finished["data"]["progress"]["created"], 1,
        "grace only: ada existed"
    );
    assert_eq!(finished["data"]["progress"]["existed"], 1);
    assert_eq!(finished["data"]["progress"]["failed"], 1);
    let exports = lines.iter().find(|l| l["type"] == "exports").unwrap();
    let failed_path = exports["failedRows"].as_str().unwrap();
    let failed = std::fs::read_to_string(failed_path).unwrap();
    assert_eq!(failed, "name,email,division\nNo Mail,,\n");

    let runs = output(rollcall(&home).arg("runs")).await;
    assert_eq!(text(&runs).lines().count(), 2, "{}", text(&runs));
    assert!(text(&runs).contains("finished"));
}

#[tokio::test]
async fn wrong_secret_and_missing_permission_exit_3() {
    let sandbox = Sandbox::start(SandboxConfig {
        clients: vec![
            SandboxClient::demo(),
            SandboxClient::with_permissions("viewer", "viewer-secret", &["directory:user:view"]),
        ],
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let home = Home::new("auth");
    let good = home.file("good.csv", GOOD);
    let wrong = output(
        against(&home, &sandbox)
            .env("GENESYS_CLIENT_SECRET", "not-the-secret")
            .args(["plan"])
            .arg(&good),
    )
    .await;
    assert_eq!(wrong.status.code(), Some(3), "{}", text(&wrong));
    assert!(
        text(&wrong).contains("wrong client id/secret"),
        "{}",
        text(&wrong)
    );
    assert!(!text(&wrong).contains("not-the-secret"));

    let viewer = output(
        against(&home, &sandbox)
            .env("GENESYS_CLIENT_ID", "viewer")
            .env("GENESYS_CLIENT_SECRET", "viewer-secret")
            .args(["run", "--yes"])
            .arg(&good),
    )
    .await;
    assert_eq!(viewer.status.code(), Some(3), "{}", text(&viewer));
    assert!(
        text(&viewer).contains("directory:user:add"),
        "{}",
        text(&viewer)
    );
}

#[tokio::test]
async fn a_run_in_which_a_step_failed_exits_1() {
    let sandbox = Sandbox::start(SandboxConfig {
        faults: Faults {
            refuse_passwords: true,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let home = Home::new("step-failed");
    let file = home.file(
        "users.csv",
        "name,email,password\nPat Word,pat.word@example.com,tooSimple1!\n",
    );
    let ran = output(against(&home, &sandbox).args(["run", "--yes"]).arg(&file)).await;
    assert_eq!(ran.status.code(), Some(1), "{}", text(&ran));
    assert!(text(&ran).contains("Finished: 1 created"), "{}", text(&ran));
    assert!(
        text(&ran).contains("password from the file not done"),
        "the failed step is named: {}",
        text(&ran)
    );
}

#[tokio::test]
async fn an_unexpected_answer_while_planning_exits_1_not_4() {
    // Genesys answers the users' listing and search with something that is neither.
    let server = loopback::Loopback::serve(|method, path| match (method, path) {
        ("POST", "/oauth/token") => (200, json!({ "access_token": "t", "expires_in": 86399 })),
        ("GET", "/api/v2/authorization/divisions") => (
            200,
            json!({ "entities": [{ "id": "d1", "name": "Home", "homeDivision": true }], "pageCount": 1 }),
        ),
        ("GET", "/api/v2/authorization/divisions/home") => {
            (200, json!({ "id": "d1", "name": "Home", "homeDivision": true }))
        }
        _ => (200, json!("not what Rollcall asked for")),
    })
    .await;
    let home = Home::new("unexpected");
    let file = home.file("users.csv", GOOD);
    let plan = output(
        rollcall(&home)
            .env("GENESYS_CLIENT_ID", "client")
            .env("GENESYS_CLIENT_SECRET", "secret")
            .env("GENESYS_API_URL", server.url())
            .arg("plan")
            .arg(&file),
    )
    .await;
    assert_eq!(plan.status.code(), Some(1), "{}", text(&plan));
    assert!(
        text(&plan).contains("Unexpected answer from Genesys"),
        "{}",
        text(&plan)
    );
    assert!(!text(&plan).contains("Resume"), "{}", text(&plan));
}

#[tokio::test]
async fn profiles_test_tries_each_read_and_lists_the_writes_checked_on_first_use() {
    let home = Home::new("profiles-test");
    let tested = output(rollcall(&home).args(["profiles", "test", "Sandbox org"])).await;
    assert_eq!(tested.status.code(), Some(0), "{}", text(&tested));
    let said = text(&tested);
    for line in [
        "ok           roles (authorization:role:view)",
        "ok           existing users (search) (directory:user:view)",
        "Writes a run makes (checked on first use):",
        "create users (directory:user:add)",
    ] {
        assert!(said.contains(line), "{line:?} in {said}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(unix),
    ignore = "sends SIGINT with kill(1); Windows has neither (Ctrl-C there is a console event)"
)]
async fn ctrl_c_cancels_cleanly_and_resume_finishes() {
    let sandbox = Sandbox::start(SandboxConfig {
        rate_limit: RateLimitConfig {
            requests: 20,
            window: Duration::from_secs(1),
        },
        latency: Latency {
            base: Duration::from_millis(10),
            jitter: Duration::ZERO,
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let home = Home::new("ctrlc");
    let file = home.file("many.csv", &numbered_users(120));
    let mut child = against(&home, &sandbox)
        // The sandbox's scaled limit (20 a second), as an admin tells a raised one.
        .args(["run", "--yes", "--pool", "1", "--rate", "900"])
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupted once a progress line counts a row done: the run is under way, its Ctrl-C
    // handler in place, and some users exist.
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let progress = line_where(&mut lines, |line| {
        line.trim_start()
            .strip_prefix('[')
            .and_then(|rest| rest.split('/').next())
            .and_then(|done| done.parse::<u32>().ok())
            .is_some_and(|done| done > 0)
    })
    .await;
    let pid = child.id().unwrap();
    let signalled = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let mut rest = Vec::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        rest.push(line);
    }
    let cancelled = child.wait_with_output().await.unwrap();
    assert_eq!(cancelled.status.code(), Some(4), "{}", text(&cancelled));
    let said = format!("{progress}\n{}\n{}", rest.join("\n"), text(&cancelled));
    assert!(said.contains("Cancelled"), "{said}");
    assert!(said.contains("rollcall resume"), "{said}");
    let created_before = sandbox.stats().users_created;
    assert!(
        created_before > 0 && created_before < 120,
        "{created_before}"
    );

    let resumed = output(against(&home, &sandbox).args(["resume", "--yes"])).await;
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    assert!(
        text(&resumed).contains(
            "Pacing at 900 requests/min per token (the profile's or the command line's setting)"
        ),
        "the resume paces at the run's own rate: {}",
        text(&resumed)
    );
    assert_eq!(sandbox.stats().users_created, 120);
    let users = sandbox.users();
    for i in 0..120 {
        let email = format!("user{i}@example.com");
        assert_eq!(
            users.iter().filter(|u| u.email == email).count(),
            1,
            "{email}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_driven_by_another_process_is_refused_with_its_pid() {
    let sandbox = Sandbox::start(SandboxConfig {
        rate_limit: RateLimitConfig {
            requests: 10,
            window: Duration::from_secs(1),
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let home = Home::new("busy");
    let file = home.file("many.csv", &numbered_users(60));
    let mut first = against(&home, &sandbox)
        .args(["run", "--yes", "--pool", "1", "--rate", "360", "--json"])
        .arg(&file)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = first.id().unwrap();
    let mut lines = BufReader::new(first.stdout.take().unwrap()).lines();
    let started = line_where(&mut lines, |line| line.contains(r#""type":"run""#)).await;
    let run_id = serde_json::from_str::<serde_json::Value>(&started).unwrap()["runId"]
        .as_str()
        .unwrap()
        .to_owned();
    // The run's first event comes from the engine, which holds the run's lock by then.
    line_where(&mut lines, |line| line.contains(r#""event":"#)).await;
    let second = output(against(&home, &sandbox).args(["resume", "--yes", &run_id])).await;
    assert_eq!(second.status.code(), Some(4), "{}", text(&second));
    assert!(
        text(&second).contains(&format!("another Rollcall process (pid {pid})")),
        "{}",
        text(&second)
    );
    let _ = first.kill().await;
}

#[tokio::test]
async fn resume_goes_only_to_the_org_the_run_started_in() {
    let started_in = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let elsewhere = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let home = Home::new("resume-org");
    let org = RunOrg {
        endpoint: started_in.url().to_owned(),
        client_id: DEMO_CLIENT_ID.to_owned(),
        profile: Some("Prod EU".to_owned()),
    };
    let run_id = journaled_run(&home, &started_in, GOOD, org).await;

    let refused = output(against(&home, &elsewhere).args(["resume", "--yes", &run_id])).await;
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    let said = text(&refused);
    assert!(
        said.contains(&format!(
            "started in {} with the OAuth client {DEMO_CLIENT_ID} (profile \"Prod EU\")",
            started_in.url()
        )) && said.contains(elsewhere.url()),
        "{said}"
    );
    assert_eq!(served(&elsewhere), (0, 0), "nothing reaches the other org");

    let resumed = output(against(&home, &started_in).args(["resume", "--yes", &run_id])).await;
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    assert!(
        text(&resumed).contains("Finished: 2 created"),
        "{}",
        text(&resumed)
    );
}

#[tokio::test]
async fn resume_of_a_run_whose_journal_does_not_say_its_org_asks_once() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let home = Home::new("resume-unrecorded");
    let run_id = journaled_run(&home, &sandbox, GOOD, RunOrg::default()).await;
    let before = served(&sandbox);

    let refused = output(against(&home, &sandbox).args(["resume", &run_id])).await;
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    let said = text(&refused);
    assert!(
        said.contains("does not say which org")
            && said.contains(sandbox.url())
            && said.contains("add --yes"),
        "without a terminal the question is said, and not answered: {said}"
    );
    assert_eq!(served(&sandbox), before, "nothing was sent");

    let resumed = output(against(&home, &sandbox).args(["resume", "--yes", &run_id])).await;
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    let journal = Journal::open(&home.dirs().journal()).unwrap();
    let record = journal.run(&run_id).unwrap();
    assert_eq!(
        (record.endpoint.as_str(), record.client_id.as_str()),
        (sandbox.url(), DEMO_CLIENT_ID),
        "the answer is kept: the next resume is checked against this org"
    );
}

#[tokio::test]
async fn resume_of_a_damaged_journal_says_where_and_sends_nothing() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let home = Home::new("resume-damaged");
    let org = RunOrg {
        endpoint: sandbox.url().to_owned(),
        client_id: DEMO_CLIENT_ID.to_owned(),
        profile: None,
    };
    let run_id = journaled_run(&home, &sandbox, GOOD, org).await;
    rusqlite::Connection::open(home.dirs().journal())
        .unwrap()
        .execute(
            "UPDATE rows SET status = 'sent?' WHERE run_id = ?1 AND idx = 1",
            [&run_id],
        )
        .unwrap();
    let before = served(&sandbox);

    let refused = output(against(&home, &sandbox).args(["resume", "--yes", &run_id])).await;
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    let said = text(&refused);
    assert!(
        said.contains(&format!(
            "run {run_id}, the row of line 3, column \"status\""
        )) && said.contains("\"sent?\""),
        "{said}"
    );
    assert_eq!(served(&sandbox), before, "nothing was sent");
    assert_eq!(sandbox.stats().users_created, 0);
}

#[tokio::test]
async fn runs_names_a_run_whose_rows_cannot_be_read_and_lists_the_others() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let home = Home::new("runs-damaged");
    let damaged = journaled_run(&home, &sandbox, GOOD, org_of(&sandbox)).await;
    let sound = journaled_run(&home, &sandbox, GOOD, org_of(&sandbox)).await;
    damage_journal(
        &home,
        "UPDATE rows SET status = 'sent?' WHERE run_id = ?1 AND idx = 1",
        &damaged,
    );

    let listed = output(rollcall(&home).arg("runs")).await;
    assert_eq!(listed.status.code(), Some(2), "{}", text(&listed));
    let stdout = String::from_utf8_lossy(&listed.stdout);
    assert!(
        stdout.contains(&sound) && !stdout.contains(&damaged),
        "the readable run is listed, the damaged one is not passed off as empty: {stdout}"
    );
    let stderr = String::from_utf8_lossy(&listed.stderr);
    assert!(
        stderr.contains(&format!(
            "run {damaged}, the row of line 3, column \"status\""
        )),
        "{stderr}"
    );
}

#[tokio::test]
async fn resume_without_an_id_says_the_journal_is_damaged_rather_than_that_no_run_is_left() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let home = Home::new("resume-picker-damaged");
    let run_id = journaled_run(&home, &sandbox, GOOD, org_of(&sandbox)).await;
    damage_journal(
        &home,
        "UPDATE runs SET status = 'going?' WHERE id = ?1",
        &run_id,
    );
    let before = served(&sandbox);

    let refused = output(against(&home, &sandbox).args(["resume", "--yes"])).await;
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    let said = text(&refused);
    assert!(
        said.contains(&format!(
            "run {run_id}, the run's own record, column \"status\""
        )) && !said.contains("there is no unfinished run"),
        "{said}"
    );
    assert_eq!(served(&sandbox), before, "nothing was sent");
}

#[tokio::test]
async fn a_run_whose_results_cannot_be_written_says_so_and_exits_2() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let home = Home::new("exports-unwritable");
    let file = home.file("good.csv", GOOD);
    // A file where the results folder should be: the folder cannot be made.
    let not_a_folder = home.file("out", "");

    let ran = output(
        against(&home, &sandbox)
            .args(["run", "--yes", "--out"])
            .arg(&not_a_folder)
            .arg(&file),
    )
    .await;
    assert_eq!(ran.status.code(), Some(2), "{}", text(&ran));
    assert!(text(&ran).contains("Finished: 2 created"), "{}", text(&ran));
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert!(
        stderr.contains("rollcall: could not write the results"),
        "{stderr}"
    );
    assert_eq!(sandbox.stats().users_created, 2);
}

#[tokio::test]
async fn a_run_on_the_built_in_sandbox_resumes_on_the_sandbox_of_this_launch() {
    let home = Home::new("resume-sandbox");
    let dirs = home.dirs();
    std::fs::create_dir_all(&dirs.data).unwrap();
    // The org the CLI's Sandbox profile keeps, served here on a port of the test's own.
    let first_launch = Sandbox::start(SandboxConfig {
        state_file: Some(dirs.sandbox_org()),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let org = RunOrg {
        endpoint: BUILT_IN_SANDBOX.to_owned(),
        client_id: DEMO_CLIENT_ID.to_owned(),
        profile: Some("Sandbox org".to_owned()),
    };
    let run_id = journaled_run(&home, &first_launch, GOOD, org).await;
    first_launch.shutdown().await;

    let resumed = output(rollcall(&home).args(["resume", "--yes", &run_id])).await;
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    assert!(
        text(&resumed).contains("Finished: 2 created"),
        "{}",
        text(&resumed)
    );
}

#[tokio::test]
async fn a_damaged_sandbox_org_file_is_moved_aside_and_the_cli_says_so() {
    let home = Home::new("damaged-sandbox");
    let dirs = home.dirs();
    std::fs::create_dir_all(&dirs.data).unwrap();
    std::fs::write(dirs.sandbox_org(), "{\"divisions\": [").unwrap();
    let file = home.file("good.csv", GOOD);

    let planned = output(
        rollcall(&home)
            .args(["plan", "--profile", "Sandbox org"])
            .arg(&file),
    )
    .await;
    assert_eq!(planned.status.code(), Some(0), "{}", text(&planned));
    let said = String::from_utf8_lossy(&planned.stderr).into_owned();
    assert!(
        said.contains("was damaged")
            && said.contains("sandbox-org.damaged-")
            && said.contains("a fresh demo org"),
        "{said}"
    );
    assert!(
        text(&planned).contains("Plan: 2 to create"),
        "{}",
        text(&planned)
    );
}

#[tokio::test]
async fn sandbox_prints_one_json_line() {
    let home = Home::new("sandbox");
    let mut child = rollcall(&home)
        .args(["sandbox", "--json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = lines.next_line().await.unwrap().unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(info["client_id"], DEMO_CLIENT_ID);
    assert_eq!(info["client_secret"], DEMO_CLIENT_SECRET);
    assert!(info["url"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    let _ = child.kill().await;
}

#[tokio::test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "only Linux can lack a keychain (no Secret Service); Windows and macOS always have one"
)]
async fn without_a_keychain_a_profile_is_refused_and_nothing_is_written() {
    let home = Home::new("nokeychain");
    let mut add = rollcall(&home);
    add.env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .args([
            "profiles",
            "add",
            "Prod",
            "--region",
            "eu-west-1",
            "--client-id",
            "abc",
        ])
        .stdin(Stdio::piped());
    let mut child = add
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"keychain-less-secret\n").await.unwrap();
    }
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("keychain"), "{}", text(&out));
    assert!(
        text(&out).contains("GENESYS_CLIENT_SECRET"),
        "a script is told it can pass the secret in the environment: {}",
        text(&out)
    );
    assert!(!home.path().join("config/profiles.json").exists());
    assert_no_file_contains(home.path(), "keychain-less-secret");
}

/// Profiles against a real Secret Service (gnome-keyring) in a private D-Bus session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "drives gnome-keyring under dbus-run-session; tests/keychain.rs covers the OS store"
)]
async fn profiles_keep_the_secret_in_a_real_keychain() {
    if which("dbus-run-session").is_none() || which("gnome-keyring-daemon").is_none() {
        panic!("dbus-run-session and gnome-keyring are needed (scripts/setup installs them)");
    }
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let home = Home::new("keychain");
    let file = home.file("good.csv", GOOD);
    let binary = env!("CARGO_BIN_EXE_rollcall");
    let script = format!(
        r#"
set -u
echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
echo '{secret}' | '{binary}' profiles add Local --api-url '{url}' --client-id '{id}'; echo "add=$?"
'{binary}' profiles list; echo "list=$?"
echo "stored=$(secret-tool lookup service app.rollcall.desktop username 'profile:Local' 2>/dev/null | wc -c)"
'{binary}' profiles test Local; echo "test=$?"
'{binary}' run --yes --profile Local '{file}'; echo "run=$?"
'{binary}' profiles remove Local; echo "remove=$?"
'{binary}' profiles test Local; echo "after=$?"
"#,
        url = sandbox.url(),
        id = DEMO_CLIENT_ID,
        secret = DEMO_CLIENT_SECRET,
        file = file.display(),
    );
    let out = rollcall_session(&home, &script).await;
    let said = text(&out);
    for expected in ["add=0", "list=0", "test=0", "run=0", "remove=0", "after=2"] {
        assert!(said.contains(expected), "expected {expected} in:\n{said}");
    }
    assert!(said.contains("Saved the profile \"Local\""), "{said}");
    assert!(said.contains("The profile \"Local\" works"), "{said}");
    assert!(said.contains("Finished: 2 created"), "{said}");
    assert!(
        !said.contains("stored=0"),
        "the secret was in the keychain:\n{said}"
    );
    assert_eq!(sandbox.stats().users_created, 2);
    let profiles = std::fs::read_to_string(home.path().join("config/profiles.json")).unwrap();
    assert!(!profiles.contains("Local"), "removed: {profiles}");
    // Not a byte of the secret anywhere the CLI wrote (profiles, journal, results, logs; the
    // keyring's own file is encrypted), nor in what it printed.
    assert!(
        home.path()
            .join("logs")
            .read_dir()
            .unwrap()
            .next()
            .is_some(),
        "a log was written"
    );
    assert_no_file_contains(home.path(), DEMO_CLIENT_SECRET);
    assert!(!said.contains(DEMO_CLIENT_SECRET), "{said}");
}

/// A keychain entry goes only where it was saved for: a bare entry from before entries were
/// bound is bound on first use, and a profile the file then points elsewhere is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "drives gnome-keyring under dbus-run-session; tests/keychain.rs covers the OS store"
)]
async fn a_keychain_entry_goes_only_to_the_org_and_client_it_was_saved_for() {
    for tool in [
        "dbus-run-session",
        "gnome-keyring-daemon",
        "secret-tool",
        "gdbus",
    ] {
        if which(tool).is_none() {
            panic!("{tool} is needed (scripts/setup installs it)");
        }
    }
    let org = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let elsewhere = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let home = Home::new("keychain-bound");
    std::fs::create_dir_all(home.path().join("config")).unwrap();
    let profiles = home.file(
        "config/profiles.json",
        &json!({"profiles": [{
            "name": "Old",
            "target": {"kind": "custom", "api_url": org.url()},
            "clientId": DEMO_CLIENT_ID,
        }]})
        .to_string(),
    );
    let binary = env!("CARGO_BIN_EXE_rollcall");
    let script = format!(
        r#"
set -u
echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
# secret-tool is the first to ask for the keychain: asked before the daemon holds its name, the
# bus would start a second one.
gdbus wait --session --timeout 10 org.freedesktop.secrets
entry() {{ secret-tool lookup service app.rollcall.desktop username 'profile:Old' | grep -o '"endpoint":"[^"]*","clientId":"[^"]*"' || echo bare; }}
echo -n '{secret}' | secret-tool store --label='Rollcall before binding' service app.rollcall.desktop username 'profile:Old'
echo "before=$(entry)"
'{binary}' profiles test Old >/dev/null; echo "first=$?"
echo "after=$(entry)"
sed -i 's#{url}#{elsewhere}#' '{profiles}'
'{binary}' profiles test Old; echo "moved=$?"
echo '{secret}' | '{binary}' profiles add Old --api-url '{elsewhere}' --client-id '{id}' >/dev/null; echo "again=$?"
echo "rebound=$(entry)"
'{binary}' profiles test Old >/dev/null; echo "there=$?"
"#,
        url = org.url(),
        elsewhere = elsewhere.url(),
        id = DEMO_CLIENT_ID,
        secret = DEMO_CLIENT_SECRET,
        profiles = profiles.display(),
    );
    let out = rollcall_session(&home, &script).await;
    let said = text(&out);
    let bound_to = |url: &str| format!(r#""endpoint":"{url}","clientId":"{DEMO_CLIENT_ID}""#);
    for expected in [
        "before=bare".to_owned(),
        "first=0".to_owned(),
        format!("after={}", bound_to(org.url())),
        "moved=3".to_owned(),
        "again=0".to_owned(),
        format!("rebound={}", bound_to(elsewhere.url())),
        "there=0".to_owned(),
    ] {
        assert!(said.contains(&expected), "expected {expected} in:\n{said}");
    }
    assert!(
        said.contains(&format!(
            "belongs to client {DEMO_CLIENT_ID} at {}, but the profile now points to client \
             {DEMO_CLIENT_ID} at {}, so Rollcall did not send it",
            org.url(),
            elsewhere.url()
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "run: rollcall profiles add \"Old\" --api-url {} --client-id {DEMO_CLIENT_ID}",
            elsewhere.url()
        )),
        "{said}"
    );
    assert_eq!(
        elsewhere.stats().tokens_issued,
        1,
        "the secret reached the new address only once entered again for it"
    );
    assert!(!said.contains(DEMO_CLIENT_SECRET), "{said}");
}

async fn rollcall_session(home: &Home, script: &str) -> Output {
    Command::new("dbus-run-session")
        .args(["--", "bash", "-c", script])
        .env("HOME", home.path())
        .env("ROLLCALL_HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("xdg-data"))
        .env_remove("GENESYS_CLIENT_ID")
        .env_remove("GENESYS_CLIENT_SECRET")
        .env_remove("GENESYS_API_URL")
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap()
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|path| path.is_file())
    })
}
