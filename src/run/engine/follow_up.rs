//! What follows a row's create: its manager (alone when the row makes no other `PATCH`, else
//! settled with that one), and once every row's steps are through, Genesys's invitation (never
//! sent twice).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use super::steps::{self, Outcome};
use super::{attempt_record, Engine};
use crate::genesys::{GenesysClient, GenesysError, User, UserPatch};
use crate::plan::ManagerRef;
use crate::run::events::StopReason;
use crate::run::journal::{RowStatus, RowUpdate, StepStatus};
use crate::run::{invite, RunError};

impl Engine {
    /// The id of the row's manager, or why there is none (the manager's row did not make it).
    pub(super) fn manager_id(&self, manager: &ManagerRef) -> Result<String, String> {
        match manager {
            ManagerRef::Existing { user_id, .. } => Ok(user_id.clone()),
            ManagerRef::Row { index, email } => {
                let other = self.row(*index);
                match other.status {
                    RowStatus::Created | RowStatus::Restored | RowStatus::Existed => other
                        .user_id
                        .ok_or_else(|| format!("{email} was not created.")),
                    _ => Err(format!("{email} was not created.")),
                }
            }
        }
    }

    /// The row's manager in a `PATCH` of its own, for a row with nothing else to patch.
    pub(super) async fn set_manager(&self, client: &GenesysClient, index: usize) {
        let row = self.row(index);
        let (Some(user_id), Some(manager)) = (row.user_id.clone(), row.manager.clone()) else {
            return;
        };
        let manager_id = match self.manager_id(&manager) {
            Ok(id) => id,
            Err(reason) => {
                let note = Some(format!("Manager not set: {reason}"));
                self.manager_done(index, StepStatus::Failed, None, note)
                    .await;
                return;
            }
        };
        let (user_id, manager_id) = (&user_id, &manager_id);
        // The version of the create's answer first; a stale one reads the user again, and an
        // earlier attempt may have set the manager already.
        let known = row.version.map(|version| User {
            version,
            ..User::default()
        });
        let read = || async {
            self.count_request();
            client.get_user(user_id).await.map(|r| r.value)
        };
        let write = |current: User| async move {
            if current.manager.as_ref().map(|m| m.id.as_str()) == Some(manager_id.as_str()) {
                return Ok(current.version);
            }
            self.count_request();
            let patch = UserPatch {
                version: current.version,
                manager: Some(manager_id.clone()),
                ..UserPatch::default()
            };
            let result = client.patch_user(user_id, &patch).await;
            let _ = self
                .record(vec![attempt_record(index, "manager", &result)])
                .await;
            result.map(|r| r.value.version)
        };
        match steps::with_current_version(known, read, write).await {
            Ok(version) => {
                self.manager_done(index, StepStatus::Done, Some(version), None)
                    .await
            }
            Err(e) if e.is_auth_or_permission() || matches!(e, GenesysError::GaveUp { .. }) => {
                // Leave the step pending: a resume will do it.
                if e.is_auth_or_permission() {
                    self.stop_run(StopReason::Access, e.to_string());
                }
            }
            Err(e) => self.manager_failed(index, &e).await,
        }
    }

    /// Invitations a crash left mid-send (their intent committed, no answer recorded) may have
    /// gone out: they are reported as unknown, like a lost answer, and never sent again.
    pub(super) async fn settle_invitations_in_doubt(&self) -> Result<(), RunError> {
        let updates = invite::settle_in_doubt(self.rows.lock().expect("rows").iter());
        if updates.is_empty() {
            return Ok(());
        }
        self.write(updates).await
    }

    /// Settle the manager with the outcome of the row's `PATCH` that carried it; a run
    /// stopping leaves it pending for a resume.
    pub(super) async fn settle_manager(&self, index: usize, outcome: &Outcome) {
        match outcome {
            Outcome::Done => self.manager_done(index, StepStatus::Done, None, None).await,
            Outcome::Failed(message) => {
                let note = Some(format!("Manager not set. {message}"));
                self.manager_done(index, StepStatus::Failed, None, note)
                    .await
            }
            Outcome::Left => {}
        }
    }

    pub(super) async fn manager_failed(&self, index: usize, error: &GenesysError) {
        let note = Some(format!("Manager not set: {error}"));
        self.manager_done(index, StepStatus::Failed, None, note)
            .await;
    }

    pub(super) async fn manager_done(
        &self,
        index: usize,
        step: StepStatus,
        version: Option<i64>,
        note: Option<String>,
    ) {
        let update = RowUpdate::Manager {
            index,
            step,
            version,
            note,
        };
        let _ = self.record(vec![update]).await;
    }

    /// The invitations of the rows created, last: after every row's steps and the batched
    /// queues, groups and auto-answer, so a new agent's first sign-in finds everything set.
    pub(super) async fn send_invitations(self: &Arc<Self>, workers: usize) {
        let pending: VecDeque<usize> = self
            .rows
            .lock()
            .expect("rows")
            .iter()
            .filter(|r| r.status == RowStatus::Created && r.invite_step == StepStatus::Pending)
            .map(|r| r.index)
            .collect();
        let pending = Arc::new(Mutex::new(pending));
        let mut tasks = tokio::task::JoinSet::new();
        for worker in 0..workers.max(1) {
            let engine = self.clone();
            let pending = pending.clone();
            let token = worker % engine.clients.len();
            tasks.spawn(async move {
                loop {
                    if engine.should_stop() {
                        return;
                    }
                    let Some(index) = pending.lock().expect("pending").pop_front() else {
                        return;
                    };
                    let client = engine.client(token, index);
                    engine.send_invitation(&client, index).await;
                    engine.emit_row(&engine.row(index));
                }
            });
        }
        while tasks.join_next().await.is_some() {}
    }

    async fn send_invitation(&self, client: &GenesysClient, index: usize) {
        let Some(user_id) = self.row(index).user_id else {
            return;
        };
        // The intent first: a crash from here on leaves the invitation in doubt, never looking
        // unsent, so a resume does not send a second one.
        if !self
            .record(vec![RowUpdate::Invite {
                index,
                step: StepStatus::Sending,
                note: None,
            }])
            .await
        {
            return;
        }
        self.count_request();
        let result = client.invite_user(&user_id).await;
        let attempt = attempt_record(index, "invite", &result);
        let update = invite::invitation_settled(index, &result);
        let _ = self.record(vec![attempt, update]).await;
    }
}
