//! External ids: a user's ids in other systems, given, listed, and used to find the user
//! (API-day1 §4).

use hyper::StatusCode;
use rollcall_core::genesys::ExternalId;
use serde_json::{json, Value};

use crate::http::{Exchange, Reply};
use crate::shared::Shared;

/// "Limit 100 per entity" (MyPureCloud/platform-client-sdk-python `build/docs/UsersApi.md`,
/// `post_user_externalid`).
const MAX_PER_USER: usize = 100;

fn ids_json(ids: &[ExternalId], user_id: &str) -> Vec<Value> {
    ids.iter()
        .map(|id| {
            json!({
                "authorityName": id.authority_name,
                "externalKey": id.external_key,
                "selfUri": format!(
                    "/api/v2/users/{user_id}/externalid/{}/{}",
                    id.authority_name, id.external_key
                ),
            })
        })
        .collect()
}

/// `POST /api/v2/users/{id}/externalid` (`{authorityName, externalKey}`, both required; case
/// counts). A mapping the user already has, or that another user has, is a 409
/// `general.conflict` (whether Genesys takes a repeat quietly is UNCONFIRMED). Answers the
/// user's ids as a list, or — with `Variants::external_id_answer_object` — the new one alone.
pub(crate) fn add_external_id(
    shared: &Shared,
    exchange: &Exchange,
    user_id: &str,
    body: &Value,
) -> Reply {
    let field = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let (Some(authority_name), Some(external_key)) = (field("authorityName"), field("externalKey"))
    else {
        return exchange.invalid_value(
            "authorityName",
            "authorityName and externalKey are required.",
        );
    };
    let wanted = ExternalId {
        authority_name,
        external_key,
    };
    let mut org = shared.org.lock().expect("org");
    let Some(index) = org.live_user_index(user_id) else {
        return exchange.not_found();
    };
    if org
        .users
        .iter()
        .any(|u| u.day_one.external_ids.contains(&wanted))
    {
        return exchange.error(
            StatusCode::CONFLICT,
            "general.conflict",
            &format!(
                "The external id {}:{} is already in use.",
                wanted.authority_name, wanted.external_key
            ),
        );
    }
    let held = &mut org.users[index].day_one.external_ids;
    if held.len() >= MAX_PER_USER {
        return exchange.bad_request("A user can have at most 100 external ids.");
    }
    held.push(wanted.clone());
    org.stats.external_ids_set += 1;
    org.dirty = true;
    let answer = if shared.config.variants.external_id_answer_object {
        ids_json(std::slice::from_ref(&wanted), user_id).remove(0)
    } else {
        json!(ids_json(&org.users[index].day_one.external_ids, user_id))
    };
    exchange.json(StatusCode::OK, &answer)
}

/// `GET /api/v2/users/{id}/externalid`: the user's ids, a list.
pub(crate) fn user_external_ids(shared: &Shared, exchange: &Exchange, user_id: &str) -> Reply {
    let org = shared.org.lock().expect("org");
    match org.live_user_index(user_id) {
        Some(index) => exchange.json(
            StatusCode::OK,
            &json!(ids_json(&org.users[index].day_one.external_ids, user_id)),
        ),
        None => exchange.not_found(),
    }
}

/// `GET /api/v2/users/externalid/{authorityName}/{externalKey}`: the user with that id. For an
/// id nobody has, what `Variants::external_id_miss_status` says: 404 (default), 200 `{}`, or
/// 204 with no body.
pub(crate) fn find_user(
    shared: &Shared,
    exchange: &Exchange,
    authority_name: &str,
    external_key: &str,
) -> Reply {
    let wanted = ExternalId {
        authority_name: authority_name.to_owned(),
        external_key: external_key.to_owned(),
    };
    let org = shared.org.lock().expect("org");
    let found = (org.users.iter())
        .filter(|u| u.state != rollcall_core::genesys::UserState::Deleted)
        .find(|u| u.day_one.external_ids.contains(&wanted));
    match (found, shared.config.variants.external_id_miss_status) {
        (Some(user), _) => exchange.json(StatusCode::OK, &org.user_json(user)),
        (None, 200) => exchange.json(StatusCode::OK, &json!({})),
        (None, 204) => exchange.empty(StatusCode::NO_CONTENT),
        (None, _) => exchange.not_found(),
    }
}
