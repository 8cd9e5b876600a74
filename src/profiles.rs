//! Saved connections: a name, where the org is (a region, the sandbox org, or a custom URL),
//! the OAuth client id, and the org's rate limit when Genesys raised it. The secret is in the
//! OS keychain, never in the profiles file.

use std::path::{Path, PathBuf};

use rand::distr::{Alphanumeric, SampleString};
use serde::{Deserialize, Serialize};

use crate::genesys::{ClientConfig, Credentials, Endpoint, GenesysClient, GenesysError, Region};
use crate::sandbox::{Sandbox, SandboxClient, SandboxConfig, DEMO_CLIENT_ID};
use crate::secrets::{KeychainError, Secret, SecretStore};

/// The name of the profile every install starts with.
pub const SANDBOX_PROFILE: &str = "Sandbox org";

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

    /// A client for this profile, its secret read from `secrets`; the Sandbox profile's client
    /// is the one the running sandbox was started with.
    pub fn client(
        &self,
        secrets: &dyn SecretStore,
        sandbox: Option<&SandboxAccess>,
        config: ClientConfig,
    ) -> Result<GenesysClient, ProfileError> {
        let endpoint = self.endpoint(sandbox.map(|s| s.url.as_str()))?;
        let credentials = match (&self.target, sandbox) {
            (Target::Sandbox, Some(sandbox)) => {
                Credentials::new(sandbox.client_id.clone(), sandbox.client_secret.clone())
            }
            _ => {
                let secret = secrets
                    .get(&self.keychain_account())?
                    .ok_or_else(|| ProfileError::NoSecret(self.name.clone()))?;
                Credentials::new(self.client_id.clone(), secret)
            }
        };
        Ok(GenesysClient::new(endpoint, credentials, config)?)
    }
}

/// How the built-in Sandbox profile reaches the sandbox org this process started: its address
/// and the one OAuth client it accepts. The secret is new at every launch and never saved, so
/// no other program on the computer can log in to the sandbox org with a secret it read from a
/// file, a profile or the source code.
#[derive(Debug, Clone)]
pub struct SandboxAccess {
    /// The API base URL (`http://127.0.0.1:PORT`).
    pub url: String,
    pub client_id: String,
    pub client_secret: Secret,
}

impl SandboxAccess {
    /// Start the sandbox org behind the Sandbox profile: `config` with its clients replaced by
    /// one with every permission and a random secret made for this launch.
    pub async fn start(config: SandboxConfig) -> std::io::Result<(Sandbox, SandboxAccess)> {
        let client = SandboxClient {
            client_secret: Secret::new(Alphanumeric.sample_string(&mut rand::rng(), 40)),
            ..SandboxClient::demo()
        };
        let sandbox = Sandbox::start(SandboxConfig {
            clients: vec![client.clone()],
            ..config
        })
        .await?;
        let access = SandboxAccess {
            url: sandbox.url().to_owned(),
            client_id: client.client_id,
            client_secret: client.client_secret,
        };
        Ok((sandbox, access))
    }
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
        profile.endpoint(None)?;
        let profile = Profile {
            name: name.to_owned(),
            client_id: profile.client_id.trim().to_owned(),
            target: profile.target.clone(),
            rate_per_minute: profile.rate_per_minute,
        };
        self.secrets.set(&profile.keychain_account(), secret)?;
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
        assert_eq!(
            secrets
                .get("profile:Production EU")
                .unwrap()
                .unwrap()
                .expose(),
            "top-secret-value"
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

    #[tokio::test]
    async fn the_sandbox_profile_logs_in_with_this_launchs_secret_and_the_public_one_is_refused() {
        let (sandbox, access) = SandboxAccess::start(SandboxConfig::default())
            .await
            .unwrap();
        let (_next, next_launch) = SandboxAccess::start(SandboxConfig::default())
            .await
            .unwrap();
        assert_ne!(
            access.client_secret.expose(),
            next_launch.client_secret.expose(),
            "every launch makes its own secret"
        );
        assert_eq!(access.url, sandbox.url());

        let client = Profile::sandbox()
            .client(
                &MemoryStore::default(),
                Some(&access),
                ClientConfig::default(),
            )
            .unwrap();
        client
            .authenticate()
            .await
            .expect("the Sandbox profile logs in to the sandbox it started");
        assert!(
            client.endpoint().describe().contains(sandbox.url()),
            "{}",
            client.endpoint().describe()
        );

        let public = GenesysClient::new(
            Endpoint::custom(sandbox.url()).unwrap(),
            Credentials::new(DEMO_CLIENT_ID, crate::sandbox::DEMO_CLIENT_SECRET),
            ClientConfig::default(),
        )
        .unwrap();
        let refused = public.authenticate().await.unwrap_err();
        assert!(
            refused.to_string().contains("wrong client id/secret"),
            "the published demo secret does not open the app's sandbox org: {refused}"
        );
    }
}
