//! What a row adds to its user after the create: roles in divisions, routing skills, queues, a
//! location and an extension. The org's roles, divisions, queues, skills and locations are
//! looked up once and matched by name before anything is written: what a row asks for becomes
//! ids, or a row error with "did you mean" suggestions. Nothing is ever created from a name.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::day1::Day1Steps;
use super::named::{Named, PlannedSkill};
use super::unknown::Problems;

use crate::genesys::{
    Contact, Division, EmployerInfo, GenesysClient, GenesysError, Location, Queue, Role,
    RoutingSkill, UserLocation, MAX_QUEUE_MEMBERS_PER_CALL, MAX_SKILLS_PER_CALL,
};
use crate::import::{Field, RoleDivisions, UserDraft};
use crate::names::{came_without_id as without_id, find_by_name, find_division};

/// The division id Genesys uses for "every division" in a grant.
pub const ALL_DIVISIONS: &str = "*";

/// A role in a division, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedGrant {
    pub role: Named,
    /// The division, or `{id: "*", name: "All divisions"}`.
    pub division: Named,
}

impl PlannedGrant {
    /// `Agent (Sales)`: how the plan, the journal and the results name it.
    pub fn label(&self) -> String {
        format!("{} ({})", self.role.name, self.division.name)
    }
}

/// What a row adds to its user after the create (or to an existing user, when updating):
/// everything already resolved to ids.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RowSteps {
    pub roles: Vec<PlannedGrant>,
    pub skills: Vec<PlannedSkill>,
    pub queues: Vec<Named>,
    pub location: Option<Named>,
    pub extension: Option<String>,
    /// Languages, groups, employer info, auto-answer, external id and phone.
    #[serde(flatten)]
    pub day1: Day1Steps,
}

impl RowSteps {
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
            && self.skills.is_empty()
            && self.queues.is_empty()
            && self.location.is_none()
            && self.extension.is_none()
            && self.day1.is_empty()
    }

    /// The calls these steps take for one user, not counting what is batched across users
    /// (queues, groups, auto-answer without a `PATCH`).
    pub fn calls(&self) -> u32 {
        let roles = u32::from(!self.roles.is_empty());
        let skills = self.skills.len().div_ceil(MAX_SKILLS_PER_CALL) as u32;
        roles + skills + u32::from(self.has_patch()) + self.day1.calls()
    }

    /// Whether the row makes a `PATCH` of the user after its create: for a location, an
    /// extension or employer info. ACD auto-answer rides in it when there is one.
    pub fn has_patch(&self) -> bool {
        self.location.is_some() || self.extension.is_some() || self.day1.employer.is_some()
    }

    /// Whether the row's auto-answer goes in a `PATCH /users/bulk` batch, for want of a
    /// `PATCH` of its own.
    pub fn bulk_auto_answer(&self) -> bool {
        self.day1.acd_auto_answer.is_some() && !self.has_patch()
    }

    /// One line per step, for the plan and the results: `roles: Agent (Sales), …`.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if !self.roles.is_empty() {
            let roles: Vec<String> = self.roles.iter().map(PlannedGrant::label).collect();
            lines.push(format!("roles: {}", roles.join(", ")));
        }
        if !self.skills.is_empty() {
            let skills: Vec<String> = self
                .skills
                .iter()
                .map(|s| format!("{} {}", s.skill.name, s.proficiency))
                .collect();
            lines.push(format!("skills: {}", skills.join(", ")));
        }
        if !self.queues.is_empty() {
            let queues: Vec<&str> = self.queues.iter().map(|q| q.name.as_str()).collect();
            lines.push(format!("queues: {}", queues.join(", ")));
        }
        if let Some(location) = &self.location {
            lines.push(format!("location: {}", location.name));
        }
        if let Some(extension) = &self.extension {
            lines.push(format!("extension: {extension}"));
        }
        lines.extend(self.day1.describe());
        lines
    }
}

/// Whether a row asks for roles, queues, skills, a location or an extension (the day-1 cells
/// are `day1::wants_day1`).
pub fn wants_steps(draft: &UserDraft) -> bool {
    !draft.roles.is_empty()
        || !draft.queues.is_empty()
        || !draft.skills.is_empty()
        || draft.location.is_some()
        || draft.extension.is_some()
}

/// The org's names, each list read once (all pages).
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub roles: Vec<Role>,
    pub queues: Vec<Queue>,
    pub skills: Vec<RoutingSkill>,
    pub locations: Vec<Location>,
    pub divisions: Vec<Division>,
    pub home: Option<Division>,
    /// Pages read to load it.
    pub calls: u32,
}

impl Directory {
    /// Read what the drafts need: a list the file never uses is not read.
    pub async fn load<'a>(
        client: &GenesysClient,
        divisions: &[Division],
        home: &Division,
        drafts: impl Iterator<Item = &'a UserDraft>,
    ) -> Result<Directory, GenesysError> {
        let (mut roles, mut queues, mut skills, mut locations) = (false, false, false, false);
        for draft in drafts {
            // A model agent's roles, queues and skills are named from these lists.
            let model = draft.like.is_some();
            roles |= !draft.roles.is_empty() || model;
            queues |= !draft.queues.is_empty() || model;
            skills |= !draft.skills.is_empty() || model;
            locations |= draft.location.is_some();
        }
        let pages = |n: usize| n.div_ceil(100).max(1) as u32;
        let mut directory = Directory {
            divisions: divisions.to_vec(),
            home: Some(home.clone()),
            ..Directory::default()
        };
        if roles {
            directory.roles = client.list_roles().await?.value;
            directory.calls += pages(directory.roles.len());
        }
        if queues {
            directory.queues = client.list_queues().await?.value;
            directory.calls += pages(directory.queues.len());
        }
        if skills {
            directory.skills = client.list_skills().await?.value;
            directory.calls += pages(directory.skills.len());
        }
        if locations {
            directory.locations = client.list_locations().await?.value;
            directory.calls += pages(directory.locations.len());
        }
        Ok(directory)
    }

    /// Resolve a row's names to ids. Every name that is not in the org is a problem, with the
    /// closest names the org has.
    pub fn resolve(&self, draft: &UserDraft) -> Result<RowSteps, Problems> {
        let mut problems = Problems::default();
        let mut steps = RowSteps {
            extension: draft.extension.clone(),
            ..RowSteps::default()
        };

        let role_names = || self.roles.iter().map(|r| r.name.as_str());
        let division_names = || self.divisions.iter().map(|d| d.name.as_str());
        let mut seen = BTreeSet::new();
        for grant in &draft.roles {
            let Some(role) = find_by_name(&self.roles, &grant.role, |r| &r.name) else {
                problems.not_in_org(Field::RolesDivisions, "role", &grant.role, role_names());
                continue;
            };
            if role.id.is_empty() {
                problems.push(without_id("role", &role.name));
                continue;
            }
            let role = Named::new(&role.id, &role.name);
            let divisions: Vec<Named> = match &grant.divisions {
                RoleDivisions::Home => self
                    .home
                    .iter()
                    .map(|d| Named::new(&d.id, &d.name))
                    .collect(),
                RoleDivisions::All => vec![Named::new(ALL_DIVISIONS, "All divisions")],
                RoleDivisions::Named(names) => names
                    .iter()
                    .filter_map(|name| match find_division(&self.divisions, name) {
                        Some(d) => Some(Named::new(&d.id, &d.name)),
                        None => {
                            problems.not_in_org(
                                Field::RolesDivisions,
                                "division",
                                name,
                                division_names(),
                            );
                            None
                        }
                    })
                    .collect(),
            };
            for division in divisions {
                if seen.insert((role.id.clone(), division.id.clone())) {
                    steps.roles.push(PlannedGrant {
                        role: role.clone(),
                        division,
                    });
                }
            }
        }

        let skill_names = || self.skills.iter().map(|s| s.name.as_str());
        for wanted in &draft.skills {
            match find_by_name(&self.skills, &wanted.name, |s| &s.name) {
                Some(skill) if skill.id.is_empty() => {
                    problems.push(without_id("routing skill", &skill.name))
                }
                Some(skill) => {
                    // The file may name a skill twice; the last proficiency wins.
                    steps.skills.retain(|s| s.skill.id != skill.id);
                    steps.skills.push(PlannedSkill {
                        skill: Named::new(&skill.id, &skill.name),
                        proficiency: wanted.proficiency,
                    });
                }
                None => {
                    problems.not_in_org(Field::Skills, "routing skill", &wanted.name, skill_names())
                }
            }
        }

        let queue_names = || self.queues.iter().map(|q| q.name.as_str());
        for wanted in &draft.queues {
            match find_by_name(&self.queues, wanted, |q| &q.name) {
                Some(queue) if queue.id.is_empty() => {
                    problems.push(without_id("queue", &queue.name))
                }
                Some(queue) if !steps.queues.iter().any(|q| q.id == queue.id) => {
                    steps.queues.push(Named::new(&queue.id, &queue.name))
                }
                Some(_) => {}
                None => problems.not_in_org(Field::Queues, "queue", wanted, queue_names()),
            }
        }

        if let Some(wanted) = &draft.location {
            match find_by_name(&self.locations, wanted, |l| &l.name) {
                Some(location) if location.id.is_empty() => {
                    problems.push(without_id("location", &location.name))
                }
                Some(location) => steps.location = Some(Named::new(&location.id, &location.name)),
                None => problems.not_in_org(
                    Field::LocationWork,
                    "location",
                    wanted,
                    self.locations.iter().map(|l| l.name.as_str()),
                ),
            }
        }

        if problems.is_empty() {
            Ok(steps)
        } else {
            Err(problems)
        }
    }
}

/// What an existing user already has, read before an update so that only what is missing is
/// added (roles and queues are added, never removed, as the admin UI's import does).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Current {
    /// (role id, division id) pairs.
    pub grants: BTreeSet<(String, String)>,
    /// Skill id → proficiency.
    pub skills: HashMap<String, f64>,
    pub queue_ids: BTreeSet<String>,
    pub location_ids: BTreeSet<String>,
    pub extension: Option<String>,
    /// Language id → proficiency.
    pub languages: HashMap<String, f64>,
    pub group_ids: BTreeSet<String>,
    pub employer: EmployerInfo,
    pub acd_auto_answer: Option<bool>,
    /// Whether the user has a default station already (read only when the row asks for a
    /// phone): it is kept.
    pub has_default_station: bool,
}

impl Current {
    /// The calls [`Current::read`] makes for a row that wants `wanted`.
    pub fn calls(wanted: &RowSteps) -> u32 {
        4 + u32::from(!wanted.day1.languages.is_empty()) + u32::from(wanted.day1.phone.is_some())
    }

    /// Read a user's grants, skills, queues, location, extension, employer info, auto-answer
    /// and groups (four calls, side by side), and its languages and stations when the row
    /// asks for some.
    pub async fn read(
        client: &GenesysClient,
        user_id: &str,
        wanted: &RowSteps,
    ) -> Result<Current, GenesysError> {
        let languages = async {
            if wanted.day1.languages.is_empty() {
                return Ok(Vec::new());
            }
            client.user_languages(user_id).await.map(|r| r.value)
        };
        let stations = async {
            if wanted.day1.phone.is_none() {
                return Ok(false);
            }
            let stations = client.user_stations(user_id).await?.value;
            Ok(stations.default_station_id().is_some())
        };
        let (grants, skills, queues, user, languages, has_default_station) = tokio::try_join!(
            client.user_grants(user_id),
            client.user_skills(user_id),
            client.user_queues(user_id),
            client.get_user_expanded(user_id, &["locations", "employerInfo", "groups"]),
            languages,
            stations,
        )?;
        let (grants, skills, queues, user) = (grants.value, skills.value, queues.value, user.value);
        Ok(Current {
            languages: languages
                .into_iter()
                .map(|l| (l.id, l.proficiency))
                .collect(),
            group_ids: user.groups.iter().map(|g| g.id.clone()).collect(),
            employer: user.employer_info.clone().unwrap_or_default(),
            acd_auto_answer: user.acd_auto_answer,
            has_default_station,
            grants: grants
                .pairs()
                .into_iter()
                .map(|g| (g.role_id, g.division_id))
                .collect(),
            skills: skills.into_iter().map(|s| (s.id, s.proficiency)).collect(),
            queue_ids: queues.into_iter().map(|q| q.id).collect(),
            location_ids: user
                .locations
                .iter()
                .filter_map(UserLocation::location_id)
                .map(str::to_owned)
                .collect(),
            // Genesys reads an extension back as `extension` or as `display`.
            extension: user
                .addresses
                .iter()
                .filter(|a| a.media_type == "PHONE")
                .find_map(Contact::extension_read)
                .map(str::to_owned),
        })
    }

    /// What `wanted` adds to this user: nothing it already has.
    pub fn missing(&self, wanted: &RowSteps) -> RowSteps {
        RowSteps {
            roles: wanted
                .roles
                .iter()
                .filter(|g| {
                    !self
                        .grants
                        .contains(&(g.role.id.clone(), g.division.id.clone()))
                })
                .cloned()
                .collect(),
            skills: wanted
                .skills
                .iter()
                .filter(|s| self.skills.get(&s.skill.id) != Some(&s.proficiency))
                .cloned()
                .collect(),
            queues: wanted
                .queues
                .iter()
                .filter(|q| !self.queue_ids.contains(&q.id))
                .cloned()
                .collect(),
            location: wanted
                .location
                .clone()
                .filter(|l| !self.location_ids.contains(&l.id)),
            extension: wanted
                .extension
                .clone()
                .filter(|e| self.extension.as_deref() != Some(e.as_str())),
            day1: self.missing_day1(&wanted.day1),
        }
    }

    /// The day-1 part of [`Current::missing`]: languages and groups the user lacks, employer
    /// info and auto-answer that differ (a blank cell never clears one), and a phone only for
    /// a user without a default station. The external id is sent as the file has it.
    fn missing_day1(&self, wanted: &Day1Steps) -> Day1Steps {
        let employer = wanted.employer.as_ref().and_then(|new| {
            let old = &self.employer;
            let differs = |new: &Option<String>, old: &Option<String>| {
                new.is_some() && new.as_deref() != old.as_deref()
            };
            let changed = differs(&new.official_name, &old.official_name)
                || differs(&new.employee_id, &old.employee_id)
                || differs(&new.employee_type, &old.employee_type)
                || differs(&new.date_hire, &old.date_hire);
            // All four go together (whether leaving one out clears it is UNCONFIRMED): the
            // file's where it has one, the user's own elsewhere.
            changed.then(|| EmployerInfo {
                official_name: new.official_name.clone().or(old.official_name.clone()),
                employee_id: new.employee_id.clone().or(old.employee_id.clone()),
                employee_type: new.employee_type.clone().or(old.employee_type.clone()),
                date_hire: new.date_hire.clone().or(old.date_hire.clone()),
            })
        });
        Day1Steps {
            languages: wanted
                .languages
                .iter()
                .filter(|l| self.languages.get(&l.skill.id) != Some(&l.proficiency))
                .cloned()
                .collect(),
            groups: wanted
                .groups
                .iter()
                .filter(|g| !self.group_ids.contains(&g.id))
                .cloned()
                .collect(),
            employer,
            acd_auto_answer: wanted
                .acd_auto_answer
                .filter(|on| self.acd_auto_answer != Some(*on)),
            external_id: wanted.external_id.clone(),
            phone: wanted.phone.clone().filter(|_| !self.has_default_station),
        }
    }

    /// What an update changes in the user's single values, `old → new`, for the plan, and
    /// the default station it keeps.
    pub fn changes(&self, wanted: &RowSteps) -> Vec<String> {
        let mut changes = Vec::new();
        if let Some(new) = &wanted.day1.employer {
            let old = &self.employer;
            for (what, new, old) in [
                ("employee id", &new.employee_id, &old.employee_id),
                ("employee type", &new.employee_type, &old.employee_type),
                ("hire date", &new.date_hire, &old.date_hire),
                ("official name", &new.official_name, &old.official_name),
            ] {
                if let Some(new) = new.as_deref().filter(|n| Some(*n) != old.as_deref()) {
                    changes.push(format!(
                        "{what}: {} → {new}",
                        old.as_deref().unwrap_or("(none)")
                    ));
                }
            }
        }
        if let Some(new) = wanted.day1.acd_auto_answer {
            if self.acd_auto_answer != Some(new) {
                let word = |on: bool| if on { "on" } else { "off" };
                changes.push(format!(
                    "ACD auto-answer: {} → {}",
                    self.acd_auto_answer.map_or("(not set)", word),
                    word(new)
                ));
            }
        }
        if wanted.day1.phone.is_some() && self.has_default_station {
            changes.push("keeps its default station; no phone is made".to_owned());
        }
        changes
    }
}

/// Calls to add `members` queue memberships spread over `queues` queues, batched per queue.
pub fn queue_calls(per_queue: impl Iterator<Item = usize>) -> u32 {
    per_queue
        .map(|members| members.div_ceil(MAX_QUEUE_MEMBERS_PER_CALL) as u32)
        .sum()
}

#[cfg(test)]
mod tests;
