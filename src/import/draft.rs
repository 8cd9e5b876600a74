//! The typed result of an import: validated user drafts and the problems found, line by line.
//!
//! Nothing downstream of the import reads a cell of the file again: it reads these types.

use serde::{Deserialize, Serialize, Serializer};

use crate::secrets::Secret;

/// The state a user is created in: the one state type Genesys's users have. A file can name
/// `active` or `inactive`, never `deleted`.
pub use crate::genesys::UserState;

/// One user as the file describes them, every value checked and normalised.
///
/// Values are trimmed; optional cells that were empty are `None` (or an empty list).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDraft {
    /// The user's display name (from `name`, or `First Name` + `Last Name`).
    pub name: String,
    /// The e-mail address as written (trimmed), kept in its original case for display.
    pub email: String,
    /// The e-mail address lowercased: the key for comparing users, in the file and in the org.
    pub email_key: String,
    /// The division to create the user in; `None` means the org's home division.
    pub division: Option<DivisionRef>,
    pub title: Option<String>,
    pub department: Option<String>,
    /// The work phone in E.164 form (`+14155550100`).
    pub phone_work: Option<String>,
    /// `active` or `inactive`, when the file says; Rollcall creates users active otherwise.
    pub state: Option<UserState>,
    /// The initial password. Never serialized: a preview shows `"***"` when one is set.
    #[serde(serialize_with = "mask_secret")]
    pub password: Option<Secret>,
    /// The manager's e-mail address (checked for form; lowercased).
    pub manager_email: Option<String>,
    /// The phone extension, set after the create (the work phone is kept).
    pub extension: Option<String>,
    /// The work location's name, resolved against the org by the plan.
    pub location: Option<String>,
    /// Roles and their divisions, by name; granted after the create.
    pub roles: Vec<RoleGrant>,
    /// Queue names; memberships are added after every row is created, batched per queue.
    pub queues: Vec<String>,
    /// Routing skills with proficiency, by name; added after the create.
    pub skills: Vec<SkillLevel>,
    /// Routing languages with proficiency (`Spanish:4`), by name; added after the create.
    pub languages: Vec<SkillLevel>,
    /// Group names; the user is added to each after the create.
    pub groups: Vec<String>,
    /// Employer info, sent in the PATCH that follows the create.
    pub employer: EmployerInfo,
    /// Whether ACD calls are answered automatically, when the file says.
    pub acd_auto_answer: Option<bool>,
    /// The phone to create for the user, with its site.
    pub phone: Option<PhoneRequest>,
    /// The user's id in another system (an HR system's employee number).
    pub external_id: Option<ExternalId>,
    /// The e-mail (lowercased) of the model agent whose roles, queues, skills, languages and
    /// groups this user also gets.
    pub like: Option<String>,
}

#[cfg(test)]
impl UserDraft {
    /// A user with only a name and an e-mail (its key as given), for tests.
    pub(crate) fn minimal(name: &str, email: &str) -> UserDraft {
        UserDraft {
            name: name.into(),
            email: email.into(),
            email_key: email.into(),
            division: None,
            title: None,
            department: None,
            phone_work: None,
            state: None,
            password: None,
            manager_email: None,
            extension: None,
            location: None,
            roles: Vec::new(),
            queues: Vec::new(),
            skills: Vec::new(),
            languages: Vec::new(),
            groups: Vec::new(),
            employer: EmployerInfo::default(),
            acd_auto_answer: None,
            phone: None,
            external_id: None,
            like: None,
        }
    }
}

fn mask_secret<S: Serializer>(secret: &Option<Secret>, serializer: S) -> Result<S::Ok, S::Error> {
    match secret {
        Some(_) => serializer.serialize_some("***"),
        None => serializer.serialize_none(),
    }
}

/// How a row names its division.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "camelCase")]
pub enum DivisionRef {
    /// A division id (a UUID, lowercased and in its dashed form).
    Id(String),
    /// A division name, resolved against the org when the run is planned.
    Name(String),
}

/// One role from the `roles_divisions` column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleGrant {
    pub role: String,
    pub divisions: RoleDivisions,
}

/// The divisions a role is granted in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "names", rename_all = "camelCase")]
pub enum RoleDivisions {
    /// `Role Name` alone: the home division.
    Home,
    /// `Role Name:*`: every division.
    All,
    /// `Role Name:Division A,Division B`.
    Named(Vec<String>),
}

/// One routing skill from the `skills` column, `Skill Name:N`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillLevel {
    pub name: String,
    /// Genesys proficiency, 0 to 5.
    pub proficiency: f64,
}

/// The user's employer info; every part is optional and a blank cell is `None` (it never
/// clears what the org has).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmployerInfo {
    pub employee_id: Option<String>,
    /// `Full-time`, `Part-time` or `Contractor`, as Genesys writes them.
    pub employee_type: Option<String>,
    /// The hire date as Genesys takes it, `yyyy-MM-dd`.
    pub hire_date: Option<String>,
    pub official_name: Option<String>,
}

impl EmployerInfo {
    /// Whether the file sets any part of it.
    pub fn is_empty(&self) -> bool {
        self.employee_id.is_none()
            && self.employee_type.is_none()
            && self.hire_date.is_none()
            && self.official_name.is_none()
    }
}

/// The phone a row asks for: which phone base settings, on which site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneRequest {
    pub base: PhoneBase,
    /// The site's name, resolved by the plan.
    pub site: String,
}

/// The phone base settings a phone is made from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "name", rename_all = "camelCase")]
pub enum PhoneBase {
    /// `webrtc`: the org's only WebRTC phone base settings.
    WebRtc,
    /// Phone base settings named in the cell.
    Named(String),
}

/// An id of the user in another system, `authority:key` in the file. Both parts are case
/// sensitive in Genesys and kept as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalId {
    pub authority: String,
    pub key: String,
}

/// The order of day and month in a date such as `3/4/2026`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// Month first (`3/14/2026`), as in the US.
    Mdy,
    /// Day first (`14/3/2026`), as in most of the world.
    Dmy,
}

/// How much a problem matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// The row (or, on the header line, the column) is still usable.
    Warning,
    /// The row is not imported until this is fixed.
    Error,
}

/// A problem found in the file, at a line a user can find in a text editor (or a spreadsheet row).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowIssue {
    /// 1-based line where the record starts, counting the header (for an `.xlsx`, the sheet's
    /// row number). Problems with a column sit on the header's line.
    pub line: usize,
    /// The column's header as written in the file, when the problem is in one cell or column.
    pub column: Option<String>,
    pub kind: IssueKind,
    pub severity: Severity,
    /// What is wrong and what to do, in words an admin can act on.
    pub message: String,
}

/// What kind of problem a [`RowIssue`] is. New kinds may be added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum IssueKind {
    /// A required cell (name, e-mail) is empty. Error.
    MissingValue,
    /// The e-mail or manager e-mail is not a valid address. Error.
    InvalidEmail,
    /// The same e-mail address (ignoring case) is on another line too. Error on every such line.
    DuplicateEmail {
        /// The first other line with the same address.
        other_line: usize,
    },
    /// The division cell looks like a malformed id; it will be treated as a name. Warning.
    InvalidDivision,
    /// The work phone cannot be read as a phone number, or needs a country. Error; a number that
    /// parses but is not valid for its country is a warning.
    InvalidPhone,
    /// The `state` cell is neither `active` nor `inactive`. Error.
    InvalidState,
    /// An item of `skills` is not `Skill Name:N` with N from 0 to 5. Warning.
    InvalidSkills,
    /// An item of `roles_divisions` is malformed. Warning.
    InvalidRolesDivisions,
    /// The `queues` cell repeats a queue. Warning.
    InvalidQueues,
    /// The `extension` cell is not made of digits. Warning.
    InvalidExtension,
    /// The user is listed as their own manager. Warning.
    SelfManager,
    /// A value is longer than Genesys Cloud accepts. Error.
    TooLong { max: usize, found: usize },
    /// A column is not a Rollcall field and is ignored. Warning, on the header line.
    UnknownColumn,
    /// An item of `languages` is not `Language Name:N` with N from 0 to 5. Error.
    InvalidLanguages,
    /// The `groups` cell repeats a group. Warning.
    InvalidGroups,
    /// The `employee_type` cell is not `Full-time`, `Part-time` or `Contractor`. Error.
    InvalidEmployeeType,
    /// The `hire_date` cell is not a date, or is a date whose day and month could be either
    /// way round and no date order is set. Error.
    InvalidDate,
    /// The `acd_auto_answer` cell is not yes or no. Error.
    InvalidAutoAnswer,
    /// The `phone` cell holds a phone number, or has no `site` (error); or a `site` has no
    /// `phone` (warning).
    InvalidPhoneDevice,
    /// The `external_id` cell is not `authority:key`. Error.
    InvalidExternalId,
    /// The `like` cell is not an e-mail address (error) or is the user's own (warning).
    InvalidModelUser,
    /// Two columns map to the same field; the one named is used and this one is ignored.
    /// Warning, on the header line.
    AmbiguousColumn { used_column: String },
    /// A row has a different number of cells than the header. More non-empty cells than headers
    /// is an error (a value would be lost); fewer cells is a warning (the missing cells are
    /// read as empty).
    RaggedRow { expected: usize, found: usize },
    /// The file is not UTF-8 and was read as Windows-1252. Warning, line 0.
    LegacyEncoding,
    /// A mapped cell has a line break inside (Excel's Alt+Enter); it was replaced by a space.
    /// Warning.
    LineBreak,
    /// A mapped cell holds a control character or a bidi override (U+202A–U+202E,
    /// U+2066–U+2069), which can make a value display as something else. Error.
    ControlCharacter,
    /// The name starts with `=`, `+`, `-` or `@`, which a spreadsheet may run as a formula when
    /// an export of users is opened. Warning.
    FormulaLike,
    /// A column other than the mapped password looks like it holds passwords (`PIN`,
    /// `Passwort`…); its values were removed from every row. Warning, on the header line.
    PasswordColumn,
}

impl RowIssue {
    pub(crate) fn error(
        line: usize,
        column: Option<&str>,
        kind: IssueKind,
        message: String,
    ) -> Self {
        RowIssue {
            line,
            column: column.map(str::to_owned),
            kind,
            severity: Severity::Error,
            message,
        }
    }

    pub(crate) fn warning(
        line: usize,
        column: Option<&str>,
        kind: IssueKind,
        message: String,
    ) -> Self {
        RowIssue {
            line,
            column: column.map(str::to_owned),
            kind,
            severity: Severity::Warning,
            message,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
