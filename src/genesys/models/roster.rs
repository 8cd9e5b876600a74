//! What reading a whole org's users returns beyond the users themselves: who holds a role in
//! which divisions, who is in a queue, and a page of the cursor listing (wire names from
//! MyPureCloud/platform-client-sdk-python `build/docs/SubjectDivisionGrants.md`,
//! `QueueMember.md`, and the SDKs' `UserCursorEntityListing`).

use serde::{Deserialize, Serialize};

use super::{lenient, EntityRef, User};

/// A subject holding a role, with the divisions it holds it in: one entity of
/// `GET /api/v2/authorization/roles/{roleId}/subjectgrants` (`SubjectDivisionGrants`). A
/// division of id `*` is every division.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SubjectDivisions {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::list")]
    pub divisions: Vec<EntityRef>,
    /// `PC_USER`, `PC_GROUP` or `PC_OAUTH_CLIENT`.
    #[serde(rename = "type", deserialize_with = "lenient::text")]
    pub kind: Option<String>,
}

impl SubjectDivisions {
    /// Whether the subject is a user (an absent type is read as one, the endpoint's default).
    pub fn is_user(&self) -> bool {
        self.kind.as_deref().is_none_or(|kind| kind == "PC_USER")
    }
}

/// A member of a queue: one entity of `GET /api/v2/routing/queues/{queueId}/members`
/// (`QueueMember`); `id` is the user's id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct QueueMember {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::entity_ref")]
    pub user: Option<EntityRef>,
    /// `user` for a direct member, `group` for one through a group.
    #[serde(deserialize_with = "lenient::text")]
    pub member_by: Option<String>,
}

impl QueueMember {
    /// The member's user id, wherever the answer put it.
    pub fn user_id(&self) -> &str {
        self.user
            .as_ref()
            .map(|u| u.id.as_str())
            .filter(|id| !id.is_empty())
            .unwrap_or(&self.id)
    }
}

/// One page of `GET /api/v2/users/query` (`UserCursorEntityListing`): the users and the cursor
/// of the next page, absent on the last.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserCursorPage {
    #[serde(deserialize_with = "lenient::list")]
    pub entities: Vec<User>,
    #[serde(deserialize_with = "lenient::text")]
    pub cursor: Option<String>,
    #[serde(deserialize_with = "lenient::text")]
    pub next_uri: Option<String>,
}
