//! `Retry-After`: the one rate-limit signal Genesys still sends (on every 429, and on some
//! 503s). The `inin-ratelimit-*` headers it once sent were removed in 2021 and are ignored.

use std::time::Duration;

use reqwest::header::HeaderMap;

/// `Retry-After` in seconds (the only form Genesys sends; an HTTP date is ignored).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get("retry-after")?.to_str().ok()?.trim();
    let seconds = text
        .parse::<u64>()
        .ok()
        .or_else(|| text.parse::<f64>().ok().map(|f| f.max(0.0).ceil() as u64))?;
    Some(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_is_read_in_seconds() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after", HeaderValue::from_static("5"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(5)));
        headers.insert("retry-after", HeaderValue::from_static("1.2"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2026 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
    }
}
