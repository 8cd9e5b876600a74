//! The window's config is as tight as the app allows: a strict CSP, and a capability that grants
//! Rollcall's own commands and event listening only.

use serde_json::Value;

fn read(path: &str) -> Value {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap()
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
    let config = read("tauri.conf.json");
    assert!(config
        .get("plugins")
        .is_none_or(|p| p.as_object().is_none_or(|o| o.is_empty())));
}
