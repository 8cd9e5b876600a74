//! Which org to talk to: a saved profile (its secret in the OS keychain), or the GENESYS_*
//! variables for scripts and CI.
//!
//! Secrets never come from a flag: flags end up in shell history and process lists.

use rollcall_core::genesys::{ClientConfig, Credentials, Endpoint, GenesysClient, Region};
use rollcall_core::paths::AppDirs;
use rollcall_core::profiles::{Profile, ProfileError, Profiles, Target};
use rollcall_core::secrets::{KeychainError, KeyringStore};
use rollcall_sandbox::{start_for_profile, Sandbox, SandboxConfig};

use crate::error::{exit, CliError};

/// The org options every command that talks to Genesys shares.
#[derive(clap::Args, Debug, Clone)]
pub struct ConnectArgs {
    /// A saved profile (`rollcall profiles list`). "Sandbox org" is the built-in sandbox.
    #[arg(long, short = 'p', env = "ROLLCALL_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// Custom API base URL (a proxy, or a sandbox from `rollcall sandbox`). Plain http only to
    /// loopback addresses. Also GENESYS_API_URL.
    #[arg(long, env = "GENESYS_API_URL", value_name = "URL")]
    pub api_url: Option<String>,
    /// Region key (us-east-1, eu-west-1, …). Also GENESYS_REGION.
    #[arg(long, env = "GENESYS_REGION", value_name = "KEY")]
    pub region: Option<String>,
}

/// A client, and the sandbox org it talks to when the profile is the sandbox (kept running
/// for as long as the command needs it).
pub struct Connection {
    pub client: GenesysClient,
    pub profile: Option<String>,
    /// The profile's rate limit, when the org's was raised.
    pub rate_per_minute: Option<u32>,
    _sandbox: Option<Sandbox>,
}

impl ConnectArgs {
    pub async fn connect(&self) -> Result<Connection, CliError> {
        match &self.profile {
            Some(name) => self.connect_profile(name).await,
            None => self.connect_environment(),
        }
    }

    async fn connect_profile(&self, name: &str) -> Result<Connection, CliError> {
        let dirs = AppDirs::for_current_user()
            .ok_or_else(|| CliError::usage("cannot find a home folder (set ROLLCALL_HOME)"))?;
        let store = KeyringStore;
        let profiles = Profiles::new(&dirs.config, &store);
        let profile = profiles
            .get(name)
            .map_err(|e| CliError::usage(e.to_string()))?;
        let (sandbox, access) = if profile.target == Target::Sandbox {
            let config = SandboxConfig {
                state_file: Some(dirs.sandbox_org()),
                ..SandboxConfig::default()
            };
            let (sandbox, access) = start_for_profile(config)
                .await
                .map_err(|e| CliError::usage(format!("cannot start the sandbox org: {e}")))?;
            if let Some(notice) = sandbox.notice() {
                eprintln!("rollcall: {notice}");
            }
            (Some(sandbox), Some(access))
        } else {
            (None, None)
        };
        let client = tokio::task::block_in_place(|| {
            profile.client(&store, access.as_ref(), ClientConfig::default())
        })
        .map_err(|e| {
            let code = match e {
                ProfileError::NoSecret(_)
                | ProfileError::SecretBoundElsewhere(_)
                | ProfileError::Keychain(_) => exit::AUTH,
                _ => exit::USAGE,
            };
            CliError::new(code, profile_error_message(&e))
        })?;
        Ok(Connection {
            client,
            profile: Some(profile.name),
            rate_per_minute: profile.rate_per_minute,
            _sandbox: sandbox,
        })
    }

    fn endpoint(&self) -> Result<Endpoint, CliError> {
        match (&self.api_url, &self.region) {
            (Some(url), _) => Endpoint::custom(url).map_err(|e| CliError::usage(e.to_string())),
            (None, Some(key)) => Region::by_key(key).map(|r| r.endpoint()).ok_or_else(|| {
                let keys: Vec<&str> = rollcall_core::genesys::REGIONS
                    .iter()
                    .map(|r| r.key)
                    .collect();
                CliError::usage(format!(
                    "unknown region \"{key}\"; use one of: {}",
                    keys.join(", ")
                ))
            }),
            (None, None) => Err(CliError::usage(
                "no org given: use --profile NAME (see `rollcall profiles`), or set \
                 GENESYS_REGION (or GENESYS_API_URL) with GENESYS_CLIENT_ID and \
                 GENESYS_CLIENT_SECRET",
            )),
        }
    }

    fn connect_environment(&self) -> Result<Connection, CliError> {
        let endpoint = self.endpoint()?;
        let id = std::env::var("GENESYS_CLIENT_ID").unwrap_or_default();
        let secret = std::env::var("GENESYS_CLIENT_SECRET").unwrap_or_default();
        if id.trim().is_empty() || secret.is_empty() {
            return Err(CliError::usage(
                "set GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET to the OAuth client's id and \
                 secret, or use --profile (never pass a secret as a flag)",
            ));
        }
        let client = GenesysClient::new(
            endpoint,
            Credentials::new(id, secret),
            ClientConfig::default(),
        )
        .map_err(|e| CliError::usage(e.to_string()))?;
        Ok(Connection {
            client,
            profile: None,
            rate_per_minute: None,
            _sandbox: None,
        })
    }
}

/// A profile error as the CLI says it. Without a keychain a script can still pass the secret
/// for one session in the environment; the desktop app never suggests that, since a desktop
/// user has no session environment to set.
pub fn profile_error_message(error: &ProfileError) -> String {
    match error {
        ProfileError::Keychain(KeychainError::Unavailable(_)) => format!(
            "{error} For one session you can instead set GENESYS_CLIENT_ID and \
             GENESYS_CLIENT_SECRET (with GENESYS_REGION or GENESYS_API_URL) and leave out \
             --profile."
        ),
        ProfileError::SecretBoundElsewhere(mismatch) => format!(
            "{error} To enter it again, run: {}",
            add_command(&mismatch.profile)
        ),
        _ => error.to_string(),
    }
}

/// The command that saves `profile` again (its secret then read from a prompt or stdin).
pub fn add_command(profile: &Profile) -> String {
    let place = match &profile.target {
        Target::Region { key } => format!("--region {key}"),
        Target::Custom { api_url } => format!("--api-url {api_url}"),
        Target::Sandbox => String::new(),
    };
    let rate = profile
        .rate_per_minute
        .map(|rate| format!(" --rate {rate}"))
        .unwrap_or_default();
    format!(
        "rollcall profiles add \"{}\" {place} --client-id {}{rate}",
        profile.name, profile.client_id
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollcall_core::profiles::{BindingMismatch, Profile};
    use rollcall_core::secrets::SecretBinding;

    #[test]
    fn a_secret_saved_for_another_org_is_refused_with_the_command_that_saves_it_again() {
        let profile = Profile {
            name: "Prod EU".to_owned(),
            target: Target::Custom {
                api_url: "https://genesys-proxy.example.com".to_owned(),
            },
            client_id: "abc-123".to_owned(),
            rate_per_minute: Some(600),
        };
        let error = ProfileError::SecretBoundElsewhere(Box::new(BindingMismatch {
            profile,
            saved: SecretBinding {
                endpoint: "https://api.mypurecloud.ie".to_owned(),
                client_id: "abc-123".to_owned(),
            },
            now: SecretBinding {
                endpoint: "https://genesys-proxy.example.com".to_owned(),
                client_id: "abc-123".to_owned(),
            },
        }));
        let message = profile_error_message(&error);
        assert!(
            message.contains(
                "belongs to client abc-123 at https://api.mypurecloud.ie, but the profile now \
                 points to client abc-123 at https://genesys-proxy.example.com, so Rollcall did \
                 not send it"
            ),
            "{message}"
        );
        assert!(
            message.ends_with(
                "run: rollcall profiles add \"Prod EU\" --api-url \
                 https://genesys-proxy.example.com --client-id abc-123 --rate 600"
            ),
            "{message}"
        );
    }
}
