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
    ClientConfig, GenesysClient, Listing, Reply, ResponseMeta, MAX_ANSWER_BYTES,
    MAX_EMAILS_PER_SEARCH, MAX_PAGES, MAX_QUEUE_MEMBERS_PER_CALL, MAX_SKILLS_PER_CALL,
    SEARCH_PAGE_SIZE,
};
pub use error::{ApiError, ErrorBody, GenesysError, OAuthError, Result};
pub use models::{
    Contact, CreateUser, Division, EntityListing, EntityRef, Grant, GrantRole, Location, Queue,
    Role, RoleGrant, RoutingSkill, StateFilter, SubjectGrants, User, UserLocation, UserPatch,
    UserQueue, UserRoutingSkill, UserSkill, UserState,
};
pub use regions::{Endpoint, Region, REGIONS};
pub use retry::{RetryNotice, RetryObserver, RetryPolicy, RetryReason};
pub use tls::install_tls_provider;
