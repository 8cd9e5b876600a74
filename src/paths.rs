//! Names the desktop app and the CLI share: the bundle identifier and the folders derived from it.
//!
//! The folders match what Tauri's path resolver gives the app for the same identifier
//! (`app_config_dir`, `app_data_dir`, `app_log_dir`), so the CLI and the app read the same
//! profiles and the same run journal.

use std::path::PathBuf;

/// The bundle identifier of the desktop app (also `identifier` in `tauri.conf.json`).
pub const BUNDLE_IDENTIFIER: &str = "app.rollcall.desktop";
/// The product name shown in window titles and installers.
pub const PRODUCT_NAME: &str = "Rollcall";
/// The service name under which client secrets are stored in the OS keychain.
pub const KEYCHAIN_SERVICE: &str = BUNDLE_IDENTIFIER;

/// Folders Rollcall reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppDirs {
    /// Profiles (region, client id — never the secret) and saved column mappings.
    pub config: PathBuf,
    /// The run journal and the sandbox org's state.
    pub data: PathBuf,
    /// Rotating log files.
    pub logs: PathBuf,
}

impl AppDirs {
    /// The folders for the current user, as the OS lays them out.
    ///
    /// `ROLLCALL_HOME` overrides all three with subfolders of one directory, for portable use and
    /// for tests that must not touch the real profile.
    pub fn for_current_user() -> Option<AppDirs> {
        if let Some(home) = std::env::var_os("ROLLCALL_HOME") {
            return Some(AppDirs::under(PathBuf::from(home)));
        }
        let config = dirs::config_dir()?.join(BUNDLE_IDENTIFIER);
        let data = dirs::data_dir()?.join(BUNDLE_IDENTIFIER);
        let logs = log_dir()?;
        Some(AppDirs { config, data, logs })
    }

    /// The run journal (SQLite).
    pub fn journal(&self) -> PathBuf {
        self.data.join("journal.sqlite3")
    }

    /// Where the process driving a run holds its lock.
    pub fn run_locks(&self) -> PathBuf {
        self.data.join("locks")
    }

    /// The sandbox org's state file.
    pub fn sandbox_org(&self) -> PathBuf {
        self.data.join("sandbox-org.json")
    }

    /// All three folders under one root.
    pub fn under(root: PathBuf) -> AppDirs {
        AppDirs {
            config: root.join("config"),
            data: root.join("data"),
            logs: root.join("logs"),
        }
    }
}

#[cfg(target_os = "macos")]
fn log_dir() -> Option<PathBuf> {
    Some(
        dirs::home_dir()?
            .join("Library/Logs")
            .join(BUNDLE_IDENTIFIER),
    )
}

#[cfg(not(target_os = "macos"))]
fn log_dir() -> Option<PathBuf> {
    Some(dirs::data_local_dir()?.join(BUNDLE_IDENTIFIER).join("logs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_named_after_the_bundle_identifier() {
        let dirs = AppDirs::under(PathBuf::from("/tmp/rc"));
        assert_eq!(dirs.data, PathBuf::from("/tmp/rc/data"));
        if std::env::var_os("ROLLCALL_HOME").is_none() {
            let dirs = AppDirs::for_current_user().expect("a home folder");
            assert!(dirs.config.ends_with(BUNDLE_IDENTIFIER));
            assert!(dirs.data.ends_with(BUNDLE_IDENTIFIER));
        }
    }
}
