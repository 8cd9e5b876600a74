//! What a run does to a user after the create: role grants, routing skills and queue
//! memberships, and the reads that show them.

use hyper::StatusCode;
use serde_json::{json, Value};

use crate::http::{listing, page_params, Call, Exchange, Reply};
use crate::org::{Org, SandboxGrant, SandboxUser, SandboxUserSkill, UserCall};
use crate::shared::Shared;

/// `POST /api/v2/authorization/subjects/{id}/bulkadd`: grants the user lacks are added; the
/// others are left as they are.
pub(crate) fn grant_roles(
    shared: &Shared,
    exchange: &Exchange,
    call: &Call,
    id: &str,
    body: &Value,
) -> Reply {
    match call.query_one("subjectType") {
        None | Some("PC_USER") => {}
        // The sandbox's only subjects are users.
        Some("PC_GROUP") | Some("PC_OAUTH_CLIENT") => return exchange.not_found(),
        Some(other) => {
            return exchange.invalid_value(
                "subjectType",
                &format!("subjectType {other} is not one of PC_USER, PC_GROUP, PC_OAUTH_CLIENT"),
            )
        }
    }
    let Some(items) = body.get("grants").and_then(Value::as_array) else {
        return exchange.invalid_value("grants", "grants must be a list of roleId and divisionId.");
    };
    if items.is_empty() {
        return exchange.invalid_value("grants", "grants must not be empty.");
    }
    let mut grants = Vec::with_capacity(items.len());
    for item in items {
        let field = |name: &str| {
            item.get(name)
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
        };
        match (field("roleId"), field("divisionId")) {
            (Some(role_id), Some(division_id)) => grants.push(SandboxGrant {
                role_id: role_id.to_owned(),
                division_id: division_id.to_owned(),
            }),
            _ => {
                return exchange
                    .invalid_value("grants", "Each grant needs a roleId and a divisionId.")
            }
        }
    }
    let not_found_first = shared
        .knobs
        .lock()
        .expect("knobs")
        .faults
        .bulkadd_not_found_first;
    let mut org = shared.org.lock().expect("org");
    let Some(index) = org.live_user_index(id) else {
        return exchange.not_found();
    };
    if org.early_call(id, UserCall::Bulkadd, not_found_first) {
        // Genesys's authorization service may not know a user created seconds ago (API.md,
        // correction 8).
        return exchange.not_found();
    }
    // Genesys's answer to an unknown role or division is not documented; refusing the whole
    // call is the stricter choice.
    for grant in &grants {
        if !org.roles.iter().any(|r| r.id == grant.role_id) {
            return exchange.invalid_value(
                "roleId",
                &format!("The role {} does not exist.", grant.role_id),
            );
        }
        if grant.division_id != "*" && org.division(&grant.division_id).is_none() {
            return exchange.invalid_value(
                "divisionId",
                &format!("The division {} does not exist.", grant.division_id),
            );
        }
    }
    let user = &mut org.users[index];
    for grant in grants {
        if !user.grants.contains(&grant) {
            user.grants.push(grant);
        }
    }
    org.dirty = true;
    exchange.empty(StatusCode::NO_CONTENT)
}

/// `GET /api/v2/authorization/subjects/{id}` (`AuthzSubject`).
pub(crate) fn user_grants(shared: &Shared, exchange: &Exchange, id: &str) -> Reply {
    let org = shared.org.lock().expect("org");
    let Some(index) = org.live_user_index(id) else {
        return exchange.not_found();
    };
    let user = &org.users[index];
    let grants: Vec<Value> = user
        .grants
        .iter()
        .map(|grant| {
            let role = org.roles.iter().find(|r| r.id == grant.role_id);
            let division_name = if grant.division_id == "*" {
                "All divisions"
            } else {
                org.division(&grant.division_id)
                    .map(|d| d.name.as_str())
                    .unwrap_or("")
            };
            json!({
                "subjectId": user.id,
                "role": {
                    "id": grant.role_id,
                    "name": role.map(|r| r.name.as_str()).unwrap_or(""),
                    "description": role.and_then(|r| r.description.clone()).unwrap_or_default(),
                    "default": false,
                    "selfUri": format!("/api/v2/authorization/roles/{}", grant.role_id),
                },
                "division": {
                    "id": grant.division_id,
                    "name": division_name,
                    "selfUri": format!("/api/v2/authorization/divisions/{}", grant.division_id),
                },
            })
        })
        .collect();
    exchange.json(
        StatusCode::OK,
        &json!({
            "id": user.id,
            "name": user.name,
            "grants": grants,
            "version": 1,
            "selfUri": format!("/api/v2/authorization/subjects/{}", user.id),
        }),
    )
}

/// The most skills one `routingskills/bulk` call takes.
const MAX_SKILLS_PER_CALL: usize = 50;
/// The most members one queue-members call takes.
const MAX_MEMBERS_PER_CALL: usize = 100;

/// `PATCH /api/v2/users/{id}/routingskills/bulk`: the skills given are set, the user's other
/// skills are kept; answers all the user's skills.
pub(crate) fn add_user_skills(
    shared: &Shared,
    exchange: &Exchange,
    id: &str,
    body: &Value,
) -> Reply {
    let Some(items) = body.as_array() else {
        return exchange.bad_request("The body must be a list of skills with id and proficiency.");
    };
    if items.is_empty() || items.len() > MAX_SKILLS_PER_CALL {
        return exchange.bad_request(&format!(
            "A call takes from 1 to {MAX_SKILLS_PER_CALL} skills; {} were sent.",
            items.len()
        ));
    }
    let mut wanted: Vec<SandboxUserSkill> = Vec::with_capacity(items.len());
    for item in items {
        let Some(skill_id) = item
            .get("id")
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
        else {
            return exchange.invalid_value("id", "Each skill needs an id.");
        };
        let Some(proficiency) = item.get("proficiency").and_then(Value::as_f64) else {
            return exchange.invalid_value(
                "proficiency",
                &format!("The skill {skill_id} needs a proficiency from 0 to 5."),
            );
        };
        if !(0.0..=5.0).contains(&proficiency) {
            return exchange.invalid_value(
                "proficiency",
                &format!("Proficiency {proficiency} is not from 0 to 5."),
            );
        }
        if wanted.iter().any(|w| w.skill_id == skill_id) {
            return exchange.invalid_value(
                "id",
                &format!("The skill {skill_id} is listed more than once."),
            );
        }
        wanted.push(SandboxUserSkill {
            skill_id: skill_id.to_owned(),
            proficiency,
        });
    }
    let stale_first = shared
        .knobs
        .lock()
        .expect("knobs")
        .faults
        .stale_version_first;
    let mut org = shared.org.lock().expect("org");
    let Some(index) = org.live_user_index(id) else {
        return exchange.not_found();
    };
    if org.early_call(id, UserCall::PatchSkills, stale_first) {
        // Another admin just edited the user: this call meets a stale version.
        org.users[index].version += 1;
        org.dirty = true;
        return exchange.stale_version(shared.config.variants.stale_version_status);
    }
    if let Some(unknown) = wanted
        .iter()
        .find(|w| !org.skills.iter().any(|s| s.id == w.skill_id))
    {
        return exchange.invalid_value(
            "id",
            &format!("The routing skill {} does not exist.", unknown.skill_id),
        );
    }
    let user = &mut org.users[index];
    for skill in wanted {
        match user
            .skills
            .iter_mut()
            .find(|s| s.skill_id == skill.skill_id)
        {
            Some(existing) => existing.proficiency = skill.proficiency,
            None => user.skills.push(skill),
        }
    }
    org.dirty = true;
    let skills = user_skill_entries(&org, &org.users[index]);
    let total = skills.len();
    exchange.json(
        StatusCode::OK,
        &listing(
            skills,
            total,
            total.max(1) as u32,
            1,
            &format!("/api/v2/users/{id}/routingskills"),
        ),
    )
}

/// A user's skills as `UserRoutingSkill`s, sorted by name.
pub(crate) fn user_skill_entries(org: &Org, user: &SandboxUser) -> Vec<Value> {
    let mut skills: Vec<(&str, Value)> = user
        .skills
        .iter()
        .map(|skill| {
            let name = org
                .skills
                .iter()
                .find(|s| s.id == skill.skill_id)
                .map(|s| s.name.as_str())
                .unwrap_or("");
            let json = json!({
                "id": skill.skill_id,
                "name": name,
                "proficiency": skill.proficiency,
                "state": "active",
                "skillUri": format!("/api/v2/routing/skills/{}", skill.skill_id),
                "selfUri": format!("/api/v2/users/{}/routingskills/{}", user.id, skill.skill_id),
            });
            (name, json)
        })
        .collect();
    skills.sort_by_key(|(name, _)| name.to_lowercase());
    skills.into_iter().map(|(_, json)| json).collect()
}

/// `GET /api/v2/users/{id}/routingskills`.
pub(crate) fn user_skills(shared: &Shared, exchange: &Exchange, call: &Call, id: &str) -> Reply {
    let (size, number) = match page_params(exchange, call, 25, 100) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let org = shared.org.lock().expect("org");
    let Some(index) = org.live_user_index(id) else {
        return exchange.not_found();
    };
    let skills = user_skill_entries(&org, &org.users[index]);
    let total = skills.len();
    let page = skills
        .into_iter()
        .skip(((number - 1) * size) as usize)
        .take(size as usize)
        .collect();
    exchange.json(
        StatusCode::OK,
        &listing(
            page,
            total,
            size,
            number,
            &format!("/api/v2/users/{id}/routingskills"),
        ),
    )
}

/// `GET /api/v2/users/{id}/queues`: the queues the user is a member of (members are joined).
pub(crate) fn user_queues(shared: &Shared, exchange: &Exchange, call: &Call, id: &str) -> Reply {
    let (size, number) = match page_params(exchange, call, 25, 100) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let joined = match call.query_one("joined") {
        None | Some("true") => true,
        Some("false") => false,
        Some(other) => {
            return exchange
                .invalid_value("joined", &format!("joined {other} is not true or false"))
        }
    };
    let division_ids = call.query_all("divisionId");
    let org = shared.org.lock().expect("org");
    if org.live_user_index(id).is_none() {
        return exchange.not_found();
    }
    let mut queues: Vec<_> = org
        .queues
        .iter()
        .filter(|q| joined && q.member_ids.iter().any(|m| m == id))
        .filter(|q| division_ids.is_empty() || division_ids.contains(&q.division_id))
        .collect();
    queues.sort_by_key(|q| q.name.to_lowercase());
    let total = queues.len();
    let page = queues
        .into_iter()
        .skip(((number - 1) * size) as usize)
        .take(size as usize)
        .map(|q| {
            let mut json = org.queue_json(q);
            json["joined"] = json!(true);
            json
        })
        .collect();
    exchange.json(
        StatusCode::OK,
        &listing(
            page,
            total,
            size,
            number,
            &format!("/api/v2/users/{id}/queues"),
        ),
    )
}

/// `POST /api/v2/routing/queues/{id}/members` (`?delete=true` removes). Adding a member again
/// or removing a non-member changes nothing.
pub(crate) fn add_queue_members(
    shared: &Shared,
    exchange: &Exchange,
    call: &Call,
    queue_id: &str,
    body: &Value,
) -> Reply {
    let delete = match call.query_one("delete") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return exchange
                .invalid_value("delete", &format!("delete {other} is not true or false"))
        }
    };
    let Some(items) = body.as_array() else {
        return exchange.bad_request("The body must be a list of members, each with an id.");
    };
    if items.is_empty() || items.len() > MAX_MEMBERS_PER_CALL {
        return exchange.bad_request(&format!(
            "Invalid request data.  Make sure you submit a valid number of queue members \
             (from 1 to {MAX_MEMBERS_PER_CALL}; {} were sent).",
            items.len()
        ));
    }
    let mut user_ids: Vec<&str> = Vec::with_capacity(items.len());
    for item in items {
        match item
            .get("id")
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
        {
            Some(id) => user_ids.push(id),
            None => return exchange.invalid_value("id", "Each member needs an id."),
        }
    }
    let mut org = shared.org.lock().expect("org");
    let Some(queue_index) = org.queues.iter().position(|q| q.id == queue_id) else {
        return exchange.not_found();
    };
    if let Some(unknown) = user_ids.iter().find(|id| org.live_user_index(id).is_none()) {
        return exchange.invalid_value("id", &format!("The user {unknown} does not exist."));
    }
    let queue = &mut org.queues[queue_index];
    for user_id in user_ids {
        let position = queue.member_ids.iter().position(|m| m == user_id);
        match (delete, position) {
            (false, None) => queue.member_ids.push(user_id.to_owned()),
            (true, Some(at)) => {
                queue.member_ids.remove(at);
            }
            _ => {}
        }
    }
    org.dirty = true;
    exchange.empty(StatusCode::NO_CONTENT)
}
