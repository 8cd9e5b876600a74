//! The sandbox org's state: divisions, roles, queues, routing skills, locations, users (with
//! their grants, skills and locations), the day-1 lists (`day_one`), issued tokens and
//! per-token rate windows, and its optional file on disk.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::config::Seed;
use crate::day_one::{OrgDayOne, UserDayOne};
use crate::stats::SandboxStats;
use rollcall_core::genesys::{Contact, ExternalId, UserState};

/// A division of the sandbox org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxDivision {
    pub id: String,
    pub name: String,
    pub home: bool,
}

/// An organization role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxRole {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// What the role grants; the roles listing filters on it.
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// A routing queue and its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxQueue {
    pub id: String,
    pub name: String,
    pub division_id: String,
    /// User ids, in the order they were added.
    #[serde(default)]
    pub member_ids: Vec<String>,
}

/// A routing skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxSkill {
    pub id: String,
    pub name: String,
}

/// A location (`LocationDefinition`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxLocation {
    pub id: String,
    pub name: String,
}

/// A role a user holds in a division; `*` is every division.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxGrant {
    pub role_id: String,
    pub division_id: String,
}

/// A routing skill a user has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxUserSkill {
    pub skill_id: String,
    pub proficiency: f64,
}

/// A user of the sandbox org, as tests read it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxUser {
    pub id: String,
    pub name: String,
    pub email: String,
    pub state: UserState,
    pub division_id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub addresses: Vec<Contact>,
    #[serde(default)]
    pub manager_id: Option<String>,
    #[serde(default)]
    pub grants: Vec<SandboxGrant>,
    #[serde(default)]
    pub skills: Vec<SandboxUserSkill>,
    #[serde(default)]
    pub location_ids: Vec<String>,
    pub version: i64,
    /// Invitations sent to this user.
    #[serde(default)]
    pub invitations: u32,
    /// Whether a password was set with `POST /api/v2/users/{id}/password` (the password itself
    /// is never kept).
    #[serde(default)]
    pub password_set: bool,
    /// Languages, external ids, employer info, auto-answer and default station.
    #[serde(default)]
    pub day_one: UserDayOne,
    /// When the user becomes visible to search (search lags a fresh create).
    #[serde(skip)]
    pub searchable_at: Option<Instant>,
}

/// What is kept in the state file. Files written before roles, queues, skills and locations
/// existed load with none.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct OrgFile {
    pub divisions: Vec<SandboxDivision>,
    #[serde(default)]
    pub roles: Vec<SandboxRole>,
    #[serde(default)]
    pub queues: Vec<SandboxQueue>,
    #[serde(default)]
    pub skills: Vec<SandboxSkill>,
    #[serde(default)]
    pub locations: Vec<SandboxLocation>,
    pub users: Vec<SandboxUser>,
    #[serde(default)]
    pub day_one: OrgDayOne,
}

pub(crate) struct TokenInfo {
    pub client_id: String,
    pub expires_at: Instant,
    pub revoked: bool,
}

/// The calls whose first ones for each user a fault refuses (`bulkadd_not_found_first`,
/// `stale_version_first`), each counted on its own for every user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum UserCall {
    /// `POST /api/v2/authorization/subjects/{id}/bulkadd`.
    Bulkadd,
    /// `PATCH /api/v2/users/{id}`.
    PatchUser,
    /// `PATCH /api/v2/users/{id}/routingskills/bulk`.
    PatchSkills,
    /// `PUT /api/v2/users/{id}/station/defaultstation/{stationId}`.
    DefaultStation,
}

/// The whole mutable state, behind one lock (never held across an `.await`).
pub(crate) struct Org {
    pub divisions: Vec<SandboxDivision>,
    pub roles: Vec<SandboxRole>,
    pub queues: Vec<SandboxQueue>,
    pub skills: Vec<SandboxSkill>,
    pub locations: Vec<SandboxLocation>,
    pub users: Vec<SandboxUser>,
    /// Languages, groups, sites, phone base settings and phones.
    pub day_one: OrgDayOne,
    pub by_id: HashMap<String, usize>,
    pub by_email: HashMap<String, usize>,
    pub tokens: HashMap<String, TokenInfo>,
    /// For each token, when its most recent accepted requests arrived (at most the limit's
    /// count): the sliding window of the per-token rate limit.
    pub recent_requests: HashMap<String, VecDeque<Instant>>,
    /// Calls seen for each user id and kind, for the faults that refuse the first ones.
    pub user_calls: HashMap<(String, UserCall), u32>,
    /// How far [`Org::now`] runs ahead of the real clock (`Sandbox::advance_clock`).
    pub clock_offset: Duration,
    pub stats: SandboxStats,
    pub dirty: bool,
}

impl Org {
    pub fn from_seed(seed: &Seed) -> Org {
        let mut divisions: Vec<SandboxDivision> = seed
            .divisions
            .iter()
            .enumerate()
            .map(|(i, name)| SandboxDivision {
                id: uuid::Uuid::new_v4().to_string(),
                name: name.clone(),
                home: i == 0,
            })
            .collect();
        if divisions.is_empty() {
            divisions.push(SandboxDivision {
                id: uuid::Uuid::new_v4().to_string(),
                name: "Home".to_owned(),
                home: true,
            });
        }
        let home = divisions[0].id.clone();
        let new_id = || uuid::Uuid::new_v4().to_string();
        let roles = seed
            .roles
            .iter()
            .map(|r| SandboxRole {
                id: new_id(),
                name: r.name.clone(),
                description: r.description.clone(),
                permissions: r.permissions.clone(),
            })
            .collect();
        let queues = seed
            .queues
            .iter()
            .map(|q| SandboxQueue {
                id: new_id(),
                name: q.name.clone(),
                division_id: q
                    .division
                    .as_ref()
                    .and_then(|name| divisions.iter().find(|d| &d.name == name))
                    .map(|d| d.id.clone())
                    .unwrap_or_else(|| home.clone()),
                member_ids: vec![],
            })
            .collect();
        let skills = seed
            .skills
            .iter()
            .map(|name| SandboxSkill {
                id: new_id(),
                name: name.clone(),
            })
            .collect();
        let locations = seed
            .locations
            .iter()
            .map(|name| SandboxLocation {
                id: new_id(),
                name: name.clone(),
            })
            .collect();
        let users: Vec<SandboxUser> = seed
            .users
            .iter()
            .map(|u| SandboxUser {
                id: uuid::Uuid::new_v4().to_string(),
                name: u.name.clone(),
                email: u.email.clone(),
                state: u.state,
                division_id: u
                    .division
                    .as_ref()
                    .and_then(|name| divisions.iter().find(|d| &d.name == name))
                    .map(|d| d.id.clone())
                    .unwrap_or_else(|| home.clone()),
                title: None,
                department: None,
                addresses: vec![],
                manager_id: None,
                grants: vec![],
                skills: vec![],
                location_ids: vec![],
                version: 1,
                invitations: 0,
                password_set: false,
                day_one: UserDayOne {
                    external_ids: seed
                        .external_ids
                        .iter()
                        .filter(|x| x.email.eq_ignore_ascii_case(&u.email))
                        .map(|x| ExternalId {
                            authority_name: x.authority_name.clone(),
                            external_key: x.external_key.clone(),
                        })
                        .collect(),
                    ..UserDayOne::default()
                },
                searchable_at: None,
            })
            .collect();
        Org::from_file(OrgFile {
            divisions,
            roles,
            queues,
            skills,
            locations,
            users,
            day_one: OrgDayOne::from_seed(seed),
        })
    }

    /// The org of a state file or a seed. A deleted user lives in the home division whatever
    /// the file says: Genesys moves a user to Home when it is deleted (API.md, correction 2).
    pub fn from_file(file: OrgFile) -> Org {
        let mut org = Org {
            divisions: file.divisions,
            roles: file.roles,
            queues: file.queues,
            skills: file.skills,
            locations: file.locations,
            users: Vec::new(),
            day_one: file.day_one,
            by_id: HashMap::new(),
            by_email: HashMap::new(),
            tokens: HashMap::new(),
            recent_requests: HashMap::new(),
            user_calls: HashMap::new(),
            clock_offset: Duration::ZERO,
            stats: SandboxStats::default(),
            dirty: false,
        };
        let home = org.home().id.clone();
        org.users.reserve(file.users.len());
        for mut user in file.users {
            if user.state == UserState::Deleted {
                user.division_id = home.clone();
            }
            org.insert(user);
        }
        org
    }

    /// Give an org kept in a file from before the day-1 lists those of `seed`, and its roles
    /// the permissions the seed's roles of the same name grant, so an org someone has been
    /// trying Rollcall on gains them without a reset.
    pub fn add_day_one_from(&mut self, seed: &Seed) {
        if !self.day_one.is_empty() {
            return;
        }
        self.day_one = OrgDayOne::from_seed(seed);
        for role in self.roles.iter_mut().filter(|r| r.permissions.is_empty()) {
            if let Some(seeded) = seed.roles.iter().find(|s| s.name == role.name) {
                role.permissions = seeded.permissions.clone();
            }
        }
        self.dirty = true;
    }

    /// The sandbox's clock: the real one, moved forward by `Sandbox::advance_clock`. Rate
    /// windows, token lifetimes and search lag all read it.
    pub fn now(&self) -> Instant {
        Instant::now() + self.clock_offset
    }

    /// Load the org from `path`, or `None` when there is no such file yet. A file that is not
    /// an org (not its JSON, or without a division) is `InvalidData`, saying what is wrong.
    pub fn load(path: &Path) -> std::io::Result<Option<Org>> {
        let damaged = |why: String| std::io::Error::new(std::io::ErrorKind::InvalidData, why);
        match std::fs::read(path) {
            Ok(bytes) => {
                let file: OrgFile =
                    serde_json::from_slice(&bytes).map_err(|e| damaged(e.to_string()))?;
                // Every org has a home division; users and requests are placed by it.
                if file.divisions.is_empty() {
                    return Err(damaged("it has no division".to_owned()));
                }
                Ok(Some(Org::from_file(file)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The file's contents, for a save.
    pub fn snapshot(&self) -> Vec<u8> {
        let file = OrgFile {
            divisions: self.divisions.clone(),
            roles: self.roles.clone(),
            queues: self.queues.clone(),
            skills: self.skills.clone(),
            locations: self.locations.clone(),
            users: self.users.clone(),
            day_one: self.day_one.clone(),
        };
        serde_json::to_vec(&file).expect("org serialises")
    }

    pub fn insert(&mut self, user: SandboxUser) -> usize {
        let index = self.users.len();
        self.by_id.insert(user.id.clone(), index);
        self.by_email.insert(user.email.to_lowercase(), index);
        self.users.push(user);
        self.dirty = true;
        index
    }

    pub fn home(&self) -> &SandboxDivision {
        self.divisions
            .iter()
            .find(|d| d.home)
            .unwrap_or(&self.divisions[0])
    }

    pub fn division(&self, id: &str) -> Option<&SandboxDivision> {
        self.divisions.iter().find(|d| d.id == id)
    }

    /// The user with this id, unless unknown or soft-deleted.
    pub fn live_user_index(&self, id: &str) -> Option<usize> {
        self.by_id
            .get(id)
            .copied()
            .filter(|&i| self.users[i].state != UserState::Deleted)
    }

    pub fn user_by_email(&self, email: &str) -> Option<&SandboxUser> {
        self.by_email
            .get(&email.trim().to_lowercase())
            .map(|&i| &self.users[i])
    }

    /// Count one request against a token's limit of `allowance` requests in any span of
    /// `window` (a sliding window, as Genesys's limit holds over any 60 s). A refused request
    /// is not counted; it gets the whole seconds until the oldest counted one leaves the window,
    /// at least 1, for its `Retry-After`.
    pub fn count_request(
        &mut self,
        token: &str,
        allowance: u32,
        window: Duration,
    ) -> Result<(), u64> {
        let now = self.now();
        let allowance = allowance as usize;
        let recent = self.recent_requests.entry(token.to_owned()).or_default();
        if recent.len() >= allowance {
            let age = recent.front().map_or(Duration::ZERO, |&oldest| {
                now.saturating_duration_since(oldest)
            });
            if age < window {
                let left = window - age;
                let seconds = left.as_secs() + u64::from(left.subsec_nanos() > 0);
                return Err(seconds.max(1));
            }
            recent.pop_front();
        }
        recent.push_back(now);
        Ok(())
    }

    /// Count a call of `kind` on this user; whether it is one of the first `first`, which a
    /// fault refuses.
    pub fn early_call(&mut self, user_id: &str, kind: UserCall, first: u32) -> bool {
        if first == 0 {
            return false;
        }
        let seen = self
            .user_calls
            .entry((user_id.to_owned(), kind))
            .or_default();
        *seen += 1;
        *seen <= first
    }

    /// The JSON of a user, as `GET /api/v2/users/{id}` answers it.
    pub fn user_json(&self, user: &SandboxUser) -> Value {
        let division = self.division(&user.division_id);
        let mut value = json!({
            "id": user.id,
            "name": user.name,
            "division": {
                "id": user.division_id,
                "name": division.map(|d| d.name.as_str()).unwrap_or(""),
                "selfUri": format!("/api/v2/authorization/divisions/{}", user.division_id),
            },
            "chat": { "jabberId": format!("{}@sandbox.rollcall.local", user.id.replace('-', "")) },
            "email": user.email,
            "primaryContactInfo": [
                { "address": user.email, "mediaType": "EMAIL", "type": "PRIMARY" }
            ],
            "addresses": user.addresses.iter().map(contact_read_back).collect::<Vec<_>>(),
            "state": user.state,
            "username": user.email,
            "version": user.version,
            "acdAutoAnswer": user.day_one.acd_auto_answer,
            "selfUri": format!("/api/v2/users/{}", user.id),
        });
        let object = value.as_object_mut().expect("object");
        if let Some(title) = &user.title {
            object.insert("title".into(), json!(title));
        }
        if let Some(department) = &user.department {
            object.insert("department".into(), json!(department));
        }
        if let Some(manager) = &user.manager_id {
            object.insert(
                "manager".into(),
                json!({ "id": manager, "selfUri": format!("/api/v2/users/{manager}") }),
            );
        }
        value
    }

    pub fn queue_json(&self, queue: &SandboxQueue) -> Value {
        let division = self.division(&queue.division_id);
        json!({
            "id": queue.id,
            "name": queue.name,
            "division": {
                "id": queue.division_id,
                "name": division.map(|d| d.name.as_str()).unwrap_or(""),
                "selfUri": format!("/api/v2/authorization/divisions/{}", queue.division_id),
            },
            "memberCount": queue.member_ids.len(),
            "userMemberCount": queue.member_ids.len(),
            "joinedMemberCount": queue.member_ids.len(),
            "selfUri": format!("/api/v2/routing/queues/{}", queue.id),
        })
    }
}

/// A contact as Genesys reads it back: a phone with an extension comes back as `display` and
/// `extension`, without `address` (API.md, correction 4). Genesys's Terraform provider reads
/// phones in exactly these shapes (`flattenUserAddresses` in
/// terraform-provider-genesyscloud `genesyscloud/user/resource_genesyscloud_user_utils.go`,
/// v1.84): `address` is a number without an extension; `extension` equal to `display` is an
/// extension alone; `extension` with a different `display` is a number (in `display`) plus an
/// extension. A plain number keeps `address` and gains `display`. E-mail entries are left as
/// they are. What a client sends as `display` is never kept: Genesys computes it.
fn contact_read_back(contact: &Contact) -> Contact {
    let mut read = contact.clone();
    if contact.media_type == "EMAIL" {
        return read;
    }
    match (&contact.address, &contact.extension) {
        (number, Some(extension)) => {
            read.address = None;
            read.display = Some(number.clone().unwrap_or_else(|| extension.clone()));
        }
        (Some(address), None) => read.display = Some(address.clone()),
        (None, None) => {}
    }
    read
}
