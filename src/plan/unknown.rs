//! The names a row gives that the org does not have. Each is a problem in words for the admin
//! ("The queue "Suport" is not in this org. Did you mean "Support"?") and the same as data — the
//! column's field, the name, the org's closest names — so that the window can offer the fix as
//! one replacement for every row that names it.

use serde::{Deserialize, Serialize};

use crate::import::Field;
use crate::names::{not_in_org, similar_names};

/// A name a row gives that the org does not have, with the names the org has that come closest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NameSuggestion {
    /// The column's field (on the wire its key, such as `division`).
    pub field: Field,
    /// The name as the cell writes it (trimmed), which a replacement finds as a whole value.
    pub name: String,
    /// The org's closest names, closest first; empty when none comes close.
    pub suggestions: Vec<String>,
}

/// What resolving a row's names found wrong: every problem's message, and among them the names
/// the org does not have, as data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Problems {
    /// One message per problem, in the order found (without the row's line).
    pub messages: Vec<String>,
    /// The unknown names, each once per row.
    pub unknown: Vec<NameSuggestion>,
}

impl Problems {
    /// A problem that is not about a missing name.
    pub fn one(message: String) -> Problems {
        Problems {
            messages: vec![message],
            unknown: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    pub fn push(&mut self, message: String) {
        self.messages.push(message);
    }

    /// `name`, in the column of `field`, names a `what` ("queue") that is not among `names`,
    /// the org's: the problem with the closest of them, or how to fix it when none is close.
    pub fn not_in_org<'a>(
        &mut self,
        field: Field,
        what: &str,
        name: &str,
        names: impl Iterator<Item = &'a str>,
    ) {
        let suggestions = similar_names(name, names);
        self.messages.push(not_in_org(what, name, &suggestions));
        let name = name.trim();
        // A cell may name the same thing twice; one replacement fixes both.
        if !self
            .unknown
            .iter()
            .any(|known| known.field == field && known.name.eq_ignore_ascii_case(name))
        {
            self.unknown.push(NameSuggestion {
                field,
                name: name.to_owned(),
                suggestions,
            });
        }
    }

    pub fn extend(&mut self, other: Problems) {
        self.messages.extend(other.messages);
        for unknown in other.unknown {
            if !self.unknown.contains(&unknown) {
                self.unknown.push(unknown);
            }
        }
    }
}
