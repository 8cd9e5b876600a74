//! A user's employer info, external ids and ACD auto-answer in bulk (API-day1 §3–§5; wire names
//! from MyPureCloud/platform-client-sdk-python `build/PureCloudPlatformClientV2/models/
//! employer_info.py`, `user_external_identifier.py`, `patch_user.py`).

use serde::{Deserialize, Serialize};

use super::lenient;

/// `User.employerInfo` (`EmployerInfo`), written with the user's PATCH. `dateHire` is
/// `yyyy-MM-dd`; Genesys's Terraform provider takes `employeeType` as `Full-time`,
/// `Part-time` or `Contractor` (the SDK gives no enum). Leaving a field out may clear it on
/// the server (UNCONFIRMED), so a write sends all four as the user should have them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EmployerInfo {
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub official_name: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub employee_id: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub employee_type: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub date_hire: Option<String>,
}

/// An id of a user in another system (`UserExternalIdentifier`); both parts are case
/// sensitive, and a user holds at most 100.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExternalId {
    #[serde(deserialize_with = "lenient::or_default")]
    pub authority_name: String,
    #[serde(deserialize_with = "lenient::or_default")]
    pub external_key: String,
}

/// One item of `PATCH /api/v2/users/bulk` (`PatchUser`): no version, only auto-answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoAnswer {
    pub id: String,
    pub acd_auto_answer: bool,
}
