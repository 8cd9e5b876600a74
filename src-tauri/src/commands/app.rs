//! The window's life: what it needs when it loads, and closing it while a run is going.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde::Serialize;
use tauri::{AppHandle, Manager, State};

use crate::open::{Arrival, Arrivals};
use crate::state::AppState;

/// What the window needs when its page has loaded.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Startup {
    version: &'static str,
    /// What the user should know about how the app started (a damaged sandbox org file moved
    /// aside), shown as notices.
    notices: Vec<String>,
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
    #[cfg(feature = "e2e-hooks")]
    crate::panic::test_hook();
    startup(&state)
}

/// What the window is told when it loads.
fn startup(state: &AppState) -> Startup {
    Startup {
        version: env!("CARGO_PKG_VERSION"),
        notices: state
            .sandbox
            .notice()
            .map(str::to_owned)
            .into_iter()
            .collect(),
    }
}

/// The files the system handed over since the window last asked (see [`crate::open`]): at
/// load, and on each `rollcall://files-arrived`.
#[tauri::command]
pub fn take_arrivals(arrivals: State<'_, Arrivals>) -> Vec<Arrival> {
    arrivals.take()
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[tokio::test]
    async fn a_damaged_sandbox_org_file_is_set_aside_and_the_window_is_told_on_start() {
        let scratch = tempfile::tempdir().unwrap();
        let dirs = rollcall_core::paths::AppDirs::under(scratch.path().to_owned());
        std::fs::create_dir_all(&dirs.data).unwrap();
        std::fs::write(dirs.sandbox_org(), b"{\"divisions\": [{\"id\": \"home\"").unwrap();

        let state = AppState::for_tests(scratch.path()).await;

        let notices = startup(&state).notices;
        assert_eq!(notices.len(), 1, "{notices:?}");
        let notice = &notices[0];
        assert!(
            notice.contains("was damaged") && notice.contains("a fresh demo org was started"),
            "{notice}"
        );
        let aside: Vec<PathBuf> = std::fs::read_dir(&dirs.data)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains(".damaged-"))
            .collect();
        assert_eq!(
            aside.len(),
            1,
            "the damaged file is kept beside the new one"
        );
        assert!(notice.contains(&aside[0].display().to_string()), "{notice}");
        assert_eq!(
            std::fs::read(&aside[0]).unwrap(),
            b"{\"divisions\": [{\"id\": \"home\"",
            "moved, not rewritten"
        );
        assert!(
            state.sandbox.users().len() >= 4,
            "the fresh org has the demo users"
        );
    }
}
