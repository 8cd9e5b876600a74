//! A row's main step: its create (or restore), exactly once, and settling what a lost answer
//! or a conflict leaves in doubt.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{attempt_record, steps, Engine, Step};
use crate::genesys::{GenesysClient, GenesysError, StationWait, User, UserPatch, UserState};
use crate::run::events::StopReason;
use crate::run::journal::{RowError, RowStatus, RowUpdate};

/// How the run waits for Genesys to catch up with a fresh create: a lost answer settled by
/// looking the e-mail up, and roles refused by an auth service that has not seen the user yet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SettlePolicy {
    /// How long to keep looking for a user whose create may have happened (search lags a fresh
    /// create; Genesys's Terraform provider waits 15 s).
    pub window: Duration,
    /// The pause between two lookups (and between two tries of a grant, below).
    pub interval: Duration,
    /// How often a row whose outcome stayed unknown is sent again before it is failed.
    pub max_resends: u32,
    /// How long roles answered 404 for a user this run just created or restored are tried
    /// again: "new roles or divisions have not yet been added to the auth service cache", as
    /// Genesys's Terraform provider puts it when it retries the same `bulkadd`. Counted in
    /// tries, one every `interval`.
    pub auth_lag: Duration,
    /// How long a new phone's station is waited for.
    pub station: StationWait,
}

impl SettlePolicy {
    /// Tries of a grant after a 404 for a fresh user (see [`SettlePolicy::auth_lag`]).
    pub(super) fn grant_retries(&self) -> u32 {
        let interval = self.interval.as_millis().max(1);
        (self.auth_lag.as_millis() / interval).min(u128::from(u32::MAX)) as u32
    }
}

impl Default for SettlePolicy {
    fn default() -> Self {
        SettlePolicy {
            window: Duration::from_secs(15),
            interval: Duration::from_secs(1),
            max_resends: 3,
            auth_lag: Duration::from_secs(30),
            station: StationWait::default(),
        }
    }
}

impl Engine {
    /// Create the row's user, exactly once.
    pub(super) async fn create(&self, client: &GenesysClient, index: usize) -> Step {
        let row = self.row(index);
        let email = row.email.clone().unwrap_or_default();
        // A row found mid-send (after a crash) may have been created: look before sending.
        let mut maybe_sent = row.status == RowStatus::Sending;
        let mut resends = 0;
        loop {
            if maybe_sent {
                match self.find_user(client, &email, false).await {
                    Ok(Some(user)) => {
                        return self.created(index, &user, Some(LOST_ANSWER), None).await
                    }
                    Ok(None) => {
                        if resends >= self.settle.max_resends {
                            let error = RowError {
                                code: None,
                                message: format!(
                                    "Genesys never confirmed creating {email}, and it could \
                                     not be found after {resends} tries. Check the user in \
                                     Genesys Cloud before trying again."
                                ),
                                correlation_id: None,
                            };
                            return self.failed(index, error).await;
                        }
                    }
                    Err(e) => return self.deferred(index, &e).await,
                }
            }
            let Some(body) = row.body.clone() else {
                let error = RowError {
                    code: None,
                    message: "Nothing to create: the row has no user data.".to_owned(),
                    correlation_id: None,
                };
                return self.failed(index, error).await;
            };
            // The password is set by its own step once the user exists (a create can succeed
            // while Genesys refuses its password); a row whose password is gone is not sent.
            if row.has_password && !self.passwords.contains_key(&index) {
                let error = RowError {
                    code: None,
                    message: PASSWORD_GONE.to_owned(),
                    correlation_id: None,
                };
                return self.failed(index, error).await;
            }
            if !self.commit_intent(index).await {
                return Step::Deferred;
            }
            self.count_request();
            let result = client.create_user(&body).await;
            let attempt = attempt_record(index, "create", &result);
            match result {
                Ok(reply) => {
                    self.transient_streak.store(0, Ordering::Relaxed);
                    // One commit for the attempt and the outcome.
                    return self.created(index, &reply.value, None, Some(attempt)).await;
                }
                Err(e) if e.is_conflict() => {
                    let _ = self.record(vec![attempt]).await;
                    return self.conflict(client, index, &email, maybe_sent, &e).await;
                }
                Err(e) if e.is_outcome_unknown() => {
                    let _ = self.record(vec![attempt]).await;
                    maybe_sent = true;
                    resends += 1;
                    continue;
                }
                Err(e) => {
                    let _ = self.record(vec![attempt]).await;
                    // Nothing was created: a refusal, or a failure before it reached Genesys.
                    if maybe_sent {
                        // An earlier attempt may still have created the user: settle first.
                        continue;
                    }
                    return self.refused(index, &e).await;
                }
            }
        }
    }

    /// A `general.conflict` on create: the e-mail is taken. By this run (an earlier attempt
    /// whose answer was lost) or by someone else.
    pub(super) async fn conflict(
        &self,
        client: &GenesysClient,
        index: usize,
        email: &str,
        maybe_sent: bool,
        error: &GenesysError,
    ) -> Step {
        match self.find_user(client, email, true).await {
            Ok(Some(user)) if maybe_sent => {
                self.created(index, &user, Some(LOST_ANSWER), None).await
            }
            Ok(Some(user)) if user.state == Some(UserState::Deleted) => {
                let error = RowError {
                    message: format!(
                        "A deleted user has the e-mail {email} (deleted since the plan was \
                         made). Restore them, or run again with the \"restore\" policy."
                    ),
                    ..RowError::from_genesys(error)
                };
                self.failed(index, error).await
            }
            Ok(Some(user)) => {
                let note =
                    Some("Already existed (created by someone else since the plan).".to_owned());
                if !self
                    .record(vec![RowUpdate::Existed {
                        index,
                        user_id: Some(user.id.clone()),
                        note,
                    }])
                    .await
                {
                    return Step::Deferred;
                }
                Step::Final
            }
            Ok(None) => self.failed(index, RowError::from_genesys(error)).await,
            Err(e) => self.deferred(index, &e).await,
        }
    }

    /// Bring a soft-deleted user back: read it with `?state=deleted` for its version, then set
    /// its state (a `PATCH` that carries `state` changes nothing else). Its division and
    /// profile follow as steps.
    pub(super) async fn restore(&self, client: &GenesysClient, index: usize) -> Step {
        let row = self.row(index);
        let email = row.email.clone().unwrap_or_default();
        let Some(user_id) = row.existing_user_id.clone() else {
            let error = RowError {
                code: None,
                message: format!("The plan found no user id for the deleted user {email}."),
                correlation_id: None,
            };
            return self.failed(index, error).await;
        };
        let wanted = row
            .body
            .as_ref()
            .and_then(|b| b.state)
            .unwrap_or(UserState::Active);
        if !self.commit_intent(index).await {
            return Step::Deferred;
        }
        let read = || async {
            self.count_request();
            match client.get_deleted_user(&user_id).await {
                // Not deleted (any more): an earlier attempt of this run restored it.
                Err(e) if e.status() == Some(404) => {
                    self.count_request();
                    client.get_user(&user_id).await.map(|r| r.value)
                }
                other => other.map(|r| r.value),
            }
        };
        let write = |user: User| async move {
            if user.state != Some(UserState::Deleted) {
                return Ok((user, None));
            }
            self.count_request();
            let patch = UserPatch {
                version: user.version,
                state: Some(wanted),
                ..UserPatch::default()
            };
            let result = client.patch_user(&user.id, &patch).await;
            let attempt = attempt_record(index, "restore", &result);
            match result {
                Ok(reply) => Ok((reply.value, Some(attempt))),
                Err(e) => {
                    let _ = self.record(vec![attempt]).await;
                    Err(e)
                }
            }
        };
        match steps::with_current_version(None, read, write).await {
            Ok((user, attempt)) => self.restored(index, &user, attempt).await,
            Err(e) if e.status() == Some(404) => {
                let error = RowError {
                    message: format!(
                        "The deleted user with the e-mail {email} is gone (removed for good \
                         since the plan)."
                    ),
                    ..RowError::from_genesys(&e)
                };
                self.failed(index, error).await
            }
            Err(e) => self.refused(index, &e).await,
        }
    }

    /// Commit the row's intent before its create or restore is sent (which marks it sending).
    /// False when the run is stopping or the journal could not be written: nothing may be
    /// sent then.
    pub(super) async fn commit_intent(&self, index: usize) -> bool {
        !self.should_stop() && self.record(vec![RowUpdate::Intent { index }]).await
    }

    /// Look a user up by e-mail, for as long as the settle window allows (search lags).
    pub(super) async fn find_user(
        &self,
        client: &GenesysClient,
        email: &str,
        include_deleted: bool,
    ) -> Result<Option<User>, GenesysError> {
        let deadline = Instant::now() + self.settle.window;
        loop {
            self.count_request();
            let found = client
                .search_users_by_email(email, include_deleted)
                .await?
                .value;
            let wanted = email.trim().to_lowercase();
            let user = found
                .into_iter()
                .filter(|u| {
                    u.email.as_deref().map(|e| e.trim().to_lowercase()) == Some(wanted.clone())
                })
                .min_by_key(|u| u.state == Some(UserState::Deleted));
            if user.is_some() || Instant::now() + self.settle.interval > deadline {
                return Ok(user);
            }
            tokio::time::sleep(self.settle.interval).await;
        }
    }

    pub(super) async fn created(
        &self,
        index: usize,
        user: &User,
        note: Option<&str>,
        attempt: Option<RowUpdate>,
    ) -> Step {
        let update = RowUpdate::Created {
            index,
            user_id: user.id.clone(),
            version: user.version,
            note: note.map(str::to_owned),
        };
        if !self
            .record(attempt.into_iter().chain([update]).collect())
            .await
        {
            return Step::Deferred;
        }
        Step::Done
    }

    pub(super) async fn restored(
        &self,
        index: usize,
        user: &User,
        attempt: Option<RowUpdate>,
    ) -> Step {
        let update = RowUpdate::Restored {
            index,
            user_id: user.id.clone(),
            version: user.version,
        };
        if !self
            .record(attempt.into_iter().chain([update]).collect())
            .await
        {
            return Step::Deferred;
        }
        Step::Done
    }

    pub(super) async fn failed(&self, index: usize, error: RowError) -> Step {
        let line = self.rows.lock().expect("rows")[index].line;
        tracing::warn!(
            run = %self.run_id,
            line,
            code = error.code.as_deref().unwrap_or(""),
            correlation_id = error.correlation_id.as_deref().unwrap_or(""),
            "row failed: {}",
            error.message
        );
        if !self.record(vec![RowUpdate::Failed { index, error }]).await {
            return Step::Deferred;
        }
        Step::Final
    }

    /// Genesys refused the request, or it never got there.
    pub(super) async fn refused(&self, index: usize, error: &GenesysError) -> Step {
        if error.is_auth_or_permission() {
            // Every other row would meet the same refusal: stop, keep the row pending.
            self.stop_run(StopReason::Access, error.to_string());
            return self.deferred(index, error).await;
        }
        if matches!(
            error,
            GenesysError::GaveUp { .. }
                | GenesysError::Unreachable { .. }
                | GenesysError::Timeout { .. }
        ) {
            return self.deferred(index, error).await;
        }
        self.transient_streak.store(0, Ordering::Relaxed);
        self.failed(index, RowError::from_genesys(error)).await
    }

    /// Leave the row pending for a resume; after several in a row, stop the run.
    pub(super) async fn deferred(&self, index: usize, error: &GenesysError) -> Step {
        let note = Some(format!("Not sent yet: {error}"));
        // Not written: the row stays as the journal has it, and the run stops (see `record`).
        let _ = self.record(vec![RowUpdate::Pending { index, note }]).await;
        if !error.is_auth_or_permission() {
            let streak = self.transient_streak.fetch_add(1, Ordering::Relaxed) + 1;
            if streak >= 3 {
                self.stop_run(
                    StopReason::Unreachable,
                    format!(
                        "Genesys Cloud kept failing or could not be reached ({error}). The run \
                     stopped so nothing is lost; resume it when the connection is back."
                    ),
                );
            }
        }
        Step::Deferred
    }
}

const LOST_ANSWER: &str = "Created by this run (its answer was lost; confirmed by a lookup).";

/// Why a row with a password in the file cannot go on after a resume.
pub(super) const PASSWORD_GONE: &str =
    "The file's password for this user is no longer available: the file changed since the run \
     started or was moved, or the row had errors there and was corrected in Rollcall (passwords \
     are never journaled, so a resume reads them again only from the file the run was read \
     from). Import the row again, or set the password in Genesys Cloud.";
