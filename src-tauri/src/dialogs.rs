//! Native Open and Save dialogs (rfd), and the hook that stands in for them under WebDriver.
//!
//! A dialog is built on the main thread, where the toolkit lives, and awaited on the command's
//! task, so the window stays responsive while it is open.
//!
//! WebDriver cannot click through a native dialog. A build with the `e2e-hooks` feature (what
//! `scripts/app-e2e` builds; never a release) has a hook for it: when that build runs under
//! WebDriver automation (`TAURI_WEBVIEW_AUTOMATION`, set by tauri-driver), and only then,
//! - `ROLLCALL_TEST_OPEN_FILE` names the file the Open dialog returns;
//! - `ROLLCALL_TEST_SAVE_DIR` names the folder where the Save dialog "saves" the file under its
//!   suggested name.
//!
//! Without the feature the hook is not compiled at all, so no variable can make the app open or
//! write a file the user did not choose.

use std::path::PathBuf;

use tauri::AppHandle;

use crate::error::{Error, Result};

/// The file types Rollcall reads.
const USER_FILES: (&str, &[&str]) = ("Users (CSV or Excel)", &["csv", "xlsx"]);

/// Whether WebDriver drives this window (tauri-driver sets this variable for the app).
#[cfg(feature = "e2e-hooks")]
fn under_automation() -> bool {
    std::env::var_os("TAURI_WEBVIEW_AUTOMATION").is_some_and(|v| !v.is_empty() && v != "false")
}

#[cfg(feature = "e2e-hooks")]
fn test_hook(variable: &str) -> Option<PathBuf> {
    if !under_automation() {
        return None;
    }
    std::env::var_os(variable)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Ask for a CSV or XLSX file to open; `None` when the user cancels.
pub async fn pick_user_file(app: &AppHandle) -> Result<Option<PathBuf>> {
    #[cfg(feature = "e2e-hooks")]
    if let Some(path) = test_hook("ROLLCALL_TEST_OPEN_FILE") {
        return Ok(Some(path));
    }
    let (dialog_tx, dialog_rx) = tokio::sync::oneshot::channel();
    app.run_on_main_thread(move || {
        let dialog = rfd::AsyncFileDialog::new()
            .set_title("Open a file of users")
            .add_filter(USER_FILES.0, USER_FILES.1)
            .pick_file();
        let _ = dialog_tx.send(dialog);
    })?;
    let dialog = dialog_rx
        .await
        .map_err(|_| Error::Internal("the Open dialog could not be shown".to_owned()))?;
    Ok(dialog.await.map(|file| file.path().to_path_buf()))
}

/// Ask where to save a CSV, proposing `suggested_name`; `None` when the user cancels.
pub async fn save_csv(
    app: &AppHandle,
    title: &str,
    suggested_name: &str,
) -> Result<Option<PathBuf>> {
    save_as(app, title, suggested_name, &[("CSV", &["csv"])]).await
}

/// Ask where to save the corrected copy of a file, proposing `suggested_name` and offering its
/// type (CSV, Excel, or whatever its extension says); `None` when the user cancels.
pub async fn save_corrected(app: &AppHandle, suggested_name: &str) -> Result<Option<PathBuf>> {
    let extension = std::path::Path::new(suggested_name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("csv")
        .to_owned();
    let kind = match extension.to_ascii_lowercase().as_str() {
        "xlsx" => "Excel workbook",
        "csv" => "CSV",
        _ => "Same type as the file",
    };
    save_as(
        app,
        "Save the corrected file",
        suggested_name,
        &[(kind, &[extension.as_str()])],
    )
    .await
}

/// Ask where to save a file of one of `filters`' types (name, extensions), proposing
/// `suggested_name`.
async fn save_as(
    app: &AppHandle,
    title: &str,
    suggested_name: &str,
    filters: &[(&str, &[&str])],
) -> Result<Option<PathBuf>> {
    #[cfg(feature = "e2e-hooks")]
    if let Some(folder) = test_hook("ROLLCALL_TEST_SAVE_DIR") {
        return Ok(Some(folder.join(suggested_name)));
    }
    let (dialog_tx, dialog_rx) = tokio::sync::oneshot::channel();
    let title = title.to_owned();
    let suggested_name = suggested_name.to_owned();
    let filters: Vec<(String, Vec<String>)> = filters
        .iter()
        .map(|(kind, extensions)| {
            let extensions = extensions.iter().map(|e| (*e).to_owned()).collect();
            ((*kind).to_owned(), extensions)
        })
        .collect();
    app.run_on_main_thread(move || {
        let mut dialog = rfd::AsyncFileDialog::new()
            .set_title(title)
            .set_file_name(suggested_name);
        for (kind, extensions) in &filters {
            dialog = dialog.add_filter(kind, extensions);
        }
        if let Some(documents) = dirs::document_dir().filter(|folder| folder.is_dir()) {
            dialog = dialog.set_directory(documents);
        }
        let _ = dialog_tx.send(dialog.save_file());
    })?;
    let dialog = dialog_rx
        .await
        .map_err(|_| Error::Internal("the Save dialog could not be shown".to_owned()))?;
    Ok(dialog.await.map(|file| file.path().to_path_buf()))
}

/// Ask where to save an export of the org's users, as CSV or Excel (the file's extension
/// decides), proposing `suggested_name`; `None` when the user cancels.
pub async fn save_users_export(app: &AppHandle, suggested_name: &str) -> Result<Option<PathBuf>> {
    let filters: [(&str, &[&str]); 2] = [("CSV", &["csv"]), ("Excel workbook", &["xlsx"])];
    save_as(app, "Export users", suggested_name, &filters).await
}
