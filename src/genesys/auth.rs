//! OAuth client credentials: the client id and secret, and the access token they buy.
//!
//! A token is cached and renewed shortly before `expires_in` runs out; a 401 from the API
//! invalidates it and the request is retried once with a fresh one (see the client).

use std::io::Write;
use std::time::Duration;

use base64::write::EncoderWriter;
use reqwest::header::{HeaderValue, InvalidHeaderValue};
use serde::Deserialize;
use tokio::time::Instant;

use crate::secrets::{Secret, WipedBuffer};

/// An OAuth client (Client Credentials grant). `Debug` never shows the secret.
#[derive(Debug, PartialEq, Eq)]
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

    /// The token request's `Authorization: Basic base64(id:secret)`, built in wiped memory
    /// (reqwest's `basic_auth` formats the pair into a plain string first).
    pub(crate) fn basic_authorization(&self) -> HeaderValue {
        let secret = self.client_secret.expose();
        let pair = self.client_id.len() + 1 + secret.len();
        let mut header = WipedBuffer::with_capacity(6 + pair.div_ceil(3) * 4);
        header.extend_from_slice(b"Basic ");
        let mut encoder =
            EncoderWriter::new(&mut header, &base64::engine::general_purpose::STANDARD);
        for part in [self.client_id.as_bytes(), b":", secret.as_bytes()] {
            encoder.write_all(part).expect("writing to memory");
        }
        encoder.finish().expect("writing to memory");
        drop(encoder);
        header
            .into_header()
            .expect("base64 is a valid header value")
    }
}

/// The success body of `/oauth/token`.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: Secret,
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

/// An access token and when to stop using it. Shared, never copied: the client hands out
/// `Arc`s of it.
pub(crate) struct AccessToken {
    pub value: Secret,
    /// Renew at this instant (a margin before the real expiry). On tokio's clock, which is the
    /// system's own unless a test has paused it.
    pub renew_at: Instant,
    /// A number that changes with every new token, so a 401 only invalidates the token that
    /// earned it, not one another task already renewed.
    pub generation: u64,
}

impl AccessToken {
    pub fn new(value: Secret, expires_in: Option<u64>, generation: u64) -> Self {
        // Genesys lifetimes run from 300 s to 48 h; 86 399 s is the default.
        let lifetime = Duration::from_secs(expires_in.unwrap_or(86_399).max(1));
        let margin = (lifetime / 5).min(Duration::from_secs(60));
        AccessToken {
            value,
            renew_at: Instant::now() + lifetime - margin,
            generation,
        }
    }

    pub fn is_fresh(&self) -> bool {
        Instant::now() < self.renew_at
    }

    /// `Authorization: Bearer …` for one request, built in wiped memory; an error when the
    /// login service gave a token no HTTP header can carry.
    pub fn authorization(&self) -> Result<HeaderValue, InvalidHeaderValue> {
        let token = self.value.expose();
        let mut header = WipedBuffer::with_capacity(7 + token.len());
        header.extend_from_slice(b"Bearer ");
        header.extend_from_slice(token.as_bytes());
        header.into_header()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn token_is_renewed_before_it_expires() {
        let long = AccessToken::new(Secret::from("t"), Some(86_399), 1);
        assert!(long.is_fresh());
        assert_eq!(
            long.renew_at - Instant::now(),
            Duration::from_secs(86_399 - 60),
            "a long-lived token is renewed a minute before it expires"
        );
        let short = AccessToken::new(Secret::from("t"), Some(5), 2);
        assert_eq!(
            short.renew_at - Instant::now(),
            Duration::from_secs(4),
            "a short-lived token is renewed a fifth of its life early"
        );
        // A lifetime of 0 is taken as a second, renewed after 800 ms.
        let expiring = AccessToken::new(Secret::from("t"), Some(0), 3);
        tokio::time::advance(Duration::from_millis(799)).await;
        assert!(expiring.is_fresh(), "still fresh 1 ms before its renewal");
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(!expiring.is_fresh(), "due for renewal at 800 ms");
    }

    #[test]
    fn the_authorization_headers_are_genesys_s_and_wiped_when_dropped() {
        use crate::secrets::wipe_check::copies_left_behind;
        use base64::Engine;
        const SECRET: &str = "client-secret-9f04b2";
        const TOKEN: &str = "access-token-77c3e1";
        // What the Basic header carries is the base64 of `id:secret`.
        let encoded: &'static str = Box::leak(
            base64::engine::general_purpose::STANDARD
                .encode(format!("my-client:{SECRET}"))
                .into_boxed_str(),
        );
        let left = copies_left_behind(encoded, || {
            let basic = Credentials::new("my-client", SECRET).basic_authorization();
            assert_eq!(
                basic.as_bytes().strip_prefix(b"Basic "),
                Some(encoded.as_bytes())
            );
            assert!(basic.is_sensitive());
        });
        assert_eq!(left, 0, "the Basic header was wiped");
        let left = copies_left_behind(TOKEN, || {
            let token = AccessToken::new(Secret::from(TOKEN), None, 1);
            let bearer = token.authorization().unwrap();
            assert_eq!(
                bearer.as_bytes().strip_prefix(b"Bearer "),
                Some(TOKEN.as_bytes())
            );
            assert!(bearer.is_sensitive());
            let answer = br#"{"access_token":"access-token-77c3e1","expires_in":86399}"#;
            let parsed: TokenResponse = serde_json::from_slice(answer).unwrap();
            assert_eq!(parsed.access_token.expose(), TOKEN);
        });
        assert_eq!(left, 0, "the token and its Bearer header were wiped");
        assert!(
            AccessToken::new(Secret::from("bad\ntoken"), None, 2)
                .authorization()
                .is_err(),
            "a token no header can carry is refused, not sent"
        );
    }

    #[test]
    fn credentials_debug_hides_the_secret() {
        let creds = Credentials::new(" my-client ", "s3cr3t-value");
        assert_eq!(creds.client_id, "my-client");
        assert!(!format!("{creds:?}").contains("s3cr3t-value"));
    }
}
