//! Connect: profiles, their secrets in the OS keychain, and "Test connection".

use std::path::Path;

use rollcall_core::connection::{self, ConnectionReport};
use rollcall_core::genesys::{ClientConfig, GenesysClient, REGIONS};
use rollcall_core::profiles::{Profile, Profiles, Target};
use rollcall_core::secrets::{KeyringStore, Secret};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::{Error, Result};
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

/// Log in, read the divisions and try a one-item read of each list a run reads, with the
/// form's values (a new profile) or a saved profile's (its secret from the keychain).
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
        may_test_at(&state.dirs.config, &profile.target).await?;
        let secret = Secret::new(input.client_secret);
        let store = rollcall_core::secrets::MemoryStore::default();
        rollcall_core::secrets::SecretStore::set(&store, &profile.keychain_account(), &secret)?;
        profile.client(&store, Some(&state.sandbox_access), ClientConfig::default())?
    };
    Ok(connection::test_connection(&client).await?)
}

/// Whether a secret typed in the form may be sent to `target`: a Genesys Cloud region, the
/// sandbox org, or the address of a saved profile — never a URL only the window has seen, so
/// a page that went wrong cannot send a secret (or the app's requests) anywhere it likes.
async fn may_test_at(config: &Path, target: &Target) -> Result<()> {
    let Target::Custom { api_url } = target else {
        return Ok(());
    };
    let config = config.to_owned();
    let saved =
        tauri::async_runtime::spawn_blocking(move || Profiles::new(&config, &KeyringStore).list())
            .await??;
    if saved.iter().any(|p| &p.target == target) {
        return Ok(());
    }
    Err(Error::Forbidden(format!(
        "Save the profile first, then test it: from the form, Test connection reaches only \
         Genesys Cloud regions and the addresses of saved profiles, and {} is neither.",
        api_url.trim()
    )))
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
    let sandbox = state.sandbox_access.clone();
    let name = profile_name.to_owned();
    let client = tauri::async_runtime::spawn_blocking(move || {
        let profile = Profiles::new(&config, &KeyringStore).get(&name)?;
        profile.client(&KeyringStore, Some(&sandbox), ClientConfig::default())
    })
    .await??;
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollcall_core::secrets::MemoryStore;

    #[tokio::test]
    async fn a_typed_secret_goes_only_to_a_region_the_sandbox_or_a_saved_profiles_address() {
        let scratch = tempfile::tempdir().unwrap();
        let config = scratch.path().join("config");
        let region = Target::Region {
            key: "eu-west-1".to_owned(),
        };
        may_test_at(&config, &region).await.expect("a region");
        may_test_at(&config, &Target::Sandbox)
            .await
            .expect("the sandbox org this app runs");

        let proxy = Target::Custom {
            api_url: "https://genesys-proxy.example.com".to_owned(),
        };
        let refused = may_test_at(&config, &proxy)
            .await
            .expect_err("an address only the window has seen");
        assert_eq!(refused.kind(), "forbidden");
        let message = refused.to_string();
        assert!(
            message.starts_with("Save the profile first")
                && message.contains("https://genesys-proxy.example.com"),
            "{message}"
        );

        Profiles::new(&config, &MemoryStore::default())
            .save(
                &Profile {
                    name: "EU proxy".to_owned(),
                    target: proxy.clone(),
                    client_id: "abc".to_owned(),
                    rate_per_minute: None,
                },
                &Secret::new("saved-secret"),
            )
            .unwrap();
        may_test_at(&config, &proxy)
            .await
            .expect("the address of a saved profile");
    }
}
