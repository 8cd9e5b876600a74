//! Each row's names resolved against the org (each list read once), and for users that exist,
//! what they lack.

use super::day1::{wants_day1, Day1Directory};
use super::existing::{OrgUser, SEARCH_CONCURRENCY};
use super::model::ModelAgent;
use super::steps::{wants_steps, Current, Directory, RowSteps};
use super::unknown::Problems;
use super::{PlanError, PlanOptions, PlannedRow, RowAction};
use std::collections::HashMap;

use crate::genesys::{Division, GenesysClient, Role, UserState, CALL_ADD_PERMISSION};
use crate::import::{ImportReport, UserDraft};

/// Resolve every row's roles, queues, skills, location and extension against the org (one
/// read of each list), and for users that exist, what they lack. Returns the calls it made.
pub(super) async fn resolve_steps(
    client: &GenesysClient,
    report: &ImportReport,
    divisions: &[Division],
    home: &Division,
    options: &PlanOptions,
    users: &HashMap<String, OrgUser>,
    rows: &mut [PlannedRow],
) -> Result<u32, PlanError> {
    let applies = |row: &PlannedRow| match row.action {
        RowAction::Create | RowAction::Restore => true,
        RowAction::Exists => options.update_existing,
        _ => false,
    };
    let drafts: Vec<&UserDraft> = rows
        .iter()
        .filter(|row| applies(row))
        .filter_map(|row| report.rows[row.index].draft.as_deref())
        .filter(|draft| wants_steps(draft) || wants_day1(draft) || draft.like.is_some())
        .collect();
    if drafts.is_empty() {
        return Ok(0);
    }
    let directory = Directory::load(client, divisions, home, drafts.iter().copied()).await?;
    let phones = drafts.iter().any(|d| d.phone.is_some());
    let day1 = Day1Directory::load(client, drafts.into_iter()).await?;
    let mut calls = directory.calls + day1.calls;
    let models = read_models(client, users, rows, report).await?;
    calls += models.len() as u32 * ModelAgent::CALLS;
    // The roles that give Conversation > Call > Add, which a default phone needs: read once,
    // through the roles listing's permission filter.
    let call_roles: Option<Vec<Role>> = if phones {
        let roles = client
            .roles_with_permission(CALL_ADD_PERMISSION)
            .await?
            .value;
        calls += roles.len().div_ceil(100).max(1) as u32;
        Some(roles)
    } else {
        None
    };
    // Existing users to compare with what the file lists: (row position, user id, wanted).
    let mut to_compare: Vec<(usize, String, RowSteps)> = Vec::new();
    for (position, row) in rows.iter_mut().enumerate().filter(|(_, row)| applies(row)) {
        let Some(draft) = report.rows[row.index].draft.as_deref() else {
            continue;
        };
        if !wants_steps(draft) && !wants_day1(draft) && draft.like.is_none() {
            continue;
        }
        let resolved = match (directory.resolve(draft), day1.resolve(draft)) {
            (Ok(mut steps), Ok(own_day1)) => {
                steps.day1 = own_day1;
                let model = draft.like.as_ref().map(|email| (email, models.get(email)));
                if let Some((email, model)) = model {
                    match model {
                        Some(model) => {
                            let added = model.apply(&mut steps, &directory, &day1);
                            let what = if added.is_empty() {
                                "nothing the row lacks".to_owned()
                            } else {
                                added.join("; ")
                            };
                            row.notes.push(format!("Like {email}: adds {what}."));
                        }
                        None => {
                            row.fail(Problems::one(format!(
                                "the model agent {email} is not in this org (or is deleted); \
                                 write the e-mail of an active or inactive user."
                            )));
                            continue;
                        }
                    }
                }
                // A new user has only the row's roles; an existing one may hold the permission
                // through others, checked once its grants are read (below).
                match (&call_roles, row.action) {
                    (Some(call_roles), RowAction::Create | RowAction::Restore) => {
                        phone_permission(&steps, [], call_roles)
                            .map(|()| steps)
                            .map_err(Problems::one)
                    }
                    _ => Ok(steps),
                }
            }
            (Err(mut problems), Err(more)) => {
                problems.extend(more);
                Err(problems)
            }
            (Err(problems), _) | (_, Err(problems)) => Err(problems),
        };
        let steps = match resolved {
            Ok(steps) => steps,
            Err(problems) => {
                row.fail(problems);
                continue;
            }
        };
        if row.action != RowAction::Exists {
            row.steps = Some(steps);
            continue;
        }
        if let Some(user_id) = row.existing_user_id.clone() {
            to_compare.push((position, user_id, steps));
        }
    }

    // What those users have, read side by side (as the e-mail searches are).
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(SEARCH_CONCURRENCY));
    let mut reads = tokio::task::JoinSet::new();
    for (position, user_id, wanted) in to_compare {
        let client = client.clone();
        let semaphore = semaphore.clone();
        reads.spawn(async move {
            let _slot = semaphore.acquire_owned().await.expect("semaphore open");
            let current = Current::read(&client, &user_id, &wanted).await;
            current.map(|current| {
                let changes = current.changes(&wanted);
                (
                    position,
                    current.missing(&wanted),
                    changes,
                    Current::calls(&wanted),
                    current.grants,
                )
            })
        });
    }
    while let Some(read) = reads.join_next().await {
        let (position, missing, changes, read_calls, grants) = read.expect("read task")?;
        calls += read_calls;
        let row = &mut rows[position];
        // A phone the user lacks needs Conversation > Call > Add from the roles it holds or
        // the ones the row adds.
        if let Some(call_roles) = &call_roles {
            let held = grants.iter().map(|(role_id, _)| role_id.as_str());
            if let Err(problem) = phone_permission(&missing, held, call_roles) {
                row.fail(Problems::one(problem));
                continue;
            }
        }
        if missing.is_empty() {
            row.notes.push(
                "Already has every role, queue, skill, language, group and location the file \
                 lists."
                    .into(),
            );
            row.notes.extend(changes);
        } else {
            row.notes = vec![format!(
                "Already in the org; will add {}.",
                missing.describe().join("; ")
            )];
            row.notes.extend(changes);
            row.action = RowAction::Update;
            row.steps = Some(missing);
        }
    }
    Ok(calls)
}

/// A row with a phone must leave the user with a role that gives Conversation > Call > Add,
/// among those it `held` (by id) and those the row grants: Genesys refuses a default station
/// to a user without it (Resource Center, "Assign a default phone").
fn phone_permission<'a>(
    steps: &'a RowSteps,
    held: impl IntoIterator<Item = &'a str>,
    call_roles: &[Role],
) -> Result<(), String> {
    let mut roles = held
        .into_iter()
        .chain(steps.roles.iter().map(|g| g.role.id.as_str()));
    if steps.day1.phone.is_none() || roles.any(|id| call_roles.iter().any(|r| r.id == id)) {
        return Ok(());
    }
    let names: Vec<String> = call_roles
        .iter()
        .take(5)
        .map(|r| format!("\"{}\"", r.name))
        .collect();
    let hint = if names.is_empty() {
        "no role of this org gives it".to_owned()
    } else {
        format!("roles that give it: {}", names.join(", "))
    };
    Err(format!(
        "A phone needs the user to have Conversation > Call > Add ({CALL_ADD_PERMISSION}), and \
         none of the user's roles or the row's gives it; add one ({hint})."
    ))
}

/// Each model agent the rows name, read once: by e-mail, for those in the org and not deleted.
async fn read_models(
    client: &GenesysClient,
    users: &HashMap<String, OrgUser>,
    rows: &[PlannedRow],
    report: &ImportReport,
) -> Result<HashMap<String, ModelAgent>, PlanError> {
    let mut models = HashMap::new();
    let wanted = rows
        .iter()
        .filter_map(|row| report.rows[row.index].draft.as_deref()?.like.as_ref());
    for email in wanted {
        if models.contains_key(email) {
            continue;
        }
        let Some(user) = users.get(email).filter(|u| u.state != UserState::Deleted) else {
            continue;
        };
        models.insert(email.clone(), ModelAgent::read(client, &user.id).await?);
    }
    Ok(models)
}
