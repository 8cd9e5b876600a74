//! The Genesys Cloud API types Rollcall sends and reads (a subset of the public schema: the
//! fields that matter here, everything else ignored on read).
//!
//! Reading is tolerant: Genesys adds fields and varies shapes between endpoints and over time
//! (a manager as an id or as an object, a state Rollcall has never seen), so a field Rollcall
//! reads but can do without never fails a call — it reads as empty. The fields a run depends on
//! (a user's id, its version before a write) are checked where they are used, and named.

mod employment;
mod groups;
mod languages;
mod lenient;
mod lists;
mod phones;
mod roster;
mod steps;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize, Serializer};

use crate::secrets::Secret;

pub use employment::{AutoAnswer, EmployerInfo, ExternalId};
pub use groups::Group;
pub(crate) use groups::{
    GroupMembersUpdate, GroupSearchCriterion, GroupSearchRequest, GroupsSearchResponse,
};
pub use languages::{Language, UserLanguage, UserRoutingLanguage};
pub use lists::{Division, Location, Queue, Role, RoutingSkill};
pub use phones::{
    IdRef, NewLine, NewPhone, Phone, PhoneBaseSettings, Site, Station, UserStations,
    WEBRTC_META_BASE,
};
pub use roster::{QueueMember, SubjectDivisions, UserCursorPage};
pub use steps::{
    Grant, GrantRole, RoleGrant, SubjectGrants, UserQueue, UserRoutingSkill, UserSkill,
};
pub(crate) use steps::{MemberRef, RoleGrants};

/// A user's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserState {
    Active,
    Inactive,
    Deleted,
}

impl UserState {
    pub fn as_str(self) -> &'static str {
        match self {
            UserState::Active => "active",
            UserState::Inactive => "inactive",
            UserState::Deleted => "deleted",
        }
    }
}

/// Which users a listing includes (`state=` on `GET /api/v2/users`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    Active,
    Inactive,
    Deleted,
    Any,
}

impl StateFilter {
    pub fn as_str(self) -> &'static str {
        match self {
            StateFilter::Active => "active",
            StateFilter::Inactive => "inactive",
            StateFilter::Deleted => "deleted",
            StateFilter::Any => "any",
        }
    }
}

/// A phone number, e-mail address or extension of a user (`Contact`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub address: Option<String>,
    /// How Genesys shows the contact; read only. A phone with an extension usually reads back
    /// with `display` (and `extension`) and no `address`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub display: Option<String>,
    /// `PHONE`, `EMAIL` or `SMS`.
    pub media_type: String,
    /// `PRIMARY`, `WORK`, `WORK2`…, `HOME`, `MOBILE`, `MAIN`, `OTHER`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub extension: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub country_code: Option<String>,
}

impl Contact {
    /// A work phone in E.164.
    pub fn work_phone(e164: &str) -> Contact {
        Contact {
            address: Some(e164.to_owned()),
            media_type: "PHONE".to_owned(),
            kind: "WORK".to_owned(),
            ..Contact::default()
        }
    }

    /// Whether this is the user's work phone (`PHONE`, `WORK`).
    pub fn is_work_phone(&self) -> bool {
        self.media_type == "PHONE" && self.kind == "WORK"
    }

    /// The contact's phone extension, however Genesys read it back: `extension`, or — for a
    /// contact with neither an address nor an extension — a `display` that is not a number.
    pub fn extension_read(&self) -> Option<&str> {
        self.extension
            .as_deref()
            .or_else(|| match (&self.address, &self.display) {
                (None, Some(display)) if !is_phone_number(display) => Some(display.as_str()),
                _ => None,
            })
            .map(str::trim)
            .filter(|e| !e.is_empty())
    }

    /// The contact as it must be written back: with its number. Genesys reads a phone with an
    /// extension back as `display` + `extension`, without `address`; a write of what was read
    /// would drop the number. The number comes back from `display` where `address` is missing,
    /// and a contact that only ever had an extension is written as one. `display` itself is
    /// never sent. (The same reading as Genesys's Terraform provider, `flattenUserAddresses`:
    /// `display` is the number when an extension comes with it, else the extension.)
    pub fn writable(&self) -> Contact {
        let mut written = Contact {
            address: self.address.clone(),
            display: None,
            media_type: self.media_type.clone(),
            kind: self.kind.clone(),
            extension: self.extension.clone(),
            country_code: self.country_code.clone(),
        };
        if written.address.is_none() {
            if let Some(display) = self.display.as_deref().map(str::trim) {
                if self.media_type == "EMAIL" || is_phone_number(display) {
                    written.address = Some(compact_number(display));
                } else if written.extension.is_none() {
                    written.extension = Some(display.to_owned());
                } else if written.extension.as_deref() != Some(display) {
                    written.address = Some(display.to_owned());
                }
            }
        }
        written
    }
}

/// Whether a `display` is a phone number (`+1 317-222-2222`) rather than an extension (`2101`).
fn is_phone_number(display: &str) -> bool {
    compact_number(display).starts_with('+')
}

/// A number without the spaces, dashes, dots and parentheses Genesys formats it with.
fn compact_number(display: &str) -> String {
    display
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect()
}

/// The body of `POST /api/v2/users`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateUser {
    pub name: String,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub division_id: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "expose_secret"
    )]
    pub password: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Contact>,
    /// `active` or `inactive`. Genesys makes a user inactive when this is left out and no
    /// invitation is sent, so Rollcall always sends it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<UserState>,
}

fn expose_secret<S: Serializer>(secret: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    match secret {
        Some(secret) => s.serialize_str(secret.expose()),
        None => s.serialize_none(),
    }
}

/// The body of `POST /api/v2/users/{id}/password` (`ChangePasswordRequest`).
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NewPassword<'a> {
    #[serde(serialize_with = "expose")]
    pub new_password: &'a Secret,
}

fn expose<S: Serializer>(secret: &&Secret, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose())
}

/// The body of `PATCH /api/v2/users/{id}` (`UpdateUser`); `version` is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserPatch {
    pub version: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The manager's user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<UserState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<Contact>>,
    /// The user's work locations; this replaces the whole list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<UserLocation>>,
    /// Whether ACD conversations are answered without the agent accepting them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acd_auto_answer: Option<bool>,
    /// Employer info; not accepted by `POST /api/v2/users`, so it comes with the PATCH that
    /// follows the create, as Genesys's Terraform provider sends it (`updateUser`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employer_info: Option<EmployerInfo>,
}

/// One of a user's locations (`Location` in `User.locations` and `UpdateUser.locations`).
///
/// Genesys answers `{"locationDefinition": {"id", …}}`; a write is `{"id": …}` and nothing
/// else, as Genesys's Terraform provider sends it (`buildSdkLocations`). Reading takes either.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserLocation {
    #[serde(deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(deserialize_with = "lenient::entity_ref")]
    pub location_definition: Option<EntityRef>,
}

impl UserLocation {
    /// The location with this id (`LocationDefinition.id`).
    pub fn new(location_id: &str) -> UserLocation {
        UserLocation {
            id: Some(location_id.to_owned()),
            location_definition: None,
        }
    }

    /// The id of the location definition, wherever the answer put it.
    pub fn location_id(&self) -> Option<&str> {
        self.location_definition
            .as_ref()
            .map(|d| d.id.as_str())
            .filter(|id| !id.is_empty())
            .or(self.id.as_deref())
    }
}

impl Serialize for UserLocation {
    /// `{"id": locationId}` only, whichever shape it was read in.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry("id", self.location_id().unwrap_or(""))?;
        map.end()
    }
}

/// A reference to another entity (`{id, name, selfUri}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EntityRef {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::text")]
    pub self_uri: Option<String>,
}

/// A user as Genesys returns it. Every field reads leniently (see the module's notes): `id`
/// reads as empty and `version` as 0 when missing or unreadable, and the client names them
/// when a call depends on them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct User {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::text")]
    pub email: Option<String>,
    #[serde(deserialize_with = "lenient::text")]
    pub username: Option<String>,
    /// `None` for a state Rollcall does not know.
    #[serde(deserialize_with = "lenient::or_default")]
    pub state: Option<UserState>,
    #[serde(deserialize_with = "lenient::entity_ref")]
    pub division: Option<EntityRef>,
    #[serde(deserialize_with = "lenient::text")]
    pub title: Option<String>,
    #[serde(deserialize_with = "lenient::text")]
    pub department: Option<String>,
    #[serde(deserialize_with = "lenient::list")]
    pub addresses: Vec<Contact>,
    #[serde(deserialize_with = "lenient::list")]
    pub primary_contact_info: Vec<Contact>,
    /// An object `{id, …}` in most answers, a bare id in some.
    #[serde(deserialize_with = "lenient::entity_ref")]
    pub manager: Option<EntityRef>,
    /// Only present when asked for with `expand=locations`.
    #[serde(deserialize_with = "lenient::list")]
    pub locations: Vec<UserLocation>,
    #[serde(deserialize_with = "lenient::or_default")]
    pub acd_auto_answer: Option<bool>,
    /// Present when asked for with `expand=employerInfo` (whether it comes without is
    /// UNCONFIRMED).
    #[serde(deserialize_with = "lenient::or_default")]
    pub employer_info: Option<EmployerInfo>,
    /// Only present when asked for with `expand=groups`, best-effort.
    #[serde(deserialize_with = "lenient::list")]
    pub groups: Vec<EntityRef>,
    /// Only present when asked for with `expand=skills`, best-effort.
    #[serde(deserialize_with = "lenient::list")]
    pub skills: Vec<UserRoutingSkill>,
    /// Only present when asked for with `expand=languages`, best-effort.
    #[serde(deserialize_with = "lenient::list")]
    pub languages: Vec<UserRoutingLanguage>,
    #[serde(deserialize_with = "lenient::or_default")]
    pub version: i64,
    #[serde(deserialize_with = "lenient::text")]
    pub self_uri: Option<String>,
}

/// One page of a listing (`…EntityListing`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityListing<T> {
    #[serde(default = "Vec::new")]
    pub entities: Vec<T>,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub page_size: u32,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub page_number: u32,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub total: u64,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub page_count: u32,
}

/// One criterion of `POST /api/v2/users/search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchCriterion {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// The body of `POST /api/v2/users/search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSearchRequest {
    pub query: Vec<SearchCriterion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_number: Option<u32>,
}

/// The answer of `POST /api/v2/users/search` (`results` is absent when nothing matched).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UsersSearchResponse {
    #[serde(deserialize_with = "lenient::or_default")]
    pub total: u64,
    #[serde(deserialize_with = "lenient::or_default")]
    pub page_count: u32,
    #[serde(deserialize_with = "lenient::or_default")]
    pub page_size: u32,
    #[serde(deserialize_with = "lenient::or_default")]
    pub page_number: u32,
    pub results: Vec<User>,
}
