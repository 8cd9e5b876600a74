//! How a sandbox org is set up: its OAuth clients, limits, latency, faults and seed data
//! (divisions, roles, queues, routing skills, locations, users, and what a day-1 ready agent
//! needs: languages, groups, sites, phone base settings and external ids).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use rollcall_core::genesys::{CALL_ADD_PERMISSION as CALL_ADD, WEBRTC_META_BASE};
use rollcall_core::profiles::DEMO_CLIENT_ID;
use rollcall_core::secrets::Secret;

/// The demo client's secret. It is not a secret: the sandbox is local, and the app and the CLI
/// start theirs with a secret of their own (see [`crate::start_for_profile`]).
pub const DEMO_CLIENT_SECRET: &str = "rollcall-sandbox-secret";

/// Everything that shapes a sandbox org.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free one. Only loopback addresses are accepted.
    pub bind: SocketAddr,
    pub clients: Vec<SandboxClient>,
    /// `expires_in` of the tokens it issues.
    pub token_lifetime: Duration,
    pub rate_limit: RateLimitConfig,
    pub latency: Latency,
    pub faults: Faults,
    pub variants: Variants,
    pub seed: Seed,
    /// Keep the org (divisions and users) in this JSON file, so it survives a restart.
    pub state_file: Option<PathBuf>,
    /// Seed of the random numbers behind latency jitter and faults, for repeatable tests.
    pub rng_seed: Option<u64>,
}

impl Default for SandboxConfig {
    /// The demo org: one client with every permission, Genesys's real limits, no latency.
    fn default() -> Self {
        SandboxConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            clients: vec![SandboxClient::demo()],
            token_lifetime: Duration::from_secs(86_399),
            rate_limit: RateLimitConfig::default(),
            latency: Latency::default(),
            faults: Faults::default(),
            variants: Variants::default(),
            seed: Seed::demo(),
            state_file: None,
            rng_seed: None,
        }
    }
}

/// An OAuth client the sandbox accepts.
#[derive(Debug, Clone)]
pub struct SandboxClient {
    pub client_id: String,
    pub client_secret: Secret,
    /// Permissions its roles grant (`directory:user:add`, …); `*` grants all.
    pub permissions: Vec<String>,
    /// Whether the client may use the Client Credentials grant.
    pub client_credentials_grant: bool,
}

impl SandboxClient {
    /// The demo client: every permission.
    pub fn demo() -> Self {
        SandboxClient {
            client_id: DEMO_CLIENT_ID.to_owned(),
            client_secret: Secret::new(DEMO_CLIENT_SECRET),
            permissions: vec!["*".to_owned()],
            client_credentials_grant: true,
        }
    }

    /// A client with only these permissions.
    pub fn with_permissions(id: &str, secret: &str, permissions: &[&str]) -> Self {
        SandboxClient {
            client_id: id.to_owned(),
            client_secret: Secret::new(secret),
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
            client_credentials_grant: true,
        }
    }

    pub(crate) fn has_permission(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == "*" || p == permission)
    }
}

/// Requests allowed per token per window (Genesys: 300 per 60 s).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimitConfig {
    pub requests: u32,
    pub window: Duration,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            requests: 300,
            window: Duration::from_secs(60),
        }
    }
}

/// Time added to every answer: `base` ± up to `jitter`, uniformly.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Latency {
    pub base: Duration,
    pub jitter: Duration,
}

/// Failures the sandbox injects into API calls (shares from 0.0 to 1.0).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    pub bad_gateway: f64,
    pub service_unavailable: f64,
    pub gateway_timeout: f64,
    /// Share answered 429 with `Retry-After` whatever the token's count: the limits a client
    /// cannot foresee (org-wide and per-endpoint limits, other integrations on the same org).
    pub too_many_requests: f64,
    /// Seconds of `Retry-After` on those injected 429s.
    pub retry_after_secs: u64,
    /// Of the 502s and 504s, the share whose request still reached the service and was
    /// carried out — as happens behind a real gateway.
    pub gateway_passes_through: f64,
    /// Share of successful creates whose connection is dropped before the answer, after the
    /// user was created: the nastiest case for a tool that must not create twice.
    pub drop_after_create: f64,
    /// Revoke every token issued so far once this many API requests have been served.
    pub revoke_tokens_after: Option<u64>,
    /// The first N `bulkadd` calls for each user answer 404 not.found (auth cache lag).
    pub bulkadd_not_found_first: u32,
    /// The first N PATCHes of each user (`PATCH /users/{id}`, `PATCH …/routingskills/bulk`)
    /// meet a stale version: the sandbox bumps the user's version first, as if another admin
    /// had just edited them; answered with `Variants::stale_version_status`. Each of the two
    /// routes counts its own calls.
    pub stale_version_first: u32,
    /// Share of successful `POST /api/v2/telephony/providers/edges/phones` whose connection is
    /// dropped before the answer, after the phone was made: a run that creates again instead
    /// of looking first makes a second phone.
    pub drop_after_phone_create: f64,
    /// The first N `PUT /api/v2/users/{id}/station/defaultstation/{stationId}` of each user
    /// answer 400, as Genesys's telephony service does until a user's new roles reach it (the
    /// lag Genesys's Terraform provider retries through; its length is UNCONFIRMED).
    pub default_station_refused_first: u32,
    /// `POST /api/v2/users/{id}/password` refuses every password: 400 with a Genesys-like
    /// password-policy message; the user is untouched.
    pub refuse_passwords: bool,
    /// The first N requests to `/oauth/token` answer 400
    /// `{"error":"invalid_request","description":"rate limit exceeded; …"}`.
    pub token_throttled_first: u32,
}

/// Behaviours API.md marks UNCONFIRMED; each variant can be chosen, so the client is tested
/// against all of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Variants {
    /// Status of a duplicate e-mail of an active or inactive user: 409 (default) or 400.
    pub duplicate_email_status: u16,
    /// Status of `invalid_client` at `/oauth/token`: 400 (default) or 401.
    pub invalid_client_status: u16,
    /// A new user shows up in `POST /api/v2/users/search` only after this delay.
    pub search_lag: Duration,
    /// Status of a PATCH with a stale `version`: 409 (default) or 400 whose message contains
    /// "does not match the current version".
    pub stale_version_status: u16,
    /// Whether `GET /api/v2/organizations/limits/namespaces/platform.api` answers (with the
    /// sandbox's own `rate_limit.requests` as `client.credentials.token.rate.per.minute`).
    /// Default false: 403 missing.permissions, as for a client without the permission.
    pub org_limits_readable: bool,
    /// The read of `GET /api/v2/stations?webRtcUserId=` (counted from the phone's creation)
    /// on which a new WebRTC phone's station first shows; before it the listing is empty.
    /// Default 2: the first read after the create finds nothing, as Genesys's own tools expect.
    pub station_visible_on_read: u32,
    /// Whether `POST /api/v2/groups/{id}/members` takes a body without `version`
    /// (UNCONFIRMED). Default false: 400, a version is required.
    pub group_version_optional: bool,
    /// Whether adding a user who already is a direct member of a group is harmless
    /// (UNCONFIRMED). Default false: 400 naming the member.
    pub group_readd_harmless: bool,
    /// Whether `POST /api/v2/users/{id}/externalid` answers one `UserExternalIdentifier`, as
    /// Genesys's Terraform provider reads it, rather than the SDK's list (default).
    pub external_id_answer_object: bool,
    /// What `GET /api/v2/users/externalid/{authority}/{key}` answers for an id nobody has
    /// (UNCONFIRMED): 404 not.found (default), 200 with `{}`, or 204 with no body.
    pub external_id_miss_status: u16,
    /// Whether `GET /api/v2/users/{id}` carries `employerInfo` without `expand=employerInfo`
    /// (UNCONFIRMED). Default false: only with the expand.
    pub employer_info_without_expand: bool,
    /// Whether a PATCH's `employerInfo` keeps the fields it leaves out (UNCONFIRMED). Default
    /// false: the object replaces the user's whole employer info.
    pub employer_info_merges: bool,
    /// Whether `PATCH /api/v2/users/bulk` updates the known users of a list that names an
    /// unknown one (UNCONFIRMED). Default false: the whole call is refused with 400.
    pub bulk_patch_partial: bool,
}

impl Default for Variants {
    fn default() -> Self {
        Variants {
            duplicate_email_status: 409,
            invalid_client_status: 400,
            search_lag: Duration::ZERO,
            stale_version_status: 409,
            org_limits_readable: false,
            station_visible_on_read: 2,
            group_version_optional: false,
            group_readd_harmless: false,
            external_id_answer_object: false,
            external_id_miss_status: 404,
            employer_info_without_expand: false,
            employer_info_merges: false,
            bulk_patch_partial: false,
        }
    }
}

/// The org a sandbox starts with (when no state file exists yet).
#[derive(Debug, Clone, Default)]
pub struct Seed {
    /// Division names; the first is the home division.
    pub divisions: Vec<String>,
    pub roles: Vec<SeedRole>,
    pub queues: Vec<SeedQueue>,
    /// Routing skill names.
    pub skills: Vec<String>,
    /// Location names.
    pub locations: Vec<String>,
    pub users: Vec<SeedUser>,
    /// Routing language names.
    pub languages: Vec<String>,
    /// Group names.
    pub groups: Vec<String>,
    pub sites: Vec<SeedSite>,
    pub phone_base_settings: Vec<SeedPhoneBase>,
    /// External ids of seeded users.
    pub external_ids: Vec<SeedExternalId>,
}

/// A role that exists before any run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedRole {
    pub name: String,
    pub description: Option<String>,
    /// What the role grants (`conversation:call:add`, …), for the roles listing's
    /// `permission` filter.
    pub permissions: Vec<String>,
}

/// A telephony site that exists before any run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSite {
    pub name: String,
    pub managed: bool,
}

/// Phone base settings that exist before any run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedPhoneBase {
    pub name: String,
    /// `inin_webrtc_softphone.json` for WebRTC phones.
    pub meta_base: String,
}

/// An external id a seeded user holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedExternalId {
    /// The e-mail of a user of [`Seed::users`].
    pub email: String,
    pub authority_name: String,
    pub external_key: String,
}

/// A queue that exists before any run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedQueue {
    pub name: String,
    /// A division name from [`Seed::divisions`]; the home division when `None`.
    pub division: Option<String>,
}

/// A user that exists before any run.
#[derive(Debug, Clone)]
pub struct SeedUser {
    pub name: String,
    pub email: String,
    /// `active`, `inactive` or `deleted`.
    pub state: rollcall_core::genesys::UserState,
    /// A division name from [`Seed::divisions`]; the home division when `None`.
    pub division: Option<String>,
}

impl Seed {
    /// A small org that shows every case: divisions to map to, an active, an inactive and a
    /// soft-deleted user.
    pub fn demo() -> Self {
        use rollcall_core::genesys::UserState::*;
        let user = |name: &str, email: &str, state, division: Option<&str>| SeedUser {
            name: name.to_owned(),
            email: email.to_owned(),
            state,
            division: division.map(str::to_owned),
        };
        let role = |name: &str, description: &str, permissions: &[&str]| SeedRole {
            name: name.to_owned(),
            description: Some(description.to_owned()),
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
        };
        let queue = |name: &str, division: &str| SeedQueue {
            name: name.to_owned(),
            division: Some(division.to_owned()),
        };
        Seed {
            divisions: ["Home", "Sales", "Support", "Operations", "Finance"]
                .map(str::to_owned)
                .to_vec(),
            roles: vec![
                role("Employee", "Every person in the organization", &[]),
                role(
                    "Agent",
                    "Handles interactions from the queues they belong to",
                    &[CALL_ADD],
                ),
                role(
                    "Supervisor",
                    "Monitors queues and coaches agents",
                    &[CALL_ADD],
                ),
                role("Quality Evaluator", "Scores recorded interactions", &[]),
                role("Admin", "Full control of the organization", &[CALL_ADD]),
            ],
            queues: vec![
                queue("Sales", "Sales"),
                queue("Support", "Support"),
                queue("Billing", "Finance"),
                queue("Escalations", "Support"),
                queue("Spanish Support", "Support"),
            ],
            skills: ["English", "Spanish", "French", "Billing", "Technical"]
                .map(str::to_owned)
                .to_vec(),
            locations: ["Indianapolis HQ", "London Office", "Remote"]
                .map(str::to_owned)
                .to_vec(),
            users: vec![
                user("Avery Admin", "avery.admin@example.com", Active, None),
                user(
                    "Jordan Lee",
                    "jordan.lee@example.com",
                    Active,
                    Some("Sales"),
                ),
                user(
                    "Sam Patel",
                    "sam.patel@example.com",
                    Inactive,
                    Some("Support"),
                ),
                user(
                    "Riley Morgan",
                    "riley.morgan@example.com",
                    Deleted,
                    Some("Support"),
                ),
            ],
            languages: ["English", "Spanish", "French", "German"]
                .map(str::to_owned)
                .to_vec(),
            groups: ["Tier 1 Agents", "Night Shift", "Supervisors"]
                .map(str::to_owned)
                .to_vec(),
            sites: vec![
                SeedSite {
                    name: "PureCloud Voice - AWS".to_owned(),
                    managed: true,
                },
                SeedSite {
                    name: "Indianapolis".to_owned(),
                    managed: false,
                },
            ],
            phone_base_settings: vec![
                SeedPhoneBase {
                    name: "WebRTC Phones".to_owned(),
                    meta_base: WEBRTC_META_BASE.to_owned(),
                },
                SeedPhoneBase {
                    name: "Polycom VVX 300".to_owned(),
                    meta_base: "polycom_vvx_300.json".to_owned(),
                },
            ],
            external_ids: vec![SeedExternalId {
                email: "jordan.lee@example.com".to_owned(),
                authority_name: "Workday".to_owned(),
                external_key: "E1001".to_owned(),
            }],
        }
    }

    /// Only a home division: no roles, queues, skills, locations or users.
    pub fn empty() -> Self {
        Seed {
            divisions: vec!["Home".to_owned()],
            ..Seed::default()
        }
    }

    /// Add roles (without a description).
    pub fn with_roles<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.roles.extend(names.into_iter().map(|name| SeedRole {
            name: name.into(),
            description: None,
            permissions: vec![],
        }));
        self
    }

    /// Add a role that grants these permissions.
    pub fn with_role_granting(mut self, name: &str, permissions: &[&str]) -> Self {
        self.roles.push(SeedRole {
            name: name.to_owned(),
            description: None,
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
        });
        self
    }

    /// Add routing languages.
    pub fn with_languages<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.languages.extend(names.into_iter().map(Into::into));
        self
    }

    /// Add groups.
    pub fn with_groups<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.groups.extend(names.into_iter().map(Into::into));
        self
    }

    /// Add a telephony site.
    pub fn with_site(mut self, name: &str, managed: bool) -> Self {
        self.sites.push(SeedSite {
            name: name.to_owned(),
            managed,
        });
        self
    }

    /// Add phone base settings with this meta base ([`WEBRTC_META_BASE`] for WebRTC phones).
    pub fn with_phone_base_settings(mut self, name: &str, meta_base: &str) -> Self {
        self.phone_base_settings.push(SeedPhoneBase {
            name: name.to_owned(),
            meta_base: meta_base.to_owned(),
        });
        self
    }

    /// Leave the org with no phone base settings at all.
    pub fn without_phone_base_settings(mut self) -> Self {
        self.phone_base_settings.clear();
        self
    }

    /// Give the seeded user with this e-mail an external id.
    pub fn with_external_id(mut self, email: &str, authority_name: &str, key: &str) -> Self {
        self.external_ids.push(SeedExternalId {
            email: email.to_owned(),
            authority_name: authority_name.to_owned(),
            external_key: key.to_owned(),
        });
        self
    }

    /// Add queues in the home division.
    pub fn with_queues<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.queues.extend(names.into_iter().map(|name| SeedQueue {
            name: name.into(),
            division: None,
        }));
        self
    }

    /// Add a queue in the division of this name.
    pub fn with_queue_in(mut self, name: &str, division: &str) -> Self {
        self.queues.push(SeedQueue {
            name: name.to_owned(),
            division: Some(division.to_owned()),
        });
        self
    }

    /// Add routing skills.
    pub fn with_skills<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.skills.extend(names.into_iter().map(Into::into));
        self
    }

    /// Add `count` active users `Person {i}` / `person{i}@{domain}` in the home division, for
    /// orgs as large as real ones (12,000 users start in well under a second).
    pub fn with_numbered_users(mut self, count: usize, domain: &str) -> Self {
        self.users.reserve(count);
        self.users.extend((0..count).map(|i| SeedUser {
            name: format!("Person {i}"),
            email: format!("person{i}@{domain}"),
            state: rollcall_core::genesys::UserState::Active,
            division: None,
        }));
        self
    }

    /// Add locations.
    pub fn with_locations<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.locations.extend(names.into_iter().map(Into::into));
        self
    }
}
