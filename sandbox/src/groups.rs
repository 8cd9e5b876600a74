//! Groups: the org's list, the search by name, one group with its version, adding members
//! with that version, and who is in a group (API-day1 §2).

use hyper::StatusCode;
use serde_json::{json, Value};

use crate::day_one::OrgDayOne;
use crate::http::{paged, search_page, Call, Exchange, Reply};
use crate::shared::Shared;

/// "A maximum of 50 members are allowed per request" (`GroupMembersUpdate.memberIds`).
const MAX_MEMBERS_PER_CALL: usize = 50;

/// `GET /api/v2/groups`, sorted by name, with the `id` filter (it has no name filter).
pub(crate) fn list_groups(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let ids = call.query_all("id");
    let org = shared.org.lock().expect("org");
    let mut groups: Vec<_> = (org.day_one.groups.iter())
        .filter(|g| ids.is_empty() || ids.contains(&g.id))
        .collect();
    groups.sort_by_key(|g| g.name.to_lowercase());
    let entities = groups.into_iter().map(OrgDayOne::group_json).collect();
    paged(exchange, call, "/api/v2/groups", entities)
}

/// `POST /api/v2/groups/search`: `EXACT`, `CONTAINS` and `STARTS_WITH` criteria on `name`
/// (or `id`), all of which must match; `results` is left out when nothing matched.
pub(crate) fn search_groups(shared: &Shared, exchange: &Exchange, body: &Value) -> Reply {
    let Some(criteria) = body
        .get("query")
        .and_then(Value::as_array)
        .filter(|q| !q.is_empty())
    else {
        return exchange.bad_request("A search needs at least one query criterion.");
    };
    let page_size = body.get("pageSize").and_then(Value::as_u64).unwrap_or(25);
    let page_number = body.get("pageNumber").and_then(Value::as_u64).unwrap_or(1);
    if !(1..=100).contains(&page_size) || page_number == 0 {
        return exchange.invalid_value("pageSize", "pageSize must be from 1 to 100.");
    }
    let mut tests = Vec::with_capacity(criteria.len());
    for criterion in criteria {
        let kind = criterion.get("type").and_then(Value::as_str).unwrap_or("");
        let fields: Vec<&str> = (criterion.get("fields").and_then(Value::as_array))
            .map(|f| f.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(value) = criterion.get("value").and_then(Value::as_str) else {
            return exchange.invalid_value("value", "Each criterion needs a value.");
        };
        if fields.is_empty() || fields.iter().any(|f| !matches!(*f, "name" | "id")) {
            return exchange.invalid_value("fields", "The sandbox searches groups by name or id.");
        }
        if !matches!(kind, "EXACT" | "CONTAINS" | "STARTS_WITH") {
            return exchange.invalid_value(
                "type",
                &format!("type {kind} is not one the sandbox searches groups with"),
            );
        }
        tests.push((kind, fields, value.to_owned()));
    }
    let org = shared.org.lock().expect("org");
    let mut found: Vec<_> = (org.day_one.groups.iter())
        .filter(|g| {
            tests.iter().all(|(kind, fields, value)| {
                fields.iter().any(|field| {
                    let text = if *field == "id" { &g.id } else { &g.name };
                    match *kind {
                        "EXACT" => text == value,
                        "CONTAINS" => text.to_lowercase().contains(&value.to_lowercase()),
                        _ => text.to_lowercase().starts_with(&value.to_lowercase()),
                    }
                })
            })
        })
        .collect();
    found.sort_by_key(|g| g.name.to_lowercase());
    let matches = found.into_iter().map(OrgDayOne::group_json).collect();
    search_page(exchange, "groups", matches, page_size, page_number)
}

/// `GET /api/v2/groups/{id}`.
pub(crate) fn get_group(shared: &Shared, exchange: &Exchange, group_id: &str) -> Reply {
    let org = shared.org.lock().expect("org");
    match org.day_one.group_index(group_id) {
        Some(index) => exchange.json(
            StatusCode::OK,
            &OrgDayOne::group_json(&org.day_one.groups[index]),
        ),
        None => exchange.not_found(),
    }
}

/// `POST /api/v2/groups/{id}/members` (`{memberIds, version}`): at most 50 live users, the
/// group's current version (required unless `Variants::group_version_optional`; a stale one
/// is answered as a stale user version is), and — unless `Variants::group_readd_harmless` —
/// no one who is already a member. Each accepted call raises the group's version.
pub(crate) fn add_members(
    shared: &Shared,
    exchange: &Exchange,
    group_id: &str,
    body: &Value,
) -> Reply {
    let variants = shared.config.variants;
    let Some(ids) = body.get("memberIds").and_then(Value::as_array) else {
        return exchange.invalid_value("memberIds", "memberIds is required.");
    };
    if ids.is_empty() || ids.len() > MAX_MEMBERS_PER_CALL {
        return exchange.invalid_value(
            "memberIds",
            &format!("A maximum of {MAX_MEMBERS_PER_CALL} members are allowed per request."),
        );
    }
    let Some(ids) = ids.iter().map(Value::as_str).collect::<Option<Vec<&str>>>() else {
        return exchange.invalid_value("memberIds", "memberIds must be user ids.");
    };
    let version = body.get("version").and_then(Value::as_i64);
    if version.is_none() && !variants.group_version_optional {
        return exchange.invalid_value("version", "The current group version is required.");
    }
    let mut org = shared.org.lock().expect("org");
    let Some(index) = org.day_one.group_index(group_id) else {
        return exchange.not_found();
    };
    if version.is_some_and(|v| v != org.day_one.groups[index].version) {
        return exchange.stale_version(variants.stale_version_status);
    }
    if let Some(unknown) = ids.iter().find(|id| org.live_user_index(id).is_none()) {
        return exchange.invalid_value("memberIds", &format!("The user {unknown} does not exist."));
    }
    let group = &mut org.day_one.groups[index];
    if !variants.group_readd_harmless {
        if let Some(member) = ids
            .iter()
            .find(|id| group.member_ids.iter().any(|m| m == *id))
        {
            return exchange.invalid_value(
                "memberIds",
                &format!("The user {member} is already a member of the group."),
            );
        }
    }
    for id in ids {
        if !group.member_ids.iter().any(|m| m == id) {
            group.member_ids.push(id.to_owned());
        }
    }
    group.version += 1;
    org.dirty = true;
    exchange.json(StatusCode::OK, &json!({}))
}

/// `GET /api/v2/groups/{id}/members`: the group's members as users, paged.
pub(crate) fn members(shared: &Shared, exchange: &Exchange, call: &Call, group_id: &str) -> Reply {
    let org = shared.org.lock().expect("org");
    let Some(index) = org.day_one.group_index(group_id) else {
        return exchange.not_found();
    };
    let entities = (org.day_one.groups[index].member_ids.iter())
        .filter_map(|id| org.live_user_index(id))
        .map(|i| org.user_json(&org.users[i]))
        .collect();
    let base = format!("/api/v2/groups/{group_id}/members");
    paged(exchange, call, &base, entities)
}
