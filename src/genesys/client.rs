//! The Genesys Cloud API client: OAuth client credentials, typed calls, one retry policy.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::auth::{AccessToken, Credentials, OAuthErrorBody, TokenResponse};
use super::error::{ApiError, ErrorBody, GenesysError, OAuthError, Result};
use super::models::{
    CreateUser, Division, EntityListing, Location, MemberRef, NewPassword, Queue, Role, RoleGrant,
    RoleGrants, RoutingSkill, SearchCriterion, StateFilter, SubjectGrants, User, UserPatch,
    UserQueue, UserRoutingSkill, UserSearchRequest, UserSkill, UserState, UsersSearchResponse,
};
use super::pacing::{Outcome, Pacer, Permit, DEFAULT_RATE_PER_MINUTE};
use super::ratelimit;
use super::regions::Endpoint;
use super::retry::{RetryNotice, RetryObserver, RetryPolicy, RetryReason};
use crate::secrets::{Secret, WipedBuffer};

/// The most skills `PATCH /api/v2/users/{id}/routingskills/bulk` takes in one call.
pub const MAX_SKILLS_PER_CALL: usize = 50;
/// The most members `POST /api/v2/routing/queues/{id}/members` takes in one call.
pub const MAX_QUEUE_MEMBERS_PER_CALL: usize = 100;
/// The most e-mails Rollcall puts in one `POST /api/v2/users/search` criterion (`values`).
/// Genesys documents no limit; 50 keeps the body small and its results within two pages.
pub const MAX_EMAILS_PER_SEARCH: usize = 50;
/// Results per page of `POST /api/v2/users/search` (its largest page).
pub const SEARCH_PAGE_SIZE: u32 = 100;
/// The page size of the listings read whole: the largest every one of them accepts.
const LIST_PAGE_SIZE: u32 = 100;
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

    /// Get a token now (the "Test connection" of the app and `profiles test`).
    pub async fn authenticate(&self) -> Result<()> {
        self.token().await.map(|_| ())
    }

    /// `POST /api/v2/users`. A lost answer gives [`GenesysError::OutcomeUnknown`]: look the
    /// e-mail up before sending it again.
    pub async fn create_user(&self, user: &CreateUser) -> Result<Reply<User>> {
        const WHAT: &str = "create user";
        let body = encode(user)?;
        let reply = self
            .call_json(
                WHAT,
                Repeat::Settle,
                Method::POST,
                "/api/v2/users",
                &[],
                Some(body),
            )
            .await?;
        usable_user(WHAT, reply, false)
    }

    /// `GET /api/v2/users/{id}` (an active or inactive user; a deleted one is not found).
    pub async fn get_user(&self, user_id: &str) -> Result<Reply<User>> {
        const WHAT: &str = "get user";
        let path = format!("/api/v2/users/{}", segment(user_id));
        let reply = self
            .call_json(WHAT, Repeat::Read, Method::GET, &path, &[], None)
            .await?;
        usable_user(WHAT, reply, true)
    }

    /// `GET /api/v2/users/{id}?state=deleted`: a soft-deleted user, with the version its
    /// restore needs.
    pub async fn get_deleted_user(&self, user_id: &str) -> Result<Reply<User>> {
        const WHAT: &str = "get deleted user";
        let path = format!("/api/v2/users/{}", segment(user_id));
        let query = [("state", UserState::Deleted.as_str().to_owned())];
        let reply = self
            .call_json(WHAT, Repeat::Read, Method::GET, &path, &query, None)
            .await?;
        usable_user(WHAT, reply, true)
    }

    /// `GET /api/v2/users/{id}?expand=…`: the user with more of its parts (`locations`, …).
    /// Genesys fills expansions on a best-effort basis, so a missing one reads as empty.
    pub async fn get_user_expanded(&self, user_id: &str, expand: &[&str]) -> Result<Reply<User>> {
        let path = format!("/api/v2/users/{}", segment(user_id));
        // A list goes comma-separated in one parameter, as Genesys's SDKs send it.
        let query = [("expand", expand.join(","))];
        let query = if expand.is_empty() {
            &[][..]
        } else {
            &query[..]
        };
        self.call_json("get user", Repeat::Read, Method::GET, &path, query, None)
            .await
    }

    /// `PATCH /api/v2/users/{id}` with the user's current `version`.
    pub async fn patch_user(&self, user_id: &str, patch: &UserPatch) -> Result<Reply<User>> {
        const WHAT: &str = "update user";
        let path = format!("/api/v2/users/{}", segment(user_id));
        let body = encode(patch)?;
        let reply = self
            .call_json(WHAT, Repeat::Safe, Method::PATCH, &path, &[], Some(body))
            .await?;
        usable_user(WHAT, reply, true)
    }

    /// `POST /api/v2/users/search` for one e-mail (exact match). With `include_deleted`, the
    /// search also covers soft-deleted users, whose e-mails stay reserved.
    pub async fn search_users_by_email(
        &self,
        email: &str,
        include_deleted: bool,
    ) -> Result<Reply<Vec<User>>> {
        self.search_users_by_emails(&[email.to_owned()], include_deleted)
            .await
    }

    /// `POST /api/v2/users/search` for many e-mails: [`MAX_EMAILS_PER_SEARCH`] in one EXACT
    /// criterion (`values`), every page of results. With `include_deleted`, soft-deleted users
    /// are found too (their e-mails stay reserved). The users whose e-mail matches, in any
    /// order; an e-mail nobody has is simply absent.
    pub async fn search_users_by_emails(
        &self,
        emails: &[String],
        include_deleted: bool,
    ) -> Result<Reply<Vec<User>>> {
        let mut users = Vec::new();
        let mut meta = ResponseMeta::default();
        for batch in emails.chunks(MAX_EMAILS_PER_SEARCH) {
            let mut query = vec![SearchCriterion {
                kind: "EXACT".to_owned(),
                fields: vec!["email".to_owned()],
                value: None,
                values: batch.iter().map(|e| e.trim().to_owned()).collect(),
            }];
            if include_deleted {
                query.push(SearchCriterion {
                    kind: "EXACT".to_owned(),
                    fields: vec!["state".to_owned()],
                    value: None,
                    values: ["active", "inactive", "deleted"]
                        .map(str::to_owned)
                        .to_vec(),
                });
            }
            let mut page_number = 1;
            loop {
                let request = UserSearchRequest {
                    query: query.clone(),
                    page_size: Some(SEARCH_PAGE_SIZE),
                    page_number: Some(page_number),
                };
                let body = encode(&request)?;
                let reply: Reply<UsersSearchResponse> = self
                    .call_json(
                        "search users",
                        Repeat::Read,
                        Method::POST,
                        "/api/v2/users/search",
                        &[],
                        Some(body),
                    )
                    .await?;
                let got = reply.value.results.len();
                let page_count = reply.value.page_count;
                users.extend(reply.value.results);
                meta = reply.meta;
                if got == 0 || page_number >= page_count {
                    break;
                }
                page_number = next_page("search users", page_number, &meta)?;
            }
        }
        Ok(Reply { value: users, meta })
    }

    /// One page of `GET /api/v2/users` (`pageNumber` from 1, `pageSize` up to 500).
    pub async fn list_users_page(
        &self,
        page_number: u32,
        page_size: u32,
        state: StateFilter,
    ) -> Result<Reply<EntityListing<User>>> {
        let query = [
            ("pageSize", page_size.to_string()),
            ("pageNumber", page_number.to_string()),
            ("state", state.as_str().to_owned()),
        ];
        self.call_json(
            "list users",
            Repeat::Read,
            Method::GET,
            "/api/v2/users",
            &query,
            None,
        )
        .await
    }

    /// Every division of the org (`GET /api/v2/authorization/divisions`, all pages).
    pub async fn list_divisions(&self) -> Result<Reply<Vec<Division>>> {
        self.every_page("list divisions", "/api/v2/authorization/divisions")
            .await
    }

    /// Every role of the org (`GET /api/v2/authorization/roles`, all pages).
    pub async fn list_roles(&self) -> Result<Reply<Vec<Role>>> {
        self.every_page("list roles", "/api/v2/authorization/roles")
            .await
    }

    /// Every queue of the org (`GET /api/v2/routing/queues`, all pages).
    pub async fn list_queues(&self) -> Result<Reply<Vec<Queue>>> {
        self.every_page("list queues", "/api/v2/routing/queues")
            .await
    }

    /// Every routing skill of the org (`GET /api/v2/routing/skills`, all pages).
    pub async fn list_skills(&self) -> Result<Reply<Vec<RoutingSkill>>> {
        self.every_page("list skills", "/api/v2/routing/skills")
            .await
    }

    /// Every location of the org (`GET /api/v2/locations`, all pages).
    pub async fn list_locations(&self) -> Result<Reply<Vec<Location>>> {
        self.every_page("list locations", "/api/v2/locations").await
    }

    /// Grant roles in divisions (`POST /api/v2/authorization/subjects/{id}/bulkadd`). Granting
    /// a role the user already holds changes nothing, so a lost answer is simply resent.
    pub async fn grant_roles(&self, user_id: &str, grants: &[RoleGrant]) -> Result<Reply<()>> {
        let path = format!(
            "/api/v2/authorization/subjects/{}/bulkadd",
            segment(user_id)
        );
        let body = encode(&RoleGrants { grants })?;
        self.call_unit(
            "grant roles",
            Repeat::Safe,
            Method::POST,
            &path,
            &[],
            Some(body),
        )
        .await
    }

    /// Give a user routing skills (`PATCH /api/v2/users/{id}/routingskills/bulk`): skills the
    /// user has get the new proficiency, others are kept. At most [`MAX_SKILLS_PER_CALL`]; the
    /// caller splits longer lists. Answers the user's skills.
    pub async fn add_user_skills(
        &self,
        user_id: &str,
        skills: &[UserSkill],
    ) -> Result<Reply<Vec<UserRoutingSkill>>> {
        const WHAT: &str = "add routing skills";
        if skills.len() > MAX_SKILLS_PER_CALL {
            return Err(too_many(WHAT, skills.len(), MAX_SKILLS_PER_CALL, "skills"));
        }
        let path = format!("/api/v2/users/{}/routingskills/bulk", segment(user_id));
        let body = encode(&skills)?;
        let reply: Reply<EntityListing<UserRoutingSkill>> = self
            .call_json(WHAT, Repeat::Safe, Method::PATCH, &path, &[], Some(body))
            .await?;
        Ok(Reply {
            value: reply.value.entities,
            meta: reply.meta,
        })
    }

    /// Add users to a queue (`POST /api/v2/routing/queues/{id}/members`). At most
    /// [`MAX_QUEUE_MEMBERS_PER_CALL`]; the caller splits longer lists. Adding a member again
    /// changes nothing.
    pub async fn add_queue_members(
        &self,
        queue_id: &str,
        user_ids: &[String],
    ) -> Result<Reply<()>> {
        const WHAT: &str = "add queue members";
        if user_ids.len() > MAX_QUEUE_MEMBERS_PER_CALL {
            return Err(too_many(
                WHAT,
                user_ids.len(),
                MAX_QUEUE_MEMBERS_PER_CALL,
                "members",
            ));
        }
        let path = format!("/api/v2/routing/queues/{}/members", segment(queue_id));
        let members: Vec<MemberRef> = user_ids.iter().map(|id| MemberRef { id }).collect();
        let body = encode(&members)?;
        self.call_unit(WHAT, Repeat::Safe, Method::POST, &path, &[], Some(body))
            .await
    }

    /// The roles a user holds, and in which divisions
    /// (`GET /api/v2/authorization/subjects/{subjectId}`).
    pub async fn user_grants(&self, user_id: &str) -> Result<Reply<SubjectGrants>> {
        let path = format!("/api/v2/authorization/subjects/{}", segment(user_id));
        self.call_json("read grants", Repeat::Read, Method::GET, &path, &[], None)
            .await
    }

    /// The routing skills a user has (`GET /api/v2/users/{id}/routingskills`, all pages).
    pub async fn user_skills(&self, user_id: &str) -> Result<Reply<Vec<UserRoutingSkill>>> {
        let path = format!("/api/v2/users/{}/routingskills", segment(user_id));
        self.every_page("read routing skills", &path).await
    }

    /// The queues a user is a member of (`GET /api/v2/users/{id}/queues`, all pages).
    pub async fn user_queues(&self, user_id: &str) -> Result<Reply<Vec<UserQueue>>> {
        let path = format!("/api/v2/users/{}/queues", segment(user_id));
        self.every_page("read queues", &path).await
    }

    /// Every page of a listing, read with the largest page size all listings accept.
    async fn every_page<T: DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
    ) -> Result<Reply<Vec<T>>> {
        let mut entities = Vec::new();
        let mut page_number = 1;
        loop {
            let query = [
                ("pageSize", LIST_PAGE_SIZE.to_string()),
                ("pageNumber", page_number.to_string()),
            ];
            let page: Reply<EntityListing<T>> = self
                .call_json(what, Repeat::Read, Method::GET, path, &query, None)
                .await?;
            let got = page.value.entities.len();
            entities.extend(page.value.entities);
            if got == 0 || page_number >= page.value.page_count {
                return Ok(Reply {
                    value: entities,
                    meta: page.meta,
                });
            }
            page_number = next_page(what, page_number, &page.meta)?;
        }
    }

    /// Read the first item of a listing (`pageSize=1`): whether this client may read it, for
    /// "Test connection", at the cost of one small call.
    pub async fn read_first(&self, listing: Listing) -> Result<Reply<()>> {
        let query = [("pageSize", "1".to_owned()), ("pageNumber", "1".to_owned())];
        self.call_unit(
            "read one item",
            Repeat::Read,
            Method::GET,
            listing.path(),
            &query,
            None,
        )
        .await
    }

    /// `GET /api/v2/authorization/divisions/home`.
    pub async fn home_division(&self) -> Result<Reply<Division>> {
        self.call_json(
            "get home division",
            Repeat::Read,
            Method::GET,
            "/api/v2/authorization/divisions/home",
            &[],
            None,
        )
        .await
    }

    /// Move users into a division (`POST /api/v2/authorization/divisions/{id}/objects/USER`,
    /// body `["userId", …]`): how a restored user leaves Home, where Genesys keeps deleted
    /// users. Moving a user already there changes nothing, so a lost answer is simply resent.
    pub async fn move_users_to_division(
        &self,
        division_id: &str,
        user_ids: &[String],
    ) -> Result<Reply<()>> {
        let path = format!(
            "/api/v2/authorization/divisions/{}/objects/USER",
            segment(division_id)
        );
        let body = encode(&user_ids)?;
        self.call_unit(
            "move to division",
            Repeat::Safe,
            Method::POST,
            &path,
            &[],
            Some(body),
        )
        .await
    }

    /// Set a user's password (`POST /api/v2/users/{id}/password`, `{"newPassword"}`). Genesys
    /// checks it against the org's password policy and answers 400 with the rule it breaks. A
    /// lost answer is not resent (Genesys may refuse a password it has just set as reused).
    pub async fn set_password(&self, user_id: &str, password: &Secret) -> Result<Reply<()>> {
        let path = format!("/api/v2/users/{}/password", segment(user_id));
        let body = encode(&NewPassword {
            new_password: password,
        })?;
        self.call_unit(
            "set password",
            Repeat::Settle,
            Method::POST,
            &path,
            &[],
            Some(body),
        )
        .await
    }

    /// `POST /api/v2/users/{id}/invite`: Genesys e-mails the user an invitation.
    pub async fn invite_user(&self, user_id: &str) -> Result<Reply<()>> {
        let path = format!("/api/v2/users/{}/invite", segment(user_id));
        self.call_unit(
            "invite user",
            Repeat::Settle,
            Method::POST,
            &path,
            &[],
            None,
        )
        .await
    }

    /// Send one call whose answer has no body Rollcall needs.
    async fn call_unit(
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

    async fn call_json<T: DeserializeOwned>(
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
    async fn call(
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
    async fn wait_or_give_up(
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

    /// The current token, fetched or renewed when needed. Concurrent callers wait for one
    /// fetch rather than each minting a token.
    async fn token(&self) -> Result<Arc<AccessToken>> {
        let mut slot = self.token.current.lock().await;
        if let Some(token) = slot.as_ref().filter(|t| t.is_fresh()) {
            return Ok(token.clone());
        }
        let token = Arc::new(self.fetch_token().await?);
        *slot = Some(token.clone());
        Ok(token)
    }

    async fn invalidate(&self, generation: u64) {
        let mut slot = self.token.current.lock().await;
        if slot.as_ref().is_some_and(|t| t.generation == generation) {
            *slot = None;
        }
    }

    /// Mint a token, one at a time across the pool (see [`Shared::minting`]).
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

/// `LimitsEntityListing` (see [`GenesysClient::org_rate_limit`]).
#[derive(serde::Deserialize)]
struct LimitsListing {
    #[serde(default)]
    entities: Vec<serde_json::Value>,
}

/// A retryable failure: why, what it was, and the `Retry-After` it came with.
type Failure = (RetryReason, GenesysError, Option<Duration>);

/// What one HTTP answer means for the call.
enum Answer {
    Done(ResponseMeta, Bytes),
    Retry(Failure),
    Unauthorized(GenesysError),
    Fail(GenesysError),
}

/// Why an answer's body could not be had.
enum Body {
    /// The connection failed while it came.
    Lost(reqwest::Error),
    /// It passed [`MAX_ANSWER_BYTES`]; reading stopped there.
    TooLarge,
}

/// The body of an answer, read no further than [`MAX_ANSWER_BYTES`].
async fn read_body(mut response: reqwest::Response) -> std::result::Result<Bytes, Body> {
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

/// The page after `page_number`, unless a listing has gone on past [`MAX_PAGES`].
fn next_page(what: &str, page_number: u32, meta: &ResponseMeta) -> Result<u32> {
    if page_number >= MAX_PAGES {
        return Err(GenesysError::UnexpectedResponse {
            what: what.to_owned(),
            status: meta.status,
            reason: format!(
                "the server kept offering pages past {MAX_PAGES}, which no Genesys Cloud listing \
                 of this size does; Rollcall stopped reading there"
            ),
            correlation_id: meta.correlation_id.clone(),
        });
    }
    Ok(page_number + 1)
}

fn too_many(what: &str, given: usize, limit: usize, items: &str) -> GenesysError {
    GenesysError::InvalidInput {
        what: what.to_owned(),
        reason: format!("{given} {items} given, Genesys takes at most {limit} per call"),
    }
}

/// A user answer the run can act on: its id (and, before a write, its version) present.
/// Everything else in it is read leniently.
fn usable_user(what: &str, reply: Reply<User>, needs_version: bool) -> Result<Reply<User>> {
    let missing = if reply.value.id.is_empty() {
        Some("id")
    } else if needs_version && reply.value.version == 0 {
        Some("version")
    } else {
        None
    };
    match missing {
        None => Ok(reply),
        Some(field) => Err(GenesysError::UnexpectedResponse {
            what: what.to_owned(),
            status: reply.meta.status,
            reason: format!("the user in Genesys's answer has no {field}"),
            correlation_id: reply.meta.correlation_id,
        }),
    }
}

/// A request body, in wiped memory since some carry a password.
fn encode<T: Serialize>(value: &T) -> Result<Bytes> {
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

fn describe_transport(e: &reqwest::Error) -> String {
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

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| url.to_owned())
}

/// A path segment: ids are UUIDs, but nothing from a file may change the path.
fn segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A listing a run reads, for a one-item read of it ([`GenesysClient::read_first`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    Roles,
    Queues,
    Skills,
    Locations,
}

impl Listing {
    fn path(self) -> &'static str {
        match self {
            Listing::Roles => "/api/v2/authorization/roles",
            Listing::Queues => "/api/v2/routing/queues",
            Listing::Skills => "/api/v2/routing/skills",
            Listing::Locations => "/api/v2/locations",
        }
    }
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
