//! Files the operating system hands the app, whichever way they come: named on the command line
//! (a file association on Windows and Linux runs `rollcall-desktop "%1"` or `%F`), sent by macOS
//! in an open event as `file://` URLs, forwarded from a second launch by the single-instance
//! plugin, or dropped on the window. All of them go through [`open_from_os`], which picks the
//! one file to open, lets the window read it (see [`crate::state::OfferedFiles`]), and tells the
//! window, which decides when: at once, after asking, or when the run going ends.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Url};

use crate::state::AppState;

/// The event that tells the window files have arrived; it then calls `take_arrivals`.
pub const ARRIVED_EVENT: &str = "rollcall://files-arrived";

/// What one hand-over brought: the file to open, and the others, each with why it was not.
#[derive(Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Arrival {
    /// The first readable `.csv` or `.xlsx`, for Import.
    pub open: Option<PathBuf>,
    pub passed_over: Vec<PassedOver>,
}

/// A file that was handed over but not opened.
#[derive(Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PassedOver {
    /// The file's name, as the user knows it.
    pub name: String,
    pub reason: &'static str,
}

/// Arrivals the window has not taken yet (it may still be loading when the first one comes).
#[derive(Default)]
pub struct Arrivals(Mutex<Vec<Arrival>>);

impl Arrivals {
    /// Everything that arrived since the last call, oldest first.
    pub fn take(&self) -> Vec<Arrival> {
        std::mem::take(&mut *self.0.lock().expect("arrivals"))
    }
}

/// Route `paths` to the window: the first readable `.csv`/`.xlsx` is opened in Import, the
/// others are named. Nothing happens for an empty list (a plain launch).
pub fn open_from_os(app: &AppHandle, paths: Vec<PathBuf>) {
    if paths.is_empty() {
        return;
    }
    let arrival = route(paths);
    tracing::info!(
        opened = arrival.open.is_some(),
        passed_over = arrival.passed_over.len(),
        "files handed over by the system"
    );
    app.state::<AppState>()
        .offered
        .offer(arrival.open.iter().cloned());
    app.state::<Arrivals>()
        .0
        .lock()
        .expect("arrivals")
        .push(arrival);
    let _ = app.emit(ARRIVED_EVENT, ());
}

/// The files named in a command line (without the program itself): options are skipped, a
/// relative path is taken from `cwd` (the second launch's own folder, not this process's), and
/// a `file://` URL is decoded as the open event's are.
pub fn paths_from_args(args: impl IntoIterator<Item = OsString>, cwd: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for arg in args {
        let text = arg.to_string_lossy();
        if text.starts_with('-') || text.is_empty() {
            continue;
        }
        if text.contains("://") {
            if let Ok(url) = Url::parse(&text) {
                paths.extend(paths_from_urls(&[url]));
                continue;
            }
        }
        paths.push(cwd.join(PathBuf::from(arg)));
    }
    paths
}

/// The files among the URLs of an open event (macOS sends `file://` URLs, percent-encoded).
/// Any other URL is not a file Rollcall can open: it is left out, with a log line naming its
/// scheme only (the rest could hold anything).
pub fn paths_from_urls(urls: &[Url]) -> Vec<PathBuf> {
    urls.iter()
        .filter_map(|url| {
            if url.scheme() != "file" {
                tracing::info!(
                    scheme = url.scheme(),
                    "ignored an open request that is not a file"
                );
                return None;
            }
            let path = url.to_file_path().ok();
            if path.is_none() {
                tracing::info!("ignored a file URL that names no local file");
            }
            path
        })
        .collect()
}

/// Pick the file to open: the first `.csv` or `.xlsx` that can be read. Every other path is
/// passed over with the reason.
fn route(paths: Vec<PathBuf>) -> Arrival {
    let mut arrival = Arrival::default();
    for path in paths {
        let reason = if !is_user_file(&path) {
            "Rollcall opens .csv and .xlsx files only"
        } else if !is_readable(&path) {
            "it cannot be read"
        } else if arrival.open.is_some() {
            "Rollcall opens one file at a time"
        } else {
            arrival.open = Some(path);
            continue;
        };
        arrival.passed_over.push(PassedOver {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
            reason,
        });
    }
    arrival
}

fn is_user_file(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| e == "csv" || e == "xlsx")
}

fn is_readable(path: &Path) -> bool {
    path.is_file() && std::fs::File::open(path).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[cfg(unix)]
    #[test]
    fn command_line_paths_are_taken_from_the_launching_folder_and_options_are_skipped() {
        let cwd = Path::new("/home/ada/Downloads");
        let paths = paths_from_args(
            args(&[
                "--verbose",
                "-psn_0_1234",
                "new-hires.csv",
                "/srv/HR/Team.XLSX",
            ]),
            cwd,
        );
        assert_eq!(
            paths,
            [
                PathBuf::from("/home/ada/Downloads/new-hires.csv"),
                PathBuf::from("/srv/HR/Team.XLSX"),
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn file_urls_are_decoded_to_paths_with_spaces_percent_signs_and_accents() {
        let paths = paths_from_urls(&[
            url("file:///Users/ada/New%20Hires.csv"),
            url("file:///Users/ada/100%25%20done.xlsx"),
            url("file:///Users/ren%C3%A9e/Nouveaux%20employ%C3%A9s%20%E6%96%B0.csv"),
        ]);
        assert_eq!(
            paths,
            [
                PathBuf::from("/Users/ada/New Hires.csv"),
                PathBuf::from("/Users/ada/100% done.xlsx"),
                PathBuf::from("/Users/renée/Nouveaux employés 新.csv"),
            ]
        );
    }

    #[test]
    fn urls_that_are_not_local_files_are_ignored() {
        let paths = paths_from_urls(&[
            url("https://example.com/users.csv"),
            url("rollcall://open?file=users.csv"),
            url("mailto:ada@example.com"),
        ]);
        assert_eq!(paths, Vec::<PathBuf>::new());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_url_on_the_command_line_is_decoded_too() {
        let paths = paths_from_args(
            args(&["file:///tmp/New%20Hires.csv", "https://example.com/a.csv"]),
            Path::new("/"),
        );
        assert_eq!(paths, [PathBuf::from("/tmp/New Hires.csv")]);
    }

    #[test]
    fn the_first_readable_csv_or_xlsx_opens_and_the_others_are_named_with_the_reason() {
        let folder = tempfile::tempdir().unwrap();
        let notes = folder.path().join("notes.txt");
        let first = folder.path().join("Nouveaux employés.CSV");
        let second = folder.path().join("more.xlsx");
        for file in [&notes, &first, &second] {
            std::fs::write(file, "name,email\n").unwrap();
        }
        let missing = folder.path().join("gone.csv");

        let arrival = route(vec![notes, missing, first.clone(), second]);

        assert_eq!(arrival.open, Some(first));
        assert_eq!(
            arrival.passed_over,
            [
                PassedOver {
                    name: "notes.txt".into(),
                    reason: "Rollcall opens .csv and .xlsx files only"
                },
                PassedOver {
                    name: "gone.csv".into(),
                    reason: "it cannot be read"
                },
                PassedOver {
                    name: "more.xlsx".into(),
                    reason: "Rollcall opens one file at a time"
                },
            ]
        );
    }

    #[test]
    fn a_folder_named_like_a_csv_is_not_opened() {
        let folder = tempfile::tempdir().unwrap();
        let looks_like_a_file = folder.path().join("exports.csv");
        std::fs::create_dir(&looks_like_a_file).unwrap();
        let arrival = route(vec![looks_like_a_file]);
        assert_eq!(arrival.open, None);
        assert_eq!(arrival.passed_over[0].reason, "it cannot be read");
    }

    #[test]
    fn the_window_receives_the_file_and_the_reasons_in_camel_case() {
        let arrival = Arrival {
            open: Some(PathBuf::from("/tmp/a.csv")),
            passed_over: vec![PassedOver {
                name: "b.txt".into(),
                reason: "Rollcall opens .csv and .xlsx files only",
            }],
        };
        assert_eq!(
            serde_json::to_value(&arrival).unwrap(),
            serde_json::json!({
                "open": "/tmp/a.csv",
                "passedOver": [{"name": "b.txt", "reason": "Rollcall opens .csv and .xlsx files only"}],
            })
        );
    }
}
