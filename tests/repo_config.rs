//! The repository's supply-chain config holds what the README promises: the release workflow
//! is valid YAML, read-only except for one tag-gated job, runs the tests on every OS the app
//! ships for, and pins every third-party action to a commit; deny.toml admits crates.io alone
//! and checks advisories.

use std::path::Path;

use serde_json::Value;

fn text(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn workflow() -> (String, Value) {
    let raw = text(".github/workflows/release.yml");
    let parsed: Value = serde_yaml_ng::from_str(&raw).expect("release.yml is valid YAML");
    (raw, parsed)
}

/// Every step of every job.
fn steps(workflow: &Value) -> Vec<(&str, &Value)> {
    let jobs = workflow["jobs"].as_object().expect("jobs");
    jobs.iter()
        .flat_map(|(name, job)| {
            let steps = job["steps"].as_array().map(Vec::as_slice).unwrap_or(&[]);
            steps.iter().map(move |step| (name.as_str(), step))
        })
        .collect()
}

#[test]
fn every_action_is_pinned_to_a_commit_with_its_tag_in_a_comment() {
    let (raw, parsed) = workflow();
    let mut pinned = 0;
    for (job, step) in steps(&parsed) {
        let Some(uses) = step["uses"].as_str() else {
            continue;
        };
        let (action, reference) = uses
            .split_once('@')
            .unwrap_or_else(|| panic!("{job}: `{uses}` names no version"));
        assert!(
            reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit()),
            "{job}: `{uses}` is not pinned to a 40-hex commit"
        );
        assert!(action.contains('/'), "{job}: `{uses}`");
        let line = raw
            .lines()
            .find(|l| l.contains(uses))
            .expect("the line of the step");
        let comment = line.split_once('#').map(|(_, c)| c.trim()).unwrap_or("");
        assert!(
            !comment.is_empty(),
            "{job}: `{uses}` keeps no tag in a comment"
        );
        pinned += 1;
    }
    assert!(
        pinned >= 5,
        "only {pinned} actions found: is the file read?"
    );
}

#[test]
fn the_token_is_read_only_except_in_the_tag_gated_release_job() {
    let (_, parsed) = workflow();
    assert_eq!(
        parsed["permissions"],
        serde_json::json!({ "contents": "read" }),
        "the workflow's default permissions"
    );
    let jobs = parsed["jobs"].as_object().unwrap();
    let mut writers = Vec::new();
    for (name, job) in jobs {
        let Some(permissions) = job.get("permissions") else {
            continue;
        };
        let writes = permissions
            .as_object()
            .map(|p| p.values().any(|v| v == "write"))
            .unwrap_or(permissions == "write-all");
        if writes {
            let condition = job["if"].as_str().unwrap_or("");
            assert!(
                condition.contains("startsWith(github.ref, 'refs/tags/v')"),
                "job {name} may write but does not run only on tags: `{condition}`"
            );
            writers.push(name.as_str());
        }
    }
    assert_eq!(writers, ["release"], "only the release job writes");
}

#[test]
fn the_core_cli_and_sandbox_are_tested_on_windows_and_macos_and_advisories_are_checked() {
    let (_, parsed) = workflow();
    let job = &parsed["jobs"]["test-other-os"];
    let oses: Vec<&str> = job["strategy"]["matrix"]["os"]
        .as_array()
        .expect("an OS matrix")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(oses, ["windows-latest", "macos-latest"]);
    let runs: Vec<&str> = steps(&parsed)
        .into_iter()
        .filter_map(|(_, step)| step["run"].as_str())
        .collect();
    assert!(
        runs.iter()
            .any(|r| r.contains("cargo test -p rollcall-core -p rollcall-cli -p rollcall-sandbox")),
        "{runs:?}"
    );
    assert!(
        runs.iter().any(|r| r.contains("./scripts/test")),
        "{runs:?}"
    );
    assert!(
        runs.iter()
            .any(|r| r.contains("cargo deny check advisories")),
        "{runs:?}"
    );
}

#[test]
fn deny_toml_admits_crates_io_alone_and_checks_advisories() {
    let config: toml::Table = text("deny.toml").parse().expect("deny.toml is valid TOML");
    let sources = config["sources"].as_table().expect("a [sources] table");
    assert_eq!(sources["unknown-registry"].as_str(), Some("deny"));
    assert_eq!(sources["unknown-git"].as_str(), Some("deny"));
    let registries: Vec<&str> = sources["allow-registry"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r.as_str())
        .collect();
    assert_eq!(registries, ["https://github.com/rust-lang/crates.io-index"]);
    assert!(sources.get("allow-git").is_none(), "no git source allowed");
    assert!(config.contains_key("advisories"), "an [advisories] table");
    let test_script = text("scripts/test");
    assert!(
        test_script.contains("check licenses bans sources"),
        "scripts/test checks licences, bans and sources"
    );
}
