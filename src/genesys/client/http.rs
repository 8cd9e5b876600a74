//! One call, start to end: the token, the pacer's permit, the request, its answer read no
//! further than [`MAX_ANSWER_BYTES`], and the retry policy's verdict on a failure.

use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{GenesysClient, Repeat, Reply, ResponseMeta, MAX_ANSWER_BYTES};
use crate::genesys::error::{ApiError, ErrorBody, GenesysError, Result};
use crate::genesys::pacing::{Outcome, Permit};
use crate::genesys::ratelimit;
use crate::genesys::retry::{RetryNotice, RetryReason};
use crate::secrets::WipedBuffer;

impl GenesysClient {
    /// Send one call whose answer has no body Rollcall needs.
    pub(super) async fn call_unit(
        &self,
        what: &str,
        repeat: Repeat,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Bytes>,
    ) -> Result<Reply<()>> {
        let (meta, _) = self.call(what, repeat, method, path, query, body).await?;
        Ok(Reply { value: (), meta })
    }

    pub(super) async fn call_json<T: DeserializeOwned>(
        &self,
        what: &str,
        repeat: Repeat,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Bytes>,
    ) -> Result<Reply<T>> {
        let (meta, bytes) = self.call(what, repeat, method, path, query, body).await?;
        let value =
            serde_json::from_slice(&bytes).map_err(|e| GenesysError::UnexpectedResponse {
                what: what.to_owned(),
                status: meta.status,
                reason: format!("the body is not the expected JSON ({e})"),
                correlation_id: meta.correlation_id.clone(),
            })?;
        Ok(Reply { value, meta })
    }

    /// Send one call through the retry policy.
    pub(super) async fn call(
        &self,
        what: &str,
        repeat: Repeat,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Bytes>,
    ) -> Result<(ResponseMeta, Bytes)> {
        let url = self.shared.endpoint.api_url(path);
        let started = Instant::now();
        let mut attempt = 0;
        let mut renewed_after_401 = false;
        loop {
            attempt += 1;
            let token = self.token().await?;
            let mut request = self
                .shared
                .http
                .request(method.clone(), &url)
                .header(
                    AUTHORIZATION,
                    token.authorization().expect("checked when it was obtained"),
                )
                .header(ACCEPT, "application/json")
                .query(query);
            if let Some(body) = &body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let permit = self.token.pacer.acquire().await;
            let failure = match request.send().await {
                Err(e) => {
                    drop(permit);
                    if !e.is_connect() && repeat == Repeat::Settle {
                        return Err(GenesysError::OutcomeUnknown {
                            what: what.to_owned(),
                            reason: describe_transport(&e),
                            correlation_id: None,
                        });
                    }
                    self.transport_failure(what, &e)
                }
                Ok(response) => match self.read_answer(what, repeat, response, permit).await {
                    Answer::Done(meta, bytes) => return Ok((meta, bytes)),
                    Answer::Fail(error) => return Err(error),
                    Answer::Unauthorized(_) if !renewed_after_401 => {
                        // The token expired or was revoked: renew it once and resend. Nothing
                        // was done with a request that failed authentication.
                        renewed_after_401 = true;
                        self.invalidate(token.generation).await;
                        attempt -= 1;
                        continue;
                    }
                    Answer::Unauthorized(error) => return Err(error),
                    Answer::Retry(failure) => failure,
                },
            };
            self.wait_or_give_up(what, attempt, started, failure)
                .await?;
        }
    }

    /// Sort one HTTP answer into done, retry, renew the token, or fail.
    async fn read_answer(
        &self,
        what: &str,
        repeat: Repeat,
        response: reqwest::Response,
        permit: Permit<'_>,
    ) -> Answer {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let meta = ResponseMeta::from_headers(status, &headers);
        // Only a 429 says anything about the rate limit; any `inin-ratelimit-*` headers an
        // older server still sends are not read.
        permit.answered(if status == 429 {
            Outcome::RateLimited {
                retry_after: ratelimit::retry_after(&headers)
                    .unwrap_or(self.shared.config.retry.default_retry_after),
            }
        } else {
            Outcome::Accepted
        });
        let bytes = match read_body(response).await {
            Ok(bytes) => bytes,
            Err(Body::Lost(e)) if repeat == Repeat::Settle => {
                return Answer::Fail(GenesysError::OutcomeUnknown {
                    what: what.to_owned(),
                    reason: describe_transport(&e),
                    correlation_id: meta.correlation_id,
                })
            }
            Err(Body::Lost(e)) => return Answer::Retry(self.transport_failure(what, &e)),
            Err(Body::TooLarge) if repeat == Repeat::Settle && (200..300).contains(&status) => {
                // The write was done, but its answer cannot be read: settle it by a lookup.
                return Answer::Fail(GenesysError::OutcomeUnknown {
                    what: what.to_owned(),
                    reason: too_large().to_owned(),
                    correlation_id: meta.correlation_id,
                });
            }
            Err(Body::TooLarge) => {
                return Answer::Fail(GenesysError::UnexpectedResponse {
                    what: what.to_owned(),
                    status,
                    reason: too_large().to_owned(),
                    correlation_id: meta.correlation_id,
                })
            }
        };
        if (200..300).contains(&status) {
            return Answer::Done(meta, bytes);
        }
        if (300..400).contains(&status) {
            let location = headers
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .unwrap_or("another address");
            return Answer::Fail(GenesysError::UnexpectedResponse {
                what: what.to_owned(),
                status,
                reason: format!(
                    "the server redirected to {location}. Genesys Cloud never redirects an API \
                     call, and Rollcall does not follow one (the token would go with it): check \
                     the API address"
                ),
                correlation_id: meta.correlation_id,
            });
        }
        let error = api_error(status, &headers, &bytes, &meta);
        let retry_after = error.retry_after;
        match status {
            401 => Answer::Unauthorized(GenesysError::from(error)),
            429 => Answer::Retry((
                RetryReason::RateLimited,
                GenesysError::from(error),
                retry_after,
            )),
            408 | 500 | 502 | 504 if repeat == Repeat::Settle => {
                // A gateway error may have passed the request on, a 408 may have come after
                // the service began, a 500 may have failed half-way: the write may have
                // happened.
                Answer::Fail(GenesysError::OutcomeUnknown {
                    what: what.to_owned(),
                    reason: format!("Genesys answered {status}: {}", error.message),
                    correlation_id: error.correlation_id,
                })
            }
            408 => Answer::Retry((RetryReason::Timeout, GenesysError::from(error), None)),
            500 if repeat == Repeat::Read => Answer::Retry((
                RetryReason::ServerError { status },
                GenesysError::from(error),
                None,
            )),
            502..=504 => Answer::Retry((
                RetryReason::ServerError { status },
                GenesysError::from(error),
                None,
            )),
            _ => Answer::Fail(GenesysError::from(error)),
        }
    }

    /// After a retryable failure: report and sleep, or return the error when the policy says
    /// stop.
    pub(super) async fn wait_or_give_up(
        &self,
        what: &str,
        attempt: u32,
        started: Instant,
        (reason, failure, retry_after): Failure,
    ) -> Result<()> {
        let policy = &self.shared.config.retry;
        let wait = match reason {
            RetryReason::RateLimited => match policy.rate_limit_wait(retry_after) {
                Some(wait) => wait,
                None => return Err(failure),
            },
            RetryReason::LoginThrottled => policy
                .login_backoff(attempt)
                .max(retry_after.unwrap_or_default()),
            _ => policy.backoff(attempt),
        };
        if attempt >= policy.max_attempts || started.elapsed() + wait > policy.total_budget {
            return Err(GenesysError::GaveUp {
                attempts: attempt,
                elapsed: started.elapsed(),
                last: Box::new(failure),
            });
        }
        if let Some(observer) = &self.observer {
            observer(&RetryNotice {
                operation: what.to_owned(),
                attempt,
                reason,
                wait,
                correlation_id: failure.correlation_id().map(str::to_owned),
            });
        }
        tokio::time::sleep(wait).await;
        Ok(())
    }

    fn transport_failure(&self, what: &str, e: &reqwest::Error) -> Failure {
        if e.is_timeout() {
            let error = GenesysError::Timeout {
                what: what.to_owned(),
                reason: describe_transport(e),
            };
            (RetryReason::Timeout, error, None)
        } else {
            let error = GenesysError::Unreachable {
                host: host_of(&self.shared.endpoint.api_base()),
                reason: describe_transport(e),
            };
            (RetryReason::Connection, error, None)
        }
    }
}

/// A retryable failure: why, what it was, and the `Retry-After` it came with.
pub(super) type Failure = (RetryReason, GenesysError, Option<Duration>);

/// What one HTTP answer means for the call.
enum Answer {
    Done(ResponseMeta, Bytes),
    Retry(Failure),
    Unauthorized(GenesysError),
    Fail(GenesysError),
}

/// Why an answer's body could not be had.
pub(super) enum Body {
    /// The connection failed while it came.
    Lost(reqwest::Error),
    /// It passed [`MAX_ANSWER_BYTES`]; reading stopped there.
    TooLarge,
}

/// The body of an answer, read no further than [`MAX_ANSWER_BYTES`].
pub(super) async fn read_body(mut response: reqwest::Response) -> std::result::Result<Bytes, Body> {
    if response
        .content_length()
        .is_some_and(|length| length > MAX_ANSWER_BYTES as u64)
    {
        return Err(Body::TooLarge);
    }
    // A token answer carries the token: its memory is wiped, as is every answer's.
    let mut body = WipedBuffer::default();
    while let Some(chunk) = response.chunk().await.map_err(Body::Lost)? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(Body::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.into_bytes())
}

fn too_large() -> &'static str {
    "the answer is larger than 32 MB, which no Genesys Cloud answer is; Rollcall stopped reading it"
}

/// A request body, in wiped memory since some carry a password.
pub(super) fn encode<T: Serialize>(value: &T) -> Result<Bytes> {
    crate::secrets::json_body(value)
        .map_err(|e| GenesysError::InvalidEndpoint(format!("cannot encode request: {e}")))
}

fn api_error(status: u16, headers: &HeaderMap, bytes: &[u8], meta: &ResponseMeta) -> ApiError {
    let body: ErrorBody = serde_json::from_slice(bytes).unwrap_or_default();
    let message = body.message.clone().unwrap_or_else(|| {
        let reason = reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("error");
        format!("HTTP {status} {reason}")
    });
    ApiError {
        status,
        code: body.code.clone(),
        message,
        message_with_params: body.message_with_params.clone(),
        details: body.details.clone(),
        correlation_id: body
            .context_id
            .clone()
            .or_else(|| meta.correlation_id.clone()),
        retry_after: ratelimit::retry_after(headers),
        body,
    }
}

pub(super) fn describe_transport(e: &reqwest::Error) -> String {
    use std::error::Error;
    let mut text = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "connection failed".to_owned()
    } else {
        "connection lost".to_owned()
    };
    let mut source = e.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

pub(super) fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| url.to_owned())
}

/// A path segment: ids are UUIDs, but nothing from a file may change the path.
pub(super) fn segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_cannot_escape_the_path() {
        assert_eq!(segment("0a1b-2c"), "0a1b-2c");
        assert_eq!(segment("../admin?x=1"), "..%2Fadmin%3Fx%3D1");
    }
}
