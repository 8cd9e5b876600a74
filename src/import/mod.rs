//! Reading, mapping and validating user files (CSV and XLSX).
//!
//! An admin's file goes through three rooms, each one step further from raw bytes:
//!
//! 1. [`read`] turns bytes into records: an `.xlsx` (first sheet or a named one) or a CSV in
//!    UTF-8 (with or without BOM), UTF-16 or Windows-1252; the delimiter (`,` `;` tab `|`) is
//!    sniffed; every record carries the line a user sees in a text editor.
//! 2. [`mapping`] matches the header to fields, ignoring case, spaces, punctuation and accents,
//!    and knowing the synonyms HR exports use; the result is a [`ColumnMapping`] the user can
//!    override and save.
//! 3. [`validate`] checks every row and collects every problem as a [`RowIssue`]; rows without
//!    errors become [`UserDraft`]s. Nothing after the import reads a cell again.
//!
//! The three are streamed: the header is mapped as soon as it is read, and each record is
//! validated as it comes off the reader, while it is still in the CPU's cache.
//!
//! File-wide failures (too large, empty, no e-mail column…) are [`ImportError`]s. A ragged row
//! is a row issue on its line, not a file error, so one bad line loses nothing else.
//!
//! A password column is a secret: it lives only in [`UserDraft::password`] (a [`Secret`],
//! serialized as `"***"`) and is blanked in [`ImportedRow::raw`]. So are the cells of any
//! other column whose header says it holds passwords (`PIN`, `Passwort`, `mot de passe`…).
//!
//! Hostile and careless files stay bounded: a header has at most [`MAX_COLUMNS`] columns, short
//! rows are not padded, a repeated address names at most five other lines, and an `.xlsx` is
//! refused before it is unpacked when it would unpack to more than [`MAX_UNPACKED_BYTES`] or
//! hold more than [`MAX_SHARED_STRINGS`] texts.

mod digest;
mod draft;
mod edit;
mod email;
mod error;
pub mod mapping;
pub mod read;
mod template;
mod text;
pub mod validate;
mod workbook;
mod write;

#[cfg(test)]
mod day1_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use digest::file_digest;
pub use draft::{
    DateOrder, DivisionRef, EmployerInfo, ExternalId, IssueKind, PhoneBase, PhoneRequest,
    RoleDivisions, RoleGrant, RowIssue, Severity, SkillLevel, UserDraft, UserState,
};
pub use edit::{replace_in_cell, Edit, EditError, EditOutcome, EditableImport, Replace, RowChange};
pub use error::ImportError;
pub use mapping::{ColumnAssignment, ColumnMapping, Field, MatchedBy};
pub use read::{SourceFormat, SourceInfo};
pub use template::{template_csv, TEMPLATE_COLUMNS};
pub use text::terminal_safe;
pub use workbook::{MAX_SHARED_STRINGS, MAX_UNPACKED_BYTES};
pub use write::{write_corrected, SaveSummary};

#[cfg(doc)]
use crate::secrets::Secret;

/// The largest file read by default: 50 MB.
pub const DEFAULT_MAX_BYTES: u64 = 50 * 1024 * 1024;
/// The most user rows read by default.
pub const DEFAULT_MAX_ROWS: usize = 200_000;
/// The most columns a header may have. Rollcall uses at most 27; the cap keeps a header of
/// thousands of columns from costing memory on every row.
pub const MAX_COLUMNS: usize = 512;

/// How to read a file. On the wire (camelCase), missing fields take their defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ImportOptions {
    /// ISO 3166 alpha-2 code (`US`, `GB`…) for phone numbers written without `+`. With none, such
    /// a number is an error that says to add the country code or set this.
    pub default_country: Option<String>,
    /// How a hire date such as `3/4/2026` is read; with none, such a date is an error unless it
    /// reads the same both ways.
    pub date_order: Option<DateOrder>,
    /// The sheet to read from an `.xlsx`; the first sheet when `None`.
    pub sheet: Option<String>,
    /// The user's column choices, overriding the automatic match for the columns they name.
    pub mapping: Option<ColumnMapping>,
    /// Larger files are refused.
    pub max_bytes: u64,
    /// Files with more user rows are refused.
    pub max_rows: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            default_country: None,
            date_order: None,
            sheet: None,
            mapping: None,
            max_bytes: DEFAULT_MAX_BYTES,
            max_rows: DEFAULT_MAX_ROWS,
        }
    }
}

/// Everything learned from a file: how it was read, how its columns map, each row and each
/// problem.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub source: SourceInfo,
    pub mapping: ColumnMapping,
    /// The header cells as written (trimmed, trailing empty cells dropped).
    pub headers: Vec<String>,
    /// One entry per non-blank record below the header, in file order.
    pub rows: Vec<ImportedRow>,
    /// Every problem, sorted by line. Problems with the file or a column sit on line 0 or on the
    /// header's line.
    pub issues: Vec<RowIssue>,
}

/// One record of the file.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportedRow {
    /// The line where the record starts (1-based, counting the header and any line breaks inside
    /// quoted cells; for an `.xlsx`, the sheet's row number).
    pub line: usize,
    /// The cells as read, in the file's column order, for the results and failed-rows files: up
    /// to the header's width or the row's last value, whichever is further (at most
    /// [`MAX_COLUMNS`]); a short row stays short, and its missing cells read as empty. The
    /// password cell, and the cells of other password-like columns, are always empty here.
    /// Rollcall's formula guard (a leading `'`) is removed.
    pub raw: Vec<String>,
    /// The validated user, or `None` when the row has at least one error. (Boxed: a row is then
    /// small, which keeps a 100,000-row report's row list compact and cheap to allocate.)
    pub draft: Option<Box<UserDraft>>,
}

impl ImportReport {
    /// Problems that block their row.
    pub fn error_count(&self) -> usize {
        self.issues.iter().filter(|i| i.is_error()).count()
    }

    /// Problems that do not block anything.
    pub fn warning_count(&self) -> usize {
        self.issues.len() - self.error_count()
    }

    /// The users ready to be planned.
    pub fn valid_drafts(&self) -> impl Iterator<Item = &UserDraft> {
        self.rows.iter().filter_map(|row| row.draft.as_deref())
    }

    /// The issues of one line.
    pub fn issues_on(&self, line: usize) -> impl Iterator<Item = &RowIssue> {
        self.issues.iter().filter(move |i| i.line == line)
    }
}

impl fmt::Display for RowIssue {
    /// `line 7, column "E-mail": "ada@" is not a valid e-mail address: …`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}", self.line)?;
            if let Some(column) = &self.column {
                write!(f, ", column \"{column}\"")?;
            }
            f.write_str(": ")?;
        } else if let Some(column) = &self.column {
            write!(f, "column \"{column}\": ")?;
        }
        f.write_str(&self.message)
    }
}

/// Reads, maps and validates the file at `path` (CSV or XLSX, chosen by content).
pub fn import_path(path: &Path, opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    let (bytes, file_name) = read_file(path, opts)?;
    import_bytes(&bytes, &file_name, opts)
}

/// The bytes of the file at `path`, and its name.
fn read_file(path: &Path, opts: &ImportOptions) -> Result<(Vec<u8>, String), ImportError> {
    let io_error = |source| ImportError::Io {
        path: path.to_owned(),
        source,
    };
    // Refuse a huge file before reading it into memory.
    let size = std::fs::metadata(path).map_err(io_error)?.len();
    if size > opts.max_bytes {
        return Err(ImportError::TooLarge {
            size,
            limit: opts.max_bytes,
        });
    }
    let bytes = std::fs::read(path).map_err(io_error)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((bytes, file_name))
}

/// Reads, maps and validates a file already in memory; `file_name` is only reported back.
pub fn import_bytes(
    bytes: &[u8],
    file_name: &str,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    read_and_check(bytes, file_name, opts, false).map(|(report, _)| report)
}

/// Reads, maps and validates a file. `for_editing` leaves the repeated addresses out of the
/// report (their rows keep their drafts) and returns with it what checking a row again needs.
fn read_and_check(
    bytes: &[u8],
    file_name: &str,
    opts: &ImportOptions,
    for_editing: bool,
) -> Result<(ImportReport, Option<validate::Editing>), ImportError> {
    let country = default_country(opts.default_country.as_deref())?;
    let mut assembler = Assembler {
        opts,
        country,
        for_editing,
        mapped: None,
    };
    let table = read::read_table(bytes, file_name, opts, &mut assembler)?;
    let Some((mapping, mut issues, validator)) = assembler.mapped else {
        return Err(ImportError::Empty);
    };
    if validator.row_count() == 0 {
        return Err(ImportError::NoDataRows {
            header_line: table.source.header_line,
        });
    }
    if table.source.encoding.as_deref() == Some(read::WINDOWS_1252) {
        issues.push(RowIssue::warning(
            0,
            None,
            IssueKind::LegacyEncoding,
            "the file is not UTF-8, so it was read as Windows-1252 (Western European); check \
             that accented names look right in the preview, or save the file as \"CSV UTF-8\""
                .to_owned(),
        ));
    }
    let (rows, row_issues, editing) = if for_editing {
        let (rows, issues, editing) = validator.finish_for_editing(table.source.format);
        (rows, issues, Some(editing))
    } else {
        let (rows, issues) = validator.finish();
        (rows, issues, None)
    };
    issues.extend(row_issues);
    issues.sort_by_key(|issue| issue.line);
    let report = ImportReport {
        source: table.source,
        mapping,
        headers: table.header,
        rows,
        issues,
    };
    Ok((report, editing))
}

/// Maps the header as soon as it is read, then validates each record as it arrives.
struct Assembler<'o> {
    opts: &'o ImportOptions,
    country: Option<phonenumber::country::Id>,
    for_editing: bool,
    mapped: Option<(ColumnMapping, Vec<RowIssue>, validate::Validator)>,
}

impl read::RowSink for Assembler<'_> {
    fn header(&mut self, header: &[String], line: usize) -> Result<(), ImportError> {
        let (mapping, issues) = mapping::resolve(header, line, self.opts.mapping.as_ref())?;
        let mut validator =
            validate::Validator::new(header, line, &mapping, self.country, self.opts.date_order);
        if self.for_editing {
            validator.keep_for_editing();
        }
        self.mapped = Some((mapping, issues, validator));
        Ok(())
    }

    fn expect_rows(&mut self, rows: usize) {
        if let Some((_, _, validator)) = &mut self.mapped {
            validator.reserve(rows);
        }
    }

    fn row(&mut self, row: read::RawRow) {
        if let Some((_, _, validator)) = &mut self.mapped {
            validator.push(row);
        }
    }
}

fn default_country(code: Option<&str>) -> Result<Option<phonenumber::country::Id>, ImportError> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let upper = code.to_ascii_uppercase();
    let unknown = || ImportError::UnknownCountry {
        code: code.to_owned(),
    };
    let id = phonenumber::country::Id::from_str(&upper).map_err(|_| unknown())?;
    // Parsing with a country the metadata lacks would panic inside phonenumber.
    if phonenumber::metadata::DATABASE.by_id(id.as_ref()).is_none() {
        return Err(unknown());
    }
    Ok(Some(id))
}

/// Guards a cell for a CSV that a spreadsheet will open: a cell starting with `=`, `+`, `-`,
/// `@`, tab or CR would run as a formula, so it gets a leading `'`. The import removes exactly
/// that apostrophe again, so a file Rollcall writes reads back unchanged.
///
/// A signed number (a phone number such as `+14155550100` or `+44 20 7946 0000`) is left alone:
/// a spreadsheet reads it as a number, which runs nothing, while the admin UI refuses a phone
/// number with a leading `'`.
///
/// So that every cell round-trips, a cell that already starts with apostrophes followed by one of
/// those characters (`'=x`, `'+1`) gets one more too (`''=x`), and the import removes one.
pub fn neutralize_cell(cell: &str) -> Cow<'_, str> {
    if needs_formula_guard(cell) && !is_signed_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// `+` or `-`, a digit, then only digits and the spaces, brackets, dots and dashes phone numbers
/// are written with. Anything else after the sign (`-2+3+cmd|…`) could make a formula that does
/// something, so it is guarded.
fn is_signed_number(cell: &str) -> bool {
    let mut chars = cell.chars();
    matches!(chars.next(), Some('+' | '-'))
        && chars.next().is_some_and(|c| c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_digit() || matches!(c, ' ' | '(' | ')' | '.' | '-'))
}

/// Whether a cell (after any apostrophes) starts with a character a spreadsheet reads as a
/// formula.
fn needs_formula_guard(cell: &str) -> bool {
    matches!(
        cell.trim_start_matches('\'').as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}
