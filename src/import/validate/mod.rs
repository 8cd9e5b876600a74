//! The rules every row must pass, all checked on every row so the user sees every problem at
//! once, and the check for the same e-mail on two lines.
//!
//! `row` checks one row's cells, `lists` the cells that hold several values (roles,
//! queues, skills, languages), `day1` the cells that ready an agent for a first shift (groups,
//! employer info, auto-answer, phone and site, external id, model agent), `date` reads hire
//! dates, `phone` turns a phone number into E.164, and `duplicates` finds the addresses written
//! on more than one line once every row has been read. `recheck` checks one row again after an
//! edit, with the same rules.

mod date;
mod day1;
mod division;
mod duplicates;
mod lists;
mod phone;
mod recheck;
mod row;

use super::draft::{DateOrder, IssueKind, RowIssue};
use super::mapping::{ColumnMapping, Field};
use super::read::{RawRow, SourceFormat};
use super::text::{column_letter, shown};
use super::ImportedRow;
use duplicates::EmailKeys;
use row::RowChecker;

pub(crate) use duplicates::duplicate_issue;
pub(crate) use recheck::{Editing, Kept, RowRules};

pub use row::MAX_VALUE_CHARS;

/// Checks rows one by one as the reader produces them (while their cells are still in the CPU's
/// cache), then looks for repeated e-mail addresses across the file.
pub(crate) struct Validator {
    checker: RowChecker,
    rows: Vec<ImportedRow>,
    /// The e-mail key of every row with a valid address, for the duplicate check.
    email_keys: EmailKeys,
    /// Columns without a header, and the first line where each holds a value.
    unnamed: Vec<(usize, Option<usize>)>,
    /// What editing needs later, when the file is read for editing.
    kept: Option<Kept>,
}

impl Validator {
    pub(crate) fn new(
        header: &[String],
        header_line: usize,
        mapping: &ColumnMapping,
        default_country: Option<phonenumber::country::Id>,
        date_order: Option<DateOrder>,
    ) -> Self {
        Validator {
            checker: RowChecker::new(header, header_line, mapping, default_country, date_order),
            rows: Vec::new(),
            email_keys: EmailKeys::default(),
            unnamed: (0..header.len())
                .filter(|&i| header[i].is_empty())
                .map(|i| (i, None))
                .collect(),
            kept: None,
        }
    }

    /// Keeps, as rows are read, what checking one again after an edit needs and the report
    /// does not hold: its password cell and how wide it was.
    pub(crate) fn keep_for_editing(&mut self) {
        self.kept = Some(Kept::default());
    }

    pub(crate) fn row_count(&self) -> usize {
        self.rows.len()
    }

    pub(crate) fn reserve(&mut self, rows: usize) {
        self.rows.reserve(rows);
        self.email_keys.reserve(rows);
    }

    /// Checks one record.
    pub(crate) fn push(&mut self, row: RawRow) {
        for (column, first_line) in &mut self.unnamed {
            if first_line.is_none() && row.cells.get(*column).is_some_and(|c| !c.trim().is_empty())
            {
                *first_line = Some(row.line);
            }
        }
        if let Some(kept) = &mut self.kept {
            kept.keep(&self.checker, &row);
        }
        let index = self.rows.len();
        let orphan = self.checker.check(row, &mut self.rows);
        self.email_keys.push(&self.rows, index, orphan);
    }

    /// Reports repeated addresses and unnamed columns; returns the rows and every issue, sorted
    /// by line.
    pub(crate) fn finish(self) -> (Vec<ImportedRow>, Vec<RowIssue>) {
        let Validator {
            mut checker,
            mut rows,
            email_keys,
            unnamed,
            kept: _,
        } = self;
        let mut issues = std::mem::take(&mut checker.issues);
        email_keys.report(&mut rows, checker.header_of(Field::Email), &mut issues);
        column_warnings(&checker, unnamed, &mut issues);
        issues.sort_by_key(|issue| issue.line);
        (rows, issues)
    }

    /// Like [`finish`](Self::finish), but leaves repeated addresses to the caller, which keeps
    /// them up to date as rows are edited: the rows keep their drafts, and what checking a row
    /// again needs comes back with them.
    pub(crate) fn finish_for_editing(
        self,
        format: SourceFormat,
    ) -> (Vec<ImportedRow>, Vec<RowIssue>, Editing) {
        let Validator {
            mut checker,
            rows,
            email_keys,
            unnamed,
            kept,
        } = self;
        let mut issues = std::mem::take(&mut checker.issues);
        column_warnings(&checker, unnamed, &mut issues);
        issues.sort_by_key(|issue| issue.line);
        let editing = Editing {
            keys: email_keys.row_keys(&rows),
            kept: kept.unwrap_or_default(),
            rules: RowRules::new(checker, format),
        };
        (rows, issues, editing)
    }
}

/// The warnings about password-like columns and columns without a header that hold values.
fn column_warnings(
    checker: &RowChecker,
    unnamed: Vec<(usize, Option<usize>)>,
    issues: &mut Vec<RowIssue>,
) {
    let header_line = checker.header_line;
    for (column, blanked) in checker.secret_columns.iter().copied() {
        if blanked > 0 {
            let header = &checker.header[column];
            issues.push(RowIssue::warning(
                header_line,
                Some(header),
                IssueKind::PasswordColumn,
                format!(
                    "column {} looks like it holds passwords, so its values were removed \
                     ({blanked} {}): they are not shown, saved or exported — if it holds the \
                     users' initial passwords, map it to password",
                    shown(header),
                    if blanked == 1 { "row" } else { "rows" }
                ),
            ));
        }
    }

    for (column, first_line) in unnamed {
        if let Some(first_line) = first_line {
            issues.push(RowIssue::warning(
                header_line,
                None,
                IssueKind::UnknownColumn,
                format!(
                    "column {} has no header but holds values (first on line {first_line}); \
                     they are ignored — give the column a header or delete it",
                    column_letter(column)
                ),
            ));
        }
    }
}
