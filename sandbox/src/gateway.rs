//! The sandbox's front door, as Genesys's API gateway: it refuses requests that are not for
//! it, applies the latency, authenticates the bearer token, counts the request against the
//! token's rate limit and injects the configured faults before a route runs.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HOST, ORIGIN};
use hyper::{Method, Request, StatusCode};
use rand::Rng;
use serde_json::json;

use crate::config::{Faults, Latency};
use crate::http::{bearer, parse_query, Call, DropConnection, Exchange, Reply};
use crate::oauth;
use crate::routes::{route_call, Route};
use crate::shared::Shared;

/// The largest request body the sandbox reads.
const MAX_BODY: usize = 1 << 20;

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
            Method::POST => oauth::token(&shared, &exchange, &parts.headers, &body),
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

/// An API call: authenticated and counted against its token's limit, as Genesys's gateway
/// does first, then refused by an injected fault or handed to its route.
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
            let _ = route_call(
                &shared,
                &exchange,
                &client_id,
                route,
                id,
                &call,
                &Faults::default(),
            );
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
    route_call(&shared, &exchange, &client_id, route, id, &call, &faults)
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
