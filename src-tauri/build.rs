//! tauri-build reads `tauri.conf.json` and `capabilities/` beside this file; the front end
//! (`../ui`) and the icons (`../icons`) sit at the repository's top level.
//!
//! The commands are declared in an app manifest, so the window may call only those its
//! capability (`capabilities/main.json`) grants.

/// Every command the shell registers (`generate_handler!` in `main.rs`).
const COMMANDS: &[&str] = &[
    "app_ready",
    "close_confirmed",
    "take_arrivals",
    "about",
    "open_folder",
    "problem_details",
    "check_for_update",
    "offered_update",
    "download_update",
    "install_update",
    "update_settings",
    "save_update_settings",
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
    "reread_file",
    "save_template",
    "edit_cell",
    "count_replacements",
    "replace_in_column",
    "remove_row",
    "undo_edit",
    "redo_edit",
    "apply_suggestion",
    "save_corrected_file",
    "make_plan",
    "start_run",
    "resume_run",
    "invite_run",
    "pause_run",
    "continue_run",
    "cancel_run",
    "list_runs",
    "run_rows",
    "export_run",
    "reset_sandbox",
    "export_users",
];

fn main() {
    // The window's controls are Genesys Spark components, served from the app's own assets.
    if !std::path::Path::new("../ui/vendor/spark/genesys-webcomponents.esm.js").exists() {
        panic!(
            "ui/vendor/spark is missing: run `node scripts/ui-deps.mjs` (or scripts/setup) once; \
             it installs Genesys Spark with npm and copies it there"
        );
    }
    println!("cargo:rerun-if-changed=tauri.conf.json");
    println!("cargo:rerun-if-changed=capabilities");
    println!("cargo:rerun-if-changed=../icons");
    println!("cargo:rerun-if-changed=../ui");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build");
}
