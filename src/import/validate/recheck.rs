//! One row checked again after an edit, by the very rules the import ran: the checker the
//! import set up (header, mapping, default country, date order) is kept, and so is what the
//! report leaves out of a row and checking it needs (its password cell, and how wide it was).

use rustc_hash::FxHashMap;

use super::row::RowChecker;
use crate::import::draft::{RowIssue, UserDraft};
use crate::import::mapping::Field;
use crate::import::read::{RawRow, SourceFormat};
use crate::secrets::Secret;

/// What a row's report entry does not hold, kept from the file as it is read.
#[derive(Default)]
pub(crate) struct Kept {
    /// The password cell of each row that has one, by line, as read. It never goes back into
    /// the row's raw cells for longer than a check.
    passwords: FxHashMap<usize, Secret>,
    /// Rows with values past the last column kept ([`MAX_COLUMNS`](crate::import::MAX_COLUMNS)),
    /// by line: how many cells they have up to their last value.
    wide: FxHashMap<usize, usize>,
}

impl Kept {
    pub(super) fn keep(&mut self, checker: &RowChecker, row: &RawRow) {
        let password = checker
            .column_of(Field::Password)
            .and_then(|column| row.cells.get(column))
            .filter(|cell| !cell.is_empty());
        if let Some(cell) = password {
            self.passwords.insert(row.line, Secret::from(cell.as_str()));
        }
        if row.used > row.cells.len() {
            self.wide.insert(row.line, row.used);
        }
    }
}

/// What editing a file's rows needs from its import.
pub(crate) struct Editing {
    /// Each row's e-mail key (of a valid address), in row order.
    pub keys: Vec<Option<String>>,
    pub kept: Kept,
    pub rules: RowRules,
}

/// The import's checks, kept to check a row again.
pub(crate) struct RowRules {
    checker: RowChecker,
    /// A CSV line can end before the header's last column; a sheet row cannot (see
    /// [`RawRow::ended_early`]).
    csv: bool,
}

/// A row checked again: its cells back, its draft as if no other line had its address, its
/// issues (the repeated address aside, which the caller keeps) and its e-mail key.
pub(crate) struct Rechecked {
    pub cells: Vec<String>,
    pub draft: Option<Box<UserDraft>>,
    pub issues: Vec<RowIssue>,
    pub key: Option<String>,
}

impl RowRules {
    pub(super) fn new(checker: RowChecker, format: SourceFormat) -> Self {
        RowRules {
            checker,
            csv: format == SourceFormat::Csv,
        }
    }

    /// Checks the row on `line`, whose raw cells are now `cells`, as the import would. The
    /// cells are moved through the check and come back, not copied: a replacement re-checks a
    /// whole column.
    pub(crate) fn recheck(
        &mut self,
        line: usize,
        mut cells: Vec<String>,
        kept: &Kept,
    ) -> Rechecked {
        let password = self
            .checker
            .column_of(Field::Password)
            .zip(kept.passwords.get(&line));
        if let Some((column, password)) = password {
            if let Some(cell) = cells.get_mut(column) {
                // Taken out again, into a secret, first thing in `check`.
                *cell = password.expose().to_owned();
            }
        }
        let last_value = cells
            .iter()
            .rposition(|cell| !cell.trim().is_empty())
            .map_or(0, |index| index + 1);
        let used = last_value.max(kept.wide.get(&line).copied().unwrap_or(0));
        let width = self.checker.header.len();
        let ended_early = (self.csv && cells.len() < width).then_some(cells.len());
        let mut out = Vec::with_capacity(1);
        let orphan = self.checker.check(
            RawRow {
                line,
                cells,
                used,
                ended_early,
            },
            &mut out,
        );
        let row = out.pop().expect("a checked row comes back");
        Rechecked {
            key: orphan.or_else(|| row.draft.as_ref().map(|d| d.email_key.clone())),
            cells: row.raw,
            draft: row.draft,
            issues: std::mem::take(&mut self.checker.issues),
        }
    }

    /// The e-mail column's header, which a repeated address's issue names.
    pub(crate) fn email_column(&self) -> Option<&str> {
        self.checker.header_of(Field::Email)
    }

    /// The columns whose cells the report blanks: the password and the password-like ones.
    pub(crate) fn secret_columns(&self) -> Vec<usize> {
        let mut columns: Vec<usize> = self
            .checker
            .secret_columns
            .iter()
            .map(|&(column, _)| column)
            .chain(self.checker.column_of(Field::Password))
            .collect();
        columns.sort_unstable();
        columns
    }
}
