//! Problems that stop a whole file from being read. Problems with single rows are not errors
//! here: they are [`RowIssue`](super::RowIssue)s in the report.

use std::path::PathBuf;

/// Why a file could not be imported at all. Every message names the line when there is one and
/// says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    #[error("could not read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "the file is {} MB; Rollcall reads files up to {} MB — split it into smaller files",
        megabytes(*size),
        megabytes(*limit)
    )]
    TooLarge { size: u64, limit: u64 },

    #[error(
        "line {line}: the file has more than {limit} user rows, the most Rollcall reads at once \
         — split it into smaller files"
    )]
    TooManyRows { limit: usize, line: usize },

    #[error("the file is empty")]
    Empty,

    #[error(
        "line {line}: the header has {found} columns; Rollcall reads at most {limit} — delete \
         the columns it does not need (it uses at most {}) and try again",
        super::Field::ALL.len()
    )]
    TooManyColumns {
        line: usize,
        found: usize,
        limit: usize,
    },

    #[error(
        "the workbook unpacks to {} MB{}, more than the {} MB Rollcall reads — this is not an \
         ordinary user list: export the sheet as CSV, or delete other sheets and pictures and \
         save it again",
        megabytes(*size),
        part.as_ref().map(|p| format!(" in its part {p} alone")).unwrap_or_default(),
        megabytes(*limit)
    )]
    WorkbookTooLarge {
        /// The part (file inside the archive) that alone is too large; `None` when only all of
        /// them together are.
        part: Option<String>,
        size: u64,
        limit: u64,
    },

    #[error(
        "the workbook holds more than {limit} different texts; Rollcall reads workbooks with up \
         to {limit} — this is not an ordinary user list: export the sheet as CSV, or split it"
    )]
    TooManySharedStrings { limit: u64 },

    #[error(
        "the sheet \"{sheet}\" holds more than {} MB of text in its cells (a text repeated in \
         many cells counts each time), more than Rollcall reads — split it into smaller files",
        megabytes(*limit)
    )]
    SheetTooLarge { sheet: String, limit: u64 },

    #[error("line {header_line}: the file has a header but no user rows below it")]
    NoDataRows { header_line: usize },

    #[error(
        "line {line}: the column \"{name}\" appears twice (columns {first_column} and \
         {second_column}); rename or delete one of them"
    )]
    DuplicateHeader {
        line: usize,
        name: String,
        first_column: usize,
        second_column: usize,
    },

    #[error(
        "line {line}: no {field} column was found. The header has: {found}. Name a column one \
         of: {accepted} — or choose the column in the column mapping",
        found = quoted_list(headers),
        accepted = quoted_list(accepted)
    )]
    MissingRequiredColumn {
        line: usize,
        /// The field, as Rollcall names it (`email`, `name`).
        field: &'static str,
        /// The headers the file has.
        headers: Vec<String>,
        /// The header names Rollcall recognises for the field.
        accepted: Vec<String>,
    },

    #[error(
        "line {line} holds a user, not column names: add a header line first, such as \
         name,email,division"
    )]
    NoHeader { line: usize },

    #[error(
        "line {line}: the column mapping sends both \"{first}\" and \"{second}\" to {field}; \
         choose one"
    )]
    ConflictingMapping {
        line: usize,
        field: &'static str,
        first: String,
        second: String,
    },

    #[error(
        "the default country \"{code}\" is not a known two-letter country code (ISO 3166, e.g. \
         US, GB, DE)"
    )]
    UnknownCountry { code: String },

    #[error(
        "this is not a CSV or Excel file (it holds binary data{}); export the list as CSV or \
         .xlsx",
        line.map(|l| format!(" on line {l}")).unwrap_or_default()
    )]
    NotText { line: Option<usize> },

    #[error(
        "this is an old Excel 97–2003 workbook (.xls); open it in Excel and save it as .xlsx or \
         CSV"
    )]
    LegacyExcel,

    #[error(
        "the workbook could not be read ({reason}); open it in Excel and save it again as .xlsx"
    )]
    Xlsx { reason: String },

    #[error(
        "the workbook has no sheet named \"{name}\"; its sheets are: {}",
        quoted_list(available)
    )]
    SheetNotFound {
        name: String,
        available: Vec<String>,
    },

    #[error(
        "line {line} has more than {limit} values, more than a spreadsheet has columns — check \
         that the file is a list of users and that its delimiter is , ; tab or |"
    )]
    TooManyValues { line: usize, limit: usize },

    #[error("could not write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "line {line}, column \"{column}\": \"{value}\" has characters that the file's encoding \
         ({encoding}) cannot hold, so the corrected file cannot keep it — change the cell, or \
         save the original as \"CSV UTF-8\" in the spreadsheet and open that instead"
    )]
    Unencodable {
        line: usize,
        column: String,
        value: String,
        encoding: String,
    },
}

impl ImportError {
    /// A stable name for the kind of error, for the window and the CLI's JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            ImportError::Io { .. } => "io",
            ImportError::TooLarge { .. } => "tooLarge",
            ImportError::TooManyRows { .. } => "tooManyRows",
            ImportError::TooManyColumns { .. } => "tooManyColumns",
            ImportError::WorkbookTooLarge { .. } => "workbookTooLarge",
            ImportError::TooManySharedStrings { .. } => "tooManySharedStrings",
            ImportError::SheetTooLarge { .. } => "sheetTooLarge",
            ImportError::Empty => "empty",
            ImportError::NoDataRows { .. } => "noDataRows",
            ImportError::DuplicateHeader { .. } => "duplicateHeader",
            ImportError::MissingRequiredColumn { .. } => "missingRequiredColumn",
            ImportError::NoHeader { .. } => "noHeader",
            ImportError::ConflictingMapping { .. } => "conflictingMapping",
            ImportError::UnknownCountry { .. } => "unknownCountry",
            ImportError::NotText { .. } => "notText",
            ImportError::LegacyExcel => "legacyExcel",
            ImportError::Xlsx { .. } => "xlsx",
            ImportError::SheetNotFound { .. } => "sheetNotFound",
            ImportError::TooManyValues { .. } => "tooManyValues",
            ImportError::Write { .. } => "write",
            ImportError::Unencodable { .. } => "unencodable",
        }
    }
}

fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 10.0 {
        format!("{mb:.0}")
    } else {
        format!("{mb:.1}")
    }
}

fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return "(nothing)".to_owned();
    }
    items
        .iter()
        .map(|s| format!("\"{}\"", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}
