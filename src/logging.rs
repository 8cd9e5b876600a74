//! The log file: one a day in the app's log folder, the last 14 kept, shared by the app and the
//! CLI. It records what Genesys support asks for — each failure's correlation id — and never a
//! secret: secrets are a type that prints as `***`, and tokens are never logged.
//!
//! The files are `PROGRAM.YYYY-MM-DD.log` (the UTC date), created readable by this user only
//! (0600 on Unix) in a private folder: they name the org and the people a run created.
//!
//! A panic is written there too ([`log_panics`]), with a backtrace and the version: what a bug
//! report needs, kept on the user's machine.

use std::fs::File;
use std::io::{self, Write};
use std::panic::PanicHookInfo;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use tracing_appender::non_blocking::WorkerGuard;

use crate::paths::{create_private_dir, private_file_options};

/// How many daily files are kept.
pub const KEEP_FILES: usize = 14;

/// Send this process's log to a daily file in `log_dir` named after `program`. Keep the guard
/// alive for as long as the process logs (dropping it flushes the file).
pub fn init(log_dir: &Path, program: &str) -> io::Result<WorkerGuard> {
    let mut file = DailyFile::new(log_dir, program)?;
    file.open_for(&utc_date(SystemTime::now()))?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_target(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    // A second call in the same process keeps the first subscriber.
    let _ = tracing::subscriber::set_global_default(subscriber);
    Ok(guard)
}

/// The file `program` logs to now, in `log_dir`.
pub fn current_file(log_dir: &Path, program: &str) -> PathBuf {
    log_dir.join(file_name(program, &utc_date(SystemTime::now())))
}

fn file_name(program: &str, date: &str) -> String {
    format!("{program}.{date}.log")
}

/// From now on a panic in this process is appended to `program`'s log file in `log_dir`: where
/// it happened, its message, a backtrace and `version`; then the hook that was in place runs
/// (the default one prints to stderr). The report is written at once, not through the logging
/// thread: a panic may end the process before that thread's queue is written.
pub fn log_panics(log_dir: &Path, program: &str, version: &'static str) {
    let log_dir = log_dir.to_owned();
    let program = program.to_owned();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let report = panic_report(info, version, SystemTime::now());
        let _ = create_private_dir(&log_dir).and_then(|()| {
            private_file_options()
                .create(true)
                .append(true)
                .open(current_file(&log_dir, &program))?
                .write_all(report.as_bytes())
        });
        previous(info);
    }));
}

/// A panic as the log records it: a line like the others' (time, level, message), then the
/// backtrace.
fn panic_report(info: &PanicHookInfo<'_>, version: &str, at: SystemTime) -> String {
    let thread = std::thread::current();
    let backtrace = std::backtrace::Backtrace::force_capture();
    format!(
        "{} ERROR Rollcall {version} panicked in thread '{}': {info}\nbacktrace:\n{backtrace}\n",
        utc_timestamp(at),
        thread.name().unwrap_or("unnamed"),
    )
}

/// The day's log file, opened again under the next day's name after midnight (UTC). Written
/// from the logging thread only.
struct DailyFile {
    dir: PathBuf,
    program: String,
    /// The date of the open file, and the file.
    current: Option<(String, File)>,
}

impl DailyFile {
    fn new(dir: &Path, program: &str) -> io::Result<DailyFile> {
        create_private_dir(dir)?;
        Ok(DailyFile {
            dir: dir.to_owned(),
            program: program.to_owned(),
            current: None,
        })
    }

    /// The file of `date`, opened (and the oldest files beyond [`KEEP_FILES`] removed) when the
    /// date changes.
    fn open_for(&mut self, date: &str) -> io::Result<&mut File> {
        if self.current.as_ref().is_none_or(|(open, _)| open != date) {
            let path = self.dir.join(file_name(&self.program, date));
            let file = private_file_options()
                .create(true)
                .append(true)
                .open(path)?;
            self.current = Some((date.to_owned(), file));
            self.remove_old_files();
        }
        Ok(&mut self.current.as_mut().expect("just opened").1)
    }

    /// Keep the newest [`KEEP_FILES`] of this program's files (their dated names sort by age).
    fn remove_old_files(&self) {
        let prefix = format!("{}.", self.program);
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut dated: Vec<PathBuf> = entries
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                path.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".log"))
            })
            .collect();
        dated.sort();
        let excess = dated.len().saturating_sub(KEEP_FILES);
        for old in &dated[..excess] {
            let _ = std::fs::remove_file(old);
        }
    }
}

impl Write for DailyFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.open_for(&utc_date(SystemTime::now()))?.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.current {
            Some((_, file)) => file.flush(),
            None => Ok(()),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` of `time`, as the log's lines start.
fn utc_timestamp(time: SystemTime) -> String {
    let seconds = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let of_day = seconds % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        utc_date(time),
        of_day / 3_600,
        of_day / 60 % 60,
        of_day % 60
    )
}

/// `YYYY-MM-DD` of `time` in UTC (the proleptic Gregorian calendar, from the days since the
/// Unix epoch: Howard Hinnant's `civil_from_days`).
fn utc_date(time: SystemTime) -> String {
    let seconds = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (seconds / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates_are_utc_calendar_days() {
        let at = |seconds: u64| utc_date(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds));
        assert_eq!(at(0), "1970-01-01");
        assert_eq!(at(951_782_400), "2000-02-29");
        assert_eq!(at(1_798_761_599), "2026-12-31");
        assert_eq!(at(1_798_761_600), "2027-01-01");
        let stamp = utc_timestamp(SystemTime::UNIX_EPOCH + Duration::from_secs(1_798_761_599));
        assert_eq!(stamp, "2026-12-31T23:59:59Z");
    }

    #[test]
    fn a_new_day_opens_a_new_file_and_only_the_newest_fourteen_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let mut file = DailyFile::new(&logs, "rollcall").unwrap();
        for day in 1..=20 {
            let date = format!("2026-11-{day:02}");
            writeln!(file.open_for(&date).unwrap(), "day {day}").unwrap();
        }
        std::fs::write(
            logs.join("rollcall-desktop.2026-01-01.log"),
            "another program",
        )
        .unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&logs)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names.len(), KEEP_FILES + 1, "{names:?}");
        assert_eq!(names[0], "rollcall-desktop.2026-01-01.log");
        assert_eq!(names[1], "rollcall.2026-11-07.log");
        assert_eq!(
            std::fs::read_to_string(logs.join("rollcall.2026-11-20.log")).unwrap(),
            "day 20\n"
        );
    }
}
