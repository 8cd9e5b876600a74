//! The repository's supply-chain config holds what the README promises: the release workflow
//! is valid YAML, read-only except for one tag-gated job, runs the tests on every OS the app
//! ships for, and pins every third-party action to a commit; deny.toml admits crates.io alone
//! and checks advisories; a tag build signs the installers for the updater with a key that
//! lives only in the secrets, and publishes latest.json.

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

/// The tauri-action step of the bundle job.
fn bundle_step(workflow: &Value) -> &Value {
    workflow["jobs"]["bundle"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|step| {
            step["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("tauri-apps/tauri-action@"))
        })
        .expect("the bundle job builds with tauri-action")
}

#[test]
fn a_tag_build_signs_the_installers_with_the_key_from_the_secrets_and_publishes_latest_json() {
    let (_, parsed) = workflow();
    let step = bundle_step(&parsed);
    let on_tags = "startsWith(github.ref, 'refs/tags/v')";
    for variable in [
        "TAURI_SIGNING_PRIVATE_KEY",
        "TAURI_SIGNING_PRIVATE_KEY_PASSWORD",
    ] {
        let value = step["env"][variable].as_str().unwrap_or("");
        assert_eq!(
            value,
            format!("${{{{ {on_tags} && secrets.{variable} || '' }}}}"),
            "{variable} comes from the secrets, and only for a tag"
        );
    }
    let args = step["with"]["args"].as_str().unwrap();
    assert!(
        args.contains(&format!(
            "{on_tags} && ' --config src-tauri/tauri.updater.conf.json'"
        )),
        "{args}"
    );
    let uploaded = parsed["jobs"]["bundle"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|s| s["with"]["path"].as_str())
        .expect("the installers are uploaded");
    for signed in [
        "*.deb.sig",
        "*.msi.sig",
        "*.exe.sig",
        "*.app.tar.gz",
        "*.app.tar.gz.sig",
    ] {
        assert!(uploaded.contains(signed), "{signed} is not uploaded");
    }
    let release: String = steps(&parsed)
        .into_iter()
        .filter(|(job, _)| *job == "release")
        .filter_map(|(_, step)| step["run"].as_str())
        .collect();
    assert!(
        release.contains(
            "node scripts/latest-json.mjs \"$GITHUB_REF_NAME\" dist notes.md > latest.json"
        ) && release.contains("gh release upload \"$GITHUB_REF_NAME\" latest.json"),
        "{release}"
    );
}

#[test]
fn no_private_signing_key_is_in_the_repository() {
    let listed = std::process::Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("git lists the repository's files");
    assert!(listed.status.success());
    let files: Vec<&[u8]> = listed
        .stdout
        .split(|&b| b == 0)
        .filter(|f| !f.is_empty())
        .collect();
    assert!(files.len() > 50, "only {} files listed", files.len());
    // A minisign secret key as the Tauri signer writes it, and base64-encoded as the secret
    // holds it ("untrusted comment: rsign encrypted secret key").
    let markers = [
        "rsign encrypted secret key",
        "minisign encrypted secret key",
        "dW50cnVzdGVkIGNvbW1lbnQ6IHJzaWduIGVuY3J5cHRlZCBzZWNyZXQga2V5",
    ];
    for file in files {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(String::from_utf8_lossy(file).as_ref());
        // This test names the markers itself.
        if path.ends_with("tests/repo_config.rs") {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let content = String::from_utf8_lossy(&bytes);
        for marker in markers {
            assert!(
                !content.contains(marker),
                "{} holds a private signing key",
                path.display()
            );
        }
    }
}

#[test]
fn latest_json_names_a_signed_download_for_windows_macos_and_the_deb() {
    let dist = tempfile::tempdir().unwrap();
    let installers = [
        "Rollcall_1.2.3_amd64.deb",
        "Rollcall_1.2.3_x64-setup.exe",
        "Rollcall_1.2.3_x64_en-US.msi",
        "Rollcall.app.tar.gz",
    ];
    for name in installers {
        std::fs::write(dist.path().join(name), "installer").unwrap();
        std::fs::write(
            dist.path().join(format!("{name}.sig")),
            format!("sig-of-{name}\n"),
        )
        .unwrap();
    }
    std::fs::write(dist.path().join("Rollcall_1.2.3_universal.dmg"), "dmg").unwrap();
    let notes = dist.path().join("notes.md");
    std::fs::write(
        &notes,
        "## What's changed\n* Plans name the role a row is missing\n",
    )
    .unwrap();

    let written = latest_json(dist.path(), &notes);
    assert!(written.status.success(), "{written:?}");
    let manifest: Value = serde_json::from_slice(&written.stdout).unwrap();
    assert_eq!(manifest["version"], "1.2.3");
    assert_eq!(
        manifest["notes"],
        "## What's changed\n* Plans name the role a row is missing"
    );
    let download = |name: &str| {
        serde_json::json!({
            "url": format!("https://github.com/rollcall-app/rollcall/releases/download/v1.2.3/{name}"),
            "signature": format!("sig-of-{name}"),
        })
    };
    let deb = download("Rollcall_1.2.3_amd64.deb");
    let app = download("Rollcall.app.tar.gz");
    assert_eq!(
        manifest["platforms"],
        serde_json::json!({
            "linux-x86_64-deb": deb,
            "windows-x86_64-nsis": download("Rollcall_1.2.3_x64-setup.exe"),
            "windows-x86_64-msi": download("Rollcall_1.2.3_x64_en-US.msi"),
            "darwin-aarch64-app": app,
            "darwin-x86_64-app": app,
        })
    );

    // An unsigned build publishes no manifest.
    std::fs::remove_file(dist.path().join("Rollcall_1.2.3_amd64.deb.sig")).unwrap();
    let refused = latest_json(dist.path(), &notes);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("Rollcall_1.2.3_amd64.deb has no .sig: was the build signed?"),
        "{refused:?}"
    );
}

fn latest_json(dist: &Path, notes: &Path) -> std::process::Output {
    std::process::Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/latest-json.mjs"))
        .arg("v1.2.3")
        .arg(dist)
        .arg(notes)
        .env_remove("GITHUB_REPOSITORY")
        .output()
        .expect("node runs (scripts/setup installs it)")
}
