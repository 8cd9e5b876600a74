//! The sandbox answers the day-1 calls as API-day1.md describes Genesys Cloud: routing
//! languages, groups, employer info and ACD auto-answer, external ids and the roles listing's
//! `permission` filter — status, body, the permission each needs, not found and bad bodies,
//! and each UNCONFIRMED behaviour in its stricter form and in its `Variants` alternative.

#[path = "../../tests/support/mod.rs"]
mod support;

use rollcall_sandbox::{Sandbox, SandboxClient, SandboxConfig, Variants};
use serde_json::{json, Value};
use support::{start, user_with_email, Answer, Wire};

const JORDAN: &str = "jordan.lee@example.com";
const AVERY: &str = "avery.admin@example.com";
const UNKNOWN_ID: &str = "00000000-0000-4000-8000-000000000000";
const PHRASE: &str = "does not match the current version";

/// The demo org, and a client that may only view users.
fn config_with(variants: Variants) -> SandboxConfig {
    let mut config = SandboxConfig {
        variants,
        ..SandboxConfig::default()
    };
    config.clients.push(SandboxClient::with_permissions(
        "viewer",
        "viewer-secret",
        &["directory:user:view"],
    ));
    config
}

async fn sandbox_with(variants: Variants) -> (Sandbox, Wire) {
    let sandbox = start(config_with(variants)).await;
    let wire = Wire::demo(&sandbox).await;
    (sandbox, wire)
}

async fn viewer(sandbox: &Sandbox) -> Wire {
    Wire::as_client(sandbox, "viewer", "viewer-secret").await
}

fn assert_status(answer: &Answer, status: u16, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(answer.body["code"], code, "{}", answer.body);
}

fn assert_forbidden(answer: &Answer, permissions: &str) {
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert!(
        answer.body["message"]
            .as_str()
            .is_some_and(|m| m.contains(permissions)),
        "names {permissions}: {}",
        answer.body
    );
}

fn names(listing: &Value, key: &str) -> Vec<String> {
    listing[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} in {listing}"))
        .iter()
        .map(|e| e["name"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn language_id(wire: &Wire, name: &str) -> String {
    let listing = wire.get("/api/v2/routing/languages?pageSize=100").await;
    listing.body["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == name)
        .unwrap_or_else(|| panic!("language {name}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn group(wire: &Wire, name: &str) -> Value {
    let found = wire
        .post(
            "/api/v2/groups/search",
            json!({ "query": [{ "type": "EXACT", "fields": ["name"], "value": name }] }),
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    found.body["results"][0].clone()
}

#[tokio::test]
async fn languages_are_listed_by_name_and_given_in_bulk_without_losing_the_others() {
    let (sandbox, wire) = sandbox_with(Variants::default()).await;
    let listing = wire.get("/api/v2/routing/languages").await;
    assert_eq!(listing.status, 200, "{}", listing.body);
    assert_eq!(
        names(&listing.body, "entities"),
        ["English", "French", "German", "Spanish"]
    );
    assert_eq!(listing.body["total"], 4);
    let partial = wire.get("/api/v2/routing/languages?name=span").await;
    assert_eq!(
        names(&partial.body, "entities"),
        ["Spanish"],
        "the name filter matches part of a name: the client must pick the exact one"
    );

    let jordan = user_with_email(&sandbox, JORDAN).id;
    let (spanish, french) = (
        language_id(&wire, "Spanish").await,
        language_id(&wire, "French").await,
    );
    let path = format!("/api/v2/users/{jordan}/routinglanguages/bulk");
    let given = wire
        .patch(
            &path,
            json!([{ "id": spanish, "proficiency": 4 }, { "id": french, "proficiency": 2.5 }]),
        )
        .await;
    assert_eq!(given.status, 200, "{}", given.body);
    assert_eq!(names(&given.body, "entities"), ["Spanish", "French"]);
    let again = wire
        .patch(&path, json!([{ "id": spanish, "proficiency": 3 }]))
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    let read = wire
        .get(&format!("/api/v2/users/{jordan}/routinglanguages"))
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    let held: Vec<(String, f64)> = read.body["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap().to_owned(),
                l["proficiency"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        held,
        [("Spanish".to_owned(), 3.0), ("French".to_owned(), 2.5)],
        "a bulk PATCH changes the proficiency it names and keeps the languages it leaves out"
    );
}

#[tokio::test]
async fn giving_languages_needs_an_assign_permission_a_live_user_and_a_valid_list() {
    let (sandbox, wire) = sandbox_with(Variants::default()).await;
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let spanish = language_id(&wire, "Spanish").await;
    let path = format!("/api/v2/users/{jordan}/routinglanguages/bulk");
    let one = json!([{ "id": spanish, "proficiency": 4 }]);

    let refused = viewer(&sandbox).await.patch(&path, one.clone()).await;
    assert_forbidden(&refused, "routing:skill:assign, routing:language:assign");
    let unknown_user = wire
        .patch(
            &format!("/api/v2/users/{UNKNOWN_ID}/routinglanguages/bulk"),
            one.clone(),
        )
        .await;
    assert_status(&unknown_user, 404, "not.found");
    let unknown_language = wire
        .patch(&path, json!([{ "id": UNKNOWN_ID, "proficiency": 4 }]))
        .await;
    assert_status(&unknown_language, 400, "invalid.value");
    let too_proficient = wire
        .patch(&path, json!([{ "id": spanish, "proficiency": 6 }]))
        .await;
    assert_status(&too_proficient, 400, "invalid.value");
    let fifty_one: Vec<Value> = (0..51)
        .map(|_| json!({ "id": spanish, "proficiency": 1 }))
        .collect();
    let too_many = wire.patch(&path, json!(fifty_one)).await;
    assert_status(&too_many, 400, "bad.request");
    let not_a_list = wire.patch(&path, json!({ "id": spanish })).await;
    assert_status(&not_a_list, 400, "bad.request");
    assert!(
        user_with_email(&sandbox, JORDAN)
            .day_one
            .languages
            .is_empty(),
        "nothing refused was given"
    );
}

#[tokio::test]
async fn a_group_is_found_by_exact_name_and_members_are_added_with_its_current_version() {
    let (sandbox, wire) = sandbox_with(Variants::default()).await;
    let listing = wire.get("/api/v2/groups").await;
    assert_eq!(
        names(&listing.body, "entities"),
        ["Night Shift", "Supervisors", "Tier 1 Agents"]
    );
    let tier1 = group(&wire, "Tier 1 Agents").await;
    assert_eq!(tier1["version"], 1);
    let missing = wire
        .post(
            "/api/v2/groups/search",
            json!({ "query": [{ "type": "EXACT", "fields": ["name"], "value": "Tier 1" }] }),
        )
        .await;
    assert_eq!(missing.body["total"], 0);
    assert!(
        missing.body.get("results").is_none(),
        "no results, no list: {}",
        missing.body
    );

    let group_id = tier1["id"].as_str().unwrap();
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let added = wire
        .post(
            &format!("/api/v2/groups/{group_id}/members"),
            json!({ "memberIds": [jordan], "version": 1 }),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    let after = wire.get(&format!("/api/v2/groups/{group_id}")).await;
    assert_eq!(
        after.body["version"], 2,
        "adding members raises the version"
    );
    assert_eq!(after.body["memberCount"], 1);
    let members = wire
        .get(&format!("/api/v2/groups/{group_id}/members"))
        .await;
    assert_eq!(members.body["entities"][0]["email"], JORDAN);
    let expanded = wire
        .get(&format!("/api/v2/users/{jordan}?expand=groups"))
        .await;
    assert_eq!(names(&expanded.body, "groups"), ["Tier 1 Agents"]);
    let plain = wire.get(&format!("/api/v2/users/{jordan}")).await;
    assert!(plain.body.get("groups").is_none(), "groups only on expand");
    assert_eq!(
        wire.get(&format!("/api/v2/groups/{UNKNOWN_ID}"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn adding_group_members_refuses_a_stale_or_missing_version_a_member_again_and_strangers() {
    let (sandbox, wire) = sandbox_with(Variants::default()).await;
    let group_id = group(&wire, "Night Shift").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v2/groups/{group_id}/members");
    let (jordan, avery) = (
        user_with_email(&sandbox, JORDAN).id,
        user_with_email(&sandbox, AVERY).id,
    );
    let first = wire
        .post(&path, json!({ "memberIds": [jordan], "version": 1 }))
        .await;
    assert_eq!(first.status, 200, "{}", first.body);

    let stale = wire
        .post(&path, json!({ "memberIds": [avery], "version": 1 }))
        .await;
    assert_status(&stale, 409, "general.conflict");
    assert!(stale.body["message"].as_str().unwrap().contains(PHRASE));
    let unversioned = wire.post(&path, json!({ "memberIds": [avery] })).await;
    assert_status(&unversioned, 400, "invalid.value");
    let again = wire
        .post(&path, json!({ "memberIds": [jordan], "version": 2 }))
        .await;
    assert_status(&again, 400, "invalid.value");
    let stranger = wire
        .post(&path, json!({ "memberIds": [UNKNOWN_ID], "version": 2 }))
        .await;
    assert_status(&stranger, 400, "invalid.value");
    let fifty_one = vec![avery.clone(); 51];
    let too_many = wire
        .post(&path, json!({ "memberIds": fifty_one, "version": 2 }))
        .await;
    assert_status(&too_many, 400, "invalid.value");
    let nowhere = wire
        .post(
            &format!("/api/v2/groups/{UNKNOWN_ID}/members"),
            json!({ "memberIds": [avery], "version": 1 }),
        )
        .await;
    assert_status(&nowhere, 404, "not.found");
    let members = &sandbox
        .day_one()
        .groups
        .into_iter()
        .find(|g| g.id == group_id)
        .unwrap()
        .member_ids;
    assert_eq!(members, &[jordan], "only the first add went through");
}

#[tokio::test]
async fn the_group_variants_take_a_body_without_version_and_a_member_again() {
    let (sandbox, wire) = sandbox_with(Variants {
        group_version_optional: true,
        group_readd_harmless: true,
        ..Variants::default()
    })
    .await;
    let group_id = group(&wire, "Night Shift").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let path = format!("/api/v2/groups/{group_id}/members");
    assert_eq!(
        wire.post(&path, json!({ "memberIds": [jordan] }))
            .await
            .status,
        200
    );
    assert_eq!(
        wire.post(&path, json!({ "memberIds": [jordan], "version": 2 }))
            .await
            .status,
        200
    );
    let after = wire.get(&format!("/api/v2/groups/{group_id}")).await;
    assert_eq!(after.body["memberCount"], 1, "a member is there once");
}

#[tokio::test]
async fn employer_info_and_auto_answer_are_patched_with_the_version_and_read_with_the_expand() {
    let (sandbox, wire) = sandbox_with(Variants::default()).await;
    let jordan = user_with_email(&sandbox, JORDAN);
    let path = format!("/api/v2/users/{}", jordan.id);
    let info = json!({
        "officialName": "Jordan A. Lee",
        "employeeId": "E1001",
        "employeeType": "Full-time",
        "dateHire": "2026-07-01"
    });
    let patched = wire
        .patch(
            &path,
            json!({ "version": jordan.version, "acdAutoAnswer": true, "employerInfo": info }),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["acdAutoAnswer"], true);
    let plain = wire.get(&path).await;
    assert!(
        plain.body.get("employerInfo").is_none(),
        "employer info only with the expand: {}",
        plain.body
    );
    let expanded = wire.get(&format!("{path}?expand=employerInfo")).await;
    assert_eq!(expanded.body["employerInfo"], info);

    let version = expanded.body["version"].as_i64().unwrap();
    let partial = wire
        .patch(
            &path,
            json!({ "version": version, "employerInfo": { "employeeId": "E2002" } }),
        )
        .await;
    assert_eq!(partial.status, 200, "{}", partial.body);
    let replaced = wire.get(&format!("{path}?expand=employerInfo")).await;
    assert_eq!(
        replaced.body["employerInfo"],
        json!({ "employeeId": "E2002" }),
        "the object sent replaces the whole employer info"
    );

    let version = replaced.body["version"].as_i64().unwrap();
    for (field, bad) in [
        ("employeeType", "Intern"),
        ("dateHire", "3/14/2026"),
        ("dateHire", "2026-02-30"),
    ] {
        let refused = wire
            .patch(
                &path,
                json!({ "version": version, "employerInfo": { field: bad } }),
            )
            .await;
        assert_status(&refused, 400, "invalid.value");
    }
    let not_a_bool = wire
        .patch(&path, json!({ "version": version, "acdAutoAnswer": "yes" }))
        .await;
    assert_status(&not_a_bool, 400, "invalid.value");
}

#[tokio::test]
async fn the_employer_info_variants_merge_and_answer_without_the_expand() {
    let (sandbox, wire) = sandbox_with(Variants {
        employer_info_merges: true,
        employer_info_without_expand: true,
        ..Variants::default()
    })
    .await;
    let jordan = user_with_email(&sandbox, JORDAN);
    let path = format!("/api/v2/users/{}", jordan.id);
    let first = wire
        .patch(
            &path,
            json!({ "version": jordan.version, "employerInfo": { "employeeId": "E1", "employeeType": "Contractor" } }),
        )
        .await;
    let version = first.body["version"].as_i64().unwrap();
    wire.patch(
        &path,
        json!({ "version": version, "employerInfo": { "employeeId": "E2" } }),
    )
    .await;
    let read = wire.get(&path).await;
    assert_eq!(
        read.body["employerInfo"],
        json!({ "employeeId": "E2", "employeeType": "Contractor" })
    );
}

#[tokio::test]
async fn auto_answer_is_set_for_many_users_at_once_without_versions() {
    let (sandbox, wire) = sandbox_with(Variants::default()).await;
    let (jordan, avery) = (
        user_with_email(&sandbox, JORDAN),
        user_with_email(&sandbox, AVERY),
    );
    let both = json!([
        { "id": jordan.id, "acdAutoAnswer": true },
        { "id": avery.id, "acdAutoAnswer": true }
    ]);
    let refused = viewer(&sandbox)
        .await
        .patch("/api/v2/users/bulk", both.clone())
        .await;
    assert_forbidden(
        &refused,
        "directory:user:edit, directory:organization:admin",
    );
    let updated = wire.patch("/api/v2/users/bulk", both).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["entities"].as_array().unwrap().len(), 2);
    assert!(user_with_email(&sandbox, JORDAN).day_one.acd_auto_answer);
    assert!(user_with_email(&sandbox, AVERY).day_one.acd_auto_answer);

    let with_stranger = json!([
        { "id": jordan.id, "acdAutoAnswer": false },
        { "id": UNKNOWN_ID, "acdAutoAnswer": false }
    ]);
    let whole = wire.patch("/api/v2/users/bulk", with_stranger).await;
    assert_status(&whole, 400, "invalid.value");
    assert!(
        user_with_email(&sandbox, JORDAN).day_one.acd_auto_answer,
        "a list naming an unknown user changes no one"
    );
    let fifty_one: Vec<Value> = (0..51)
        .map(|_| json!({ "id": jordan.id, "acdAutoAnswer": true }))
        .collect();
    let too_many = wire.patch("/api/v2/users/bulk", json!(fifty_one)).await;
    assert_status(&too_many, 400, "bad.request");
}

#[tokio::test]
async fn the_partial_bulk_variant_updates_the_known_users_and_answers_only_them() {
    let (sandbox, wire) = sandbox_with(Variants {
        bulk_patch_partial: true,
        ..Variants::default()
    })
    .await;
    let jordan = user_with_email(&sandbox, JORDAN);
    let answer = wire
        .patch(
            "/api/v2/users/bulk",
            json!([{ "id": jordan.id, "acdAutoAnswer": true }, { "id": UNKNOWN_ID, "acdAutoAnswer": true }]),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["entities"][0]["id"], jordan.id.as_str());
    assert_eq!(answer.body["total"], 1);
}

#[tokio::test]
async fn an_external_id_is_given_listed_and_finds_its_user_exactly() {
    let (sandbox, wire) = sandbox_with(Variants::default()).await;
    let avery = user_with_email(&sandbox, AVERY).id;
    let path = format!("/api/v2/users/{avery}/externalid");
    let mapping = json!({ "authorityName": "Workday", "externalKey": "E 7/1" });
    let refused = viewer(&sandbox).await.post(&path, mapping.clone()).await;
    assert_forbidden(&refused, "directory:user:edit");
    let given = wire.post(&path, mapping.clone()).await;
    assert_eq!(given.status, 200, "{}", given.body);
    assert_eq!(
        given.body[0]["authorityName"], "Workday",
        "a list, as the SDK says"
    );
    assert_eq!(given.body[0]["externalKey"], "E 7/1");
    let listed = wire.get(&path).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);

    let found = wire.get("/api/v2/users/externalid/Workday/E%207%2F1").await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.body["email"], AVERY);
    let seeded = wire.get("/api/v2/users/externalid/Workday/E1001").await;
    assert_eq!(seeded.body["email"], JORDAN, "the demo seed's external id");
    let other_case = wire.get("/api/v2/users/externalid/workday/E1001").await;
    assert_status(&other_case, 404, "not.found");

    let again = wire.post(&path, mapping).await;
    assert_status(&again, 409, "general.conflict");
    let taken = wire
        .post(
            &path,
            json!({ "authorityName": "Workday", "externalKey": "E1001" }),
        )
        .await;
    assert_status(&taken, 409, "general.conflict");
    let half = wire
        .post(&path, json!({ "authorityName": "Workday" }))
        .await;
    assert_status(&half, 400, "invalid.value");
    let nobody = wire
        .post(
            &format!("/api/v2/users/{UNKNOWN_ID}/externalid"),
            json!({ "authorityName": "Workday", "externalKey": "E9" }),
        )
        .await;
    assert_status(&nobody, 404, "not.found");
}

#[tokio::test]
async fn the_external_id_variants_answer_one_object_and_miss_with_an_empty_answer() {
    for (miss, status, body) in [(200, 200, json!({})), (204, 204, Value::Null)] {
        let (sandbox, wire) = sandbox_with(Variants {
            external_id_answer_object: true,
            external_id_miss_status: miss,
            ..Variants::default()
        })
        .await;
        let avery = user_with_email(&sandbox, AVERY).id;
        let given = wire
            .post(
                &format!("/api/v2/users/{avery}/externalid"),
                json!({ "authorityName": "HR", "externalKey": "7" }),
            )
            .await;
        assert_eq!(given.body["externalKey"], "7", "one object: {}", given.body);
        let missed = wire.get("/api/v2/users/externalid/HR/8").await;
        assert_eq!((missed.status, missed.body), (status, body));
    }
}

#[tokio::test]
async fn the_roles_listing_keeps_the_roles_that_grant_a_permission() {
    let (_sandbox, wire) = sandbox_with(Variants::default()).await;
    let listing = wire
        .get("/api/v2/authorization/roles?permission=conversation:call:add")
        .await;
    assert_eq!(listing.status, 200, "{}", listing.body);
    assert_eq!(
        names(&listing.body, "entities"),
        ["Admin", "Agent", "Supervisor"]
    );
    let none = wire
        .get("/api/v2/authorization/roles?permission=routing:language:assign")
        .await;
    assert_eq!(none.body["total"], 0);
}

#[tokio::test]
async fn an_org_kept_from_before_day_one_gains_the_seeds_lists_and_role_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("org.json");
    let home = "11111111-1111-4111-8111-111111111111";
    // What the sandbox wrote before the day-1 lists: roles without permissions, no day_one.
    let old = json!({
        "divisions": [{ "id": home, "name": "Home", "home": true }],
        "roles": [{ "id": "r-agent", "name": "Agent" }, { "id": "r-mine", "name": "Mine" }],
        "users": [{
            "id": "u-1", "name": "Old Timer", "email": "old.timer@example.com",
            "state": "active", "divisionId": home, "version": 3
        }]
    });
    std::fs::write(&file, serde_json::to_vec(&old).unwrap()).unwrap();
    let sandbox = start(SandboxConfig {
        state_file: Some(file),
        ..SandboxConfig::default()
    })
    .await;
    let day_one = sandbox.day_one();
    assert_eq!(day_one.languages.len(), 4);
    assert_eq!(day_one.groups.len(), 3);
    assert_eq!(day_one.phone_base_settings.len(), 2);
    let roles = sandbox.roles();
    assert_eq!(
        roles[0].permissions,
        ["conversation:call:add"],
        "Agent as seeded"
    );
    assert!(
        roles[1].permissions.is_empty(),
        "a role of the org's own keeps none"
    );
    assert_eq!(sandbox.users()[0].version, 3, "the org's users are kept");
}

#[tokio::test]
async fn reads_of_an_unknown_user_or_group_are_404_and_malformed_requests_400() {
    let (_sandbox, wire) = sandbox_with(Variants::default()).await;
    for path in [
        format!("/api/v2/users/{UNKNOWN_ID}/routinglanguages"),
        format!("/api/v2/users/{UNKNOWN_ID}/externalid"),
        format!("/api/v2/users/{UNKNOWN_ID}/station"),
        format!("/api/v2/groups/{UNKNOWN_ID}/members"),
    ] {
        assert_status(&wire.get(&path).await, 404, "not.found");
    }
    for path in [
        "/api/v2/routing/languages?pageSize=101",
        "/api/v2/groups?pageNumber=0",
        "/api/v2/telephony/providers/edges/sites?managed=maybe",
    ] {
        assert_status(&wire.get(path).await, 400, "invalid.value");
    }
    let no_query = wire
        .post("/api/v2/groups/search", json!({ "query": [] }))
        .await;
    assert_status(&no_query, 400, "bad.request");
    let regex = wire
        .post(
            "/api/v2/groups/search",
            json!({ "query": [{ "type": "REGEX", "fields": ["name"], "value": ".*" }] }),
        )
        .await;
    assert_status(&regex, 400, "invalid.value");
    let not_an_object = wire.post("/api/v2/groups/search", json!([])).await;
    assert_status(&not_an_object, 400, "bad.request");
}
