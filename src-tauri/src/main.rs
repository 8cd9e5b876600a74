//! Rollcall's desktop shell: a Tauri window over the core engine. It starts the sandbox org,
//! forwards file drops and the close button to the window, and registers the commands.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod dialogs;
mod error;
mod state;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

use rollcall_core::paths::AppDirs;
use rollcall_sandbox::start_for_profile;
use serde::Serialize;
use tauri::{DragDropEvent, Emitter, Manager, Window, WindowEvent};

use crate::state::{AppState, OfferedFiles};

/// A file drag over the window, for the drop zone (the drop itself opens the file).
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
    let _log = rollcall_core::logging::init(&dirs.logs, "rollcall-desktop").ok();
    let open_path = user_file_from_args(std::env::args_os().skip(1).map(PathBuf::from));

    tauri::Builder::default()
        .setup(move |app| {
            // A free loopback port and a new secret each launch: the Sandbox profile is given
            // both, and nothing saved anywhere can reach this sandbox.
            let (sandbox, sandbox_access) =
                tauri::async_runtime::block_on(start_for_profile(state::sandbox_config(&dirs)))?;
            let offered = OfferedFiles::default();
            offered.offer(open_path.clone());
            app.manage(AppState {
                dirs: dirs.clone(),
                sandbox,
                sandbox_access,
                session: Mutex::default(),
                runs: Mutex::default(),
                pending_open: Mutex::new(open_path.clone()),
                offered,
                close_confirmed: AtomicBool::new(false),
            });
            Ok(())
        })
        .on_window_event(on_window_event)
        .invoke_handler(tauri::generate_handler![
            commands::app::app_ready,
            commands::app::close_confirmed,
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
            commands::import::save_template,
            commands::plan::make_plan,
            commands::run::start_run,
            commands::run::resume_run,
            commands::run::pause_run,
            commands::run::continue_run,
            commands::run::cancel_run,
            commands::run::list_runs,
            commands::run::run_rows,
            commands::run::export_run,
            commands::run::reset_sandbox,
        ])
        .run(tauri::generate_context!())
        .expect("error while running Rollcall");
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
                    // The window may now open these files, and only files handed over so.
                    window
                        .state::<AppState>()
                        .offered
                        .offer(paths.iter().cloned());
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

/// The first `.csv` or `.xlsx` among the arguments (the OS passes it for a file association).
fn user_file_from_args(args: impl Iterator<Item = PathBuf>) -> Option<PathBuf> {
    args.filter(|arg| !arg.to_string_lossy().starts_with('-'))
        .find(|arg| {
            arg.extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .is_some_and(|e| e == "csv" || e == "xlsx")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_or_xlsx_named_on_the_command_line_is_opened() {
        let args = [
            "--verbose",
            "notes.txt",
            "/home/ada/New Hires.XLSX",
            "b.csv",
        ];
        assert_eq!(
            user_file_from_args(args.iter().map(PathBuf::from)),
            Some(PathBuf::from("/home/ada/New Hires.XLSX"))
        );
        assert_eq!(
            user_file_from_args(["-psn_0_1234"].iter().map(PathBuf::from)),
            None
        );
    }
}
