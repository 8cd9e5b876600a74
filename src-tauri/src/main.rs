//! Rollcall's desktop shell: a Tauri window over the core engine. It starts the sandbox org,
//! forwards file drops and the close button to the window, and registers the commands.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod dialogs;
mod error;
mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

use rollcall_core::paths::AppDirs;
use rollcall_core::sandbox::{Sandbox, SandboxConfig};
use serde::Serialize;
use tauri::{DragDropEvent, Emitter, Manager, Window, WindowEvent};

use crate::state::AppState;

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
            let sandbox = start_sandbox(&dirs)?;
            app.manage(AppState {
                dirs: dirs.clone(),
                sandbox,
                session: Mutex::default(),
                runs: Mutex::default(),
                pending_open: Mutex::new(open_path.clone()),
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

/// File holding the sandbox org's port, so a profile saved with the sandbox's address keeps
/// working after a restart.
const SANDBOX_PORT_FILE: &str = "sandbox-port";

/// Start the sandbox org on the port it had last time (a free one when that is taken), with its
/// org kept in the data folder.
fn start_sandbox(dirs: &AppDirs) -> std::io::Result<Sandbox> {
    let port_file = dirs.data.join(SANDBOX_PORT_FILE);
    let preferred: u16 = std::fs::read_to_string(&port_file)
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(0);
    let start = |port: u16| {
        tauri::async_runtime::block_on(Sandbox::start(SandboxConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], port)),
            state_file: Some(dirs.sandbox_org()),
            ..SandboxConfig::default()
        }))
    };
    let sandbox = match start(preferred) {
        Err(_) if preferred != 0 => start(0)?,
        started => started?,
    };
    if sandbox.address().port() != preferred {
        std::fs::create_dir_all(&dirs.data)?;
        std::fs::write(&port_file, sandbox.address().port().to_string())?;
    }
    Ok(sandbox)
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
                DragDropEvent::Drop { paths, .. } => DragPayload {
                    kind: "drop",
                    paths: display(paths),
                },
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
