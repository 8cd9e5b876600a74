//! Users: create, read, list, search, invite, set a password, and move to a division.

use std::collections::BTreeMap;

use hyper::StatusCode;
use rollcall_core::genesys::UserState;
use serde_json::Value;

use crate::http::{listing, page_params, search_page, string_field, Call, Exchange, Reply};
use crate::org::SandboxUser;
use crate::patch::parse_addresses;
use crate::roster::user_json_expanded;
use crate::shared::Shared;

/// `POST /api/v2/users`: a new user, in the division named or Home, unless the e-mail is
/// taken: 409 (or the chosen variant) for a live user, 400 for a deleted one, whom a client
/// must restore instead.
pub(crate) fn create_user(shared: &Shared, exchange: &Exchange, body: &Value) -> Reply {
    let body = body.as_object().expect("object");
    let name = match string_field(body, "name") {
        Ok(Some(name)) if !name.trim().is_empty() => name.trim().to_owned(),
        Ok(_) => return exchange.invalid_value("name", "The user's name is required."),
        Err(reply) => return reply(exchange),
    };
    let email = match string_field(body, "email") {
        Ok(Some(email)) if !email.trim().is_empty() => email.trim().to_owned(),
        Ok(_) => return exchange.invalid_value("email", "The user's email is required."),
        Err(reply) => return reply(exchange),
    };
    if !plausible_email(&email) {
        return exchange
            .invalid_value("email", &format!("'{email}' is not a valid email address."));
    }
    let state = match body.get("state") {
        None | Some(Value::Null) => UserState::Inactive,
        Some(Value::String(s)) if s == "active" => UserState::Active,
        Some(Value::String(s)) if s == "inactive" => UserState::Inactive,
        Some(other) => {
            return exchange.invalid_value(
                "state",
                &format!("State {other} is not valid for a new user; use active or inactive."),
            )
        }
    };
    let mut optional = BTreeMap::new();
    for field in ["title", "department", "divisionId", "password"] {
        match string_field(body, field) {
            Ok(value) => {
                if let Some(value) = value {
                    if value.chars().count() > 255 && field != "password" {
                        return exchange.invalid_value(field, &format!("The {field} is too long."));
                    }
                    optional.insert(field, value.to_owned());
                }
            }
            Err(reply) => return reply(exchange),
        }
    }
    let addresses = match parse_addresses(body.get("addresses")) {
        Ok(addresses) => addresses,
        Err(message) => return exchange.invalid_value("addresses", &message),
    };

    let mut org = shared.org.lock().expect("org");
    let division_id = match optional.get("divisionId") {
        Some(id) => match org.division(id) {
            Some(division) => division.id.clone(),
            None => {
                return exchange.error_with(
                    StatusCode::BAD_REQUEST,
                    "invalid.value",
                    &format!("The division {id} does not exist."),
                    None,
                    &["divisionId"],
                )
            }
        },
        None => org.home().id.clone(),
    };
    if let Some(existing) = org.user_by_email(&email) {
        let (status, message) = if existing.state == UserState::Deleted {
            (
                StatusCode::BAD_REQUEST,
                format!(
                    "The email address {email} belongs to a deleted user. Restore that user \
                     instead of creating a new one."
                ),
            )
        } else {
            (
                StatusCode::from_u16(shared.config.variants.duplicate_email_status)
                    .unwrap_or(StatusCode::CONFLICT),
                format!("A user with the email address {email} already exists."),
            )
        };
        return exchange.error_with(status, "general.conflict", &message, None, &["email"]);
    }
    let lag = shared.config.variants.search_lag;
    let user = SandboxUser {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        email,
        state,
        division_id,
        title: optional.remove("title"),
        department: optional.remove("department"),
        addresses,
        manager_id: None,
        grants: vec![],
        skills: vec![],
        location_ids: vec![],
        version: 1,
        invitations: 0,
        password_set: false,
        day_one: Default::default(),
        searchable_at: (!lag.is_zero()).then(|| org.now() + lag),
    };
    let index = org.insert(user);
    org.stats.users_created += 1;
    let json = org.user_json(&org.users[index]);
    exchange.json(StatusCode::OK, &json)
}

/// The sandbox's e-mail rule: one `@`, a non-empty local part without spaces, and a dotted
/// domain of letters, digits and hyphens.
fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && email.len() <= 254
        && !local.contains(char::is_whitespace)
        && !local.contains('@')
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// The most users a listing reaches: `GET /api/v2/users` answers 400 once `pageNumber ×
/// pageSize` passes it (API.md, correction 6; Genesys's Terraform provider stops paging there,
/// "inactive GetUsers requests return 400 beyond 10,000 users", `genesyscloud_user_proxy.go`).
/// The sandbox applies it to every state.
const MAX_LISTED_USERS: u64 = 10_000;

/// `GET /api/v2/users`: by state (`active` by default) and `id`s, paged, with `expand` (see
/// [`user_json_expanded`]).
pub(crate) fn list_users(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let (size, number) = match page_params(exchange, call, 25, 500) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    if u64::from(size) * u64::from(number) > MAX_LISTED_USERS {
        return exchange.error_with(
            StatusCode::BAD_REQUEST,
            "bad.request",
            &format!(
                "pageNumber {number} with pageSize {size} reaches past the first \
                 {MAX_LISTED_USERS} users, the most a listing returns."
            ),
            None,
            &["pageNumber"],
        );
    }
    let states: &[UserState] = match call.query_one("state").unwrap_or("active") {
        "active" => &[UserState::Active],
        "inactive" => &[UserState::Inactive],
        "deleted" => &[UserState::Deleted],
        "any" => &[UserState::Active, UserState::Inactive, UserState::Deleted],
        other => {
            return exchange.invalid_value(
                "state",
                &format!("state {other} is not one of active, inactive, deleted, any"),
            )
        }
    };
    let ids = call.query_all("id");
    let expand = call.query_all("expand");
    let org = shared.org.lock().expect("org");
    let wanted = |u: &&SandboxUser| states.contains(&u.state);
    // By id, the index answers; otherwise one pass counts the matches and keeps only the page.
    let matching: Vec<&SandboxUser> = if ids.is_empty() {
        org.users.iter().filter(wanted).collect()
    } else {
        let mut indexes: Vec<usize> = ids
            .iter()
            .filter_map(|id| org.by_id.get(id))
            .copied()
            .collect();
        indexes.sort_unstable();
        indexes.dedup();
        indexes
            .into_iter()
            .map(|i| &org.users[i])
            .filter(wanted)
            .collect()
    };
    let entities = matching
        .iter()
        .skip(((number - 1) * size) as usize)
        .take(size as usize)
        .map(|u| user_json_expanded(&org, u, &expand))
        .collect();
    exchange.json(
        StatusCode::OK,
        &listing(entities, matching.len(), size, number, "/api/v2/users"),
    )
}

/// `GET /api/v2/users/{id}`: `state` is `active` (the default: any user not deleted) or
/// `deleted` (only a deleted user), as the SDK's `get_user` documents it ("Values: active,
/// deleted", default 'active'). Whether Genesys also answers a live user to `state=deleted` is
/// not documented; the sandbox does not, the stricter choice.
pub(crate) fn get_user(shared: &Shared, exchange: &Exchange, call: &Call, id: &str) -> Reply {
    let deleted = match call.query_one("state") {
        None | Some("active") => false,
        Some("deleted") => true,
        Some(other) => {
            return exchange.invalid_value(
                "state",
                &format!("state {other} is not one of active, deleted"),
            )
        }
    };
    let mut expand = call.query_all("expand");
    if shared.config.variants.employer_info_without_expand {
        expand.push("employerInfo".to_owned());
    }
    let org = shared.org.lock().expect("org");
    match org.by_id.get(id).map(|&i| &org.users[i]) {
        Some(user) if (user.state == UserState::Deleted) == deleted => {
            exchange.json(StatusCode::OK, &user_json_expanded(&org, user, &expand))
        }
        _ => exchange.not_found(),
    }
}

/// The largest `pageSize` of a user search. The SDK's `UserSearchRequest` documents no maximum;
/// 100 is the sandbox's, and a client that pages by it works with any larger real one.
const MAX_SEARCH_PAGE_SIZE: u64 = 100;

/// `POST /api/v2/users/search`: `EXACT`, `CONTAINS` and `STARTS_WITH` criteria on `email`,
/// `name` or `id`, each with a `value` or several `values` (any of them matches), and a `state`
/// criterion; the results paged.
pub(crate) fn search_users(shared: &Shared, exchange: &Exchange, body: &Value) -> Reply {
    let Some(criteria) = body
        .get("query")
        .and_then(Value::as_array)
        .filter(|q| !q.is_empty())
    else {
        return exchange.bad_request("A search needs at least one query criterion.");
    };
    let page_size = body.get("pageSize").and_then(Value::as_u64).unwrap_or(25);
    let page_number = body.get("pageNumber").and_then(Value::as_u64).unwrap_or(1);
    if !(1..=MAX_SEARCH_PAGE_SIZE).contains(&page_size) {
        return exchange.invalid_value(
            "pageSize",
            &format!("pageSize must be from 1 to {MAX_SEARCH_PAGE_SIZE}."),
        );
    }
    if page_number < 1 {
        return exchange.invalid_value("pageNumber", "pageNumber must be at least 1.");
    }
    let mut states = vec![UserState::Active, UserState::Inactive];
    let mut filters: Vec<(String, String, Vec<String>)> = Vec::new();
    for criterion in criteria {
        let kind = criterion.get("type").and_then(Value::as_str).unwrap_or("");
        if !matches!(kind, "EXACT" | "CONTAINS" | "STARTS_WITH") {
            return exchange.bad_request(&format!("Search type '{kind}' is not supported."));
        }
        let fields: Vec<String> = criterion
            .get("fields")
            .and_then(Value::as_array)
            .map(|f| {
                f.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let mut values: Vec<String> = criterion
            .get("values")
            .and_then(Value::as_array)
            .map(|v| {
                v.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_lowercase)
                    .collect()
            })
            .unwrap_or_default();
        if let Some(value) = criterion.get("value").and_then(Value::as_str) {
            values.push(value.to_lowercase());
        }
        if fields.is_empty() || values.is_empty() {
            return exchange.bad_request("Each criterion needs fields and a value.");
        }
        if fields == ["state"] {
            let mut chosen = Vec::new();
            for value in &values {
                match value.as_str() {
                    "active" => chosen.push(UserState::Active),
                    "inactive" => chosen.push(UserState::Inactive),
                    "deleted" => chosen.push(UserState::Deleted),
                    other => return exchange.bad_request(&format!("Unknown state '{other}'.")),
                }
            }
            states = chosen;
            continue;
        }
        for field in &fields {
            if !matches!(field.as_str(), "email" | "name" | "id") {
                return exchange.bad_request(&format!("Field '{field}' is not searchable."));
            }
        }
        filters.push((kind.to_owned(), fields.join(","), values));
    }
    let org = shared.org.lock().expect("org");
    let now = org.now();
    // An exact e-mail criterion is answered from the org's e-mail index, so a search of a few
    // e-mails stays cheap in an org of tens of thousands; results keep creation order.
    let candidates: Vec<&SandboxUser> = match filters
        .iter()
        .find(|(kind, fields, _)| kind == "EXACT" && fields == "email")
    {
        Some((_, _, emails)) => {
            let mut indexes: Vec<usize> = emails
                .iter()
                .filter_map(|email| org.by_email.get(email.as_str()))
                .copied()
                .collect();
            indexes.sort_unstable();
            indexes.dedup();
            indexes.into_iter().map(|i| &org.users[i]).collect()
        }
        None => org.users.iter().collect(),
    };
    let matches: Vec<&SandboxUser> = candidates
        .into_iter()
        .filter(|u| states.contains(&u.state))
        .filter(|u| u.searchable_at.is_none_or(|at| at <= now))
        .filter(|u| {
            filters.iter().all(|(kind, fields, values)| {
                fields.split(',').any(|field| {
                    let actual = match field {
                        "email" => u.email.to_lowercase(),
                        "name" => u.name.to_lowercase(),
                        _ => u.id.to_lowercase(),
                    };
                    values.iter().any(|v| match kind.as_str() {
                        "EXACT" => &actual == v,
                        "CONTAINS" => actual.contains(v.as_str()),
                        _ => actual.starts_with(v.as_str()),
                    })
                })
            })
        })
        .collect();
    let matches = matches.iter().map(|u| org.user_json(u)).collect();
    search_page(exchange, "users", matches, page_size, page_number)
}

/// `POST /api/v2/users/{id}/invite`: counted on the user; no mail leaves the sandbox.
pub(crate) fn invite_user(shared: &Shared, exchange: &Exchange, id: &str) -> Reply {
    let mut org = shared.org.lock().expect("org");
    match org.by_id.get(id).copied() {
        Some(index) if org.users[index].state != UserState::Deleted => {
            org.users[index].invitations += 1;
            org.dirty = true;
            exchange.empty(StatusCode::NO_CONTENT)
        }
        _ => exchange.not_found(),
    }
}

/// `POST /api/v2/authorization/divisions/{divisionId}/objects/USER`, body a list of user ids
/// (`post_authorization_division_object`: "The body of the request is a list of object IDs").
/// All the users move or none does. The move bumps each user's version: whether Genesys does is
/// not documented, and a client that PATCHes with a version read before the move must then
/// re-read, the stricter case.
pub(crate) fn move_users_to_division(
    shared: &Shared,
    exchange: &Exchange,
    division_id: &str,
    body: &Value,
) -> Reply {
    let Some(items) = body.as_array().filter(|items| !items.is_empty()) else {
        return exchange.bad_request("The body must be a non-empty list of user ids.");
    };
    let mut user_ids: Vec<&str> = Vec::with_capacity(items.len());
    for item in items {
        match item.as_str().filter(|id| !id.is_empty()) {
            Some(id) => user_ids.push(id),
            None => return exchange.bad_request("Each object id must be a string."),
        }
    }
    let mut org = shared.org.lock().expect("org");
    let Some(division_id) = org.division(division_id).map(|d| d.id.clone()) else {
        return exchange.not_found();
    };
    let mut indexes = Vec::with_capacity(user_ids.len());
    for user_id in user_ids {
        match org.live_user_index(user_id) {
            Some(index) => indexes.push(index),
            None => {
                return exchange
                    .invalid_value("objectIds", &format!("The user {user_id} does not exist."))
            }
        }
    }
    indexes.sort_unstable();
    indexes.dedup();
    for &index in &indexes {
        let user = &mut org.users[index];
        user.division_id = division_id.clone();
        user.version += 1;
    }
    org.stats.division_moves += indexes.len() as u64;
    org.dirty = true;
    exchange.empty(StatusCode::NO_CONTENT)
}

/// The sandbox's password policy: Genesys's default ("Set Genesys Cloud password requirements"
/// in the Resource Center: at least 8 characters with a lowercase and an uppercase letter, a
/// number and a special character; at most 400 characters).
fn password_problem(password: &str) -> Option<&'static str> {
    let length = password.chars().count();
    if length < 8 {
        Some("it is shorter than 8 characters")
    } else if length > 400 {
        Some("it is longer than 400 characters")
    } else if !password.chars().any(char::is_lowercase) {
        Some("it has no lowercase letter")
    } else if !password.chars().any(char::is_uppercase) {
        Some("it has no uppercase letter")
    } else if !password.chars().any(|c| c.is_ascii_digit()) {
        Some("it has no number")
    } else if password.chars().all(char::is_alphanumeric) {
        Some("it has no special character")
    } else {
        None
    }
}

/// `POST /api/v2/users/{id}/password` (`ChangePasswordRequest {newPassword}`): 204, or 400
/// when the password breaks the org's policy (every password, with the `refuse_passwords`
/// fault). The password itself is never kept.
pub(crate) fn set_password(shared: &Shared, exchange: &Exchange, id: &str, body: &Value) -> Reply {
    let password = match string_field(body.as_object().expect("object"), "newPassword") {
        Ok(Some(password)) if !password.is_empty() => password,
        Ok(_) => return exchange.invalid_value("newPassword", "newPassword is required."),
        Err(reply) => return reply(exchange),
    };
    let refuse_all = shared.knobs.lock().expect("knobs").faults.refuse_passwords;
    let mut org = shared.org.lock().expect("org");
    let Some(index) = org.live_user_index(id) else {
        return exchange.not_found();
    };
    let problem = if refuse_all {
        Some("the organization refuses it")
    } else {
        password_problem(password)
    };
    if let Some(problem) = problem {
        return exchange.error_with(
            StatusCode::BAD_REQUEST,
            "bad.request",
            &format!(
                "The new password does not meet the organization's password requirements: \
                 {problem}."
            ),
            None,
            &["newPassword"],
        );
    }
    org.users[index].password_set = true;
    org.stats.password_sets += 1;
    org.dirty = true;
    exchange.empty(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_rules() {
        assert!(plausible_email("a.b@example.co.uk"));
        assert!(!plausible_email("a..b@example.com"));
        assert!(!plausible_email("ab@localhost"));
        assert!(!plausible_email("a b@example.com"));
    }
}
