//! Genesys's rate-limit signals, read off every response so a scheduler can pace itself.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::Serialize;

/// `inin-ratelimit-allowed`, `-count` and `-reset` of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// Requests allowed in the current window.
    pub allowed: u32,
    /// Requests counted so far in the current window.
    pub count: u32,
    /// Time until the window resets.
    #[serde(with = "secs")]
    pub reset: Duration,
}

impl RateLimit {
    /// Requests still allowed in this window.
    pub fn remaining(&self) -> u32 {
        self.allowed.saturating_sub(self.count)
    }

    /// The rate-limit headers of a response, when it has them.
    pub fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        let allowed = header_number(headers, "inin-ratelimit-allowed")?;
        let count = header_number(headers, "inin-ratelimit-count")?;
        let reset = header_number(headers, "inin-ratelimit-reset")?;
        Some(RateLimit {
            allowed: allowed as u32,
            count: count as u32,
            reset: Duration::from_secs(reset),
        })
    }
}

/// `Retry-After` in seconds (the only form Genesys sends; an HTTP date is ignored).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    header_number(headers, "retry-after").map(Duration::from_secs)
}

fn header_number(headers: &HeaderMap, name: &str) -> Option<u64> {
    let text = headers.get(name)?.to_str().ok()?.trim();
    text.parse::<u64>()
        .ok()
        .or_else(|| text.parse::<f64>().ok().map(|f| f.max(0.0).ceil() as u64))
}

mod secs {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn headers_are_parsed_and_missing_ones_give_none() {
        let mut headers = HeaderMap::new();
        headers.insert("inin-ratelimit-allowed", HeaderValue::from_static("300"));
        headers.insert("inin-ratelimit-count", HeaderValue::from_static("42"));
        headers.insert("inin-ratelimit-reset", HeaderValue::from_static("17"));
        headers.insert("retry-after", HeaderValue::from_static("5"));
        let limit = RateLimit::from_headers(&headers).unwrap();
        assert_eq!(limit.allowed, 300);
        assert_eq!(limit.remaining(), 258);
        assert_eq!(limit.reset, Duration::from_secs(17));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(5)));
        headers.remove("inin-ratelimit-count");
        assert_eq!(RateLimit::from_headers(&headers), None);
    }
}
