//! The post-creation steps of a run: roles, routing skills, location and extension for each
//! user, then queue memberships batched per queue. Each step is journaled per row (and per
//! queue), so a resumed run picks up at the step; a step's failure is reported on its row and
//! undoes nothing else.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Engine, RowStatus, RowUpdate, StopReason};
use crate::directory::Named;
use crate::genesys::{
    Contact, GenesysClient, GenesysError, RoleGrant, UserLocation, UserPatch, UserSkill,
    MAX_QUEUE_MEMBERS_PER_CALL, MAX_SKILLS_PER_CALL,
};
use crate::run::journal::{JournalRow, StepKind, StepStatus};
use crate::run::RunEvent;

/// How a step ended.
enum Outcome {
    Done,
    Failed(String),
    /// Not done and not failed: the run is stopping (credentials), a resume does it.
    Left,
}

/// Whether a row's user exists, so its steps can run.
pub(super) fn has_user(row: &JournalRow) -> bool {
    matches!(
        row.status,
        RowStatus::Created | RowStatus::Restored | RowStatus::Existed
    ) && row.user_id.is_some()
}

/// A row that ended without its user takes none of its steps (as the journal records).
pub(super) fn drop_pending(row: &mut JournalRow) {
    for step in &mut row.steps {
        if step.status == StepStatus::Pending {
            step.status = StepStatus::None;
        }
    }
}

/// Steps of the row still to do, queues excepted (they go in their own phase).
pub(super) fn pending_own_steps(row: &JournalRow) -> bool {
    has_user(row)
        && row
            .steps
            .iter()
            .any(|s| s.status == StepStatus::Pending && s.kind != StepKind::Queue)
}

/// Any step of the row still to do.
pub(super) fn pending_steps(row: &JournalRow) -> bool {
    has_user(row) && row.steps.iter().any(|s| s.status == StepStatus::Pending)
}

impl Engine {
    /// Roles, skills, location and extension of one row's user, in that order.
    pub(super) async fn apply_steps(&self, client: &GenesysClient, index: usize) {
        let row = self.row(index);
        let (Some(user_id), Some(extras)) = (row.user_id.clone(), row.extras.clone()) else {
            return;
        };
        if !has_user(&row) {
            return;
        }
        let pending = |kind: StepKind| {
            row.steps
                .iter()
                .any(|s| s.kind == kind && s.status == StepStatus::Pending)
        };

        if pending(StepKind::Roles) && !self.should_stop() {
            let grants: Vec<RoleGrant> = extras
                .roles
                .iter()
                .map(|g| RoleGrant {
                    role_id: g.role.id.clone(),
                    division_id: g.division.id.clone(),
                })
                .collect();
            let call = async {
                self.counters.requests.fetch_add(1, Ordering::Relaxed);
                let result = client.grant_roles(&user_id, &grants).await;
                let _ = self
                    .record(vec![super::attempt_record(index, "roles", &result)])
                    .await;
                result.map(|_| ())
            };
            let outcome = self.gated(StepKind::Roles, call).await;
            self.settle_steps(vec![(index, StepKind::Roles, String::new())], outcome)
                .await;
        }

        if pending(StepKind::Skills) && !self.should_stop() {
            let call = async {
                for chunk in extras.skills.chunks(MAX_SKILLS_PER_CALL) {
                    let skills: Vec<UserSkill> = chunk
                        .iter()
                        .map(|s| UserSkill {
                            id: s.skill.id.clone(),
                            proficiency: s.proficiency,
                        })
                        .collect();
                    self.counters.requests.fetch_add(1, Ordering::Relaxed);
                    let reply = client.add_user_skills(&user_id, &skills).await;
                    let _ = self
                        .record(vec![super::attempt_record(index, "skills", &reply)])
                        .await;
                    reply?;
                }
                Ok(())
            };
            let outcome = self.gated(StepKind::Skills, call).await;
            self.settle_steps(vec![(index, StepKind::Skills, String::new())], outcome)
                .await;
        }

        let location = extras.location.filter(|_| pending(StepKind::Location));
        let extension = extras.extension.filter(|_| pending(StepKind::Extension));
        if (location.is_some() || extension.is_some()) && !self.should_stop() {
            let call = self.patch_profile(client, index, &user_id, location.as_ref(), extension);
            let outcome = self.gated(StepKind::Location, call).await;
            let mut steps = Vec::new();
            if location.is_some() {
                steps.push((index, StepKind::Location, String::new()));
            }
            if pending(StepKind::Extension) {
                steps.push((index, StepKind::Extension, String::new()));
            }
            self.settle_steps(steps, outcome).await;
        }
    }

    /// One `PATCH` for the location and the extension, keeping the user's other addresses
    /// (the work phone among them). A stale version is read again and retried.
    async fn patch_profile(
        &self,
        client: &GenesysClient,
        index: usize,
        user_id: &str,
        location: Option<&Named>,
        extension: Option<String>,
    ) -> Result<(), GenesysError> {
        let row = self.row(index);
        // A user this run created: its addresses are the create's, its version the last
        // answer's. Anyone else: read first.
        let mut known = match (&row.body, row.version, row.status) {
            (Some(body), Some(version), RowStatus::Created) => {
                Some((version, body.addresses.clone()))
            }
            _ => None,
        };
        for _ in 0..3 {
            let (version, mut addresses) = match known.take() {
                Some(known) => known,
                None => {
                    self.counters.requests.fetch_add(1, Ordering::Relaxed);
                    let user = client.get_user(user_id).await?.value;
                    (user.version, user.addresses)
                }
            };
            if let Some(extension) = &extension {
                match addresses
                    .iter_mut()
                    .find(|a| a.media_type == "PHONE" && a.kind == "WORK")
                {
                    Some(work) => work.extension = Some(extension.clone()),
                    None => addresses.push(Contact {
                        extension: Some(extension.clone()),
                        media_type: "PHONE".to_owned(),
                        kind: "WORK".to_owned(),
                        ..Contact::default()
                    }),
                }
            }
            let patch = UserPatch {
                version,
                locations: location.map(|l| vec![UserLocation::new(&l.id)]),
                addresses: extension.is_some().then_some(addresses),
                ..UserPatch::default()
            };
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            let result = client.patch_user(user_id, &patch).await;
            let _ = self
                .record(vec![super::attempt_record(index, "profile", &result)])
                .await;
            match result {
                Ok(reply) => {
                    let version = reply.value.version;
                    self.update_row(index, |r| r.version = Some(version));
                    return Ok(());
                }
                Err(e) if is_stale_version(&e) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(GenesysError::InvalidInput {
            what: "update user".to_owned(),
            reason: "the user kept changing while Rollcall updated it".to_owned(),
        })
    }

    /// Queue memberships of every row, batched per queue (up to 100 users per call), on every
    /// token of the pool.
    pub(super) async fn add_queue_members(self: &Arc<Self>, workers: usize) {
        let mut per_queue: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
        for row in self.rows.lock().expect("rows").iter() {
            if !has_user(row) {
                continue;
            }
            for step in &row.steps {
                if step.kind == StepKind::Queue && step.status == StepStatus::Pending {
                    per_queue
                        .entry(step.item.clone())
                        .or_default()
                        .push((row.index, row.user_id.clone().unwrap_or_default()));
                }
            }
        }
        if per_queue.is_empty() {
            return;
        }
        let batches: VecDeque<(String, Vec<(usize, String)>)> = per_queue
            .into_iter()
            .flat_map(|(queue, members)| {
                members
                    .chunks(MAX_QUEUE_MEMBERS_PER_CALL)
                    .map(|chunk| (queue.clone(), chunk.to_vec()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let touched: Vec<usize> = {
            let mut rows: Vec<usize> = batches
                .iter()
                .flat_map(|(_, members)| members.iter().map(|(i, _)| *i))
                .collect();
            rows.sort_unstable();
            rows.dedup();
            rows
        };
        let batches = Arc::new(Mutex::new(batches));
        let mut tasks = tokio::task::JoinSet::new();
        for worker in 0..workers.max(1) {
            let engine = self.clone();
            let batches = batches.clone();
            let token = worker % engine.clients.len();
            tasks.spawn(async move {
                let mut paused = engine.control.paused.subscribe();
                loop {
                    while *paused.borrow_and_update() && !engine.should_stop() {
                        let _ = tokio::time::timeout(Duration::from_millis(200), paused.changed())
                            .await;
                    }
                    if engine.should_stop() {
                        return;
                    }
                    let Some((queue, members)) = batches.lock().expect("batches").pop_front()
                    else {
                        return;
                    };
                    engine.add_batch(token, &queue, &members).await;
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        for index in touched {
            let row = self.row(index);
            self.emit(RunEvent::RowSteps {
                index,
                line: row.line,
                steps: row.steps.clone(),
            })
            .await;
        }
    }

    async fn add_batch(&self, token: usize, queue: &str, members: &[(usize, String)]) {
        let steps: Vec<(usize, StepKind, String)> = members
            .iter()
            .map(|(index, _)| (*index, StepKind::Queue, queue.to_owned()))
            .collect();
        let first = members[0].0;
        let client = self.client(token, first);
        let ids: Vec<String> = members.iter().map(|(_, id)| id.clone()).collect();
        let call = async {
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            let result = client.add_queue_members(queue, &ids).await;
            let _ = self
                .record(vec![super::attempt_record(first, "queue", &result)])
                .await;
            result.map(|_| ())
        };
        let outcome = self.gated(StepKind::Queue, call).await;
        self.settle_steps(steps, outcome).await;
    }

    /// Make one step's call, unless Genesys already refused that kind of step for a missing
    /// permission. Until a call of a kind has gone through, calls of that kind go one at a
    /// time, so a missing permission is refused once rather than by every worker at once.
    async fn gated(
        &self,
        kind: StepKind,
        call: impl std::future::Future<Output = Result<(), GenesysError>>,
    ) -> Outcome {
        if let Some(outcome) = self.denied(kind) {
            return outcome;
        }
        let gate = self
            .step_gates
            .lock()
            .expect("gates")
            .entry(kind)
            .or_default()
            .clone();
        let mut passed = gate.lock().await;
        if *passed {
            drop(passed);
            return self.outcome(kind, call.await);
        }
        if let Some(outcome) = self.denied(kind) {
            return outcome;
        }
        let result = call.await;
        *passed = result.is_ok();
        self.outcome(kind, result)
    }

    /// Turn a step's result into its outcome. A missing permission fails this step for every
    /// row without asking Genesys again; bad credentials stop the run (a resume does the rest).
    fn outcome(&self, kind: StepKind, result: Result<(), GenesysError>) -> Outcome {
        match result {
            Ok(()) => Outcome::Done,
            Err(e) if e.status() == Some(403) => {
                let message = format!("Not done: {e}");
                self.denied_steps
                    .lock()
                    .expect("denied")
                    .entry(kind)
                    .or_insert_with(|| message.clone());
                Outcome::Failed(message)
            }
            Err(e) if e.is_auth_or_permission() => {
                self.stop_run(StopReason::Access, e.to_string());
                Outcome::Left
            }
            Err(e) => Outcome::Failed(format!("Not done: {e}")),
        }
    }

    fn denied(&self, kind: StepKind) -> Option<Outcome> {
        self.denied_steps
            .lock()
            .expect("denied")
            .get(&kind)
            .map(|message| Outcome::Failed(message.clone()))
    }

    async fn settle_steps(&self, steps: Vec<(usize, StepKind, String)>, outcome: Outcome) {
        let (status, error) = match outcome {
            Outcome::Done => (StepStatus::Done, None),
            Outcome::Failed(message) => (StepStatus::Failed, Some(message)),
            Outcome::Left => return,
        };
        let updates: Vec<RowUpdate> = steps
            .iter()
            .map(|(index, kind, item)| RowUpdate::Step {
                index: *index,
                kind: *kind,
                item: item.clone(),
                status,
                error: error.clone(),
            })
            .collect();
        if !self.record(updates).await {
            return;
        }
        let counter = if status == StepStatus::Done {
            &self.counters.steps_done
        } else {
            &self.counters.steps_failed
        };
        counter.fetch_add(steps.len(), Ordering::Relaxed);
        let mut rows = self.rows.lock().expect("rows");
        for (index, kind, item) in steps {
            if let Some(step) = rows[index]
                .steps
                .iter_mut()
                .find(|s| s.kind == kind && s.item == item)
            {
                step.status = status;
                step.error = error.clone();
            }
        }
    }
}

fn is_stale_version(error: &GenesysError) -> bool {
    match error.status() {
        Some(409) => true,
        Some(400) => error.to_string().contains("version"),
        _ => false,
    }
}
