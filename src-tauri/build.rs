//! The app's Tauri config lives at the repository's top level (`../tauri.conf.json`), next to
//! `ui/`, `icons/` and `capabilities/`; tauri-build reads the config and the capabilities from
//! the current directory, so it runs from there.
//!
//! The commands are declared in an app manifest, so the window may call only those its
//! capability (`capabilities/main.json`) grants.

/// Every command the shell registers (`generate_handler!` in `main.rs`).
const COMMANDS: &[&str] = &[
    "app_ready",
    "close_confirmed",
    "regions",
    "list_profiles",
    "save_profile",
    "delete_profile",
    "test_connection",
    "open_file",
    "choose_file",
    "open_sample",
    "map_column",
    "reset_mapping",
    "save_template",
    "make_plan",
    "start_run",
    "resume_run",
    "pause_run",
    "continue_run",
    "cancel_run",
    "list_runs",
    "run_rows",
    "export_run",
    "reset_sandbox",
];

fn main() {
    let manifest_dir = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let top = manifest_dir.parent().expect("src-tauri has a parent");
    println!("cargo:rerun-if-changed=../tauri.conf.json");
    println!("cargo:rerun-if-changed=../icons");
    println!("cargo:rerun-if-changed=../capabilities");
    println!("cargo:rerun-if-changed=../ui");
    std::env::set_current_dir(top).expect("enter the repository's top level");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build");
}
