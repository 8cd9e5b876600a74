//! The Genesys Cloud API types Rollcall sends and reads (a subset of the public schema: the
//! fields that matter here, everything else ignored on read).

use serde::{Deserialize, Serialize, Serializer};

use crate::secrets::Secret;

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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// `PHONE`, `EMAIL` or `SMS`.
    pub media_type: String,
    /// `PRIMARY`, `WORK`, `WORK2`…, `HOME`, `MOBILE`, `MAIN`, `OTHER`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
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
}

/// One of a user's locations (`Location` in `User.locations` and `UpdateUser.locations`).
///
/// Genesys answers `{"locationDefinition": {"id", …}}`, while its own Terraform provider writes
/// `{"id": …}`; [`UserLocation::new`] fills both, so the write means the same whichever Genesys
/// reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserLocation {
    pub id: Option<String>,
    pub location_definition: Option<EntityRef>,
}

impl UserLocation {
    /// The location with this id (`LocationDefinition.id`).
    pub fn new(location_id: &str) -> UserLocation {
        UserLocation {
            id: Some(location_id.to_owned()),
            location_definition: Some(EntityRef {
                id: location_id.to_owned(),
                ..EntityRef::default()
            }),
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
    /// Only ids go out: a `name: null` or `selfUri: null` has no business in a write.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        #[derive(Serialize)]
        struct IdOnly<'a> {
            id: &'a str,
        }
        let mut map = s.serialize_map(None)?;
        if let Some(id) = &self.id {
            map.serialize_entry("id", id)?;
        }
        if let Some(definition) = &self.location_definition {
            map.serialize_entry("locationDefinition", &IdOnly { id: &definition.id })?;
        }
        map.end()
    }
}

/// A reference to another entity (`{id, name, selfUri}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EntityRef {
    pub id: String,
    pub name: Option<String>,
    pub self_uri: Option<String>,
}

/// A user as Genesys returns it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct User {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub username: Option<String>,
    pub state: Option<UserState>,
    pub division: Option<EntityRef>,
    pub title: Option<String>,
    pub department: Option<String>,
    pub addresses: Vec<Contact>,
    pub primary_contact_info: Vec<Contact>,
    pub manager: Option<EntityRef>,
    /// Only present when asked for with `expand=locations`.
    pub locations: Vec<UserLocation>,
    pub version: i64,
    pub self_uri: Option<String>,
}

/// A division (`AuthzDivision`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Division {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub home_division: bool,
    pub self_uri: Option<String>,
}

/// An organization role (`DomainOrganizationRole`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
}

/// A routing queue (`Queue`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Queue {
    pub id: String,
    pub name: String,
    pub division: Option<EntityRef>,
}

/// A routing skill (`RoutingSkill`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoutingSkill {
    pub id: String,
    pub name: String,
}

/// A location of the org (`LocationDefinition`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Location {
    pub id: String,
    pub name: String,
}

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
    pub id: String,
    pub name: Option<String>,
    pub proficiency: f64,
    pub state: Option<String>,
}

/// A queue a user is a member of (`UserQueue`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserQueue {
    pub id: String,
    pub name: Option<String>,
    pub division: Option<EntityRef>,
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
    pub id: String,
    pub name: Option<String>,
}

/// A role held in a division (`AuthzGrant`); the division id is `*` for all divisions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Grant {
    pub role: GrantRole,
    pub division: EntityRef,
}

/// Who holds which roles where: `GET /api/v2/authorization/subjects/{subjectId}` (`AuthzSubject`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SubjectGrants {
    pub id: String,
    pub name: Option<String>,
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

/// One page of a listing (`…EntityListing`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityListing<T> {
    #[serde(default = "Vec::new")]
    pub entities: Vec<T>,
    #[serde(default)]
    pub page_size: u32,
    #[serde(default)]
    pub page_number: u32,
    #[serde(default)]
    pub total: u64,
    #[serde(default)]
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
    pub total: u64,
    pub page_count: u32,
    pub page_size: u32,
    pub page_number: u32,
    pub results: Vec<User>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_user_sends_the_password_but_debug_hides_it() {
        let body = CreateUser {
            name: "Ada".into(),
            email: "ada@example.com".into(),
            password: Some(Secret::new("Sup3r-secret!")),
            state: Some(UserState::Active),
            ..CreateUser::default()
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["password"], "Sup3r-secret!");
        assert_eq!(json["state"], "active");
        assert!(json.get("divisionId").is_none());
        assert!(!format!("{body:?}").contains("Sup3r-secret!"));
    }

    #[test]
    fn a_location_is_written_by_id_both_ways_and_read_from_its_definition() {
        let patch = UserPatch {
            version: 3,
            locations: Some(vec![UserLocation::new("loc-1")]),
            ..UserPatch::default()
        };
        let json = serde_json::to_value(&patch).unwrap();
        assert_eq!(
            json["locations"],
            serde_json::json!([{ "id": "loc-1", "locationDefinition": { "id": "loc-1" } }])
        );
        assert!(serde_json::to_value(UserPatch::default())
            .unwrap()
            .get("locations")
            .is_none());
        let user: User = serde_json::from_value(serde_json::json!({
            "id": "u1",
            "locations": [{ "locationDefinition": { "id": "loc-2", "selfUri": "/api/v2/locations/loc-2" } }]
        }))
        .unwrap();
        assert_eq!(user.locations[0].location_id(), Some("loc-2"));
    }
}
