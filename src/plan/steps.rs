//! What a row adds to its user after the create: roles in divisions, routing skills, queues, a
//! location and an extension. The org's roles, divisions, queues, skills and locations are
//! looked up once and matched by name before anything is written: what a row asks for becomes
//! ids, or a row error with "did you mean" suggestions. Nothing is ever created from a name.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::genesys::{
    Contact, Division, GenesysClient, GenesysError, Location, Queue, Role, RoutingSkill,
    UserLocation, MAX_QUEUE_MEMBERS_PER_CALL, MAX_SKILLS_PER_CALL,
};
use crate::import::{RoleDivisions, UserDraft};
use crate::names::{did_you_mean, find_by_name, find_division, similar_names};

/// The division id Genesys uses for "every division" in a grant.
pub const ALL_DIVISIONS: &str = "*";

/// An entity the plan resolved, by id, with the name the admin knows it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Named {
    pub id: String,
    pub name: String,
}

impl Named {
    fn new(id: &str, name: &str) -> Named {
        Named {
            id: id.to_owned(),
            name: name.to_owned(),
        }
    }
}

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

/// A routing skill with its proficiency, resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedSkill {
    pub skill: Named,
    pub proficiency: f64,
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
}

impl RowSteps {
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
            && self.skills.is_empty()
            && self.queues.is_empty()
            && self.location.is_none()
            && self.extension.is_none()
    }

    /// The calls these steps take for one user, queues counted as a share of a batched call.
    pub fn calls(&self) -> u32 {
        let roles = u32::from(!self.roles.is_empty());
        let skills = self.skills.len().div_ceil(MAX_SKILLS_PER_CALL) as u32;
        let profile = u32::from(self.location.is_some() || self.extension.is_some());
        roles + skills + profile
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
        lines
    }
}

/// Whether a row asks for roles, queues, skills, a location or an extension.
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
            roles |= !draft.roles.is_empty();
            queues |= !draft.queues.is_empty();
            skills |= !draft.skills.is_empty();
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
    pub fn resolve(&self, draft: &UserDraft) -> Result<RowSteps, Vec<String>> {
        let mut problems = Vec::new();
        let mut steps = RowSteps {
            extension: draft.extension.clone(),
            ..RowSteps::default()
        };

        let role_names = || self.roles.iter().map(|r| r.name.as_str());
        let division_names = || self.divisions.iter().map(|d| d.name.as_str());
        let mut seen = BTreeSet::new();
        for grant in &draft.roles {
            let Some(role) = find_by_name(&self.roles, &grant.role, |r| &r.name) else {
                problems.push(unknown("role", &grant.role, role_names()));
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
                            problems.push(unknown("division", name, division_names()));
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
                None => problems.push(unknown("routing skill", &wanted.name, skill_names())),
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
                None => problems.push(unknown("queue", wanted, queue_names())),
            }
        }

        if let Some(wanted) = &draft.location {
            match find_by_name(&self.locations, wanted, |l| &l.name) {
                Some(location) if location.id.is_empty() => {
                    problems.push(without_id("location", &location.name))
                }
                Some(location) => steps.location = Some(Named::new(&location.id, &location.name)),
                None => problems.push(unknown(
                    "location",
                    wanted,
                    self.locations.iter().map(|l| l.name.as_str()),
                )),
            }
        }

        if problems.is_empty() {
            Ok(steps)
        } else {
            Err(problems)
        }
    }
}

/// A name the org has, whose entity came without an id in Genesys's answer (every field of a
/// listing is read leniently; the id is the one the run cannot do without).
fn without_id(what: &str, name: &str) -> String {
    format!(
        "The {what} \"{name}\" came without an id in Genesys's answer, so nothing can be \
         added with it. Try again later; if it persists, ask Genesys support."
    )
}

fn unknown<'a>(what: &str, name: &str, names: impl Iterator<Item = &'a str>) -> String {
    let suggestions = similar_names(name, names);
    let hint = if suggestions.is_empty() {
        format!(
            " Create it in Genesys Cloud first, or correct the name; Rollcall never creates a \
             {what}."
        )
    } else {
        did_you_mean(&suggestions)
    };
    format!("The {what} \"{}\" is not in this org.{hint}", name.trim())
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
}

impl Current {
    /// The calls [`Current::read`] makes.
    pub const CALLS: u32 = 4;

    /// Read a user's grants, skills, queues, location and extension (four calls, side by side).
    pub async fn read(client: &GenesysClient, user_id: &str) -> Result<Current, GenesysError> {
        let (grants, skills, queues, user) = tokio::try_join!(
            client.user_grants(user_id),
            client.user_skills(user_id),
            client.user_queues(user_id),
            client.get_user_expanded(user_id, &["locations"]),
        )?;
        let (grants, skills, queues, user) = (grants.value, skills.value, queues.value, user.value);
        Ok(Current {
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
        }
    }
}

/// Calls to add `members` queue memberships spread over `queues` queues, batched per queue.
pub fn queue_calls(per_queue: impl Iterator<Item = usize>) -> u32 {
    per_queue
        .map(|members| members.div_ceil(MAX_QUEUE_MEMBERS_PER_CALL) as u32)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{RoleGrant, SkillLevel};

    fn directory() -> Directory {
        let division = |id: &str, name: &str, home| Division {
            id: id.into(),
            name: name.into(),
            home_division: home,
            ..Division::default()
        };
        Directory {
            roles: vec![
                Role {
                    id: "r1".into(),
                    name: "Agent".into(),
                    ..Role::default()
                },
                Role {
                    id: "r2".into(),
                    name: "Supervisor".into(),
                    ..Role::default()
                },
            ],
            queues: vec![Queue {
                id: "q1".into(),
                name: "Support".into(),
                ..Queue::default()
            }],
            skills: vec![RoutingSkill {
                id: "s1".into(),
                name: "English".into(),
            }],
            locations: vec![Location {
                id: "l1".into(),
                name: "London Office".into(),
            }],
            divisions: vec![division("d1", "Home", true), division("d2", "Sales", false)],
            home: Some(division("d1", "Home", true)),
            calls: 0,
        }
    }

    fn draft() -> UserDraft {
        UserDraft::minimal("Ada", "ada@example.com")
    }

    #[test]
    fn names_resolve_to_ids_ignoring_case() {
        let mut draft = draft();
        draft.roles = vec![
            RoleGrant {
                role: "agent".into(),
                divisions: RoleDivisions::Named(vec!["sales".into()]),
            },
            RoleGrant {
                role: "Supervisor".into(),
                divisions: RoleDivisions::All,
            },
        ];
        draft.queues = vec!["support".into()];
        draft.skills = vec![SkillLevel {
            name: "English".into(),
            proficiency: 4.0,
        }];
        draft.location = Some("london office".into());
        draft.extension = Some("1234".into());
        let steps = directory().resolve(&draft).unwrap();
        assert_eq!(steps.roles[0].role.id, "r1");
        assert_eq!(steps.roles[0].division.id, "d2");
        assert_eq!(steps.roles[1].division.id, ALL_DIVISIONS);
        assert_eq!(steps.queues[0].id, "q1");
        assert_eq!(steps.skills[0].skill.id, "s1");
        assert_eq!(steps.location.as_ref().unwrap().id, "l1");
        assert_eq!(steps.calls(), 3);
    }

    #[test]
    fn an_unknown_name_is_a_problem_with_suggestions_never_a_create() {
        let mut draft = draft();
        draft.roles = vec![RoleGrant {
            role: "Agnet".into(),
            divisions: RoleDivisions::Home,
        }];
        draft.queues = vec!["Suport".into(), "Marketing".into()];
        let problems = directory().resolve(&draft).unwrap_err();
        assert_eq!(
            problems,
            [
                "The role \"Agnet\" is not in this org. Did you mean \"Agent\"?",
                "The queue \"Suport\" is not in this org. Did you mean \"Support\"?",
                "The queue \"Marketing\" is not in this org. Create it in Genesys Cloud first, \
                 or correct the name; Rollcall never creates a queue."
            ]
        );
    }

    #[test]
    fn a_name_whose_entity_came_without_an_id_is_a_problem_that_says_so() {
        let mut directory = directory();
        directory.queues[0].id.clear();
        let mut draft = draft();
        draft.queues = vec!["Support".into()];
        let problems = directory.resolve(&draft).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].contains("queue \"Support\" came without an id"),
            "{problems:?}"
        );
    }

    #[test]
    fn an_update_adds_only_what_is_missing() {
        let mut draft = draft();
        draft.roles = vec![RoleGrant {
            role: "Agent".into(),
            divisions: RoleDivisions::Home,
        }];
        draft.queues = vec!["Support".into()];
        draft.skills = vec![SkillLevel {
            name: "English".into(),
            proficiency: 3.0,
        }];
        let wanted = directory().resolve(&draft).unwrap();
        let current = Current {
            grants: [("r1".to_owned(), "d1".to_owned())].into(),
            skills: [("s1".to_owned(), 2.0)].into(),
            ..Current::default()
        };
        let missing = current.missing(&wanted);
        assert!(missing.roles.is_empty(), "the role is there already");
        assert_eq!(missing.queues.len(), 1);
        assert_eq!(missing.skills[0].proficiency, 3.0, "a changed level is set");
    }

    #[test]
    fn queue_members_go_a_hundred_per_call() {
        assert_eq!(queue_calls([250, 100, 1].into_iter()), 5);
    }
}
