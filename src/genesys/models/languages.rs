//! Routing languages: the org's list, and a user's languages with their proficiency
//! (API-day1 §1; MyPureCloud/platform-client-sdk-python `build/docs/Language.md`,
//! `UserRoutingLanguagePost.md`, `UserRoutingLanguage.md`).

use serde::{Deserialize, Serialize};

use super::lenient;

/// A routing language of the org (`Language`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Language {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::or_default")]
    pub name: String,
    /// `active`, `inactive` or `deleted`; a deleted language is never matched by name.
    #[serde(deserialize_with = "lenient::text")]
    pub state: Option<String>,
}

impl Language {
    /// Whether the language was deleted (and so cannot be given to anyone).
    pub fn is_deleted(&self) -> bool {
        self.state.as_deref() == Some("deleted")
    }
}

/// A language to give a user: one item of `PATCH /api/v2/users/{id}/routinglanguages/bulk`
/// (`UserRoutingLanguagePost`, both fields required); `proficiency` from 0.0 to 5.0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserLanguage {
    pub id: String,
    pub proficiency: f64,
}

/// A language a user has (`UserRoutingLanguage`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserRoutingLanguage {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::or_default")]
    pub proficiency: f64,
    #[serde(deserialize_with = "lenient::text")]
    pub state: Option<String>,
}
