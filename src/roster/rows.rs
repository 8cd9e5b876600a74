//! The org's users as rows of the import's own columns and formats, so that the file an
//! export writes is one the import reads back to the same users: roles with their divisions as
//! `Role:Division A,Division B|Role2:*`, skills and languages as `Name:level`, queues and
//! groups comma-separated, the manager by e-mail, the location and the division by name.
//!
//! A name the import would read differently (a queue with a comma in it, a role with a `|` or
//! a `:`) is left out with a warning rather than written wrong; a division whose name cannot
//! be written, or that two divisions share, is written by id, which the import also takes.

use std::collections::{BTreeMap, HashMap};

use super::read::OrgRoster;
use crate::genesys::{Contact, User, UserState};
use crate::import::{Field, TEMPLATE_COLUMNS};
use crate::plan::ALL_DIVISIONS;

/// The columns an export writes: the template's, in its order, but for `phone`, `site` and
/// `like`, which ask a run for something (a new phone, a model agent's set-up) rather than say
/// what a user has, and `external_id` unless external ids were read.
pub fn roster_columns(external_ids: bool) -> Vec<Field> {
    TEMPLATE_COLUMNS
        .iter()
        .copied()
        .filter(|field| match field {
            Field::Phone | Field::Site | Field::Like => false,
            Field::ExternalId => external_ids,
            _ => true,
        })
        .collect()
}

/// An export's cells: the header (the fields' keys, as the template writes them), one row per
/// user, and what could not be written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RosterRows {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub warnings: Vec<String>,
}

/// The rows of `org`'s users in `columns`, sorted by e-mail.
pub fn roster_rows(org: &OrgRoster, columns: &[Field]) -> RosterRows {
    let names = Names::new(org);
    let mut left_out = LeftOut::default();
    let mut users: Vec<&User> = org.users.iter().collect();
    users.sort_by_cached_key(|u| u.email.as_deref().unwrap_or_default().to_lowercase());
    let rows = users
        .into_iter()
        .map(|user| {
            columns
                .iter()
                .map(|&field| names.cell(org, user, field, &mut left_out))
                .collect()
        })
        .collect();
    RosterRows {
        header: columns.iter().map(|f| f.key().to_owned()).collect(),
        rows,
        warnings: left_out.warnings(),
    }
}

/// The org's ids and how each is written.
struct Names<'a> {
    /// Division id → the name, or the id where the name cannot stand for it.
    divisions: HashMap<&'a str, String>,
    roles: HashMap<&'a str, &'a str>,
    queues: HashMap<&'a str, &'a str>,
    locations: HashMap<&'a str, &'a str>,
    /// User id → e-mail, for managers.
    emails: HashMap<&'a str, &'a str>,
}

impl<'a> Names<'a> {
    fn new(org: &'a OrgRoster) -> Names<'a> {
        let mut name_count: HashMap<String, usize> = HashMap::new();
        for division in &org.divisions {
            *name_count
                .entry(division.name.trim().to_lowercase())
                .or_default() += 1;
        }
        let divisions = org
            .divisions
            .iter()
            .map(|d| {
                let shared = name_count[&d.name.trim().to_lowercase()] > 1;
                let written = if shared || d.name.trim().is_empty() || has_any(&d.name, ",|:*") {
                    d.id.clone()
                } else {
                    d.name.trim().to_owned()
                };
                (d.id.as_str(), written)
            })
            .collect();
        Names {
            divisions,
            roles: by_id(org.roles.iter().map(|r| (&r.id, &r.name))),
            queues: by_id(org.queues.iter().map(|q| (&q.id, &q.name))),
            locations: by_id(org.locations.iter().map(|l| (&l.id, &l.name))),
            emails: org
                .users
                .iter()
                .filter_map(|u| Some((u.id.as_str(), u.email.as_deref()?)))
                .collect(),
        }
    }

    fn cell(&self, org: &OrgRoster, user: &User, field: Field, left_out: &mut LeftOut) -> String {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        let employer = user.employer_info.clone().unwrap_or_default();
        match field {
            Field::Name => text(&user.name),
            Field::Email => text(&user.email),
            Field::PhoneWork => user
                .addresses
                .iter()
                .find(|a| a.is_work_phone())
                .and_then(|a| a.writable().address)
                .unwrap_or_default(),
            // As the plan reads it: the first phone contact with an extension.
            Field::Extension => user
                .addresses
                .iter()
                .filter(|a| a.media_type == "PHONE")
                .find_map(Contact::extension_read)
                .unwrap_or_default()
                .to_owned(),
            Field::Title => text(&user.title),
            Field::Department => text(&user.department),
            Field::EmailManager => user
                .manager
                .as_ref()
                .and_then(|m| self.emails.get(m.id.as_str()))
                .map(|e| (*e).to_owned())
                .unwrap_or_default(),
            // The import takes one location: the first.
            Field::LocationWork => user
                .locations
                .iter()
                .find_map(|l| self.locations.get(l.location_id()?))
                .map(|name| (*name).to_owned())
                .unwrap_or_default(),
            Field::RolesDivisions => self.roles_cell(org, user, left_out),
            Field::Queues => {
                let ids = org.queue_ids.get(&user.id).map(Vec::as_slice);
                let names = ids
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|id| self.queues.get(id.as_str()).copied());
                list_cell(names, "queue", left_out)
            }
            Field::Division => user
                .division
                .as_ref()
                .map(|d| {
                    self.divisions
                        .get(d.id.as_str())
                        .cloned()
                        .unwrap_or_else(|| d.name.clone().unwrap_or_else(|| d.id.clone()))
                })
                .unwrap_or_default(),
            Field::Skills => level_cell(
                user.skills
                    .iter()
                    .filter(|s| s.state.as_deref() != Some("deleted"))
                    .filter_map(|s| Some((s.name.as_deref()?, s.proficiency))),
                "skill",
                left_out,
            ),
            Field::State => match user.state {
                Some(UserState::Inactive) => "inactive",
                Some(UserState::Active) => "active",
                _ => "",
            }
            .to_owned(),
            Field::Languages => level_cell(
                user.languages
                    .iter()
                    .filter(|l| l.state.as_deref() != Some("deleted"))
                    .filter_map(|l| Some((l.name.as_deref()?, l.proficiency))),
                "language",
                left_out,
            ),
            Field::Groups => list_cell(
                user.groups.iter().filter_map(|g| g.name.as_deref()),
                "group",
                left_out,
            ),
            Field::EmployeeId => text(&employer.employee_id),
            Field::EmployeeType => text(&employer.employee_type),
            Field::HireDate => text(&employer.date_hire),
            Field::OfficialName => text(&employer.official_name),
            Field::AcdAutoAnswer => match user.acd_auto_answer {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            }
            .to_owned(),
            Field::ExternalId => {
                let ids = org.external_ids.get(&user.id).map(Vec::as_slice);
                let ids = ids.unwrap_or_default();
                if ids.len() > 1 {
                    left_out.note("a second external id (the import takes one)", "");
                }
                ids.first()
                    .map(|id| format!("{}:{}", id.authority_name, id.external_key))
                    .unwrap_or_default()
            }
            _ => String::new(),
        }
    }

    /// `Role:Division A,Division B|Role2:*`, roles and divisions by name.
    fn roles_cell(&self, org: &OrgRoster, user: &User, left_out: &mut LeftOut) -> String {
        let mut roles: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (role_id, division_id) in org
            .grants
            .get(&user.id)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let Some(role) = self.roles.get(role_id.as_str()) else {
                continue;
            };
            if has_any(role, "|:") {
                left_out.note("role", role);
                continue;
            }
            let division = if division_id == ALL_DIVISIONS {
                ALL_DIVISIONS.to_owned()
            } else {
                match self.divisions.get(division_id.as_str()) {
                    Some(division) => division.clone(),
                    None => division_id.clone(),
                }
            };
            roles
                .entry(role.trim().to_owned())
                .or_default()
                .push(division);
        }
        let items: Vec<String> = roles
            .into_iter()
            .map(|(role, mut divisions)| {
                if divisions.iter().any(|d| d == ALL_DIVISIONS) {
                    return format!("{role}:{ALL_DIVISIONS}");
                }
                divisions.sort_by_key(|d| d.to_lowercase());
                divisions.dedup();
                format!("{role}:{}", divisions.join(","))
            })
            .collect();
        items.join("|")
    }
}

fn by_id<'a>(items: impl Iterator<Item = (&'a String, &'a String)>) -> HashMap<&'a str, &'a str> {
    items
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect()
}

fn has_any(name: &str, characters: &str) -> bool {
    name.contains(|c| characters.contains(c))
}

/// Names separated by commas, sorted; a name with a comma is left out.
fn list_cell<'a>(
    names: impl Iterator<Item = &'a str>,
    noun: &str,
    left_out: &mut LeftOut,
) -> String {
    let mut kept: Vec<&str> = names
        .filter(|name| {
            let ok = !name.contains(',');
            if !ok {
                left_out.note(noun, name);
            }
            ok
        })
        .map(str::trim)
        .collect();
    kept.sort_by_key(|n| n.to_lowercase());
    kept.dedup();
    kept.join(",")
}

/// `Name:level` items separated by commas, sorted by name; a name with a comma is left out.
fn level_cell<'a>(
    levels: impl Iterator<Item = (&'a str, f64)>,
    noun: &str,
    left_out: &mut LeftOut,
) -> String {
    let mut kept: Vec<(&str, f64)> = levels
        .filter(|(name, _)| {
            let ok = !name.contains(',');
            if !ok {
                left_out.note(noun, name);
            }
            ok
        })
        .collect();
    kept.sort_by_key(|(name, _)| name.to_lowercase());
    // `{}` writes a level the way the import reads it back to the same number (3, 4.5).
    let items: Vec<String> = kept
        .into_iter()
        .map(|(name, level)| format!("{}:{level}", name.trim()))
        .collect();
    items.join(",")
}

/// What was left out of rows, counted by kind and name for the warnings.
#[derive(Default)]
struct LeftOut(BTreeMap<(String, String), usize>);

impl LeftOut {
    fn note(&mut self, noun: &str, name: &str) {
        *self
            .0
            .entry((noun.to_owned(), name.to_owned()))
            .or_default() += 1;
    }

    fn warnings(self) -> Vec<String> {
        self.0
            .into_iter()
            .map(|((noun, name), users)| {
                let rows = if users == 1 {
                    "1 user's row".to_owned()
                } else {
                    format!("{users} users' rows")
                };
                if name.is_empty() {
                    format!("{rows} left out {noun}.")
                } else {
                    format!(
                        "The {noun} \"{name}\" has a character the import reads as a separator \
                         (, | or :), so it was left out of {rows}; rename it in Genesys Cloud to \
                         export it."
                    )
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
