//! What a row adds so that its agent can take a call on day 1, beyond roles, queues and
//! skills: routing languages and groups (by name, "did you mean" for the rest), the employer
//! info and ACD auto-answer of its PATCH, an external id, and a WebRTC phone on a site. The
//! org's languages, groups, sites and phone base settings are each read once, and only when a
//! row needs them.

use serde::{Deserialize, Serialize};

use super::named::{Named, PlannedSkill};
use super::unknown::Problems;
use crate::genesys::{
    EmployerInfo, ExternalId, GenesysClient, GenesysError, Group, Language, PhoneBaseSettings,
    Site, MAX_GROUP_MEMBERS_PER_CALL, MAX_LANGUAGES_PER_CALL, WEBRTC_META_BASE,
};
use crate::import::{Field, PhoneBase, UserDraft};
use crate::names::{came_without_id as without_id, find_by_name};

/// The phone a row's user gets: made from these settings, on this site, its station then made
/// the user's default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedPhone {
    /// The phone base settings, with the line base and meta base the phone's body names.
    pub base: PhoneBaseSettings,
    pub site: Named,
}

/// The day-1 part of a row's steps, resolved to ids.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Day1Steps {
    pub languages: Vec<PlannedSkill>,
    pub groups: Vec<Named>,
    /// Sent in the row's PATCH, with the version.
    pub employer: Option<EmployerInfo>,
    /// Sent in the row's PATCH when it has one, else in a `PATCH /users/bulk` batch.
    pub acd_auto_answer: Option<bool>,
    pub external_id: Option<ExternalId>,
    pub phone: Option<PlannedPhone>,
}

impl Day1Steps {
    pub fn is_empty(&self) -> bool {
        self.languages.is_empty()
            && self.groups.is_empty()
            && self.employer.is_none()
            && self.acd_auto_answer.is_none()
            && self.external_id.is_none()
            && self.phone.is_none()
    }

    /// The calls of this user's own: languages in fifties, the external id, and the phone
    /// (look-up, create, station, default station). Employer info and auto-answer ride in the
    /// row's PATCH (or auto-answer in a batch), and groups are batched across users: both are
    /// counted by the plan's totals.
    pub fn calls(&self) -> u32 {
        let languages = self.languages.len().div_ceil(MAX_LANGUAGES_PER_CALL) as u32;
        let external_id = u32::from(self.external_id.is_some());
        let phone = if self.phone.is_some() { 4 } else { 0 };
        languages + external_id + phone
    }

    /// What the same steps take one call per language, group and item.
    pub fn naive_calls(&self) -> u32 {
        (self.languages.len() + self.groups.len()) as u32
            + u32::from(self.employer.is_some())
            + u32::from(self.acd_auto_answer.is_some())
            + u32::from(self.external_id.is_some())
            + if self.phone.is_some() { 4 } else { 0 }
    }

    /// One line per step, for the plan and the results.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if !self.languages.is_empty() {
            let languages: Vec<String> = self
                .languages
                .iter()
                .map(|l| format!("{} {}", l.skill.name, l.proficiency))
                .collect();
            lines.push(format!("languages: {}", languages.join(", ")));
        }
        if !self.groups.is_empty() {
            let groups: Vec<&str> = self.groups.iter().map(|g| g.name.as_str()).collect();
            lines.push(format!("groups: {}", groups.join(", ")));
        }
        if let Some(employer) = &self.employer {
            lines.push(format!("employer info: {}", employer_label(employer)));
        }
        if let Some(on) = self.acd_auto_answer {
            lines.push(format!(
                "ACD auto-answer: {}",
                if on { "on" } else { "off" }
            ));
        }
        if let Some(id) = &self.external_id {
            lines.push(format!(
                "external id: {}:{}",
                id.authority_name, id.external_key
            ));
        }
        if let Some(phone) = &self.phone {
            lines.push(format!(
                "phone: {} on {}, as the default station",
                phone.base.name, phone.site.name
            ));
        }
        lines
    }
}

/// `employee id E1, Full-time, hired 2026-03-14, official name Ada King`.
pub fn employer_label(employer: &EmployerInfo) -> String {
    let mut parts = Vec::new();
    if let Some(id) = &employer.employee_id {
        parts.push(format!("employee id {id}"));
    }
    if let Some(kind) = &employer.employee_type {
        parts.push(kind.clone());
    }
    if let Some(date) = &employer.date_hire {
        parts.push(format!("hired {date}"));
    }
    if let Some(name) = &employer.official_name {
        parts.push(format!("official name {name}"));
    }
    parts.join(", ")
}

/// Whether a row asks for any day-1 step.
pub fn wants_day1(draft: &UserDraft) -> bool {
    !draft.languages.is_empty()
        || !draft.groups.is_empty()
        || !draft.employer.is_empty()
        || draft.acd_auto_answer.is_some()
        || draft.external_id.is_some()
        || draft.phone.is_some()
}

/// Calls to add group memberships, batched per group (fifty users a call; each batch reads the
/// group's members and its version first).
pub fn group_calls(per_group: impl Iterator<Item = usize>) -> u32 {
    per_group
        .map(|members| 3 * members.div_ceil(MAX_GROUP_MEMBERS_PER_CALL) as u32)
        .sum()
}

/// The org's languages, groups, sites and phone base settings, each read once.
#[derive(Debug, Clone, Default)]
pub struct Day1Directory {
    pub languages: Vec<Language>,
    pub groups: Vec<Group>,
    pub sites: Vec<Site>,
    pub phone_bases: Vec<PhoneBaseSettings>,
    /// Pages read to load it.
    pub calls: u32,
}

impl Day1Directory {
    /// Read what the drafts need: a list no row uses is not read.
    pub async fn load<'a>(
        client: &GenesysClient,
        drafts: impl Iterator<Item = &'a UserDraft>,
    ) -> Result<Day1Directory, GenesysError> {
        let (mut languages, mut groups, mut phones) = (false, false, false);
        for draft in drafts {
            // A model agent's languages and groups are named from these lists.
            let model = draft.like.is_some();
            languages |= !draft.languages.is_empty() || model;
            groups |= !draft.groups.is_empty() || model;
            phones |= draft.phone.is_some();
        }
        let pages = |n: usize| n.div_ceil(100).max(1) as u32;
        let mut directory = Day1Directory::default();
        if languages {
            directory.languages = client.list_languages().await?.value;
            directory.languages.retain(|l| !l.is_deleted());
            directory.calls += pages(directory.languages.len());
        }
        if groups {
            directory.groups = client.list_groups().await?.value;
            directory.calls += pages(directory.groups.len());
        }
        if phones {
            directory.sites = client.list_sites().await?.value;
            directory.sites.retain(|s| !s.is_deleted());
            // Managed and unmanaged sites are listed apart.
            directory.calls += 2 * pages(directory.sites.len());
            directory.phone_bases = client.list_phone_base_settings().await?.value;
            directory.phone_bases.retain(|b| !b.is_deleted());
            directory.calls += pages(directory.phone_bases.len());
        }
        Ok(directory)
    }

    /// Resolve a row's day-1 cells. Every name the org lacks is a problem, with the closest
    /// names it has.
    pub fn resolve(&self, draft: &UserDraft) -> Result<Day1Steps, Problems> {
        let mut problems = Problems::default();
        let mut steps = Day1Steps {
            acd_auto_answer: draft.acd_auto_answer,
            employer: (!draft.employer.is_empty()).then(|| EmployerInfo {
                official_name: draft.employer.official_name.clone(),
                employee_id: draft.employer.employee_id.clone(),
                employee_type: draft.employer.employee_type.clone(),
                date_hire: draft.employer.hire_date.clone(),
            }),
            external_id: draft.external_id.as_ref().map(|id| ExternalId {
                authority_name: id.authority.clone(),
                external_key: id.key.clone(),
            }),
            ..Day1Steps::default()
        };

        for wanted in &draft.languages {
            match find_by_name(&self.languages, &wanted.name, |l| &l.name) {
                Some(language) if language.id.is_empty() => {
                    problems.push(without_id("routing language", &language.name))
                }
                Some(language) => {
                    steps.languages.retain(|l| l.skill.id != language.id);
                    steps.languages.push(PlannedSkill {
                        skill: Named::new(&language.id, &language.name),
                        proficiency: wanted.proficiency,
                    });
                }
                None => problems.not_in_org(
                    Field::Languages,
                    "routing language",
                    &wanted.name,
                    self.languages.iter().map(|l| l.name.as_str()),
                ),
            }
        }

        for wanted in &draft.groups {
            match find_by_name(&self.groups, wanted, |g| &g.name) {
                Some(group) if group.id.is_empty() => {
                    problems.push(without_id("group", &group.name))
                }
                Some(group) if !steps.groups.iter().any(|g| g.id == group.id) => {
                    steps.groups.push(Named::new(&group.id, &group.name))
                }
                Some(_) => {}
                None => problems.not_in_org(
                    Field::Groups,
                    "group",
                    wanted,
                    self.groups.iter().map(|g| g.name.as_str()),
                ),
            }
        }

        if let Some(request) = &draft.phone {
            let base = self.phone_base(&request.base, &mut problems);
            let site = find_by_name(&self.sites, &request.site, |s| &s.name);
            if site.is_none() {
                problems.not_in_org(
                    Field::Site,
                    "site",
                    &request.site,
                    self.sites.iter().map(|s| s.name.as_str()),
                );
            }
            if let (Some(base), Some(site)) = (base, site) {
                steps.phone = Some(PlannedPhone {
                    base: base.clone(),
                    site: Named::new(&site.id, &site.name),
                })
            }
        }

        if problems.is_empty() {
            Ok(steps)
        } else {
            Err(problems)
        }
    }

    /// `webrtc` is the org's only WebRTC phone base settings; any other name is matched. What
    /// does not resolve is a problem, added to `problems`.
    fn phone_base(
        &self,
        wanted: &PhoneBase,
        problems: &mut Problems,
    ) -> Option<&PhoneBaseSettings> {
        let refused = match wanted {
            PhoneBase::Named(name) => {
                let Some(base) = find_by_name(&self.phone_bases, name, |b| &b.name) else {
                    problems.not_in_org(
                        Field::Phone,
                        "phone base settings",
                        name,
                        self.phone_bases.iter().map(|b| b.name.as_str()),
                    );
                    return None;
                };
                // A desk phone needs its hardware's address; only a softphone can be made
                // from a file.
                if base.is_webrtc() {
                    return Some(base);
                }
                format!(
                    "The phone base settings \"{}\" are not for WebRTC phones, and Rollcall \
                     makes only WebRTC phones; name WebRTC settings ({}) or write webrtc.",
                    base.name,
                    quoted(
                        self.phone_bases
                            .iter()
                            .filter(|b| b.is_webrtc())
                            .map(|b| b.name.as_str())
                    )
                )
            }
            PhoneBase::WebRtc => {
                let webrtc: Vec<&PhoneBaseSettings> =
                    self.phone_bases.iter().filter(|b| b.is_webrtc()).collect();
                match webrtc[..] {
                    [only] => return Some(only),
                    [] => format!(
                        "The org has no phone base settings for WebRTC phones (meta base \
                         {WEBRTC_META_BASE}); create them in Genesys Cloud, or name other \
                         phone base settings in the phone column. It has: {}.",
                        quoted(self.phone_bases.iter().map(|b| b.name.as_str()))
                    ),
                    _ => format!(
                        "The org has several phone base settings for WebRTC phones: {}; write \
                         the one to use in the phone column instead of webrtc.",
                        quoted(webrtc.iter().map(|b| b.name.as_str()))
                    ),
                }
            }
        };
        problems.push(refused);
        None
    }
}

fn quoted<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|n| format!("\"{n}\"")).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests;
