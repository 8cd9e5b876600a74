//! The Genesys Cloud client: regions and endpoints, OAuth client credentials, the calls
//! Rollcall makes, their errors, rate-limit signals and the one retry policy.

pub mod auth;
pub mod client;
pub mod error;
pub mod models;
pub mod pacing;
pub mod ratelimit;
pub mod regions;
pub mod retry;

pub use auth::Credentials;
pub use client::{ClientConfig, GenesysClient, Reply, ResponseMeta};
pub use error::{ApiError, ErrorBody, GenesysError, OAuthError, Result};
pub use models::{
    Contact, CreateUser, Division, EntityListing, StateFilter, User, UserPatch, UserState,
};
pub use ratelimit::RateLimit;
pub use regions::{Endpoint, Region, REGIONS};
pub use retry::{RetryNotice, RetryObserver, RetryPolicy, RetryReason};
