//! About Rollcall and its problems: the version and the folders Rollcall keeps things in, opening
//! one of them in the file manager, and the details of a problem for a bug report.

use std::path::PathBuf;

use rollcall_core::paths::create_private_dir;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::{Error, Result};
use crate::panic;
use crate::state::AppState;

/// What the About box shows.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct About {
    version: &'static str,
    data_dir: String,
    config_dir: String,
    log_dir: String,
    /// Today's log file, where a problem would be written.
    log_file: String,
}

/// One of Rollcall's folders.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Folder {
    Data,
    Config,
    Logs,
}

#[tauri::command]
pub fn about(state: State<'_, AppState>) -> About {
    let dirs = &state.dirs;
    About {
        version: env!("CARGO_PKG_VERSION"),
        data_dir: dirs.data.display().to_string(),
        config_dir: dirs.config.display().to_string(),
        log_dir: dirs.logs.display().to_string(),
        log_file: panic::log_file(&dirs.logs).display().to_string(),
    }
}

/// Show one of Rollcall's folders in the system's file manager. The window names the folder,
/// never a path, so no other folder or file can be opened this way.
#[tauri::command]
pub async fn open_folder(state: State<'_, AppState>, folder: Folder) -> Result<()> {
    let path = folder_path(&state, folder);
    let cannot = |e: &dyn std::fmt::Display| {
        Error::Io(format!(
            "Could not open {} in the file manager: {e}",
            path.display()
        ))
    };
    // A folder Rollcall has not written to yet is made, as it would be on first use.
    create_private_dir(&path).map_err(|e| cannot(&e))?;
    tauri_plugin_opener::open_path(&path, None::<&str>).map_err(|e| cannot(&e))
}

fn folder_path(state: &AppState, folder: Folder) -> PathBuf {
    match folder {
        Folder::Data => state.dirs.data.clone(),
        Folder::Config => state.dirs.config.clone(),
        Folder::Logs => state.dirs.logs.clone(),
    }
}

/// The details of a problem for a bug report (see [`panic::details`]): shown to the user, who
/// copies them; nothing is sent.
#[tauri::command]
pub async fn problem_details(state: State<'_, AppState>) -> Result<String> {
    Ok(panic::details(&panic::log_file(&state.dirs.logs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_names_a_folder_and_nothing_else() {
        let folder: Folder = serde_json::from_value(serde_json::json!("logs")).unwrap();
        assert!(matches!(folder, Folder::Logs));
        for other in ["/etc", "../data", "Data", ""] {
            assert!(
                serde_json::from_value::<Folder>(serde_json::json!(other)).is_err(),
                "{other:?} is not a folder the window may open"
            );
        }
    }

    #[tokio::test]
    async fn each_folder_the_window_may_name_is_one_of_rollcalls_own() {
        let scratch = tempfile::tempdir().unwrap();
        let state = AppState::for_tests(scratch.path()).await;
        assert_eq!(
            folder_path(&state, Folder::Data),
            scratch.path().join("data")
        );
        assert_eq!(
            folder_path(&state, Folder::Config),
            scratch.path().join("config")
        );
        assert_eq!(
            folder_path(&state, Folder::Logs),
            scratch.path().join("logs")
        );
    }
}
