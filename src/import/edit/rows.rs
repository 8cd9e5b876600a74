//! A step applied to the report: cells set, a row taken out or put back, and every row it
//! touched checked again, with the repeats of the addresses involved.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::history::CellChange;
use super::{EditError, EditOutcome, EditableImport};
use crate::import::validate::duplicate_issue;
use crate::import::{ImportedRow, IssueKind, RowIssue, UserDraft};

/// Up to this many lines, their issues are spliced in place; past it, the list is rebuilt in
/// one pass (a replacement in a whole column).
const MAX_SPLICES: usize = 16;

impl EditableImport {
    /// The row on `line`.
    pub(super) fn row(&self, line: usize) -> Result<&ImportedRow, EditError> {
        self.index_of(line)
            .map(|index| &self.report.rows[index])
            .ok_or(EditError::NoSuchRow { line })
    }

    fn index_of(&self, line: usize) -> Option<usize> {
        self.report
            .rows
            .binary_search_by_key(&line, |row| row.line)
            .ok()
    }

    /// Sets the cells `changes` name to their `after` values (`forward`) or back to their
    /// `before` values, and checks their rows again.
    pub(super) fn set_cells(&mut self, changes: &[CellChange], forward: bool) -> EditOutcome {
        let mut touched = Vec::with_capacity(changes.len());
        for change in changes {
            let index = self
                .index_of(change.line)
                .expect("an edited row is in the report");
            let cells = &mut self.report.rows[index].raw;
            self.originals
                .entry(change.line)
                .or_insert_with(|| cells.clone());
            if forward {
                if cells.len() <= change.column {
                    cells.resize(change.column + 1, String::new());
                }
                cells[change.column].clone_from(&change.after);
            } else if change.column >= change.len_before {
                cells.truncate(change.len_before);
            } else {
                cells[change.column].clone_from(&change.before);
            }
            touched.push(change.line);
        }
        self.forget_unchanged(&touched);
        EditOutcome {
            lines: self.refresh(&touched, &[], Vec::new()),
            cells: changes.len(),
            ..EditOutcome::default()
        }
    }

    /// Takes the row on `line` out of the report; returns its cells.
    pub(super) fn remove_row(&mut self, line: usize) -> (Vec<String>, EditOutcome) {
        let index = self.index_of(line).expect("a removed row is in the report");
        let row = self.report.rows.remove(index);
        self.originals
            .entry(line)
            .or_insert_with(|| row.raw.clone());
        let outcome = EditOutcome {
            lines: self.refresh(&[], &[line], Vec::new()),
            removed: vec![line],
            ..EditOutcome::default()
        };
        (row.raw, outcome)
    }

    /// Puts the row on `line` back, with `cells`.
    pub(super) fn restore_row(&mut self, line: usize, cells: Vec<String>) -> EditOutcome {
        let index = self.report.rows.partition_point(|row| row.line < line);
        self.report.rows.insert(
            index,
            ImportedRow {
                line,
                raw: cells,
                draft: None,
            },
        );
        self.forget_unchanged(&[line]);
        EditOutcome {
            lines: self.refresh(&[line], &[], Vec::new()),
            restored: vec![line],
            ..EditOutcome::default()
        }
    }

    /// Drops the file's cells of rows that read as the file again.
    fn forget_unchanged(&mut self, lines: &[usize]) {
        for &line in lines {
            let same = match (self.originals.get(&line), self.index_of(line)) {
                (Some(original), Some(index)) => *original == self.report.rows[index].raw,
                _ => false,
            };
            if same {
                self.originals.remove(&line);
            }
        }
    }

    /// Checks the `touched` rows again, takes the issues of the `gone` ones out, and brings the
    /// repeats of every address involved (and of the `dirty` ones) up to date. Returns the lines
    /// in the report whose cells, draft or issues changed: the touched ones, and those whose
    /// repeat changed.
    pub(super) fn refresh(
        &mut self,
        touched: &[usize],
        gone: &[usize],
        mut dirty: Vec<String>,
    ) -> Vec<usize> {
        // The new issues of each line involved, the repeat's aside until the end.
        let mut pending: BTreeMap<usize, Vec<RowIssue>> = BTreeMap::new();
        // The drafts of the touched rows, as if no other line had their address.
        let mut drafts: FxHashMap<usize, Option<Box<UserDraft>>> = FxHashMap::default();
        for &line in gone {
            dirty.extend(self.repeats.remove(line));
            self.held.remove(&line);
            pending.insert(line, Vec::new());
        }
        for &line in touched {
            let index = self.index_of(line).expect("a touched row is in the report");
            let cells = std::mem::take(&mut self.report.rows[index].raw);
            let rechecked = self.rules.recheck(line, cells, &self.kept);
            self.report.rows[index].raw = rechecked.cells;
            dirty.extend(self.repeats.set(line, rechecked.key));
            self.held.remove(&line);
            pending.insert(line, rechecked.issues);
            drafts.insert(line, rechecked.draft);
        }
        dirty.sort_unstable();
        dirty.dedup();

        let email_column = self.rules.email_column();
        for key in &dirty {
            let group = self.repeats.lines(key);
            for &line in group {
                let index = self
                    .index_of(line)
                    .expect("a line with an address is in the report");
                let row = &mut self.report.rows[index];
                let draft = match drafts.remove(&line) {
                    Some(draft) => draft,
                    None => self.held.remove(&line).or_else(|| row.draft.take()),
                };
                let issues = pending.entry(line).or_insert_with(|| {
                    issues_of(&self.report.issues, line)
                        .iter()
                        .filter(|issue| !matches!(issue.kind, IssueKind::DuplicateEmail { .. }))
                        .cloned()
                        .collect()
                });
                if group.len() > 1 {
                    let address = draft.as_ref().map_or(key.as_str(), |d| d.email.as_str());
                    issues.push(duplicate_issue(line, email_column, address, group));
                    row.draft = None;
                    if let Some(draft) = draft {
                        self.held.insert(line, draft);
                    }
                } else {
                    row.draft = draft;
                }
            }
        }
        // Touched rows without a valid address (so without a draft) are in no repeat.
        for (line, draft) in drafts {
            let index = self.index_of(line).expect("a touched row is in the report");
            self.report.rows[index].draft = draft;
        }

        // A replacement touches a whole column: look lines up by search, not by scan.
        let mut touched = touched.to_vec();
        touched.sort_unstable();
        let mut changed = Vec::new();
        pending.retain(|&line, issues| {
            if gone.contains(&line) {
                return true;
            }
            let differs = touched.binary_search(&line).is_ok()
                || issues_of(&self.report.issues, line) != issues.as_slice();
            if differs {
                changed.push(line);
            }
            differs
        });
        merge_issues(&mut self.report.issues, pending);
        changed
    }
}

/// The issues on `line`, in a list sorted by line.
pub(super) fn issues_of(issues: &[RowIssue], line: usize) -> &[RowIssue] {
    let start = issues.partition_point(|issue| issue.line < line);
    let end = start + issues[start..].partition_point(|issue| issue.line == line);
    &issues[start..end]
}

/// Replaces the issues of each line in `pending` with its new ones, keeping the list sorted by
/// line.
fn merge_issues(issues: &mut Vec<RowIssue>, pending: BTreeMap<usize, Vec<RowIssue>>) {
    if pending.len() <= MAX_SPLICES {
        for (line, new) in pending {
            let start = issues.partition_point(|issue| issue.line < line);
            let end = start + issues[start..].partition_point(|issue| issue.line == line);
            issues.splice(start..end, new);
        }
        return;
    }
    let old = std::mem::take(issues);
    issues.reserve(old.len());
    let mut pending = pending.into_iter().peekable();
    let mut replaced = None;
    for issue in old {
        while let Some((line, new)) = pending.next_if(|(line, _)| *line <= issue.line) {
            issues.extend(new);
            replaced = Some(line);
        }
        if replaced != Some(issue.line) {
            issues.push(issue);
        }
    }
    issues.extend(pending.flat_map(|(_, new)| new));
}
