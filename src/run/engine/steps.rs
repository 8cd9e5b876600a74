//! The steps of a run after each create (or restore), for each user: a restored user's
//! division and profile, the password, one `PATCH` (location, extension, employer info,
//! auto-answer), roles, routing skills, then the day-1 steps (`day1`); the batched ones follow
//! once every row is through (`batches`). Each step is journaled per row (and per queue or
//! group), so a resumed run picks up at the step; a step's failure is reported on its row and
//! undoes nothing else.

use std::future::Future;
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::{attempt_record, Engine};
use crate::genesys::{
    Contact, EmployerInfo, GenesysClient, GenesysError, Reply, RoleGrant, User, UserLocation,
    UserPatch, UserSkill, MAX_SKILLS_PER_CALL,
};
use crate::plan::{Named, RowSteps};
use crate::run::events::StopReason;
use crate::run::journal::{JournalRow, RowStatus, RowUpdate, StepKind, StepStatus};

/// Tries of a write guarded by a version before it gives up (Genesys's Terraform provider,
/// `util.RetryWhen`: 10).
const VERSION_ATTEMPTS: u32 = 10;

/// How a step ended.
pub(super) enum Outcome {
    Done,
    Failed(String),
    /// Not done and not failed: the run is stopping (credentials), a resume does it.
    Left,
}

/// Send a write guarded by the user's `version`, and while Genesys answers that the version is
/// stale ([`GenesysError::is_version_mismatch`]: someone, or Genesys itself, changed the user
/// in between), read the user again and send it again, up to [`VERSION_ATTEMPTS`] times — as
/// Genesys's Terraform provider does with `RetryWhen(IsVersionMismatch)`.
///
/// `known` is what to try first (the version of the last answer), else `read` reads it;
/// `write` sends the write for what was read, or finds there is nothing left to do. A write
/// without a version of its own (routing skills) reads nothing: `read` is then a no-op.
pub(super) async fn with_current_version<S, T, R, RF, W, WF>(
    known: Option<S>,
    read: R,
    write: W,
) -> Result<T, GenesysError>
where
    R: Fn() -> RF,
    RF: Future<Output = Result<S, GenesysError>>,
    W: Fn(S) -> WF,
    WF: Future<Output = Result<T, GenesysError>>,
{
    let started = Instant::now();
    let mut snapshot = known;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let current = match snapshot.take() {
            Some(current) => current,
            None => read().await?,
        };
        match write(current).await {
            Err(e) if e.is_version_mismatch() && attempts < VERSION_ATTEMPTS => continue,
            Err(e) if e.is_version_mismatch() => {
                return Err(GenesysError::GaveUp {
                    attempts,
                    elapsed: started.elapsed(),
                    last: Box::new(e),
                })
            }
            other => return other,
        }
    }
}

/// Whether a row's user exists, so its steps can run.
pub(super) fn has_user(row: &JournalRow) -> bool {
    matches!(
        row.status,
        RowStatus::Created | RowStatus::Restored | RowStatus::Existed
    ) && row.user_id.is_some()
}

/// Steps of the row still to do, the batched ones excepted (they go in their own phase):
/// queues, groups, and auto-answer when the row makes no `PATCH` to carry it.
pub(super) fn pending_own_steps(row: &JournalRow) -> bool {
    let patched = row.step_plan.as_ref().is_some_and(RowSteps::has_patch);
    has_user(row)
        && row.steps.iter().any(|s| {
            s.status == StepStatus::Pending
                && match s.kind {
                    StepKind::Queue | StepKind::Group => false,
                    StepKind::AutoAnswer => patched,
                    _ => true,
                }
        })
}

/// Any step of the row still to do.
pub(super) fn pending_steps(row: &JournalRow) -> bool {
    has_user(row) && row.steps.iter().any(|s| s.status == StepStatus::Pending)
}

/// What a `PATCH` of a step leaves to journal: its attempt and, when it went through, the user's
/// new version (the next write goes with it).
fn patched(
    index: usize,
    step: &'static str,
    result: &Result<Reply<User>, GenesysError>,
) -> Vec<RowUpdate> {
    let mut updates = vec![attempt_record(index, step, result)];
    if let Ok(reply) = result {
        updates.push(RowUpdate::Version {
            index,
            version: reply.value.version,
        });
    }
    updates
}

impl Engine {
    /// One row's own steps, in order: a restored user's division and profile, the password,
    /// one `PATCH` (manager, location, extension, employer info, auto-answer), roles, skills,
    /// then the day-1 steps. Queues and groups come later, batched.
    pub(super) async fn apply_steps(&self, client: &GenesysClient, index: usize) {
        let row = self.row(index);
        let Some(user_id) = row.user_id.clone() else {
            return;
        };
        if !has_user(&row) {
            return;
        }
        let plan = row.step_plan.clone().unwrap_or_default();
        let pending = |kind: StepKind| {
            row.steps
                .iter()
                .any(|s| s.kind == kind && s.status == StepStatus::Pending)
        };
        let user_id = user_id.as_str();

        if pending(StepKind::Division) && !self.should_stop() {
            let division_id = row
                .body
                .as_ref()
                .and_then(|b| b.division_id.clone())
                .unwrap_or_default();
            let call = async {
                self.count_request();
                let result = client
                    .move_users_to_division(&division_id, &[user_id.to_owned()])
                    .await;
                let _ = self
                    .record(vec![attempt_record(index, "division", &result)])
                    .await;
                result.map(|_| ())
            };
            self.step(index, StepKind::Division, call).await;
        }

        if pending(StepKind::Profile) && !self.should_stop() {
            let call = self.apply_profile(client, index, user_id);
            self.step(index, StepKind::Profile, call).await;
        }

        if pending(StepKind::Password) && !self.should_stop() {
            let call = async {
                let Some(password) = self.passwords.get(&index) else {
                    return Err(GenesysError::InvalidInput {
                        what: "the password".to_owned(),
                        reason: super::create::PASSWORD_GONE.to_owned(),
                    });
                };
                self.count_request();
                let result = client.set_password(user_id, password).await;
                let _ = self
                    .record(vec![attempt_record(index, "password", &result)])
                    .await;
                result.map(|_| ())
            };
            self.step(index, StepKind::Password, call).await;
        }

        // One PATCH, with the version, for the manager, the location, the extension, the
        // employer info and the auto-answer: before the roles, as Genesys's Terraform provider
        // does it. A manager with nothing else to carry it goes alone (`set_manager`).
        let location = plan
            .location
            .clone()
            .filter(|_| pending(StepKind::Location));
        let extension = plan
            .extension
            .clone()
            .filter(|_| pending(StepKind::Extension));
        let employer = plan
            .day1
            .employer
            .clone()
            .filter(|_| pending(StepKind::Employer));
        let auto_answer = plan
            .day1
            .acd_auto_answer
            .filter(|_| plan.has_patch() && pending(StepKind::AutoAnswer));
        let mut fields = PatchFields {
            manager: None,
            location: location.as_ref(),
            extension,
            employer,
            auto_answer,
        };
        let manager_pending = row.manager_step == StepStatus::Pending;
        if fields.is_empty() {
            if manager_pending && !self.should_stop() {
                self.set_manager(client, index).await;
            }
        } else if !self.should_stop() {
            let manager = match row.manager.as_ref().filter(|_| manager_pending) {
                Some(manager) => match self.manager_id(manager) {
                    Ok(id) => Some(id),
                    Err(reason) => {
                        let note = Some(format!("Manager not set: {reason}"));
                        self.manager_done(index, StepStatus::Failed, None, note)
                            .await;
                        None
                    }
                },
                None => None,
            };
            fields.manager = manager.as_deref();
            let kinds: Vec<StepKind> = [
                (StepKind::Location, fields.location.is_some()),
                (StepKind::Extension, fields.extension.is_some()),
                (StepKind::Employer, fields.employer.is_some()),
                (StepKind::AutoAnswer, fields.auto_answer.is_some()),
            ]
            .into_iter()
            .filter_map(|(kind, sent)| sent.then_some(kind))
            .collect();
            let call = self.patch_user_fields(client, index, user_id, fields);
            let outcome = self.gated(kinds[0], call).await;
            if manager.is_some() {
                self.settle_manager(index, &outcome).await;
            }
            let steps = kinds
                .into_iter()
                .map(|kind| (index, kind, String::new()))
                .collect();
            self.settle_steps(steps, outcome).await;
        }

        if pending(StepKind::Roles) && !self.should_stop() {
            let grants: Vec<RoleGrant> = plan
                .roles
                .iter()
                .map(|g| RoleGrant {
                    role_id: g.role.id.clone(),
                    division_id: g.division.id.clone(),
                })
                .collect();
            // Genesys's auth service learns of a new user a little after its create: a 404 for
            // a user this run just made is tried again for a while.
            let fresh = matches!(row.status, RowStatus::Created | RowStatus::Restored);
            let mut retries = if fresh {
                self.settle.grant_retries()
            } else {
                0
            };
            let call = async {
                loop {
                    self.count_request();
                    let result = client.grant_roles(user_id, &grants).await;
                    let _ = self
                        .record(vec![attempt_record(index, "roles", &result)])
                        .await;
                    match result {
                        Err(e) if e.status() == Some(404) && retries > 0 => {
                            retries -= 1;
                            tokio::time::sleep(self.settle.interval).await;
                        }
                        other => return other.map(|_| ()),
                    }
                }
            };
            self.step(index, StepKind::Roles, call).await;
        }

        if pending(StepKind::Skills) && !self.should_stop() {
            let call = async {
                for chunk in plan.skills.chunks(MAX_SKILLS_PER_CALL) {
                    let skills: Vec<UserSkill> = chunk
                        .iter()
                        .map(|s| UserSkill {
                            id: s.skill.id.clone(),
                            proficiency: s.proficiency,
                        })
                        .collect();
                    let skills = &skills;
                    // No version goes with skills, but Genesys still answers a stale one when
                    // the user changed meanwhile: the same call is sent again.
                    let write = |()| async move {
                        self.count_request();
                        let reply = client.add_user_skills(user_id, skills).await;
                        let _ = self
                            .record(vec![attempt_record(index, "skills", &reply)])
                            .await;
                        reply.map(|_| ())
                    };
                    with_current_version(Some(()), || async { Ok(()) }, write).await?;
                }
                Ok(())
            };
            self.step(index, StepKind::Skills, call).await;
        }

        self.apply_day1(client, &row, &plan, user_id).await;
    }

    /// Make one step of a row (its item empty) and journal how it ended.
    pub(super) async fn step(
        &self,
        index: usize,
        kind: StepKind,
        call: impl Future<Output = Result<(), GenesysError>>,
    ) {
        let outcome = self.gated(kind, call).await;
        self.settle_steps(vec![(index, kind, String::new())], outcome)
            .await;
    }

    /// A restored user's name, title, department, work phone and manager, from its row, in one
    /// `PATCH` (Genesys leaves them as they were when the user was deleted). The user is read
    /// first: its other contacts are kept, written back with their numbers.
    async fn apply_profile(
        &self,
        client: &GenesysClient,
        index: usize,
        user_id: &str,
    ) -> Result<(), GenesysError> {
        let row = self.row(index);
        let Some(body) = row.body.clone() else {
            return Ok(());
        };
        let manager = row.manager.as_ref().map(|m| self.manager_id(m));
        let manager_id = manager.as_ref().and_then(|m| m.as_ref().ok());
        let work_phone = body.addresses.iter().find(|a| a.is_work_phone());
        let body = &body;
        let read = || async {
            self.count_request();
            client.get_user(user_id).await.map(|r| r.value)
        };
        let write = |current: User| async move {
            let addresses = work_phone.map(|phone| {
                let mut addresses: Vec<Contact> =
                    current.addresses.iter().map(Contact::writable).collect();
                match addresses.iter_mut().find(|a| a.is_work_phone()) {
                    Some(work) => work.address = phone.address.clone(),
                    None => addresses.push(phone.clone()),
                }
                addresses
            });
            let patch = UserPatch {
                version: current.version,
                name: Some(body.name.clone()),
                title: body.title.clone(),
                department: body.department.clone(),
                manager: manager_id.cloned(),
                addresses,
                ..UserPatch::default()
            };
            self.count_request();
            let result = client.patch_user(user_id, &patch).await;
            let _ = self.record(patched(index, "profile", &result)).await;
            result.map(|_| ())
        };
        with_current_version(None, read, write).await?;
        match manager {
            Some(Err(reason)) => Err(GenesysError::InvalidInput {
                what: "the manager".to_owned(),
                reason: format!("{reason} The rest of the profile is set."),
            }),
            _ => Ok(()),
        }
    }

    /// One `PATCH` for the manager, the location, the extension, the employer info and the
    /// auto-answer, keeping the user's other addresses (the work phone among them, with its
    /// number).
    async fn patch_user_fields(
        &self,
        client: &GenesysClient,
        index: usize,
        user_id: &str,
        fields: PatchFields<'_>,
    ) -> Result<(), GenesysError> {
        let PatchFields {
            manager,
            location,
            extension,
            employer,
            auto_answer,
        } = fields;
        let employer = employer.as_ref();
        let row = self.row(index);
        // A user this run created: its addresses are the create's, its version the last
        // answer's. Anyone else: read first.
        let known = match (&row.body, row.version, row.status) {
            (Some(body), Some(version), RowStatus::Created) => Some(User {
                version,
                addresses: body.addresses.clone(),
                ..User::default()
            }),
            _ => None,
        };
        let extension = extension.as_ref();
        let read = || async {
            self.count_request();
            client.get_user(user_id).await.map(|r| r.value)
        };
        let write = |current: User| async move {
            let addresses = extension.map(|extension| {
                let mut addresses: Vec<Contact> =
                    current.addresses.iter().map(Contact::writable).collect();
                match addresses.iter_mut().find(|a| a.is_work_phone()) {
                    Some(work) => work.extension = Some(extension.clone()),
                    None => addresses.push(Contact {
                        extension: Some(extension.clone()),
                        media_type: "PHONE".to_owned(),
                        kind: "WORK".to_owned(),
                        ..Contact::default()
                    }),
                }
                addresses
            });
            let patch = UserPatch {
                version: current.version,
                manager: manager.map(str::to_owned),
                locations: location.map(|l| vec![UserLocation::new(&l.id)]),
                addresses,
                employer_info: employer.cloned(),
                acd_auto_answer: auto_answer,
                ..UserPatch::default()
            };
            self.count_request();
            let result = client.patch_user(user_id, &patch).await;
            let _ = self.record(patched(index, "location", &result)).await;
            result.map(|_| ())
        };
        with_current_version(known, read, write).await
    }

    /// Make one step's call, unless Genesys already refused that kind of step for a missing
    /// permission. Until a call of a kind has gone through, calls of that kind go one at a
    /// time, so a missing permission is refused once rather than by every worker at once.
    pub(super) async fn gated(
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

    pub(super) async fn settle_steps(
        &self,
        steps: Vec<(usize, StepKind, String)>,
        outcome: Outcome,
    ) {
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
    }
}

/// What the row's `PATCH` after the create carries. The manager rides along when the row has
/// other fields to patch; on its own it does not make this `PATCH`.
struct PatchFields<'a> {
    manager: Option<&'a str>,
    location: Option<&'a Named>,
    extension: Option<String>,
    employer: Option<EmployerInfo>,
    auto_answer: Option<bool>,
}

impl PatchFields<'_> {
    fn is_empty(&self) -> bool {
        self.location.is_none()
            && self.extension.is_none()
            && self.employer.is_none()
            && self.auto_answer.is_none()
    }
}
