//! What can go wrong talking to Genesys Cloud, kept with everything an admin (and Genesys
//! support) needs: the HTTP status, Genesys's `code` and message, and the correlation id.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Result of a Genesys call.
pub type Result<T, E = GenesysError> = std::result::Result<T, E>;

/// Genesys's `ErrorBody`, as the API sends it (every field optional: gateways send less).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorBody {
    pub message: Option<String>,
    pub code: Option<String>,
    pub status: Option<u16>,
    pub entity_id: Option<String>,
    pub entity_name: Option<String>,
    pub message_with_params: Option<String>,
    pub message_params: Option<BTreeMap<String, String>>,
    pub context_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorBody>,
}

/// One entry of `ErrorBody.details`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorDetail {
    pub error_code: Option<String>,
    pub field_name: Option<String>,
    pub entity_id: Option<String>,
    pub entity_name: Option<String>,
}

/// A failure answered by the Genesys API (`/api/v2/…`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Genesys's error code (`general.conflict`, `missing.permissions`, …), when it sent one.
    pub code: Option<String>,
    /// Genesys's message, or a description of the status when the body had none.
    pub message: String,
    pub message_with_params: Option<String>,
    pub details: Vec<ErrorDetail>,
    /// The correlation id (`inin-correlation-id`, echoed as `contextId`) to quote to Genesys
    /// support.
    pub correlation_id: Option<String>,
    /// `Retry-After`, on a 429.
    #[serde(skip)]
    pub retry_after: Option<Duration>,
    /// The whole body, as parsed.
    #[serde(skip)]
    pub body: ErrorBody,
}

impl ApiError {
    /// Whether Genesys reported the e-mail as taken (`general.conflict`; the status for an active
    /// duplicate is 409 or 400 depending on the service, so only the code is trusted).
    pub fn is_conflict(&self) -> bool {
        self.code.as_deref() == Some("general.conflict")
    }

    /// The permissions Genesys says are missing, on a 403.
    pub fn missing_permissions(&self) -> Vec<String> {
        if let Some(params) = &self.body.message_params {
            if let Some(list) = params.get("permissions") {
                return split_permissions(list);
            }
        }
        if let Some(start) = self.message.find('[') {
            if let Some(end) = self.message[start..].find(']') {
                return split_permissions(&self.message[start + 1..start + end]);
            }
        }
        Vec::new()
    }

    fn describe(&self) -> String {
        let code = self.code.as_deref().unwrap_or("");
        let mut text = match (self.status, code) {
            (403, _) if !self.missing_permissions().is_empty() => format!(
                "The OAuth client is missing the permission {}. Give the client a role that \
                 has it (Admin > Roles / Permissions, then Admin > OAuth > Roles) and try again.",
                self.missing_permissions().join(", ")
            ),
            (403, _) => format!(
                "Genesys refused the request: {} Check the roles and divisions granted to the \
                 OAuth client.",
                self.message
            ),
            (401, _) => format!(
                "Genesys did not accept the access token ({}). Check the client id and secret.",
                self.message
            ),
            (429, _) => {
                let wait = self
                    .retry_after
                    .map(|d| format!(" Genesys asked to wait {} s.", d.as_secs()))
                    .unwrap_or_default();
                format!("Rate limit reached: {}{wait}", self.message)
            }
            (404, _) => format!("Not found: {}", self.message),
            (s, _) if s >= 500 => format!(
                "Genesys Cloud had a problem ({s} {code}): {} This is usually temporary; try \
                 again in a minute.",
                self.message
            ),
            _ if !code.is_empty() => format!("{} ({code})", self.message),
            _ => self.message.clone(),
        };
        if let Some(id) = &self.correlation_id {
            text.push_str(&format!(" [correlation id {id}]"));
        }
        text
    }
}

fn split_permissions(list: &str) -> Vec<String> {
    list.split([',', ' '])
        .map(|p| p.trim().trim_matches(|c| c == '[' || c == ']' || c == '"'))
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An OAuth-shaped failure from `/oauth/token`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthError {
    pub status: u16,
    /// The OAuth `error` (`invalid_client`, `unauthorized_client`, …).
    pub error: String,
    /// `description` / `error_description`.
    pub description: String,
    /// Where the token was asked for (region name or URL), for the message.
    pub endpoint: String,
    pub correlation_id: Option<String>,
}

impl OAuthError {
    fn describe(&self) -> String {
        let mut text = match self.error.as_str() {
            "invalid_client" => format!(
                "Genesys rejected the OAuth client ({}): wrong client id/secret, or this client \
                 lives in another region — a client is only valid in its home region, and you \
                 chose {}.",
                self.description, self.endpoint
            ),
            "unauthorized_client" => format!(
                "This OAuth client may not use the Client Credentials grant ({}). In Genesys \
                 Cloud, create an OAuth client with the grant type \"Client Credentials\".",
                self.description
            ),
            "invalid_request" if self.description.contains("rate limit") => format!(
                "Genesys's login service is throttling token requests ({}). Wait a minute and \
                 try again.",
                self.description
            ),
            _ => format!(
                "Genesys refused the login ({} {}: {}).",
                self.status, self.error, self.description
            ),
        };
        if let Some(id) = &self.correlation_id {
            text.push_str(&format!(" [correlation id {id}]"));
        }
        text
    }
}

/// Everything a Genesys call can fail with.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum GenesysError {
    /// The API answered with an error status.
    #[error("{}", .0.describe())]
    Api(Box<ApiError>),
    /// The token endpoint refused the client credentials.
    #[error("{}", .0.describe())]
    Auth(OAuthError),
    /// No connection could be made (DNS, refused, TLS). Nothing was sent.
    #[error("Could not connect to {host}: {reason}. Check the region and your network or proxy.")]
    Unreachable { host: String, reason: String },
    /// A call that is safe to repeat timed out on every attempt.
    #[error("Genesys did not answer {what} in time ({reason}).")]
    Timeout { what: String, reason: String },
    /// A write was sent but its answer was lost (dropped connection, timeout, or a gateway
    /// error that may have passed it on). It may or may not have happened: look before
    /// sending it again.
    #[error("The answer to {what} was lost ({reason}); it may or may not have been applied.")]
    OutcomeUnknown {
        what: String,
        reason: String,
        correlation_id: Option<String>,
    },
    /// The endpoint (region or custom URL) is not acceptable.
    #[error("{0}")]
    InvalidEndpoint(String),
    /// Rollcall refused to send a call whose input Genesys would reject (more items than one
    /// call takes, …). Nothing was sent.
    #[error("Rollcall did not send {what}: {reason}")]
    InvalidInput { what: String, reason: String },
    /// Genesys answered something Rollcall could not read.
    #[error("Unexpected answer from Genesys ({status}) to {what}: {reason}")]
    UnexpectedResponse {
        what: String,
        status: u16,
        reason: String,
        correlation_id: Option<String>,
    },
    /// The retry budget ran out on a retryable failure; `last` is what the final attempt got.
    #[error("Gave up after {attempts} attempts over {} s: {last}", .elapsed.as_secs())]
    GaveUp {
        attempts: u32,
        elapsed: Duration,
        last: Box<GenesysError>,
    },
}

impl From<ApiError> for GenesysError {
    fn from(error: ApiError) -> Self {
        GenesysError::Api(Box::new(error))
    }
}

impl GenesysError {
    /// The API error, when Genesys answered one (looking through [`GenesysError::GaveUp`]).
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            GenesysError::Api(e) => Some(e),
            GenesysError::GaveUp { last, .. } => last.api(),
            _ => None,
        }
    }

    /// The HTTP status, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            GenesysError::Api(e) => Some(e.status),
            GenesysError::Auth(e) => Some(e.status),
            GenesysError::UnexpectedResponse { status, .. } => Some(*status),
            GenesysError::GaveUp { last, .. } => last.status(),
            _ => None,
        }
    }

    /// Genesys's error code (`general.conflict`) or OAuth error (`invalid_client`).
    pub fn code(&self) -> Option<&str> {
        match self {
            GenesysError::Api(e) => e.code.as_deref(),
            GenesysError::Auth(e) => Some(&e.error),
            GenesysError::GaveUp { last, .. } => last.code(),
            _ => None,
        }
    }

    /// The correlation id to quote to Genesys support.
    pub fn correlation_id(&self) -> Option<&str> {
        match self {
            GenesysError::Api(e) => e.correlation_id.as_deref(),
            GenesysError::Auth(e) => e.correlation_id.as_deref(),
            GenesysError::OutcomeUnknown { correlation_id, .. }
            | GenesysError::UnexpectedResponse { correlation_id, .. } => correlation_id.as_deref(),
            GenesysError::GaveUp { last, .. } => last.correlation_id(),
            _ => None,
        }
    }

    /// Whether the e-mail is already taken (`general.conflict`).
    pub fn is_conflict(&self) -> bool {
        self.api().is_some_and(ApiError::is_conflict)
    }

    /// Whether a `PATCH` met a stale `version`: 409, or 400 with "does not match the current
    /// version" (Genesys's directory answers either). The write is sent again with the version
    /// read afresh, as Genesys's Terraform provider does (`util.IsVersionMismatch`).
    pub fn is_version_mismatch(&self) -> bool {
        match self {
            GenesysError::Api(e) => {
                e.status == 409
                    || e.status == 400 && e.message.contains("does not match the current version")
            }
            _ => false,
        }
    }

    /// Whether a write's outcome is unknown and must be settled by looking it up.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, GenesysError::OutcomeUnknown { .. })
    }

    /// Whether this is about credentials or permissions — retrying other rows will not help.
    pub fn is_auth_or_permission(&self) -> bool {
        matches!(self, GenesysError::Auth(_))
            || matches!(self.status(), Some(401) | Some(403))
                && !matches!(self, GenesysError::GaveUp { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str, message: &str) -> ApiError {
        ApiError {
            status,
            code: Some(code.to_owned()),
            message: message.to_owned(),
            message_with_params: None,
            details: vec![],
            correlation_id: Some("corr-123".to_owned()),
            retry_after: None,
            body: ErrorBody::default(),
        }
    }

    #[test]
    fn missing_permission_is_named_with_what_to_do_and_the_correlation_id() {
        let err = GenesysError::from(api(
            403,
            "missing.permissions",
            "Unable to perform the requested action. You are missing the following permission(s): [directory:user:add]",
        ));
        let text = err.to_string();
        assert!(
            text.contains("missing the permission directory:user:add"),
            "{text}"
        );
        assert!(text.contains("corr-123"), "{text}");
    }

    #[test]
    fn invalid_client_mentions_the_home_region() {
        let err = GenesysError::Auth(OAuthError {
            status: 400,
            error: "invalid_client".into(),
            description: "authentication failed".into(),
            endpoint: "EMEA (Dublin) (eu-west-1)".into(),
            correlation_id: None,
        });
        let text = err.to_string();
        assert!(text.contains("wrong client id/secret"), "{text}");
        assert!(text.contains("only valid in its home region"), "{text}");
        assert!(text.contains("eu-west-1"), "{text}");
    }

    #[test]
    fn a_stale_version_is_409_or_400_with_genesys_words() {
        let stale = "The version supplied does not match the current version of the user.";
        assert!(GenesysError::from(api(409, "general.conflict", stale)).is_version_mismatch());
        assert!(GenesysError::from(api(400, "bad.request", stale)).is_version_mismatch());
        assert!(
            !GenesysError::from(api(400, "invalid.value", "version is required"))
                .is_version_mismatch()
        );
        assert!(!GenesysError::from(api(404, "not.found", stale)).is_version_mismatch());
    }

    #[test]
    fn conflict_is_recognised_by_code_whatever_the_status() {
        assert!(GenesysError::from(api(409, "general.conflict", "taken")).is_conflict());
        assert!(GenesysError::from(api(400, "general.conflict", "taken")).is_conflict());
        assert!(!GenesysError::from(api(400, "bad.request", "nope")).is_conflict());
    }
}
