//! The access token: fetched when first needed, renewed when it expires or a call is refused
//! with 401, and minted one at a time across a pool of clients.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};

use super::http::{describe_transport, host_of, read_body};
use super::{GenesysClient, ResponseMeta};
use crate::genesys::auth::{AccessToken, OAuthErrorBody, TokenResponse};
use crate::genesys::error::{GenesysError, OAuthError, Result};
use crate::genesys::ratelimit;
use crate::genesys::retry::RetryReason;

impl GenesysClient {
    /// The current token, fetched or renewed when needed. Concurrent callers wait for one
    /// fetch rather than each minting a token.
    pub(super) async fn token(&self) -> Result<Arc<AccessToken>> {
        let mut slot = self.token.current.lock().await;
        if let Some(token) = slot.as_ref().filter(|t| t.is_fresh()) {
            return Ok(token.clone());
        }
        let token = Arc::new(self.fetch_token().await?);
        *slot = Some(token.clone());
        Ok(token)
    }

    pub(super) async fn invalidate(&self, generation: u64) {
        let mut slot = self.token.current.lock().await;
        if slot.as_ref().is_some_and(|t| t.generation == generation) {
            *slot = None;
        }
    }

    /// Mint a token, one at a time across the pool (see [`super::Shared::minting`]).
    async fn fetch_token(&self) -> Result<AccessToken> {
        let shared = &self.shared;
        let _minting = shared.minting.lock().await;
        let url = shared.endpoint.token_url();
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = shared
                .http
                .post(&url)
                .header(AUTHORIZATION, shared.credentials.basic_authorization())
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(ACCEPT, "application/json")
                .body("grant_type=client_credentials")
                .send()
                .await;
            let failure = match sent {
                Err(e) => {
                    let err = if e.is_timeout() {
                        GenesysError::Timeout {
                            what: "login".to_owned(),
                            reason: describe_transport(&e),
                        }
                    } else {
                        GenesysError::Unreachable {
                            host: host_of(&shared.endpoint.login_base()),
                            reason: describe_transport(&e),
                        }
                    };
                    (RetryReason::TokenEndpoint { status: None }, err, None)
                }
                Ok(response) => {
                    let status = response.status().as_u16();
                    let headers = response.headers().clone();
                    let meta = ResponseMeta::from_headers(status, &headers);
                    // A token answer is a few hundred bytes; an unreadable or huge one is read
                    // as empty and reported as "not a Genesys Cloud login service" below.
                    let bytes = read_body(response).await.unwrap_or_default();
                    if status == 200 {
                        let body: TokenResponse = serde_json::from_slice(&bytes).map_err(|e| {
                            GenesysError::UnexpectedResponse {
                                what: "login".to_owned(),
                                status,
                                reason: format!("no access token in the answer ({e})"),
                                correlation_id: meta.correlation_id.clone(),
                            }
                        })?;
                        let generation = shared.generations.fetch_add(1, Ordering::Relaxed) + 1;
                        let token =
                            AccessToken::new(body.access_token, body.expires_in, generation);
                        if token.authorization().is_err() {
                            return Err(GenesysError::UnexpectedResponse {
                                what: "login".to_owned(),
                                status,
                                reason: "the access token has characters no HTTP header may \
                                         carry"
                                    .to_owned(),
                                correlation_id: meta.correlation_id.clone(),
                            });
                        }
                        let hook = shared.after_first_token.lock().expect("hook").take();
                        if let Some(hook) = hook {
                            // It may write to the keychain, which blocks.
                            let _ = tokio::task::spawn_blocking(hook).await;
                        }
                        return Ok(token);
                    }
                    let parsed: Option<OAuthErrorBody> = serde_json::from_slice(&bytes).ok();
                    let oauth = parsed.filter(|b| b.error.is_some()).map(|b| OAuthError {
                        status,
                        error: b.error.unwrap_or_default(),
                        description: b.error_description.or(b.description).unwrap_or_default(),
                        endpoint: shared.endpoint.describe(),
                        correlation_id: meta.correlation_id.clone(),
                    });
                    // The login service's own limit: 429, or (as Genesys answers it) 400
                    // `invalid_request` "rate limit exceeded; …".
                    let throttled = status == 429
                        || oauth.as_ref().is_some_and(|o| {
                            o.error == "invalid_request"
                                && o.description.to_lowercase().contains("rate limit")
                        });
                    let err = match oauth {
                        Some(oauth) => GenesysError::Auth(oauth),
                        None => GenesysError::UnexpectedResponse {
                            what: "login".to_owned(),
                            status,
                            reason: format!(
                                "{} is not a Genesys Cloud login service",
                                shared.endpoint.token_url()
                            ),
                            correlation_id: meta.correlation_id.clone(),
                        },
                    };
                    if !(throttled || status >= 500) {
                        return Err(err);
                    }
                    let retry_after = ratelimit::retry_after(&headers);
                    let reason = if throttled {
                        RetryReason::LoginThrottled
                    } else {
                        RetryReason::TokenEndpoint {
                            status: Some(status),
                        }
                    };
                    (reason, err, retry_after)
                }
            };
            self.wait_or_give_up("login", attempt, started, failure)
                .await?;
        }
    }
}
