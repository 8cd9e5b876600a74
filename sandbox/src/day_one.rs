//! What the sandbox org holds for a day-1 ready agent (API-day1.md): routing languages,
//! groups, telephony sites, phone base settings, WebRTC phones with their stations, and for
//! each user its languages, external ids, employer info, ACD auto-answer and default station.

use rollcall_core::genesys::{EmployerInfo, ExternalId};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::config::Seed;

/// A routing language of the org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxLanguage {
    pub id: String,
    pub name: String,
}

/// A group and its direct members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxGroup {
    pub id: String,
    pub name: String,
    /// Raised by every change of membership; adding members must send it.
    pub version: i64,
    /// User ids, in the order they were added.
    #[serde(default)]
    pub member_ids: Vec<String>,
}

/// A telephony site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxSite {
    pub id: String,
    pub name: String,
    /// Genesys Cloud Voice sites are managed by Genesys; BYOC premises sites are not.
    pub managed: bool,
}

/// Phone base settings, with their one line base settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxPhoneBase {
    pub id: String,
    pub name: String,
    /// `inin_webrtc_softphone.json` for WebRTC phones.
    pub meta_base: String,
    pub line_base_id: String,
}

/// A WebRTC phone and the station Genesys makes for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxPhone {
    pub id: String,
    pub name: String,
    pub site_id: String,
    pub phone_base_id: String,
    pub web_rtc_user_id: String,
    pub station_id: String,
    /// Reads of the user's stations since the phone was made: the station shows from the
    /// `Variants::station_visible_on_read`-th on (a running count, not kept in the file).
    #[serde(skip)]
    pub station_reads: u32,
}

/// A routing language a user has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxUserLanguage {
    pub language_id: String,
    pub proficiency: f64,
}

/// What a user has beyond its profile, grants, skills and queues.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserDayOne {
    pub languages: Vec<SandboxUserLanguage>,
    pub external_ids: Vec<ExternalId>,
    pub employer_info: Option<EmployerInfo>,
    pub acd_auto_answer: bool,
    pub default_station_id: Option<String>,
}

/// The org's day-1 lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrgDayOne {
    pub languages: Vec<SandboxLanguage>,
    pub groups: Vec<SandboxGroup>,
    pub sites: Vec<SandboxSite>,
    pub phone_base_settings: Vec<SandboxPhoneBase>,
    pub phones: Vec<SandboxPhone>,
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl OrgDayOne {
    pub fn from_seed(seed: &Seed) -> OrgDayOne {
        OrgDayOne {
            languages: seed
                .languages
                .iter()
                .map(|name| SandboxLanguage {
                    id: new_id(),
                    name: name.clone(),
                })
                .collect(),
            groups: seed
                .groups
                .iter()
                .map(|name| SandboxGroup {
                    id: new_id(),
                    name: name.clone(),
                    version: 1,
                    member_ids: vec![],
                })
                .collect(),
            sites: seed
                .sites
                .iter()
                .map(|site| SandboxSite {
                    id: new_id(),
                    name: site.name.clone(),
                    managed: site.managed,
                })
                .collect(),
            phone_base_settings: seed
                .phone_base_settings
                .iter()
                .map(|settings| SandboxPhoneBase {
                    id: new_id(),
                    name: settings.name.clone(),
                    meta_base: settings.meta_base.clone(),
                    line_base_id: new_id(),
                })
                .collect(),
            phones: vec![],
        }
    }

    /// Whether the org has none of the day-1 lists (an org kept in a file written before
    /// they existed).
    pub fn is_empty(&self) -> bool {
        self.languages.is_empty()
            && self.groups.is_empty()
            && self.sites.is_empty()
            && self.phone_base_settings.is_empty()
    }

    pub fn language(&self, id: &str) -> Option<&SandboxLanguage> {
        self.languages.iter().find(|l| l.id == id)
    }

    pub fn group_index(&self, id: &str) -> Option<usize> {
        self.groups.iter().position(|g| g.id == id)
    }

    pub fn site(&self, id: &str) -> Option<&SandboxSite> {
        self.sites.iter().find(|s| s.id == id)
    }

    pub fn phone_base(&self, id: &str) -> Option<&SandboxPhoneBase> {
        self.phone_base_settings.iter().find(|p| p.id == id)
    }

    /// `Language`.
    pub fn language_json(language: &SandboxLanguage) -> Value {
        json!({
            "id": language.id,
            "name": language.name,
            "state": "active",
            "version": "1",
            "selfUri": format!("/api/v2/routing/languages/{}", language.id),
        })
    }

    /// `UserRoutingLanguage`.
    pub fn user_language_json(&self, held: &SandboxUserLanguage) -> Value {
        let name = self
            .language(&held.language_id)
            .map(|l| l.name.as_str())
            .unwrap_or("");
        json!({
            "id": held.language_id,
            "name": name,
            "proficiency": held.proficiency,
            "state": "active",
            "languageUri": format!("/api/v2/routing/languages/{}", held.language_id),
        })
    }

    /// `Group`.
    pub fn group_json(group: &SandboxGroup) -> Value {
        json!({
            "id": group.id,
            "name": group.name,
            "type": "official",
            "visibility": "public",
            "state": "active",
            "version": group.version,
            "memberCount": group.member_ids.len(),
            "rulesVisible": true,
            "rolesEnabled": true,
            "includeOwners": false,
            "callsEnabled": false,
            "selfUri": format!("/api/v2/groups/{}", group.id),
        })
    }

    /// `Site`.
    pub fn site_json(site: &SandboxSite) -> Value {
        json!({
            "id": site.id,
            "name": site.name,
            "state": "active",
            "version": 1,
            "managed": site.managed,
            "mediaModel": "Cloud",
            "coreSite": false,
            "selfUri": format!("/api/v2/telephony/providers/edges/sites/{}", site.id),
        })
    }

    /// `PhoneBase`.
    pub fn phone_base_json(settings: &SandboxPhoneBase) -> Value {
        json!({
            "id": settings.id,
            "name": settings.name,
            "state": "active",
            "version": 1,
            "phoneMetaBase": { "id": settings.meta_base, "name": settings.meta_base },
            "lines": [{
                "id": settings.line_base_id,
                "name": format!("{}_1", settings.name),
                "selfUri": format!(
                    "/api/v2/telephony/providers/edges/linebasesettings/{}",
                    settings.line_base_id
                ),
            }],
            "properties": {},
            "capabilities": { "provisions": false, "registers": false, "cdm": true },
            "selfUri": format!(
                "/api/v2/telephony/providers/edges/phonebasesettings/{}",
                settings.id
            ),
        })
    }

    /// `Phone`; `webRtcUser` only when `with_user` (a listing leaves it out unless its
    /// `fields` ask for it: whether Genesys does is UNCONFIRMED, so the sandbox does).
    pub fn phone_json(&self, phone: &SandboxPhone, with_user: bool) -> Value {
        let mut value = json!({
            "id": phone.id,
            "name": phone.name,
            "state": "active",
            "version": 1,
            "site": {
                "id": phone.site_id,
                "name": self.site(&phone.site_id).map(|s| s.name.as_str()).unwrap_or(""),
            },
            "phoneBaseSettings": {
                "id": phone.phone_base_id,
                "name": self.phone_base(&phone.phone_base_id).map(|p| p.name.as_str()).unwrap_or(""),
            },
            "lines": [{ "id": phone.station_id, "name": format!("line_{}", phone.web_rtc_user_id) }],
            "selfUri": format!("/api/v2/telephony/providers/edges/phones/{}", phone.id),
        });
        if with_user {
            value["webRtcUser"] = json!({
                "id": phone.web_rtc_user_id,
                "selfUri": format!("/api/v2/users/{}", phone.web_rtc_user_id),
            });
        }
        value
    }

    /// `Station` of a WebRTC phone (no one is signed in to it: `AVAILABLE`).
    pub fn station_json(phone: &SandboxPhone) -> Value {
        json!({
            "id": phone.station_id,
            "name": phone.name,
            "status": "AVAILABLE",
            "webRtcUserId": phone.web_rtc_user_id,
            "type": "inin_webrtc_softphone",
            "lineAppearanceId": phone.station_id,
            "webRtcPersistentEnabled": false,
            "selfUri": format!("/api/v2/stations/{}", phone.station_id),
        })
    }
}
