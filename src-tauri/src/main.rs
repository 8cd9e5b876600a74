//! Rollcall's desktop shell: a Tauri window over the core engine. It starts the sandbox org,
//! keeps to one instance, hands the files the system gives it to the window (see [`open`]),
//! looks for signed updates (see [`updates`]), forwards the close button, and registers the
//! commands.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod dialogs;
mod error;
mod open;
mod panic;
mod state;
mod updates;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

use rollcall_core::paths::AppDirs;
use rollcall_sandbox::start_for_profile;
use serde::Serialize;
use tauri::{AppHandle, DragDropEvent, Emitter, Manager, RunEvent, Window, WindowEvent};

use crate::state::{AppState, OfferedFiles};

/// A file drag over the window, for the drop zone (the dropped files go through
/// [`open::open_from_os`]).
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct DragPayload {
    /// `enter`, `leave` or `drop`.
    kind: &'static str,
    paths: Vec<String>,
}

/// Where there is no GPU (virtual machines, remote desktops, Xvfb) WebKitGTK's accelerated
/// compositing runs on software OpenGL and scrolling paints at 6 to 10 frames a second; plain
/// painting keeps it near 60 (measured by `scripts/app-measure`). The window needs nothing
/// compositing gives, so it is off unless the user decided (`WEBKIT_DISABLE_COMPOSITING_MODE=0`
/// turns it back on). Runs first, before any other thread exists.
#[cfg(target_os = "linux")]
fn prefer_plain_painting() {
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
}

fn main() {
    #[cfg(target_os = "linux")]
    prefer_plain_painting();
    let Some(dirs) = AppDirs::for_current_user() else {
        eprintln!("rollcall-desktop: cannot find a home folder; set ROLLCALL_HOME");
        std::process::exit(2);
    };
    // The log file shared with the CLI (correlation ids of failures, never a secret); the guard
    // flushes it when the app ends.
    let _log = rollcall_core::logging::init(&dirs.logs, panic::PROGRAM).ok();
    rollcall_core::logging::log_panics(&dirs.logs, panic::PROGRAM, env!("CARGO_PKG_VERSION"));
    let launch_files = open::paths_from_args(
        std::env::args_os().skip(1),
        &std::env::current_dir().unwrap_or_default(),
    );

    tauri::Builder::default()
        // First of all: a second launch hands its files to this one and exits before it starts
        // a sandbox org or a window of its own.
        .plugin(tauri_plugin_single_instance::init(second_launch))
        // The shell's own commands drive it (see `updates`); the window is granted none of the
        // plugin's.
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(open::Arrivals::default())
        .manage(updates::Updates::default())
        .setup(move |app| {
            panic::tell_the_window(app.handle().clone(), &dirs.logs);
            // A free loopback port and a new secret each launch: the Sandbox profile is given
            // both, and nothing saved anywhere can reach this sandbox.
            let (sandbox, sandbox_access) =
                tauri::async_runtime::block_on(start_for_profile(state::sandbox_config(&dirs)))?;
            app.manage(AppState {
                dirs: dirs.clone(),
                sandbox,
                sandbox_access,
                session: Mutex::default(),
                runs: Mutex::default(),
                offered: OfferedFiles::default(),
                close_confirmed: AtomicBool::new(false),
            });
            updates::check_daily(app.handle().clone(), dirs.clone());
            open::open_from_os(app.handle(), launch_files);
            Ok(())
        })
        .on_window_event(on_window_event)
        .invoke_handler(tauri::generate_handler![
            commands::app::app_ready,
            commands::app::close_confirmed,
            commands::app::take_arrivals,
            commands::about::about,
            commands::about::open_folder,
            commands::about::problem_details,
            commands::updates::check_for_update,
            commands::updates::offered_update,
            commands::updates::download_update,
            commands::updates::install_update,
            commands::updates::update_settings,
            commands::updates::save_update_settings,
            commands::profiles::regions,
            commands::profiles::list_profiles,
            commands::profiles::save_profile,
            commands::profiles::delete_profile,
            commands::profiles::test_connection,
            commands::import::open_file,
            commands::import::choose_file,
            commands::import::open_sample,
            commands::import::map_column,
            commands::import::reset_mapping,
            commands::import::reread_file,
            commands::import::save_template,
            commands::edit::edit_cell,
            commands::edit::count_replacements,
            commands::edit::replace_in_column,
            commands::edit::remove_row,
            commands::edit::undo_edit,
            commands::edit::redo_edit,
            commands::edit::apply_suggestion,
            commands::corrected::save_corrected_file,
            commands::plan::make_plan,
            commands::run::start_run,
            commands::run::resume_run,
            commands::invite::invite_run,
            commands::run::pause_run,
            commands::run::continue_run,
            commands::run::cancel_run,
            commands::run::list_runs,
            commands::run::run_rows,
            commands::run::export_run,
            commands::run::reset_sandbox,
            commands::roster::export_users,
        ])
        .build(tauri::generate_context!())
        .expect("error while building Rollcall")
        .run(on_run_event);
}

/// Another `rollcall-desktop` was started while this one runs: show this window and open the
/// files it was given (the plugin then ends the second process).
fn second_launch(app: &AppHandle, argv: Vec<String>, cwd: String) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    let args = argv.into_iter().skip(1).map(OsString::from);
    open::open_from_os(app, open::paths_from_args(args, Path::new(&cwd)));
}

/// macOS does not put a double-clicked file on the command line: it sends an open event with
/// its `file://` URL, at launch or later.
#[cfg_attr(not(target_os = "macos"), allow(unused_variables))]
fn on_run_event(app: &AppHandle, event: RunEvent) {
    #[cfg(target_os = "macos")]
    if let RunEvent::Opened { urls } = event {
        open::open_from_os(app, open::paths_from_urls(&urls));
    }
}

fn on_window_event(window: &Window, event: &WindowEvent) {
    match event {
        WindowEvent::CloseRequested { api, .. }
            if commands::app::must_ask_before_closing(window.app_handle()) =>
        {
            api.prevent_close();
            let _ = window.emit("rollcall://close-requested", ());
        }
        WindowEvent::DragDrop(drag) => {
            let payload = match drag {
                DragDropEvent::Enter { paths, .. } => DragPayload {
                    kind: "enter",
                    paths: display(paths),
                },
                DragDropEvent::Drop { paths, .. } => {
                    open::open_from_os(window.app_handle(), paths.clone());
                    DragPayload {
                        kind: "drop",
                        paths: display(paths),
                    }
                }
                DragDropEvent::Leave => DragPayload {
                    kind: "leave",
                    paths: Vec::new(),
                },
                _ => return,
            };
            let _ = window.emit("rollcall://drag", payload);
        }
        _ => {}
    }
}

fn display(paths: &[PathBuf]) -> Vec<String> {
    paths.iter().map(|p| p.display().to_string()).collect()
}
