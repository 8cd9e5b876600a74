//! The org's entities as the plan resolved them: an id, and the name the admin knows it by.

use serde::{Deserialize, Serialize};

/// An entity the plan resolved, by id, with the name the admin knows it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Named {
    pub id: String,
    pub name: String,
}

impl Named {
    pub(super) fn new(id: &str, name: &str) -> Named {
        Named {
            id: id.to_owned(),
            name: name.to_owned(),
        }
    }
}

/// A routing skill with its proficiency, resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedSkill {
    pub skill: Named,
    pub proficiency: f64,
}
