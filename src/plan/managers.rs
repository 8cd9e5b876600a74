//! Who each row reports to: a user already in the org or another row of the file, with rows
//! ordered so that a manager is created before their reports, and unknown managers and cycles
//! turned into row errors.

use std::collections::HashMap;

use super::existing::OrgUser;
use super::row::{ManagerRef, PlannedRow, RowAction};
use super::unknown::NameSuggestion;
use crate::genesys::UserState;
use crate::import::{Field, ImportReport};
use crate::names::similar_names;

/// How many e-mails the "did you mean" of unknown managers compares at most, all rows
/// together. Each unknown manager is compared with every e-mail of the file, so a file whose
/// rows all name different unknown managers would cost the square of its size; past this the
/// rest go without suggestions (their problem still says what is wrong).
const MANAGER_COMPARISONS: usize = 2_000_000;

/// Set each row's manager, order managers before their reports, and turn unknown managers and
/// cycles into row errors.
pub(super) fn resolve_managers(
    rows: &mut [PlannedRow],
    report: &ImportReport,
    org: &HashMap<String, OrgUser>,
) {
    let by_email: HashMap<String, usize> = rows
        .iter()
        .filter_map(|row| {
            let draft = report.rows[row.index].draft.as_ref()?;
            Some((draft.email_key.clone(), row.index))
        })
        .collect();
    let mut close_emails = CloseEmails::new(rows, report, org);
    for position in 0..rows.len() {
        let index = rows[position].index;
        let Some(draft) = report.rows[index].draft.as_ref() else {
            continue;
        };
        let Some(manager) = draft.manager_email.as_ref() else {
            continue;
        };
        let key = manager.to_lowercase();
        if key == draft.email_key
            || !matches!(
                rows[position].action,
                RowAction::Create | RowAction::Restore
            )
        {
            continue;
        }
        let line = rows[position].line;
        let resolved = match by_email.get(&key) {
            Some(&other) => match rows[other].action {
                RowAction::Create | RowAction::Restore => Ok(ManagerRef::Row {
                    index: other,
                    email: manager.clone(),
                }),
                RowAction::Exists => Ok(ManagerRef::Existing {
                    user_id: rows[other].existing_user_id.clone().unwrap_or_default(),
                    email: manager.clone(),
                }),
                _ => Err(format!(
                    "line {line}: the manager {manager} (line {}) will not be in the org, so \
                     this user cannot report to them.",
                    rows[other].line
                )),
            },
            None => match org.get(&key) {
                Some(user) if user.state != UserState::Deleted => Ok(ManagerRef::Existing {
                    user_id: user.id.clone(),
                    email: manager.clone(),
                }),
                Some(_) => Err(format!(
                    "line {line}: the manager {manager} is a deleted user; restore them or \
                     choose another manager."
                )),
                None => {
                    rows[position].suggestions.push(NameSuggestion {
                        field: Field::EmailManager,
                        name: manager.trim().to_owned(),
                        suggestions: close_emails.to(&key),
                    });
                    Err(format!(
                        "line {line}: the manager {manager} is neither in the org nor in this \
                         file."
                    ))
                }
            },
        };
        match resolved {
            Ok(manager) => rows[position].manager = Some(manager),
            Err(problem) => {
                rows[position].problems.push(problem);
                rows[position].action = RowAction::Invalid;
            }
        }
    }

    // Depth and cycles: walk each row's chain of in-file managers up to a row whose depth is
    // known or whose manager is outside the file; a walk that meets itself is a cycle.
    let manager_row = |rows: &[PlannedRow], r: usize| match &rows[r].manager {
        Some(ManagerRef::Row { index, .. }) => Some(*index),
        _ => None,
    };
    let mut depth: Vec<Option<u32>> = vec![None; rows.len()];
    for start in 0..rows.len() {
        let mut path: Vec<usize> = Vec::new();
        let mut current = start;
        let top = loop {
            if let Some(known) = depth[current] {
                break Some(known + 1);
            }
            if let Some(at) = path.iter().position(|&r| r == current) {
                let cycle: Vec<usize> = path.split_off(at);
                let lines: Vec<String> = cycle.iter().map(|&r| rows[r].line.to_string()).collect();
                for &row in &cycle {
                    rows[row].problems.push(format!(
                        "line {}: managers form a cycle (lines {}); one of them must report to \
                         someone outside the cycle.",
                        rows[row].line,
                        lines.join(" → ")
                    ));
                    rows[row].action = RowAction::Invalid;
                    depth[row] = Some(0);
                }
                break Some(1);
            }
            path.push(current);
            match manager_row(rows, current) {
                Some(manager) => current = manager,
                None => break None,
            }
        };
        // The last row of the path sits right below `top` (or at the top of its chain).
        for (level, &row) in (top.unwrap_or(0)..).zip(path.iter().rev()) {
            depth[row] = Some(level);
        }
    }
    // A row whose manager turned invalid cannot get that manager.
    for position in 0..rows.len() {
        if let Some(ManagerRef::Row { index, email }) = rows[position].manager.clone() {
            if rows[index].action == RowAction::Invalid
                && rows[position].action != RowAction::Invalid
            {
                let line = rows[position].line;
                rows[position].problems.push(format!(
                    "line {line}: the manager {email} (line {}) has errors and will not be \
                     created.",
                    rows[index].line
                ));
                rows[position].action = RowAction::Invalid;
            }
        }
    }
    for (row, depth) in rows.iter_mut().zip(depth) {
        row.depth = depth.unwrap_or(0);
    }
}

/// The e-mails close to a manager's that is neither in the org nor in the file: those of the
/// file's rows and of the org's users the plan already read (no further calls), each unknown
/// manager compared once.
struct CloseEmails {
    known: Vec<String>,
    found: HashMap<String, Vec<String>>,
    budget: usize,
}

impl CloseEmails {
    fn new(rows: &[PlannedRow], report: &ImportReport, org: &HashMap<String, OrgUser>) -> Self {
        let mut known: Vec<String> = rows
            .iter()
            .filter_map(|row| Some(report.rows[row.index].draft.as_ref()?.email.clone()))
            .chain(
                org.iter()
                    .filter(|(_, user)| user.state != UserState::Deleted)
                    .map(|(email, _)| email.clone()),
            )
            .collect();
        known.sort_by_key(|email| email.to_lowercase());
        known.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        CloseEmails {
            known,
            found: HashMap::new(),
            budget: MANAGER_COMPARISONS,
        }
    }

    /// The known e-mails closest to `wanted` (lowercased), closest first.
    fn to(&mut self, wanted: &str) -> Vec<String> {
        if let Some(found) = self.found.get(wanted) {
            return found.clone();
        }
        let Some(left) = self.budget.checked_sub(self.known.len()) else {
            return Vec::new();
        };
        self.budget = left;
        let close = similar_names(wanted, self.known.iter().map(String::as_str));
        self.found.insert(wanted.to_owned(), close.clone());
        close
    }
}
