//! One row's cells checked field by field; a row without errors becomes a [`UserDraft`].

use super::phone::{normalize_phone, PhoneCheck};
use crate::import::draft::{DateOrder, IssueKind, RowIssue, UserDraft, UserState};
use crate::import::email;
use crate::import::mapping::{self, ColumnMapping, Field};
use crate::import::read::RawRow;
use crate::import::text::{self, column_letter, shown, Stray};
use crate::import::ImportedRow;
use crate::secrets::Secret;

/// The longest value accepted in a text cell (Genesys Cloud's limit for names, titles and
/// departments).
pub const MAX_VALUE_CHARS: usize = 255;

/// Checks one row at a time and collects the issues.
pub(super) struct RowChecker {
    pub(super) header: Vec<String>,
    pub(super) header_line: usize,
    /// The column of each field, indexed by [`Field::index`].
    columns: [Option<usize>; Field::ALL.len()],
    /// The columns that hold a field, and the field: their cells are checked for line breaks
    /// and control characters.
    mapped: Vec<(usize, Field)>,
    /// Columns other than the mapped password whose header says they hold passwords, and how
    /// many rows had a value blanked in each.
    pub(super) secret_columns: Vec<(usize, usize)>,
    default_country: Option<phonenumber::country::Id>,
    /// How `3/4/2026` is read.
    pub(super) date_order: Option<DateOrder>,
    pub(super) issues: Vec<RowIssue>,
    /// Errors found in the row being checked.
    row_errors: usize,
    line: usize,
}

impl RowChecker {
    pub(super) fn new(
        header: &[String],
        header_line: usize,
        mapping: &ColumnMapping,
        default_country: Option<phonenumber::country::Id>,
        date_order: Option<DateOrder>,
    ) -> Self {
        let mut columns = [None; Field::ALL.len()];
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
            date_order,
            issues: Vec::new(),
            row_errors: 0,
            line: 0,
        }
    }

    pub(super) fn column_of(&self, field: Field) -> Option<usize> {
        self.columns[field.index()]
    }

    pub(super) fn header_of(&self, field: Field) -> Option<&str> {
        self.columns[field.index()].map(|c| self.header[c].as_str())
    }

    pub(super) fn cell<'c>(&self, cells: &'c [String], field: Field) -> &'c str {
        self.columns[field.index()]
            .and_then(|c| cells.get(c))
            .map_or("", |c| c.trim())
    }

    pub(super) fn error(&mut self, field: Option<Field>, kind: IssueKind, message: String) {
        self.row_errors += 1;
        let column = field.and_then(|f| self.columns[f.index()].map(|c| &self.header[c]));
        let issue = RowIssue::error(self.line, column.map(String::as_str), kind, message);
        self.issues.push(issue);
    }

    pub(super) fn warning(&mut self, field: Option<Field>, kind: IssueKind, message: String) {
        let column = field.and_then(|f| self.columns[f.index()].map(|c| &self.header[c]));
        let issue = RowIssue::warning(self.line, column.map(String::as_str), kind, message);
        self.issues.push(issue);
    }

    /// Returns `false` (and reports) when the value is too long.
    pub(super) fn length_ok(&mut self, field: Field, value: &str) -> bool {
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
    pub(super) fn check(&mut self, row: RawRow, out: &mut Vec<ImportedRow>) -> Option<String> {
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
        let languages = self.languages(view);
        let groups = self.groups(view);
        let employer = self.employer(view);
        let acd_auto_answer = self.acd_auto_answer(view);
        let phone = self.phone_request(view);
        let external_id = self.external_id(view);
        let like = self.model_user(view, email_key.as_deref());

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
                    languages,
                    groups,
                    employer,
                    acd_auto_answer,
                    phone,
                    external_id,
                    like,
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

    pub(super) fn text(&mut self, cells: &[String], field: Field) -> Option<String> {
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
        Field::Languages => "language name",
        Field::Groups => "group name",
        Field::EmployeeId => "employee id",
        Field::EmployeeType => "employee type",
        Field::HireDate => "hire date",
        Field::OfficialName => "official name",
        Field::AcdAutoAnswer => "auto-answer setting",
        Field::Phone => "phone",
        Field::Site => "site name",
        Field::ExternalId => "external id",
        Field::Like => "model agent's e-mail",
    }
}
