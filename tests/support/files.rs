//! Assertions about what the app leaves on disk, with the standard library only, so the CLI's
//! tests share them (`cli/tests/support` includes this file).

use std::path::Path;

/// Fail if any file under `dir` (its sub-folders too) holds `needle`: a secret or a password.
pub fn assert_no_file_contains(dir: &Path, needle: &str) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            assert_no_file_contains(&path, needle);
        } else if let Ok(bytes) = std::fs::read(&path) {
            // A file gone since the listing (SQLite removes its -wal and -shm files as the
            // last connection closes) held nothing when it went.
            let found = bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
            assert!(!found, "{} holds the secret", path.display());
        }
    }
}
