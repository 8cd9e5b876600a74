//! Export users: the org's active and inactive users written in the import's own layout (the
//! template's columns and formats), as a backup before a run and as a file an admin can edit
//! and import again with *Update existing users* — which, unedited, changes nothing.
//!
//! `read` reads the org with calls that each cover many users, `rows` turns it into cells, and
//! `write` writes the CSV or XLSX, owner-only. Progress goes out as [`RosterEvent`]s.

mod read;
mod rows;
mod write;

use std::path::{Path, PathBuf};

use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;

use crate::genesys::{GenesysClient, GenesysError};

pub use read::{OrgRoster, USERS_PAGE_SIZE};
pub use rows::{roster_columns, roster_rows, RosterRows};
pub use write::{write_roster, RosterFormat};

/// What an export reads besides what every export has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RosterOptions {
    /// Read each user's external ids: one call per user, since Genesys has no listing of
    /// them, so off unless asked for.
    pub external_ids: bool,
}

/// How far an export has got; counts are cumulative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", content = "data", rename_all = "camelCase")]
pub enum RosterEvent {
    /// The export began reading the org (in the window: the file is chosen).
    Started,
    /// Pages of the users listing read, the users they held, and how many the org says it has.
    #[serde(rename_all = "camelCase")]
    Users {
        pages: u32,
        users: usize,
        total: u64,
    },
    /// Roles and queues whose holders and members were read, of all of them.
    Memberships { done: usize, total: usize },
    /// Users whose external ids were read.
    ExternalIds { done: usize, total: usize },
    /// Rows written to the file.
    Written { done: usize, total: usize },
}

/// What an export did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RosterSummary {
    pub path: PathBuf,
    pub format: RosterFormat,
    /// Users written (one row each).
    pub users: usize,
    /// API calls made.
    pub calls: u32,
    /// The file's size.
    pub bytes: u64,
    /// Names that could not be written, and why.
    pub warnings: Vec<String>,
}

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error(transparent)]
    Genesys(#[from] GenesysError),
    #[error(
        "The org has {total} {state} users. Genesys's users listing stops at 10,000, and the \
         listing that goes past it (GET /api/v2/users/query, a preview) answered: {reason}. \
         Rollcall exports the whole org or nothing, so nothing was written."
    )]
    TooManyUsers {
        state: &'static str,
        total: u64,
        reason: String,
    },
    #[error("The export could not be written to {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Read the org's users and write them to `path`.
pub async fn export_users(
    client: &GenesysClient,
    path: &Path,
    format: RosterFormat,
    options: &RosterOptions,
    events: Option<&UnboundedSender<RosterEvent>>,
) -> Result<RosterSummary, RosterError> {
    let org = OrgRoster::read(client, options, events).await?;
    let rows = roster_rows(&org, &roster_columns(options.external_ids));
    // Writing is file work: off the async threads, which a window's commands share.
    let (target, sender) = (path.to_owned(), events.cloned());
    let (rows, written) = tokio::task::spawn_blocking(move || {
        let written = write_roster(&target, format, &rows, sender.as_ref());
        (rows, written)
    })
    .await
    .map_err(|e| RosterError::Write {
        path: path.to_owned(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let bytes = written.map_err(|source| RosterError::Write {
        path: path.to_owned(),
        source,
    })?;
    Ok(RosterSummary {
        path: path.to_owned(),
        format,
        users: rows.rows.len(),
        calls: org.calls,
        bytes,
        warnings: rows.warnings,
    })
}
