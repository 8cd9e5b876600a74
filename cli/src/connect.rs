//! Which org to talk to, from the environment (for scripts and CI) or a flag.
//!
//! Credentials never come from a flag: flags end up in shell history and process lists.

use rollcall_core::genesys::{
    ClientConfig, Credentials, Endpoint, GenesysClient, GenesysError, Region,
};

/// The org connection options every command that talks to Genesys shares.
#[derive(clap::Args, Debug, Clone)]
pub struct ConnectArgs {
    /// Custom API base URL (a proxy, or the sandbox: `rollcall sandbox` prints it). Plain http
    /// only to loopback addresses. Also GENESYS_API_URL.
    #[arg(long, env = "GENESYS_API_URL", value_name = "URL")]
    pub api_url: Option<String>,
    /// Region key (us-east-1, eu-west-1, …). Also GENESYS_REGION.
    #[arg(long, env = "GENESYS_REGION", value_name = "KEY")]
    pub region: Option<String>,
}

/// A connection that could not be set up, with what to do.
pub struct ConnectError(pub String);

impl From<GenesysError> for ConnectError {
    fn from(e: GenesysError) -> Self {
        ConnectError(e.to_string())
    }
}

impl ConnectArgs {
    pub fn endpoint(&self) -> Result<Endpoint, ConnectError> {
        match (&self.api_url, &self.region) {
            (Some(url), _) => Ok(Endpoint::custom(url)?),
            (None, Some(key)) => Region::by_key(key).map(|r| r.endpoint()).ok_or_else(|| {
                let keys: Vec<&str> = rollcall_core::genesys::REGIONS
                    .iter()
                    .map(|r| r.key)
                    .collect();
                ConnectError(format!(
                    "unknown region \"{key}\"; use one of: {}",
                    keys.join(", ")
                ))
            }),
            (None, None) => Err(ConnectError(
                "no org given: set GENESYS_REGION (or --region) or GENESYS_API_URL (or \
                 --api-url), with GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET"
                    .to_owned(),
            )),
        }
    }

    pub fn client(&self) -> Result<GenesysClient, ConnectError> {
        let endpoint = self.endpoint()?;
        let id = std::env::var("GENESYS_CLIENT_ID").unwrap_or_default();
        let secret = std::env::var("GENESYS_CLIENT_SECRET").unwrap_or_default();
        if id.trim().is_empty() || secret.is_empty() {
            return Err(ConnectError(
                "set GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET to the OAuth client's id and \
                 secret (never pass a secret as a flag)"
                    .to_owned(),
            ));
        }
        Ok(GenesysClient::new(
            endpoint,
            Credentials::new(id, secret),
            ClientConfig::default(),
        )?)
    }
}
