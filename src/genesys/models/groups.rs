//! Groups: the org's groups, the search that finds one by name, and the body that adds
//! members (API-day1 §2; MyPureCloud/platform-client-sdk-python `build/docs/Group.md`,
//! `GroupSearchRequest.md`, `GroupSearchCriteria.md`, `GroupsSearchResponse.md`,
//! `GroupMembersUpdate.md`).

use serde::{Deserialize, Serialize};

use super::lenient;

/// A group (`Group`): its `version` is what adding members sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Group {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::or_default")]
    pub name: String,
    #[serde(deserialize_with = "lenient::or_default")]
    pub version: i64,
    #[serde(deserialize_with = "lenient::or_default")]
    pub member_count: u64,
    /// `active`, `inactive` or `deleted`.
    #[serde(deserialize_with = "lenient::text")]
    pub state: Option<String>,
    /// `official` or `social`.
    #[serde(rename = "type", deserialize_with = "lenient::text")]
    pub kind: Option<String>,
    /// Whether roles can be granted to the group, and so come with its membership.
    #[serde(deserialize_with = "lenient::or_default")]
    pub roles_enabled: bool,
}

/// One criterion of `POST /api/v2/groups/search` (`GroupSearchCriteria`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct GroupSearchCriterion<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub fields: [&'static str; 1],
    pub value: &'a str,
}

/// The body of `POST /api/v2/groups/search` (`GroupSearchRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GroupSearchRequest<'a> {
    pub query: [GroupSearchCriterion<'a>; 1],
    pub page_size: u32,
    pub page_number: u32,
}

/// The answer of `POST /api/v2/groups/search` (`GroupsSearchResponse`); `results` is absent
/// when nothing matched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct GroupsSearchResponse {
    #[serde(deserialize_with = "lenient::or_default")]
    pub total: u64,
    #[serde(deserialize_with = "lenient::or_default")]
    pub page_count: u32,
    #[serde(deserialize_with = "lenient::list")]
    pub results: Vec<Group>,
}

/// The body of `POST /api/v2/groups/{id}/members` (`GroupMembersUpdate`): at most 50 ids, and
/// the group's current version (optional in the model, always sent: API-day1 §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GroupMembersUpdate<'a> {
    pub member_ids: &'a [String],
    pub version: i64,
}
