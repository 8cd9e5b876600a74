//! Groups: the org's list, finding one by name, adding members with the group's current
//! version, and reading who is in a group (API-day1 §2).

use reqwest::Method;

use super::http::{encode, segment};
use super::steps::too_many;
use super::{GenesysClient, Repeat, Reply, MAX_GROUP_MEMBERS_PER_CALL};
use crate::genesys::error::Result;
use crate::genesys::models::{
    EntityRef, Group, GroupMembersUpdate, GroupSearchCriterion, GroupSearchRequest,
    GroupsSearchResponse, User,
};

/// How many times adding members is tried when the group's version went stale in between:
/// Genesys's Terraform provider's `RetryWhen(IsVersionMismatch)` (`util/util_retries.go`).
const VERSION_ATTEMPTS: u32 = 10;

impl GenesysClient {
    /// Every group of the org (`GET /api/v2/groups`, all pages; it has no name filter). The
    /// SDK lists no permission for it.
    pub async fn list_groups(&self) -> Result<Reply<Vec<Group>>> {
        self.every_page("list groups", "/api/v2/groups").await
    }

    /// The groups named exactly `name` (`POST /api/v2/groups/search`, one EXACT criterion on
    /// `name`, as Genesys's Terraform provider's group data source searches). More than one
    /// means the name is ambiguous.
    pub async fn find_groups_by_name(&self, name: &str) -> Result<Reply<Vec<Group>>> {
        let request = GroupSearchRequest {
            query: [GroupSearchCriterion {
                kind: "EXACT",
                fields: ["name"],
                value: name,
            }],
            page_size: 100,
            page_number: 1,
        };
        let body = encode(&request)?;
        let reply: Reply<GroupsSearchResponse> = self
            .call_json(
                "search groups",
                Repeat::Read,
                Method::POST,
                "/api/v2/groups/search",
                &[],
                Some(body),
            )
            .await?;
        Ok(Reply {
            value: reply.value.results,
            meta: reply.meta,
        })
    }

    /// `GET /api/v2/groups/{id}`: the group, with the version adding members needs.
    pub async fn get_group(&self, group_id: &str) -> Result<Reply<Group>> {
        let path = format!("/api/v2/groups/{}", segment(group_id));
        self.call_json("get group", Repeat::Read, Method::GET, &path, &[], None)
            .await
    }

    /// Add users to a group (`POST /api/v2/groups/{id}/members`, `{memberIds, version}`). The
    /// version is read afresh (`GET /api/v2/groups/{id}`) before each attempt and the add is
    /// tried again when it went stale — 409, or 400 "does not match the current version" —
    /// as Genesys's Terraform provider does (`group/resource_genesyscloud_group.go`), since
    /// other runs change the same group. At most [`MAX_GROUP_MEMBERS_PER_CALL`]; the caller
    /// splits longer lists, and leaves out users already in the group (whether adding one
    /// again is harmless is UNCONFIRMED). The SDK lists no permission for it.
    pub async fn add_group_members(
        &self,
        group_id: &str,
        user_ids: &[String],
    ) -> Result<Reply<()>> {
        const WHAT: &str = "add group members";
        if user_ids.len() > MAX_GROUP_MEMBERS_PER_CALL {
            return Err(too_many(
                WHAT,
                user_ids.len(),
                MAX_GROUP_MEMBERS_PER_CALL,
                "members",
            ));
        }
        let path = format!("/api/v2/groups/{}/members", segment(group_id));
        let mut attempt = 0;
        loop {
            attempt += 1;
            let group = self.get_group(group_id).await?.value;
            let body = encode(&GroupMembersUpdate {
                member_ids: user_ids,
                version: group.version,
            })?;
            match self
                .call_unit(WHAT, Repeat::Safe, Method::POST, &path, &[], Some(body))
                .await
            {
                Err(e) if e.is_version_mismatch() && attempt < VERSION_ATTEMPTS => {
                    tokio::time::sleep(self.terraform_wait(&e, attempt)).await;
                }
                result => return result,
            }
        }
    }

    /// Everyone in a group — direct members, owners and people included by rules
    /// (`GET /api/v2/groups/{id}/members`, all pages; the paged alternative to
    /// `/individuals`).
    pub async fn group_members(&self, group_id: &str) -> Result<Reply<Vec<User>>> {
        let path = format!("/api/v2/groups/{}/members", segment(group_id));
        self.every_page("read group members", &path).await
    }

    /// The groups a user is in, from `GET /api/v2/users/{id}?expand=groups`. Genesys fills the
    /// expansion on a best-effort basis, so an empty list may mean "not said":
    /// [`GenesysClient::group_members`] is the authoritative read.
    pub async fn user_groups(&self, user_id: &str) -> Result<Reply<Vec<EntityRef>>> {
        let reply = self.get_user_expanded(user_id, &["groups"]).await?;
        Ok(Reply {
            value: reply.value.groups,
            meta: reply.meta,
        })
    }
}
