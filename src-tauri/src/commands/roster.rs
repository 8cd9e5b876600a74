//! *Export users…* in *Results & history*: the org of a profile written, in the import's own
//! layout, to a CSV or XLSX the user chooses (`rollcall_core::roster` does the work), with its
//! progress on a channel.

use std::time::Duration;

use rollcall_core::roster::{
    export_users as export, RosterError, RosterEvent, RosterFormat, RosterOptions, RosterSummary,
};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tokio::sync::mpsc::UnboundedReceiver;

use super::profiles::client_for;
use crate::dialogs;
use crate::error::{Error, Result};
use crate::state::AppState;

/// How often progress reaches the window: its counts are cumulative, so only the latest goes.
const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// Ask where to save, then export `profile`'s users there (XLSX when the name ends in .xlsx,
/// else CSV); `None` when the user cancels the dialog. With `external_ids`, each user's
/// external ids too (one more call per user).
#[tauri::command]
pub async fn export_users(
    app: AppHandle,
    state: State<'_, AppState>,
    profile: String,
    external_ids: Option<bool>,
    on_event: Channel<RosterEvent>,
) -> Result<Option<RosterSummary>> {
    let Some(path) = dialogs::save_users_export(&app, &suggested_name(&profile)).await? else {
        return Ok(None);
    };
    let client = client_for(&state, &profile).await?;
    let options = RosterOptions {
        external_ids: external_ids.unwrap_or(false),
    };
    let (events, received) = tokio::sync::mpsc::unbounded_channel();
    let forwarding = tauri::async_runtime::spawn(forward(received, on_event));
    let exported = export(
        &client,
        &path,
        RosterFormat::from_path(&path),
        &options,
        Some(&events),
    )
    .await;
    drop(events);
    let _ = forwarding.await;
    match exported {
        Ok(summary) => Ok(Some(summary)),
        Err(RosterError::Genesys(e)) => Err(Error::Genesys(e)),
        Err(other) => Err(Error::Io(other.to_string())),
    }
}

/// `Sandbox org users.csv`: the profile's name, without what a file name cannot hold.
fn suggested_name(profile: &str) -> String {
    let name: String = profile
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " -_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{} users.csv", name.trim())
}

/// Send the latest event every [`FLUSH_EVERY`], and the last one at the end. A window that
/// went away is not an error: the export goes on.
async fn forward(mut received: UnboundedReceiver<RosterEvent>, on_event: Channel<RosterEvent>) {
    let mut latest = None;
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    loop {
        tokio::select! {
            event = received.recv() => match event {
                Some(event) => latest = Some(event),
                None => break,
            },
            _ = tick.tick() => {
                if let Some(event) = latest.take() {
                    let _ = on_event.send(event);
                }
            }
        }
    }
    if let Some(event) = latest {
        let _ = on_event.send(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggested_name_is_the_profile_s_without_path_characters() {
        assert_eq!(suggested_name("Sandbox org"), "Sandbox org users.csv");
        assert_eq!(suggested_name("EU/prod: main"), "EU-prod- main users.csv");
    }

    #[test]
    fn progress_reaches_the_window_tagged_with_cumulative_counts() {
        let event = RosterEvent::Written {
            done: 500,
            total: 5000,
        };
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            serde_json::json!({"event": "written", "data": {"done": 500, "total": 5000}})
        );
        let users = RosterEvent::Users {
            pages: 2,
            users: 200,
            total: 5000,
        };
        assert_eq!(
            serde_json::to_value(&users).unwrap()["data"],
            serde_json::json!({"pages": 2, "users": 200, "total": 5000})
        );
    }
}
