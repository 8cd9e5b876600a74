//! *Save corrected file…*: the session's rows, as edited, written in the file's own layout (its
//! columns, delimiter, encoding and line endings; an `.xlsx` as the values of the sheet read),
//! beside the original and never over it.

use std::path::{Path, PathBuf};

use rollcall_core::import::write_corrected;
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::dialogs;
use crate::error::{Error, Result};
use crate::state::AppState;

/// What *Save corrected file…* wrote.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedCorrected {
    path: String,
    /// User rows written, rows left out, and cells that differ from the original's.
    rows: usize,
    removed: usize,
    cells_changed: usize,
    /// What the admin should know (passwords left empty, an `.xlsx`'s other sheets and
    /// formatting not kept), in sentences.
    warnings: Vec<String>,
}

/// Ask where to save the corrected file (proposing `<name>.corrected.<ext>` beside nothing in
/// particular: the dialog starts in Documents) and write it; `None` when the user cancels.
#[tauri::command]
pub async fn save_corrected_file(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<SavedCorrected>> {
    let suggested = {
        let session = state.session.lock().expect("session");
        let file = session
            .file()
            .ok_or_else(|| Error::NotReady("Open a file first.".to_owned()))?;
        corrected_name(&file.path)
    };
    let Some(out) = dialogs::save_corrected(&app, &suggested).await? else {
        return Ok(None);
    };
    save(&state, out).await.map(Some)
}

/// Write the open file's rows, as edited, to `out`.
pub(crate) async fn save(state: &AppState, out: PathBuf) -> Result<SavedCorrected> {
    let (original, file_name, options, changes, secret_columns, source) = {
        let session = state.session.lock().expect("session");
        let file = session
            .file()
            .ok_or_else(|| Error::NotReady("Open a file first.".to_owned()))?;
        let rows = &file.rows;
        (
            rows.original_bytes().to_vec(),
            rows.report().source.file_name.clone(),
            rows.options().clone(),
            rows.changes(),
            rows.secret_columns().to_vec(),
            file.path.clone(),
        )
    };
    if same_file(&source, &out) {
        return Err(Error::Forbidden(format!(
            "{} is the file you opened, which Rollcall never changes: save the corrected file \
             under another name.",
            out.display()
        )));
    }
    let written = out.clone();
    let summary = tauri::async_runtime::spawn_blocking(move || {
        write_corrected(
            &original,
            &file_name,
            &options,
            &changes,
            &secret_columns,
            &written,
        )
    })
    .await??;
    Ok(SavedCorrected {
        path: out.display().to_string(),
        rows: summary.rows,
        removed: summary.removed,
        cells_changed: summary.cells_changed,
        warnings: summary.warnings,
    })
}

/// `new-hires.csv` → `new-hires.corrected.csv` (a file without an extension gets `.csv`).
fn corrected_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "users".to_owned());
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "csv".to_owned());
    format!("{stem}.corrected.{extension}")
}

/// Whether `out` names the file at `source` (by another spelling of its path, too). `out` may
/// not exist yet: its folder is resolved and its name compared.
fn same_file(source: &Path, out: &Path) -> bool {
    let resolve = |path: &Path| {
        std::fs::canonicalize(path).ok().or_else(|| {
            let folder = std::fs::canonicalize(path.parent()?).ok()?;
            Some(folder.join(path.file_name()?))
        })
    };
    match (resolve(source), resolve(out)) {
        (Some(source), Some(out)) => source == out,
        _ => source == out,
    }
}

#[cfg(test)]
mod tests {
    use rollcall_core::import::Edit;

    use super::*;
    use crate::commands::edit::apply;
    use crate::commands::import::{open_offered, ReadOptions};

    const USERS: &[u8] = b"name;email;phone_work;password\r\n\
                           Ada Lovelace;ada@example;+14155550100;Secret-1\r\n\
                           Grace Hopper;grace@example.com;+14155550101;Secret-2\r\n";

    #[test]
    fn the_corrected_file_is_named_after_the_original() {
        assert_eq!(
            corrected_name(Path::new("/data/new-hires.csv")),
            "new-hires.corrected.csv"
        );
        assert_eq!(
            corrected_name(Path::new("hr.export.xlsx")),
            "hr.export.corrected.xlsx"
        );
        assert_eq!(corrected_name(Path::new("users")), "users.corrected.csv");
    }

    #[tokio::test]
    async fn the_corrected_file_keeps_the_layout_the_edits_and_never_the_passwords_or_the_original()
    {
        let scratch = tempfile::tempdir().unwrap();
        let state = AppState::for_tests(scratch.path()).await;
        let path = scratch.path().join("users.csv");
        std::fs::write(&path, USERS).unwrap();
        state.offered.offer([path.clone()]);
        open_offered(&state, path.clone(), ReadOptions::default())
            .await
            .unwrap();
        apply(
            &state,
            Edit::Cell {
                line: 2,
                column: 1,
                value: "ada@example.com".to_owned(),
            },
        )
        .unwrap();

        let refused = save(&state, scratch.path().join(".").join("users.csv"))
            .await
            .expect_err("never over the original");
        assert_eq!(refused.kind(), "forbidden");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            USERS,
            "the original is untouched"
        );

        let out = scratch.path().join("users.corrected.csv");
        let saved = save(&state, out.clone()).await.expect("saved");
        assert_eq!((saved.rows, saved.removed, saved.cells_changed), (2, 0, 1));
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "name;email;phone_work;password\r\n\
             Ada Lovelace;ada@example.com;+14155550100;\r\n\
             Grace Hopper;grace@example.com;+14155550101;\r\n",
            "semicolons, CRLF, the phone numbers unguarded, the passwords empty"
        );
        assert!(
            saved.warnings.iter().any(|w| w.contains("password")),
            "the window says the passwords were left out: {:?}",
            saved.warnings
        );
    }
}
