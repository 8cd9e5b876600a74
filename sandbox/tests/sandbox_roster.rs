//! The sandbox answers the reads an export of the org's users makes as Genesys Cloud does: the
//! users listing's expansions, the cursor listing past the 10,000-user ceiling, who holds a
//! role in which divisions, and who is in a queue — status, body, paging, the permission each
//! needs, and not found.

#[path = "../../tests/support/mod.rs"]
mod support;

use std::collections::HashSet;

use rollcall_sandbox::{Sandbox, SandboxClient, SandboxConfig};
use serde_json::{json, Value};
use support::{start, user_with_email, Wire};

const JORDAN: &str = "jordan.lee@example.com";
const UNKNOWN_ID: &str = "00000000-0000-4000-8000-000000000000";

/// The demo org, its demo client, and a client that may only view users.
async fn demo_and_viewer() -> (Sandbox, Wire, Wire) {
    let mut config = SandboxConfig::default();
    config.clients.push(SandboxClient::with_permissions(
        "viewer",
        "viewer-secret",
        &["directory:user:view"],
    ));
    let sandbox = start(config).await;
    let wire = Wire::demo(&sandbox).await;
    let viewer = Wire::as_client(&sandbox, "viewer", "viewer-secret").await;
    (sandbox, wire, viewer)
}

/// The id of the entity named `name` in a listing at `path`.
async fn id_of(wire: &Wire, path: &str, name: &str) -> String {
    let listing = wire.get(&format!("{path}?pageSize=100")).await;
    assert_eq!(listing.status, 200, "{}", listing.body);
    listing.body["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {path}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn entity<'a>(listing: &'a Value, id: &str) -> &'a Value {
    listing["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {listing}"))
}

#[tokio::test]
async fn the_users_listing_expands_skills_and_languages_only_when_asked() {
    let (sandbox, wire, _) = demo_and_viewer().await;
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let billing = id_of(&wire, "/api/v2/routing/skills", "Billing").await;
    let french = id_of(&wire, "/api/v2/routing/languages", "French").await;
    let skills = wire
        .patch(
            &format!("/api/v2/users/{jordan}/routingskills/bulk"),
            json!([{ "id": billing, "proficiency": 4.5 }]),
        )
        .await;
    assert_eq!(skills.status, 200, "{}", skills.body);
    let languages = wire
        .patch(
            &format!("/api/v2/users/{jordan}/routinglanguages/bulk"),
            json!([{ "id": french, "proficiency": 3 }]),
        )
        .await;
    assert_eq!(languages.status, 200, "{}", languages.body);

    let plain = wire.get("/api/v2/users?pageSize=100").await;
    assert_eq!(plain.status, 200, "{}", plain.body);
    assert!(entity(&plain.body, &jordan).get("skills").is_none());
    let expanded = wire
        .get("/api/v2/users?pageSize=100&expand=skills,languages,locations")
        .await;
    assert_eq!(expanded.status, 200, "{}", expanded.body);
    let user = entity(&expanded.body, &jordan);
    assert_eq!(user["skills"][0]["name"], "Billing");
    assert_eq!(user["skills"][0]["proficiency"], 4.5);
    assert_eq!(user["languages"][0]["name"], "French");
    assert_eq!(user["languages"][0]["proficiency"], 3.0);
    assert_eq!(user["locations"], json!([]));
}

#[tokio::test]
async fn the_cursor_listing_walks_every_user_of_a_state_once() {
    let (sandbox, wire, _) = demo_and_viewer().await;
    let active: HashSet<String> = sandbox
        .users()
        .into_iter()
        .filter(|u| u.state == rollcall_core::genesys::UserState::Active)
        .map(|u| u.id)
        .collect();
    assert!(
        active.len() > 1,
        "the demo org has more than one active user"
    );
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => "/api/v2/users/query?pageSize=1&state=active".to_owned(),
            Some(c) => format!("/api/v2/users/query?pageSize=1&state=active&cursor={c}"),
        };
        let page = wire.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        for user in page.body["entities"].as_array().unwrap() {
            seen.push(user["id"].as_str().unwrap().to_owned());
        }
        match page.body["cursor"].as_str() {
            Some(next) => {
                assert!(page.body["nextUri"].is_string(), "{}", page.body);
                cursor = Some(next.to_owned());
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), active.len(), "each user once: {seen:?}");
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), active);

    let bad = wire.get("/api/v2/users/query?cursor=not-a-cursor").await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(bad.body["code"], "invalid.value");
}

#[tokio::test]
async fn a_role_s_subject_grants_list_each_holder_with_its_divisions() {
    let (sandbox, wire, viewer) = demo_and_viewer().await;
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let agent = id_of(&wire, "/api/v2/authorization/roles", "Agent").await;
    let sales = id_of(&wire, "/api/v2/authorization/divisions", "Sales").await;
    let support = id_of(&wire, "/api/v2/authorization/divisions", "Support").await;
    let granted = wire
        .post(
            &format!("/api/v2/authorization/subjects/{jordan}/bulkadd"),
            json!({ "grants": [
                { "roleId": agent, "divisionId": sales },
                { "roleId": agent, "divisionId": support },
            ] }),
        )
        .await;
    assert!(granted.status < 300, "{}", granted.body);

    let path = format!("/api/v2/authorization/roles/{agent}/subjectgrants");
    let holders = wire.get(&path).await;
    assert_eq!(holders.status, 200, "{}", holders.body);
    let holder = entity(&holders.body, &jordan);
    assert_eq!(holder["type"], "PC_USER");
    let mut divisions: Vec<&str> = holder["divisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    divisions.sort();
    assert_eq!(divisions, ["Sales", "Support"]);
    assert_eq!(holders.body["pageNumber"], 1);

    let unknown = wire
        .get(&format!(
            "/api/v2/authorization/roles/{UNKNOWN_ID}/subjectgrants"
        ))
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    let refused = viewer.get(&path).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("authorization:role:view")),
        "{}",
        refused.body
    );
}

#[tokio::test]
async fn a_queue_s_members_are_listed_page_by_page() {
    let (sandbox, wire, viewer) = demo_and_viewer().await;
    let users: Vec<String> = (sandbox.users().into_iter())
        .filter(|u| u.state != rollcall_core::genesys::UserState::Deleted)
        .map(|u| u.id)
        .collect();
    let queue = id_of(&wire, "/api/v2/routing/queues", "Sales").await;
    let members: Vec<Value> = users.iter().map(|id| json!({ "id": id })).collect();
    let added = wire
        .post(
            &format!("/api/v2/routing/queues/{queue}/members"),
            json!(members),
        )
        .await;
    assert!(added.status < 300, "{}", added.body);

    let path = format!("/api/v2/routing/queues/{queue}/members");
    let first = wire.get(&format!("{path}?pageSize=1&pageNumber=1")).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["total"], users.len());
    assert_eq!(first.body["pageCount"], users.len());
    assert_eq!(first.body["entities"].as_array().unwrap().len(), 1);
    let member = &first.body["entities"][0];
    assert_eq!(member["user"]["id"], users[0]);
    assert_eq!(member["memberBy"], "user");
    let all = wire.get(&format!("{path}?pageSize=100")).await;
    let listed: Vec<&str> = all.body["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, users);

    let unknown = wire
        .get(&format!("/api/v2/routing/queues/{UNKNOWN_ID}/members"))
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    let refused = viewer.get(&path).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
}
