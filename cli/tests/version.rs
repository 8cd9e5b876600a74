//! `rollcall --version` and `rollcall version --check` against a release server on a loopback
//! port, serving `latest.json` as the releases do.

use std::process::Output;

use serde_json::json;
use tokio::process::Command;

#[path = "../../tests/support/loopback.rs"]
mod loopback;
use loopback::Loopback;

const VERSION: &str = env!("CARGO_PKG_VERSION");

async fn rollcall(args: &[&str], manifest_url: Option<&str>) -> Output {
    let scratch = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_rollcall"));
    command.args(args).env("ROLLCALL_HOME", scratch.path());
    match manifest_url {
        Some(url) => command.env("ROLLCALL_UPDATE_URL", url),
        None => command.env_remove("ROLLCALL_UPDATE_URL"),
    };
    command.output().await.expect("rollcall runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A release server announcing `version`.
async fn releases(version: &'static str) -> Loopback {
    Loopback::serve(move |_, path| match path {
        "/latest.json" => (
            200,
            json!({"version": version, "notes": "…", "platforms": {}}),
        ),
        _ => (404, json!({})),
    })
    .await
}

#[tokio::test]
async fn the_version_is_printed_without_asking_anyone() {
    let output = rollcall(&["--version"], None).await;
    assert!(output.status.success());
    assert_eq!(stdout(&output), format!("rollcall {VERSION}\n"));
    let output = rollcall(&["version"], Some("http://127.0.0.1:9/latest.json")).await;
    assert!(output.status.success(), "no request is made: {output:?}");
    assert_eq!(stdout(&output), format!("rollcall {VERSION}\n"));
}

#[tokio::test]
async fn a_newer_release_is_named_and_the_exit_is_zero() {
    let server = releases("99.0.0").await;
    let url = format!("{}/latest.json", server.url());
    let output = rollcall(&["version", "--check"], Some(&url)).await;
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        stdout(&output),
        format!(
            "rollcall {VERSION}\nRollcall 99.0.0 is available: \
             https://github.com/rollcall-app/rollcall/releases/latest (the desktop app offers it \
             too).\n"
        )
    );
}

#[tokio::test]
async fn the_newest_release_says_so_and_the_exit_is_zero() {
    let server = releases(VERSION).await;
    let url = format!("{}/latest.json", server.url());
    let output = rollcall(&["version", "--check"], Some(&url)).await;
    assert!(output.status.success(), "{output:?}");
    assert!(stdout(&output).ends_with("This is the newest release.\n"));
}

#[tokio::test]
async fn a_check_that_fails_exits_non_zero_with_the_reason() {
    let server = releases(VERSION).await;
    let missing = format!("{}/nothing-here.json", server.url());
    let output = rollcall(&["version", "--check"], Some(&missing)).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("rollcall: could not check for a newer release: ")
            && stderr.contains("404"),
        "{stderr}"
    );

    let output = rollcall(
        &["version", "--check"],
        Some("http://example.com/latest.json"),
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("must be an https address"),
        "plain http goes only to this machine"
    );
}
