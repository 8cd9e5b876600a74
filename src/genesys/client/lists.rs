//! The org's lists a plan matches names against (divisions, roles, queues, skills,
//! locations), read whole page by page, the roles that grant a permission, and the one-item
//! reads "Test connection" makes.

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::{GenesysClient, Repeat, Reply, ResponseMeta, MAX_PAGES};
use crate::genesys::error::{GenesysError, Result};
use crate::genesys::models::{Division, EntityListing, Location, Queue, Role, RoutingSkill};

/// Conversation > Call > Add: what a user needs before a default phone can be assigned to it
/// (Resource Center, "Assign a default phone"; API-day1 §6c).
pub const CALL_ADD_PERMISSION: &str = "conversation:call:add";

/// The page size of the listings read whole: the largest every one of them accepts.
const LIST_PAGE_SIZE: u32 = 100;

impl GenesysClient {
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

    /// The roles that grant `permission` (`GET /api/v2/authorization/roles?permission=…`, all
    /// pages): whether a row's roles give, say, [`CALL_ADD_PERMISSION`]. The filter is a list
    /// parameter of `get_authorization_roles` (MyPureCloud/platform-client-sdk-python
    /// `build/docs/AuthorizationApi.md`).
    pub async fn roles_with_permission(&self, permission: &str) -> Result<Reply<Vec<Role>>> {
        self.every_page_of(
            "list roles by permission",
            "/api/v2/authorization/roles",
            &[("permission", permission.to_owned())],
        )
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

    /// Every page of a listing, read with the largest page size all listings accept.
    pub(super) async fn every_page<T: DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
    ) -> Result<Reply<Vec<T>>> {
        self.every_page_of(what, path, &[]).await
    }

    /// Every page of a listing narrowed by `filters` (query parameters sent with each page).
    pub(super) async fn every_page_of<T: DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
        filters: &[(&str, String)],
    ) -> Result<Reply<Vec<T>>> {
        let mut entities = Vec::new();
        let mut page_number = 1;
        loop {
            let mut query = vec![
                ("pageSize", LIST_PAGE_SIZE.to_string()),
                ("pageNumber", page_number.to_string()),
            ];
            query.extend(filters.iter().cloned());
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
}

/// The page after `page_number`, unless a listing has gone on past [`MAX_PAGES`].
pub(super) fn next_page(what: &str, page_number: u32, meta: &ResponseMeta) -> Result<u32> {
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
