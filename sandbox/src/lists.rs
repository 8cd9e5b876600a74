//! The org's directory listings: divisions (and the home division), roles, queues, routing
//! skills and locations, paged and filtered as Genesys pages and filters them.

use hyper::StatusCode;
use serde_json::{json, Value};

use crate::http::{listing, page_params, Call, Exchange, Reply};
use crate::org::{SandboxDivision, SandboxLocation, SandboxRole, SandboxSkill};
use crate::phones::grants;
use crate::shared::Shared;

/// `GET /api/v2/authorization/divisions/home`.
pub(crate) fn home_division(shared: &Shared, exchange: &Exchange) -> Reply {
    let org = shared.org.lock().expect("org");
    exchange.json(StatusCode::OK, &division_json(org.home()))
}

pub(crate) fn list_divisions(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let (size, number) = match page_params(exchange, call, 25, 100) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let name = call.query_one("name").map(str::to_lowercase);
    let ids = call.query_all("id");
    let org = shared.org.lock().expect("org");
    let matching: Vec<_> = org
        .divisions
        .iter()
        .filter(|d| name.as_ref().is_none_or(|n| &d.name.to_lowercase() == n))
        .filter(|d| ids.is_empty() || ids.contains(&d.id))
        .collect();
    let entities = matching
        .iter()
        .skip(((number - 1) * size) as usize)
        .take(size as usize)
        .map(|d| division_json(d))
        .collect();
    exchange.json(
        StatusCode::OK,
        &listing(
            entities,
            matching.len(),
            size,
            number,
            "/api/v2/authorization/divisions",
        ),
    )
}

/// How a listing's `name` parameter matches.
#[derive(Clone, Copy)]
enum NameFilter {
    /// Roles: the whole name.
    Exact,
    /// Queues: the whole name, with a leading and/or trailing `*` standing for anything.
    Wildcards,
    /// Routing skills: names that start with the value.
    StartsWith,
}

impl NameFilter {
    /// Case counts: Genesys may ignore it, but a client that relies on that is caught here
    /// (stricter than the real service).
    fn matches(self, pattern: &str, name: &str) -> bool {
        match self {
            NameFilter::Exact => name == pattern,
            NameFilter::StartsWith => name.starts_with(pattern),
            NameFilter::Wildcards => {
                let leading = pattern.starts_with('*');
                let core = pattern.trim_start_matches('*');
                let trailing = core.ends_with('*');
                let core = core.trim_end_matches('*');
                match (leading, trailing) {
                    (true, true) => name.contains(core),
                    (true, false) => name.ends_with(core),
                    (false, true) => name.starts_with(core),
                    (false, false) => name == core,
                }
            }
        }
    }
}

/// One entry of a directory listing: what filters look at, and its JSON.
struct Entry<'a> {
    id: &'a str,
    name: &'a str,
    division_id: Option<&'a str>,
    json: Value,
}

/// A paged listing of roles, queues, skills or locations, sorted by name, with the `name`, `id`
/// and (for queues) `divisionId` filters.
fn directory_listing(
    exchange: &Exchange,
    call: &Call,
    base: &str,
    filter: Option<NameFilter>,
    mut entries: Vec<Entry>,
) -> Reply {
    let (size, number) = match page_params(exchange, call, 25, 100) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let name = call.query_one("name").filter(|n| !n.is_empty());
    let ids = call.query_all("id");
    let division_ids = call.query_all("divisionId");
    entries.sort_by(|a, b| (a.name.to_lowercase(), a.id).cmp(&(b.name.to_lowercase(), b.id)));
    let matching: Vec<Entry> = entries
        .into_iter()
        .filter(|e| match (filter, name) {
            (Some(filter), Some(name)) => filter.matches(name, e.name),
            _ => true,
        })
        .filter(|e| ids.is_empty() || ids.iter().any(|id| id == e.id))
        .filter(|e| {
            division_ids.is_empty()
                || e.division_id
                    .is_some_and(|d| division_ids.iter().any(|id| id == d))
        })
        .collect();
    let total = matching.len();
    let page = matching
        .into_iter()
        .skip(((number - 1) * size) as usize)
        .take(size as usize)
        .map(|e| e.json)
        .collect();
    exchange.json(StatusCode::OK, &listing(page, total, size, number, base))
}

/// `GET /api/v2/authorization/roles`; `permission` (a list) keeps the roles that grant one of
/// the permissions named, wildcards in the role's own permissions included.
pub(crate) fn list_roles(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let permissions = call.query_all("permission");
    let org = shared.org.lock().expect("org");
    let entries = org
        .roles
        .iter()
        .filter(|r| {
            permissions.is_empty()
                || (permissions.iter())
                    .any(|wanted| r.permissions.iter().any(|held| grants(held, wanted)))
        })
        .map(|r| Entry {
            id: &r.id,
            name: &r.name,
            division_id: None,
            json: role_json(r),
        })
        .collect();
    directory_listing(
        exchange,
        call,
        "/api/v2/authorization/roles",
        Some(NameFilter::Exact),
        entries,
    )
}

pub(crate) fn list_queues(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let org = shared.org.lock().expect("org");
    let entries = org
        .queues
        .iter()
        .map(|q| Entry {
            id: &q.id,
            name: &q.name,
            division_id: Some(&q.division_id),
            json: org.queue_json(q),
        })
        .collect();
    directory_listing(
        exchange,
        call,
        "/api/v2/routing/queues",
        Some(NameFilter::Wildcards),
        entries,
    )
}

pub(crate) fn list_skills(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let org = shared.org.lock().expect("org");
    let entries = org
        .skills
        .iter()
        .map(|s| Entry {
            id: &s.id,
            name: &s.name,
            division_id: None,
            json: skill_json(s),
        })
        .collect();
    directory_listing(
        exchange,
        call,
        "/api/v2/routing/skills",
        Some(NameFilter::StartsWith),
        entries,
    )
}

pub(crate) fn list_locations(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let org = shared.org.lock().expect("org");
    let entries = org
        .locations
        .iter()
        .map(|l| Entry {
            id: &l.id,
            name: &l.name,
            division_id: None,
            json: location_json(l),
        })
        .collect();
    // `GET /api/v2/locations` has no name filter: by name is `POST /api/v2/locations/search`.
    directory_listing(exchange, call, "/api/v2/locations", None, entries)
}

pub(crate) fn role_json(role: &SandboxRole) -> Value {
    json!({
        "id": role.id,
        "name": role.name,
        "description": role.description.clone().unwrap_or_default(),
        "permissions": role.permissions,
        "default": false,
        "base": false,
        "selfUri": format!("/api/v2/authorization/roles/{}", role.id),
    })
}

pub(crate) fn skill_json(skill: &SandboxSkill) -> Value {
    json!({
        "id": skill.id,
        "name": skill.name,
        "state": "active",
        "selfUri": format!("/api/v2/routing/skills/{}", skill.id),
    })
}

pub(crate) fn location_json(location: &SandboxLocation) -> Value {
    json!({
        "id": location.id,
        "name": location.name,
        "state": "active",
        "version": 1,
        "path": [],
        "selfUri": format!("/api/v2/locations/{}", location.id),
    })
}

pub(crate) fn division_json(division: &SandboxDivision) -> Value {
    json!({
        "id": division.id,
        "name": division.name,
        "description": if division.home { "The home division" } else { "" },
        "homeDivision": division.home,
        "selfUri": format!("/api/v2/authorization/divisions/{}", division.id),
    })
}
