//! Updates from the window: check now, download and verify, install and restart, and the
//! setting that turns the automatic check off. The work is in [`crate::updates`].

use tauri::{AppHandle, State};

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::updates::{self, Offer, UpdateSettings};

#[tauri::command]
pub async fn check_for_update(app: AppHandle) -> Result<Option<Offer>> {
    updates::check(&app).await
}

/// The version the last check found (the one at start may end before the window loads).
#[tauri::command]
pub fn offered_update(app: AppHandle) -> Option<Offer> {
    updates::offered(&app)
}

/// Download the offered version and verify its signature; nothing is installed yet.
#[tauri::command]
pub async fn download_update(app: AppHandle, state: State<'_, AppState>) -> Result<Offer> {
    refuse_during_a_run(&state)?;
    updates::download(&app).await
}

/// Install the verified version and restart into it.
#[tauri::command]
pub async fn install_update(app: AppHandle, state: State<'_, AppState>) -> Result<()> {
    refuse_during_a_run(&state)?;
    updates::install(&app).await
}

#[tauri::command]
pub fn update_settings(state: State<'_, AppState>) -> UpdateSettings {
    UpdateSettings::load(&state.dirs)
}

#[tauri::command]
pub fn save_update_settings(state: State<'_, AppState>, settings: UpdateSettings) -> Result<()> {
    settings.save(&state.dirs)
}

/// An update restarts the app, which would cut a run short: it waits for the run to end.
fn refuse_during_a_run(state: &AppState) -> Result<()> {
    if state.runs.lock().expect("runs").is_empty() {
        return Ok(());
    }
    Err(Error::NotReady(
        "Rollcall updates once the run has ended: the update restarts the app.".to_owned(),
    ))
}
