//! Import: open a file (dropped, browsed, named on the command line, or the sample), show how
//! it was read and mapped, every row and every problem; change and remember the mapping.

use std::path::{Path, PathBuf};

use rollcall_core::import::mapping::normalize_header;
use rollcall_core::import::{
    template_csv, ColumnMapping, DateOrder, EditableImport, Field, ImportOptions, ImportReport,
    ImportedRow, MatchedBy, RowIssue, SourceInfo,
};
use rollcall_core::paths::{replace_file, write_private};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};

use crate::dialogs;
use crate::error::{Error, Result};
use crate::state::AppState;

/// The sample file a newcomer starts with: good rows with the demo org's roles, queues, skills,
/// locations, extensions, routing languages and groups, an existing user, a deleted one, a few mistakes the preview shows
/// and a misspelt role the plan catches.
const SAMPLE_CSV: &str = include_str!("../../resources/sample-users.csv");
/// Where the user's column choices are remembered, in the config folder.
const MAPPING_FILE: &str = "column-mapping.json";

/// How to read the file, as the import step's options say.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ReadOptions {
    /// ISO country code for phone numbers without `+`.
    default_country: Option<String>,
    /// How hire dates such as `3/4/2026` are read (`mdy` or `dmy`).
    date_order: Option<DateOrder>,
    /// The sheet of an `.xlsx`.
    sheet: Option<String>,
}

/// A field a column can be mapped to, for the mapping's drop-downs.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldOption {
    key: &'static str,
}

/// One record of the file, for the preview grid.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRow {
    line: usize,
    cells: Vec<String>,
    /// The row has no error and will be planned.
    valid: bool,
}

impl PreviewRow {
    pub(crate) fn of(row: &ImportedRow) -> PreviewRow {
        PreviewRow {
            line: row.line,
            cells: row.raw.clone(),
            valid: row.draft.is_some(),
        }
    }
}

/// Counts shown above the grid.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewCounts {
    rows: usize,
    valid: usize,
    invalid: usize,
    errors: usize,
    warnings: usize,
}

impl PreviewCounts {
    pub(crate) fn of(report: &ImportReport) -> PreviewCounts {
        let valid = report.rows.iter().filter(|r| r.draft.is_some()).count();
        PreviewCounts {
            rows: report.rows.len(),
            valid,
            invalid: report.rows.len() - valid,
            errors: report.error_count(),
            warnings: report.warning_count(),
        }
    }
}

/// Everything the import step shows.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    path: String,
    source: SourceInfo,
    headers: Vec<String>,
    mapping: ColumnMapping,
    fields: Vec<FieldOption>,
    rows: Vec<PreviewRow>,
    issues: Vec<RowIssue>,
    counts: PreviewCounts,
    /// Columns holding passwords, by index: blank in `rows`, and not editable.
    secret_columns: Vec<usize>,
    /// Whether the rows differ from the file (a new reading never does).
    edited: bool,
    can_undo: bool,
    can_redo: bool,
}

impl Preview {
    fn new(path: &Path, rows: &EditableImport) -> Preview {
        let report = rows.report();
        Preview {
            path: path.display().to_string(),
            source: report.source.clone(),
            headers: report.headers.clone(),
            mapping: report.mapping.clone(),
            fields: Field::ALL
                .iter()
                .map(|f| FieldOption { key: f.key() })
                .collect(),
            counts: PreviewCounts::of(report),
            rows: report.rows.iter().map(PreviewRow::of).collect(),
            issues: report.issues.clone(),
            secret_columns: rows.secret_columns().to_vec(),
            edited: rows.is_edited(),
            can_undo: rows.can_undo(),
            can_redo: rows.can_redo(),
        }
    }
}

/// Read a file the user handed over: the same command serves a drop on the window, Browse and
/// the command line.
#[tauri::command]
pub async fn open_file(
    state: State<'_, AppState>,
    path: String,
    options: Option<ReadOptions>,
) -> Result<Preview> {
    open_offered(&state, PathBuf::from(path), options.unwrap_or_default()).await
}

/// Read `path` if the user handed it over (see [`crate::state::OfferedFiles`]).
pub(crate) async fn open_offered(
    state: &AppState,
    path: PathBuf,
    read: ReadOptions,
) -> Result<Preview> {
    state.offered.check(&path)?;
    import_into_session(state, path, read).await
}

/// Browse for a file; `None` when the user cancels.
#[tauri::command]
pub async fn choose_file(app: AppHandle, state: State<'_, AppState>) -> Result<Option<String>> {
    let chosen = dialogs::pick_user_file(&app).await?;
    state.offered.offer(chosen.clone());
    Ok(chosen.map(|path| path.display().to_string()))
}

/// Write the sample file to the data folder and open it with the import step's options.
#[tauri::command]
pub async fn open_sample(
    state: State<'_, AppState>,
    options: Option<ReadOptions>,
) -> Result<Preview> {
    let path = state.dirs.data.join("sample-users.csv");
    write_private(&path, SAMPLE_CSV.as_bytes())
        .map_err(|e| Error::Io(format!("could not write {}: {e}", path.display())))?;
    import_into_session(&state, path, options.unwrap_or_default()).await
}

/// Read the open file again with other options (the phone country, the hire dates' order):
/// `None` when no file is open.
#[tauri::command]
pub async fn reread_file(
    state: State<'_, AppState>,
    options: Option<ReadOptions>,
) -> Result<Option<Preview>> {
    reread(&state, options.unwrap_or_default()).await
}

/// Read the open file again: a new reading, so a plan made from the old one no longer holds.
pub(crate) async fn reread(state: &AppState, read: ReadOptions) -> Result<Option<Preview>> {
    match open_path(state) {
        Some(path) => Ok(Some(import_into_session(state, path, read).await?)),
        None => Ok(None),
    }
}

/// The path of the file open in the session, if any.
fn open_path(state: &AppState) -> Option<PathBuf> {
    let session = state.session.lock().expect("session");
    session.file().map(|f| f.path.clone())
}

/// Send a column to a field (or ignore it with `null`), remember the choice for the next file,
/// and read the file again with it.
#[tauri::command]
pub async fn map_column(
    state: State<'_, AppState>,
    header: String,
    field: Option<Field>,
    options: Option<ReadOptions>,
) -> Result<Preview> {
    remap(&state, &header, field, options.unwrap_or_default()).await
}

/// Remember `header`'s field and read the open file again with it: a new reading.
pub(crate) async fn remap(
    state: &AppState,
    header: &str,
    field: Option<Field>,
    read: ReadOptions,
) -> Result<Preview> {
    let path = open_path(state).ok_or_else(|| Error::NotReady("Open a file first.".to_owned()))?;
    let mut saved = saved_mapping(&state.dirs.config);
    remember(&mut saved, header, field);
    save_mapping(&state.dirs.config, &saved)?;
    import_into_session(state, path, read).await
}

/// Forget the remembered column choices and read the file again.
#[tauri::command]
pub async fn reset_mapping(
    state: State<'_, AppState>,
    options: Option<ReadOptions>,
) -> Result<Option<Preview>> {
    let file = state.dirs.config.join(MAPPING_FILE);
    if file.exists() {
        std::fs::remove_file(&file).map_err(|e| Error::Io(e.to_string()))?;
    }
    reread(&state, options.unwrap_or_default()).await
}

/// Save the template (the admin UI's columns and one example row).
#[tauri::command]
pub async fn save_template(app: AppHandle) -> Result<Option<String>> {
    let Some(path) = dialogs::save_csv(&app, "Save the template", "rollcall-template.csv").await?
    else {
        return Ok(None);
    };
    replace_file(&path, |file| {
        std::io::Write::write_all(file, template_csv().as_bytes())
    })
    .map_err(|e| Error::Io(format!("could not write {}: {e}", path.display())))?;
    Ok(Some(path.display().to_string()))
}

async fn import_into_session(
    state: &AppState,
    path: PathBuf,
    read: ReadOptions,
) -> Result<Preview> {
    let options = ImportOptions {
        default_country: read.default_country.filter(|c| !c.trim().is_empty()),
        date_order: read.date_order,
        sheet: read.sheet.filter(|s| !s.trim().is_empty()),
        mapping: Some(saved_mapping(&state.dirs.config)).filter(|m| !m.columns.is_empty()),
        ..ImportOptions::default()
    };
    let reading = path.clone();
    let rows =
        tauri::async_runtime::spawn_blocking(move || EditableImport::open(&reading, &options))
            .await??;
    let preview = Preview::new(&path, &rows);
    state.session.lock().expect("session").read(path, rows);
    Ok(preview)
}

/// The user's remembered column choices (empty when there are none or the file is unreadable:
/// the automatic match then applies).
fn saved_mapping(config: &Path) -> ColumnMapping {
    std::fs::read(config.join(MAPPING_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

fn save_mapping(config: &Path, mapping: &ColumnMapping) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(mapping).expect("a mapping serialises");
    write_private(&config.join(MAPPING_FILE), &bytes).map_err(|e| Error::Io(e.to_string()))
}

/// Record one choice: this header holds `field`, and no other remembered header does.
fn remember(mapping: &mut ColumnMapping, header: &str, field: Option<Field>) {
    let key = normalize_header(header);
    mapping
        .columns
        .retain(|c| normalize_header(&c.header) != key);
    if let Some(field) = field {
        mapping.columns.retain(|c| c.field != Some(field));
    }
    mapping
        .columns
        .push(rollcall_core::import::ColumnAssignment {
            header: header.to_owned(),
            field,
            matched_by: MatchedBy::User,
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_window_can_open_only_files_the_user_handed_over() {
        let scratch = tempfile::tempdir().unwrap();
        let state = AppState::for_tests(scratch.path()).await;
        let path = scratch.path().join("new-hires.csv");
        std::fs::write(&path, "name,email\nAda Lovelace,ada@example.com\n").unwrap();

        let refused = open_offered(&state, path.clone(), ReadOptions::default())
            .await
            .err()
            .expect("a path the window made up is refused");
        assert_eq!(refused.kind(), "forbidden");
        let message = refused.to_string();
        assert!(
            message.contains("drop the file on the window, choose it with Browse")
                && message.contains("new-hires.csv"),
            "{message}"
        );
        assert!(
            state.session.lock().unwrap().file().is_none(),
            "nothing was read"
        );

        // Dropped, chosen in the Open dialog or named on the command line: the shell offers it.
        state.offered.offer([path.clone()]);
        let preview = open_offered(&state, path, ReadOptions::default())
            .await
            .expect("a file the user handed over opens");
        assert_eq!(preview.counts.rows, 1);
    }

    #[tokio::test]
    async fn a_changed_date_order_reads_the_open_file_again_as_a_new_reading() {
        let scratch = tempfile::tempdir().unwrap();
        let state = AppState::for_tests(scratch.path()).await;
        let dmy = || ReadOptions {
            date_order: Some(DateOrder::Dmy),
            ..ReadOptions::default()
        };
        assert!(
            reread(&state, dmy()).await.unwrap().is_none(),
            "no file open, nothing read"
        );
        let path = scratch.path().join("hires.csv");
        std::fs::write(
            &path,
            "name,email,hire_date\nAda,ada@example.com,3/4/2026\n",
        )
        .unwrap();
        state.offered.offer([path.clone()]);
        let first = open_offered(&state, path.clone(), ReadOptions::default())
            .await
            .unwrap();
        assert_eq!(first.counts.invalid, 1, "3/4/2026 needs a date order");
        let before = state.session.lock().unwrap().file().unwrap().id;

        let again = reread(&state, dmy()).await.unwrap().expect("the open file");
        assert_eq!(again.counts.valid, 1);
        assert_eq!(again.path, path.display().to_string());
        let session = state.session.lock().unwrap();
        let file = session.file().unwrap();
        assert_ne!(
            file.id, before,
            "a new reading: a plan of the old one no longer holds"
        );
        let draft = file.report().rows[0].draft.as_deref().expect("valid now");
        assert_eq!(draft.employer.hire_date.as_deref(), Some("2026-04-03"));
    }

    #[cfg(unix)]
    #[test]
    fn the_remembered_columns_are_readable_by_this_user_only() {
        use std::os::unix::fs::PermissionsExt;
        let scratch = tempfile::tempdir().unwrap();
        let config = scratch.path().join("config");
        let mut mapping = ColumnMapping::default();
        remember(&mut mapping, "Work Mail", Some(Field::Email));
        save_mapping(&config, &mapping).unwrap();
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&config), 0o700);
        assert_eq!(mode(&config.join(MAPPING_FILE)), 0o600);
        assert_eq!(saved_mapping(&config).columns.len(), 1);
    }

    #[test]
    fn a_remembered_choice_replaces_the_earlier_one_for_the_same_header_and_field() {
        let mut mapping = ColumnMapping::default();
        remember(&mut mapping, "Work Mail", Some(Field::Email));
        remember(&mut mapping, "work-mail", Some(Field::EmailManager));
        remember(&mut mapping, "Boss", Some(Field::EmailManager));
        let choices: Vec<(&str, Option<Field>)> = mapping
            .columns
            .iter()
            .map(|c| (c.header.as_str(), c.field))
            .collect();
        assert_eq!(choices, [("Boss", Some(Field::EmailManager))]);
    }

    #[test]
    fn the_sample_file_has_good_and_bad_rows() {
        let report = rollcall_core::import::import_bytes(
            SAMPLE_CSV.as_bytes(),
            "sample-users.csv",
            &ImportOptions::default(),
        )
        .expect("the sample reads");
        let invalid = report.rows.iter().filter(|r| r.draft.is_none()).count();
        assert!(report.rows.len() >= 10, "{} rows", report.rows.len());
        assert!(
            (2..=5).contains(&invalid),
            "a few invalid rows, not {invalid}"
        );
    }

    /// The sample shows the steps after creation: planned against the Sandbox org's demo
    /// names, every row that is created gets roles, most get queues, skills, languages and
    /// groups, some a location and an extension, and the one misspelt role is caught with the
    /// right suggestion.
    #[tokio::test]
    async fn the_sample_file_plans_roles_queues_and_skills_against_the_demo_org() {
        use rollcall_core::genesys::{
            ClientConfig, Credentials, Endpoint, GenesysClient, RetryPolicy,
        };
        use rollcall_core::plan::{plan, PlanOptions, RowAction};
        use rollcall_sandbox::{Sandbox, SandboxConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

        let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
        let client = GenesysClient::new(
            Endpoint::custom(sandbox.url()).unwrap(),
            Credentials::new(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
            ClientConfig {
                retry: RetryPolicy::fast(),
                ..ClientConfig::default()
            },
        )
        .unwrap();
        let report = rollcall_core::import::import_bytes(
            SAMPLE_CSV.as_bytes(),
            "sample-users.csv",
            &ImportOptions::default(),
        )
        .unwrap();
        let options = PlanOptions {
            update_existing: true,
            ..PlanOptions::default()
        };
        let made = plan(&client, &report, &options).await.unwrap();

        let typo = made
            .rows
            .iter()
            .find(|r| r.email.as_deref() == Some("noah.fischer@example.com"))
            .unwrap();
        assert_eq!(typo.action, RowAction::Invalid);
        assert!(
            typo.problems
                .iter()
                .any(|p| p.contains("\"Agnet\"") && p.contains("\"Agent\"")),
            "the misspelt role is named with its suggestion: {:?}",
            typo.problems
        );
        let jordan = made
            .rows
            .iter()
            .find(|r| r.email.as_deref() == Some("jordan.lee@example.com"))
            .unwrap();
        assert_eq!(
            jordan.action,
            RowAction::Update,
            "Jordan Lee exists and gets a role and a queue: {:?}",
            jordan.notes
        );
        assert_eq!(made.counts.create, 9, "{:?}", made.counts);
        let steps = made.steps;
        assert_eq!(
            steps.roles, 10,
            "every created or updated user gets roles: {steps:?}"
        );
        assert!(steps.queues >= 7 && steps.skills >= 7, "{steps:?}");
        assert!(steps.location >= 5 && steps.extension == 3, "{steps:?}");
        assert!(
            steps.languages >= 7 && steps.group_memberships >= 7,
            "{steps:?}"
        );
        assert!(steps.calls < steps.naive_calls, "{steps:?}");
    }
}
