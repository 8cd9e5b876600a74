//! What the app holds while it runs: its folders, the sandbox org, the file being worked on and
//! its plan, the files the user handed over, and the runs being driven.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

use rollcall_core::import::{EditableImport, ImportReport};
use rollcall_core::paths::AppDirs;
use rollcall_core::plan::Plan;
use rollcall_core::profiles::SandboxAccess;
use rollcall_core::run::RunControl;
use rollcall_sandbox::{Sandbox, SandboxConfig};

use crate::error::{Error, Result};

/// The app's managed state (`.manage(AppState)`).
pub struct AppState {
    pub dirs: AppDirs,
    /// The sandbox org, served on a loopback port for the app's lifetime; its org is kept in
    /// the data folder, so an interrupted sandbox run can be resumed after a restart.
    pub sandbox: Sandbox,
    /// How the built-in Sandbox profile reaches `sandbox`: its address and this launch's secret.
    pub sandbox_access: SandboxAccess,
    /// The file being worked on and its plan.
    pub session: Mutex<Session>,
    /// The controls of the runs this process drives, by run id.
    pub runs: Mutex<HashMap<String, RunControl>>,
    /// The files the user handed to the app: see [`OfferedFiles`].
    pub offered: OfferedFiles,
    /// The user agreed to close the window while a run was going.
    pub close_confirmed: AtomicBool,
}

/// The files the user handed to the app: chosen in the Open dialog, or given by the system
/// (see [`crate::open`]: the command line, an open event, a second launch, a drop). The window can only ask to read one of these, so a page that
/// went wrong cannot make the app read any file it likes.
#[derive(Default)]
pub struct OfferedFiles(Mutex<HashSet<PathBuf>>);

impl OfferedFiles {
    /// Remember files the user handed over.
    pub fn offer(&self, paths: impl IntoIterator<Item = PathBuf>) {
        self.0.lock().expect("offered files").extend(paths);
    }

    /// `path`, when the user handed it over; otherwise an error that says where files come from.
    pub fn check(&self, path: &Path) -> Result<()> {
        if self.0.lock().expect("offered files").contains(path) {
            return Ok(());
        }
        Err(Error::Forbidden(format!(
            "Rollcall opens only files you give it: drop the file on the window, choose it with \
             Browse, or name it on the command line. {} was not given that way.",
            path.display()
        )))
    }
}

/// Which reading of a file a preview and a plan belong to. Every open, remap or re-read is a
/// new one, and so is every edit, undo and redo of its rows, so a plan made from one reading is
/// never run with another's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportId(u64);

/// The current file and what was learned from it.
#[derive(Default)]
pub struct Session {
    file: Option<ImportedFile>,
    plan: Option<PlannedFile>,
    /// Readings so far; the next one's number.
    readings: u64,
}

/// A file read, mapped and validated, and its rows as edited in the window since.
pub struct ImportedFile {
    pub id: ImportId,
    pub path: PathBuf,
    pub rows: EditableImport,
}

impl ImportedFile {
    /// The rows as edited (removed ones left out): what the preview shows, the plan reads and
    /// the run creates.
    pub fn report(&self) -> &ImportReport {
        self.rows.report()
    }
}

/// The plan of one reading of a file against one profile's org.
pub struct PlannedFile {
    /// The reading it was made from.
    pub file: ImportId,
    pub profile: String,
    pub plan: Plan,
}

impl Session {
    /// The current file, if one is open.
    pub fn file(&self) -> Option<&ImportedFile> {
        self.file.as_ref()
    }

    /// Make `rows` the current file, as a new reading; the plan of an earlier reading stays
    /// until the next plan, but can no longer be run.
    pub fn read(&mut self, path: PathBuf, rows: EditableImport) -> ImportId {
        self.readings += 1;
        let id = ImportId(self.readings);
        self.file = Some(ImportedFile { id, path, rows });
        id
    }

    /// Change the current file's rows with `change` (an edit, an undo, a redo). When it changed
    /// anything, the rows are a new reading: a plan of the old ones can no longer be run.
    pub fn edit<T>(
        &mut self,
        change: impl FnOnce(&mut EditableImport) -> T,
    ) -> Result<(T, &ImportedFile)> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| Error::NotReady("Open a file first.".to_owned()))?;
        let revision = file.rows.revision();
        let answer = change(&mut file.rows);
        if file.rows.revision() != revision {
            self.readings += 1;
            file.id = ImportId(self.readings);
        }
        Ok((answer, file))
    }

    /// Keep a plan, if the reading it was made from is still the current one. Another file
    /// (or another mapping) may have been opened while the plan awaited the org.
    pub fn keep_plan(&mut self, planned: PlannedFile) -> Result<()> {
        if self.file.as_ref().map(|f| f.id) != Some(planned.file) {
            return Err(Error::Stale(
                "The file, its columns or its rows changed while the plan was being made, so \
                 that plan was dropped. Make the plan again."
                    .to_owned(),
            ));
        }
        self.plan = Some(planned);
        Ok(())
    }

    /// The current file and its plan, when the plan was made from this very reading.
    pub fn planned(&self) -> Result<(&ImportedFile, &PlannedFile)> {
        let (Some(file), Some(planned)) = (&self.file, &self.plan) else {
            return Err(Error::NotReady("Make a plan first.".to_owned()));
        };
        if planned.file != file.id {
            return Err(Error::Stale(format!(
                "The plan was made before {} was opened or changed (its columns or its rows); \
                 plan again before running.",
                file.report().source.file_name
            )));
        }
        Ok((file, planned))
    }
}

/// The app's sandbox org: the demo org, kept in the data folder so that an interrupted sandbox
/// run can be resumed after a restart.
pub fn sandbox_config(dirs: &AppDirs) -> SandboxConfig {
    SandboxConfig {
        state_file: Some(dirs.sandbox_org()),
        ..SandboxConfig::default()
    }
}

#[cfg(test)]
impl AppState {
    /// The app as `main` sets it up, with its folders (and its sandbox org's file) under `root`,
    /// for the command-layer tests.
    pub async fn for_tests(root: &Path) -> AppState {
        let dirs = AppDirs::under(root.to_owned());
        let (sandbox, sandbox_access) = rollcall_sandbox::start_for_profile(sandbox_config(&dirs))
            .await
            .expect("the sandbox org starts");
        AppState {
            dirs,
            sandbox,
            sandbox_access,
            session: Mutex::default(),
            runs: Mutex::default(),
            offered: OfferedFiles::default(),
            close_confirmed: AtomicBool::new(false),
        }
    }
}
