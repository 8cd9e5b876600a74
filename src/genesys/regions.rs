//! Genesys Cloud regions and the endpoints (API base and login base) Rollcall talks to.
//!
//! The login host of a region is its API host with the leading `api.` replaced by `login.`
//! (`api.mypurecloud.ie` → `login.mypurecloud.ie`). A custom base URL, for the sandbox org, a
//! proxy or tests, follows the same rule, and a host that does not start with `api.` keeps the
//! same host for `/oauth/token` — which is what Genesys's own SDKs do.

use std::net::IpAddr;

use serde::Serialize;
use url::{Host, Url};

use super::error::GenesysError;

/// One Genesys Cloud region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// The region key Genesys uses (`us-east-1`, `eu-west-1`, …).
    pub key: &'static str,
    /// The name an admin recognises from the Genesys Cloud login page.
    pub name: &'static str,
    /// The API host (`api.mypurecloud.com`).
    pub api_host: &'static str,
}

/// Every region in API.md, in the order Genesys lists them.
pub const REGIONS: &[Region] = &[
    region("us-east-1", "Americas (US East)", "api.mypurecloud.com"),
    region(
        "us-east-2",
        "Americas (US East 2, FedRAMP)",
        "api.use2.us-gov-pure.cloud",
    ),
    region("us-west-2", "Americas (US West)", "api.usw2.pure.cloud"),
    region("ca-central-1", "Americas (Canada)", "api.cac1.pure.cloud"),
    region("sa-east-1", "Americas (São Paulo)", "api.sae1.pure.cloud"),
    region("mx-central-1", "Americas (Mexico)", "api.mxc1.pure.cloud"),
    region("eu-west-1", "EMEA (Dublin)", "api.mypurecloud.ie"),
    region("eu-west-2", "EMEA (London)", "api.euw2.pure.cloud"),
    region("eu-central-1", "EMEA (Frankfurt)", "api.mypurecloud.de"),
    region("eu-central-2", "EMEA (Zurich)", "api.euc2.pure.cloud"),
    region("me-central-1", "EMEA (UAE)", "api.mec1.pure.cloud"),
    region("ap-south-1", "Asia Pacific (Mumbai)", "api.aps1.pure.cloud"),
    region(
        "ap-southeast-1",
        "Asia Pacific (Singapore)",
        "api.apse1.pure.cloud",
    ),
    region(
        "ap-southeast-2",
        "Asia Pacific (Sydney)",
        "api.mypurecloud.com.au",
    ),
    region(
        "ap-northeast-1",
        "Asia Pacific (Tokyo)",
        "api.mypurecloud.jp",
    ),
    region(
        "ap-northeast-2",
        "Asia Pacific (Seoul)",
        "api.apne2.pure.cloud",
    ),
    region(
        "ap-northeast-3",
        "Asia Pacific (Osaka)",
        "api.apne3.pure.cloud",
    ),
    region(
        "eusc-de-east-1",
        "EU Sovereign (Germany)",
        "api.edee1.eusc-pure.cloud",
    ),
];

const fn region(key: &'static str, name: &'static str, api_host: &'static str) -> Region {
    Region {
        key,
        name,
        api_host,
    }
}

impl Region {
    /// The region with this key (`eu-west-1`), ignoring case.
    pub fn by_key(key: &str) -> Option<&'static Region> {
        let key = key.trim();
        REGIONS.iter().find(|r| r.key.eq_ignore_ascii_case(key))
    }

    /// The OAuth login host of this region.
    pub fn login_host(&self) -> String {
        login_host_for(self.api_host)
    }

    /// The endpoint for this region.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint {
            api_base: Url::parse(&format!("https://{}", self.api_host)).expect("valid host"),
            login_base: Url::parse(&format!("https://{}", self.login_host())).expect("valid host"),
            region: Some(*self),
        }
    }
}

/// The login host for an API host: `api.X` → `login.X`; any other host is kept as it is.
pub fn login_host_for(api_host: &str) -> String {
    match api_host.strip_prefix("api.") {
        Some(rest) => format!("login.{rest}"),
        None => api_host.to_owned(),
    }
}

/// Where the client sends API calls and token requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    api_base: Url,
    login_base: Url,
    region: Option<Region>,
}

impl Endpoint {
    /// A custom API base URL (the sandbox org, a proxy, tests).
    ///
    /// Plain `http` is refused unless the host is a loopback address, so a token or a client
    /// secret never crosses a network unencrypted; any other host needs `https`.
    pub fn custom(api_base: &str) -> Result<Endpoint, GenesysError> {
        let invalid = |why: String| GenesysError::InvalidEndpoint(why);
        let mut api = Url::parse(api_base.trim())
            .map_err(|e| invalid(format!("\"{api_base}\" is not a URL ({e})")))?;
        let host = api
            .host()
            .ok_or_else(|| invalid(format!("\"{api_base}\" has no host")))?;
        match api.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => {
                return Err(invalid(format!(
                    "refusing plain http to {host}: only loopback addresses (127.0.0.1, ::1, \
                     localhost) may use http; use an https:// URL"
                )))
            }
            other => {
                return Err(invalid(format!(
                    "unsupported scheme \"{other}\" in \"{api_base}\"; use https://"
                )))
            }
        }
        if !api.username().is_empty() || api.password().is_some() {
            return Err(invalid(
                "the API URL must not carry a user name or password".to_owned(),
            ));
        }
        api.set_query(None);
        api.set_fragment(None);
        let trimmed = api.path().trim_end_matches('/').to_owned();
        api.set_path(&trimmed);
        let mut login = api.clone();
        if let Some(Host::Domain(domain)) = api.host() {
            let login_host = login_host_for(domain);
            login
                .set_host(Some(&login_host))
                .map_err(|e| invalid(format!("bad login host {login_host}: {e}")))?;
        }
        Ok(Endpoint {
            api_base: api,
            login_base: login,
            region: None,
        })
    }

    /// The URL of an API path such as `/api/v2/users`.
    pub fn api_url(&self, path: &str) -> String {
        join(&self.api_base, path)
    }

    /// The URL of the OAuth token endpoint.
    pub fn token_url(&self) -> String {
        join(&self.login_base, "/oauth/token")
    }

    /// The API base, without a trailing slash.
    pub fn api_base(&self) -> String {
        self.api_base.as_str().trim_end_matches('/').to_owned()
    }

    /// The login base, without a trailing slash.
    pub fn login_base(&self) -> String {
        self.login_base.as_str().trim_end_matches('/').to_owned()
    }

    /// The region, when this endpoint is one of Genesys's.
    pub fn region(&self) -> Option<&Region> {
        self.region.as_ref()
    }

    /// Whether the API and login hosts are this computer (the sandbox org, a test server):
    /// such requests never go through a proxy.
    pub fn is_loopback(&self) -> bool {
        [&self.api_base, &self.login_base]
            .iter()
            .all(|url| url.host().as_ref().is_some_and(is_loopback))
    }

    /// How to name this endpoint in a message: the region's key and name, or the URL.
    pub fn describe(&self) -> String {
        match &self.region {
            Some(r) => format!("{} ({})", r.name, r.key),
            None => self.api_base(),
        }
    }
}

fn join(base: &Url, path: &str) -> String {
    format!("{}{}", base.as_str().trim_end_matches('/'), path)
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_derives_its_login_host_by_the_documented_rule() {
        assert_eq!(REGIONS.len(), 18);
        let expected = [
            ("us-east-1", "login.mypurecloud.com"),
            ("us-east-2", "login.use2.us-gov-pure.cloud"),
            ("us-west-2", "login.usw2.pure.cloud"),
            ("ca-central-1", "login.cac1.pure.cloud"),
            ("sa-east-1", "login.sae1.pure.cloud"),
            ("mx-central-1", "login.mxc1.pure.cloud"),
            ("eu-west-1", "login.mypurecloud.ie"),
            ("eu-west-2", "login.euw2.pure.cloud"),
            ("eu-central-1", "login.mypurecloud.de"),
            ("eu-central-2", "login.euc2.pure.cloud"),
            ("me-central-1", "login.mec1.pure.cloud"),
            ("ap-south-1", "login.aps1.pure.cloud"),
            ("ap-southeast-1", "login.apse1.pure.cloud"),
            ("ap-southeast-2", "login.mypurecloud.com.au"),
            ("ap-northeast-1", "login.mypurecloud.jp"),
            ("ap-northeast-2", "login.apne2.pure.cloud"),
            ("ap-northeast-3", "login.apne3.pure.cloud"),
            ("eusc-de-east-1", "login.edee1.eusc-pure.cloud"),
        ];
        for (key, login) in expected {
            let region = Region::by_key(key).unwrap_or_else(|| panic!("region {key} missing"));
            assert_eq!(region.login_host(), login, "login host of {key}");
            let endpoint = region.endpoint();
            assert_eq!(endpoint.token_url(), format!("https://{login}/oauth/token"));
            assert_eq!(
                endpoint.api_url("/api/v2/users"),
                format!("https://{}/api/v2/users", region.api_host)
            );
        }
    }

    #[test]
    fn region_keys_are_unique_and_found_ignoring_case() {
        let mut keys: Vec<_> = REGIONS.iter().map(|r| r.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), REGIONS.len());
        assert_eq!(
            Region::by_key(" EU-West-1 ").unwrap().api_host,
            "api.mypurecloud.ie"
        );
        assert!(Region::by_key("eu-west-9").is_none());
    }

    #[test]
    fn only_this_computer_counts_as_loopback() {
        for local in [
            "http://127.0.0.1:4000",
            "http://localhost:1",
            "http://[::1]:8080",
        ] {
            assert!(Endpoint::custom(local).unwrap().is_loopback(), "{local}");
        }
        for remote in ["https://api.example.com", "https://127.0.0.1.example.com"] {
            assert!(!Endpoint::custom(remote).unwrap().is_loopback(), "{remote}");
        }
        assert!(!Region::by_key("eu-west-1")
            .unwrap()
            .endpoint()
            .is_loopback());
    }

    #[test]
    fn plain_http_is_allowed_only_to_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.9.8.7",
            "http://localhost:1234/",
            "http://[::1]:9000",
            "https://api.example.com",
            "https://proxy.corp.example/genesys",
        ] {
            assert!(Endpoint::custom(ok).is_ok(), "{ok} should be accepted");
        }
        for refused in [
            "http://api.mypurecloud.com",
            "http://10.0.0.5:8080",
            "http://192.168.1.1",
            "http://localhost.evil.example",
            "ftp://127.0.0.1",
            "not a url",
            "https://user:pw@api.example.com",
        ] {
            let err = Endpoint::custom(refused).expect_err(refused);
            assert!(
                matches!(err, GenesysError::InvalidEndpoint(_)),
                "{refused}: {err}"
            );
        }
        let err = Endpoint::custom("http://api.mypurecloud.com").unwrap_err();
        assert!(err.to_string().contains("https://"), "{err}");
    }

    #[test]
    fn custom_endpoint_derives_login_host_like_the_sdks() {
        let proxied = Endpoint::custom("https://api.example.com/prefix/").unwrap();
        assert_eq!(
            proxied.api_url("/api/v2/users"),
            "https://api.example.com/prefix/api/v2/users"
        );
        assert_eq!(
            proxied.token_url(),
            "https://login.example.com/prefix/oauth/token"
        );
        let local = Endpoint::custom("http://127.0.0.1:4010").unwrap();
        assert_eq!(local.token_url(), "http://127.0.0.1:4010/oauth/token");
        assert_eq!(local.api_base(), "http://127.0.0.1:4010");
    }
}
