//! The attempts log's line for a request and its outcome, as the engine and *Invite later*
//! both journal it.

use super::RowUpdate;
use crate::genesys::{GenesysError, Reply};

/// The attempt of `step` on row `index` that ended in `result`.
pub(crate) fn attempt_record<T>(
    index: usize,
    step: &'static str,
    result: &Result<Reply<T>, GenesysError>,
) -> RowUpdate {
    match result {
        Ok(reply) => RowUpdate::Attempt {
            index,
            step,
            outcome: "ok".to_owned(),
            status: Some(reply.meta.status),
            correlation_id: reply.meta.correlation_id.clone(),
        },
        Err(e) => RowUpdate::Attempt {
            index,
            step,
            outcome: if e.is_outcome_unknown() {
                "unknown".to_owned()
            } else {
                e.code().unwrap_or("error").to_owned()
            },
            status: e.status(),
            correlation_id: e.correlation_id().map(str::to_owned),
        },
    }
}
