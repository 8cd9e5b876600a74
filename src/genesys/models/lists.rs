//! The org's lists a plan matches a file's names against: divisions, roles, queues, skills
//! and locations.

use serde::{Deserialize, Serialize};

use super::{lenient, EntityRef};

/// A division (`AuthzDivision`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Division {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::or_default")]
    pub name: String,
    #[serde(deserialize_with = "lenient::text")]
    pub description: Option<String>,
    #[serde(deserialize_with = "lenient::or_default")]
    pub home_division: bool,
    #[serde(deserialize_with = "lenient::text")]
    pub self_uri: Option<String>,
}

/// An organization role (`DomainOrganizationRole`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Role {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::or_default")]
    pub name: String,
    #[serde(deserialize_with = "lenient::text")]
    pub description: Option<String>,
}

/// A routing queue (`Queue`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Queue {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::or_default")]
    pub name: String,
    #[serde(deserialize_with = "lenient::entity_ref")]
    pub division: Option<EntityRef>,
}

/// A routing skill (`RoutingSkill`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoutingSkill {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::or_default")]
    pub name: String,
}

/// A location of the org (`LocationDefinition`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Location {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::or_default")]
    pub name: String,
}
