//! Telephony for a new agent: sites, phone base settings, WebRTC phones, the stations Genesys
//! makes for them a little later, and a user's default station (API-day1 §6).

use hyper::StatusCode;
use rollcall_core::genesys::{CALL_ADD_PERMISSION, WEBRTC_META_BASE};
use serde_json::{json, Value};

use crate::day_one::{OrgDayOne, SandboxPhone};
use crate::http::{paged, Call, Exchange, Reply};
use crate::org::{Org, UserCall};
use crate::shared::Shared;

const PHONES: &str = "/api/v2/telephony/providers/edges/phones";

/// `GET /api/v2/telephony/providers/edges/sites`, sorted by name, with the `managed` and
/// (exact) `name` filters.
pub(crate) fn list_sites(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let managed = match call.query_one("managed") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return exchange.invalid_value("managed", &format!("managed {other} is not a boolean"))
        }
    };
    let name = call.query_one("name");
    let org = shared.org.lock().expect("org");
    let mut sites: Vec<_> = (org.day_one.sites.iter())
        .filter(|s| managed.is_none_or(|m| s.managed == m))
        .filter(|s| name.is_none_or(|n| s.name == n))
        .collect();
    sites.sort_by_key(|s| s.name.to_lowercase());
    let entities = sites.into_iter().map(OrgDayOne::site_json).collect();
    paged(
        exchange,
        call,
        "/api/v2/telephony/providers/edges/sites",
        entities,
    )
}

/// `GET /api/v2/telephony/providers/edges/phonebasesettings`, sorted by name, with the (exact)
/// `name` filter.
pub(crate) fn list_phone_base_settings(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let name = call.query_one("name");
    let org = shared.org.lock().expect("org");
    let mut settings: Vec<_> = (org.day_one.phone_base_settings.iter())
        .filter(|p| name.is_none_or(|n| p.name == n))
        .collect();
    settings.sort_by_key(|p| p.name.to_lowercase());
    let entities = settings
        .into_iter()
        .map(OrgDayOne::phone_base_json)
        .collect();
    paged(
        exchange,
        call,
        "/api/v2/telephony/providers/edges/phonebasesettings",
        entities,
    )
}

/// `GET /api/v2/telephony/providers/edges/phonebasesettings/{id}`.
pub(crate) fn get_phone_base_settings(shared: &Shared, exchange: &Exchange, id: &str) -> Reply {
    let org = shared.org.lock().expect("org");
    match org.day_one.phone_base(id) {
        Some(settings) => exchange.json(StatusCode::OK, &OrgDayOne::phone_base_json(settings)),
        None => exchange.not_found(),
    }
}

/// `POST /api/v2/telephony/providers/edges/phones`: `name`, `site`, `phoneBaseSettings` and
/// `lines` (each with a `name`) are required, as the SDK's `Phone` marks them, and
/// `webRtcUser` for phones of WebRTC base settings ("required for all WebRTC phones"). The
/// sandbox makes only WebRTC phones, each with its station. A user may get a second phone:
/// only a client that looks first avoids it.
pub(crate) fn create_phone(shared: &Shared, exchange: &Exchange, body: &Value) -> Reply {
    let id_of = |field: &str| {
        body.get(field)
            .and_then(|v| v.get("id"))
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
    };
    let Some(name) = body
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
    else {
        return exchange.invalid_value("name", "The phone needs a name.");
    };
    let lines_named = (body.get("lines").and_then(Value::as_array)).is_some_and(|lines| {
        !lines.is_empty()
            && lines.iter().all(|line| {
                (line.get("name").and_then(Value::as_str)).is_some_and(|n| !n.is_empty())
            })
    });
    if !lines_named {
        return exchange.invalid_value("lines", "The phone needs lines, each with a name.");
    }
    let (Some(site_id), Some(base_id)) = (id_of("site"), id_of("phoneBaseSettings")) else {
        return exchange.invalid_value(
            "site",
            "The phone needs a site and phone base settings, each with an id.",
        );
    };
    let mut org = shared.org.lock().expect("org");
    if org.day_one.site(site_id).is_none() {
        return exchange.invalid_value("site", &format!("The site {site_id} does not exist."));
    }
    let Some(base) = org.day_one.phone_base(base_id) else {
        return exchange.invalid_value(
            "phoneBaseSettings",
            &format!("The phone base settings {base_id} do not exist."),
        );
    };
    if base.meta_base != WEBRTC_META_BASE {
        return exchange.invalid_value(
            "phoneBaseSettings",
            "The sandbox makes only WebRTC phones (phone meta base inin_webrtc_softphone.json).",
        );
    }
    let Some(user_id) = id_of("webRtcUser") else {
        return exchange.invalid_value("webRtcUser", "A WebRTC phone needs its webRtcUser.");
    };
    if org.live_user_index(user_id).is_none() {
        return exchange
            .invalid_value("webRtcUser", &format!("The user {user_id} does not exist."));
    }
    let phone = SandboxPhone {
        id: uuid::Uuid::new_v4().to_string(),
        name: name.to_owned(),
        site_id: site_id.to_owned(),
        phone_base_id: base_id.to_owned(),
        web_rtc_user_id: user_id.to_owned(),
        station_id: uuid::Uuid::new_v4().to_string(),
        station_reads: 0,
    };
    let json = org.day_one.phone_json(&phone, true);
    org.day_one.phones.push(phone);
    org.stats.phones_created += 1;
    org.dirty = true;
    exchange.json(StatusCode::OK, &json)
}

/// `GET /api/v2/telephony/providers/edges/phones`, with the `webRtcUser.id`, `site.id`,
/// `phoneBaseSettings.id` and (exact) `name` filters; `webRtcUser` is in the entities only
/// when `fields` names it.
pub(crate) fn list_phones(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let filter = |name: &str| call.query_one(name).filter(|v| !v.is_empty());
    let (user, site, base, name) = (
        filter("webRtcUser.id"),
        filter("site.id"),
        filter("phoneBaseSettings.id"),
        filter("name"),
    );
    let with_user = call.query_all("fields").iter().any(|f| f == "webRtcUser");
    let org = shared.org.lock().expect("org");
    let entities = (org.day_one.phones.iter())
        .filter(|p| user.is_none_or(|u| p.web_rtc_user_id == u))
        .filter(|p| site.is_none_or(|s| p.site_id == s))
        .filter(|p| base.is_none_or(|b| p.phone_base_id == b))
        .filter(|p| name.is_none_or(|n| p.name == n))
        .map(|p| org.day_one.phone_json(p, with_user))
        .collect();
    paged(exchange, call, PHONES, entities)
}

/// `GET /api/v2/telephony/providers/edges/phones/{id}`.
pub(crate) fn get_phone(shared: &Shared, exchange: &Exchange, id: &str) -> Reply {
    let org = shared.org.lock().expect("org");
    match org.day_one.phones.iter().find(|p| p.id == id) {
        Some(phone) => exchange.json(StatusCode::OK, &org.day_one.phone_json(phone, true)),
        None => exchange.not_found(),
    }
}

/// `GET /api/v2/stations`, with the `webRtcUserId` and `id` filters. Each read that a new
/// phone's station would match counts, and the station shows from the
/// `Variants::station_visible_on_read`-th such read on: Genesys makes it a little after the
/// phone.
pub(crate) fn list_stations(shared: &Shared, exchange: &Exchange, call: &Call) -> Reply {
    let user = call.query_one("webRtcUserId").filter(|v| !v.is_empty());
    let ids = call.query_all("id");
    let visible_on = shared.config.variants.station_visible_on_read;
    let mut org = shared.org.lock().expect("org");
    org.stats.station_reads += 1;
    let mut entities = Vec::new();
    for phone in org.day_one.phones.iter_mut() {
        if user.is_some_and(|u| phone.web_rtc_user_id != u)
            || !ids.is_empty() && !ids.contains(&phone.station_id)
        {
            continue;
        }
        phone.station_reads += 1;
        if phone.station_reads >= visible_on {
            entities.push(OrgDayOne::station_json(phone));
        }
    }
    paged(exchange, call, "/api/v2/stations", entities)
}

/// `PUT /api/v2/users/{id}/station/defaultstation/{stationId}`: the station must exist and
/// the user must hold Conversation > Call > Add through a role ("Users must have the
/// Conversation > Call > Add permission before administrators can assign a default phone",
/// Resource Center, "Assign a default phone"); otherwise 400, as are the first
/// `Faults::default_station_refused_first` of each user.
pub(crate) fn set_default_station(
    shared: &Shared,
    exchange: &Exchange,
    user_id: &str,
    station_id: &str,
) -> Reply {
    let refused_first = (shared.knobs.lock().expect("knobs").faults).default_station_refused_first;
    let mut org = shared.org.lock().expect("org");
    let Some(index) = org.live_user_index(user_id) else {
        return exchange.not_found();
    };
    if !org
        .day_one
        .phones
        .iter()
        .any(|p| p.station_id == station_id)
    {
        return exchange.not_found();
    }
    if !holds(&org, index, CALL_ADD_PERMISSION)
        || org.early_call(user_id, UserCall::DefaultStation, refused_first)
    {
        return exchange.bad_request(
            "The user does not have the Conversation > Call > Add permission required to be \
             assigned a default station.",
        );
    }
    org.users[index].day_one.default_station_id = Some(station_id.to_owned());
    org.stats.default_stations_set += 1;
    org.dirty = true;
    exchange.empty(StatusCode::ACCEPTED)
}

/// Whether one of the user's roles grants `permission`.
fn holds(org: &Org, index: usize, permission: &str) -> bool {
    org.users[index].grants.iter().any(|grant| {
        (org.roles.iter())
            .find(|r| r.id == grant.role_id)
            .is_some_and(|role| role.permissions.iter().any(|p| grants(p, permission)))
    })
}

/// Whether a role's permission covers `wanted`: equal, or with `*` for the entity or action
/// (`conversation:call:*`, `conversation:*:*`).
pub(crate) fn grants(held: &str, wanted: &str) -> bool {
    let held: Vec<&str> = held.split(':').collect();
    let wanted: Vec<&str> = wanted.split(':').collect();
    held.len() == wanted.len() && held.iter().zip(&wanted).all(|(h, w)| *h == "*" || h == w)
}

/// `GET /api/v2/users/{id}/station`: the default station (and, the sandbox having no one
/// signed in, no associated one; the effective station is the default).
pub(crate) fn user_stations(shared: &Shared, exchange: &Exchange, user_id: &str) -> Reply {
    let org = shared.org.lock().expect("org");
    let Some(index) = org.live_user_index(user_id) else {
        return exchange.not_found();
    };
    let user = &org.users[index];
    let station = (user.day_one.default_station_id.as_ref()).and_then(|id| {
        (org.day_one.phones.iter())
            .find(|p| &p.station_id == id)
            .map(|p| json!({ "id": p.station_id, "name": p.name, "type": "inin_webrtc_softphone" }))
    });
    let mut answer = json!({});
    if let Some(station) = station {
        answer["defaultStation"] = station.clone();
        answer["effectiveStation"] = station;
    }
    exchange.json(StatusCode::OK, &answer)
}

#[cfg(test)]
mod tests {
    use super::grants;

    #[test]
    fn a_role_permission_covers_the_same_one_or_a_wildcard_of_it() {
        assert!(grants("conversation:call:add", "conversation:call:add"));
        assert!(grants("conversation:call:*", "conversation:call:add"));
        assert!(grants("conversation:*:*", "conversation:call:add"));
        assert!(!grants("conversation:call:view", "conversation:call:add"));
        assert!(!grants("conversation:call", "conversation:call:add"));
    }
}
