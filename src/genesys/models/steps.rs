//! What a user is given after it is created, as sent and as read back: roles in divisions,
//! routing skills and queue memberships.

use serde::{Deserialize, Serialize};

use super::{lenient, EntityRef};

/// A role granted in a division: one item of `POST /api/v2/authorization/subjects/{id}/bulkadd`
/// (`RoleDivisionPair`). A `division_id` of `*` means every division.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleGrant {
    pub role_id: String,
    pub division_id: String,
}

/// The body of `bulkadd` (`RoleDivisionGrants`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RoleGrants<'a> {
    pub grants: &'a [RoleGrant],
}

/// A skill to give a user: one item of `PATCH /api/v2/users/{id}/routingskills/bulk`
/// (`UserRoutingSkillPost`); `proficiency` from 0.0 to 5.0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSkill {
    pub id: String,
    pub proficiency: f64,
}

/// A skill a user has (`UserRoutingSkill`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserRoutingSkill {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::or_default")]
    pub proficiency: f64,
    #[serde(deserialize_with = "lenient::text")]
    pub state: Option<String>,
}

/// A queue a user is a member of (`UserQueue`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserQueue {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::entity_ref")]
    pub division: Option<EntityRef>,
    #[serde(deserialize_with = "lenient::or_default")]
    pub joined: Option<bool>,
}

/// One item of the body of `POST /api/v2/routing/queues/{id}/members` (`WritableEntity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct MemberRef<'a> {
    pub id: &'a str,
}

/// The role of a grant (`AuthzGrantRole`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GrantRole {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::text")]
    pub name: Option<String>,
}

/// A role held in a division (`AuthzGrant`); the division id is `*` for all divisions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Grant {
    #[serde(deserialize_with = "lenient::or_default")]
    pub role: GrantRole,
    #[serde(deserialize_with = "lenient::or_default")]
    pub division: EntityRef,
}

/// Who holds which roles where: `GET /api/v2/authorization/subjects/{subjectId}` (`AuthzSubject`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SubjectGrants {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::list")]
    pub grants: Vec<Grant>,
}

impl SubjectGrants {
    /// The grants as (role id, division id) pairs, the shape `bulkadd` takes.
    pub fn pairs(&self) -> Vec<RoleGrant> {
        self.grants
            .iter()
            .map(|g| RoleGrant {
                role_id: g.role.id.clone(),
                division_id: g.division.id.clone(),
            })
            .collect()
    }
}
