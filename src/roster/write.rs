//! Writing an export: CSV (UTF-8 with a byte-order mark, so that Excel shows accents right;
//! the import skips it) or XLSX, every cell through the spreadsheet formula guard for CSV, in
//! a file only this user can read — it holds the org's personal data.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::UnboundedSender;

use super::rows::RosterRows;
use super::RosterEvent;
use crate::import::neutralize_cell;

/// Rows written between two progress events.
const ROWS_PER_EVENT: usize = 500;

/// The file an export writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RosterFormat {
    #[default]
    Csv,
    Xlsx,
}

impl RosterFormat {
    /// The format a file name asks for (`.xlsx`, else CSV).
    pub fn from_path(path: &Path) -> RosterFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("xlsx") => RosterFormat::Xlsx,
            _ => RosterFormat::Csv,
        }
    }

    /// The file extension, without its dot.
    pub fn extension(self) -> &'static str {
        match self {
            RosterFormat::Csv => "csv",
            RosterFormat::Xlsx => "xlsx",
        }
    }
}

/// Write `rows` to `path` (replacing it through a temporary file, owner-only). Returns the
/// file's size in bytes.
pub fn write_roster(
    path: &Path,
    format: RosterFormat,
    rows: &RosterRows,
    events: Option<&UnboundedSender<RosterEvent>>,
) -> std::io::Result<u64> {
    let total = rows.rows.len();
    let progress = |done: usize| {
        if let Some(events) = events {
            let _ = events.send(RosterEvent::Written { done, total });
        }
    };
    match format {
        RosterFormat::Csv => crate::paths::replace_private_file(path, |file| {
            let mut buffered = std::io::BufWriter::new(file);
            buffered.write_all("\u{feff}".as_bytes())?;
            let mut writer = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(buffered);
            writer.write_record(rows.header.iter().map(|h| neutralize_cell(h).into_owned()))?;
            for (index, row) in rows.rows.iter().enumerate() {
                writer.write_record(row.iter().map(|c| neutralize_cell(c).into_owned()))?;
                if (index + 1) % ROWS_PER_EVENT == 0 {
                    progress(index + 1);
                }
            }
            writer.flush()?;
            Ok(())
        })?,
        RosterFormat::Xlsx => {
            let sheet = std::iter::once(rows.header.clone()).chain(rows.rows.iter().cloned());
            crate::xlsx::write_xlsx(path, "Users", sheet)?
        }
    }
    progress(total);
    Ok(std::fs::metadata(path)?.len())
}
