//! `POST /oauth/token` (client credentials), and the org's limits a token may read.

use base64::Engine;
use bytes::Bytes;
use hyper::header::CONTENT_TYPE;
use hyper::StatusCode;
use rand::Rng;
use serde_json::json;

use crate::http::{basic_auth, parse_query, Exchange, Reply};
use crate::org::TokenInfo;
use crate::shared::Shared;

/// `POST /oauth/token`: a bearer token for a configured client with the client credentials
/// grant, its secret sent as Basic auth or in the form.
pub(crate) fn token(
    shared: &Shared,
    exchange: &Exchange,
    headers: &hyper::HeaderMap,
    body: &Bytes,
) -> Reply {
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

/// `GET /api/v2/organizations/limits/namespaces/{namespace}`. By default 403, as for a client
/// that may not read the org's limits; with `Variants::org_limits_readable`, the `platform.api`
/// namespace in the SDK's response model: `LimitsEntityListing {entities: [Limit {key,
/// namespace, value}]}` (platform-client-sdk-python `build/docs/OrganizationApi.md`,
/// `get_organizations_limits_namespace`, and `LimitsEntityListing.md`, `Limit.md`), holding
/// `client.credentials.token.rate.per.minute`: the sandbox's per-token limit, per minute.
pub(crate) fn org_limits(shared: &Shared, exchange: &Exchange, namespace: &str) -> Reply {
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
