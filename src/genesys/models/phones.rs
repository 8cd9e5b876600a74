//! Telephony for a new agent: sites, phone base settings, the WebRTC phone, its station and
//! the user's default station (API-day1 §6; wire names from
//! MyPureCloud/platform-client-sdk-python `build/PureCloudPlatformClientV2/models/phone.py`,
//! `phone_base.py`, `site.py`, `station.py`, `user_stations.py`, `user_station.py`).

use serde::{Deserialize, Serialize};

use super::{lenient, EntityRef};

/// The phone meta base of a WebRTC softphone, as Genesys's Terraform provider's example names
/// it (terraform-provider-genesyscloud
/// `examples/resources/genesyscloud_telephony_providers_edges_phonebasesettings`).
pub const WEBRTC_META_BASE: &str = "inin_webrtc_softphone.json";

/// A telephony site (`Site`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Site {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::or_default")]
    pub name: String,
    #[serde(deserialize_with = "lenient::text")]
    pub state: Option<String>,
    #[serde(deserialize_with = "lenient::or_default")]
    pub managed: Option<bool>,
}

impl Site {
    /// Whether the site was deleted; Genesys's Terraform provider skips deleted sites when it
    /// matches a name.
    pub fn is_deleted(&self) -> bool {
        self.state.as_deref() == Some("deleted")
    }
}

/// Phone base settings (`PhoneBase`): the template a phone is made from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PhoneBaseSettings {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::or_default")]
    pub name: String,
    #[serde(deserialize_with = "lenient::text")]
    pub state: Option<String>,
    /// `{id: "inin_webrtc_softphone.json", …}` for a WebRTC phone.
    #[serde(deserialize_with = "lenient::entity_ref")]
    pub phone_meta_base: Option<EntityRef>,
    /// The line base settings (`LineBase`); a phone's line is made from the first.
    #[serde(deserialize_with = "lenient::list")]
    pub lines: Vec<EntityRef>,
}

impl PhoneBaseSettings {
    /// Whether these settings make WebRTC softphones (meta base [`WEBRTC_META_BASE`]).
    pub fn is_webrtc(&self) -> bool {
        self.phone_meta_base
            .as_ref()
            .is_some_and(|meta| meta.id == WEBRTC_META_BASE)
    }

    /// Whether the settings were deleted.
    pub fn is_deleted(&self) -> bool {
        self.state.as_deref() == Some("deleted")
    }

    /// The body that creates a WebRTC phone for `user_id` on `site_id` from these settings:
    /// the body Genesys's Terraform provider sends (`getPhoneFromResourceData`,
    /// `buildSdkLines` in `telephony_providers_edges_phone/…_utils.go`), named `WebRTC - …`.
    pub fn webrtc_phone(&self, site_id: &str, user_id: &str, user_name: &str) -> NewPhone {
        let line_base = self.lines.first().map(|line| IdRef::new(&line.id));
        NewPhone {
            name: format!("WebRTC - {user_name}"),
            state: "active",
            site: IdRef::new(site_id),
            phone_base_settings: IdRef::new(&self.id),
            line_base_settings: line_base.clone(),
            phone_meta_base: self
                .phone_meta_base
                .as_ref()
                .map(|meta| IdRef::new(&meta.id)),
            lines: vec![NewLine {
                // Line names only need to be unique; the user's id makes them so.
                name: format!("line_{user_id}"),
                line_base_settings: line_base,
            }],
            web_rtc_user: IdRef::new(user_id),
        }
    }
}

/// `{"id": …}`: how a phone's body refers to what it is made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdRef {
    pub id: String,
}

impl IdRef {
    pub fn new(id: &str) -> IdRef {
        IdRef { id: id.to_owned() }
    }
}

/// The body of `POST /api/v2/telephony/providers/edges/phones` for a WebRTC phone (`Phone`:
/// `name`, `site`, `phoneBaseSettings` and `lines` required; `webRtcUser` "required for all
/// WebRTC phones"). Made by [`PhoneBaseSettings::webrtc_phone`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewPhone {
    pub name: String,
    pub state: &'static str,
    pub site: IdRef,
    pub phone_base_settings: IdRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_base_settings: Option<IdRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_meta_base: Option<IdRef>,
    pub lines: Vec<NewLine>,
    pub web_rtc_user: IdRef,
}

/// A line of a new phone (`Line`: `name` required).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewLine {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_base_settings: Option<IdRef>,
}

/// A phone as Genesys returns it (`Phone`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Phone {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::text")]
    pub state: Option<String>,
    #[serde(deserialize_with = "lenient::entity_ref")]
    pub site: Option<EntityRef>,
    #[serde(deserialize_with = "lenient::entity_ref")]
    pub phone_base_settings: Option<EntityRef>,
    /// Whose WebRTC phone it is.
    #[serde(deserialize_with = "lenient::entity_ref")]
    pub web_rtc_user: Option<EntityRef>,
}

/// A station (`Station`); a WebRTC phone's station carries its user in `webRtcUserId`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Station {
    #[serde(deserialize_with = "lenient::or_default")]
    pub id: String,
    #[serde(deserialize_with = "lenient::text")]
    pub name: Option<String>,
    /// `AVAILABLE` or `ASSOCIATED`.
    #[serde(deserialize_with = "lenient::text")]
    pub status: Option<String>,
    #[serde(deserialize_with = "lenient::text")]
    pub user_id: Option<String>,
    #[serde(deserialize_with = "lenient::text")]
    pub web_rtc_user_id: Option<String>,
    #[serde(rename = "type", deserialize_with = "lenient::text")]
    pub kind: Option<String>,
}

/// A user's stations: `GET /api/v2/users/{id}/station` (`UserStations`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserStations {
    #[serde(deserialize_with = "lenient::entity_ref")]
    pub default_station: Option<EntityRef>,
    #[serde(deserialize_with = "lenient::entity_ref")]
    pub associated_station: Option<EntityRef>,
    #[serde(deserialize_with = "lenient::entity_ref")]
    pub effective_station: Option<EntityRef>,
}

impl UserStations {
    /// The default station's id, if the user has one.
    pub fn default_station_id(&self) -> Option<&str> {
        self.default_station
            .as_ref()
            .map(|station| station.id.as_str())
            .filter(|id| !id.is_empty())
    }
}
