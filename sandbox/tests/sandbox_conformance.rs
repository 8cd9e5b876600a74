//! The sandbox behaves like Genesys Cloud as it is today (API.md, "Corrected on 2026-11-30"):
//! each test asks over raw HTTP what a client would see — status codes, headers and bodies —
//! for one behaviour, one new route or one knob.

#[path = "../../tests/support/mod.rs"]
mod support;

use std::time::Duration;

use rollcall_core::genesys::UserState;
use rollcall_sandbox::{
    Faults, RateLimitConfig, Sandbox, SandboxClient, SandboxConfig, Seed, DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
};
use serde_json::{json, Value};
use support::{start, token_answer, user_with_email, Answer, Wire};

const JORDAN: &str = "jordan.lee@example.com";
const SAM_INACTIVE: &str = "sam.patel@example.com";
const RILEY_DELETED: &str = "riley.morgan@example.com";
const UNKNOWN_ID: &str = "00000000-0000-4000-8000-000000000000";
const PHRASE: &str = "does not match the current version";

fn division_id(sandbox: &Sandbox, name: &str) -> String {
    sandbox
        .divisions()
        .into_iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("division {name}"))
        .id
}

fn limited(requests: u32) -> SandboxConfig {
    SandboxConfig {
        rate_limit: RateLimitConfig {
            requests,
            window: Duration::from_secs(60),
        },
        ..SandboxConfig::default()
    }
}

/// The org's first `count` numbered users (`person{i}@big.example.com`) and nothing else.
fn numbered(count: usize) -> SandboxConfig {
    SandboxConfig {
        seed: Seed::empty().with_numbered_users(count, "big.example.com"),
        ..SandboxConfig::default()
    }
}

/// The normalized 429: exactly these four fields, `[N]` equal to `Retry-After`.
fn assert_normalized_429(answer: &Answer) -> u64 {
    assert_eq!(answer.status, 429, "{}", answer.body);
    let retry_after: u64 = answer
        .header("retry-after")
        .parse()
        .expect("Retry-After in whole seconds");
    assert_eq!(
        answer.body,
        json!({
            "message": format!(
                "Rate limit exceeded the maximum. Retry the request in [{retry_after}] seconds"
            ),
            "code": "too.many.requests.retry.after",
            "status": 429,
            "contextId": answer.header("inin-correlation-id"),
        })
    );
    retry_after
}

fn assert_error(answer: &Answer, status: u16, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(answer.body["code"], code, "{}", answer.body);
    assert_eq!(answer.body["status"], status);
    assert_eq!(
        answer.body["contextId"],
        answer.header("inin-correlation-id"),
        "the error carries the correlation id"
    );
}

fn phone(answer: &Answer, kind: &str) -> Value {
    answer.body["addresses"]
        .as_array()
        .expect("addresses")
        .iter()
        .find(|c| c["type"] == kind)
        .unwrap_or_else(|| panic!("a {kind} contact in {}", answer.body))
        .clone()
}

#[tokio::test]
async fn no_answer_carries_rate_limit_headers_and_the_limit_answers_the_normalized_429() {
    let sandbox = start(limited(2)).await;
    let wire = Wire::demo(&sandbox).await;
    for path in ["/api/v2/users", "/api/v2/authorization/divisions/home"] {
        let answer = wire.get(path).await;
        assert_eq!(answer.status, 200);
        let rate_headers: Vec<_> = answer
            .headers
            .keys()
            .filter(|name| name.as_str().starts_with("inin-ratelimit"))
            .collect();
        assert!(rate_headers.is_empty(), "{rate_headers:?}");
    }
    let refused = wire.get("/api/v2/users").await;
    let retry_after = assert_normalized_429(&refused);
    assert!(
        (1..=60).contains(&retry_after),
        "the first request leaves the 60 s window within a minute: {retry_after}"
    );
    assert_eq!(sandbox.stats().rate_limited, 1);
}

#[tokio::test]
async fn an_injected_429_is_the_normalized_one_with_its_retry_after() {
    let sandbox = start(SandboxConfig {
        faults: Faults {
            too_many_requests: 1.0,
            retry_after_secs: 7,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let wire = Wire::demo(&sandbox).await;
    let answer = wire.get("/api/v2/users").await;
    assert_eq!(assert_normalized_429(&answer), 7);
}

#[tokio::test]
async fn the_token_limit_holds_over_any_span_of_the_window() {
    let sandbox = start(limited(3)).await;
    let wire = Wire::demo(&sandbox).await;
    let home = "/api/v2/authorization/divisions/home";
    assert_eq!(wire.get(home).await.status, 200, "at 0 s");
    sandbox.advance_clock(Duration::from_secs(30));
    assert_eq!(wire.get(home).await.status, 200, "at 30 s");
    assert_eq!(wire.get(home).await.status, 200, "at 30 s");
    let full = wire.get(home).await;
    assert_eq!(
        assert_normalized_429(&full),
        30,
        "the request of 0 s leaves the window at 60 s"
    );
    sandbox.advance_clock(Duration::from_secs(30));
    assert_eq!(wire.get(home).await.status, 200, "at 60 s, one left");
    // A window that restarted at 60 s would take three more; over 30 s…90 s only one fits.
    let again = wire.get(home).await;
    assert_eq!(
        assert_normalized_429(&again),
        30,
        "the requests of 30 s leave the window at 90 s"
    );
    assert_eq!(sandbox.stats().rate_limited, 2);
}

#[tokio::test]
async fn a_deleted_user_lives_in_home_and_a_restore_leaves_it_there() {
    let sandbox = support::demo().await;
    let home = division_id(&sandbox, "Home");
    let riley = user_with_email(&sandbox, RILEY_DELETED);
    assert_eq!(
        riley.division_id, home,
        "seeded in Support, deleted: in Home"
    );
    let wire = Wire::demo(&sandbox).await;
    let deleted = wire
        .get(&format!("/api/v2/users/{}?state=deleted", riley.id))
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(deleted.body["division"]["id"], home);
    assert_eq!(deleted.body["division"]["name"], "Home");

    let restored = wire
        .patch(
            &format!("/api/v2/users/{}", riley.id),
            json!({ "state": "active", "version": deleted.body["version"] }),
        )
        .await;
    assert_eq!(restored.status, 200, "{}", restored.body);
    assert_eq!(restored.body["state"], "active");
    assert_eq!(restored.body["division"]["id"], home);
    let riley = user_with_email(&sandbox, RILEY_DELETED);
    assert_eq!(riley.state, UserState::Active);
    assert_eq!(riley.division_id, home);
}

#[tokio::test]
async fn a_patch_carrying_state_changes_only_the_state() {
    let sandbox = support::demo().await;
    let sam = user_with_email(&sandbox, SAM_INACTIVE);
    let wire = Wire::demo(&sandbox).await;
    let answer = wire
        .patch(
            &format!("/api/v2/users/{}", sam.id),
            json!({
                "state": "active",
                "version": sam.version,
                "name": "Samuel Patel",
                "title": "Team Lead",
                "department": "Support",
                "addresses": [{ "address": "+14155550100", "mediaType": "PHONE", "type": "WORK" }],
            }),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["state"], "active");
    assert_eq!(answer.body["name"], "Sam Patel");
    let after = user_with_email(&sandbox, SAM_INACTIVE);
    assert_eq!(after.state, UserState::Active);
    assert_eq!(after.name, "Sam Patel");
    assert_eq!(after.title, None);
    assert_eq!(after.department, None);
    assert!(after.addresses.is_empty());
    assert_eq!(after.version, sam.version + 1);
}

#[tokio::test]
async fn a_user_is_read_by_state_active_or_deleted_only() {
    let sandbox = support::demo().await;
    let riley = user_with_email(&sandbox, RILEY_DELETED).id;
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let wire = Wire::demo(&sandbox).await;
    let get = |id: &str, query: &str| format!("/api/v2/users/{id}{query}");

    assert_error(&wire.get(&get(&riley, "")).await, 404, "not.found");
    assert_error(
        &wire.get(&get(&riley, "?state=active")).await,
        404,
        "not.found",
    );
    assert_eq!(wire.get(&get(&riley, "?state=deleted")).await.status, 200);
    assert_eq!(wire.get(&get(&jordan, "?state=active")).await.status, 200);
    assert_error(
        &wire.get(&get(&jordan, "?state=deleted")).await,
        404,
        "not.found",
    );
    for state in ["any", "inactive", "ACTIVE"] {
        let answer = wire.get(&get(&riley, &format!("?state={state}"))).await;
        assert_error(&answer, 400, "invalid.value");
        assert_eq!(answer.body["details"][0]["fieldName"], "state");
    }
}

#[tokio::test]
async fn a_phone_with_an_extension_reads_back_as_display_and_extension() {
    let sandbox = support::demo().await;
    let wire = Wire::demo(&sandbox).await;
    let created = wire
        .post(
            "/api/v2/users",
            json!({
                "name": "Phone Person",
                "email": "phone.person@example.com",
                "addresses": [
                    { "address": "+13175550100", "extension": "1234", "mediaType": "PHONE", "type": "WORK" },
                    { "extension": "4321", "mediaType": "PHONE", "type": "WORK2" },
                    { "address": "+13175550199", "mediaType": "PHONE", "type": "MOBILE" },
                ],
            }),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let read = wire
        .get(&format!(
            "/api/v2/users/{}",
            created.body["id"].as_str().unwrap()
        ))
        .await;
    for answer in [&created, &read] {
        let work = phone(answer, "WORK");
        assert_eq!(work.get("address"), None, "{work}");
        assert_eq!(work["display"], "+13175550100");
        assert_eq!(work["extension"], "1234");
        let work2 = phone(answer, "WORK2");
        assert_eq!(work2.get("address"), None, "{work2}");
        assert_eq!(work2["display"], "4321");
        assert_eq!(work2["extension"], "4321");
        let mobile = phone(answer, "MOBILE");
        assert_eq!(mobile["address"], "+13175550199");
        assert_eq!(mobile["display"], "+13175550199");
        assert_eq!(mobile.get("extension"), None);
    }

    // Sending back what was read keeps the extension and loses the number.
    let patched = wire
        .patch(
            &format!("/api/v2/users/{}", read.body["id"].as_str().unwrap()),
            json!({ "version": read.body["version"], "addresses": read.body["addresses"] }),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    let stored = user_with_email(&sandbox, "phone.person@example.com");
    let work = stored.addresses.iter().find(|c| c.kind == "WORK").unwrap();
    assert_eq!(work.address, None);
    assert_eq!(work.extension.as_deref(), Some("1234"));
}

#[tokio::test]
async fn listing_users_stops_at_ten_thousand() {
    let sandbox = start(numbered(12_000)).await;
    let wire = Wire::demo(&sandbox).await;
    let last = wire
        .get("/api/v2/users?pageSize=500&pageNumber=20&state=any")
        .await;
    assert_eq!(last.status, 200, "{}", last.body);
    assert_eq!(last.body["total"], 12_000);
    let entities = last.body["entities"].as_array().unwrap();
    assert_eq!(entities.len(), 500);
    assert_eq!(entities[499]["email"], "person9999@big.example.com");
    for query in [
        "pageSize=500&pageNumber=21&state=any",
        "pageSize=100&pageNumber=101",
        "pageSize=1&pageNumber=10001&state=active",
    ] {
        let past = wire.get(&format!("/api/v2/users?{query}")).await;
        assert_error(&past, 400, "bad.request");
        assert!(
            past.body["message"].as_str().unwrap().contains("10000"),
            "{}",
            past.body
        );
    }
}

#[tokio::test]
async fn search_takes_several_emails_in_one_criterion_and_pages_them() {
    let sandbox = start(numbered(12_000)).await;
    let wire = Wire::demo(&sandbox).await;
    let search = |page_size: u64, page_number: u64| {
        json!({
            "pageSize": page_size,
            "pageNumber": page_number,
            "query": [{
                "type": "EXACT",
                "fields": ["email"],
                "values": [
                    "person11999@big.example.com",
                    "PERSON42@big.example.com",
                    "person3@big.example.com",
                    "nobody@big.example.com",
                ],
            }],
        })
    };
    let emails = |answer: &Answer| -> Vec<String> {
        answer.body["results"]
            .as_array()
            .map(|results| {
                results
                    .iter()
                    .map(|u| u["email"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let first = wire.post("/api/v2/users/search", search(2, 1)).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["total"], 3);
    assert_eq!(first.body["pageCount"], 2);
    assert_eq!(
        emails(&first),
        ["person3@big.example.com", "person42@big.example.com"]
    );
    let second = wire.post("/api/v2/users/search", search(2, 2)).await;
    assert_eq!(emails(&second), ["person11999@big.example.com"]);
    let whole = wire.post("/api/v2/users/search", search(100, 1)).await;
    assert_eq!(emails(&whole).len(), 3);
    let too_big = wire.post("/api/v2/users/search", search(101, 1)).await;
    assert_error(&too_big, 400, "invalid.value");
}

#[tokio::test]
async fn a_numbered_org_holds_every_user_in_home_findable_by_email() {
    let sandbox = start(numbered(12_000)).await;
    let users = sandbox.users();
    assert_eq!(users.len(), 12_000);
    let home = division_id(&sandbox, "Home");
    assert!(users
        .iter()
        .all(|u| u.state == UserState::Active && u.division_id == home));
    assert_eq!(users[7].name, "Person 7");
    assert_eq!(users[7].email, "person7@big.example.com");
    let wire = Wire::demo(&sandbox).await;
    let duplicate = wire
        .post(
            "/api/v2/users",
            json!({ "name": "Again", "email": "Person11000@big.example.com" }),
        )
        .await;
    assert_error(&duplicate, 409, "general.conflict");
}

#[tokio::test]
async fn users_move_to_a_division_in_one_call() {
    let sandbox = support::demo().await;
    let operations = division_id(&sandbox, "Operations");
    let jordan = user_with_email(&sandbox, JORDAN);
    let sam = user_with_email(&sandbox, SAM_INACTIVE);
    let wire = Wire::demo(&sandbox).await;
    let answer = wire
        .post(
            &format!("/api/v2/authorization/divisions/{operations}/objects/USER"),
            json!([jordan.id, sam.id]),
        )
        .await;
    assert_eq!(answer.status, 204, "{}", answer.body);
    for (before, email) in [(jordan, JORDAN), (sam, SAM_INACTIVE)] {
        let after = user_with_email(&sandbox, email);
        assert_eq!(after.division_id, operations);
        assert_eq!(after.version, before.version + 1);
    }
    let read = wire
        .get(&format!(
            "/api/v2/users/{}",
            user_with_email(&sandbox, JORDAN).id
        ))
        .await;
    assert_eq!(read.body["division"]["name"], "Operations");
    assert_eq!(sandbox.stats().division_moves, 2);
}

#[tokio::test]
async fn a_division_move_refuses_an_unknown_division_or_user_and_moves_nobody() {
    let sandbox = support::demo().await;
    let operations = division_id(&sandbox, "Operations");
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let riley = user_with_email(&sandbox, RILEY_DELETED).id;
    let wire = Wire::demo(&sandbox).await;
    let unknown_division = wire
        .post(
            &format!("/api/v2/authorization/divisions/{UNKNOWN_ID}/objects/USER"),
            json!([jordan]),
        )
        .await;
    assert_error(&unknown_division, 404, "not.found");
    let into_operations = format!("/api/v2/authorization/divisions/{operations}/objects/USER");
    for (body, unknown) in [
        (json!([jordan, UNKNOWN_ID]), UNKNOWN_ID),
        (json!([riley]), riley.as_str()),
    ] {
        let answer = wire.post(&into_operations, body).await;
        assert_error(&answer, 400, "invalid.value");
        assert!(
            answer.body["message"].as_str().unwrap().contains(unknown),
            "{}",
            answer.body
        );
    }
    for body in [json!([]), json!({ "ids": [jordan] }), json!([1])] {
        assert_error(&wire.post(&into_operations, body).await, 400, "bad.request");
    }
    assert_eq!(
        user_with_email(&sandbox, JORDAN).division_id,
        division_id(&sandbox, "Sales")
    );
    assert_eq!(sandbox.stats().division_moves, 0);
}

#[tokio::test]
async fn a_password_is_set_only_when_it_meets_the_policy() {
    let sandbox = support::demo().await;
    let jordan = user_with_email(&sandbox, JORDAN);
    let wire = Wire::demo(&sandbox).await;
    let path = format!("/api/v2/users/{}/password", jordan.id);
    for weak in ["Sh0rt!", "alllowercase1!", "NoDigitsHere!", "NoSpecial123"] {
        let refused = wire.post(&path, json!({ "newPassword": weak })).await;
        assert_error(&refused, 400, "bad.request");
        assert!(
            refused.body["message"]
                .as_str()
                .unwrap()
                .contains("password requirements"),
            "{}",
            refused.body
        );
    }
    assert!(!user_with_email(&sandbox, JORDAN).password_set);
    let set = wire
        .post(&path, json!({ "newPassword": "Pa55-Word-Good" }))
        .await;
    assert_eq!(set.status, 204, "{}", set.body);
    let after = user_with_email(&sandbox, JORDAN);
    assert!(after.password_set);
    assert_eq!(after.version, jordan.version);
    assert_eq!(sandbox.stats().password_sets, 1);
    let unknown = wire
        .post(
            &format!("/api/v2/users/{UNKNOWN_ID}/password"),
            json!({ "newPassword": "Pa55-Word-Good" }),
        )
        .await;
    assert_error(&unknown, 404, "not.found");
}

#[tokio::test]
async fn refuse_passwords_refuses_every_password_and_leaves_the_user_untouched() {
    let sandbox = start(SandboxConfig {
        faults: Faults {
            refuse_passwords: true,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let jordan = user_with_email(&sandbox, JORDAN);
    let wire = Wire::demo(&sandbox).await;
    let refused = wire
        .post(
            &format!("/api/v2/users/{}/password", jordan.id),
            json!({ "newPassword": "Pa55-Word-Good" }),
        )
        .await;
    assert_error(&refused, 400, "bad.request");
    assert!(refused.body["message"]
        .as_str()
        .unwrap()
        .contains("password requirements"));
    assert_eq!(user_with_email(&sandbox, JORDAN), jordan);
    assert_eq!(sandbox.stats().password_sets, 0);
}

#[tokio::test]
async fn the_org_limits_are_forbidden_unless_readable() {
    let path = "/api/v2/organizations/limits/namespaces/platform.api";
    let closed = support::demo().await;
    let answer = Wire::demo(&closed).await.get(path).await;
    assert_error(&answer, 403, "missing.permissions");

    let mut config = limited(200);
    config.variants.org_limits_readable = true;
    let open = start(config).await;
    let wire = Wire::demo(&open).await;
    let answer = wire.get(path).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body,
        json!({
            "entities": [{
                "key": "client.credentials.token.rate.per.minute",
                "namespace": "platform.api",
                "value": 200,
            }],
        })
    );
    let other = wire
        .get("/api/v2/organizations/limits/namespaces/webchat")
        .await;
    assert_error(&other, 404, "not.found");
}

#[tokio::test]
async fn bulkadd_answers_not_found_to_the_first_calls_for_each_user() {
    let sandbox = start(SandboxConfig {
        faults: Faults {
            bulkadd_not_found_first: 2,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let role = sandbox.roles()[0].id.clone();
    let grants = json!({ "grants": [{ "roleId": role, "divisionId": "*" }] });
    let wire = Wire::demo(&sandbox).await;
    let bulkadd = |email: &str| {
        format!(
            "/api/v2/authorization/subjects/{}/bulkadd",
            user_with_email(&sandbox, email).id
        )
    };
    let jordan = bulkadd(JORDAN);
    assert_error(&wire.post(&jordan, grants.clone()).await, 404, "not.found");
    assert_error(&wire.post(&jordan, grants.clone()).await, 404, "not.found");
    assert!(user_with_email(&sandbox, JORDAN).grants.is_empty());
    assert_eq!(wire.post(&jordan, grants.clone()).await.status, 204);
    assert_eq!(user_with_email(&sandbox, JORDAN).grants.len(), 1);
    // Each user counts its own calls.
    let sam = bulkadd(SAM_INACTIVE);
    assert_error(&wire.post(&sam, grants).await, 404, "not.found");
}

#[tokio::test]
async fn the_first_patches_of_each_user_meet_a_stale_version() {
    let sandbox = start(SandboxConfig {
        faults: Faults {
            stale_version_first: 1,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let jordan = user_with_email(&sandbox, JORDAN);
    let skill = sandbox.skills()[0].id.clone();
    let wire = Wire::demo(&sandbox).await;
    let user_path = format!("/api/v2/users/{}", jordan.id);
    let stale = wire
        .patch(
            &user_path,
            json!({ "version": jordan.version, "title": "Lead" }),
        )
        .await;
    assert_error(&stale, 409, "general.conflict");
    assert!(stale.body["message"].as_str().unwrap().contains(PHRASE));
    let reread = wire.get(&user_path).await;
    assert_eq!(
        reread.body["version"],
        jordan.version + 1,
        "another admin's edit"
    );
    let retried = wire
        .patch(
            &user_path,
            json!({ "version": reread.body["version"], "title": "Lead" }),
        )
        .await;
    assert_eq!(retried.status, 200, "{}", retried.body);
    assert_eq!(retried.body["title"], "Lead");

    let skills_path = format!("/api/v2/users/{}/routingskills/bulk", jordan.id);
    let skills = json!([{ "id": skill, "proficiency": 3 }]);
    let stale = wire.patch(&skills_path, skills.clone()).await;
    assert_error(&stale, 409, "general.conflict");
    assert!(user_with_email(&sandbox, JORDAN).skills.is_empty());
    assert_eq!(wire.patch(&skills_path, skills).await.status, 200);
    assert_eq!(user_with_email(&sandbox, JORDAN).skills.len(), 1);
}

#[tokio::test]
async fn a_stale_version_can_be_answered_400_does_not_match_the_current_version() {
    let mut config = SandboxConfig {
        faults: Faults {
            stale_version_first: 1,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    };
    config.variants.stale_version_status = 400;
    let sandbox = start(config).await;
    let jordan = user_with_email(&sandbox, JORDAN);
    let sam = user_with_email(&sandbox, SAM_INACTIVE);
    let wire = Wire::demo(&sandbox).await;
    let answers = [
        // The knob's stale version.
        wire.patch(
            &format!("/api/v2/users/{}", jordan.id),
            json!({ "version": jordan.version, "title": "Lead" }),
        )
        .await,
        wire.patch(
            &format!("/api/v2/users/{}/routingskills/bulk", jordan.id),
            json!([{ "id": sandbox.skills()[0].id, "proficiency": 1 }]),
        )
        .await,
        // An ordinary one: a version that was never current.
        wire.patch(
            &format!("/api/v2/users/{}", sam.id),
            json!({ "version": sam.version + 5, "title": "Lead" }),
        )
        .await,
    ];
    for answer in &answers {
        assert_eq!(answer.status, 400, "{}", answer.body);
        assert!(
            answer.body["message"].as_str().unwrap().contains(PHRASE),
            "{}",
            answer.body
        );
    }
}

#[tokio::test]
async fn the_token_endpoint_throttles_its_first_requests() {
    let sandbox = start(SandboxConfig {
        faults: Faults {
            token_throttled_first: 2,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    for _ in 0..2 {
        let throttled = token_answer(&sandbox, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).await;
        assert_eq!(throttled.status, 400);
        assert_eq!(throttled.body["error"], "invalid_request");
        let description = throttled.body["description"].as_str().unwrap();
        assert!(
            description.starts_with("rate limit exceeded; "),
            "{description}"
        );
        assert_eq!(throttled.body["error_description"], description);
    }
    let granted = token_answer(&sandbox, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).await;
    assert_eq!(granted.status, 200, "{}", granted.body);
    let stats = sandbox.stats();
    assert_eq!(stats.token_requests, 3);
    assert_eq!(stats.tokens_issued, 1);
}

#[tokio::test]
async fn each_operation_requires_the_permissions_the_sdk_lists() {
    let mut config = SandboxConfig {
        clients: vec![SandboxClient::with_permissions(
            "nobody",
            "nobody-secret",
            &[],
        )],
        ..SandboxConfig::default()
    };
    config.variants.org_limits_readable = true;
    let sandbox = start(config).await;
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let queue = sandbox.queues()[0].id.clone();
    let sales = division_id(&sandbox, "Sales");
    let wire = Wire::as_client(&sandbox, "nobody", "nobody-secret").await;
    use reqwest::Method;
    let user = format!("/api/v2/users/{jordan}");
    let guarded: Vec<(Method, String, Value, &[&str])> = vec![
        (
            Method::POST,
            "/api/v2/users".into(),
            json!({}),
            &["directory:user:add"],
        ),
        (
            Method::POST,
            "/api/v2/users/search".into(),
            json!({}),
            &["directory:user:view"],
        ),
        (
            Method::PATCH,
            user.clone(),
            json!({}),
            &[
                "admin",
                "directory:user:edit",
                "directory:organization:admin",
            ],
        ),
        (
            Method::POST,
            format!("{user}/invite"),
            Value::Null,
            &[
                "admin",
                "directory:organization:admin",
                "directory:user:setPassword",
            ],
        ),
        (
            Method::POST,
            format!("{user}/password"),
            json!({}),
            &["directory:user:setPassword"],
        ),
        (
            Method::GET,
            "/api/v2/authorization/roles".into(),
            Value::Null,
            &["authorization:role:view"],
        ),
        (
            Method::GET,
            "/api/v2/routing/queues".into(),
            Value::Null,
            &["routing:queue:view"],
        ),
        (
            Method::GET,
            "/api/v2/routing/skills".into(),
            Value::Null,
            &["routing:skill:view"],
        ),
        (
            Method::POST,
            format!("/api/v2/authorization/subjects/{jordan}/bulkadd"),
            json!({}),
            &["authorization:grant:add"],
        ),
        (
            Method::GET,
            format!("/api/v2/authorization/subjects/{jordan}"),
            Value::Null,
            &["authorization:grant:view"],
        ),
        (
            Method::PATCH,
            format!("{user}/routingskills/bulk"),
            json!([]),
            &["routing:skill:assign"],
        ),
        (
            Method::GET,
            format!("{user}/queues"),
            Value::Null,
            &["routing:queue:view"],
        ),
        (
            Method::POST,
            format!("/api/v2/routing/queues/{queue}/members"),
            json!([]),
            &["routing:queue:edit", "routing:queueMember:manage"],
        ),
        // The SDK lists none for these two; API.md's correction 9 and the Resource Center name
        // one, and the sandbox plays the stricter.
        (
            Method::GET,
            "/api/v2/locations".into(),
            Value::Null,
            &["locations:location:view"],
        ),
        (
            Method::POST,
            format!("/api/v2/authorization/divisions/{sales}/objects/USER"),
            json!([jordan]),
            &["directory:user:edit"],
        ),
    ];
    for (method, path, body, permissions) in guarded {
        let body = (!body.is_null()).then_some(body);
        let answer = wire.send(method.clone(), &path, body).await;
        let code = if permissions.len() > 1 {
            "missing.any.permissions"
        } else {
            "missing.permissions"
        };
        assert_error(&answer, 403, code);
        assert_eq!(
            answer.body["messageParams"]["permissions"],
            permissions.join(", "),
            "{method} {path}"
        );
    }

    // The SDK's docs say "Requires no permissions" for these.
    let open: Vec<(Method, String, Option<Value>, u16)> = vec![
        (Method::GET, "/api/v2/users".into(), None, 200),
        (Method::GET, user.clone(), None, 200),
        (
            Method::GET,
            "/api/v2/authorization/divisions".into(),
            None,
            200,
        ),
        (
            Method::GET,
            "/api/v2/authorization/divisions/home".into(),
            None,
            200,
        ),
        (Method::GET, format!("{user}/routingskills"), None, 200),
        (
            Method::GET,
            "/api/v2/organizations/limits/namespaces/platform.api".into(),
            None,
            200,
        ),
    ];
    for (method, path, body, status) in open {
        let answer = wire.send(method.clone(), &path, body).await;
        assert_eq!(answer.status, status, "{method} {path}: {}", answer.body);
    }
}
