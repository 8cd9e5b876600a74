//! Which column holds which field. Headers are matched ignoring case, spaces, punctuation and
//! accents, against the admin UI's column names and the synonyms HR systems and Excel users
//! write. The result is a [`ColumnMapping`] value the UI can show, the user can override, and
//! that can be saved and passed back for the next file.

use serde::{Deserialize, Serialize};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::draft::{IssueKind, RowIssue};
use super::error::ImportError;

mod field;

pub use field::Field;

/// How a column got its field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MatchedBy {
    /// The header is the field's own name (`email`, `phone_work`…).
    Name,
    /// The header is a known synonym (`E-mail Address`, `Dept`…).
    Synonym,
    /// The user chose it.
    User,
    /// Nothing matched, or another column was preferred for the same field: the column is
    /// ignored.
    Unmatched,
}

/// One column of the file and the field it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnAssignment {
    /// The header as written in the file.
    pub header: String,
    /// The field, or `None` when the column is ignored.
    pub field: Option<Field>,
    pub matched_by: MatchedBy,
}

/// Which column holds which field.
///
/// In an [`ImportReport`](super::ImportReport), `columns[i]` describes the file's column `i`.
/// Passed back in [`ImportOptions::mapping`](super::ImportOptions::mapping) (for example saved
/// from an earlier file), each entry applies to the column whose header matches its `header`
/// (ignoring case, spaces, punctuation and accents), wherever that column now is; columns it
/// does not name are matched automatically. An entry with `field: null` ignores its column.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnMapping {
    pub columns: Vec<ColumnAssignment>,
}

impl ColumnMapping {
    /// The index of the column that holds `field`.
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.columns.iter().position(|c| c.field == Some(field))
    }

    /// Sends the column with this header to `field` (or ignores it with `None`), as a user
    /// override. Any other column that held `field` is unassigned. Returns false when no column
    /// has that header.
    pub fn assign(&mut self, header: &str, field: Option<Field>) -> bool {
        let key = normalize_header(header);
        let Some(target) = self
            .columns
            .iter()
            .position(|c| normalize_header(&c.header) == key)
        else {
            return false;
        };
        if let Some(field) = field {
            for column in &mut self.columns {
                if column.field == Some(field) {
                    column.field = None;
                    column.matched_by = MatchedBy::User;
                }
            }
        }
        let column = &mut self.columns[target];
        column.field = field;
        column.matched_by = MatchedBy::User;
        true
    }
}

/// Folds a header for matching: accents removed, lowercase, letters and digits only.
pub fn normalize_header(header: &str) -> String {
    header
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Headers of columns that hold passwords or PINs, as people write them in the languages HR
/// exports come in. Matched against the whole header after [`normalize_header`] (and trailing
/// digits, as in `Password 2`), never as a part of it: `Passport` and `Spinner` are not
/// passwords.
const PASSWORD_HEADERS: &[&str] = &[
    "pwd",
    "pw",
    "pass",
    "passwd",
    "password",
    "passwords",
    "passcode",
    "passphrase",
    "secret",
    "pin",
    "pin code",
    "pin number",
    "new password",
    "old password",
    "default password",
    "user password",
    "account password",
    "login password",
    "password hash",
    "confirm password",
    "passwort",
    "kennwort",
    "mot de passe",
    "contraseña",
    "clave de acceso",
    "senha",
    "wachtwoord",
    "parola",
    "hasło",
    "lösenord",
    "passord",
    "adgangskode",
    "salasana",
    "heslo",
    "jelszó",
    "şifre",
    "lozinka",
    "пароль",
    "密码",
    "密碼",
    "パスワード",
    "비밀번호",
];

/// Whether a column's header says it holds passwords: one of [`PASSWORD_HEADERS`], or the
/// password field's own name or synonyms, as the whole header.
pub(crate) fn looks_like_password(header: &str) -> bool {
    let key = normalize_header(header);
    let key = key.trim_end_matches(|c: char| c.is_ascii_digit());
    if key.is_empty() {
        return false;
    }
    std::iter::once(Field::Password.key())
        .chain(Field::Password.synonyms().iter().copied())
        .chain(PASSWORD_HEADERS.iter().copied())
        .any(|word| normalize_header(word) == key)
}

/// The automatic match for one normalised header: the field and its rank (0 = the field's own
/// name; lower is better).
fn auto_match(key: &str) -> Option<(Field, usize)> {
    if key.is_empty() {
        return None;
    }
    let mut best: Option<(Field, usize)> = None;
    for field in Field::ALL {
        let rank = if normalize_header(field.key()) == key {
            Some(0)
        } else {
            field
                .synonyms()
                .iter()
                .position(|s| normalize_header(s) == key)
                .map(|p| p + 1)
        };
        if let Some(rank) = rank {
            if best.is_none_or(|(_, r)| rank < r) {
                best = Some((field, rank));
            }
        }
    }
    best
}

/// Matches a header row to fields, applying the user's override, and reports unknown and
/// ambiguous columns as warnings on the header's line.
pub(crate) fn resolve(
    header: &[String],
    header_line: usize,
    user: Option<&ColumnMapping>,
) -> Result<(ColumnMapping, Vec<RowIssue>), ImportError> {
    let keys: Vec<String> = header.iter().map(|h| normalize_header(h)).collect();
    let mut columns = Vec::with_capacity(header.len());
    let mut ranks = Vec::with_capacity(header.len());
    for (i, key) in keys.iter().enumerate() {
        let chosen = user.and_then(|m| {
            m.columns
                .iter()
                .find(|c| !key.is_empty() && normalize_header(&c.header) == *key)
        });
        let (field, matched_by, rank) = match chosen {
            Some(c) => (c.field, MatchedBy::User, 0),
            None => match auto_match(key) {
                Some((field, 0)) => (Some(field), MatchedBy::Name, 0),
                Some((field, rank)) => (Some(field), MatchedBy::Synonym, rank),
                None => (None, MatchedBy::Unmatched, 0),
            },
        };
        columns.push(ColumnAssignment {
            header: header[i].clone(),
            field,
            matched_by,
        });
        ranks.push(rank);
    }

    // The same header twice is fatal when it names a field: which one holds the value?
    for (i, key) in keys.iter().enumerate() {
        if key.is_empty() || columns[i].field.is_none() {
            continue;
        }
        if let Some(j) = keys[i + 1..].iter().position(|k| k == key) {
            return Err(ImportError::DuplicateHeader {
                line: header_line,
                name: header[i + 1 + j].clone(),
                first_column: i + 1,
                second_column: i + 2 + j,
            });
        }
    }

    let mut issues = Vec::new();
    for field in Field::ALL {
        let holders: Vec<usize> = (0..columns.len())
            .filter(|&i| columns[i].field == Some(field))
            .collect();
        if holders.len() < 2 {
            continue;
        }
        let by_user: Vec<usize> = holders
            .iter()
            .copied()
            .filter(|&i| columns[i].matched_by == MatchedBy::User)
            .collect();
        if by_user.len() > 1 {
            return Err(ImportError::ConflictingMapping {
                line: header_line,
                field: field.key(),
                first: header[by_user[0]].clone(),
                second: header[by_user[1]].clone(),
            });
        }
        let keep = by_user.first().copied().unwrap_or_else(|| {
            *holders
                .iter()
                .min_by_key(|&&i| (ranks[i], i))
                .expect("at least two holders")
        });
        for &i in holders.iter().filter(|&&i| i != keep) {
            columns[i].field = None;
            columns[i].matched_by = MatchedBy::Unmatched;
            issues.push(RowIssue::warning(
                header_line,
                Some(&header[i]),
                IssueKind::AmbiguousColumn {
                    used_column: header[keep].clone(),
                },
                format!(
                    "column \"{}\" also looks like {}, but \"{}\" is used for it and this column \
                     is ignored; change the column mapping to use it instead",
                    header[i],
                    field.key(),
                    header[keep]
                ),
            ));
        }
    }

    for (i, column) in columns.iter().enumerate() {
        if column.field.is_none()
            && column.matched_by == MatchedBy::Unmatched
            && !keys[i].is_empty()
        {
            let superseded = issues
                .iter()
                .any(|issue| issue.column.as_deref() == Some(header[i].as_str()));
            if !superseded {
                issues.push(RowIssue::warning(
                    header_line,
                    Some(&header[i]),
                    IssueKind::UnknownColumn,
                    format!(
                        "column \"{}\" is not a field Rollcall knows; its values are ignored \
                         (choose a field for it in the column mapping if it holds one)",
                        header[i]
                    ),
                ));
            }
        }
    }

    let mapping = ColumnMapping { columns };
    if mapping.column_of(Field::Email).is_none() {
        return Err(missing(Field::Email, header, header_line));
    }
    if mapping.column_of(Field::Name).is_none()
        && mapping.column_of(Field::FirstName).is_none()
        && mapping.column_of(Field::LastName).is_none()
    {
        return Err(missing(Field::Name, header, header_line));
    }
    Ok((mapping, issues))
}

fn missing(field: Field, header: &[String], header_line: usize) -> ImportError {
    // A first line holding an address is a user, not a header.
    if header
        .iter()
        .any(|cell| super::email::check_address(cell).is_ok())
    {
        return ImportError::NoHeader { line: header_line };
    }
    let mut accepted: Vec<String> = std::iter::once(field.key())
        .chain(field.synonyms().iter().copied())
        .map(str::to_owned)
        .collect();
    if field == Field::Name {
        accepted.push("First Name + Last Name".to_owned());
    }
    ImportError::MissingRequiredColumn {
        line: header_line,
        field: field.key(),
        headers: header.iter().filter(|h| !h.is_empty()).cloned().collect(),
        accepted,
    }
}

#[cfg(test)]
mod tests;
