//! The reads that export a whole org's users with few calls: the users listing with its
//! expansions, the cursor listing for orgs past the listing's 10,000 users, and the calls that
//! answer for many users at once — who holds a role, who is in a queue.

use reqwest::Method;

use super::http::segment;
use super::{GenesysClient, Repeat, Reply};
use crate::genesys::error::Result;
use crate::genesys::models::{
    EntityListing, QueueMember, StateFilter, SubjectDivisions, User, UserCursorPage,
};

/// The most users `GET /api/v2/users` reaches: it answers 400 once `pageNumber × pageSize`
/// passes this (API.md, correction 6; Genesys's Terraform provider stops there too,
/// "The maximum number of inactive users (10,000) have been retrieved",
/// `genesyscloud/user/genesyscloud_user_proxy.go`, `GetAllUserFn`).
pub const MAX_LISTED_USERS: u64 = 10_000;

impl GenesysClient {
    /// One page of `GET /api/v2/users` in one state, with `expand` (comma-separated, as the
    /// SDKs send a list). Genesys fills expansions on a best-effort basis.
    pub async fn list_users_expanded(
        &self,
        state: StateFilter,
        page_number: u32,
        page_size: u32,
        expand: &[&str],
    ) -> Result<Reply<EntityListing<User>>> {
        let mut query = vec![
            ("pageSize", page_size.to_string()),
            ("pageNumber", page_number.to_string()),
            ("state", state.as_str().to_owned()),
        ];
        if !expand.is_empty() {
            query.push(("expand", expand.join(",")));
        }
        self.call_json(
            "list users",
            Repeat::Read,
            Method::GET,
            "/api/v2/users",
            &query,
            None,
        )
        .await
    }

    /// One page of `GET /api/v2/users/query`, the users listing paged by a cursor instead of a
    /// page number, which therefore has no 10,000-user ceiling: "Get list of available users,
    /// paged by cursor token" (`getUsersQuery` in Genesys's SDKs, e.g.
    /// MyPureCloud/platform-client-sdk-javascript `src/purecloud-platform-client-v2/api/UsersApi.js`;
    /// parameters `cursor`, `pageSize`, `sortOrder`, `expand`, `state`; answer
    /// `UserCursorEntityListing {entities, cursor, nextUri, selfUri, results}`). The SDKs mark
    /// it a preview and say it needs `directory:user:view` in every division. `cursor` is
    /// `None` for the first page.
    pub async fn users_query_page(
        &self,
        state: StateFilter,
        cursor: Option<&str>,
        page_size: u32,
        expand: &[&str],
    ) -> Result<Reply<UserCursorPage>> {
        let mut query = vec![
            ("pageSize", page_size.to_string()),
            ("state", state.as_str().to_owned()),
        ];
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor.to_owned()));
        }
        if !expand.is_empty() {
            query.push(("expand", expand.join(",")));
        }
        self.call_json(
            "list users by cursor",
            Repeat::Read,
            Method::GET,
            "/api/v2/users/query",
            &query,
            None,
        )
        .await
    }

    /// Everyone holding a role, with the divisions each holds it in
    /// (`GET /api/v2/authorization/roles/{roleId}/subjectgrants`, all pages; needs
    /// `authorization:role:view`): one listing per role instead of one read per user.
    pub async fn role_subject_grants(&self, role_id: &str) -> Result<Reply<Vec<SubjectDivisions>>> {
        let path = format!(
            "/api/v2/authorization/roles/{}/subjectgrants",
            segment(role_id)
        );
        self.every_page("read role grants", &path).await
    }

    /// Everyone in a queue (`GET /api/v2/routing/queues/{queueId}/members`, all pages; needs
    /// `routing:queue:view`): one listing per queue instead of one read per user.
    pub async fn queue_members(&self, queue_id: &str) -> Result<Reply<Vec<QueueMember>>> {
        let path = format!("/api/v2/routing/queues/{}/members", segment(queue_id));
        self.every_page("read queue members", &path).await
    }
}
