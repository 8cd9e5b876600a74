//! The one retry policy every Genesys call goes through.
//!
//! What is retried: 429 (waiting what `Retry-After` says, 3 s when it is absent, giving up past
//! 180 s as Genesys's Go SDK does), 502/503/504, 408, 500 on reads, timeouts and connection
//! errors — each with a capped exponential backoff with jitter, within a total time bound — and
//! a throttled login service, 3 s, 9 s, then 27 s apart. What is *not* retried: a write whose
//! answer was lost (see [`GenesysError::OutcomeUnknown`]).

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use serde::Serialize;

/// How hard to retry.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// First backoff for 5xx, timeouts and connection errors.
    pub base_delay: Duration,
    /// Largest backoff.
    pub max_delay: Duration,
    /// No retry starts once this much time has passed since the first attempt.
    pub total_budget: Duration,
    /// Wait on a 429 without `Retry-After`.
    pub default_retry_after: Duration,
    /// A `Retry-After` longer than this is not waited out.
    pub max_retry_after: Duration,
    /// First wait when the login service throttles new tokens; each next one is three times
    /// longer, up to nine times this.
    pub login_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            total_budget: Duration::from_secs(300),
            default_retry_after: Duration::from_secs(3),
            max_retry_after: Duration::from_secs(180),
            login_backoff: Duration::from_secs(3),
        }
    }
}

impl RetryPolicy {
    /// A policy with millisecond backoffs, for tests against the sandbox.
    pub fn fast() -> Self {
        RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            total_budget: Duration::from_secs(30),
            default_retry_after: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(180),
            login_backoff: Duration::from_millis(10),
        }
    }

    /// The backoff before attempt `attempt + 1` after a failure that gave no `Retry-After`:
    /// `base · 2^(attempt-1)`, capped, with "equal jitter" (half fixed, half random) so a pool
    /// of workers does not retry in lockstep.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let capped = exp.min(self.max_delay);
        let half = capped / 2;
        let jitter = rand::rng().random_range(0.0..=1.0);
        half + half.mul_f64(jitter)
    }

    /// The wait after the login service throttled attempt `attempt`: 3 s, 9 s, then 27 s (with
    /// the default policy), as Genesys's Java and .NET SDKs back off on repeated errors
    /// (MyPureCloud/platform-client-sdk-java, `build/src/main/java/com/mypurecloud/sdk/v2/ApiClient.java`,
    /// class `Retry`: `3^n` seconds, `n` up to 3). No jitter: the pool mints one token at a time.
    pub fn login_backoff(&self, attempt: u32) -> Duration {
        self.login_backoff * 3u32.pow(attempt.clamp(1, 3) - 1)
    }

    /// The wait on a 429: `Retry-After` (or the default) plus a little jitter, or `None` when
    /// Genesys asks for longer than [`RetryPolicy::max_retry_after`].
    pub fn rate_limit_wait(&self, retry_after: Option<Duration>) -> Option<Duration> {
        let wait = retry_after.unwrap_or(self.default_retry_after);
        if wait > self.max_retry_after {
            return None;
        }
        let jitter_ms = rand::rng().random_range(0..=250u64.min(wait.as_millis() as u64 / 4 + 1));
        Some(wait + Duration::from_millis(jitter_ms))
    }
}

/// Why a call is being retried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RetryReason {
    /// 429 from the API.
    RateLimited,
    /// A 5xx that is safe to repeat.
    ServerError { status: u16 },
    /// No answer in time.
    Timeout,
    /// The connection failed or dropped.
    Connection,
    /// The token endpoint is failing.
    TokenEndpoint { status: Option<u16> },
    /// The token endpoint is throttling new tokens (its own rate limit).
    LoginThrottled,
}

impl RetryReason {
    /// A few words for a log line.
    pub fn describe(&self) -> String {
        match self {
            RetryReason::RateLimited => "rate limited (429)".to_owned(),
            RetryReason::ServerError { status } => format!("server error ({status})"),
            RetryReason::Timeout => "timed out".to_owned(),
            RetryReason::Connection => "connection failed".to_owned(),
            RetryReason::TokenEndpoint { status: Some(s) } => format!("login service ({s})"),
            RetryReason::TokenEndpoint { status: None } => "login service unreachable".to_owned(),
            RetryReason::LoginThrottled => {
                "the login service is limiting new tokens (rate limit exceeded)".to_owned()
            }
        }
    }
}

/// One retry, reported before its wait starts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryNotice {
    /// The call being retried (`create user`, `search users`, …).
    pub operation: String,
    /// The attempt that just failed (1 for the first).
    pub attempt: u32,
    pub reason: RetryReason,
    /// How long the client waits before the next attempt.
    #[serde(serialize_with = "millis")]
    pub wait: Duration,
    pub correlation_id: Option<String>,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

/// Receives every retry the client makes (the engine turns these into `RunEvent`s).
pub type RetryObserver = Arc<dyn Fn(&RetryNotice) + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered_within_bounds() {
        let policy = RetryPolicy::default();
        for attempt in 1..12 {
            let nominal = (policy.base_delay * (1 << (attempt - 1))).min(policy.max_delay);
            let wait = policy.backoff(attempt);
            assert!(
                wait >= nominal / 2 && wait <= nominal,
                "attempt {attempt}: {wait:?}"
            );
        }
        assert!(policy.backoff(30) <= policy.max_delay);
    }

    #[test]
    fn retry_after_is_honoured_and_absurd_waits_are_refused() {
        let policy = RetryPolicy::default();
        let wait = policy
            .rate_limit_wait(Some(Duration::from_secs(7)))
            .unwrap();
        assert!(wait >= Duration::from_secs(7) && wait <= Duration::from_millis(7250));
        let default = policy.rate_limit_wait(None).unwrap();
        assert!(default >= Duration::from_secs(3));
        assert_eq!(policy.rate_limit_wait(Some(Duration::from_secs(181))), None);
    }

    #[test]
    fn a_throttled_login_service_is_given_3_then_9_then_27_seconds() {
        let policy = RetryPolicy::default();
        let waits: Vec<u64> = (1..=5).map(|a| policy.login_backoff(a).as_secs()).collect();
        assert_eq!(waits, [3, 9, 27, 27, 27]);
    }
}
