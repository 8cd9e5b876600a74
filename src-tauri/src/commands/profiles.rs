//! Connect: profiles, their secrets in the OS keychain, and "Test connection".

use rollcall_core::genesys::{ClientConfig, GenesysClient, REGIONS};
use rollcall_core::profiles::{Profile, Profiles, Target};
use rollcall_core::secrets::{KeyringStore, Secret};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::Result;
use crate::state::AppState;

/// A region as the profile form lists it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionOption {
    key: &'static str,
    name: &'static str,
}

/// A profile as the window sees it: never its secret.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    name: String,
    target: Target,
    client_id: String,
    /// The built-in sandbox profile cannot be edited or deleted.
    built_in: bool,
    /// Where it connects, as an admin reads it (`EMEA (Dublin)`, `Sandbox org`).
    place: String,
    /// Requests per minute per token, when the org's limit was raised.
    rate_per_minute: Option<u32>,
}

impl From<Profile> for ProfileView {
    fn from(profile: Profile) -> Self {
        let place = match &profile.target {
            Target::Sandbox => "Sandbox org".to_owned(),
            Target::Region { key } => REGIONS
                .iter()
                .find(|r| r.key == key)
                .map(|r| r.name.to_owned())
                .unwrap_or_else(|| key.clone()),
            Target::Custom { api_url } => api_url.clone(),
        };
        ProfileView {
            built_in: profile.target == Target::Sandbox,
            name: profile.name,
            target: profile.target,
            client_id: profile.client_id,
            place,
            rate_per_minute: profile.rate_per_minute,
        }
    }
}

/// The profile form. The secret travels once, from the form to the keychain.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileInput {
    name: String,
    target: Target,
    client_id: String,
    /// Empty when testing a saved profile (its secret is read from the keychain).
    #[serde(default)]
    client_secret: String,
    /// Requests per minute per token, when the org's limit was raised; empty for the default.
    #[serde(default)]
    rate_per_minute: Option<u32>,
}

/// What "Test connection" found.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionReport {
    /// Where it connected.
    endpoint: String,
    /// The org's divisions, the home division first.
    divisions: Vec<String>,
}

#[tauri::command]
pub fn regions() -> Vec<RegionOption> {
    REGIONS
        .iter()
        .map(|r| RegionOption {
            key: r.key,
            name: r.name,
        })
        .collect()
}

#[tauri::command]
pub async fn list_profiles(state: State<'_, AppState>) -> Result<Vec<ProfileView>> {
    let config = state.dirs.config.clone();
    let profiles =
        tauri::async_runtime::spawn_blocking(move || Profiles::new(&config, &KeyringStore).list())
            .await??;
    Ok(profiles.into_iter().map(ProfileView::from).collect())
}

#[tauri::command]
pub async fn save_profile(state: State<'_, AppState>, input: ProfileInput) -> Result<ProfileView> {
    let config = state.dirs.config.clone();
    let profile = Profile {
        name: input.name,
        target: input.target,
        client_id: input.client_id,
        rate_per_minute: input.rate_per_minute,
    };
    let secret = Secret::new(input.client_secret);
    let saved = tauri::async_runtime::spawn_blocking(move || {
        let profiles = Profiles::new(&config, &KeyringStore);
        profiles.save(&profile, &secret)?;
        profiles.get(profile.name.trim())
    })
    .await??;
    Ok(saved.into())
}

#[tauri::command]
pub async fn delete_profile(state: State<'_, AppState>, name: String) -> Result<()> {
    let config = state.dirs.config.clone();
    tauri::async_runtime::spawn_blocking(move || {
        Profiles::new(&config, &KeyringStore).remove(&name)
    })
    .await??;
    Ok(())
}

/// Get a token and read the divisions, with the form's values (a new profile) or a saved
/// profile's (its secret from the keychain).
#[tauri::command]
pub async fn test_connection(
    state: State<'_, AppState>,
    input: ProfileInput,
) -> Result<ConnectionReport> {
    let client = if input.client_secret.is_empty() {
        client_for(&state, &input.name).await?
    } else {
        let profile = Profile {
            name: input.name,
            target: input.target,
            client_id: input.client_id.trim().to_owned(),
            rate_per_minute: input.rate_per_minute,
        };
        let secret = Secret::new(input.client_secret);
        let store = rollcall_core::secrets::MemoryStore::default();
        rollcall_core::secrets::SecretStore::set(&store, &profile.keychain_account(), &secret)?;
        profile.client(&store, Some(state.sandbox.url()), ClientConfig::default())?
    };
    client.authenticate().await?;
    let mut divisions = client.list_divisions().await?.value;
    divisions.sort_by_key(|d| !d.home_division);
    Ok(ConnectionReport {
        endpoint: client.endpoint().describe(),
        divisions: divisions.into_iter().map(|d| d.name).collect(),
    })
}

/// The rate limit a saved profile carries, when the org's was raised.
pub async fn profile_rate(state: &AppState, profile_name: &str) -> Result<Option<u32>> {
    let config = state.dirs.config.clone();
    let name = profile_name.to_owned();
    let profile = tauri::async_runtime::spawn_blocking(move || {
        Profiles::new(&config, &KeyringStore).get(&name)
    })
    .await??;
    Ok(profile.rate_per_minute)
}

/// A client for a saved profile, its secret read from the keychain off the main thread.
pub async fn client_for(state: &AppState, profile_name: &str) -> Result<GenesysClient> {
    let config = state.dirs.config.clone();
    let sandbox_url = state.sandbox.url().to_owned();
    let name = profile_name.to_owned();
    let client = tauri::async_runtime::spawn_blocking(move || {
        let profile = Profiles::new(&config, &KeyringStore).get(&name)?;
        profile.client(&KeyringStore, Some(&sandbox_url), ClientConfig::default())
    })
    .await??;
    Ok(client)
}
