//! What the app holds while it runs: its folders, the sandbox org, the file being worked on and
//! its plan, and the runs being driven.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

use rollcall_core::import::ImportReport;
use rollcall_core::paths::AppDirs;
use rollcall_core::plan::Plan;
use rollcall_core::run::RunControl;
use rollcall_core::sandbox::Sandbox;

/// The app's managed state (`.manage(AppState)`).
pub struct AppState {
    pub dirs: AppDirs,
    /// The sandbox org, served on a loopback port for the app's lifetime; its org is kept in
    /// the data folder, so an interrupted sandbox run can be resumed after a restart.
    pub sandbox: Sandbox,
    /// The file being worked on and its plan.
    pub session: Mutex<Session>,
    /// The controls of the runs this process drives, by run id.
    pub runs: Mutex<HashMap<String, RunControl>>,
    /// A `.csv`/`.xlsx` named on the command line, opened once the window has loaded.
    pub pending_open: Mutex<Option<PathBuf>>,
    /// The user agreed to close the window while a run was going.
    pub close_confirmed: AtomicBool,
}

/// The current file and what was learned from it.
#[derive(Default)]
pub struct Session {
    pub file: Option<ImportedFile>,
    pub plan: Option<PlannedFile>,
}

/// A file read, mapped and validated.
pub struct ImportedFile {
    pub path: PathBuf,
    pub report: ImportReport,
}

/// The plan of the current file against one profile's org.
pub struct PlannedFile {
    pub profile: String,
    pub plan: Plan,
}
