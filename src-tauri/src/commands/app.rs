//! The window's life: what it needs when it loads, and closing it while a run is going.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde::Serialize;
use tauri::{AppHandle, Manager, State};

use crate::state::AppState;

/// What the window needs when its page has loaded.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Startup {
    version: &'static str,
    /// A file named on the command line, to open at once.
    open_path: Option<String>,
}

/// Called by the page's load handler. With `ROLLCALL_REPORT_READY` set, prints when that was
/// (milliseconds since the Unix epoch) for the cold-start measurement, and quits with
/// `ROLLCALL_REPORT_READY=exit`.
#[tauri::command]
pub fn app_ready(app: AppHandle, state: State<'_, AppState>) -> Startup {
    if let Some(mode) = std::env::var_os("ROLLCALL_REPORT_READY") {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        println!("rollcall-desktop: ready at {} ms", now.as_millis());
        if mode == "exit" {
            app.exit(0);
        }
    }
    Startup {
        version: env!("CARGO_PKG_VERSION"),
        open_path: state
            .pending_open
            .lock()
            .expect("pending open")
            .take()
            .map(|p: PathBuf| p.display().to_string()),
    }
}

/// The user confirmed closing while a run was going: cancel it (rows in flight finish and the
/// run stays resumable), give it a moment to record that, and quit.
#[tauri::command]
pub async fn close_confirmed(app: AppHandle, state: State<'_, AppState>) -> Result<(), ()> {
    state.close_confirmed.store(true, Ordering::SeqCst);
    for control in state.runs.lock().expect("runs").values() {
        control.resume();
        control.cancel();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while !state.runs.lock().expect("runs").is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.exit(0);
    Ok(())
}

/// Whether closing needs asking first: a run is going and the user has not agreed yet.
pub fn must_ask_before_closing(app: &AppHandle) -> bool {
    let state = app.state::<AppState>();
    !state.close_confirmed.load(Ordering::SeqCst) && !state.runs.lock().expect("runs").is_empty()
}
