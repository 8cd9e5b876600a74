//! The log file: one a day in the app's log folder, the last 14 kept, shared by the app and the
//! CLI. It records what Genesys support asks for — each failure's correlation id — and never a
//! secret: secrets are a type that prints as `***`, and tokens are never logged.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};

/// How many daily files are kept.
pub const KEEP_FILES: usize = 14;

/// Send this process's log to a daily file in `log_dir` named after `program`. Keep the guard
/// alive for as long as the process logs (dropping it flushes the file).
pub fn init(log_dir: &Path, program: &str) -> std::io::Result<WorkerGuard> {
    std::fs::create_dir_all(log_dir)?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(program)
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(log_dir)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
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
