//! OAuth client credentials: the client id and secret, and the access token they buy.
//!
//! A token is cached and renewed shortly before `expires_in` runs out; a 401 from the API
//! invalidates it and the request is retried once with a fresh one (see the client).

use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::secrets::Secret;

/// An OAuth client (Client Credentials grant). `Debug` never shows the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: Secret,
}

impl Credentials {
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        Credentials {
            client_id: client_id.into().trim().to_owned(),
            client_secret: client_secret.into(),
        }
    }
}

/// The success body of `/oauth/token`.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub expires_in: Option<u64>,
}

/// The error body of `/oauth/token`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct OAuthErrorBody {
    pub error: Option<String>,
    pub description: Option<String>,
    pub error_description: Option<String>,
}

/// An access token and when to stop using it.
#[derive(Clone)]
pub(crate) struct AccessToken {
    pub value: Secret,
    /// Renew at this instant (a margin before the real expiry).
    pub renew_at: Instant,
    /// A number that changes with every new token, so a 401 only invalidates the token that
    /// earned it, not one another task already renewed.
    pub generation: u64,
}

impl AccessToken {
    pub fn new(value: String, expires_in: Option<u64>, generation: u64) -> Self {
        // Genesys lifetimes run from 300 s to 48 h; 86 399 s is the default.
        let lifetime = Duration::from_secs(expires_in.unwrap_or(86_399).max(1));
        let margin = (lifetime / 5).min(Duration::from_secs(60));
        AccessToken {
            value: Secret::new(value),
            renew_at: Instant::now() + lifetime - margin,
            generation,
        }
    }

    pub fn is_fresh(&self) -> bool {
        Instant::now() < self.renew_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_renewed_before_it_expires() {
        let long = AccessToken::new("t".into(), Some(86_399), 1);
        assert!(long.is_fresh());
        let remaining = long.renew_at - Instant::now();
        assert!(remaining <= Duration::from_secs(86_399 - 60));
        let short = AccessToken::new("t".into(), Some(5), 2);
        assert!(short.renew_at - Instant::now() <= Duration::from_secs(4));
        let expired = AccessToken::new("t".into(), Some(0), 3);
        std::thread::sleep(Duration::from_millis(900));
        assert!(!expired.is_fresh());
    }

    #[test]
    fn credentials_debug_hides_the_secret() {
        let creds = Credentials::new(" my-client ", "s3cr3t-value");
        assert_eq!(creds.client_id, "my-client");
        assert!(!format!("{creds:?}").contains("s3cr3t-value"));
    }
}
