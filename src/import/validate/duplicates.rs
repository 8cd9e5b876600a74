//! The same e-mail address on more than one line. Each row's key is hashed as the row is
//! checked, while the key is still in cache; once the file is read, repeats are found by sorting
//! the hashes, and only rows whose hashes meet compare their keys.

use std::hash::BuildHasher as _;

use rustc_hash::FxBuildHasher;

use crate::import::draft::{IssueKind, RowIssue};
use crate::import::text::shown;
use crate::import::ImportedRow;

/// How many other lines a duplicate's message names; the rest are counted.
const MAX_LINES_NAMED: usize = 5;

/// The e-mail keys of the rows checked so far.
#[derive(Default)]
pub(super) struct EmailKeys {
    /// E-mail keys of rows that have no draft (other errors) but a valid address, so a repeat
    /// of theirs is still reported: (row index, key).
    orphan_keys: Vec<(usize, String)>,
    /// (hash of the e-mail key, row index) of every row with a valid address.
    key_hashes: Vec<(u64, u32)>,
}

impl EmailKeys {
    pub(super) fn reserve(&mut self, rows: usize) {
        self.key_hashes.reserve(rows);
    }

    /// Notes the key of `rows[index]`: its draft's, or `orphan`, the key of a row without a
    /// draft whose address is valid.
    pub(super) fn push(&mut self, rows: &[ImportedRow], index: usize, orphan: Option<String>) {
        let key = match &orphan {
            Some(key) => Some(key.as_str()),
            None => rows[index].draft.as_ref().map(|d| d.email_key.as_str()),
        };
        if let Some(key) = key {
            // The keys come from the admin's own file, so the flooding resistance of the
            // standard hasher buys nothing here; rustc's own hash is much faster.
            self.key_hashes
                .push((FxBuildHasher.hash_one(key), index as u32));
        }
        if let Some(key) = orphan {
            self.orphan_keys.push((index, key));
        }
    }

    /// Adds an error on every line whose address another line also has; those rows lose their
    /// draft.
    pub(super) fn report(
        self,
        rows: &mut [ImportedRow],
        email_column: Option<&str>,
        issues: &mut Vec<RowIssue>,
    ) {
        let EmailKeys {
            orphan_keys,
            key_hashes,
        } = self;
        let groups = duplicate_groups(rows, &orphan_keys, key_hashes);
        for members in &groups {
            let lines: Vec<usize> = members.iter().map(|&index| rows[index].line).collect();
            for &index in members {
                let address = match &rows[index].draft {
                    Some(draft) => draft.email.clone(),
                    None => orphan_keys
                        .binary_search_by_key(&index, |(i, _)| *i)
                        .map(|found| orphan_keys[found].1.clone())
                        .unwrap_or_default(),
                };
                let row = &mut rows[index];
                row.draft = None;
                issues.push(duplicate_issue(row.line, email_column, &address, &lines));
            }
        }
    }

    /// Each row's e-mail key (of a valid address), in row order.
    pub(super) fn row_keys(self, rows: &[ImportedRow]) -> Vec<Option<String>> {
        let mut orphans = self.orphan_keys.into_iter().peekable();
        rows.iter()
            .enumerate()
            .map(|(index, row)| match orphans.next_if(|(i, _)| *i == index) {
                Some((_, key)) => Some(key),
                None => row.draft.as_ref().map(|d| d.email_key.clone()),
            })
            .collect()
    }
}

/// The error on `line`, whose address (`address`, as the row shows it) is also on the other
/// lines of `group`: every line with that address, in file order, `line` among them. Every line
/// with a repeated address gets one, naming a few of the others: naming them all would make
/// 200,000 copies of one address 200,000 messages of 200,000 lines.
pub(crate) fn duplicate_issue(
    line: usize,
    email_column: Option<&str>,
    address: &str,
    group: &[usize],
) -> RowIssue {
    let named: Vec<usize> = group
        .iter()
        .copied()
        .filter(|&other| other != line)
        .take(MAX_LINES_NAMED)
        .collect();
    let others = group.len() - 1;
    RowIssue::error(
        line,
        email_column,
        IssueKind::DuplicateEmail {
            other_line: named[0],
        },
        format!(
            "{} is also on {} {}; each person needs their own address — remove or correct the \
             repeats",
            shown(address),
            if others == 1 { "line" } else { "lines" },
            join_lines(&named, others - named.len())
        ),
    )
}

/// Row indexes that share an e-mail key, each group in file order, groups in order of their
/// first row.
fn duplicate_groups(
    rows: &[ImportedRow],
    orphan_keys: &[(usize, String)],
    mut key_hashes: Vec<(u64, u32)>,
) -> Vec<Vec<usize>> {
    let key_of = |index: usize| -> &str {
        match &rows[index].draft {
            Some(draft) => &draft.email_key,
            None => orphan_keys
                .binary_search_by_key(&index, |(i, _)| *i)
                .map_or("", |found| &orphan_keys[found].1),
        }
    };
    key_hashes.sort_unstable();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for run in key_hashes.chunk_by(|a, b| a.0 == b.0) {
        if run.len() < 2 {
            continue;
        }
        // Equal hashes: group by the keys themselves (a true collision splits the run). A
        // stable sort keeps each group in file order.
        let mut members: Vec<usize> = run.iter().map(|&(_, i)| i as usize).collect();
        members.sort_by(|&a, &b| key_of(a).cmp(key_of(b)));
        for same in members.chunk_by(|&a, &b| key_of(a) == key_of(b)) {
            if same.len() > 1 {
                groups.push(same.to_vec());
            }
        }
    }
    groups.sort_unstable_by_key(|group| group[0]);
    groups
}

/// `4`, `4 and 9`, `2, 4 and 9`; with `more` lines not named, `2, 4, 9 and 12 more`.
fn join_lines(lines: &[usize], more: usize) -> String {
    let listed: Vec<String> = lines.iter().map(usize::to_string).collect();
    match (listed.as_slice(), more) {
        ([], _) => String::new(),
        (listed, more) if more > 0 => format!("{} and {more} more", listed.join(", ")),
        ([one], _) => one.clone(),
        ([init @ .., last], _) => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::UserDraft;

    fn row_with_key(line: usize, key: &str) -> ImportedRow {
        ImportedRow {
            line,
            raw: Vec::new(),
            draft: Some(Box::new(UserDraft::minimal("N", key))),
        }
    }

    #[test]
    fn a_hash_collision_does_not_make_different_addresses_duplicates() {
        let rows = vec![
            row_with_key(2, "a@x.io"),
            row_with_key(3, "b@x.io"),
            ImportedRow {
                line: 4,
                raw: Vec::new(),
                draft: None,
            },
            row_with_key(5, "a@x.io"),
            row_with_key(6, "b@x.io"),
        ];
        let orphans = vec![(2, "c@x.io".to_owned())];
        // Every key given the same hash, as if they all collided.
        let hashes = vec![(7, 4), (7, 0), (7, 1), (7, 2), (7, 3)];
        assert_eq!(
            duplicate_groups(&rows, &orphans, hashes),
            [vec![0, 3], vec![1, 4]]
        );
    }

    #[test]
    fn line_lists_read_as_prose() {
        assert_eq!(join_lines(&[4], 0), "4");
        assert_eq!(join_lines(&[4, 9], 0), "4 and 9");
        assert_eq!(join_lines(&[2, 4, 9], 0), "2, 4 and 9");
        assert_eq!(
            join_lines(&[2, 3, 4, 5, 6], 199_994),
            "2, 3, 4, 5, 6 and 199994 more"
        );
    }
}
