//! Model agents (the `like` column): a row that names an existing user also gets that user's
//! roles (in their divisions), queues, skills, languages and groups. Each model is read once,
//! whatever the number of rows that name it; what it adds is shown in the plan, and nothing a
//! row already has is removed or lowered.

use std::collections::HashMap;

use super::day1::Day1Directory;
use super::named::{Named, PlannedSkill};
use super::steps::{Directory, PlannedGrant, RowSteps, ALL_DIVISIONS};
use crate::genesys::{GenesysClient, GenesysError};

/// What a model agent has, by id, as read from the org.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelAgent {
    /// (role id, division id) pairs.
    pub grants: Vec<(String, String)>,
    /// Skill id → proficiency.
    pub skills: Vec<(String, f64)>,
    pub queue_ids: Vec<String>,
    /// Language id → proficiency.
    pub languages: Vec<(String, f64)>,
    pub group_ids: Vec<String>,
}

impl ModelAgent {
    /// The calls [`ModelAgent::read`] makes.
    pub const CALLS: u32 = 5;

    /// Read a model agent's grants, skills, queues, languages and groups, side by side.
    pub async fn read(client: &GenesysClient, user_id: &str) -> Result<ModelAgent, GenesysError> {
        let (grants, skills, queues, languages, groups) = tokio::try_join!(
            client.user_grants(user_id),
            client.user_skills(user_id),
            client.user_queues(user_id),
            client.user_languages(user_id),
            client.user_groups(user_id),
        )?;
        Ok(ModelAgent {
            grants: grants
                .value
                .pairs()
                .into_iter()
                .map(|g| (g.role_id, g.division_id))
                .collect(),
            skills: skills
                .value
                .into_iter()
                .map(|s| (s.id, s.proficiency))
                .collect(),
            queue_ids: queues.value.into_iter().map(|q| q.id).collect(),
            languages: languages
                .value
                .into_iter()
                .map(|l| (l.id, l.proficiency))
                .collect(),
            group_ids: groups.value.into_iter().map(|g| g.id).collect(),
        })
    }

    /// Add to `steps` what the model has and the row does not ask for itself (a row's own
    /// level for a skill or language wins), named as the org names them. Returns what was
    /// added, one line per kind, for the plan.
    pub fn apply(
        &self,
        steps: &mut RowSteps,
        directory: &Directory,
        day1: &Day1Directory,
    ) -> Vec<String> {
        let mut added = RowSteps::default();
        let role_names: HashMap<&str, &str> = directory
            .roles
            .iter()
            .map(|r| (r.id.as_str(), r.name.as_str()))
            .collect();
        let division_names: HashMap<&str, &str> = directory
            .divisions
            .iter()
            .map(|d| (d.id.as_str(), d.name.as_str()))
            .collect();
        for (role, division) in &self.grants {
            if steps
                .roles
                .iter()
                .any(|g| &g.role.id == role && &g.division.id == division)
            {
                continue;
            }
            let division_name = if division == ALL_DIVISIONS {
                "All divisions"
            } else {
                division_names
                    .get(division.as_str())
                    .copied()
                    .unwrap_or(division)
            };
            let grant = PlannedGrant {
                role: Named::new(role, role_names.get(role.as_str()).copied().unwrap_or(role)),
                division: Named::new(division, division_name),
            };
            steps.roles.push(grant.clone());
            added.roles.push(grant);
        }

        for (id, proficiency) in &self.skills {
            if steps.skills.iter().any(|s| &s.skill.id == id) {
                continue;
            }
            let names = directory
                .skills
                .iter()
                .map(|s| (s.id.as_str(), s.name.as_str()));
            let skill = PlannedSkill {
                skill: Named::new(id, &name_of(id, names)),
                proficiency: *proficiency,
            };
            steps.skills.push(skill.clone());
            added.skills.push(skill);
        }
        for id in &self.queue_ids {
            if steps.queues.iter().any(|q| &q.id == id) {
                continue;
            }
            let names = directory
                .queues
                .iter()
                .map(|q| (q.id.as_str(), q.name.as_str()));
            let queue = Named::new(id, &name_of(id, names));
            steps.queues.push(queue.clone());
            added.queues.push(queue);
        }
        for (id, proficiency) in &self.languages {
            if steps.day1.languages.iter().any(|l| &l.skill.id == id) {
                continue;
            }
            let names = day1
                .languages
                .iter()
                .map(|l| (l.id.as_str(), l.name.as_str()));
            let language = PlannedSkill {
                skill: Named::new(id, &name_of(id, names)),
                proficiency: *proficiency,
            };
            steps.day1.languages.push(language.clone());
            added.day1.languages.push(language);
        }
        for id in &self.group_ids {
            if steps.day1.groups.iter().any(|g| &g.id == id) {
                continue;
            }
            let names = day1.groups.iter().map(|g| (g.id.as_str(), g.name.as_str()));
            let group = Named::new(id, &name_of(id, names));
            steps.day1.groups.push(group.clone());
            added.day1.groups.push(group);
        }
        added.describe()
    }
}

/// The name the org gives `id`, or the id itself when the list does not have it.
fn name_of<'a>(id: &str, mut names: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    names
        .find(|(candidate, _)| *candidate == id)
        .map_or_else(|| id.to_owned(), |(_, name)| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesys::{Group, Queue, Role};

    #[test]
    fn a_model_adds_what_the_row_lacks_and_never_lowers_the_rows_own_levels() {
        let directory = Directory {
            roles: vec![Role {
                id: "r-agent".into(),
                name: "Agent".into(),
                ..Role::default()
            }],
            queues: vec![Queue {
                id: "q-support".into(),
                name: "Support".into(),
                ..Queue::default()
            }],
            ..Directory::default()
        };
        let day1 = Day1Directory {
            groups: vec![Group {
                id: "g-night".into(),
                name: "Night Shift".into(),
                ..Group::default()
            }],
            ..Day1Directory::default()
        };
        let model = ModelAgent {
            grants: vec![("r-agent".into(), ALL_DIVISIONS.into())],
            skills: vec![("s-en".into(), 5.0)],
            queue_ids: vec!["q-support".into()],
            languages: vec![],
            group_ids: vec!["g-night".into()],
        };
        let mut steps = RowSteps {
            skills: vec![PlannedSkill {
                skill: Named::new("s-en", "English"),
                proficiency: 3.0,
            }],
            ..RowSteps::default()
        };
        let added = model.apply(&mut steps, &directory, &day1);
        assert_eq!(
            added,
            [
                "roles: Agent (All divisions)",
                "queues: Support",
                "groups: Night Shift"
            ]
        );
        assert_eq!(steps.skills.len(), 1, "the row's own English stays");
        assert_eq!(steps.skills[0].proficiency, 3.0);
        assert_eq!(steps.roles[0].division.id, ALL_DIVISIONS);
    }
}
