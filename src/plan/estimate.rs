//! What a run of the plan will cost: the calls it makes, the tokens it should use and how long
//! it should take.

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::day1::group_calls;
use super::row::{PlannedRow, RowAction};
use super::steps::{queue_calls, RowSteps};
use crate::genesys::pacing::{pace_for, MAX_IN_FLIGHT};
use crate::genesys::MAX_USERS_PER_BULK_PATCH;

/// The largest token pool a run may use.
pub const MAX_POOL: u8 = 10;

/// How many users get each step after the create, and the calls they take.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StepTotals {
    pub roles: usize,
    pub skills: usize,
    pub queues: usize,
    pub location: usize,
    pub extension: usize,
    /// Queue memberships to add, and the calls that takes batched per queue.
    pub queue_memberships: usize,
    pub queue_calls: u32,
    pub languages: usize,
    pub groups: usize,
    pub employer: usize,
    pub auto_answer: usize,
    pub external_id: usize,
    pub phones: usize,
    /// Group memberships to add, and the calls that takes batched per group (each batch
    /// reads the group's version).
    pub group_memberships: usize,
    pub group_calls: u32,
    /// Users whose auto-answer goes in `PATCH /users/bulk` batches, and those calls.
    pub bulk_auto_answer: usize,
    pub bulk_auto_answer_calls: u32,
    /// Calls of all the steps (roles, skills, the PATCH, languages, external id, phone, and
    /// the batched queues, groups and auto-answer).
    pub calls: u32,
    /// What the same steps would take with one call per role, skill, queue, language, group,
    /// value and user.
    pub naive_calls: u32,
}

pub(super) fn step_totals(rows: &[PlannedRow]) -> StepTotals {
    let mut totals = StepTotals::default();
    let mut per_queue: HashMap<&str, usize> = HashMap::new();
    let mut per_group: HashMap<&str, usize> = HashMap::new();
    for row in rows {
        if !matches!(
            row.action,
            RowAction::Create | RowAction::Restore | RowAction::Update
        ) {
            continue;
        }
        let Some(steps) = &row.steps else {
            continue;
        };
        totals.roles += usize::from(!steps.roles.is_empty());
        totals.skills += usize::from(!steps.skills.is_empty());
        totals.queues += usize::from(!steps.queues.is_empty());
        totals.location += usize::from(steps.location.is_some());
        totals.extension += usize::from(steps.extension.is_some());
        totals.calls += steps.calls();
        totals.naive_calls += (steps.roles.len() + steps.skills.len() + steps.queues.len()) as u32
            + u32::from(steps.location.is_some())
            + u32::from(steps.extension.is_some())
            + steps.day1.naive_calls();
        let day1 = &steps.day1;
        totals.languages += usize::from(!day1.languages.is_empty());
        totals.groups += usize::from(!day1.groups.is_empty());
        totals.employer += usize::from(day1.employer.is_some());
        totals.auto_answer += usize::from(day1.acd_auto_answer.is_some());
        totals.external_id += usize::from(day1.external_id.is_some());
        totals.phones += usize::from(day1.phone.is_some());
        totals.bulk_auto_answer += usize::from(steps.bulk_auto_answer());
        for group in &day1.groups {
            *per_group.entry(group.id.as_str()).or_default() += 1;
            totals.group_memberships += 1;
        }
        for queue in &steps.queues {
            *per_queue.entry(queue.id.as_str()).or_default() += 1;
            totals.queue_memberships += 1;
        }
    }
    totals.queue_calls = queue_calls(per_queue.into_values());
    totals.group_calls = group_calls(per_group.into_values());
    totals.bulk_auto_answer_calls =
        totals.bulk_auto_answer.div_ceil(MAX_USERS_PER_BULK_PATCH) as u32;
    totals.calls += totals.queue_calls + totals.group_calls + totals.bulk_auto_answer_calls;
    totals
}

/// Enough tokens to do the run's calls in about a minute at the pace of `allowance_per_minute`,
/// within 1 to [`MAX_POOL`]. Each token adds its own allowance; more than the work needs only
/// mints tokens for nothing (and minting many at once can trip the login service's own limit).
pub fn auto_pool_size(calls: u32, allowance_per_minute: u32) -> u8 {
    (f64::from(calls) / pace_for(allowance_per_minute))
        .ceil()
        .clamp(1.0, f64::from(MAX_POOL)) as u8
}

/// Seconds a run should take: each token paces just under `allowance_per_minute`, with as many
/// requests in flight as the latency needs, up to [`MAX_IN_FLIGHT`]; whichever bound is slower.
pub fn estimate_seconds(
    calls: u32,
    pool: u8,
    allowance_per_minute: u32,
    per_call: Duration,
) -> u64 {
    let pool = f64::from(pool.max(1));
    let rate_bound = f64::from(calls) / (pace_for(allowance_per_minute) * pool) * 60.0;
    let latency_bound = f64::from(calls) * per_call.as_secs_f64() / (MAX_IN_FLIGHT as f64 * pool);
    rate_bound.max(latency_bound).ceil() as u64
}

pub(super) fn planned_calls(rows: &[PlannedRow], invite: bool) -> u32 {
    rows.iter()
        .map(|row| {
            let mut calls = match row.action {
                RowAction::Create => 1,
                // Read the deleted user, restore it, move it to its division, read it and set
                // its profile (the manager with it).
                RowAction::Restore => 5,
                _ => 0,
            };
            // The manager rides in the row's `PATCH` when it makes one (counted with the
            // steps); alone, it is a `PATCH` of its own.
            let patched = row.steps.as_ref().is_some_and(RowSteps::has_patch);
            if row.action == RowAction::Create && row.manager.is_some() && !patched {
                calls += 1;
            }
            if row.action == RowAction::Create && invite {
                calls += 1;
            }
            calls
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_is_sized_to_the_work() {
        assert_eq!(auto_pool_size(50, 300), 1);
        assert_eq!(auto_pool_size(1_000, 300), 4);
        assert_eq!(auto_pool_size(10_000, 300), 10);
    }

    #[test]
    fn estimate_uses_the_pace_and_the_slower_of_rate_and_latency() {
        // 3,000 calls on 10 tokens allowed 300/min, paced at 296/min: 61 s.
        assert_eq!(
            estimate_seconds(3_000, 10, 300, Duration::from_millis(10)),
            61
        );
        // A raised limit shortens it in proportion.
        assert_eq!(
            estimate_seconds(3_000, 10, 600, Duration::from_millis(10)),
            31
        );
        // 100 calls on one token at 8 s each: the 16 in flight cannot keep up, 50 s.
        assert_eq!(estimate_seconds(100, 1, 300, Duration::from_secs(8)), 50);
    }
}
