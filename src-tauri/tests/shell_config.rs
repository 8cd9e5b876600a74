//! The window's config is as tight as the app allows: a strict CSP, a capability that grants
//! Rollcall's own commands and event listening only, and no dialog test hook outside the
//! end-to-end tests' build.

use serde_json::Value;

fn read(path: &str) -> Value {
    serde_json::from_str(&read_text(path)).unwrap()
}

#[test]
fn the_csp_allows_only_the_app_itself() {
    let config = read("tauri.conf.json");
    let csp = config["app"]["security"]["csp"]
        .as_str()
        .expect("a CSP is set");
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    assert!(directives.contains(&"default-src 'self'"), "{csp}");
    assert!(directives.contains(&"script-src 'self'"), "{csp}");
    assert!(directives.contains(&"style-src 'self'"), "{csp}");
    assert!(directives.contains(&"object-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(!csp.contains('*'), "no wildcard source: {csp}");
    // No remote origin anywhere: only the app, data: images and Tauri's IPC.
    for source in csp.split([';', ' ']).filter(|s| s.contains("://")) {
        assert_eq!(source, "http://ipc.localhost", "remote source in {csp}");
    }
    assert_eq!(config["app"]["withGlobalTauri"], true);
    assert_eq!(
        config["identifier"],
        rollcall_core::paths::BUNDLE_IDENTIFIER
    );
    assert_eq!(config["app"]["windows"][0]["title"], "Rollcall");
}

#[test]
fn the_capability_grants_no_shell_filesystem_or_opener() {
    let capability = read("capabilities/main.json");
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    let permissions: Vec<&str> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().expect("plain permission names"))
        .collect();
    for permission in &permissions {
        let own_command = permission.starts_with("allow-");
        let event_listening = matches!(
            *permission,
            "core:event:allow-listen" | "core:event:allow-unlisten"
        );
        assert!(
            own_command || event_listening,
            "unexpected permission {permission}"
        );
        for broad in ["shell", "fs:", "opener", "http:", "default"] {
            assert!(!permission.contains(broad), "broad permission {permission}");
        }
    }
    // No plugin is granted to the window: the updater is driven by the shell's own commands,
    // and it is the only plugin configured.
    assert!(
        !permissions
            .iter()
            .any(|p| p.contains(':') && !p.starts_with("core:event:")),
        "a plugin permission is granted: {permissions:?}"
    );
    let config = read("tauri.conf.json");
    let plugins: Vec<&String> = config["plugins"].as_object().unwrap().keys().collect();
    assert_eq!(plugins, ["updater"]);
}

/// The release config fetches updates over https alone, from the address the CLI checks too,
/// and installs only packages signed by Rollcall's key for the version announced.
#[test]
fn the_release_updater_accepts_https_alone_and_only_rollcalls_signed_packages() {
    let config = read("tauri.conf.json");
    let updater = config["plugins"]["updater"].as_object().unwrap();
    let endpoints: Vec<&str> = updater["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(endpoints, [rollcall_core::paths::UPDATE_MANIFEST_URL]);
    assert!(
        endpoints.iter().all(|e| e.starts_with("https://")),
        "{endpoints:?}"
    );
    for key in updater.keys() {
        assert!(
            !key.to_ascii_lowercase().starts_with("dangerous"),
            "the release config sets {key}"
        );
    }
    assert_eq!(updater["requireSignedVersion"], true);
    // The public key is a minisign public key (base64 of the key file, as the Tauri signer
    // writes it); its private half exists only as a CI secret.
    let pubkey = updater["pubkey"].as_str().unwrap();
    let decoded = base64_decode(pubkey);
    assert!(
        decoded.starts_with("untrusted comment: minisign public key: ")
            && decoded
                .lines()
                .nth(1)
                .is_some_and(|key| key.starts_with("RW")),
        "{decoded}"
    );
    // Updater artifacts are signed only in the release workflow, which adds this file.
    let signing = read("tauri.updater.conf.json");
    assert_eq!(
        signing["bundle"],
        serde_json::json!({"createUpdaterArtifacts": true})
    );
    assert!(config["bundle"].get("createUpdaterArtifacts").is_none());
}

fn base64_decode(text: &str) -> String {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64");
    String::from_utf8(bytes).expect("UTF-8")
}

/// The test hooks (the dialogs' `ROLLCALL_TEST_OPEN_FILE` and `ROLLCALL_TEST_SAVE_DIR`, and
/// `ROLLCALL_TEST_PANIC`) are compiled only with the `e2e-hooks` feature: a build without it, like this one, has no trace of the hook.
#[cfg(not(feature = "e2e-hooks"))]
#[test]
fn an_app_built_without_the_e2e_feature_has_no_dialog_hook() {
    let app = std::fs::read(env!("CARGO_BIN_EXE_rollcall-desktop")).expect("the app binary");
    // Lossy text keeps the search in the standard library's optimised code.
    let text = String::from_utf8_lossy(&app);
    for variable in [
        "ROLLCALL_TEST_OPEN_FILE",
        "ROLLCALL_TEST_SAVE_DIR",
        "ROLLCALL_TEST_PANIC",
    ] {
        assert!(
            !text.contains(variable),
            "the app binary reads {variable}, so the hook is compiled in"
        );
    }
}

/// Only the end-to-end script turns the hook on: it is no default feature, and neither the
/// installers (`scripts/bundle`, `tauri.conf.json`) nor the workflows name it.
#[test]
fn only_the_end_to_end_script_builds_the_dialog_hook() {
    let manifest: toml::Table = read_text("Cargo.toml").parse().expect("Cargo.toml");
    let features = manifest["features"].as_table().expect("a [features] table");
    assert_eq!(features["e2e-hooks"], toml::Value::Array(Vec::new()));
    let default = features.get("default").and_then(|d| d.as_array());
    assert!(
        default.is_none_or(|d| !d.iter().any(|f| f.as_str() == Some("e2e-hooks"))),
        "e2e-hooks is not a default feature"
    );
    let e2e = read_text("../scripts/app-e2e");
    assert_eq!(
        e2e.matches("--features e2e-hooks").count(),
        2,
        "scripts/app-e2e builds and runs the tests with the hook"
    );
    for release in [
        "../scripts/bundle",
        "../scripts/launch",
        "tauri.conf.json",
        "../.github/workflows/release.yml",
    ] {
        assert!(
            !read_text(release).contains("e2e-hooks"),
            "{release} must not build the hook"
        );
    }
}

fn read_text(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}
