//! Routing languages: the org's list, a user's languages given in bulk, and read back
//! (API-day1 §1).

use hyper::StatusCode;
use serde_json::{json, Value};

use crate::day_one::{OrgDayOne, SandboxUserLanguage};
use crate::http::{paged, Call, Exchange, Reply};
use crate::shared::Shared;

/// "Max 50 routing languages in request body" (MyPureCloud/platform-client-sdk-python
/// `build/docs/RoutingApi.md`, `patch_user_routinglanguages_bulk`).
const MAX_LANGUAGES_PER_CALL: usize = 50;

/// `GET /api/v2/routing/languages`, sorted by name, with the `name` and `id` filters. Whether
/// `name` matches a whole name or a part is UNCONFIRMED: the sandbox matches any part, in any
/// case, so a client has to pick the exact name itself, as Genesys's Terraform provider does.
pub(crate) fn list_languages(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let name = call.query_one("name").map(str::to_lowercase);
    let ids = call.query_all("id");
    let org = shared.org.lock().expect("org");
    let mut languages: Vec<_> = (org.day_one.languages.iter())
        .filter(|l| (name.as_ref()).is_none_or(|n| l.name.to_lowercase().contains(n)))
        .filter(|l| ids.is_empty() || ids.contains(&l.id))
        .collect();
    languages.sort_by_key(|l| l.name.to_lowercase());
    let entities = languages
        .into_iter()
        .map(OrgDayOne::language_json)
        .collect();
    paged(exchange, call, "/api/v2/routing/languages", entities)
}

/// `PATCH /api/v2/users/{id}/routinglanguages/bulk`: a list of `{id, proficiency}` (both
/// required, proficiency from 0 to 5, at most 50). Languages the user has get the new
/// proficiency; the others are kept. Answers the user's languages.
pub(crate) fn add_user_languages(
    shared: &Shared,
    exchange: &Exchange,
    user_id: &str,
    body: &Value,
) -> Reply {
    let Some(items) = body.as_array() else {
        return exchange.bad_request("The body must be a list of languages, each with an id.");
    };
    if items.is_empty() || items.len() > MAX_LANGUAGES_PER_CALL {
        return exchange.bad_request(&format!(
            "Between 1 and {MAX_LANGUAGES_PER_CALL} routing languages may be sent at once; {} \
             were sent.",
            items.len()
        ));
    }
    let mut wanted = Vec::with_capacity(items.len());
    for item in items {
        let Some(id) = item
            .get("id")
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
        else {
            return exchange.invalid_value("id", "Each routing language needs an id.");
        };
        let Some(proficiency) = item
            .get("proficiency")
            .and_then(Value::as_f64)
            .filter(|p| (0.0..=5.0).contains(p))
        else {
            return exchange.invalid_value(
                "proficiency",
                "Each routing language needs a proficiency from 0.0 to 5.0.",
            );
        };
        wanted.push(SandboxUserLanguage {
            language_id: id.to_owned(),
            proficiency,
        });
    }
    let mut org = shared.org.lock().expect("org");
    let Some(index) = org.live_user_index(user_id) else {
        return exchange.not_found();
    };
    if let Some(unknown) = (wanted.iter()).find(|w| org.day_one.language(&w.language_id).is_none())
    {
        return exchange.invalid_value(
            "id",
            &format!(
                "The routing language {} does not exist.",
                unknown.language_id
            ),
        );
    }
    let held = &mut org.users[index].day_one.languages;
    for language in wanted {
        match held
            .iter_mut()
            .find(|h| h.language_id == language.language_id)
        {
            Some(existing) => existing.proficiency = language.proficiency,
            None => held.push(language),
        }
    }
    org.dirty = true;
    let entities: Vec<Value> = (org.users[index].day_one.languages.iter())
        .map(|h| org.day_one.user_language_json(h))
        .collect();
    let total = entities.len();
    exchange.json(
        StatusCode::OK,
        &json!({ "entities": entities, "pageSize": total, "pageNumber": 1, "total": total, "pageCount": 1 }),
    )
}

/// `GET /api/v2/users/{id}/routinglanguages`, paged.
pub(crate) fn user_languages(
    shared: &Shared,
    exchange: &Exchange,
    call: &Call,
    user_id: &str,
) -> Reply {
    let org = shared.org.lock().expect("org");
    let Some(index) = org.live_user_index(user_id) else {
        return exchange.not_found();
    };
    let entities = (org.users[index].day_one.languages.iter())
        .map(|h| org.day_one.user_language_json(h))
        .collect();
    let base = format!("/api/v2/users/{user_id}/routinglanguages");
    paged(exchange, call, &base, entities)
}
