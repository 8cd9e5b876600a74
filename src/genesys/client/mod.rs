//! The Genesys Cloud API client: OAuth client credentials, typed calls, one retry policy.
//!
//! `http` sends a call through the pacer and the retry policy and sorts its answer; `token`
//! mints and renews the access token; the other files are the calls themselves: `users`,
//! `lists` (divisions, roles, queues, skills, locations), `steps` (roles, skills and queues a
//! run gives a user), `languages`, `groups`, `external_ids`, `phones` (a WebRTC phone and
//! the default station) and `roster` (the reads that export a whole org's users).

mod external_ids;
mod groups;
mod http;
mod languages;
mod lists;
mod phones;
mod roster;
mod steps;
mod token;
mod users;

pub use lists::{Listing, CALL_ADD_PERMISSION};
pub use phones::StationWait;
pub use roster::MAX_LISTED_USERS;

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::Method;
use serde::Serialize;

use super::auth::{AccessToken, Credentials};
use super::error::{GenesysError, Result};
use super::pacing::{Pacer, DEFAULT_RATE_PER_MINUTE};
use super::regions::Endpoint;
use super::retry::{RetryObserver, RetryPolicy};

/// The most skills `PATCH /api/v2/users/{id}/routingskills/bulk` takes in one call.
pub const MAX_SKILLS_PER_CALL: usize = 50;
/// The most members `POST /api/v2/routing/queues/{id}/members` takes in one call.
pub const MAX_QUEUE_MEMBERS_PER_CALL: usize = 100;
/// The most languages `PATCH /api/v2/users/{id}/routinglanguages/bulk` takes in one call
/// ("Max 50 routing languages in request body": MyPureCloud/platform-client-sdk-python
/// `build/docs/RoutingApi.md`, `patch_user_routinglanguages_bulk`).
pub const MAX_LANGUAGES_PER_CALL: usize = 50;
/// The most ids `POST /api/v2/groups/{id}/members` takes in one call (`GroupMembersUpdate`:
/// "A maximum of 50 members are allowed per request").
pub const MAX_GROUP_MEMBERS_PER_CALL: usize = 50;
/// The most users `PATCH /api/v2/users/bulk` updates in one call ("Max 50 users can be updated
/// at a time", `UsersApi.md` `patch_users_bulk`).
pub const MAX_USERS_PER_BULK_PATCH: usize = 50;
/// The most e-mails Rollcall puts in one `POST /api/v2/users/search` criterion (`values`).
/// Genesys documents no limit; 50 keeps the body small and its results within two pages.
pub const MAX_EMAILS_PER_SEARCH: usize = 50;
/// Results per page of `POST /api/v2/users/search` (its largest page).
pub const SEARCH_PAGE_SIZE: u32 = 100;
/// The largest answer read: Genesys's biggest pages are a few megabytes, so anything past this
/// is not Genesys, and reading it would only fill memory.
pub const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;
/// The most pages one listing or search is followed for: 100,000 entities at 100 a page, ten
/// times Genesys's own 10,000-user listing cap. A server that keeps answering "another page"
/// is not Genesys.
pub const MAX_PAGES: u32 = 1_000;

/// Timeouts, retries and pace of a client.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Time allowed to open a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Time allowed for one whole request, answer included.
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    /// Requests per minute each token paces itself to (Genesys's default 300).
    pub rate_per_minute: u32,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            rate_per_minute: DEFAULT_RATE_PER_MINUTE,
        }
    }
}

/// What a response said besides its body, for support.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseMeta {
    pub status: u16,
    pub correlation_id: Option<String>,
}

impl ResponseMeta {
    fn from_headers(status: u16, headers: &HeaderMap) -> Self {
        ResponseMeta {
            status,
            correlation_id: headers
                .get("inin-correlation-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        }
    }
}

/// A successful answer: the value and the response's metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<T> {
    pub value: T,
    pub meta: ResponseMeta,
}

/// Whether a call may be sent again when its answer is lost, or Genesys failed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    /// Reads (GETs, and the search POST): repeating them changes nothing, so a 500 and a 408
    /// are tried again too.
    Read,
    /// Writes that are harmless to repeat (PATCHes guarded by `version`, adding roles, skills
    /// and queue members): resent after a lost answer or a 408; a 500 is reported, since the
    /// write may have been carried out in part.
    Safe,
    /// Creates and invitations: once sent, the outcome must be settled, not guessed.
    Settle,
}

struct Shared {
    http: reqwest::Client,
    endpoint: Endpoint,
    credentials: Credentials,
    config: ClientConfig,
    generations: AtomicU64,
    /// The rate new tokens pace at ([`GenesysClient::set_rate_per_minute`]).
    rate_per_minute: AtomicU32,
    /// Held while a token is minted, so the pool's tokens are minted one at a time: the login
    /// service has its own limit, and Genesys's Terraform provider warns that a pool minting
    /// at once trips it.
    minting: tokio::sync::Mutex<()>,
    /// Run once a token has been obtained ([`GenesysClient::after_first_token`]).
    after_first_token: std::sync::Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

struct TokenSlot {
    current: tokio::sync::Mutex<Option<Arc<AccessToken>>>,
    pacer: Pacer,
}

impl TokenSlot {
    fn new(rate_per_minute: u32) -> Arc<TokenSlot> {
        Arc::new(TokenSlot {
            current: tokio::sync::Mutex::new(None),
            pacer: Pacer::new(rate_per_minute),
        })
    }
}

/// A Genesys Cloud API client holding one access token.
///
/// Cloning shares the token; [`GenesysClient::with_own_token`] makes a client that shares the
/// connection pool and credentials but gets a token of its own — Genesys limits requests per
/// token, so a pool of such clients multiplies the allowance.
#[derive(Clone)]
pub struct GenesysClient {
    shared: Arc<Shared>,
    token: Arc<TokenSlot>,
    observer: Option<RetryObserver>,
}

impl std::fmt::Debug for GenesysClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenesysClient")
            .field("endpoint", &self.shared.endpoint.describe())
            .field("client_id", &self.shared.credentials.client_id)
            .finish_non_exhaustive()
    }
}

impl GenesysClient {
    pub fn new(endpoint: Endpoint, credentials: Credentials, config: ClientConfig) -> Result<Self> {
        super::install_tls_provider();
        let mut http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(concat!("Rollcall/", env!("CARGO_PKG_VERSION")))
            .https_only(false)
            // Genesys never redirects an API or login call; following one would carry the
            // client secret or the token to wherever it points.
            .redirect(reqwest::redirect::Policy::none());
        if endpoint.is_loopback() {
            // The sandbox org and test servers are on this computer: a proxy from the
            // environment (HTTP_PROXY, ALL_PROXY) could not reach them, and must not see them.
            http = http.no_proxy();
        }
        let http = http
            .build()
            .map_err(|e| GenesysError::InvalidEndpoint(format!("cannot set up HTTPS: {e}")))?;
        let rate_per_minute = config.rate_per_minute;
        Ok(GenesysClient {
            shared: Arc::new(Shared {
                http,
                endpoint,
                credentials,
                config,
                generations: AtomicU64::new(0),
                rate_per_minute: AtomicU32::new(rate_per_minute),
                minting: tokio::sync::Mutex::new(()),
                after_first_token: std::sync::Mutex::new(None),
            }),
            token: TokenSlot::new(rate_per_minute),
            observer: None,
        })
    }

    /// Report every retry to `observer` before its wait.
    pub fn with_retry_observer(mut self, observer: RetryObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    /// A client with the same connection pool and credentials, and a token of its own.
    pub fn with_own_token(&self) -> Self {
        GenesysClient {
            shared: self.shared.clone(),
            token: TokenSlot::new(self.shared.rate_per_minute.load(Ordering::Relaxed)),
            observer: self.observer.clone(),
        }
    }

    /// Run `hook` once, on a blocking thread, as soon as a token has been obtained with these
    /// credentials (the proof that they are this org's); the call that obtained it waits for it.
    pub(crate) fn after_first_token(&self, hook: impl FnOnce() + Send + 'static) {
        *self.shared.after_first_token.lock().expect("hook") = Some(Box::new(hook));
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.shared.endpoint
    }

    pub fn client_id(&self) -> &str {
        &self.shared.credentials.client_id
    }

    /// Pace this client's token (and those made from it later) at this rate, in requests per
    /// minute: Genesys's limit per token, or the org's own figure.
    pub fn set_rate_per_minute(&self, per_minute: u32) {
        self.shared
            .rate_per_minute
            .store(per_minute, Ordering::Relaxed);
        self.token.pacer.set_limit(per_minute);
    }

    /// The rate this client's token paces at now: just under the limit it was given, lowered
    /// after 429s and recovering (see [`super::pacing`]).
    pub fn current_rate_per_minute(&self) -> f64 {
        self.token.pacer.rate_per_minute()
    }

    /// When a 429 put this client's token on hold, the moment it lets requests go again.
    pub fn paced_until(&self) -> Option<tokio::time::Instant> {
        self.token.pacer.holding_until()
    }

    /// `GET /api/v2/organizations/limits/namespaces/platform.api`: the org's
    /// `client.credentials.token.rate.per.minute`, or `None` when the org does not let this
    /// client read it (403) or does not have the key.
    ///
    /// The call and its model, as Genesys's Python SDK publishes them
    /// (MyPureCloud/platform-client-sdk-python, `build/docs/OrganizationApi.md`,
    /// `get_organizations_limits_namespace(namespace_name)`, "Get the effective limits in a
    /// namespace for an organization", wrapping `GET /api/v2/organizations/limits/namespaces/{namespaceName}`;
    /// `build/docs/LimitsEntityListing.md`: `{entities: [Limit]}`; `build/docs/Limit.md`:
    /// `Limit {key: str, namespace: str, value: int}`). `platform.api` is one of the namespaces
    /// the Java SDK's `Limit.NamespaceEnum` lists (platform-client-sdk-java, `docs/Limit.md`).
    /// The key itself is not in any SDK (they do not enumerate keys); it is the name Genesys's
    /// limits documentation gives the per-token limit ("The maximum number of requests per
    /// client credentials grant token per minute", default 300). The SDK says the call needs no
    /// permission; an org may still refuse it, so a 403 (or a 404) is taken quietly as "not
    /// known". Entities are read loosely: only the one key matters.
    pub async fn org_rate_limit(&self) -> Result<Option<u32>> {
        const KEY: &str = "client.credentials.token.rate.per.minute";
        let reply: Result<Reply<LimitsListing>> = self
            .call_json(
                "read the org's rate limits",
                Repeat::Read,
                Method::GET,
                "/api/v2/organizations/limits/namespaces/platform.api",
                &[],
                None,
            )
            .await;
        let listing = match reply {
            Ok(reply) => reply.value,
            Err(e) if matches!(e.status(), Some(403 | 404)) => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(listing
            .entities
            .iter()
            .find(|limit| limit.get("key").and_then(|k| k.as_str()) == Some(KEY))
            .and_then(|limit| limit.get("value"))
            .and_then(|value| value.as_u64().or_else(|| value.as_f64().map(|f| f as u64)))
            .and_then(|value| u32::try_from(value).ok())
            .filter(|value| *value > 0))
    }

    /// The wait before trying a write again that Genesys refused for now (a stale group
    /// version, a default station the telephony service is not ready for): the answer's
    /// `Retry-After`, else `attempt` half base delays — 0.5 s, 1 s, 1.5 s… with the default
    /// policy, the waits of Genesys's Terraform provider's `util.RetryWhen`
    /// (`genesyscloud/util/util_retries.go`).
    pub(super) fn terraform_wait(&self, error: &GenesysError, attempt: u32) -> Duration {
        error
            .api()
            .and_then(|api| api.retry_after)
            .unwrap_or(self.shared.config.retry.base_delay / 2 * attempt)
    }

    /// Get a token now (the "Test connection" of the app and `profiles test`).
    pub async fn authenticate(&self) -> Result<()> {
        self.token().await.map(|_| ())
    }
}

/// `LimitsEntityListing` (see [`GenesysClient::org_rate_limit`]).
#[derive(serde::Deserialize)]
struct LimitsListing {
    #[serde(default)]
    entities: Vec<serde_json::Value>,
}
