//! The rules every row must pass, all checked on every row so the user sees every problem at
//! once, and the check for the same e-mail on two lines.

use std::fmt::Write as _;

use super::draft::{
    DivisionRef, IssueKind, RoleDivisions, RoleGrant, RowIssue, SkillLevel, UserDraft, UserState,
};
use super::email;
use super::mapping::{self, ColumnMapping, Field};
use super::read::RawRow;
use super::text::{self, Stray};
use super::ImportedRow;
use crate::secrets::Secret;

/// The longest value accepted in a text cell (Genesys Cloud's limit for names, titles and
/// departments).
pub const MAX_VALUE_CHARS: usize = 255;

/// Checks rows one by one as the reader produces them (while their cells are still in the CPU's
/// cache), then looks for repeated e-mail addresses across the file.
pub(crate) struct Validator {
    checker: RowChecker,
    rows: Vec<ImportedRow>,
    /// E-mail keys of rows that have no draft (other errors) but a valid address, so a repeat
    /// of theirs is still reported: (row index, key).
    orphan_keys: Vec<(usize, String)>,
    /// Columns without a header, and the first line where each holds a value.
    unnamed: Vec<(usize, Option<usize>)>,
    /// (hash of the e-mail key, row index) of every row with a valid address, taken while the
    /// key is still in cache; repeats are found by sorting these.
    key_hashes: Vec<(u64, u32)>,
}

impl Validator {
    pub(crate) fn new(
        header: &[String],
        header_line: usize,
        mapping: &ColumnMapping,
        default_country: Option<phonenumber::country::Id>,
    ) -> Self {
        Validator {
            checker: RowChecker::new(header, header_line, mapping, default_country),
            rows: Vec::new(),
            orphan_keys: Vec::new(),
            unnamed: (0..header.len())
                .filter(|&i| header[i].is_empty())
                .map(|i| (i, None))
                .collect(),
            key_hashes: Vec::new(),
        }
    }

    pub(crate) fn row_count(&self) -> usize {
        self.rows.len()
    }

    pub(crate) fn reserve(&mut self, rows: usize) {
        self.rows.reserve(rows);
        self.key_hashes.reserve(rows);
    }

    /// Checks one record.
    pub(crate) fn push(&mut self, row: RawRow) {
        for (column, first_line) in &mut self.unnamed {
            if first_line.is_none() && row.cells.get(*column).is_some_and(|c| !c.trim().is_empty())
            {
                *first_line = Some(row.line);
            }
        }
        let index = self.rows.len();
        let orphan = self.checker.check(row, &mut self.rows);
        let key = match &orphan {
            Some(key) => Some(key.as_str()),
            None => self.rows[index]
                .draft
                .as_ref()
                .map(|d| d.email_key.as_str()),
        };
        if let Some(key) = key {
            self.key_hashes
                .push((fx_hash(key.as_bytes()), index as u32));
        }
        if let Some(key) = orphan {
            self.orphan_keys.push((index, key));
        }
    }

    /// Reports repeated addresses and unnamed columns; returns the rows and every issue, sorted
    /// by line.
    pub(crate) fn finish(self) -> (Vec<ImportedRow>, Vec<RowIssue>) {
        let Validator {
            mut checker,
            mut rows,
            orphan_keys,
            unnamed,
            key_hashes,
        } = self;
        let email_column = checker.header_of(Field::Email).map(str::to_owned);
        let header_line = checker.header_line;
        let mut issues = std::mem::take(&mut checker.issues);

        // Every line with a repeated address gets an error naming a few of the others: naming
        // them all would make 200,000 copies of one address 200,000 messages of 200,000 lines.
        let groups = duplicate_groups(&rows, &orphan_keys, key_hashes);
        for members in &groups {
            for &index in members {
                let address = match &rows[index].draft {
                    Some(draft) => draft.email.clone(),
                    None => orphan_keys
                        .binary_search_by_key(&index, |(i, _)| *i)
                        .map(|found| orphan_keys[found].1.clone())
                        .unwrap_or_default(),
                };
                let named: Vec<usize> = members
                    .iter()
                    .filter(|&&other| other != index)
                    .take(MAX_LINES_NAMED)
                    .map(|&other| rows[other].line)
                    .collect();
                let others = members.len() - 1;
                let row = &mut rows[index];
                row.draft = None;
                issues.push(RowIssue::error(
                    row.line,
                    email_column.as_deref(),
                    IssueKind::DuplicateEmail {
                        other_line: named[0],
                    },
                    format!(
                        "{} is also on {} {}; each person needs their own address — remove or \
                         correct the repeats",
                        shown(&address),
                        if others == 1 { "line" } else { "lines" },
                        join_lines(&named, others - named.len())
                    ),
                ));
            }
        }

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

        issues.sort_by_key(|issue| issue.line);
        (rows, issues)
    }
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

/// The multiply-rotate hash rustc uses for its own tables. The keys come from the admin's own
/// file, so the flooding resistance of the standard hasher buys nothing here.
fn fx_hash(bytes: &[u8]) -> u64 {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let add = |hash: u64, word: u64| (hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    let mut hash = 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        hash = add(hash, u64::from_le_bytes(word));
    }
    let rest = chunks.remainder();
    let mut word = [0u8; 8];
    word[..rest.len()].copy_from_slice(rest);
    add(
        hash,
        u64::from_le_bytes(word) ^ ((bytes.len() as u64) << 56),
    )
}

/// How many other lines a duplicate's message names; the rest are counted.
const MAX_LINES_NAMED: usize = 5;

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

/// The spreadsheet letter of a 0-based column index (A, B, … Z, AA…).
pub(crate) fn column_letter(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// A cell's value quoted for a message, cut short when long; control characters and bidi
/// overrides are escaped, so a message never carries them to a window or a terminal.
fn shown(value: &str) -> String {
    const MAX: usize = 60;
    if value.chars().count() <= MAX {
        format!("\"{}\"", text::terminal_safe(value))
    } else {
        let cut: String = value.chars().take(MAX).collect();
        format!("\"{}…\"", text::terminal_safe(&cut))
    }
}

/// Checks one row at a time and collects the issues.
struct RowChecker {
    header: Vec<String>,
    header_line: usize,
    /// The column of each field, indexed by [`Field::index`].
    columns: [Option<usize>; 16],
    /// The columns that hold a field, and the field: their cells are checked for line breaks
    /// and control characters.
    mapped: Vec<(usize, Field)>,
    /// Columns other than the mapped password whose header says they hold passwords, and how
    /// many rows had a value blanked in each.
    secret_columns: Vec<(usize, usize)>,
    default_country: Option<phonenumber::country::Id>,
    issues: Vec<RowIssue>,
    /// Errors found in the row being checked.
    row_errors: usize,
    line: usize,
}

impl RowChecker {
    fn new(
        header: &[String],
        header_line: usize,
        mapping: &ColumnMapping,
        default_country: Option<phonenumber::country::Id>,
    ) -> Self {
        let mut columns = [None; 16];
        for field in Field::ALL {
            columns[field.index()] = mapping.column_of(field);
        }
        let mut mapped: Vec<(usize, Field)> = Field::ALL
            .iter()
            .filter_map(|&field| Some((columns[field.index()]?, field)))
            .collect();
        mapped.sort_unstable_by_key(|&(column, _)| column);
        let secret_columns = mapping
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.field.is_none() && mapping::looks_like_password(&c.header))
            .map(|(column, _)| (column, 0))
            .collect();
        RowChecker {
            header: header.to_vec(),
            header_line,
            columns,
            mapped,
            secret_columns,
            default_country,
            issues: Vec::new(),
            row_errors: 0,
            line: 0,
        }
    }

    fn header_of(&self, field: Field) -> Option<&str> {
        self.columns[field.index()].map(|c| self.header[c].as_str())
    }

    fn cell<'c>(&self, cells: &'c [String], field: Field) -> &'c str {
        self.columns[field.index()]
            .and_then(|c| cells.get(c))
            .map_or("", |c| c.trim())
    }

    fn error(&mut self, field: Option<Field>, kind: IssueKind, message: String) {
        self.row_errors += 1;
        let column = field.and_then(|f| self.columns[f.index()].map(|c| &self.header[c]));
        let issue = RowIssue::error(self.line, column.map(String::as_str), kind, message);
        self.issues.push(issue);
    }

    fn warning(&mut self, field: Option<Field>, kind: IssueKind, message: String) {
        let column = field.and_then(|f| self.columns[f.index()].map(|c| &self.header[c]));
        let issue = RowIssue::warning(self.line, column.map(String::as_str), kind, message);
        self.issues.push(issue);
    }

    /// Returns `false` (and reports) when the value is too long.
    fn length_ok(&mut self, field: Field, value: &str) -> bool {
        if value.len() <= MAX_VALUE_CHARS {
            return true;
        }
        let found = value.chars().count();
        if found <= MAX_VALUE_CHARS {
            return true;
        }
        self.error(
            Some(field),
            IssueKind::TooLong {
                max: MAX_VALUE_CHARS,
                found,
            },
            format!(
                "the {} is {found} characters long; the most is {MAX_VALUE_CHARS} — shorten it",
                label(field)
            ),
        );
        false
    }

    /// Checks one row and appends it, with its draft when it has no errors. Returns the e-mail
    /// key of a row without a draft whose address is valid, for the duplicate check.
    fn check(&mut self, row: RawRow, out: &mut Vec<ImportedRow>) -> Option<String> {
        let RawRow {
            line,
            mut cells,
            used,
            ended_early,
        } = row;
        self.line = line;
        self.row_errors = 0;

        let width = self.header.len();
        if used > width {
            let lost = match cells
                .get(width..)
                .and_then(|extra| extra.iter().find(|c| !c.trim().is_empty()))
            {
                Some(value) => shown(value.trim()),
                None => format!("the value in column {}", column_letter(used - 1)),
            };
            self.error(
                None,
                IssueKind::RaggedRow {
                    expected: width,
                    found: used,
                },
                format!(
                    "this row has {used} values but the header has {width} columns, so {lost} \
                     would be lost — look for a delimiter inside a value that is not in quotes, \
                     or add a header for the extra column"
                ),
            );
        } else if let Some(found) = ended_early {
            self.warning(
                None,
                IssueKind::RaggedRow {
                    expected: width,
                    found,
                },
                format!(
                    "this row has {found} values but the header has {width} columns; the missing \
                     ones are read as empty"
                ),
            );
        }
        self.blank_secrets(&mut cells);
        // Out of the row before anything else looks at it: the raw cells never keep it, and it
        // is a secret (wiped when dropped) from here on.
        let password_cell = self.columns[Field::Password.index()]
            .and_then(|column| cells.get_mut(column))
            .map(|cell| Secret::from(std::mem::take(cell)));
        let folded = self.check_characters(&cells);
        let view: &[String] = folded.as_deref().unwrap_or(&cells);

        let name = self.name(view);
        let (email, email_key) = self.email(view);
        let division = self.division(view);
        let title = self.text(view, Field::Title);
        let department = self.text(view, Field::Department);
        let phone_work = self.phone(view);
        let state = self.state(view);
        let password = password_cell.and_then(|cell| self.password(cell.expose()));
        let manager_email = self.manager(view, email_key.as_deref());
        let extension = self.extension(view);
        let location = self.text(view, Field::LocationWork);
        let roles = self.roles(view);
        let queues = self.queues(view);
        let skills = self.skills(view);

        let (draft, orphan_key) = match (self.row_errors, name, email, email_key) {
            (0, Some(name), Some(email), Some(email_key)) => (
                Some(Box::new(UserDraft {
                    name,
                    email,
                    email_key,
                    division,
                    title,
                    department,
                    phone_work,
                    state,
                    password,
                    manager_email,
                    extension,
                    location,
                    roles,
                    queues,
                    skills,
                })),
                None,
            ),
            (_, _, _, key) => (None, key),
        };
        out.push(ImportedRow {
            line,
            raw: cells,
            draft,
        });
        orphan_key
    }

    /// Empties the cells of password-like columns other than the mapped password, before the
    /// row is kept anywhere.
    fn blank_secrets(&mut self, cells: &mut [String]) {
        for (column, blanked) in &mut self.secret_columns {
            if let Some(cell) = cells.get_mut(*column) {
                if !cell.trim().is_empty() {
                    *blanked += 1;
                }
                // Wiped, not only emptied: the cell may hold a secret.
                drop(Secret::from(std::mem::take(cell)));
            }
        }
    }

    /// Reports control characters and bidi overrides in mapped cells (an error: they can make
    /// a value display as something else, or act on a terminal), and folds line breaks into a
    /// space (a warning). Returns the row with its line breaks folded, when it had any: the
    /// values checked from there on, while the raw cells stay as the file has them.
    fn check_characters(&mut self, cells: &[String]) -> Option<Vec<String>> {
        let mut folded: Option<Vec<String>> = None;
        for index in 0..self.mapped.len() {
            let (column, field) = self.mapped[index];
            if field == Field::Password {
                continue; // Checked by `password`, which never quotes it.
            }
            let Some(cell) = cells.get(column) else {
                continue;
            };
            // Breaks before and after the value are only whitespace, trimmed like any other.
            match text::find_stray(cell.trim()) {
                None => {}
                Some(Stray::LineBreaks) => {
                    let value = text::fold_line_breaks(cell);
                    self.warning(
                        Some(field),
                        IssueKind::LineBreak,
                        format!(
                            "the {} has a line break (Alt+Enter in Excel); it was replaced by a \
                             space: {}",
                            label(field),
                            shown(value.trim())
                        ),
                    );
                    folded.get_or_insert_with(|| cells.to_vec())[column] = value;
                }
                Some(Stray::Control { found, position }) => self.error(
                    Some(field),
                    IssueKind::ControlCharacter,
                    format!(
                        "the {} {} contains an invisible control character, {}, at character \
                         {position}; type the value again without it (it can make the text \
                         display as something else)",
                        label(field),
                        shown(cell.trim()),
                        text::describe(found)
                    ),
                ),
            }
        }
        folded
    }

    fn name(&mut self, cells: &[String]) -> Option<String> {
        let full = self.cell(cells, Field::Name);
        let name = if full.is_empty() {
            let first = self.cell(cells, Field::FirstName);
            let last = self.cell(cells, Field::LastName);
            match (first.is_empty(), last.is_empty()) {
                (false, false) => format!("{first} {last}"),
                (false, true) => first.to_owned(),
                (true, false) => last.to_owned(),
                (true, true) => String::new(),
            }
        } else {
            full.to_owned()
        };
        if name.is_empty() {
            let field = if self.columns[Field::Name.index()].is_some() {
                Field::Name
            } else if self.columns[Field::FirstName.index()].is_some() {
                Field::FirstName
            } else {
                Field::LastName
            };
            self.error(
                Some(field),
                IssueKind::MissingValue,
                "the name is empty; every user needs a name".to_owned(),
            );
            return None;
        }
        let field = if full.is_empty() {
            Field::FirstName
        } else {
            Field::Name
        };
        if name.starts_with(['=', '+', '-', '@']) {
            self.warning(
                Some(field),
                IssueKind::FormulaLike,
                format!(
                    "the name {} starts with {}, which a spreadsheet may run as a formula when \
                     Genesys Cloud's own exports of users are opened — check it is meant to",
                    shown(&name),
                    shown(&name[..1])
                ),
            );
        }
        self.length_ok(field, &name).then_some(name)
    }

    fn email(&mut self, cells: &[String]) -> (Option<String>, Option<String>) {
        let address = self.cell(cells, Field::Email);
        if address.is_empty() {
            self.error(
                Some(Field::Email),
                IssueKind::MissingValue,
                "the e-mail address is empty; every user needs one (it is also their Genesys \
                 Cloud username)"
                    .to_owned(),
            );
            return (None, None);
        }
        match email::check_address(address) {
            Ok(()) => (Some(address.to_owned()), Some(address.to_ascii_lowercase())),
            Err(reason) => {
                self.error(
                    Some(Field::Email),
                    IssueKind::InvalidEmail,
                    format!("{} is not a valid e-mail address: {reason}", shown(address)),
                );
                (None, None)
            }
        }
    }

    fn division(&mut self, cells: &[String]) -> Option<DivisionRef> {
        let value = self.cell(cells, Field::Division);
        if value.is_empty() {
            return None;
        }
        if let Some(id) = canonical_uuid(value) {
            return Some(DivisionRef::Id(id));
        }
        if looks_like_uuid(value) {
            self.warning(
                Some(Field::Division),
                IssueKind::InvalidDivision,
                format!(
                    "{} looks like a division id but is not a valid one; it will be looked up as \
                     a division name — check it was copied whole",
                    shown(value)
                ),
            );
        }
        self.length_ok(Field::Division, value)
            .then(|| DivisionRef::Name(value.to_owned()))
    }

    fn text(&mut self, cells: &[String], field: Field) -> Option<String> {
        let value = self.cell(cells, field);
        if value.is_empty() || !self.length_ok(field, value) {
            return None;
        }
        Some(value.to_owned())
    }

    fn phone(&mut self, cells: &[String]) -> Option<String> {
        let value = self.cell(cells, Field::PhoneWork);
        if value.is_empty() {
            return None;
        }
        match normalize_phone(value, self.default_country) {
            Ok(PhoneCheck { e164, warning }) => {
                if let Some(warning) = warning {
                    self.warning(Some(Field::PhoneWork), IssueKind::InvalidPhone, warning);
                }
                Some(e164)
            }
            Err(message) => {
                self.error(Some(Field::PhoneWork), IssueKind::InvalidPhone, message);
                None
            }
        }
    }

    fn state(&mut self, cells: &[String]) -> Option<UserState> {
        let value = self.cell(cells, Field::State);
        if value.is_empty() {
            None
        } else if value.eq_ignore_ascii_case("active") {
            Some(UserState::Active)
        } else if value.eq_ignore_ascii_case("inactive") {
            Some(UserState::Inactive)
        } else {
            self.error(
                Some(Field::State),
                IssueKind::InvalidState,
                format!(
                    "{} is not a user state; write active or inactive, or leave it empty (if \
                     this column holds something else, such as a US state, ignore it in the \
                     column mapping)",
                    shown(value)
                ),
            );
            None
        }
    }

    /// The password cell, already taken out of the row.
    fn password(&mut self, cell: &str) -> Option<Secret> {
        let value = cell.trim();
        if value.is_empty() {
            return None;
        }
        if let Some(stray) = text::find_stray(value) {
            let what = match stray {
                Stray::LineBreaks => "a line break".to_owned(),
                Stray::Control { found, position } => format!(
                    "an invisible control character, {}, at character {position}",
                    text::describe(found)
                ),
            };
            self.error(
                Some(Field::Password),
                IssueKind::ControlCharacter,
                format!("the password contains {what}; type it again without it"),
            );
            return None;
        }
        let found = value.chars().count();
        if found > MAX_VALUE_CHARS {
            self.error(
                Some(Field::Password),
                IssueKind::TooLong {
                    max: MAX_VALUE_CHARS,
                    found,
                },
                format!("the password is {found} characters long; the most is {MAX_VALUE_CHARS}"),
            );
            return None;
        }
        Some(Secret::new(value))
    }

    fn manager(&mut self, cells: &[String], own_key: Option<&str>) -> Option<String> {
        let value = self.cell(cells, Field::EmailManager);
        if value.is_empty() {
            return None;
        }
        if let Err(reason) = email::check_address(value) {
            self.error(
                Some(Field::EmailManager),
                IssueKind::InvalidEmail,
                format!(
                    "the manager's e-mail {} is not a valid address: {reason}",
                    shown(value)
                ),
            );
            return None;
        }
        let key = value.to_ascii_lowercase();
        if own_key == Some(key.as_str()) {
            self.warning(
                Some(Field::EmailManager),
                IssueKind::SelfManager,
                "the user is listed as their own manager; the manager will not be set".to_owned(),
            );
            return None;
        }
        Some(key)
    }

    fn extension(&mut self, cells: &[String]) -> Option<String> {
        let value = self.cell(cells, Field::Extension);
        if value.is_empty() {
            return None;
        }
        if value.len() > 16 || !value.bytes().all(|b| b.is_ascii_digit()) {
            self.error(
                Some(Field::Extension),
                IssueKind::InvalidExtension,
                format!(
                    "{} is not an extension; write up to 16 digits",
                    shown(value)
                ),
            );
            return None;
        }
        Some(value.to_owned())
    }

    fn queues(&mut self, cells: &[String]) -> Vec<String> {
        let value = self.cell(cells, Field::Queues);
        let mut queues: Vec<String> = Vec::new();
        for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if !self.length_ok(Field::Queues, item) {
                continue;
            }
            if queues.iter().any(|q| q.eq_ignore_ascii_case(item)) {
                self.warning(
                    Some(Field::Queues),
                    IssueKind::InvalidQueues,
                    format!("the queue {} is listed twice", shown(item)),
                );
                continue;
            }
            queues.push(item.to_owned());
        }
        queues
    }

    fn skills(&mut self, cells: &[String]) -> Vec<SkillLevel> {
        let value = self.cell(cells, Field::Skills);
        let mut skills: Vec<SkillLevel> = Vec::new();
        for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let Some((name, level)) = item.rsplit_once(':') else {
                self.error(
                    Some(Field::Skills),
                    IssueKind::InvalidSkills,
                    format!(
                        "the skill {} has no level; write it as Skill Name:N with N from 0 to 5",
                        shown(item)
                    ),
                );
                continue;
            };
            let (name, level) = (name.trim(), level.trim());
            let proficiency = level
                .parse::<f64>()
                .ok()
                .filter(|p| (0.0..=5.0).contains(p));
            let Some(proficiency) = proficiency else {
                self.error(
                    Some(Field::Skills),
                    IssueKind::InvalidSkills,
                    format!(
                        "the level of skill {} is {}; it must be a number from 0 to 5",
                        shown(name),
                        shown(level)
                    ),
                );
                continue;
            };
            if name.is_empty() {
                self.error(
                    Some(Field::Skills),
                    IssueKind::InvalidSkills,
                    format!("{} has a level but no skill name", shown(item)),
                );
                continue;
            }
            if !self.length_ok(Field::Skills, name) {
                continue;
            }
            if skills.iter().any(|s| s.name.eq_ignore_ascii_case(name)) {
                self.warning(
                    Some(Field::Skills),
                    IssueKind::InvalidSkills,
                    format!("the skill {} is listed twice", shown(name)),
                );
                continue;
            }
            skills.push(SkillLevel {
                name: name.to_owned(),
                proficiency,
            });
        }
        skills
    }

    fn roles(&mut self, cells: &[String]) -> Vec<RoleGrant> {
        let value = self.cell(cells, Field::RolesDivisions);
        let mut roles: Vec<RoleGrant> = Vec::new();
        for item in value.split('|').map(str::trim).filter(|s| !s.is_empty()) {
            let (role, divisions) = match item.split_once(':') {
                None => (item, RoleDivisions::Home),
                Some((role, list)) => {
                    let list = list.trim();
                    let names: Vec<&str> = list
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect();
                    if names.is_empty() {
                        self.error(
                            Some(Field::RolesDivisions),
                            IssueKind::InvalidRolesDivisions,
                            format!(
                                "{} has a colon but no division; write Role Name for the home \
                                 division, Role Name:Division A,Division B, or Role Name:* for \
                                 all divisions",
                                shown(item)
                            ),
                        );
                        continue;
                    }
                    if names.contains(&"*") {
                        if names.len() > 1 {
                            self.error(
                                Some(Field::RolesDivisions),
                                IssueKind::InvalidRolesDivisions,
                                format!(
                                    "{}: * already means every division and cannot be combined \
                                     with division names",
                                    shown(item)
                                ),
                            );
                            continue;
                        }
                        (role, RoleDivisions::All)
                    } else {
                        if names
                            .iter()
                            .any(|n| !self.length_ok(Field::RolesDivisions, n))
                        {
                            continue;
                        }
                        (
                            role,
                            RoleDivisions::Named(names.into_iter().map(str::to_owned).collect()),
                        )
                    }
                }
            };
            let role = role.trim();
            if role.is_empty() {
                self.error(
                    Some(Field::RolesDivisions),
                    IssueKind::InvalidRolesDivisions,
                    format!("{} has divisions but no role name", shown(item)),
                );
                continue;
            }
            if !self.length_ok(Field::RolesDivisions, role) {
                continue;
            }
            roles.push(RoleGrant {
                role: role.to_owned(),
                divisions,
            });
        }
        roles
    }
}

fn label(field: Field) -> &'static str {
    match field {
        Field::Name | Field::FirstName | Field::LastName => "name",
        Field::Email => "e-mail address",
        Field::Division => "division name",
        Field::Title => "title",
        Field::Department => "department",
        Field::PhoneWork => "phone number",
        Field::Extension => "extension",
        Field::EmailManager => "manager's e-mail",
        Field::LocationWork => "location",
        Field::RolesDivisions => "role or division name",
        Field::Queues => "queue name",
        Field::Skills => "skill name",
        Field::State => "state",
        Field::Password => "password",
    }
}

/// A UUID in its dashed form (or as 32 hex digits), lowercased and dashed.
pub(crate) fn canonical_uuid(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    match bytes.len() {
        36 => {
            for (i, &b) in bytes.iter().enumerate() {
                let dash = matches!(i, 8 | 13 | 18 | 23);
                if dash != (b == b'-') || (!dash && !b.is_ascii_hexdigit()) {
                    return None;
                }
            }
            Some(value.to_ascii_lowercase())
        }
        32 if bytes.iter().all(u8::is_ascii_hexdigit) => {
            let mut id = String::with_capacity(36);
            for (i, &b) in bytes.iter().enumerate() {
                if matches!(i, 8 | 12 | 16 | 20) {
                    id.push('-');
                }
                id.push(b.to_ascii_lowercase() as char);
            }
            Some(id)
        }
        _ => None,
    }
}

/// Dashes where a UUID has them: someone meant an id.
fn looks_like_uuid(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 36 && [8, 13, 18, 23].iter().all(|&i| bytes[i] == b'-')
}

struct PhoneCheck {
    e164: String,
    warning: Option<String>,
}

/// Parses a phone number into E.164. A number without `+` needs the default country.
fn normalize_phone(
    value: &str,
    default_country: Option<phonenumber::country::Id>,
) -> Result<PhoneCheck, String> {
    let unreadable = |reason: &dyn std::fmt::Display| {
        format!(
            "{} cannot be read as a phone number ({reason}); write it as +<country code><number>, \
             for example +14155550100",
            shown(value)
        )
    };
    if value.bytes().filter(u8::is_ascii_digit).count() < 3 {
        return Err(unreadable(&"it has fewer than 3 digits"));
    }
    let international = value.starts_with('+');
    if !international && default_country.is_none() {
        return Err(format!(
            "the phone number {} has no country code; write it as +<country code><number> \
             (for example +14155550100) or set the default country for the import",
            shown(value)
        ));
    }
    let country = if international { None } else { default_country };
    let number = phonenumber::parse(country, value).map_err(|e| unreadable(&e))?;
    let mut e164 = String::with_capacity(16);
    if write!(e164, "{}", number.format().mode(phonenumber::Mode::E164)).is_err() {
        return Err(format!(
            "{} has a country code that does not exist; check the digits after the +",
            shown(value)
        ));
    }
    let mut warning = None;
    if !phonenumber::is_valid(&number) {
        warning = Some(format!(
            "{} does not look like a valid number for its country; it is kept as {e164} — \
             check the digits",
            shown(value)
        ));
    } else if let Some(extension) = number.extension() {
        warning = Some(format!(
            "the extension {extension} in {} is not part of the phone number and is dropped; \
             put it in the extension column",
            shown(value)
        ));
    }
    Ok(PhoneCheck { e164, warning })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn us() -> Option<phonenumber::country::Id> {
        Some(phonenumber::country::Id::from_str("US").unwrap())
    }

    #[test]
    fn international_numbers_need_no_country_and_become_e164() {
        let check = normalize_phone("+44 20 7946 0958", None).ok().unwrap();
        assert_eq!(check.e164, "+442079460958");
        assert!(check.warning.is_none());
        let check = normalize_phone("+1 (415) 555-0100", None).ok().unwrap();
        assert_eq!(check.e164, "+14155550100");
    }

    #[test]
    fn national_numbers_use_the_default_country() {
        let check = normalize_phone("(415) 555-0100", us()).ok().unwrap();
        assert_eq!(check.e164, "+14155550100");
        let gb = phonenumber::country::Id::from_str("GB").ok();
        let check = normalize_phone("020 7946 0958", gb).ok().unwrap();
        assert_eq!(check.e164, "+442079460958");
    }

    #[test]
    fn a_national_number_without_a_default_country_says_what_to_do() {
        let message = normalize_phone("415 555 0100", None).err().unwrap();
        assert!(message.contains("has no country code"), "{message}");
        assert!(message.contains("set the default country"), "{message}");
    }

    #[test]
    fn text_that_is_no_phone_number_is_an_error_naming_the_value() {
        let message = normalize_phone("call me", us()).err().unwrap();
        assert!(
            message.starts_with("\"call me\" cannot be read as a phone number"),
            "{message}"
        );
    }

    #[test]
    fn an_extension_in_the_phone_cell_is_dropped_with_a_warning() {
        let check = normalize_phone("+1 415 555 0100 ext. 12", None)
            .ok()
            .unwrap();
        assert_eq!(check.e164, "+14155550100");
        assert!(check.warning.unwrap().contains("extension 12"));
    }

    #[test]
    fn uuids_are_recognised_in_both_forms() {
        assert_eq!(
            canonical_uuid("3F2504E0-4F89-11D3-9A0C-0305E82C3301").as_deref(),
            Some("3f2504e0-4f89-11d3-9a0c-0305e82c3301")
        );
        assert_eq!(
            canonical_uuid("3f2504e04f8911d39a0c0305e82c3301").as_deref(),
            Some("3f2504e0-4f89-11d3-9a0c-0305e82c3301")
        );
        assert_eq!(canonical_uuid("Sales"), None);
        assert_eq!(canonical_uuid("3f2504e0-4f89-11d3-9a0c-0305e82c330g"), None);
    }

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
    fn column_letters_follow_spreadsheets() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
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
