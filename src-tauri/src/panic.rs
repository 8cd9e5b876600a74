//! When the shell itself fails: a panic is written to the log (by the core's hook, with its
//! backtrace and the version) and the window is told, so it can say "Rollcall hit a problem",
//! where the log is, and offer the details a bug report needs. Nothing is sent anywhere: the
//! user copies the details and decides where they go.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::Serialize;
use tauri::{AppHandle, Emitter};

/// The program name of the app's log files (the CLI's are `rollcall`).
pub const PROGRAM: &str = "rollcall-desktop";
/// The event that tells the window a panic happened.
pub const PROBLEM_EVENT: &str = "rollcall://problem";
/// How many of the log's last lines the details carry.
const DETAIL_LINES: usize = 50;
/// How much of the end of the log file is read for them: lines are short, a backtrace's frames
/// too, so this holds the last 50 lines many times over without reading a day's log.
const TAIL_BYTES: u64 = 256 * 1024;

/// What the window is told when a panic happened.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Problem {
    log_file: String,
}

/// After the core's hook has logged a panic, tell the window (see [`PROBLEM_EVENT`]).
pub fn tell_the_window(app: AppHandle, log_dir: &Path) {
    let logged_to = log_file(log_dir);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        let problem = Problem {
            log_file: logged_to.display().to_string(),
        };
        let _ = app.emit(PROBLEM_EVENT, problem);
    }));
}

/// The details for a bug report: the version, the OS, the log file and its last
/// [`DETAIL_LINES`] lines, with secrets and e-mail addresses taken out.
pub fn details(log_file: &Path) -> String {
    let tail = match read_tail(log_file) {
        Ok(text) => last_lines(&text, DETAIL_LINES)
            .iter()
            .map(|line| redact(line))
            .collect::<Vec<_>>()
            .join("\n"),
        Err(e) => format!("(the log could not be read: {e})"),
    };
    format!(
        "Rollcall {}\nOS: {}\nLog: {}\n\nThe log's last {DETAIL_LINES} lines (secrets and \
         e-mail addresses taken out):\n{tail}\n",
        env!("CARGO_PKG_VERSION"),
        os_description(),
        log_file.display(),
    )
}

fn read_tail(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let length = file.metadata()?.len();
    file.seek(SeekFrom::Start(length.saturating_sub(TAIL_BYTES)))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn last_lines(text: &str, count: usize) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(count)..].to_vec()
}

/// The OS family, its name where it says one, and the processor.
fn os_description() -> String {
    let name = os_release_name().unwrap_or_else(|| std::env::consts::OS.to_owned());
    format!(
        "{name} ({} {})",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// The distribution's name on Linux (`PRETTY_NAME` in `/etc/os-release`).
fn os_release_name() -> Option<String> {
    let release = std::fs::read_to_string("/etc/os-release").ok()?;
    release.lines().find_map(|line| {
        let value = line.strip_prefix("PRETTY_NAME=")?;
        Some(value.trim_matches('"').to_owned())
    })
}

/// Words after which a value is a secret: `client_secret=…`, `Authorization: Bearer …`.
const SECRET_WORDS: [&str; 5] = ["secret", "password", "token", "authorization", "apikey"];
/// Schemes that come between `Authorization:` and the credential itself.
const AUTH_SCHEMES: [&str; 2] = ["bearer", "basic"];

/// A log line as it may leave the machine: every e-mail address becomes `<e-mail>`, and the
/// value of anything named like a secret becomes `***`. The log holds no secret by design
/// (secrets print as `***`); this also covers a line a future change gets wrong.
pub fn redact(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut hide_next = false;
    for piece in line.split_inclusive(' ') {
        let word = piece.trim_end_matches(' ');
        let space = &piece[word.len()..];
        let lower = word.to_ascii_lowercase();
        if hide_next && !word.is_empty() {
            if AUTH_SCHEMES.contains(&lower.trim_end_matches(':')) {
                out.push_str(word);
            } else {
                out.push_str("***");
                hide_next = false;
            }
        } else if let Some(at) = word
            .find(['=', ':'])
            .filter(|&at| names_a_secret(&word[..at]))
        {
            let value = &word[at + 1..];
            out.push_str(&word[..=at]);
            if value.is_empty() {
                hide_next = true;
            } else {
                out.push_str("***");
            }
        } else if AUTH_SCHEMES.contains(&lower.as_str()) {
            out.push_str(word);
            hide_next = true;
        } else {
            out.push_str(&without_emails(word));
        }
        out.push_str(space);
    }
    out
}

fn names_a_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|word| key.contains(word))
}

/// `word` with each `local@domain` run replaced by `<e-mail>`.
fn without_emails(word: &str) -> String {
    let is_address_char = |c: char| c.is_alphanumeric() || "._%+-@'".contains(c);
    let mut out = String::with_capacity(word.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let is_address = run
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
        out.push_str(if is_address { "<e-mail>" } else { run });
        run.clear();
    };
    for c in word.chars() {
        if is_address_char(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// The log file a panic of this process goes to.
pub fn log_file(log_dir: &Path) -> PathBuf {
    rollcall_core::logging::current_file(log_dir, PROGRAM)
}

/// The end-to-end tests' way to make the app panic, compiled only with the `e2e-hooks` feature
/// and obeyed only under WebDriver automation (like the dialogs' hook): with
/// `ROLLCALL_TEST_PANIC` set, a thread of the app panics once the window has loaded.
#[cfg(feature = "e2e-hooks")]
pub fn test_hook() {
    let automated =
        std::env::var_os("TAURI_WEBVIEW_AUTOMATION").is_some_and(|v| !v.is_empty() && v != "false");
    if automated && std::env::var_os("ROLLCALL_TEST_PANIC").is_some() {
        std::thread::spawn(|| panic!("a panic the end-to-end test asked for"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mail_addresses_are_taken_out_wherever_they_are() {
        assert_eq!(
            redact("2026-11-30T10:00:00Z  INFO created row=4 email=ada.lovelace@example.com"),
            "2026-11-30T10:00:00Z  INFO created row=4 email=<e-mail>"
        );
        assert_eq!(
            redact("user \"o'brien+hr@corp.example.ie\" (broken.mail@example) exists"),
            "user \"<e-mail>\" (<e-mail>) exists"
        );
        assert_eq!(redact("no address @ here, a@"), "no address @ here, a@");
    }

    #[test]
    fn values_named_like_secrets_are_hidden() {
        assert_eq!(
            redact("client_secret=s3cr3t client_id=abc password: hunter2"),
            "client_secret=*** client_id=abc password: ***"
        );
        assert_eq!(
            redact("header Authorization: Bearer eyJhbGciOi.x.y sent"),
            "header Authorization: Bearer *** sent"
        );
        assert_eq!(redact("access_token=abc.def"), "access_token=***");
        assert_eq!(
            redact("rate=300 requests/min status=429"),
            "rate=300 requests/min status=429",
            "other values stay"
        );
    }

    #[test]
    fn the_details_carry_the_version_the_os_and_the_last_fifty_lines_redacted() {
        let scratch = tempfile::tempdir().unwrap();
        let log = scratch.path().join("rollcall-desktop.2026-11-30.log");
        let lines: Vec<String> = (1..=80)
            .map(|n| format!("line {n} for grace.hopper@example.com token=t{n}"))
            .collect();
        std::fs::write(&log, lines.join("\n")).unwrap();

        let details = details(&log);

        assert!(
            details.starts_with(&format!("Rollcall {}\nOS: ", env!("CARGO_PKG_VERSION"))),
            "{details}"
        );
        assert!(details.contains(std::env::consts::OS), "{details}");
        assert!(details.contains(&log.display().to_string()), "{details}");
        assert!(
            !details.contains("line 30 "),
            "only the last 50 lines: {details}"
        );
        assert!(
            details.contains("line 31 for <e-mail> token=***\n"),
            "{details}"
        );
        assert!(
            details.ends_with("line 80 for <e-mail> token=***\n"),
            "{details}"
        );
        assert!(!details.contains('@'), "no e-mail address: {details}");
    }

    #[test]
    fn a_missing_log_is_said_in_the_details() {
        let details = details(Path::new("/nonexistent/rollcall-desktop.log"));
        assert!(
            details.contains("(the log could not be read: "),
            "{details}"
        );
    }
}
