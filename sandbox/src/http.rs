//! The HTTP side of one request: the answer being built ([`Exchange`]) with Genesys's error
//! bodies and correlation id, the request as the routes read it ([`Call`]), the paged listings
//! every collection answers with, and the parsing of the `Authorization` header.

// An early answer (an error response) travels as the `Err` of small helpers; boxing every
// response to please the size lint would only add allocations.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;

use base64::Engine;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Response, StatusCode};
use serde_json::{json, Map, Value};

/// Returned by the service to make hyper close the connection without an answer.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose (fault injection)")
    }
}

impl std::error::Error for DropConnection {}

pub(crate) type Reply = Response<Full<Bytes>>;

/// The answer being built for one request, with its correlation id. Genesys sends no
/// `inin-ratelimit-*` headers since 2021 (API.md, correction 1), so neither does the sandbox.
pub(crate) struct Exchange {
    pub(crate) correlation_id: String,
}

impl Exchange {
    pub(crate) fn json(&self, status: StatusCode, body: &Value) -> Reply {
        let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
        *response.status_mut() = status;
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        self.decorate(response)
    }

    pub(crate) fn empty(&self, status: StatusCode) -> Reply {
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
    pub(crate) fn too_many_requests(&self, retry_after_secs: u64) -> Reply {
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
    pub(crate) fn stale_version(&self, status: u16) -> Reply {
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
    pub(crate) fn error(&self, status: StatusCode, code: &str, message: &str) -> Reply {
        self.error_with(status, code, message, None, &[])
    }

    pub(crate) fn error_with(
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

    pub(crate) fn bad_request(&self, message: &str) -> Reply {
        self.error(StatusCode::BAD_REQUEST, "bad.request", message)
    }

    pub(crate) fn invalid_value(&self, field: &str, message: &str) -> Reply {
        self.error_with(
            StatusCode::BAD_REQUEST,
            "invalid.value",
            message,
            None,
            &[field],
        )
    }

    pub(crate) fn not_found(&self) -> Reply {
        self.error(
            StatusCode::NOT_FOUND,
            "not.found",
            "The requested resource was not found.",
        )
    }

    pub(crate) fn oauth_error(&self, status: StatusCode, error: &str, description: &str) -> Reply {
        self.json(
            status,
            &json!({ "error": error, "description": description, "error_description": description }),
        )
    }
}

/// An API request as the routes read it: its body already read, its query decoded.
pub(crate) struct Call {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: hyper::HeaderMap,
    pub(crate) body: Bytes,
}

impl Call {
    pub(crate) fn query_one(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn query_all(&self, name: &str) -> Vec<String> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(',').map(str::to_owned))
            .collect()
    }

    pub(crate) fn is_json(&self) -> bool {
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

/// An error answer decided before the exchange that sends it is at hand.
pub(crate) type ErrorReply = Box<dyn FnOnce(&Exchange) -> Reply>;

/// A body field that must be a string when present; absent and `null` are `None`.
pub(crate) fn string_field<'a>(
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

/// `pageSize` (at most `max_size`) and `pageNumber`, both from 1.
pub(crate) fn page_params(
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

/// One page (`pageSize` 25 by default, at most 100) of entities already filtered and sorted,
/// as a listing.
pub(crate) fn paged(exchange: &Exchange, call: &Call, base: &str, entities: Vec<Value>) -> Reply {
    let (size, number) = match page_params(exchange, call, 25, 100) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let total = entities.len();
    let page = entities
        .into_iter()
        .skip(((number - 1) * size) as usize)
        .take(size as usize)
        .collect();
    exchange.json(StatusCode::OK, &listing(page, total, size, number, base))
}

/// One page of a search's answer (`POST /api/v2/{kind}/search`): the matches already filtered
/// and sorted, `pageSize` of them from `pageNumber`. Genesys leaves `results` out when nothing
/// matched.
pub(crate) fn search_page(
    exchange: &Exchange,
    kind: &str,
    matches: Vec<Value>,
    page_size: u64,
    page_number: u64,
) -> Reply {
    let total = matches.len() as u64;
    let results: Vec<Value> = matches
        .into_iter()
        .skip(((page_number - 1) * page_size) as usize)
        .take(page_size as usize)
        .collect();
    let mut answer = json!({
        "total": total,
        "pageCount": total.div_ceil(page_size),
        "pageSize": page_size,
        "pageNumber": page_number,
        "types": [kind],
    });
    if !results.is_empty() {
        answer["results"] = json!(results);
    }
    exchange.json(StatusCode::OK, &answer)
}

/// A path segment with its `%XX` escapes decoded (external keys may hold any character).
pub(crate) fn decode_segment(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// One page of a collection, with Genesys's paging fields and links.
pub(crate) fn listing(
    entities: Vec<Value>,
    total: usize,
    size: u32,
    number: u32,
    base: &str,
) -> Value {
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

/// The token of an `Authorization: Bearer …` header.
pub(crate) fn bearer(headers: &hyper::HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The client id and secret of an `Authorization: Basic …` header.
pub(crate) fn basic_auth(headers: &hyper::HeaderMap) -> Option<(String, String)> {
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

/// The pairs of a query string or a form body, decoded.
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::decode_segment;

    #[test]
    fn a_path_segment_is_decoded_escape_by_escape() {
        assert_eq!(decode_segment("E%207%2F1"), "E 7/1");
        assert_eq!(decode_segment("plain-key"), "plain-key");
        assert_eq!(decode_segment("100%"), "100%", "a bare % stays");
        assert_eq!(decode_segment("%C3%A9"), "é");
    }
}
