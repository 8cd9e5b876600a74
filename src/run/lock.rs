//! The run lock: which process drives a run, held as an OS file lock.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::journal::{Journal, JournalError, Result};

/// Proof that this process drives a run: an OS file lock, released when the process ends
/// however it ends.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    path: PathBuf,
}

impl RunLock {
    /// Take the lock of `run_id` in `lock_dir`, or say who holds it.
    pub fn acquire(lock_dir: &Path, run_id: &str, journal: &Journal) -> Result<RunLock> {
        crate::paths::create_private_dir(lock_dir).map_err(|source| JournalError::Lock {
            run_id: run_id.to_owned(),
            source,
        })?;
        let path = lock_dir.join(format!("{run_id}.lock"));
        let file = crate::paths::private_file_options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| JournalError::Lock {
                run_id: run_id.to_owned(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock { _file: file, path }),
            Err(std::fs::TryLockError::WouldBlock) => Err(JournalError::Busy {
                run_id: run_id.to_owned(),
                pid: journal.owner(run_id).ok().flatten(),
            }),
            Err(std::fs::TryLockError::Error(source)) => Err(JournalError::Lock {
                run_id: run_id.to_owned(),
                source,
            }),
        }
    }

    /// Whether some process holds the lock of `run_id` right now.
    pub fn is_held(lock_dir: &Path, run_id: &str) -> bool {
        let path = lock_dir.join(format!("{run_id}.lock"));
        match File::open(&path) {
            Ok(file) => matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock)),
            Err(_) => false,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}
