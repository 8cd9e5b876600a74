//! The steps batched across users once every row's own steps are through: queue and group
//! memberships (per queue or group), and ACD auto-answer in `PATCH /users/bulk` for users
//! whose row made no `PATCH` of its own. Each row gets its own result.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::steps::{has_user, Outcome};
use super::{attempt_record, Engine};
use crate::genesys::{
    AutoAnswer, GenesysClient, GenesysError, Reply, MAX_GROUP_MEMBERS_PER_CALL,
    MAX_QUEUE_MEMBERS_PER_CALL, MAX_USERS_PER_BULK_PATCH,
};
use crate::run::journal::{StepKind, StepStatus};
use crate::run::RunEvent;

impl Engine {
    /// Queue or group memberships of every row, batched per queue or group (up to 100 users a
    /// call for a queue, 50 for a group), on every token of the pool.
    pub(super) async fn add_members(self: &Arc<Self>, kind: StepKind, workers: usize) {
        let limit = match kind {
            StepKind::Group => MAX_GROUP_MEMBERS_PER_CALL,
            _ => MAX_QUEUE_MEMBERS_PER_CALL,
        };
        let mut per_queue: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
        for row in self.rows.lock().expect("rows").iter() {
            if !has_user(row) {
                continue;
            }
            for step in &row.steps {
                if step.kind == kind && step.status == StepStatus::Pending {
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
                    .chunks(limit)
                    .map(|chunk| (queue.clone(), chunk.to_vec()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let touched = touched_rows(batches.iter().map(|(_, members)| members));
        // A group's batches go one at a time: each sends the group's version, and two at once
        // would make one of them stale and sent again.
        let one_at_a_time: Arc<HashMap<String, Arc<tokio::sync::Mutex<()>>>> = Arc::new(
            batches
                .iter()
                .filter(|_| kind == StepKind::Group)
                .map(|(group, _)| (group.clone(), Arc::default()))
                .collect(),
        );
        let batches = Arc::new(Mutex::new(batches));
        let mut tasks = tokio::task::JoinSet::new();
        for worker in 0..workers.max(1) {
            let engine = self.clone();
            let batches = batches.clone();
            let one_at_a_time = one_at_a_time.clone();
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
                    let turn = match one_at_a_time.get(&queue) {
                        Some(lock) => Some(lock.clone().lock_owned().await),
                        None => None,
                    };
                    engine.add_batch(kind, token, &queue, &members).await;
                    drop(turn);
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        self.emit_steps(touched);
    }

    async fn add_batch(
        &self,
        kind: StepKind,
        token: usize,
        queue: &str,
        members: &[(usize, String)],
    ) {
        let steps: Vec<(usize, StepKind, String)> = members
            .iter()
            .map(|(index, _)| (*index, kind, queue.to_owned()))
            .collect();
        let first = members[0].0;
        let client = self.client(token, first);
        let ids: Vec<String> = members.iter().map(|(_, id)| id.clone()).collect();
        let call = async {
            let result = if kind == StepKind::Group {
                self.add_to_group(&client, queue, &ids).await
            } else {
                self.count_request();
                client.add_queue_members(queue, &ids).await.map(|r| Reply {
                    value: (),
                    meta: r.meta,
                })
            };
            let _ = self
                .record(vec![attempt_record(first, kind.as_str(), &result)])
                .await;
            result.map(|_| ())
        };
        let outcome = self.gated(kind, call).await;
        self.settle_steps(steps, outcome).await;
    }

    /// Add the users a group does not have yet: whether adding a member again is harmless is
    /// UNCONFIRMED (API-day1 §2), and a resumed batch may have gone through before a crash.
    /// Reading the group's version for the add is a call of its own.
    async fn add_to_group(
        &self,
        client: &GenesysClient,
        group: &str,
        ids: &[String],
    ) -> Result<Reply<()>, GenesysError> {
        self.count_request();
        let members = client.group_members(group).await?;
        let new: Vec<String> = ids
            .iter()
            .filter(|id| !members.value.iter().any(|m| &m.id == *id))
            .cloned()
            .collect();
        if new.is_empty() {
            return Ok(Reply {
                value: (),
                meta: members.meta,
            });
        }
        self.count_request();
        self.count_request();
        client.add_group_members(group, &new).await
    }

    /// ACD auto-answer of the rows that made no `PATCH` of their own, 50 users a call. Each
    /// row gets its own result: a user Genesys does not list as updated is failed.
    pub(super) async fn set_auto_answer_batched(self: &Arc<Self>) {
        let pending: Vec<(usize, AutoAnswer)> = self
            .rows
            .lock()
            .expect("rows")
            .iter()
            .filter(|row| has_user(row))
            .filter(|row| {
                row.steps
                    .iter()
                    .any(|s| s.kind == StepKind::AutoAnswer && s.status == StepStatus::Pending)
            })
            .filter_map(|row| {
                let on = row.step_plan.as_ref()?.day1.acd_auto_answer?;
                Some((
                    row.index,
                    AutoAnswer {
                        id: row.user_id.clone()?,
                        acd_auto_answer: on,
                    },
                ))
            })
            .collect();
        for chunk in pending.chunks(MAX_USERS_PER_BULK_PATCH) {
            if self.should_stop() {
                return;
            }
            let first = chunk[0].0;
            let client = self.client(0, first);
            let users: Vec<AutoAnswer> = chunk.iter().map(|(_, user)| user.clone()).collect();
            let reported = Arc::new(Mutex::new(Vec::<String>::new()));
            let call = {
                let reported = reported.clone();
                async move {
                    self.count_request();
                    let result = client.set_auto_answer(&users).await;
                    let _ = self
                        .record(vec![attempt_record(first, "autoAnswer", &result)])
                        .await;
                    let updated = result?.value;
                    *reported.lock().expect("reported") =
                        updated.into_iter().map(|u| u.id).collect();
                    Ok(())
                }
            };
            let outcome = self.gated(StepKind::AutoAnswer, call).await;
            let reported = reported.lock().expect("reported").clone();
            // An answer that lists nobody says nothing either way (what Genesys lists is
            // UNCONFIRMED): the call's own outcome then stands for every user.
            let (done, missing): (Vec<_>, Vec<_>) = chunk
                .iter()
                .partition(|(_, user)| reported.is_empty() || reported.contains(&user.id));
            let steps = |rows: &[&(usize, AutoAnswer)]| -> Vec<(usize, StepKind, String)> {
                rows.iter()
                    .map(|(index, _)| (*index, StepKind::AutoAnswer, String::new()))
                    .collect()
            };
            let missing_steps = steps(&missing);
            self.settle_steps(steps(&done), outcome).await;
            if !missing_steps.is_empty() {
                let message = "Not done: Genesys did not list this user as updated".to_owned();
                self.settle_steps(missing_steps, Outcome::Failed(message))
                    .await;
            }
            self.emit_steps(chunk.iter().map(|(index, _)| *index).collect());
        }
    }

    /// Tell the window what became of these rows' batched steps.
    fn emit_steps(&self, rows: Vec<usize>) {
        for index in rows {
            let row = self.row(index);
            self.emit(RunEvent::RowSteps {
                index,
                line: row.line,
                steps: row.steps.clone(),
            });
        }
    }
}

/// The rows a set of batches touches, each once, in order.
fn touched_rows<'a>(batches: impl Iterator<Item = &'a Vec<(usize, String)>>) -> Vec<usize> {
    let mut rows: Vec<usize> = batches
        .flat_map(|members| members.iter().map(|(i, _)| *i))
        .collect();
    rows.sort_unstable();
    rows.dedup();
    rows
}
