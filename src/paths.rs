//! Names the desktop app and the CLI share: the bundle identifier and the folders derived from it.
//!
//! The folders match what Tauri's path resolver gives the app for the same identifier
//! (`app_config_dir`, `app_data_dir`, `app_log_dir`), so the CLI and the app read the same
//! profiles and the same run journal.
//!
//! What Rollcall keeps in them (profiles, column choices, the journal with every user's e-mail,
//! the logs, the sandbox org) is nobody else's business: on Unix the folders are made 0700 and
//! the files 0600, whatever the umask. Files are replaced atomically through a temporary file
//! with a unique name beside them, so the app and the CLI writing the same file at once never
//! trip over each other's temporary file or leave a half-written one.

use std::fs::{File, OpenOptions, Permissions};
use std::io;
use std::path::{Path, PathBuf};

/// The bundle identifier of the desktop app (also `identifier` in `tauri.conf.json`).
pub const BUNDLE_IDENTIFIER: &str = "app.rollcall.desktop";
/// The product name shown in window titles and installers.
pub const PRODUCT_NAME: &str = "Rollcall";
/// Where releases publish `latest.json` (the newest version and its signed downloads): the
/// app's updater (`plugins.updater.endpoints` in `tauri.conf.json`) and `rollcall version
/// --check` both read it.
pub const UPDATE_MANIFEST_URL: &str =
    "https://github.com/rollcall-app/rollcall/releases/latest/download/latest.json";
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

/// Create `dir` and its missing parents so that only this user can open it (0700 on Unix, where
/// an existing `dir` with a looser mode is tightened; parents that exist are left alone). Other
/// OSes keep the permissions of the user's own profile folder.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        if std::fs::metadata(dir)?.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, Permissions::from_mode(0o700))?;
        }
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)?;
    Ok(())
}

/// Options that create a file only this user can read and write (0600 on Unix).
pub fn private_file_options() -> OpenOptions {
    #[allow(unused_mut)]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Make sure `path` exists and only this user can read it (0600 on Unix, an existing file with a
/// looser mode is tightened), for files another library creates and fills (the SQLite journal).
pub fn create_private_file(path: &Path) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        create_private_dir(parent)?;
    }
    let file = private_file_options()
        .create(true)
        .append(true)
        .open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if file.metadata()?.permissions().mode() & 0o077 != 0 {
            file.set_permissions(Permissions::from_mode(0o600))?;
        }
    }
    drop(file);
    Ok(())
}

/// Replace `path` with `bytes`, readable by this user only (0600 on Unix), in a private folder.
/// See [`replace_file`] for how the file is replaced.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        create_private_dir(parent)?;
    }
    replace_with(path, None, |file| io::Write::write_all(file, bytes))
}

/// Replace `path` (in a folder the user chose) with what `write` puts in a new file, which gets
/// the user's usual permissions. The bytes go to a temporary file with a unique name beside
/// `path` (`.NAME.RANDOM.tmp`), flushed to disk, then renamed over `path`: a reader sees the old
/// file or the whole new one, and two processes writing the same file at once each finish
/// (the last rename wins) instead of mixing their bytes.
pub fn replace_file<T>(
    path: &Path,
    write: impl FnOnce(&mut File) -> io::Result<T>,
) -> io::Result<T> {
    #[cfg(unix)]
    let permissions = {
        use std::os::unix::fs::PermissionsExt;
        // The umask applies, as for any file the user's programs create.
        Some(Permissions::from_mode(0o666))
    };
    #[cfg(not(unix))]
    let permissions = None;
    replace_with(path, permissions, write)
}

/// Replace `path` (in a folder the user chose, which is left as it is) with what `write` puts in
/// a new file that only this user can read (0600 on Unix), for files that hold personal data
/// the user asked to save (a corrected user list, an export of the org's users). Replaced the
/// way [`replace_file`] does it.
pub fn replace_private_file<T>(
    path: &Path,
    write: impl FnOnce(&mut File) -> io::Result<T>,
) -> io::Result<T> {
    replace_with(path, None, write)
}

/// `permissions: None` is tempfile's own default, 0600 on Unix.
fn replace_with<T>(
    path: &Path,
    permissions: Option<Permissions>,
    write: impl FnOnce(&mut File) -> io::Result<T>,
) -> io::Result<T> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    if let Some(permissions) = permissions {
        builder.permissions(permissions);
    }
    // Dropped on any error below, which removes the temporary file.
    let mut temporary = builder.tempfile_in(folder)?;
    let written = write(temporary.as_file_mut())?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(written)
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
