//! What an export of the org's users reads: a user with its expansions, the users listing by
//! cursor (`GET /api/v2/users/query`), who holds a role in which divisions
//! (`GET /api/v2/authorization/roles/{roleId}/subjectgrants`) and who is in a queue
//! (`GET /api/v2/routing/queues/{queueId}/members`).

use hyper::StatusCode;
use rollcall_core::genesys::UserState;
use serde_json::{json, Value};

use crate::day_one::OrgDayOne;
use crate::http::{paged, Call, Exchange, Reply};
use crate::org::{Org, SandboxUser};
use crate::shared::Shared;
use crate::steps::user_skill_entries;

/// The JSON of a user with the expansions asked for: `locations` (each as a
/// `locationDefinition` reference, as Genesys answers it), `groups` (the groups the user is a
/// direct member of), `employerInfo`, `skills` and `languages` (as `UserRoutingSkill`s and
/// `UserRoutingLanguage`s). Anything else asked for is left out, as Genesys leaves out what it
/// cannot fill ("resolved with a best effort approach").
pub(crate) fn user_json_expanded(org: &Org, user: &SandboxUser, expand: &[String]) -> Value {
    let mut value = org.user_json(user);
    let asked = |part: &str| expand.iter().any(|e| e == part);
    if asked("groups") {
        let groups: Vec<Value> = (org.day_one.groups.iter())
            .filter(|g| g.member_ids.contains(&user.id))
            .map(OrgDayOne::group_json)
            .collect();
        value["groups"] = json!(groups);
    }
    if let Some(info) = user
        .day_one
        .employer_info
        .as_ref()
        .filter(|_| asked("employerInfo"))
    {
        value["employerInfo"] = json!(info);
    }
    if asked("locations") {
        let locations: Vec<Value> = user
            .location_ids
            .iter()
            .map(|id| {
                json!({
                    "locationDefinition": {
                        "id": id,
                        "selfUri": format!("/api/v2/locations/{id}"),
                    }
                })
            })
            .collect();
        value["locations"] = json!(locations);
    }
    if asked("skills") {
        value["skills"] = json!(user_skill_entries(org, user));
    }
    if asked("languages") {
        let languages: Vec<Value> = (user.day_one.languages.iter())
            .map(|held| org.day_one.user_language_json(held))
            .collect();
        value["languages"] = json!(languages);
    }
    value
}

/// The largest page of the cursor listing. The SDKs document none; 500 is the page-numbered
/// listing's, and a client that pages by less works with any real one.
const MAX_CURSOR_PAGE_SIZE: u32 = 500;

/// `GET /api/v2/users/query`: the users of one `state` (`active` by default) in creation order,
/// `pageSize` at a time from `cursor`, with `expand`. The cursor is opaque to a client; here it
/// is the position of the page's first user. The last page has no `cursor` and no `nextUri`.
pub(crate) fn users_query(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let size = match call.query_one("pageSize").map(str::parse::<u32>) {
        None => 25,
        Some(Ok(size)) if (1..=MAX_CURSOR_PAGE_SIZE).contains(&size) => size,
        Some(_) => {
            return exchange.invalid_value(
                "pageSize",
                &format!("pageSize must be from 1 to {MAX_CURSOR_PAGE_SIZE}"),
            )
        }
    };
    let start = match call.query_one("cursor").map(str::parse::<usize>) {
        None => 0,
        Some(Ok(start)) => start,
        Some(Err(_)) => return exchange.invalid_value("cursor", "The cursor is not valid."),
    };
    let state = match call.query_one("state").unwrap_or("active") {
        "active" => UserState::Active,
        "inactive" => UserState::Inactive,
        "deleted" => UserState::Deleted,
        other => {
            return exchange.invalid_value(
                "state",
                &format!("state {other} is not one of active, inactive, deleted"),
            )
        }
    };
    let expand = call.query_all("expand");
    let org = shared.org.lock().expect("org");
    let matching: Vec<&SandboxUser> = org.users.iter().filter(|u| u.state == state).collect();
    let entities: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(size as usize)
        .map(|u| user_json_expanded(&org, u, &expand))
        .collect();
    let next = start + entities.len();
    let mut answer = json!({
        "entities": entities,
        "results": entities.len(),
        "selfUri": format!("/api/v2/users/query?pageSize={size}"),
    });
    if next < matching.len() {
        answer["cursor"] = json!(next.to_string());
        answer["nextUri"] = json!(format!("/api/v2/users/query?pageSize={size}&cursor={next}"));
    }
    exchange.json(StatusCode::OK, &answer)
}

/// `GET /api/v2/authorization/roles/{roleId}/subjectgrants`: each user holding the role, with
/// the divisions it holds it in (`SubjectDivisionGrants`, type `PC_USER`; the sandbox's only
/// subjects are users), paged.
pub(crate) fn role_subject_grants(
    shared: &Shared,
    exchange: &Exchange,
    call: &Call,
    role_id: &str,
) -> Reply {
    let org = shared.org.lock().expect("org");
    if !org.roles.iter().any(|r| r.id == role_id) {
        return exchange.not_found();
    }
    let subjects: Vec<Value> = (org.users.iter())
        .filter(|u| u.state != UserState::Deleted)
        .filter_map(|user| {
            let divisions: Vec<Value> = (user.grants.iter())
                .filter(|g| g.role_id == role_id)
                .map(|g| {
                    let name = match org.division(&g.division_id) {
                        Some(division) => division.name.as_str(),
                        None => "All divisions",
                    };
                    json!({
                        "id": g.division_id,
                        "name": name,
                        "selfUri": format!("/api/v2/authorization/divisions/{}", g.division_id),
                    })
                })
                .collect();
            (!divisions.is_empty()).then(|| {
                json!({
                    "id": user.id,
                    "name": user.name,
                    "divisions": divisions,
                    "type": "PC_USER",
                    "selfUri": format!("/api/v2/users/{}", user.id),
                })
            })
        })
        .collect();
    let base = format!("/api/v2/authorization/roles/{role_id}/subjectgrants");
    paged(exchange, call, &base, subjects)
}

/// `GET /api/v2/routing/queues/{queueId}/members`: the queue's members (`QueueMember`, each
/// joined and a direct member), in the order they were added, paged.
pub(crate) fn queue_members(
    shared: &Shared,
    exchange: &Exchange,
    call: &Call,
    queue_id: &str,
) -> Reply {
    let org = shared.org.lock().expect("org");
    let Some(queue) = org.queues.iter().find(|q| q.id == queue_id) else {
        return exchange.not_found();
    };
    let members: Vec<Value> = (queue.member_ids.iter())
        .filter_map(|id| org.live_user_index(id).map(|i| &org.users[i]))
        .map(|user| {
            json!({
                "id": user.id,
                "name": user.name,
                "user": {
                    "id": user.id,
                    "name": user.name,
                    "selfUri": format!("/api/v2/users/{}", user.id),
                },
                "ringNumber": 1,
                "joined": true,
                "memberBy": "user",
                "selfUri": format!("/api/v2/routing/queues/{queue_id}/members/{}", user.id),
            })
        })
        .collect();
    let base = format!("/api/v2/routing/queues/{queue_id}/members");
    paged(exchange, call, &base, members)
}
