//! The sandbox's HTTP side: Genesys Cloud's wire protocol for the calls Rollcall makes, with
//! Genesys's error bodies, headers, rate limits, latency and injected faults.

// An early answer (an error response) travels as the `Err` of small helpers; boxing every
// response to please the size lint would only add allocations.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE, HOST, ORIGIN};
use hyper::{Method, Request, Response, StatusCode};
use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Map, Value};

use super::config::{Faults, Latency, SandboxConfig};
use super::org::{Org, SandboxGrant, SandboxUser, SandboxUserSkill, TokenInfo, UserCall};
use crate::genesys::{Contact, UserState};

/// The largest request body the sandbox reads.
const MAX_BODY: usize = 1 << 20;

/// The shared state of a running sandbox.
pub(crate) struct Shared {
    pub config: SandboxConfig,
    /// The address it listens on: the only one a request may be addressed to.
    pub address: SocketAddr,
    pub org: Mutex<Org>,
    pub knobs: Mutex<Knobs>,
    pub rng: Mutex<StdRng>,
}

/// What can change while the sandbox runs.
pub(crate) struct Knobs {
    pub latency: Latency,
    pub faults: Faults,
}

/// Returned by the service to make hyper close the connection without an answer.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose (fault injection)")
    }
}

impl std::error::Error for DropConnection {}

type Reply = Response<Full<Bytes>>;

/// The answer being built for one request, with its correlation id. Genesys sends no
/// `inin-ratelimit-*` headers since 2021 (API.md, correction 1), so neither does the sandbox.
struct Exchange {
    correlation_id: String,
}

impl Exchange {
    fn json(&self, status: StatusCode, body: &Value) -> Reply {
        let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
        *response.status_mut() = status;
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        self.decorate(response)
    }

    fn empty(&self, status: StatusCode) -> Reply {
        let mut response = Response::new(Full::new(Bytes::new()));
        *response.status_mut() = status;
        self.decorate(response)
    }

    fn decorate(&self, mut response: Reply) -> Reply {
        response.headers_mut().insert(
            "inin-correlation-id",
            HeaderValue::from_str(&self.correlation_id).expect("uuid header"),
        );
        response
    }

    /// Every 429 as Genesys has normalized it since 2021-11-10 (API.md, correction 1): this
    /// body, nothing more, and `Retry-After` in whole seconds.
    fn too_many_requests(&self, retry_after_secs: u64) -> Reply {
        let body = json!({
            "message": format!(
                "Rate limit exceeded the maximum. Retry the request in [{retry_after_secs}] seconds"
            ),
            "code": "too.many.requests.retry.after",
            "status": 429,
            "contextId": self.correlation_id,
        });
        let mut response = self.json(StatusCode::TOO_MANY_REQUESTS, &body);
        response
            .headers_mut()
            .insert("retry-after", retry_after_secs.into());
        response
    }

    /// A PATCH with a stale `version`, answered with the chosen status: 409 `general.conflict`
    /// or 400, both with the message Genesys's Terraform provider looks for ("does not match
    /// the current version", `IsVersionMismatch` in its `genesyscloud/util/util_retries.go`).
    fn stale_version(&self, status: u16) -> Reply {
        let (status, code) = match status {
            400 => (StatusCode::BAD_REQUEST, "bad.request"),
            _ => (StatusCode::CONFLICT, "general.conflict"),
        };
        self.error_with(
            status,
            code,
            "The version supplied does not match the current version of the user.",
            None,
            &["version"],
        )
    }

    /// A Genesys `ErrorBody`.
    fn error(&self, status: StatusCode, code: &str, message: &str) -> Reply {
        self.error_with(status, code, message, None, &[])
    }

    fn error_with(
        &self,
        status: StatusCode,
        code: &str,
        message: &str,
        params: Option<(&str, BTreeMap<&str, String>)>,
        fields: &[&str],
    ) -> Reply {
        let (with_params, params) = match params {
            Some((template, params)) => (template.to_owned(), json!(params)),
            None => (message.to_owned(), json!({})),
        };
        let details: Vec<Value> = fields
            .iter()
            .map(|f| json!({ "errorCode": code, "fieldName": f }))
            .collect();
        let body = json!({
            "message": message,
            "code": code,
            "status": status.as_u16(),
            "messageWithParams": with_params,
            "messageParams": params,
            "contextId": self.correlation_id,
            "details": details,
            "errors": [],
        });
        self.json(status, &body)
    }

    fn bad_request(&self, message: &str) -> Reply {
        self.error(StatusCode::BAD_REQUEST, "bad.request", message)
    }

    fn invalid_value(&self, field: &str, message: &str) -> Reply {
        self.error_with(
            StatusCode::BAD_REQUEST,
            "invalid.value",
            message,
            None,
            &[field],
        )
    }

    fn not_found(&self) -> Reply {
        self.error(
            StatusCode::NOT_FOUND,
            "not.found",
            "The requested resource was not found.",
        )
    }

    fn oauth_error(&self, status: StatusCode, error: &str, description: &str) -> Reply {
        self.json(
            status,
            &json!({ "error": error, "description": description, "error_description": description }),
        )
    }
}

/// Serve one request.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Reply, DropConnection> {
    let exchange = Exchange {
        correlation_id: uuid::Uuid::new_v4().to_string(),
    };
    if let Some(refusal) = foreign(&shared, &exchange, &request) {
        return Ok(refusal);
    }
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Ok(exchange.error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request.entity.too.large",
                "The request body is too large.",
            ))
        }
    };
    let latency = shared.knobs.lock().expect("knobs").latency;
    sleep_latency(&shared, latency).await;

    let path = parts.uri.path().trim_end_matches('/');
    if path == "/__sandbox/stats" && parts.method == Method::GET {
        // Not part of Genesys's API: the sandbox's own counters, for benchmarks and soak runs.
        let stats = shared.org.lock().expect("org").stats;
        return Ok(exchange.json(StatusCode::OK, &json!(stats)));
    }
    if path == "/oauth/token" {
        return Ok(match parts.method {
            Method::POST => token(&shared, &exchange, &parts.headers, &body),
            _ => exchange.not_found(),
        });
    }
    if !path.starts_with("/api/v2/") {
        return Ok(exchange.not_found());
    }
    let query = parse_query(parts.uri.query().unwrap_or(""));
    let call = Call {
        method: parts.method,
        path: path.to_owned(),
        query,
        headers: parts.headers,
        body,
    };
    api(shared, exchange, call).await
}

/// The answer to a request that did not come from a program on this computer talking to the
/// sandbox by its own address: one that names another host (a web page whose domain was made
/// to resolve to 127.0.0.1, "DNS rebinding"), or one sent by a web page at all (browsers add
/// `Origin`; Genesys's SDKs, curl and Rollcall never do). Either would let a site the user
/// visits read or change the sandbox org.
fn foreign(shared: &Shared, exchange: &Exchange, request: &Request<Incoming>) -> Option<Reply> {
    if let Some(origin) = request.headers().get(ORIGIN) {
        let origin = String::from_utf8_lossy(origin.as_bytes());
        return Some(exchange.error(
            StatusCode::FORBIDDEN,
            "not.authorized",
            &format!(
                "The sandbox org does not answer requests from web pages (this one came from \
                 {origin:?}): only programs on this computer may call it."
            ),
        ));
    }
    let own = own_hosts(shared.address);
    let named: Vec<String> = request
        .headers()
        .get_all(HOST)
        .iter()
        .map(|host| String::from_utf8_lossy(host.as_bytes()).into_owned())
        .chain(request.uri().authority().map(|a| a.as_str().to_owned()))
        .collect();
    let ours = |host: &String| own.iter().any(|o| o.eq_ignore_ascii_case(host.trim()));
    if !named.is_empty() && named.iter().all(ours) {
        return None;
    }
    let named = named
        .iter()
        .find(|h| !ours(h))
        .map(|h| format!("{h:?}"))
        .unwrap_or_else(|| "no host".to_owned());
    Some(exchange.bad_request(&format!(
        "The sandbox org answers only requests addressed to it ({}), not to {named}.",
        own.join(" or ")
    )))
}

/// The `Host` values that name the sandbox's own address: its IP and `localhost`, with the
/// port (which HTTP clients leave out only for port 80).
fn own_hosts(address: SocketAddr) -> Vec<String> {
    let ip = match address {
        SocketAddr::V4(v4) => v4.ip().to_string(),
        SocketAddr::V6(v6) => format!("[{}]", v6.ip()),
    };
    let port = address.port();
    let mut hosts = vec![format!("{ip}:{port}"), format!("localhost:{port}")];
    if port == 80 {
        hosts.extend([ip, "localhost".to_owned()]);
    }
    hosts
}

struct Call {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: hyper::HeaderMap,
    body: Bytes,
}

impl Call {
    fn query_one(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn query_all(&self, name: &str) -> Vec<String> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(',').map(str::to_owned))
            .collect()
    }

    fn is_json(&self) -> bool {
        self.headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim()
                    .to_ascii_lowercase()
                    .starts_with("application/json")
            })
    }
}

/// What a route needs before it runs.
#[derive(Clone, Copy)]
enum Route {
    CreateUser,
    ListUsers,
    SearchUsers,
    GetUser,
    PatchUser,
    InviteUser,
    ListDivisions,
    HomeDivision,
    ListRoles,
    ListQueues,
    ListSkills,
    ListLocations,
    GrantRoles,
    UserGrants,
    AddUserSkills,
    UserSkills,
    UserQueues,
    AddQueueMembers,
    MoveUsersToDivision,
    SetPassword,
    OrgLimits,
}

impl Route {
    fn find(method: &Method, path: &str) -> Option<(Route, Option<String>)> {
        let segments: Vec<&str> = path.trim_start_matches("/api/v2/").split('/').collect();
        let route = match (method, segments.as_slice()) {
            (&Method::POST, ["users"]) => (Route::CreateUser, None),
            (&Method::GET, ["users"]) => (Route::ListUsers, None),
            (&Method::POST, ["users", "search"]) => (Route::SearchUsers, None),
            (&Method::GET, ["users", id]) => (Route::GetUser, Some(id.to_string())),
            (&Method::PATCH, ["users", id]) => (Route::PatchUser, Some(id.to_string())),
            (&Method::POST, ["users", id, "invite"]) => (Route::InviteUser, Some(id.to_string())),
            (&Method::GET, ["authorization", "divisions"]) => (Route::ListDivisions, None),
            (&Method::GET, ["authorization", "divisions", "home"]) => (Route::HomeDivision, None),
            (&Method::GET, ["authorization", "roles"]) => (Route::ListRoles, None),
            (&Method::GET, ["routing", "queues"]) => (Route::ListQueues, None),
            (&Method::GET, ["routing", "skills"]) => (Route::ListSkills, None),
            (&Method::GET, ["locations"]) => (Route::ListLocations, None),
            (&Method::POST, ["authorization", "subjects", id, "bulkadd"]) => {
                (Route::GrantRoles, Some(id.to_string()))
            }
            (&Method::GET, ["authorization", "subjects", id]) => {
                (Route::UserGrants, Some(id.to_string()))
            }
            (&Method::PATCH, ["users", id, "routingskills", "bulk"]) => {
                (Route::AddUserSkills, Some(id.to_string()))
            }
            (&Method::GET, ["users", id, "routingskills"]) => {
                (Route::UserSkills, Some(id.to_string()))
            }
            (&Method::GET, ["users", id, "queues"]) => (Route::UserQueues, Some(id.to_string())),
            (&Method::POST, ["routing", "queues", id, "members"]) => {
                (Route::AddQueueMembers, Some(id.to_string()))
            }
            // The sandbox's only movable objects are users; other object types are unknown here.
            (&Method::POST, ["authorization", "divisions", id, "objects", "USER"]) => {
                (Route::MoveUsersToDivision, Some(id.to_string()))
            }
            (&Method::POST, ["users", id, "password"]) => {
                (Route::SetPassword, Some(id.to_string()))
            }
            (&Method::GET, ["organizations", "limits", "namespaces", namespace]) => {
                (Route::OrgLimits, Some(namespace.to_string()))
            }
            _ => return None,
        };
        Some(route)
    }

    /// The permissions the operation requires (any one of them), as the Python SDK's API docs
    /// print them ("Requires ANY permissions:", MyPureCloud/platform-client-sdk-python 257.1,
    /// `build/docs/UsersApi.md`, `AuthorizationApi.md`, `RoutingApi.md`, `LocationsApi.md`,
    /// `ObjectsApi.md`, `OrganizationApi.md`). Where the docs say "Requires no permissions", the
    /// sandbox requires none.
    fn permissions(self) -> &'static [&'static str] {
        match self {
            Route::CreateUser => &["directory:user:add"],
            Route::SearchUsers => &["directory:user:view"],
            Route::PatchUser => &[
                "admin",
                "directory:user:edit",
                "directory:organization:admin",
            ],
            Route::InviteUser => &[
                "admin",
                "directory:organization:admin",
                "directory:user:setPassword",
            ],
            Route::SetPassword => &["directory:user:setPassword"],
            Route::ListRoles => &["authorization:role:view"],
            Route::ListQueues => &["routing:queue:view"],
            Route::ListSkills => &["routing:skill:view"],
            // bulkadd "Requires ALL permissions", a list of one.
            Route::GrantRoles => &["authorization:grant:add"],
            Route::UserGrants => &["authorization:grant:view"],
            Route::AddUserSkills => &["routing:skill:assign"],
            Route::UserQueues => &["routing:queue:view"],
            Route::AddQueueMembers => &["routing:queue:edit", "routing:queueMember:manage"],
            // Where the SDK's docs list none but another Genesys source names one, the sandbox
            // plays the stricter: `get_locations` lists none, but the corrected API facts this
            // project codes against (API.md, correction 9) name `locations:location:view` for
            // the lookup; `post_authorization_division_object` lists none, but the Resource
            // Center's "Access control permissions overview" says moving users takes
            // Directory > User > Edit.
            Route::ListLocations => &["locations:location:view"],
            Route::MoveUsersToDivision => &["directory:user:edit"],
            // The SDK lists none for these: `get_users`, `get_user`, the divisions and the home
            // division, `get_user_routingskills` and `get_organizations_limits_namespace` (whose
            // 403 is the `org_limits_readable` variant instead).
            Route::ListUsers
            | Route::GetUser
            | Route::ListDivisions
            | Route::HomeDivision
            | Route::UserSkills
            | Route::OrgLimits => &[],
        }
    }

    fn needs_json_body(self) -> bool {
        matches!(
            self,
            Route::CreateUser
                | Route::SearchUsers
                | Route::PatchUser
                | Route::GrantRoles
                | Route::AddUserSkills
                | Route::AddQueueMembers
                | Route::MoveUsersToDivision
                | Route::SetPassword
        )
    }

    /// Count the call in the sandbox's per-route counters.
    fn count(self, stats: &mut super::org::SandboxStats) {
        match self {
            Route::PatchUser => stats.user_patches += 1,
            Route::GrantRoles => stats.grant_calls += 1,
            Route::AddUserSkills => stats.skill_calls += 1,
            Route::AddQueueMembers => stats.queue_member_calls += 1,
            Route::ListDivisions
            | Route::ListRoles
            | Route::ListQueues
            | Route::ListSkills
            | Route::ListLocations => stats.directory_pages += 1,
            Route::UserGrants | Route::UserSkills | Route::UserQueues => {
                stats.user_detail_reads += 1
            }
            _ => {}
        }
    }
}

async fn api(shared: Arc<Shared>, exchange: Exchange, call: Call) -> Result<Reply, DropConnection> {
    // Authentication first, as Genesys's gateway does.
    let token = match bearer(&call.headers) {
        Some(token) => token,
        None => {
            return Ok(exchange.error(
                StatusCode::UNAUTHORIZED,
                "authentication.required",
                "No authentication bearer token specified in authorization header.",
            ))
        }
    };
    let (client_id, served) = {
        let mut org = shared.org.lock().expect("org");
        org.stats.requests += 1;
        let served = org.stats.requests;
        let client_id = match org.tokens.get(&token) {
            None => None,
            Some(info) if info.revoked => None,
            Some(info) if org.now() >= info.expires_at => {
                return Ok(exchange.error(
                    StatusCode::UNAUTHORIZED,
                    "credentials.expired",
                    "The supplied credentials are expired and cannot be used.",
                ))
            }
            Some(info) => Some(info.client_id.clone()),
        };
        let Some(client_id) = client_id else {
            return Ok(exchange.error(
                StatusCode::UNAUTHORIZED,
                "bad.credentials",
                "Invalid login credentials.",
            ));
        };
        let limit = shared.config.rate_limit;
        if let Err(retry_after) = org.count_request(&token, limit.requests, limit.window) {
            org.stats.rate_limited += 1;
            return Ok(exchange.too_many_requests(retry_after));
        }
        (client_id, served)
    };

    let faults = shared.knobs.lock().expect("knobs").faults.clone();
    if faults.revoke_tokens_after == Some(served) {
        let mut org = shared.org.lock().expect("org");
        for info in org.tokens.values_mut() {
            info.revoked = true;
        }
    }

    let Some((route, id)) = Route::find(&call.method, &call.path) else {
        return Ok(exchange.not_found());
    };
    route.count(&mut shared.org.lock().expect("org").stats);

    // Faults are injected at the "gateway": a 503 never reaches the service; a 502 or 504 may
    // have reached it, and then the work is done but its answer is lost.
    let injected_429 = shared
        .rng
        .lock()
        .expect("rng")
        .random_bool(faults.too_many_requests.clamp(0.0, 1.0));
    if injected_429 {
        shared.org.lock().expect("org").stats.rate_limited += 1;
        return Ok(exchange.too_many_requests(faults.retry_after_secs.max(1)));
    }
    let (status, passes) = {
        let mut rng = shared.rng.lock().expect("rng");
        let roll: f64 = rng.random();
        let passes = rng.random_bool(faults.gateway_passes_through.clamp(0.0, 1.0));
        let status = if roll < faults.bad_gateway {
            Some(StatusCode::BAD_GATEWAY)
        } else if roll < faults.bad_gateway + faults.service_unavailable {
            Some(StatusCode::SERVICE_UNAVAILABLE)
        } else if roll < faults.bad_gateway + faults.service_unavailable + faults.gateway_timeout {
            Some(StatusCode::GATEWAY_TIMEOUT)
        } else {
            None
        };
        (status, passes)
    };
    if let Some(status) = status {
        if status != StatusCode::SERVICE_UNAVAILABLE && passes {
            let _ = route_call(&shared, &exchange, &client_id, route, id, &call, 0.0);
        }
        shared.org.lock().expect("org").stats.server_errors += 1;
        let (code, message) = match status {
            StatusCode::BAD_GATEWAY => ("bad.gateway", "The gateway received an invalid response."),
            StatusCode::SERVICE_UNAVAILABLE => (
                "service.unavailable",
                "Service is currently unavailable, please try again later.",
            ),
            _ => ("request.timeout", "The request timed out."),
        };
        return Ok(exchange.error(status, code, message));
    }
    route_call(
        &shared,
        &exchange,
        &client_id,
        route,
        id,
        &call,
        faults.drop_after_create,
    )
}

fn route_call(
    shared: &Shared,
    exchange: &Exchange,
    client_id: &str,
    route: Route,
    id: Option<String>,
    call: &Call,
    drop_after_create: f64,
) -> Result<Reply, DropConnection> {
    let client = shared
        .config
        .clients
        .iter()
        .find(|c| c.client_id == client_id)
        .expect("token of a configured client");
    let required = route.permissions();
    if !required.is_empty() && !required.iter().any(|p| client.has_permission(p)) {
        let list = required.join(", ");
        let code = if required.len() > 1 {
            "missing.any.permissions"
        } else {
            "missing.permissions"
        };
        let message = format!(
            "Unable to perform the requested action. You are missing the following permission(s): [{list}]"
        );
        let mut params = BTreeMap::new();
        params.insert("permissions", list.clone());
        return Ok(exchange.error_with(
            StatusCode::FORBIDDEN,
            code,
            &message,
            Some((
                "Unable to perform the requested action. You are missing the following permission(s): [{permissions}]",
                params,
            )),
            &[],
        ));
    }
    let body =
        if route.needs_json_body() {
            if !call.is_json() {
                return Ok(exchange.error(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported.media.type",
                    "Unsupported Media Type: the request body must be application/json.",
                ));
            }
            match serde_json::from_slice::<Value>(&call.body) {
                Ok(Value::Object(map)) => Some(Value::Object(map)),
                Ok(_)
                    if matches!(
                        route,
                        Route::SearchUsers
                            | Route::CreateUser
                            | Route::PatchUser
                            | Route::GrantRoles
                            | Route::SetPassword
                    ) =>
                {
                    return Ok(exchange.bad_request("The request body must be a JSON object."))
                }
                Ok(other) => Some(other),
                Err(_) => return Ok(exchange.bad_request(
                    "The request could not be understood by the server due to malformed syntax.",
                )),
            }
        } else {
            None
        };
    let id = id.unwrap_or_default();
    Ok(match route {
        Route::CreateUser => {
            let reply = create_user(shared, exchange, body.as_ref().expect("json body"));
            if reply.status() == StatusCode::OK
                && shared
                    .rng
                    .lock()
                    .expect("rng")
                    .random_bool(drop_after_create.clamp(0.0, 1.0))
            {
                shared.org.lock().expect("org").stats.dropped_connections += 1;
                return Err(DropConnection);
            }
            reply
        }
        Route::ListUsers => list_users(shared, exchange, call),
        Route::SearchUsers => search_users(shared, exchange, body.as_ref().expect("json body")),
        Route::GetUser => get_user(shared, exchange, call, &id),
        Route::ListRoles => list_roles(shared, exchange, call),
        Route::ListQueues => list_queues(shared, exchange, call),
        Route::ListSkills => list_skills(shared, exchange, call),
        Route::ListLocations => list_locations(shared, exchange, call),
        Route::GrantRoles => grant_roles(
            shared,
            exchange,
            call,
            &id,
            body.as_ref().expect("json body"),
        ),
        Route::UserGrants => user_grants(shared, exchange, &id),
        Route::AddUserSkills => {
            add_user_skills(shared, exchange, &id, body.as_ref().expect("json body"))
        }
        Route::UserSkills => user_skills(shared, exchange, call, &id),
        Route::UserQueues => user_queues(shared, exchange, call, &id),
        Route::AddQueueMembers => add_queue_members(
            shared,
            exchange,
            call,
            &id,
            body.as_ref().expect("json body"),
        ),
        Route::PatchUser => patch_user(shared, exchange, &id, body.as_ref().expect("json body")),
        Route::InviteUser => invite_user(shared, exchange, &id),
        Route::ListDivisions => list_divisions(shared, exchange, call),
        Route::HomeDivision => {
            let org = shared.org.lock().expect("org");
            exchange.json(StatusCode::OK, &Org::division_json(org.home()))
        }
        Route::MoveUsersToDivision => {
            move_users_to_division(shared, exchange, &id, body.as_ref().expect("json body"))
        }
        Route::SetPassword => {
            set_password(shared, exchange, &id, body.as_ref().expect("json body"))
        }
        Route::OrgLimits => org_limits(shared, exchange, &id),
    })
}

fn token(shared: &Shared, exchange: &Exchange, headers: &hyper::HeaderMap, body: &Bytes) -> Reply {
    let throttled_first = shared
        .knobs
        .lock()
        .expect("knobs")
        .faults
        .token_throttled_first;
    let served = {
        let mut org = shared.org.lock().expect("org");
        org.stats.token_requests += 1;
        org.stats.token_requests
    };
    if served <= u64::from(throttled_first) {
        // The token endpoint's own limit, as Genesys answers it: Genesys's Terraform provider
        // retries exactly "400 - invalid_request (rate limit exceeded;" (`provider.go`).
        return exchange.oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "rate limit exceeded; too many token requests, retry in a few seconds",
        );
    }
    let invalid_client_status = StatusCode::from_u16(shared.config.variants.invalid_client_status)
        .unwrap_or(StatusCode::BAD_REQUEST);
    let form_ok = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !form_ok {
        return exchange.oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the token request must be application/x-www-form-urlencoded",
        );
    }
    let form: Vec<(String, String)> = parse_query(&String::from_utf8_lossy(body));
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let (client_id, secret) = match basic_auth(headers) {
        Some(pair) => pair,
        None => match (field("client_id"), field("client_secret")) {
            (Some(id), Some(secret)) => (id, secret),
            _ => {
                return exchange.oauth_error(
                    invalid_client_status,
                    "invalid_client",
                    "client authentication is required",
                )
            }
        },
    };
    match field("grant_type").as_deref() {
        Some("client_credentials") => {}
        Some(_) => {
            return exchange.oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "unsupported grant type",
            )
        }
        None => {
            return exchange.oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required",
            )
        }
    }
    let Some(client) = shared
        .config
        .clients
        .iter()
        .find(|c| c.client_id == client_id)
    else {
        return exchange.oauth_error(invalid_client_status, "invalid_client", "client not found");
    };
    if client.client_secret.expose() != secret {
        return exchange.oauth_error(
            invalid_client_status,
            "invalid_client",
            "authentication failed",
        );
    }
    if !client.client_credentials_grant {
        return exchange.oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "client is not authorized to use the client_credentials grant",
        );
    }
    let lifetime = shared.config.token_lifetime;
    let access_token = {
        let mut bytes = [0u8; 48];
        shared.rng.lock().expect("rng").fill(&mut bytes[..]);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    };
    let mut org = shared.org.lock().expect("org");
    org.stats.tokens_issued += 1;
    let expires_at = org.now() + lifetime;
    org.tokens.insert(
        access_token.clone(),
        TokenInfo {
            client_id: client.client_id.clone(),
            expires_at,
            revoked: false,
        },
    );
    exchange.json(
        StatusCode::OK,
        &json!({
            "access_token": access_token,
            "token_type": "bearer",
            "expires_in": lifetime.as_secs(),
        }),
    )
}

fn create_user(shared: &Shared, exchange: &Exchange, body: &Value) -> Reply {
    let body = body.as_object().expect("object");
    let name = match string_field(body, "name") {
        Ok(Some(name)) if !name.trim().is_empty() => name.trim().to_owned(),
        Ok(_) => return exchange.invalid_value("name", "The user's name is required."),
        Err(reply) => return reply(exchange),
    };
    let email = match string_field(body, "email") {
        Ok(Some(email)) if !email.trim().is_empty() => email.trim().to_owned(),
        Ok(_) => return exchange.invalid_value("email", "The user's email is required."),
        Err(reply) => return reply(exchange),
    };
    if !plausible_email(&email) {
        return exchange
            .invalid_value("email", &format!("'{email}' is not a valid email address."));
    }
    let state = match body.get("state") {
        None | Some(Value::Null) => UserState::Inactive,
        Some(Value::String(s)) if s == "active" => UserState::Active,
        Some(Value::String(s)) if s == "inactive" => UserState::Inactive,
        Some(other) => {
            return exchange.invalid_value(
                "state",
                &format!("State {other} is not valid for a new user; use active or inactive."),
            )
        }
    };
    let mut optional = BTreeMap::new();
    for field in ["title", "department", "divisionId", "password"] {
        match string_field(body, field) {
            Ok(value) => {
                if let Some(value) = value {
                    if value.chars().count() > 255 && field != "password" {
                        return exchange.invalid_value(field, &format!("The {field} is too long."));
                    }
                    optional.insert(field, value.to_owned());
                }
            }
            Err(reply) => return reply(exchange),
        }
    }
    let addresses = match parse_addresses(body.get("addresses")) {
        Ok(addresses) => addresses,
        Err(message) => return exchange.invalid_value("addresses", &message),
    };

    let mut org = shared.org.lock().expect("org");
    let division_id = match optional.get("divisionId") {
        Some(id) => match org.division(id) {
            Some(division) => division.id.clone(),
            None => {
                return exchange.error_with(
                    StatusCode::BAD_REQUEST,
                    "invalid.value",
                    &format!("The division {id} does not exist."),
                    None,
                    &["divisionId"],
                )
            }
        },
        None => org.home().id.clone(),
    };
    if let Some(existing) = org.user_by_email(&email) {
        let (status, message) = if existing.state == UserState::Deleted {
            (
                StatusCode::BAD_REQUEST,
                format!(
                    "The email address {email} belongs to a deleted user. Restore that user \
                     instead of creating a new one."
                ),
            )
        } else {
            (
                StatusCode::from_u16(shared.config.variants.duplicate_email_status)
                    .unwrap_or(StatusCode::CONFLICT),
                format!("A user with the email address {email} already exists."),
            )
        };
        return exchange.error_with(status, "general.conflict", &message, None, &["email"]);
    }
    let lag = shared.config.variants.search_lag;
    let user = SandboxUser {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        email,
        state,
        division_id,
        title: optional.remove("title"),
        department: optional.remove("department"),
        addresses,
        manager_id: None,
        grants: vec![],
        skills: vec![],
        location_ids: vec![],
        version: 1,
        invitations: 0,
        password_set: false,
        searchable_at: (!lag.is_zero()).then(|| org.now() + lag),
    };
    let index = org.insert(user);
    org.stats.users_created += 1;
    let json = org.user_json(&org.users[index]);
    exchange.json(StatusCode::OK, &json)
}

type ErrorReply = Box<dyn FnOnce(&Exchange) -> Reply>;

fn string_field<'a>(
    body: &'a Map<String, Value>,
    field: &'static str,
) -> Result<Option<&'a str>, ErrorReply> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Box::new(move |e: &Exchange| {
            e.invalid_value(field, &format!("The field {field} must be a string."))
        })),
    }
}

const MEDIA_TYPES: &[&str] = &["PHONE", "EMAIL", "SMS"];
const CONTACT_TYPES: &[&str] = &[
    "PRIMARY", "WORK", "WORK2", "WORK3", "WORK4", "HOME", "MOBILE", "MAIN", "OTHER",
];

fn parse_addresses(value: Option<&Value>) -> Result<Vec<Contact>, String> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(vec![]);
    };
    let mut contacts: Vec<Contact> = serde_json::from_value(value.clone())
        .map_err(|e| format!("addresses must be a list of contacts ({e})"))?;
    // Genesys computes `display`; one sent back from a read is not a number.
    for contact in &mut contacts {
        contact.display = None;
    }
    let mut seen = HashSet::new();
    for contact in &contacts {
        if !MEDIA_TYPES.contains(&contact.media_type.as_str()) {
            return Err(format!(
                "mediaType {} is not one of PHONE, EMAIL, SMS",
                contact.media_type
            ));
        }
        if !CONTACT_TYPES.contains(&contact.kind.as_str()) {
            return Err(format!("type {} is not a valid contact type", contact.kind));
        }
        if !seen.insert((contact.media_type.clone(), contact.kind.clone())) {
            return Err(format!(
                "only one {} {} address is allowed",
                contact.kind, contact.media_type
            ));
        }
        match (&contact.address, &contact.extension) {
            (None, None) => return Err("a contact needs an address or an extension".to_owned()),
            (Some(address), _) if contact.media_type != "EMAIL" && !is_e164(address) => {
                return Err(format!("{address} is not a phone number in E.164 format"))
            }
            (_, Some(extension))
                if extension.is_empty() || !extension.chars().all(|c| c.is_ascii_digit()) =>
            {
                return Err(format!("extension {extension} must be digits"))
            }
            _ => {}
        }
    }
    Ok(contacts)
}

fn is_e164(number: &str) -> bool {
    let Some(digits) = number.strip_prefix('+') else {
        return false;
    };
    (8..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
}

/// The sandbox's e-mail rule: one `@`, a non-empty local part without spaces, and a dotted
/// domain of letters, digits and hyphens.
fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && email.len() <= 254
        && !local.contains(char::is_whitespace)
        && !local.contains('@')
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn page_params(
    exchange: &Exchange,
    call: &Call,
    default_size: u32,
    max_size: u32,
) -> Result<(u32, u32), Reply> {
    let number = |name: &str, default: u32| -> Result<u32, Reply> {
        match call.query_one(name) {
            None => Ok(default),
            Some(text) => text.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                exchange.invalid_value(name, &format!("{name} must be a positive whole number"))
            }),
        }
    };
    let size = number("pageSize", default_size)?;
    if size > max_size {
        return Err(
            exchange.invalid_value("pageSize", &format!("pageSize must be at most {max_size}"))
        );
    }
    Ok((size, number("pageNumber", 1)?))
}

fn listing(entities: Vec<Value>, total: usize, size: u32, number: u32, base: &str) -> Value {
    let page_count = total.div_ceil(size as usize).max(1);
    let mut value = json!({
        "entities": entities,
        "pageSize": size,
        "pageNumber": number,
        "total": total,
        "pageCount": page_count,
        "firstUri": format!("{base}?pageSize={size}&pageNumber=1"),
        "selfUri": format!("{base}?pageSize={size}&pageNumber={number}"),
        "lastUri": format!("{base}?pageSize={size}&pageNumber={page_count}"),
    });
    if (number as usize) < page_count {
        value["nextUri"] = json!(format!("{base}?pageSize={size}&pageNumber={}", number + 1));
    }
    if number > 1 {
        value["previousUri"] = json!(format!("{base}?pageSize={size}&pageNumber={}", number - 1));
    }
    value
}

/// The most users a listing reaches: `GET /api/v2/users` answers 400 once `pageNumber ×
/// pageSize` passes it (API.md, correction 6; Genesys's Terraform provider stops paging there,
/// "inactive GetUsers requests return 400 beyond 10,000 users", `genesyscloud_user_proxy.go`).
/// The sandbox applies it to every state.
const MAX_LISTED_USERS: u64 = 10_000;

fn list_users(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let (size, number) = match page_params(exchange, call, 25, 500) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    if u64::from(size) * u64::from(number) > MAX_LISTED_USERS {
        return exchange.error_with(
            StatusCode::BAD_REQUEST,
            "bad.request",
            &format!(
                "pageNumber {number} with pageSize {size} reaches past the first \
                 {MAX_LISTED_USERS} users, the most a listing returns."
            ),
            None,
            &["pageNumber"],
        );
    }
    let states: &[UserState] = match call.query_one("state").unwrap_or("active") {
        "active" => &[UserState::Active],
        "inactive" => &[UserState::Inactive],
        "deleted" => &[UserState::Deleted],
        "any" => &[UserState::Active, UserState::Inactive, UserState::Deleted],
        other => {
            return exchange.invalid_value(
                "state",
                &format!("state {other} is not one of active, inactive, deleted, any"),
            )
        }
    };
    let ids = call.query_all("id");
    let org = shared.org.lock().expect("org");
    let wanted = |u: &&SandboxUser| states.contains(&u.state);
    // By id, the index answers; otherwise one pass counts the matches and keeps only the page.
    let matching: Vec<&SandboxUser> = if ids.is_empty() {
        org.users.iter().filter(wanted).collect()
    } else {
        let mut indexes: Vec<usize> = ids
            .iter()
            .filter_map(|id| org.by_id.get(id))
            .copied()
            .collect();
        indexes.sort_unstable();
        indexes.dedup();
        indexes
            .into_iter()
            .map(|i| &org.users[i])
            .filter(wanted)
            .collect()
    };
    let entities = matching
        .iter()
        .skip(((number - 1) * size) as usize)
        .take(size as usize)
        .map(|u| org.user_json(u))
        .collect();
    exchange.json(
        StatusCode::OK,
        &listing(entities, matching.len(), size, number, "/api/v2/users"),
    )
}

/// `GET /api/v2/users/{id}`: `state` is `active` (the default: any user not deleted) or
/// `deleted` (only a deleted user), as the SDK's `get_user` documents it ("Values: active,
/// deleted", default 'active'). Whether Genesys also answers a live user to `state=deleted` is
/// not documented; the sandbox does not, the stricter choice.
fn get_user(shared: &Shared, exchange: &Exchange, call: &Call, id: &str) -> Reply {
    let deleted = match call.query_one("state") {
        None | Some("active") => false,
        Some("deleted") => true,
        Some(other) => {
            return exchange.invalid_value(
                "state",
                &format!("state {other} is not one of active, deleted"),
            )
        }
    };
    let org = shared.org.lock().expect("org");
    match org.by_id.get(id).map(|&i| &org.users[i]) {
        Some(user) if (user.state == UserState::Deleted) == deleted => exchange.json(
            StatusCode::OK,
            &org.user_json_expanded(user, &call.query_all("expand")),
        ),
        _ => exchange.not_found(),
    }
}

/// `PATCH /api/v2/users/{id}`. A body carrying `state` changes only the state, whatever else it
/// holds: the SDK's `UpdateUser` says of `state` "This property can be used to restore a deleted
/// user or transition between active and inactive. If specified, it is the only modifiable
/// field." A restored user stays in the Home division it was moved to when deleted.
fn patch_user(shared: &Shared, exchange: &Exchange, id: &str, body: &Value) -> Reply {
    let body = body.as_object().expect("object");
    let Some(version) = body.get("version").and_then(Value::as_i64) else {
        return exchange.invalid_value("version", "The version of the user is required.");
    };
    let new_state = match body.get("state") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "active" => Some(UserState::Active),
        Some(Value::String(s)) if s == "inactive" => Some(UserState::Inactive),
        Some(other) => {
            return exchange.invalid_value("state", &format!("State {other} is not valid."))
        }
    };
    let changes = match new_state {
        Some(_) => ProfileChanges::default(),
        None => match ProfileChanges::read(body) {
            Ok(changes) => changes,
            Err(reply) => return reply(exchange),
        },
    };
    let (stale_first, stale_status) = (
        shared
            .knobs
            .lock()
            .expect("knobs")
            .faults
            .stale_version_first,
        shared.config.variants.stale_version_status,
    );
    let mut org = shared.org.lock().expect("org");
    let Some(&index) = org.by_id.get(id) else {
        return exchange.not_found();
    };
    if org.users[index].state == UserState::Deleted && new_state.is_none() {
        return exchange.not_found();
    }
    if org.early_call(id, UserCall::PatchUser, stale_first) {
        // Another admin just edited the user.
        org.users[index].version += 1;
        org.dirty = true;
    }
    if org.users[index].version != version {
        return exchange.stale_version(stale_status);
    }
    if let Err(reply) = changes.check(&org, id) {
        return reply(exchange);
    }
    let user = &mut org.users[index];
    match new_state {
        Some(state) => user.state = state,
        None => changes.apply(user),
    }
    user.version += 1;
    org.dirty = true;
    let json = org.user_json(&org.users[index]);
    exchange.json(StatusCode::OK, &json)
}

/// What a PATCH without `state` may change, read and checked before anything is changed.
#[derive(Default)]
struct ProfileChanges {
    addresses: Option<Vec<Contact>>,
    locations: Option<Vec<String>>,
    texts: BTreeMap<&'static str, String>,
}

impl ProfileChanges {
    fn read(body: &Map<String, Value>) -> Result<ProfileChanges, ErrorReply> {
        let addresses = match body.get("addresses") {
            None | Some(Value::Null) => None,
            some => match parse_addresses(some) {
                Ok(list) => Some(list),
                Err(message) => {
                    return Err(Box::new(move |e: &Exchange| {
                        e.invalid_value("addresses", &message)
                    }))
                }
            },
        };
        let locations = match body.get("locations") {
            None | Some(Value::Null) => None,
            Some(value) => match parse_locations(value) {
                Ok(ids) => Some(ids),
                Err(message) => {
                    return Err(Box::new(move |e: &Exchange| {
                        e.invalid_value("locations", &message)
                    }))
                }
            },
        };
        let mut texts = BTreeMap::new();
        for field in ["name", "title", "department", "manager"] {
            if let Some(value) = string_field(body, field)? {
                texts.insert(field, value.to_owned());
            }
        }
        Ok(ProfileChanges {
            addresses,
            locations,
            texts,
        })
    }

    /// Whether the manager, the name and the locations are valid in this org for user `id`.
    fn check(&self, org: &Org, id: &str) -> Result<(), ErrorReply> {
        if let Some(manager) = self.texts.get("manager") {
            let valid = manager != id
                && org
                    .by_id
                    .get(manager.as_str())
                    .is_some_and(|&m| org.users[m].state != UserState::Deleted);
            if !valid {
                let message = format!("The manager {manager} is not a valid user.");
                return Err(Box::new(move |e: &Exchange| {
                    e.invalid_value("manager", &message)
                }));
            }
        }
        if self.texts.get("name").is_some_and(|n| n.trim().is_empty()) {
            return Err(Box::new(|e: &Exchange| {
                e.invalid_value("name", "The user's name cannot be empty.")
            }));
        }
        if let Some(unknown) = self
            .locations
            .iter()
            .flatten()
            .find(|id| !org.locations.iter().any(|l| &&l.id == id))
        {
            let message = format!("The location {unknown} does not exist.");
            return Err(Box::new(move |e: &Exchange| {
                e.invalid_value("locations", &message)
            }));
        }
        Ok(())
    }

    fn apply(mut self, user: &mut SandboxUser) {
        if let Some(locations) = self.locations {
            user.location_ids = locations;
        }
        if let Some(addresses) = self.addresses {
            user.addresses = addresses;
        }
        if let Some(name) = self.texts.remove("name") {
            user.name = name;
        }
        if let Some(title) = self.texts.remove("title") {
            user.title = Some(title);
        }
        if let Some(department) = self.texts.remove("department") {
            user.department = Some(department);
        }
        if let Some(manager) = self.texts.remove("manager") {
            user.manager_id = Some(manager);
        }
    }
}

/// The largest `pageSize` of a user search. The SDK's `UserSearchRequest` documents no maximum;
/// 100 is the sandbox's, and a client that pages by it works with any larger real one.
const MAX_SEARCH_PAGE_SIZE: u64 = 100;

/// `POST /api/v2/users/search`: `EXACT`, `CONTAINS` and `STARTS_WITH` criteria on `email`,
/// `name` or `id`, each with a `value` or several `values` (any of them matches), and a `state`
/// criterion; the results paged.
fn search_users(shared: &Shared, exchange: &Exchange, body: &Value) -> Reply {
    let Some(criteria) = body
        .get("query")
        .and_then(Value::as_array)
        .filter(|q| !q.is_empty())
    else {
        return exchange.bad_request("A search needs at least one query criterion.");
    };
    let page_size = body.get("pageSize").and_then(Value::as_u64).unwrap_or(25);
    let page_number = body.get("pageNumber").and_then(Value::as_u64).unwrap_or(1);
    if !(1..=MAX_SEARCH_PAGE_SIZE).contains(&page_size) {
        return exchange.invalid_value(
            "pageSize",
            &format!("pageSize must be from 1 to {MAX_SEARCH_PAGE_SIZE}."),
        );
    }
    if page_number < 1 {
        return exchange.invalid_value("pageNumber", "pageNumber must be at least 1.");
    }
    let mut states = vec![UserState::Active, UserState::Inactive];
    let mut filters: Vec<(String, String, Vec<String>)> = Vec::new();
    for criterion in criteria {
        let kind = criterion.get("type").and_then(Value::as_str).unwrap_or("");
        if !matches!(kind, "EXACT" | "CONTAINS" | "STARTS_WITH") {
            return exchange.bad_request(&format!("Search type '{kind}' is not supported."));
        }
        let fields: Vec<String> = criterion
            .get("fields")
            .and_then(Value::as_array)
            .map(|f| {
                f.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let mut values: Vec<String> = criterion
            .get("values")
            .and_then(Value::as_array)
            .map(|v| {
                v.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_lowercase)
                    .collect()
            })
            .unwrap_or_default();
        if let Some(value) = criterion.get("value").and_then(Value::as_str) {
            values.push(value.to_lowercase());
        }
        if fields.is_empty() || values.is_empty() {
            return exchange.bad_request("Each criterion needs fields and a value.");
        }
        if fields == ["state"] {
            let mut chosen = Vec::new();
            for value in &values {
                match value.as_str() {
                    "active" => chosen.push(UserState::Active),
                    "inactive" => chosen.push(UserState::Inactive),
                    "deleted" => chosen.push(UserState::Deleted),
                    other => return exchange.bad_request(&format!("Unknown state '{other}'.")),
                }
            }
            states = chosen;
            continue;
        }
        for field in &fields {
            if !matches!(field.as_str(), "email" | "name" | "id") {
                return exchange.bad_request(&format!("Field '{field}' is not searchable."));
            }
        }
        filters.push((kind.to_owned(), fields.join(","), values));
    }
    let org = shared.org.lock().expect("org");
    let now = org.now();
    // An exact e-mail criterion is answered from the org's e-mail index, so a search of a few
    // e-mails stays cheap in an org of tens of thousands; results keep creation order.
    let candidates: Vec<&SandboxUser> = match filters
        .iter()
        .find(|(kind, fields, _)| kind == "EXACT" && fields == "email")
    {
        Some((_, _, emails)) => {
            let mut indexes: Vec<usize> = emails
                .iter()
                .filter_map(|email| org.by_email.get(email.as_str()))
                .copied()
                .collect();
            indexes.sort_unstable();
            indexes.dedup();
            indexes.into_iter().map(|i| &org.users[i]).collect()
        }
        None => org.users.iter().collect(),
    };
    let matches: Vec<&SandboxUser> = candidates
        .into_iter()
        .filter(|u| states.contains(&u.state))
        .filter(|u| u.searchable_at.is_none_or(|at| at <= now))
        .filter(|u| {
            filters.iter().all(|(kind, fields, values)| {
                fields.split(',').any(|field| {
                    let actual = match field {
                        "email" => u.email.to_lowercase(),
                        "name" => u.name.to_lowercase(),
                        _ => u.id.to_lowercase(),
                    };
                    values.iter().any(|v| match kind.as_str() {
                        "EXACT" => &actual == v,
                        "CONTAINS" => actual.contains(v.as_str()),
                        _ => actual.starts_with(v.as_str()),
                    })
                })
            })
        })
        .collect();
    let total = matches.len();
    let results: Vec<Value> = matches
        .iter()
        .skip(((page_number - 1) * page_size) as usize)
        .take(page_size as usize)
        .map(|u| org.user_json(u))
        .collect();
    let mut answer = json!({
        "total": total,
        "pageCount": total.div_ceil(page_size as usize),
        "pageSize": page_size,
        "pageNumber": page_number,
        "types": ["users"],
    });
    // Genesys leaves `results` out when nothing matched.
    if !results.is_empty() {
        answer["results"] = json!(results);
    }
    exchange.json(StatusCode::OK, &answer)
}

fn invite_user(shared: &Shared, exchange: &Exchange, id: &str) -> Reply {
    let mut org = shared.org.lock().expect("org");
    match org.by_id.get(id).copied() {
        Some(index) if org.users[index].state != UserState::Deleted => {
            org.users[index].invitations += 1;
            org.dirty = true;
            exchange.empty(StatusCode::NO_CONTENT)
        }
        _ => exchange.not_found(),
    }
}

/// `POST /api/v2/authorization/divisions/{divisionId}/objects/USER`, body a list of user ids
/// (`post_authorization_division_object`: "The body of the request is a list of object IDs").
/// All the users move or none does. The move bumps each user's version: whether Genesys does is
/// not documented, and a client that PATCHes with a version read before the move must then
/// re-read, the stricter case.
fn move_users_to_division(
    shared: &Shared,
    exchange: &Exchange,
    division_id: &str,
    body: &Value,
) -> Reply {
    let Some(items) = body.as_array().filter(|items| !items.is_empty()) else {
        return exchange.bad_request("The body must be a non-empty list of user ids.");
    };
    let mut user_ids: Vec<&str> = Vec::with_capacity(items.len());
    for item in items {
        match item.as_str().filter(|id| !id.is_empty()) {
            Some(id) => user_ids.push(id),
            None => return exchange.bad_request("Each object id must be a string."),
        }
    }
    let mut org = shared.org.lock().expect("org");
    let Some(division_id) = org.division(division_id).map(|d| d.id.clone()) else {
        return exchange.not_found();
    };
    let mut indexes = Vec::with_capacity(user_ids.len());
    for user_id in user_ids {
        match org.live_user_index(user_id) {
            Some(index) => indexes.push(index),
            None => {
                return exchange
                    .invalid_value("objectIds", &format!("The user {user_id} does not exist."))
            }
        }
    }
    indexes.sort_unstable();
    indexes.dedup();
    for &index in &indexes {
        let user = &mut org.users[index];
        user.division_id = division_id.clone();
        user.version += 1;
    }
    org.stats.division_moves += indexes.len() as u64;
    org.dirty = true;
    exchange.empty(StatusCode::NO_CONTENT)
}

/// The sandbox's password policy: Genesys's default ("Set Genesys Cloud password requirements"
/// in the Resource Center: at least 8 characters with a lowercase and an uppercase letter, a
/// number and a special character; at most 400 characters).
fn password_problem(password: &str) -> Option<&'static str> {
    let length = password.chars().count();
    if length < 8 {
        Some("it is shorter than 8 characters")
    } else if length > 400 {
        Some("it is longer than 400 characters")
    } else if !password.chars().any(char::is_lowercase) {
        Some("it has no lowercase letter")
    } else if !password.chars().any(char::is_uppercase) {
        Some("it has no uppercase letter")
    } else if !password.chars().any(|c| c.is_ascii_digit()) {
        Some("it has no number")
    } else if password.chars().all(char::is_alphanumeric) {
        Some("it has no special character")
    } else {
        None
    }
}

/// `POST /api/v2/users/{id}/password` (`ChangePasswordRequest {newPassword}`): 204, or 400
/// when the password breaks the org's policy (every password, with the `refuse_passwords`
/// fault). The password itself is never kept.
fn set_password(shared: &Shared, exchange: &Exchange, id: &str, body: &Value) -> Reply {
    let password = match string_field(body.as_object().expect("object"), "newPassword") {
        Ok(Some(password)) if !password.is_empty() => password,
        Ok(_) => return exchange.invalid_value("newPassword", "newPassword is required."),
        Err(reply) => return reply(exchange),
    };
    let refuse_all = shared.knobs.lock().expect("knobs").faults.refuse_passwords;
    let mut org = shared.org.lock().expect("org");
    let Some(index) = org.live_user_index(id) else {
        return exchange.not_found();
    };
    let problem = if refuse_all {
        Some("the organization refuses it")
    } else {
        password_problem(password)
    };
    if let Some(problem) = problem {
        return exchange.error_with(
            StatusCode::BAD_REQUEST,
            "bad.request",
            &format!(
                "The new password does not meet the organization's password requirements: \
                 {problem}."
            ),
            None,
            &["newPassword"],
        );
    }
    org.users[index].password_set = true;
    org.stats.password_sets += 1;
    org.dirty = true;
    exchange.empty(StatusCode::NO_CONTENT)
}

/// `GET /api/v2/organizations/limits/namespaces/{namespace}`. By default 403, as for a client
/// that may not read the org's limits; with `Variants::org_limits_readable`, the `platform.api`
/// namespace in the SDK's response model: `LimitsEntityListing {entities: [Limit {key,
/// namespace, value}]}` (platform-client-sdk-python `build/docs/OrganizationApi.md`,
/// `get_organizations_limits_namespace`, and `LimitsEntityListing.md`, `Limit.md`), holding
/// `client.credentials.token.rate.per.minute`: the sandbox's per-token limit, per minute.
fn org_limits(shared: &Shared, exchange: &Exchange, namespace: &str) -> Reply {
    if !shared.config.variants.org_limits_readable {
        // The SDK lists no permission for this call, so none is named.
        return exchange.error(
            StatusCode::FORBIDDEN,
            "missing.permissions",
            "Unable to perform the requested action. You are not allowed to read the \
             organization's limits.",
        );
    }
    if namespace != "platform.api" {
        return exchange.not_found();
    }
    let limit = shared.config.rate_limit;
    let per_minute = u128::from(limit.requests) * 60_000 / limit.window.as_millis().max(1);
    exchange.json(
        StatusCode::OK,
        &json!({
            "entities": [{
                "key": "client.credentials.token.rate.per.minute",
                "namespace": "platform.api",
                "value": per_minute,
            }],
        }),
    )
}

fn list_divisions(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let (size, number) = match page_params(exchange, call, 25, 100) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let name = call.query_one("name").map(str::to_lowercase);
    let ids = call.query_all("id");
    let org = shared.org.lock().expect("org");
    let matching: Vec<_> = org
        .divisions
        .iter()
        .filter(|d| name.as_ref().is_none_or(|n| &d.name.to_lowercase() == n))
        .filter(|d| ids.is_empty() || ids.contains(&d.id))
        .collect();
    let entities = matching
        .iter()
        .skip(((number - 1) * size) as usize)
        .take(size as usize)
        .map(|d| Org::division_json(d))
        .collect();
    exchange.json(
        StatusCode::OK,
        &listing(
            entities,
            matching.len(),
            size,
            number,
            "/api/v2/authorization/divisions",
        ),
    )
}

/// How a listing's `name` parameter matches.
#[derive(Clone, Copy)]
enum NameFilter {
    /// Roles: the whole name.
    Exact,
    /// Queues: the whole name, with a leading and/or trailing `*` standing for anything.
    Wildcards,
    /// Routing skills: names that start with the value.
    StartsWith,
}

impl NameFilter {
    /// Case counts: Genesys may ignore it, but a client that relies on that is caught here
    /// (stricter than the real service).
    fn matches(self, pattern: &str, name: &str) -> bool {
        match self {
            NameFilter::Exact => name == pattern,
            NameFilter::StartsWith => name.starts_with(pattern),
            NameFilter::Wildcards => {
                let leading = pattern.starts_with('*');
                let core = pattern.trim_start_matches('*');
                let trailing = core.ends_with('*');
                let core = core.trim_end_matches('*');
                match (leading, trailing) {
                    (true, true) => name.contains(core),
                    (true, false) => name.ends_with(core),
                    (false, true) => name.starts_with(core),
                    (false, false) => name == core,
                }
            }
        }
    }
}

/// One entry of a directory listing: what filters look at, and its JSON.
struct Entry<'a> {
    id: &'a str,
    name: &'a str,
    division_id: Option<&'a str>,
    json: Value,
}

/// A paged listing of roles, queues, skills or locations, sorted by name, with the `name`, `id`
/// and (for queues) `divisionId` filters.
fn directory_listing(
    exchange: &Exchange,
    call: &Call,
    base: &str,
    filter: Option<NameFilter>,
    mut entries: Vec<Entry>,
) -> Reply {
    let (size, number) = match page_params(exchange, call, 25, 100) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let name = call.query_one("name").filter(|n| !n.is_empty());
    let ids = call.query_all("id");
    let division_ids = call.query_all("divisionId");
    entries.sort_by(|a, b| (a.name.to_lowercase(), a.id).cmp(&(b.name.to_lowercase(), b.id)));
    let matching: Vec<Entry> = entries
        .into_iter()
        .filter(|e| match (filter, name) {
            (Some(filter), Some(name)) => filter.matches(name, e.name),
            _ => true,
        })
        .filter(|e| ids.is_empty() || ids.iter().any(|id| id == e.id))
        .filter(|e| {
            division_ids.is_empty()
                || e.division_id
                    .is_some_and(|d| division_ids.iter().any(|id| id == d))
        })
        .collect();
    let total = matching.len();
    let page = matching
        .into_iter()
        .skip(((number - 1) * size) as usize)
        .take(size as usize)
        .map(|e| e.json)
        .collect();
    exchange.json(StatusCode::OK, &listing(page, total, size, number, base))
}

fn list_roles(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let org = shared.org.lock().expect("org");
    let entries = org
        .roles
        .iter()
        .map(|r| Entry {
            id: &r.id,
            name: &r.name,
            division_id: None,
            json: Org::role_json(r),
        })
        .collect();
    directory_listing(
        exchange,
        call,
        "/api/v2/authorization/roles",
        Some(NameFilter::Exact),
        entries,
    )
}

fn list_queues(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let org = shared.org.lock().expect("org");
    let entries = org
        .queues
        .iter()
        .map(|q| Entry {
            id: &q.id,
            name: &q.name,
            division_id: Some(&q.division_id),
            json: org.queue_json(q),
        })
        .collect();
    directory_listing(
        exchange,
        call,
        "/api/v2/routing/queues",
        Some(NameFilter::Wildcards),
        entries,
    )
}

fn list_skills(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let org = shared.org.lock().expect("org");
    let entries = org
        .skills
        .iter()
        .map(|s| Entry {
            id: &s.id,
            name: &s.name,
            division_id: None,
            json: Org::skill_json(s),
        })
        .collect();
    directory_listing(
        exchange,
        call,
        "/api/v2/routing/skills",
        Some(NameFilter::StartsWith),
        entries,
    )
}

fn list_locations(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let org = shared.org.lock().expect("org");
    let entries = org
        .locations
        .iter()
        .map(|l| Entry {
            id: &l.id,
            name: &l.name,
            division_id: None,
            json: Org::location_json(l),
        })
        .collect();
    // `GET /api/v2/locations` has no name filter: by name is `POST /api/v2/locations/search`.
    directory_listing(exchange, call, "/api/v2/locations", None, entries)
}

/// `POST /api/v2/authorization/subjects/{id}/bulkadd`: grants the user lacks are added; the
/// others are left as they are.
fn grant_roles(shared: &Shared, exchange: &Exchange, call: &Call, id: &str, body: &Value) -> Reply {
    match call.query_one("subjectType") {
        None | Some("PC_USER") => {}
        // The sandbox's only subjects are users.
        Some("PC_GROUP") | Some("PC_OAUTH_CLIENT") => return exchange.not_found(),
        Some(other) => {
            return exchange.invalid_value(
                "subjectType",
                &format!("subjectType {other} is not one of PC_USER, PC_GROUP, PC_OAUTH_CLIENT"),
            )
        }
    }
    let Some(items) = body.get("grants").and_then(Value::as_array) else {
        return exchange.invalid_value("grants", "grants must be a list of roleId and divisionId.");
    };
    if items.is_empty() {
        return exchange.invalid_value("grants", "grants must not be empty.");
    }
    let mut grants = Vec::with_capacity(items.len());
    for item in items {
        let field = |name: &str| {
            item.get(name)
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
        };
        match (field("roleId"), field("divisionId")) {
            (Some(role_id), Some(division_id)) => grants.push(SandboxGrant {
                role_id: role_id.to_owned(),
                division_id: division_id.to_owned(),
            }),
            _ => {
                return exchange
                    .invalid_value("grants", "Each grant needs a roleId and a divisionId.")
            }
        }
    }
    let not_found_first = shared
        .knobs
        .lock()
        .expect("knobs")
        .faults
        .bulkadd_not_found_first;
    let mut org = shared.org.lock().expect("org");
    let Some(index) = org.live_user_index(id) else {
        return exchange.not_found();
    };
    if org.early_call(id, UserCall::Bulkadd, not_found_first) {
        // Genesys's authorization service may not know a user created seconds ago (API.md,
        // correction 8).
        return exchange.not_found();
    }
    // Genesys's answer to an unknown role or division is not documented; refusing the whole
    // call is the stricter choice.
    for grant in &grants {
        if !org.roles.iter().any(|r| r.id == grant.role_id) {
            return exchange.invalid_value(
                "roleId",
                &format!("The role {} does not exist.", grant.role_id),
            );
        }
        if grant.division_id != "*" && org.division(&grant.division_id).is_none() {
            return exchange.invalid_value(
                "divisionId",
                &format!("The division {} does not exist.", grant.division_id),
            );
        }
    }
    let user = &mut org.users[index];
    for grant in grants {
        if !user.grants.contains(&grant) {
            user.grants.push(grant);
        }
    }
    org.dirty = true;
    exchange.empty(StatusCode::NO_CONTENT)
}

/// `GET /api/v2/authorization/subjects/{id}` (`AuthzSubject`).
fn user_grants(shared: &Shared, exchange: &Exchange, id: &str) -> Reply {
    let org = shared.org.lock().expect("org");
    let Some(index) = org.live_user_index(id) else {
        return exchange.not_found();
    };
    let user = &org.users[index];
    let grants: Vec<Value> = user
        .grants
        .iter()
        .map(|grant| {
            let role = org.roles.iter().find(|r| r.id == grant.role_id);
            let division_name = if grant.division_id == "*" {
                "All divisions"
            } else {
                org.division(&grant.division_id)
                    .map(|d| d.name.as_str())
                    .unwrap_or("")
            };
            json!({
                "subjectId": user.id,
                "role": {
                    "id": grant.role_id,
                    "name": role.map(|r| r.name.as_str()).unwrap_or(""),
                    "description": role.and_then(|r| r.description.clone()).unwrap_or_default(),
                    "default": false,
                    "selfUri": format!("/api/v2/authorization/roles/{}", grant.role_id),
                },
                "division": {
                    "id": grant.division_id,
                    "name": division_name,
                    "selfUri": format!("/api/v2/authorization/divisions/{}", grant.division_id),
                },
            })
        })
        .collect();
    exchange.json(
        StatusCode::OK,
        &json!({
            "id": user.id,
            "name": user.name,
            "grants": grants,
            "version": 1,
            "selfUri": format!("/api/v2/authorization/subjects/{}", user.id),
        }),
    )
}

/// The most skills one `routingskills/bulk` call takes.
const MAX_SKILLS_PER_CALL: usize = 50;
/// The most members one queue-members call takes.
const MAX_MEMBERS_PER_CALL: usize = 100;

/// `PATCH /api/v2/users/{id}/routingskills/bulk`: the skills given are set, the user's other
/// skills are kept; answers all the user's skills.
fn add_user_skills(shared: &Shared, exchange: &Exchange, id: &str, body: &Value) -> Reply {
    let Some(items) = body.as_array() else {
        return exchange.bad_request("The body must be a list of skills with id and proficiency.");
    };
    if items.is_empty() || items.len() > MAX_SKILLS_PER_CALL {
        return exchange.bad_request(&format!(
            "A call takes from 1 to {MAX_SKILLS_PER_CALL} skills; {} were sent.",
            items.len()
        ));
    }
    let mut wanted: Vec<SandboxUserSkill> = Vec::with_capacity(items.len());
    for item in items {
        let Some(skill_id) = item
            .get("id")
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
        else {
            return exchange.invalid_value("id", "Each skill needs an id.");
        };
        let Some(proficiency) = item.get("proficiency").and_then(Value::as_f64) else {
            return exchange.invalid_value(
                "proficiency",
                &format!("The skill {skill_id} needs a proficiency from 0 to 5."),
            );
        };
        if !(0.0..=5.0).contains(&proficiency) {
            return exchange.invalid_value(
                "proficiency",
                &format!("Proficiency {proficiency} is not from 0 to 5."),
            );
        }
        if wanted.iter().any(|w| w.skill_id == skill_id) {
            return exchange.invalid_value(
                "id",
                &format!("The skill {skill_id} is listed more than once."),
            );
        }
        wanted.push(SandboxUserSkill {
            skill_id: skill_id.to_owned(),
            proficiency,
        });
    }
    let stale_first = shared
        .knobs
        .lock()
        .expect("knobs")
        .faults
        .stale_version_first;
    let mut org = shared.org.lock().expect("org");
    let Some(index) = org.live_user_index(id) else {
        return exchange.not_found();
    };
    if org.early_call(id, UserCall::PatchSkills, stale_first) {
        // Another admin just edited the user: this call meets a stale version.
        org.users[index].version += 1;
        org.dirty = true;
        return exchange.stale_version(shared.config.variants.stale_version_status);
    }
    if let Some(unknown) = wanted
        .iter()
        .find(|w| !org.skills.iter().any(|s| s.id == w.skill_id))
    {
        return exchange.invalid_value(
            "id",
            &format!("The routing skill {} does not exist.", unknown.skill_id),
        );
    }
    let user = &mut org.users[index];
    for skill in wanted {
        match user
            .skills
            .iter_mut()
            .find(|s| s.skill_id == skill.skill_id)
        {
            Some(existing) => existing.proficiency = skill.proficiency,
            None => user.skills.push(skill),
        }
    }
    org.dirty = true;
    let skills = user_skill_entries(&org, &org.users[index]);
    let total = skills.len();
    exchange.json(
        StatusCode::OK,
        &listing(
            skills,
            total,
            total.max(1) as u32,
            1,
            &format!("/api/v2/users/{id}/routingskills"),
        ),
    )
}

/// A user's skills as `UserRoutingSkill`s, sorted by name.
fn user_skill_entries(org: &Org, user: &SandboxUser) -> Vec<Value> {
    let mut skills: Vec<(&str, Value)> = user
        .skills
        .iter()
        .map(|skill| {
            let name = org
                .skills
                .iter()
                .find(|s| s.id == skill.skill_id)
                .map(|s| s.name.as_str())
                .unwrap_or("");
            let json = json!({
                "id": skill.skill_id,
                "name": name,
                "proficiency": skill.proficiency,
                "state": "active",
                "skillUri": format!("/api/v2/routing/skills/{}", skill.skill_id),
                "selfUri": format!("/api/v2/users/{}/routingskills/{}", user.id, skill.skill_id),
            });
            (name, json)
        })
        .collect();
    skills.sort_by_key(|(name, _)| name.to_lowercase());
    skills.into_iter().map(|(_, json)| json).collect()
}

/// `GET /api/v2/users/{id}/routingskills`.
fn user_skills(shared: &Shared, exchange: &Exchange, call: &Call, id: &str) -> Reply {
    let (size, number) = match page_params(exchange, call, 25, 100) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let org = shared.org.lock().expect("org");
    let Some(index) = org.live_user_index(id) else {
        return exchange.not_found();
    };
    let skills = user_skill_entries(&org, &org.users[index]);
    let total = skills.len();
    let page = skills
        .into_iter()
        .skip(((number - 1) * size) as usize)
        .take(size as usize)
        .collect();
    exchange.json(
        StatusCode::OK,
        &listing(
            page,
            total,
            size,
            number,
            &format!("/api/v2/users/{id}/routingskills"),
        ),
    )
}

/// `GET /api/v2/users/{id}/queues`: the queues the user is a member of (members are joined).
fn user_queues(shared: &Shared, exchange: &Exchange, call: &Call, id: &str) -> Reply {
    let (size, number) = match page_params(exchange, call, 25, 100) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let joined = match call.query_one("joined") {
        None | Some("true") => true,
        Some("false") => false,
        Some(other) => {
            return exchange
                .invalid_value("joined", &format!("joined {other} is not true or false"))
        }
    };
    let division_ids = call.query_all("divisionId");
    let org = shared.org.lock().expect("org");
    if org.live_user_index(id).is_none() {
        return exchange.not_found();
    }
    let mut queues: Vec<_> = org
        .queues
        .iter()
        .filter(|q| joined && q.member_ids.iter().any(|m| m == id))
        .filter(|q| division_ids.is_empty() || division_ids.contains(&q.division_id))
        .collect();
    queues.sort_by_key(|q| q.name.to_lowercase());
    let total = queues.len();
    let page = queues
        .into_iter()
        .skip(((number - 1) * size) as usize)
        .take(size as usize)
        .map(|q| {
            let mut json = org.queue_json(q);
            json["joined"] = json!(true);
            json
        })
        .collect();
    exchange.json(
        StatusCode::OK,
        &listing(
            page,
            total,
            size,
            number,
            &format!("/api/v2/users/{id}/queues"),
        ),
    )
}

/// `POST /api/v2/routing/queues/{id}/members` (`?delete=true` removes). Adding a member again
/// or removing a non-member changes nothing.
fn add_queue_members(
    shared: &Shared,
    exchange: &Exchange,
    call: &Call,
    queue_id: &str,
    body: &Value,
) -> Reply {
    let delete = match call.query_one("delete") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return exchange
                .invalid_value("delete", &format!("delete {other} is not true or false"))
        }
    };
    let Some(items) = body.as_array() else {
        return exchange.bad_request("The body must be a list of members, each with an id.");
    };
    if items.is_empty() || items.len() > MAX_MEMBERS_PER_CALL {
        return exchange.bad_request(&format!(
            "Invalid request data.  Make sure you submit a valid number of queue members \
             (from 1 to {MAX_MEMBERS_PER_CALL}; {} were sent).",
            items.len()
        ));
    }
    let mut user_ids: Vec<&str> = Vec::with_capacity(items.len());
    for item in items {
        match item
            .get("id")
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
        {
            Some(id) => user_ids.push(id),
            None => return exchange.invalid_value("id", "Each member needs an id."),
        }
    }
    let mut org = shared.org.lock().expect("org");
    let Some(queue_index) = org.queues.iter().position(|q| q.id == queue_id) else {
        return exchange.not_found();
    };
    if let Some(unknown) = user_ids.iter().find(|id| org.live_user_index(id).is_none()) {
        return exchange.invalid_value("id", &format!("The user {unknown} does not exist."));
    }
    let queue = &mut org.queues[queue_index];
    for user_id in user_ids {
        let position = queue.member_ids.iter().position(|m| m == user_id);
        match (delete, position) {
            (false, None) => queue.member_ids.push(user_id.to_owned()),
            (true, Some(at)) => {
                queue.member_ids.remove(at);
            }
            _ => {}
        }
    }
    org.dirty = true;
    exchange.empty(StatusCode::NO_CONTENT)
}

/// The location ids of a `PATCH` user's `locations`: each entry names its location by `id` or
/// by `locationDefinition.id` (both, when they agree).
fn parse_locations(value: &Value) -> Result<Vec<String>, String> {
    let Some(items) = value.as_array() else {
        return Err("locations must be a list".to_owned());
    };
    let mut ids: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let Some(item) = item.as_object() else {
            return Err("each location must be an object".to_owned());
        };
        let direct = item.get("id").and_then(Value::as_str);
        let definition = item
            .get("locationDefinition")
            .and_then(|d| d.get("id"))
            .and_then(Value::as_str);
        let id = match (direct, definition) {
            (Some(a), Some(b)) if a != b => {
                return Err(format!(
                    "location id {a} and locationDefinition id {b} differ"
                ))
            }
            (Some(id), _) | (None, Some(id)) if !id.is_empty() => id,
            _ => return Err("each location needs an id or a locationDefinition id".to_owned()),
        };
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_owned());
        }
    }
    Ok(ids)
}

fn bearer(headers: &hyper::HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

fn basic_auth(headers: &hyper::HeaderMap) -> Option<(String, String)> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

fn parse_query(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

async fn sleep_latency(shared: &Shared, latency: Latency) {
    if latency.base.is_zero() && latency.jitter.is_zero() {
        return;
    }
    let jitter = latency.jitter.as_secs_f64();
    let offset = if jitter > 0.0 {
        shared
            .rng
            .lock()
            .expect("rng")
            .random_range(-jitter..=jitter)
    } else {
        0.0
    };
    let wait = (latency.base.as_secs_f64() + offset).max(0.0);
    tokio::time::sleep(Duration::from_secs_f64(wait)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_and_email_rules() {
        assert!(is_e164("+14155550100"));
        assert!(!is_e164("4155550100"));
        assert!(!is_e164("+1 415 555"));
        assert!(plausible_email("a.b@example.co.uk"));
        assert!(!plausible_email("a..b@example.com"));
        assert!(!plausible_email("ab@localhost"));
        assert!(!plausible_email("a b@example.com"));
    }
}
