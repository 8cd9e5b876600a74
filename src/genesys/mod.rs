//! The Genesys Cloud client: regions and endpoints, OAuth client credentials, the calls
//! Rollcall makes, their errors, pacing under the rate limit and the one retry policy.

pub mod auth;
pub mod client;
pub mod error;
pub mod models;
pub mod pacing;
pub mod ratelimit;
pub mod regions;
pub mod retry;
mod tls;

pub use auth::Credentials;
pub use client::{
    ClientConfig, GenesysClient, Listing, Reply, ResponseMeta, StationWait, CALL_ADD_PERMISSION,
    MAX_ANSWER_BYTES, MAX_EMAILS_PER_SEARCH, MAX_GROUP_MEMBERS_PER_CALL, MAX_LANGUAGES_PER_CALL,
    MAX_LISTED_USERS, MAX_PAGES, MAX_QUEUE_MEMBERS_PER_CALL, MAX_SKILLS_PER_CALL,
    MAX_USERS_PER_BULK_PATCH, SEARCH_PAGE_SIZE,
};
pub use error::{ApiError, ErrorBody, GenesysError, OAuthError, Result};
pub use models::{
    AutoAnswer, Contact, CreateUser, Division, EmployerInfo, EntityListing, EntityRef, ExternalId,
    Grant, GrantRole, Group, IdRef, Language, Location, NewLine, NewPhone, Phone,
    PhoneBaseSettings, Queue, QueueMember, Role, RoleGrant, RoutingSkill, Site, StateFilter,
    Station, SubjectDivisions, SubjectGrants, User, UserCursorPage, UserLanguage, UserLocation,
    UserPatch, UserQueue, UserRoutingLanguage, UserRoutingSkill, UserSkill, UserState,
    UserStations, WEBRTC_META_BASE,
};
pub use regions::{Endpoint, Region, REGIONS};
pub use retry::{RetryNotice, RetryObserver, RetryPolicy, RetryReason};
pub use tls::install_tls_provider;
