//! `PATCH /api/v2/users/{id}`: a user's state, or what of their profile may change (name,
//! title, department, manager, addresses, locations, ACD auto-answer, employer info), the
//! addresses a create sends too, and `PATCH /api/v2/users/bulk` for auto-answer.

use std::collections::{BTreeMap, HashSet};

use hyper::StatusCode;
use rollcall_core::genesys::{Contact, EmployerInfo, UserState};
use serde_json::{Map, Value};

use crate::http::{string_field, ErrorReply, Exchange, Reply};
use crate::org::{Org, SandboxUser, UserCall};
use crate::shared::Shared;

const MEDIA_TYPES: &[&str] = &["PHONE", "EMAIL", "SMS"];
const CONTACT_TYPES: &[&str] = &[
    "PRIMARY", "WORK", "WORK2", "WORK3", "WORK4", "HOME", "MOBILE", "MAIN", "OTHER",
];

/// The `addresses` of a create or a PATCH: each of a known media type and contact type, one
/// per pair, phones in E.164 and extensions in digits.
pub(crate) fn parse_addresses(value: Option<&Value>) -> Result<Vec<Contact>, String> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(vec![]);
    };
    let mut contacts: Vec<Contact> = serde_json::from_value(value.clone())
        .map_err(|e| format!("addresses must be a list of contacts ({e})"))?;
    // Genesys computes `display`; one sent back from a read is not a number.
    for contact in &mut contacts {
        contact.display = None;
    }
    let mut seen = HashSet::new();
    for contact in &contacts {
        if !MEDIA_TYPES.contains(&contact.media_type.as_str()) {
            return Err(format!(
                "mediaType {} is not one of PHONE, EMAIL, SMS",
                contact.media_type
            ));
        }
        if !CONTACT_TYPES.contains(&contact.kind.as_str()) {
            return Err(format!("type {} is not a valid contact type", contact.kind));
        }
        if !seen.insert((contact.media_type.clone(), contact.kind.clone())) {
            return Err(format!(
                "only one {} {} address is allowed",
                contact.kind, contact.media_type
            ));
        }
        match (&contact.address, &contact.extension) {
            (None, None) => return Err("a contact needs an address or an extension".to_owned()),
            (Some(address), _) if contact.media_type != "EMAIL" && !is_e164(address) => {
                return Err(format!("{address} is not a phone number in E.164 format"))
            }
            (_, Some(extension))
                if extension.is_empty() || !extension.chars().all(|c| c.is_ascii_digit()) =>
            {
                return Err(format!("extension {extension} must be digits"))
            }
            _ => {}
        }
    }
    Ok(contacts)
}

fn is_e164(number: &str) -> bool {
    let Some(digits) = number.strip_prefix('+') else {
        return false;
    };
    (8..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
}

/// `PATCH /api/v2/users/{id}`. A body carrying `state` changes only the state, whatever else it
/// holds: the SDK's `UpdateUser` says of `state` "This property can be used to restore a deleted
/// user or transition between active and inactive. If specified, it is the only modifiable
/// field." A restored user stays in the Home division it was moved to when deleted.
pub(crate) fn patch_user(shared: &Shared, exchange: &Exchange, id: &str, body: &Value) -> Reply {
    let body = body.as_object().expect("object");
    let Some(version) = body.get("version").and_then(Value::as_i64) else {
        return exchange.invalid_value("version", "The version of the user is required.");
    };
    let new_state = match body.get("state") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "active" => Some(UserState::Active),
        Some(Value::String(s)) if s == "inactive" => Some(UserState::Inactive),
        Some(other) => {
            return exchange.invalid_value("state", &format!("State {other} is not valid."))
        }
    };
    let changes = match new_state {
        Some(_) => ProfileChanges::default(),
        None => match ProfileChanges::read(body, shared.config.variants.employer_info_merges) {
            Ok(changes) => changes,
            Err(reply) => return reply(exchange),
        },
    };
    let (stale_first, stale_status) = (
        shared
            .knobs
            .lock()
            .expect("knobs")
            .faults
            .stale_version_first,
        shared.config.variants.stale_version_status,
    );
    let mut org = shared.org.lock().expect("org");
    let Some(&index) = org.by_id.get(id) else {
        return exchange.not_found();
    };
    if org.users[index].state == UserState::Deleted && new_state.is_none() {
        return exchange.not_found();
    }
    if org.early_call(id, UserCall::PatchUser, stale_first) {
        // Another admin just edited the user.
        org.users[index].version += 1;
        org.dirty = true;
    }
    if org.users[index].version != version {
        return exchange.stale_version(stale_status);
    }
    if let Err(reply) = changes.check(&org, id) {
        return reply(exchange);
    }
    let user = &mut org.users[index];
    match new_state {
        Some(state) => user.state = state,
        None => changes.apply(user),
    }
    user.version += 1;
    org.dirty = true;
    let json = org.user_json(&org.users[index]);
    exchange.json(StatusCode::OK, &json)
}

/// What a PATCH without `state` may change, read and checked before anything is changed.
#[derive(Default)]
struct ProfileChanges {
    addresses: Option<Vec<Contact>>,
    locations: Option<Vec<String>>,
    texts: BTreeMap<&'static str, String>,
    acd_auto_answer: Option<bool>,
    employer_info: Option<EmployerInfo>,
    /// `Variants::employer_info_merges`.
    employer_info_merges: bool,
}

impl ProfileChanges {
    fn read(
        body: &Map<String, Value>,
        employer_info_merges: bool,
    ) -> Result<ProfileChanges, ErrorReply> {
        let addresses = match body.get("addresses") {
            None | Some(Value::Null) => None,
            some => match parse_addresses(some) {
                Ok(list) => Some(list),
                Err(message) => {
                    return Err(Box::new(move |e: &Exchange| {
                        e.invalid_value("addresses", &message)
                    }))
                }
            },
        };
        let locations = match body.get("locations") {
            None | Some(Value::Null) => None,
            Some(value) => match parse_locations(value) {
                Ok(ids) => Some(ids),
                Err(message) => {
                    return Err(Box::new(move |e: &Exchange| {
                        e.invalid_value("locations", &message)
                    }))
                }
            },
        };
        let mut texts = BTreeMap::new();
        for field in ["name", "title", "department", "manager"] {
            if let Some(value) = string_field(body, field)? {
                texts.insert(field, value.to_owned());
            }
        }
        let acd_auto_answer = match body.get("acdAutoAnswer") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(on)) => Some(*on),
            Some(_) => {
                return Err(Box::new(|e: &Exchange| {
                    e.invalid_value("acdAutoAnswer", "acdAutoAnswer must be true or false.")
                }))
            }
        };
        let employer_info = match body.get("employerInfo") {
            None | Some(Value::Null) => None,
            Some(value) => match parse_employer_info(value) {
                Ok(info) => Some(info),
                Err(message) => {
                    return Err(Box::new(move |e: &Exchange| {
                        e.invalid_value("employerInfo", &message)
                    }))
                }
            },
        };
        Ok(ProfileChanges {
            addresses,
            locations,
            texts,
            acd_auto_answer,
            employer_info,
            employer_info_merges,
        })
    }

    /// Whether the manager, the name and the locations are valid in this org for user `id`.
    fn check(&self, org: &Org, id: &str) -> Result<(), ErrorReply> {
        if let Some(manager) = self.texts.get("manager") {
            let valid = manager != id
                && org
                    .by_id
                    .get(manager.as_str())
                    .is_some_and(|&m| org.users[m].state != UserState::Deleted);
            if !valid {
                let message = format!("The manager {manager} is not a valid user.");
                return Err(Box::new(move |e: &Exchange| {
                    e.invalid_value("manager", &message)
                }));
            }
        }
        if self.texts.get("name").is_some_and(|n| n.trim().is_empty()) {
            return Err(Box::new(|e: &Exchange| {
                e.invalid_value("name", "The user's name cannot be empty.")
            }));
        }
        if let Some(unknown) = self
            .locations
            .iter()
            .flatten()
            .find(|id| !org.locations.iter().any(|l| &&l.id == id))
        {
            let message = format!("The location {unknown} does not exist.");
            return Err(Box::new(move |e: &Exchange| {
                e.invalid_value("locations", &message)
            }));
        }
        Ok(())
    }

    fn apply(mut self, user: &mut SandboxUser) {
        if let Some(on) = self.acd_auto_answer {
            user.day_one.acd_auto_answer = on;
        }
        if let Some(info) = self.employer_info {
            let held = &mut user.day_one.employer_info;
            *held = Some(match (held.take(), self.employer_info_merges) {
                (Some(old), true) => EmployerInfo {
                    official_name: info.official_name.or(old.official_name),
                    employee_id: info.employee_id.or(old.employee_id),
                    employee_type: info.employee_type.or(old.employee_type),
                    date_hire: info.date_hire.or(old.date_hire),
                },
                _ => info,
            });
        }
        if let Some(locations) = self.locations {
            user.location_ids = locations;
        }
        if let Some(addresses) = self.addresses {
            user.addresses = addresses;
        }
        if let Some(name) = self.texts.remove("name") {
            user.name = name;
        }
        if let Some(title) = self.texts.remove("title") {
            user.title = Some(title);
        }
        if let Some(department) = self.texts.remove("department") {
            user.department = Some(department);
        }
        if let Some(manager) = self.texts.remove("manager") {
            user.manager_id = Some(manager);
        }
    }
}

/// Genesys's Terraform provider's rules for employer info (server-side validation is
/// UNCONFIRMED, so the sandbox applies them): `employeeType` is `Full-time`, `Part-time` or
/// `Contractor`, and `dateHire` is a `yyyy-MM-dd` date (`validators.go`, the schema of
/// `genesyscloud_user`).
const EMPLOYEE_TYPES: &[&str] = &["Full-time", "Part-time", "Contractor"];

fn parse_employer_info(value: &Value) -> Result<EmployerInfo, String> {
    let Some(object) = value.as_object() else {
        return Err("employerInfo must be an object".to_owned());
    };
    for (field, value) in object {
        if !matches!(
            field.as_str(),
            "officialName" | "employeeId" | "employeeType" | "dateHire"
        ) {
            return Err(format!("employerInfo has no field {field}"));
        }
        if !value.is_string() && !value.is_null() {
            return Err(format!("employerInfo.{field} must be a string"));
        }
    }
    let info: EmployerInfo =
        serde_json::from_value(value.clone()).map_err(|e| format!("employerInfo: {e}"))?;
    if let Some(kind) = info.employee_type.as_deref() {
        if !EMPLOYEE_TYPES.contains(&kind) {
            return Err(format!(
                "employeeType {kind} is not one of Full-time, Part-time, Contractor"
            ));
        }
    }
    if let Some(date) = info.date_hire.as_deref() {
        if !is_iso_date(date) {
            return Err(format!(
                "dateHire {date} is not a date in the form yyyy-MM-dd"
            ));
        }
    }
    Ok(info)
}

/// `yyyy-MM-dd`, a real day of the Gregorian calendar.
fn is_iso_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return false;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(year, 4) || !digits(month, 2) || !digits(day, 2) {
        return false;
    }
    let (year, month, day): (u32, u32, u32) = (
        year.parse().unwrap_or(0),
        month.parse().unwrap_or(0),
        day.parse().unwrap_or(0),
    );
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// "Max 50 users can be updated at a time" (MyPureCloud/platform-client-sdk-python
/// `build/docs/UsersApi.md`, `patch_users_bulk`).
const MAX_USERS_PER_BULK_PATCH: usize = 50;

/// `PATCH /api/v2/users/bulk`: a list of `PatchUser` `{id, acdAutoAnswer}`, no version, at
/// most 50. A list naming an unknown user is refused whole, unless
/// `Variants::bulk_patch_partial` (then the known users are updated and only they are
/// answered). Answers the updated users.
pub(crate) fn bulk_patch_users(shared: &Shared, exchange: &Exchange, body: &Value) -> Reply {
    let Some(items) = body.as_array() else {
        return exchange.bad_request("The body must be a list of users, each with an id.");
    };
    if items.is_empty() || items.len() > MAX_USERS_PER_BULK_PATCH {
        return exchange.bad_request(&format!(
            "Max {MAX_USERS_PER_BULK_PATCH} users can be updated at a time; {} were sent.",
            items.len()
        ));
    }
    let mut updates = Vec::with_capacity(items.len());
    for item in items {
        let Some(id) = item
            .get("id")
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
        else {
            return exchange.invalid_value("id", "Each user needs an id.");
        };
        let auto_answer = match item.get("acdAutoAnswer") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(on)) => Some(*on),
            Some(_) => {
                return exchange
                    .invalid_value("acdAutoAnswer", "acdAutoAnswer must be true or false.")
            }
        };
        updates.push((id, auto_answer));
    }
    let mut org = shared.org.lock().expect("org");
    let partial = shared.config.variants.bulk_patch_partial;
    if !partial {
        if let Some((unknown, _)) = updates
            .iter()
            .find(|(id, _)| org.live_user_index(id).is_none())
        {
            return exchange.invalid_value("id", &format!("The user {unknown} does not exist."));
        }
    }
    let mut updated = Vec::with_capacity(updates.len());
    for (id, auto_answer) in updates {
        let Some(index) = org.live_user_index(id) else {
            continue;
        };
        let user = &mut org.users[index];
        if let Some(on) = auto_answer {
            user.day_one.acd_auto_answer = on;
        }
        user.version += 1;
        updated.push(index);
    }
    org.dirty = true;
    let entities: Vec<Value> = updated
        .iter()
        .map(|&i| org.user_json(&org.users[i]))
        .collect();
    let total = entities.len();
    exchange.json(
        StatusCode::OK,
        &serde_json::json!({ "entities": entities, "pageSize": total, "pageNumber": 1, "total": total, "pageCount": 1 }),
    )
}

/// The location ids of a `PATCH` user's `locations`: each entry names its location by `id` or
/// by `locationDefinition.id` (both, when they agree).
fn parse_locations(value: &Value) -> Result<Vec<String>, String> {
    let Some(items) = value.as_array() else {
        return Err("locations must be a list".to_owned());
    };
    let mut ids: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let Some(item) = item.as_object() else {
            return Err("each location must be an object".to_owned());
        };
        let direct = item.get("id").and_then(Value::as_str);
        let definition = item
            .get("locationDefinition")
            .and_then(|d| d.get("id"))
            .and_then(Value::as_str);
        let id = match (direct, definition) {
            (Some(a), Some(b)) if a != b => {
                return Err(format!(
                    "location id {a} and locationDefinition id {b} differ"
                ))
            }
            (Some(id), _) | (None, Some(id)) if !id.is_empty() => id,
            _ => return Err("each location needs an id or a locationDefinition id".to_owned()),
        };
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_owned());
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hire_dates_are_real_iso_days() {
        assert!(is_iso_date("2026-07-01"));
        assert!(is_iso_date("2024-02-29"));
        assert!(!is_iso_date("2026-02-29"));
        assert!(!is_iso_date("3/14/2026"));
        assert!(!is_iso_date("2026-7-1"));
    }

    #[test]
    fn e164_rules() {
        assert!(is_e164("+14155550100"));
        assert!(!is_e164("4155550100"));
        assert!(!is_e164("+1 415 555"));
    }
}
