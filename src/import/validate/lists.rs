//! The cells that hold several values: roles with their divisions (`Role:Division A,Division
//! B`, separated by `|`), queues, and skills and languages with their levels (separated by
//! commas).

use super::row::RowChecker;
use crate::import::draft::{IssueKind, RoleDivisions, RoleGrant, SkillLevel};
use crate::import::mapping::Field;
use crate::import::text::shown;

impl RowChecker {
    pub(super) fn queues(&mut self, cells: &[String]) -> Vec<String> {
        let value = self.cell(cells, Field::Queues);
        let mut queues: Vec<String> = Vec::new();
        for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if !self.length_ok(Field::Queues, item) {
                continue;
            }
            if queues.iter().any(|q| q.eq_ignore_ascii_case(item)) {
                self.warning(
                    Some(Field::Queues),
                    IssueKind::InvalidQueues,
                    format!("the queue {} is listed twice", shown(item)),
                );
                continue;
            }
            queues.push(item.to_owned());
        }
        queues
    }

    pub(super) fn skills(&mut self, cells: &[String]) -> Vec<SkillLevel> {
        self.levels(cells, Field::Skills)
    }

    pub(super) fn languages(&mut self, cells: &[String]) -> Vec<SkillLevel> {
        self.levels(cells, Field::Languages)
    }

    /// Skills or languages, `Name:N` with N from 0 to 5, separated by commas.
    fn levels(&mut self, cells: &[String], field: Field) -> Vec<SkillLevel> {
        let (noun, kind) = match field {
            Field::Languages => ("language", IssueKind::InvalidLanguages),
            _ => ("skill", IssueKind::InvalidSkills),
        };
        let value = self.cell(cells, field);
        let mut levels: Vec<SkillLevel> = Vec::new();
        for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let Some((name, level)) = item.rsplit_once(':') else {
                self.error(
                    Some(field),
                    kind.clone(),
                    format!(
                        "the {noun} {} has no level; write it as {} Name:N with N from 0 to 5",
                        shown(item),
                        capitalized(noun)
                    ),
                );
                continue;
            };
            let (name, level) = (name.trim(), level.trim());
            let proficiency = level
                .parse::<f64>()
                .ok()
                .filter(|p| (0.0..=5.0).contains(p));
            let Some(proficiency) = proficiency else {
                self.error(
                    Some(field),
                    kind.clone(),
                    format!(
                        "the level of {noun} {} is {}; it must be a number from 0 to 5",
                        shown(name),
                        shown(level)
                    ),
                );
                continue;
            };
            if name.is_empty() {
                self.error(
                    Some(field),
                    kind.clone(),
                    format!("{} has a level but no {noun} name", shown(item)),
                );
                continue;
            }
            if !self.length_ok(field, name) {
                continue;
            }
            if levels.iter().any(|s| s.name.eq_ignore_ascii_case(name)) {
                self.warning(
                    Some(field),
                    kind.clone(),
                    format!("the {noun} {} is listed twice", shown(name)),
                );
                continue;
            }
            levels.push(SkillLevel {
                name: name.to_owned(),
                proficiency,
            });
        }
        levels
    }

    pub(super) fn roles(&mut self, cells: &[String]) -> Vec<RoleGrant> {
        let value = self.cell(cells, Field::RolesDivisions);
        let mut roles: Vec<RoleGrant> = Vec::new();
        for item in value.split('|').map(str::trim).filter(|s| !s.is_empty()) {
            let (role, divisions) = match item.split_once(':') {
                None => (item, RoleDivisions::Home),
                Some((role, list)) => {
                    let list = list.trim();
                    let names: Vec<&str> = list
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect();
                    if names.is_empty() {
                        self.error(
                            Some(Field::RolesDivisions),
                            IssueKind::InvalidRolesDivisions,
                            format!(
                                "{} has a colon but no division; write Role Name for the home \
                                 division, Role Name:Division A,Division B, or Role Name:* for \
                                 all divisions",
                                shown(item)
                            ),
                        );
                        continue;
                    }
                    if names.contains(&"*") {
                        if names.len() > 1 {
                            self.error(
                                Some(Field::RolesDivisions),
                                IssueKind::InvalidRolesDivisions,
                                format!(
                                    "{}: * already means every division and cannot be combined \
                                     with division names",
                                    shown(item)
                                ),
                            );
                            continue;
                        }
                        (role, RoleDivisions::All)
                    } else {
                        if names
                            .iter()
                            .any(|n| !self.length_ok(Field::RolesDivisions, n))
                        {
                            continue;
                        }
                        (
                            role,
                            RoleDivisions::Named(names.into_iter().map(str::to_owned).collect()),
                        )
                    }
                }
            };
            let role = role.trim();
            if role.is_empty() {
                self.error(
                    Some(Field::RolesDivisions),
                    IssueKind::InvalidRolesDivisions,
                    format!("{} has divisions but no role name", shown(item)),
                );
                continue;
            }
            if !self.length_ok(Field::RolesDivisions, role) {
                continue;
            }
            roles.push(RoleGrant {
                role: role.to_owned(),
                divisions,
            });
        }
        roles
    }
}

/// `skill` → `Skill`.
fn capitalized(noun: &str) -> String {
    let mut chars = noun.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}
