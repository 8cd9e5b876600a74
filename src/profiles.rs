//! Saved connections: a name, where the org is (a region, the sandbox org, or a custom URL),
//! the OAuth client id, and the org's rate limit when Genesys raised it. The secret is in the
//! OS keychain, never in the profiles file.
//!
//! The keychain entry also names the org address and the client id the secret was saved for
//! ([`KeychainEntry`]). The profiles file is a plain file any program of the user's can edit; a
//! profile changed there to point elsewhere does not take the secret with it: it is refused
//! until the secret is entered again for the new place. A bare secret saved before entries were
//! bound is bound to the profile's org once it has bought a token there.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::genesys::{ClientConfig, Credentials, Endpoint, GenesysClient, GenesysError, Region};
use crate::secrets::{KeychainEntry, KeychainError, Secret, SecretBinding, SecretStore};

/// The name of the profile every install starts with.
pub const SANDBOX_PROFILE: &str = "Sandbox org";

/// The OAuth client id of the built-in sandbox org (`rollcall-sandbox`). It is not a secret: the
/// sandbox is local, and its secret is new at every launch (see [`SandboxAccess`]).
pub const DEMO_CLIENT_ID: &str = "rollcall-sandbox";

/// Where a profile's org is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Target {
    /// A Genesys Cloud region, by key.
    Region { key: String },
    /// Rollcall's built-in sandbox org: its address and secret come from the sandbox the app (or
    /// the CLI) starts, see [`SandboxAccess`].
    Sandbox,
    /// A custom API base URL (a proxy).
    Custom { api_url: String },
}

/// A saved connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub name: String,
    pub target: Target,
    pub client_id: String,
    /// Requests per minute per token this org allows, when Genesys support raised it above
    /// the default 300; `None` lets the plan read the org's limits (or use 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_per_minute: Option<u32>,
}

impl Profile {
    /// The built-in sandbox profile.
    pub fn sandbox() -> Profile {
        Profile {
            name: SANDBOX_PROFILE.to_owned(),
            target: Target::Sandbox,
            client_id: DEMO_CLIENT_ID.to_owned(),
            rate_per_minute: None,
        }
    }

    /// The keychain account of this profile's secret.
    pub fn keychain_account(&self) -> String {
        format!("profile:{}", self.name)
    }

    /// The endpoint, given the sandbox's URL when the profile is the sandbox.
    pub fn endpoint(&self, sandbox_url: Option<&str>) -> Result<Endpoint, ProfileError> {
        match &self.target {
            Target::Region { key } => Region::by_key(key)
                .map(Region::endpoint)
                .ok_or_else(|| ProfileError::UnknownRegion(key.clone())),
            Target::Custom { api_url } => Ok(Endpoint::custom(api_url)?),
            Target::Sandbox => {
                let url = sandbox_url.ok_or(ProfileError::SandboxNotRunning)?;
                Ok(Endpoint::custom(url)?)
            }
        }
    }

    /// Where this profile may send its secret: its org's API address and its client id.
    fn binding(&self, endpoint: &Endpoint) -> SecretBinding {
        SecretBinding {
            endpoint: endpoint.api_base(),
            client_id: self.client_id.trim().to_owned(),
        }
    }

    /// A client for this profile, its secret read from `secrets`; the Sandbox profile's client
    /// is the one the running sandbox was started with.
    ///
    /// A secret saved for another org address or client id is refused
    /// ([`ProfileError::SecretBoundElsewhere`]) and sent nowhere. A bare secret from before
    /// entries were bound is bound to this profile's org and client once it has bought a token.
    pub fn client<S: SecretStore + Clone + 'static>(
        &self,
        secrets: &S,
        sandbox: Option<&SandboxAccess>,
        config: ClientConfig,
    ) -> Result<GenesysClient, ProfileError> {
        let endpoint = self.endpoint(sandbox.map(|s| s.url.as_str()))?;
        if let (Target::Sandbox, Some(sandbox)) = (&self.target, sandbox) {
            // The launch's secret: the access keeps it for every later connection, the client
            // its own copy.
            let credentials =
                Credentials::new(sandbox.client_id.clone(), sandbox.client_secret.clone());
            return Ok(GenesysClient::new(endpoint, credentials, config)?);
        }
        let account = self.keychain_account();
        let stored = secrets
            .get(&account)?
            .ok_or_else(|| ProfileError::NoSecret(self.name.clone()))?;
        let entry = KeychainEntry::decode(stored)?;
        let here = self.binding(&endpoint);
        match entry.binding {
            Some(saved) if saved != here => Err(ProfileError::SecretBoundElsewhere(Box::new(
                BindingMismatch {
                    profile: self.clone(),
                    saved,
                    now: here,
                },
            ))),
            Some(_) => Ok(GenesysClient::new(
                endpoint,
                Credentials::new(here.client_id, entry.secret),
                config,
            )?),
            None => {
                let bound = KeychainEntry::encode(&entry.secret, &here);
                let credentials = Credentials::new(here.client_id.clone(), entry.secret);
                let client = GenesysClient::new(endpoint, credentials, config)?;
                let (secrets, name) = (secrets.clone(), self.name.clone());
                client.after_first_token(move || {
                    bind_on_first_use(&secrets, &name, &account, &bound, &here)
                });
                Ok(client)
            }
        }
    }
}

/// Replace a bare secret that has just bought a token with the same secret bound to where it
/// did, unless the entry changed meanwhile (the profile saved again, with a bound entry).
fn bind_on_first_use(
    secrets: &dyn SecretStore,
    name: &str,
    account: &str,
    bound: &Secret,
    binding: &SecretBinding,
) {
    let still_bare = secrets
        .get(account)
        .ok()
        .flatten()
        .and_then(|current| KeychainEntry::decode(current).ok())
        .is_some_and(|entry| entry.binding.is_none());
    if !still_bare {
        return;
    }
    match secrets.set(account, bound) {
        Ok(()) => tracing::info!(
            "the secret of the profile \"{name}\" is now bound in the keychain to {binding}"
        ),
        Err(e) => tracing::warn!(
            "the secret of the profile \"{name}\" could not be bound to {binding} in the \
             keychain (it will be on its next use): {e}"
        ),
    }
}

/// A saved secret the profile would now send somewhere else
/// ([`ProfileError::SecretBoundElsewhere`]).
#[derive(Debug)]
pub struct BindingMismatch {
    /// The profile as the profiles file has it now.
    pub profile: Profile,
    /// Where the secret was saved for.
    pub saved: SecretBinding,
    /// Where the profile would send it.
    pub now: SecretBinding,
}

impl std::fmt::Display for BindingMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "The saved secret of the profile \"{}\" belongs to {}, but the profile now points \
             to {}, so Rollcall did not send it. If that is where it should go, enter the secret \
             again for {}.",
            self.profile.name, self.saved, self.now, self.now
        )
    }
}

/// How the built-in Sandbox profile reaches the sandbox org this process started: its address
/// and the one OAuth client it accepts. The secret is new at every launch and never saved, so
/// no other program on the computer can log in to the sandbox org with a secret it read from a
/// file, a profile or the source code. The sandbox crate's `start_for_profile` makes one.
#[derive(Debug, Clone)]
pub struct SandboxAccess {
    /// The API base URL (`http://127.0.0.1:PORT`).
    pub url: String,
    pub client_id: String,
    pub client_secret: Secret,
}

/// A profile problem, said so an admin can fix it.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("There is no profile named \"{0}\".")]
    NotFound(String),
    #[error("A profile needs a name.")]
    EmptyName,
    #[error("A profile needs the OAuth client's id.")]
    EmptyClientId,
    #[error("A profile needs the OAuth client's secret.")]
    EmptySecret,
    #[error("A rate limit is at least 1 request a minute; leave it empty for Genesys's default.")]
    ZeroRate,
    #[error("\"{0}\" is not a Genesys Cloud region key.")]
    UnknownRegion(String),
    #[error("The profile \"{0}\" has no secret in the keychain; save it again with its secret.")]
    NoSecret(String),
    /// The profiles file now names another org address or client id than the secret was saved
    /// for; nothing was sent.
    #[error("{0}")]
    SecretBoundElsewhere(Box<BindingMismatch>),
    #[error("The sandbox org is not running.")]
    SandboxNotRunning,
    #[error("The built-in sandbox profile cannot be changed or removed.")]
    BuiltIn,
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error(transparent)]
    Genesys(#[from] GenesysError),
    #[error("The profiles file {path} cannot be used: {reason}")]
    File { path: PathBuf, reason: String },
}

/// The profiles file (`profiles.json` in the config folder) and the keychain behind it.
pub struct Profiles<'a> {
    path: PathBuf,
    secrets: &'a dyn SecretStore,
}

#[derive(Serialize, Deserialize, Default)]
struct ProfilesFile {
    profiles: Vec<Profile>,
}

impl<'a> Profiles<'a> {
    pub fn new(config_dir: &Path, secrets: &'a dyn SecretStore) -> Self {
        Profiles {
            path: config_dir.join("profiles.json"),
            secrets,
        }
    }

    /// Every profile, the sandbox first.
    pub fn list(&self) -> Result<Vec<Profile>, ProfileError> {
        let mut profiles = vec![Profile::sandbox()];
        profiles.extend(self.read()?.profiles);
        Ok(profiles)
    }

    pub fn get(&self, name: &str) -> Result<Profile, ProfileError> {
        self.list()?
            .into_iter()
            .find(|p| p.name == name)
            .ok_or_else(|| ProfileError::NotFound(name.to_owned()))
    }

    /// Save a profile and its secret (the secret to the keychain first: a profile is never
    /// written without one).
    pub fn save(&self, profile: &Profile, secret: &Secret) -> Result<(), ProfileError> {
        let name = profile.name.trim();
        if name.is_empty() {
            return Err(ProfileError::EmptyName);
        }
        if name == SANDBOX_PROFILE || profile.target == Target::Sandbox {
            return Err(ProfileError::BuiltIn);
        }
        if profile.client_id.trim().is_empty() {
            return Err(ProfileError::EmptyClientId);
        }
        if secret.is_empty() {
            return Err(ProfileError::EmptySecret);
        }
        if profile.rate_per_minute == Some(0) {
            return Err(ProfileError::ZeroRate);
        }
        let endpoint = profile.endpoint(None)?;
        let profile = Profile {
            name: name.to_owned(),
            client_id: profile.client_id.trim().to_owned(),
            target: profile.target.clone(),
            rate_per_minute: profile.rate_per_minute,
        };
        let entry = KeychainEntry::encode(secret, &profile.binding(&endpoint));
        self.secrets.set(&profile.keychain_account(), &entry)?;
        let mut file = self.read()?;
        file.profiles.retain(|p| p.name != profile.name);
        file.profiles.push(profile);
        self.write(&file)
    }

    /// Remove a profile and its keychain entry.
    pub fn remove(&self, name: &str) -> Result<(), ProfileError> {
        if name == SANDBOX_PROFILE {
            return Err(ProfileError::BuiltIn);
        }
        let mut file = self.read()?;
        let Some(position) = file.profiles.iter().position(|p| p.name == name) else {
            return Err(ProfileError::NotFound(name.to_owned()));
        };
        let profile = file.profiles.remove(position);
        self.secrets.delete(&profile.keychain_account())?;
        self.write(&file)
    }

    fn read(&self) -> Result<ProfilesFile, ProfileError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| ProfileError::File {
                path: self.path.clone(),
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ProfilesFile::default()),
            Err(e) => Err(ProfileError::File {
                path: self.path.clone(),
                reason: e.to_string(),
            }),
        }
    }

    fn write(&self, file: &ProfilesFile) -> Result<(), ProfileError> {
        let fail = |e: std::io::Error| ProfileError::File {
            path: self.path.clone(),
            reason: e.to_string(),
        };
        let bytes = serde_json::to_vec_pretty(file).expect("profiles serialise");
        crate::paths::write_private(&self.path, &bytes).map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemoryStore;

    fn scratch() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "rollcall-profiles-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn the_secret_goes_to_the_keychain_and_never_to_the_file() {
        let dir = scratch();
        let secrets = MemoryStore::default();
        let profiles = Profiles::new(&dir, &secrets);
        let profile = Profile {
            name: "Production EU".into(),
            target: Target::Region {
                key: "eu-west-1".into(),
            },
            client_id: "abc-123".into(),
            rate_per_minute: Some(1_200),
        };
        profiles
            .save(&profile, &Secret::new("top-secret-value"))
            .unwrap();
        let file = std::fs::read_to_string(dir.join("profiles.json")).unwrap();
        assert!(file.contains("Production EU") && file.contains("abc-123"));
        assert_eq!(
            profiles.get("Production EU").unwrap().rate_per_minute,
            Some(1_200),
            "the org's raised limit is kept with the profile"
        );
        assert!(!file.contains("top-secret-value"));
        let entry =
            KeychainEntry::decode(secrets.get("profile:Production EU").unwrap().unwrap()).unwrap();
        assert_eq!(entry.secret.expose(), "top-secret-value");
        assert_eq!(
            entry.binding,
            Some(SecretBinding {
                endpoint: "https://api.mypurecloud.ie".to_owned(),
                client_id: "abc-123".to_owned(),
            }),
            "the entry names the org and the client the secret belongs to"
        );
        let names: Vec<_> = profiles
            .list()
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, [SANDBOX_PROFILE, "Production EU"]);

        profiles.remove("Production EU").unwrap();
        assert!(secrets.get("profile:Production EU").unwrap().is_none());
        assert!(matches!(
            profiles.get("Production EU"),
            Err(ProfileError::NotFound(_))
        ));
        assert!(matches!(
            profiles.remove(SANDBOX_PROFILE),
            Err(ProfileError::BuiltIn)
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_profile_saved_before_rates_existed_still_reads() {
        let dir = scratch();
        std::fs::write(
            dir.join("profiles.json"),
            r#"{"profiles":[{"name":"Old","target":{"kind":"region","key":"eu-west-1"},"clientId":"id"}]}"#,
        )
        .unwrap();
        let secrets = MemoryStore::default();
        let old = Profiles::new(&dir, &secrets).get("Old").unwrap();
        assert_eq!(old.rate_per_minute, None);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn bad_profiles_are_refused_before_anything_is_saved() {
        let dir = scratch();
        let secrets = MemoryStore::default();
        let profiles = Profiles::new(&dir, &secrets);
        let mut profile = Profile {
            name: "X".into(),
            target: Target::Region {
                key: "mars-north-1".into(),
            },
            client_id: "id".into(),
            rate_per_minute: None,
        };
        assert!(matches!(
            profiles.save(&profile, &Secret::new("s")),
            Err(ProfileError::UnknownRegion(_))
        ));
        profile.target = Target::Region {
            key: "eu-west-1".into(),
        };
        profile.rate_per_minute = Some(0);
        assert!(matches!(
            profiles.save(&profile, &Secret::new("s")),
            Err(ProfileError::ZeroRate)
        ));
        profile.rate_per_minute = None;
        profile.target = Target::Custom {
            api_url: "http://genesys.example.com".into(),
        };
        let err = profiles.save(&profile, &Secret::new("s")).unwrap_err();
        assert!(err.to_string().contains("https://"), "{err}");
        assert!(secrets.get("profile:X").unwrap().is_none());
        assert!(!dir.join("profiles.json").exists());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
