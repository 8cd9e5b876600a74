//! *Send invitations…* in the history: Genesys's invitation for the users a past run created
//! who have not been invited (`rollcall_core::run::invite` does the work and journals it).

use rollcall_core::run::{Invitations, InviteSummary, RunOrg};
use tauri::State;

use super::profiles::client_for;
use crate::error::{Error, Result};
use crate::state::AppState;

/// Send the invitations of run `run_id` through the profile it ran on, in its own org only. A
/// run whose journal does not say which org that is fails with `confirm`; `org_confirmed` is
/// the user's yes to that question.
#[tauri::command]
pub async fn invite_run(
    state: State<'_, AppState>,
    run_id: String,
    org_confirmed: Option<bool>,
) -> Result<InviteSummary> {
    let dirs = state.dirs.clone();
    let invitations =
        tauri::async_runtime::spawn_blocking(move || Invitations::pick(&dirs, &run_id)).await??;
    let profile = invitations.record().profile.clone().ok_or_else(|| {
        Error::NotReady(
            "This run was started from the command line; send its invitations there \
             (rollcall invite)."
                .to_owned(),
        )
    })?;
    let client = client_for(&state, &profile).await?;
    let org = RunOrg::of(&client, Some(&profile));
    if let Some(question) = invitations.question_for(&org)? {
        if org_confirmed != Some(true) {
            return Err(Error::Confirm(question));
        }
    }
    Ok(invitations.send(&client).await?)
}
