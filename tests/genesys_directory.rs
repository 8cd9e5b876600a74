//! Roles, queues, routing skills and locations: the client's lookups and writes against the
//! sandbox org over real HTTP, the sandbox's limits, errors and permissions, and its state file.

mod support;

use rollcall_core::genesys::{
    Contact, CreateUser, GenesysError, RoleGrant, UserLocation, UserPatch, UserSkill, UserState,
    MAX_QUEUE_MEMBERS_PER_CALL, MAX_SKILLS_PER_CALL,
};
use rollcall_sandbox::{
    Sandbox, SandboxClient, SandboxConfig, Seed, SeedUser, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
};
use serde_json::{json, Value};
use support::{client_for, demo, demo_client, raw_http, start};

fn seeded(seed: Seed) -> SandboxConfig {
    SandboxConfig {
        seed,
        ..SandboxConfig::default()
    }
}

fn user_id(sandbox: &Sandbox, email: &str) -> String {
    sandbox
        .users()
        .into_iter()
        .find(|u| u.email == email)
        .map(|u| u.id)
        .unwrap_or_else(|| panic!("{email} is in the org"))
}

fn role_id(sandbox: &Sandbox, name: &str) -> String {
    let role = sandbox.roles().into_iter().find(|r| r.name == name);
    role.unwrap_or_else(|| panic!("role {name}")).id
}

fn queue_id(sandbox: &Sandbox, name: &str) -> String {
    let queue = sandbox.queues().into_iter().find(|q| q.name == name);
    queue.unwrap_or_else(|| panic!("queue {name}")).id
}

fn skill_id(sandbox: &Sandbox, name: &str) -> String {
    let skill = sandbox.skills().into_iter().find(|s| s.name == name);
    skill.unwrap_or_else(|| panic!("skill {name}")).id
}

fn location_id(sandbox: &Sandbox, name: &str) -> String {
    let location = sandbox.locations().into_iter().find(|l| l.name == name);
    location.unwrap_or_else(|| panic!("location {name}")).id
}

fn division_id(sandbox: &Sandbox, name: &str) -> String {
    let division = sandbox.divisions().into_iter().find(|d| d.name == name);
    division.unwrap_or_else(|| panic!("division {name}")).id
}

const JORDAN: &str = "jordan.lee@example.com";
const AVERY: &str = "avery.admin@example.com";
const RILEY_DELETED: &str = "riley.morgan@example.com";
const UNKNOWN_ID: &str = "00000000-0000-4000-8000-000000000000";

/// Raw HTTP with the demo client's token, for what the client refuses to send.
struct Raw {
    http: reqwest::Client,
    base: String,
    bearer: String,
}

impl Raw {
    async fn new(sandbox: &Sandbox) -> Raw {
        Raw::as_client(sandbox, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).await
    }

    async fn as_client(sandbox: &Sandbox, id: &str, secret: &str) -> Raw {
        let http = raw_http();
        let token: Value = http
            .post(format!("{}/oauth/token", sandbox.url()))
            .basic_auth(id, Some(secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Raw {
            http,
            base: sandbox.url().to_owned(),
            bearer: token["access_token"].as_str().expect("token").to_owned(),
        }
    }

    /// Send and return the status and the JSON body (`null` when empty).
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.bearer);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, body)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn names(&self, path: &str) -> Vec<String> {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        body["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn assert_error(answer: &(u16, Value), status: u16, code: &str) {
    assert_eq!(answer.0, status, "{}", answer.1);
    assert_eq!(answer.1["code"], code, "{}", answer.1);
    assert_eq!(answer.1["status"], status);
    assert!(answer.1["contextId"].is_string(), "{}", answer.1);
}

fn api_status_and_code(err: &GenesysError) -> (Option<u16>, Option<&str>) {
    (err.status(), err.code())
}

#[tokio::test]
async fn the_demo_directory_is_listed_sorted_by_name() {
    let sandbox = demo().await;
    let client = demo_client(&sandbox);

    let roles = client.list_roles().await.unwrap().value;
    let names: Vec<_> = roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Admin",
            "Agent",
            "Employee",
            "Quality Evaluator",
            "Supervisor"
        ]
    );
    assert!(roles.iter().all(|r| !r.id.is_empty()));
    assert!(roles[1].description.as_deref().unwrap().contains("queues"));

    let queues = client.list_queues().await.unwrap().value;
    let names: Vec<_> = queues.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Billing",
            "Escalations",
            "Sales",
            "Spanish Support",
            "Support"
        ]
    );
    let billing = &queues[0];
    let division = billing.division.as_ref().expect("a queue has a division");
    assert_eq!(division.name.as_deref(), Some("Finance"));
    assert_eq!(division.id, division_id(&sandbox, "Finance"));

    let skills = client.list_skills().await.unwrap().value;
    let names: Vec<_> = skills.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["Billing", "English", "French", "Spanish", "Technical"]
    );

    let locations = client.list_locations().await.unwrap().value;
    let names: Vec<_> = locations.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["Indianapolis HQ", "London Office", "Remote"]);

    // Divisions still list through the shared pager.
    assert_eq!(client.list_divisions().await.unwrap().value.len(), 5);
}

#[tokio::test]
async fn every_listing_is_read_across_pages() {
    let seed = Seed::empty()
        .with_queues((0..300).map(|i| format!("Queue {i:03}")))
        .with_roles((0..101).map(|i| format!("Role {i:03}")))
        .with_skills((0..250).map(|i| format!("Skill {i:03}")))
        .with_locations((0..120).map(|i| format!("Site {i:03}")));
    let sandbox = start(seeded(seed)).await;
    let client = demo_client(&sandbox);
    client.authenticate().await.unwrap();

    let before = sandbox.stats().directory_pages;
    let queues = client.list_queues().await.unwrap().value;
    assert_eq!(queues.len(), 300);
    assert_eq!(queues[0].name, "Queue 000");
    assert_eq!(queues[299].name, "Queue 299");
    let unique: std::collections::HashSet<_> = queues.iter().map(|q| &q.id).collect();
    assert_eq!(unique.len(), 300, "no queue is read twice");
    assert_eq!(
        sandbox.stats().directory_pages - before,
        3,
        "300 queues are 3 pages of 100"
    );
    assert_eq!(client.list_roles().await.unwrap().value.len(), 101);
    assert_eq!(client.list_skills().await.unwrap().value.len(), 250);
    assert_eq!(client.list_locations().await.unwrap().value.len(), 120);
    assert_eq!(sandbox.stats().directory_pages - before, 3 + 2 + 3 + 2);
}

#[tokio::test]
async fn name_filters_work_as_each_listing_documents() {
    let sandbox = start(seeded(
        Seed::demo().with_skills(["Spanish Written", "Technical Billing"]),
    ))
    .await;
    let raw = Raw::new(&sandbox).await;

    // Roles: the exact name only.
    assert_eq!(
        raw.names("/api/v2/authorization/roles?name=Agent").await,
        ["Agent"]
    );
    assert!(raw
        .names("/api/v2/authorization/roles?name=Age")
        .await
        .is_empty());
    // Queues: leading and trailing `*`.
    assert_eq!(
        raw.names("/api/v2/routing/queues?name=Support").await,
        ["Support"]
    );
    assert_eq!(
        raw.names("/api/v2/routing/queues?name=*Support").await,
        ["Spanish Support", "Support"]
    );
    assert_eq!(
        raw.names("/api/v2/routing/queues?name=S*").await,
        ["Sales", "Spanish Support", "Support"]
    );
    assert_eq!(
        raw.names("/api/v2/routing/queues?name=*scal*").await,
        ["Escalations"]
    );
    let support = division_id(&sandbox, "Support");
    assert_eq!(
        raw.names(&format!("/api/v2/routing/queues?divisionId={support}"))
            .await,
        ["Escalations", "Spanish Support", "Support"]
    );
    // Skills: names that start with the value.
    assert_eq!(
        raw.names("/api/v2/routing/skills?name=Spanish").await,
        ["Spanish", "Spanish Written"]
    );
    assert!(raw
        .names("/api/v2/routing/skills?name=Written")
        .await
        .is_empty());
    // Ids, several at once as the SDKs send them.
    let (english, french) = (skill_id(&sandbox, "English"), skill_id(&sandbox, "French"));
    assert_eq!(
        raw.names(&format!("/api/v2/routing/skills?id={english},{french}"))
            .await,
        ["English", "French"]
    );

    // Paging parameters are checked like the users listing's.
    for path in [
        "/api/v2/authorization/roles?pageSize=101",
        "/api/v2/routing/queues?pageNumber=0",
        "/api/v2/routing/skills?pageSize=abc",
        "/api/v2/locations?pageSize=0",
    ] {
        assert_error(&raw.get(path).await, 400, "invalid.value");
    }
    let (status, page) = raw
        .get("/api/v2/routing/queues?pageSize=2&pageNumber=3")
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], 5);
    assert_eq!(page["pageCount"], 3);
    assert_eq!(page["entities"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn roles_are_granted_once_and_read_back_with_their_divisions() {
    let sandbox = demo().await;
    let client = demo_client(&sandbox);
    let jordan = user_id(&sandbox, JORDAN);
    let grants = [
        RoleGrant {
            role_id: role_id(&sandbox, "Agent"),
            division_id: division_id(&sandbox, "Sales"),
        },
        RoleGrant {
            role_id: role_id(&sandbox, "Employee"),
            division_id: "*".to_owned(),
        },
    ];
    let reply = client.grant_roles(&jordan, &grants).await.expect("granted");
    assert_eq!(reply.meta.status, 204);
    // Granting again changes nothing.
    client.grant_roles(&jordan, &grants[..1]).await.unwrap();

    let subject = client.user_grants(&jordan).await.unwrap().value;
    assert_eq!(subject.id, jordan);
    assert_eq!(subject.grants.len(), 2, "{subject:?}");
    let agent = &subject.grants[0];
    assert_eq!(agent.role.name.as_deref(), Some("Agent"));
    assert_eq!(agent.division.name.as_deref(), Some("Sales"));
    assert_eq!(subject.grants[1].division.id, "*");
    let mut pairs = subject.pairs();
    pairs.sort_by(|a, b| a.role_id.cmp(&b.role_id));
    let mut expected = grants.to_vec();
    expected.sort_by(|a, b| a.role_id.cmp(&b.role_id));
    assert_eq!(pairs, expected);

    let stored = sandbox
        .users()
        .into_iter()
        .find(|u| u.id == jordan)
        .unwrap();
    assert_eq!(stored.grants.len(), 2);
    assert_eq!(sandbox.stats().grant_calls, 2);

    // Someone without grants has none.
    let avery = user_id(&sandbox, AVERY);
    assert!(client
        .user_grants(&avery)
        .await
        .unwrap()
        .value
        .grants
        .is_empty());
}

#[tokio::test]
async fn skills_are_merged_and_read_back() {
    let sandbox = demo().await;
    let client = demo_client(&sandbox);
    let jordan = user_id(&sandbox, JORDAN);
    let skill = |name: &str, proficiency: f64| UserSkill {
        id: skill_id(&sandbox, name),
        proficiency,
    };

    let answer = client
        .add_user_skills(&jordan, &[skill("English", 3.0), skill("Spanish", 4.5)])
        .await
        .unwrap()
        .value;
    assert_eq!(answer.len(), 2);
    let answer = client
        .add_user_skills(&jordan, &[skill("English", 5.0), skill("French", 0.0)])
        .await
        .unwrap()
        .value;
    let summary: Vec<_> = answer
        .iter()
        .map(|s| (s.name.as_deref().unwrap(), s.proficiency))
        .collect();
    assert_eq!(
        summary,
        [("English", 5.0), ("French", 0.0), ("Spanish", 4.5)],
        "English updated, Spanish kept, French added"
    );

    let read = client.user_skills(&jordan).await.unwrap().value;
    assert_eq!(read, answer);
    assert_eq!(sandbox.stats().skill_calls, 2);
}

#[tokio::test]
async fn a_user_skill_listing_is_read_across_pages() {
    let sandbox = start(seeded(
        Seed::demo().with_skills((0..130).map(|i| format!("Product {i:03}"))),
    ))
    .await;
    let client = demo_client(&sandbox);
    let jordan = user_id(&sandbox, JORDAN);
    let ids: Vec<_> = sandbox
        .skills()
        .into_iter()
        .filter(|s| s.name.starts_with("Product"))
        .map(|s| s.id)
        .collect();
    for chunk in ids.chunks(MAX_SKILLS_PER_CALL) {
        let skills: Vec<_> = chunk
            .iter()
            .map(|id| UserSkill {
                id: id.clone(),
                proficiency: 2.0,
            })
            .collect();
        client.add_user_skills(&jordan, &skills).await.unwrap();
    }
    let read = client.user_skills(&jordan).await.unwrap().value;
    assert_eq!(read.len(), 130, "130 skills are two pages of 100");
}

#[tokio::test]
async fn queue_members_are_added_once_removed_and_read_back() {
    let sandbox = demo().await;
    let client = demo_client(&sandbox);
    let (jordan, avery) = (user_id(&sandbox, JORDAN), user_id(&sandbox, AVERY));
    let sales = queue_id(&sandbox, "Sales");
    let support = queue_id(&sandbox, "Support");

    let reply = client
        .add_queue_members(&sales, &[jordan.clone(), avery.clone()])
        .await
        .unwrap();
    assert_eq!(reply.meta.status, 204);
    client
        .add_queue_members(&support, std::slice::from_ref(&jordan))
        .await
        .unwrap();
    // Adding a member again changes nothing.
    client
        .add_queue_members(&sales, std::slice::from_ref(&jordan))
        .await
        .unwrap();

    let queues = client.user_queues(&jordan).await.unwrap().value;
    let names: Vec<_> = queues.iter().map(|q| q.name.as_deref().unwrap()).collect();
    assert_eq!(names, ["Sales", "Support"]);
    assert_eq!(queues[0].joined, Some(true));
    assert_eq!(
        queues[0].division.as_ref().unwrap().name.as_deref(),
        Some("Sales")
    );
    let in_org = sandbox.queues();
    let sales_queue = in_org.iter().find(|q| q.id == sales).unwrap();
    assert_eq!(sales_queue.member_ids, [jordan.clone(), avery.clone()]);

    // `?delete=true` removes.
    let raw = Raw::new(&sandbox).await;
    let (status, _) = raw
        .send(
            reqwest::Method::POST,
            &format!("/api/v2/routing/queues/{sales}/members?delete=true"),
            Some(json!([{ "id": jordan }])),
        )
        .await;
    assert_eq!(status, 204);
    let names: Vec<_> = client
        .user_queues(&jordan)
        .await
        .unwrap()
        .value
        .into_iter()
        .map(|q| q.name.unwrap())
        .collect();
    assert_eq!(names, ["Support"]);
    assert_eq!(client.user_queues(&avery).await.unwrap().value.len(), 1);
    assert_eq!(sandbox.stats().queue_member_calls, 4);
}

#[tokio::test]
async fn location_and_extension_are_patched_and_read_back_with_expand() {
    let sandbox = demo().await;
    let client = demo_client(&sandbox);
    let jordan = user_id(&sandbox, JORDAN);
    let london = location_id(&sandbox, "London Office");
    let user = client.get_user(&jordan).await.unwrap().value;
    let extension = Contact {
        extension: Some("4321".to_owned()),
        media_type: "PHONE".to_owned(),
        kind: "WORK2".to_owned(),
        ..Contact::default()
    };
    let patched = client
        .patch_user(
            &jordan,
            &UserPatch {
                version: user.version,
                locations: Some(vec![UserLocation::new(&london)]),
                addresses: Some(vec![Contact::work_phone("+13175550100"), extension]),
                ..UserPatch::default()
            },
        )
        .await
        .unwrap()
        .value;
    assert_eq!(patched.version, user.version + 1);
    assert!(
        patched.locations.is_empty(),
        "locations come only with expand=locations"
    );

    let expanded = client
        .get_user_expanded(&jordan, &["locations"])
        .await
        .unwrap()
        .value;
    let ids: Vec<_> = expanded
        .locations
        .iter()
        .map(|l| l.location_id().unwrap())
        .collect();
    assert_eq!(ids, [london.as_str()]);
    let extension = expanded
        .addresses
        .iter()
        .find(|c| c.extension.is_some())
        .expect("the extension is kept");
    assert_eq!(extension.extension.as_deref(), Some("4321"));
    assert_eq!(extension.kind, "WORK2");
    assert_eq!(expanded.addresses.len(), 2);
    assert!(client
        .get_user(&jordan)
        .await
        .unwrap()
        .value
        .locations
        .is_empty());
    let stored = sandbox
        .users()
        .into_iter()
        .find(|u| u.id == jordan)
        .unwrap();
    assert_eq!(stored.location_ids, [london]);
    assert_eq!(sandbox.stats().user_patches, 1);
}

#[tokio::test]
async fn patch_refuses_unknown_locations_and_contacts_without_address_or_extension() {
    let sandbox = demo().await;
    let raw = Raw::new(&sandbox).await;
    let jordan = user_id(&sandbox, JORDAN);
    let path = format!("/api/v2/users/{jordan}");
    let patch = |body: Value| raw.send(reqwest::Method::PATCH, &path, Some(body));

    let answer = patch(
        json!({ "version": 1, "locations": [{ "locationDefinition": { "id": UNKNOWN_ID } }] }),
    )
    .await;
    assert_error(&answer, 400, "invalid.value");
    assert!(answer.1["message"].as_str().unwrap().contains(UNKNOWN_ID));
    let answer =
        patch(json!({ "version": 1, "addresses": [{ "mediaType": "PHONE", "type": "WORK" }] }))
            .await;
    assert_error(&answer, 400, "invalid.value");
    let answer = patch(json!({ "version": 1, "locations": [{ "notes": "no id" }] })).await;
    assert_error(&answer, 400, "invalid.value");
    assert_eq!(
        sandbox
            .users()
            .into_iter()
            .find(|u| u.id == jordan)
            .unwrap()
            .version,
        1,
        "nothing was changed"
    );

    // The write shape Genesys's own Terraform provider uses (`{"id"}`) is accepted too, with an
    // extension on the work phone itself.
    let remote = location_id(&sandbox, "Remote");
    let answer = patch(json!({
        "version": 1,
        "locations": [{ "id": remote }],
        "addresses": [{ "address": "+13175550100", "extension": "77", "mediaType": "PHONE", "type": "WORK" }],
    }))
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    let (_, user) = raw
        .get(&format!("/api/v2/users/{jordan}?expand=locations"))
        .await;
    assert_eq!(
        user["locations"][0]["locationDefinition"]["id"],
        remote.as_str()
    );
    assert_eq!(user["addresses"][0]["extension"], "77");
}

#[tokio::test]
async fn more_than_a_call_takes_is_refused_by_the_client_without_a_request() {
    let users: Vec<SeedUser> = (0..MAX_QUEUE_MEMBERS_PER_CALL)
        .map(|i| SeedUser {
            name: format!("Member {i}"),
            email: format!("member{i}@example.com"),
            state: UserState::Active,
            division: None,
        })
        .collect();
    let mut seed = Seed::demo().with_skills((0..60).map(|i| format!("Product {i:02}")));
    seed.users.extend(users);
    let sandbox = start(seeded(seed)).await;
    let client = demo_client(&sandbox);
    client.authenticate().await.unwrap();
    let jordan = user_id(&sandbox, JORDAN);
    let sales = queue_id(&sandbox, "Sales");
    let skills: Vec<UserSkill> = sandbox
        .skills()
        .into_iter()
        .filter(|s| s.name.starts_with("Product"))
        .map(|s| UserSkill {
            id: s.id,
            proficiency: 1.0,
        })
        .collect();
    let mut members: Vec<String> = sandbox
        .users()
        .into_iter()
        .filter(|u| u.email.starts_with("member"))
        .map(|u| u.id)
        .collect();
    members.push(jordan.clone());

    let before = sandbox.stats().requests;
    let err = client
        .add_user_skills(&jordan, &skills[..MAX_SKILLS_PER_CALL + 1])
        .await
        .unwrap_err();
    assert!(matches!(err, GenesysError::InvalidInput { .. }), "{err:?}");
    assert!(err.to_string().contains("at most 50"), "{err}");
    let err = client
        .add_queue_members(&sales, &members[..MAX_QUEUE_MEMBERS_PER_CALL + 1])
        .await
        .unwrap_err();
    assert!(matches!(err, GenesysError::InvalidInput { .. }), "{err:?}");
    assert!(err.to_string().contains("at most 100"), "{err}");
    assert_eq!(sandbox.stats().requests, before, "no request was sent");

    // Exactly the limit goes through.
    let answer = client
        .add_user_skills(&jordan, &skills[..MAX_SKILLS_PER_CALL])
        .await
        .unwrap();
    assert_eq!(answer.value.len(), 50);
    client
        .add_queue_members(&sales, &members[..MAX_QUEUE_MEMBERS_PER_CALL])
        .await
        .unwrap();
    let queue = sandbox
        .queues()
        .into_iter()
        .find(|q| q.id == sales)
        .unwrap();
    assert_eq!(queue.member_ids.len(), 100);
}

#[tokio::test]
async fn the_sandbox_refuses_oversized_and_malformed_bulk_bodies() {
    let sandbox = start(seeded(
        Seed::demo().with_skills((0..60).map(|i| format!("Product {i:02}"))),
    ))
    .await;
    let raw = Raw::new(&sandbox).await;
    let jordan = user_id(&sandbox, JORDAN);
    let sales = queue_id(&sandbox, "Sales");
    let skills_path = format!("/api/v2/users/{jordan}/routingskills/bulk");
    let members_path = format!("/api/v2/routing/queues/{sales}/members");
    let english = skill_id(&sandbox, "English");
    let all_skills: Vec<Value> = sandbox
        .skills()
        .iter()
        .take(51)
        .map(|s| json!({ "id": s.id, "proficiency": 1 }))
        .collect();
    let many_members: Vec<Value> = (0..101).map(|_| json!({ "id": jordan })).collect();
    let patch = reqwest::Method::PATCH;
    let post = reqwest::Method::POST;

    let cases: Vec<(reqwest::Method, &str, Value, u16, &str)> = vec![
        (
            patch.clone(),
            &skills_path,
            json!(all_skills),
            400,
            "bad.request",
        ),
        (patch.clone(), &skills_path, json!([]), 400, "bad.request"),
        (
            patch.clone(),
            &skills_path,
            json!({ "id": english }),
            400,
            "bad.request",
        ),
        (
            patch.clone(),
            &skills_path,
            json!([{ "id": english, "proficiency": 5.5 }]),
            400,
            "invalid.value",
        ),
        (
            patch.clone(),
            &skills_path,
            json!([{ "id": english, "proficiency": -1 }]),
            400,
            "invalid.value",
        ),
        (
            patch.clone(),
            &skills_path,
            json!([{ "id": english }]),
            400,
            "invalid.value",
        ),
        (
            patch.clone(),
            &skills_path,
            json!([{ "id": english, "proficiency": 1 }, { "id": english, "proficiency": 2 }]),
            400,
            "invalid.value",
        ),
        (
            post.clone(),
            &members_path,
            json!(many_members),
            400,
            "bad.request",
        ),
        (post.clone(), &members_path, json!([]), 400, "bad.request"),
        (
            post.clone(),
            &members_path,
            json!([{ "name": "no id" }]),
            400,
            "invalid.value",
        ),
    ];
    for (method, path, body, status, code) in cases {
        let answer = raw.send(method, path, Some(body.clone())).await;
        assert_error(&answer, status, code);
    }
    let stored = sandbox
        .users()
        .into_iter()
        .find(|u| u.id == jordan)
        .unwrap();
    assert!(stored.skills.is_empty(), "no refused call changed the user");
    let queue = sandbox
        .queues()
        .into_iter()
        .find(|q| q.id == sales)
        .unwrap();
    assert!(queue.member_ids.is_empty());
    let bulkadd = format!("/api/v2/authorization/subjects/{jordan}/bulkadd");
    assert_error(
        &raw.send(post.clone(), &bulkadd, Some(json!({ "grants": [] })))
            .await,
        400,
        "invalid.value",
    );
    assert_error(
        &raw.send(post.clone(), &bulkadd, Some(json!([{ "roleId": "x" }])))
            .await,
        400,
        "bad.request",
    );
    assert_error(
        &raw.send(
            post,
            &bulkadd,
            Some(json!({ "grants": [{ "roleId": "x" }] })),
        )
        .await,
        400,
        "invalid.value",
    );
}

#[tokio::test]
async fn unknown_ids_get_the_status_genesys_would_give() {
    let sandbox = demo().await;
    let client = demo_client(&sandbox);
    let jordan = user_id(&sandbox, JORDAN);
    let deleted = user_id(&sandbox, RILEY_DELETED);
    let agent = role_id(&sandbox, "Agent");
    let sales_division = division_id(&sandbox, "Sales");
    let grant = |role: &str, division: &str| RoleGrant {
        role_id: role.to_owned(),
        division_id: division.to_owned(),
    };
    let skill = |id: &str| UserSkill {
        id: id.to_owned(),
        proficiency: 3.0,
    };
    let not_found = (Some(404), Some("not.found"));
    let invalid = (Some(400), Some("invalid.value"));

    let err = client
        .grant_roles(UNKNOWN_ID, &[grant(&agent, &sales_division)])
        .await
        .unwrap_err();
    assert_eq!(api_status_and_code(&err), not_found);
    let err = client
        .grant_roles(&deleted, &[grant(&agent, &sales_division)])
        .await
        .unwrap_err();
    assert_eq!(
        api_status_and_code(&err),
        not_found,
        "a deleted user has no grants"
    );
    let err = client
        .grant_roles(&jordan, &[grant(UNKNOWN_ID, &sales_division)])
        .await
        .unwrap_err();
    assert_eq!(api_status_and_code(&err), invalid);
    assert!(err.to_string().contains(UNKNOWN_ID), "{err}");
    let err = client
        .grant_roles(
            &jordan,
            &[grant(&agent, &sales_division), grant(&agent, UNKNOWN_ID)],
        )
        .await
        .unwrap_err();
    assert_eq!(api_status_and_code(&err), invalid);
    assert!(
        client
            .user_grants(&jordan)
            .await
            .unwrap()
            .value
            .grants
            .is_empty(),
        "a refused call grants nothing, not even its valid part"
    );
    let err = client.user_grants(UNKNOWN_ID).await.unwrap_err();
    assert_eq!(api_status_and_code(&err), not_found);

    let err = client
        .add_user_skills(&jordan, &[skill(UNKNOWN_ID)])
        .await
        .unwrap_err();
    assert_eq!(api_status_and_code(&err), invalid);
    let english = skill_id(&sandbox, "English");
    let err = client
        .add_user_skills(UNKNOWN_ID, &[skill(&english)])
        .await
        .unwrap_err();
    assert_eq!(api_status_and_code(&err), not_found);
    let err = client.user_skills(UNKNOWN_ID).await.unwrap_err();
    assert_eq!(api_status_and_code(&err), not_found);

    let err = client
        .add_queue_members(UNKNOWN_ID, std::slice::from_ref(&jordan))
        .await
        .unwrap_err();
    assert_eq!(api_status_and_code(&err), not_found);
    let sales = queue_id(&sandbox, "Sales");
    let err = client
        .add_queue_members(&sales, &[jordan.clone(), UNKNOWN_ID.to_owned()])
        .await
        .unwrap_err();
    assert_eq!(api_status_and_code(&err), invalid);
    let err = client
        .add_queue_members(&sales, std::slice::from_ref(&deleted))
        .await
        .unwrap_err();
    assert_eq!(api_status_and_code(&err), invalid);
    let err = client.user_queues(UNKNOWN_ID).await.unwrap_err();
    assert_eq!(api_status_and_code(&err), not_found);
    assert!(client.user_queues(&jordan).await.unwrap().value.is_empty());

    let version = client.get_user(&jordan).await.unwrap().value.version;
    let err = client
        .patch_user(
            &jordan,
            &UserPatch {
                version,
                locations: Some(vec![UserLocation::new(UNKNOWN_ID)]),
                ..UserPatch::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(api_status_and_code(&err), invalid);
}

#[tokio::test]
async fn each_call_names_the_permission_it_lacks() {
    let sandbox = start(SandboxConfig {
        clients: vec![SandboxClient::with_permissions(
            "viewer",
            "viewer-secret",
            &["directory:user:view"],
        )],
        ..SandboxConfig::default()
    })
    .await;
    let client = client_for(&sandbox, "viewer", "viewer-secret");
    let jordan = user_id(&sandbox, JORDAN);
    let sales = queue_id(&sandbox, "Sales");

    // Genesys documents no permission for this.
    assert!(client.user_skills(&jordan).await.unwrap().value.is_empty());

    let one = |permission: &str| (permission.to_owned(), "missing.permissions");
    let checks: Vec<(GenesysError, (String, &str))> = vec![
        (
            client.list_locations().await.unwrap_err(),
            one("locations:location:view"),
        ),
        (
            client.list_roles().await.unwrap_err(),
            one("authorization:role:view"),
        ),
        (
            client.list_queues().await.unwrap_err(),
            one("routing:queue:view"),
        ),
        (
            client.list_skills().await.unwrap_err(),
            one("routing:skill:view"),
        ),
        (
            client.user_queues(&jordan).await.unwrap_err(),
            one("routing:queue:view"),
        ),
        (
            client
                .grant_roles(
                    &jordan,
                    &[RoleGrant {
                        role_id: role_id(&sandbox, "Agent"),
                        division_id: "*".into(),
                    }],
                )
                .await
                .unwrap_err(),
            one("authorization:grant:add"),
        ),
        (
            client.user_grants(&jordan).await.unwrap_err(),
            one("authorization:grant:view"),
        ),
        (
            client
                .add_user_skills(
                    &jordan,
                    &[UserSkill {
                        id: skill_id(&sandbox, "English"),
                        proficiency: 1.0,
                    }],
                )
                .await
                .unwrap_err(),
            one("routing:skill:assign"),
        ),
    ];
    for (err, (permission, code)) in checks {
        let api = err.api().expect("an API error");
        assert_eq!(api.status, 403);
        assert_eq!(api.code.as_deref(), Some(code));
        assert_eq!(api.missing_permissions(), std::slice::from_ref(&permission));
        assert!(err.to_string().contains(&permission), "{err}");
        assert!(err.is_auth_or_permission());
    }

    let err = client
        .add_queue_members(&sales, std::slice::from_ref(&jordan))
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.status, 403);
    assert_eq!(api.code.as_deref(), Some("missing.any.permissions"));
    assert_eq!(
        api.missing_permissions(),
        ["routing:queue:edit", "routing:queueMember:manage"]
    );
    assert!(sandbox.queues().iter().all(|q| q.member_ids.is_empty()));
    assert!(sandbox.users().iter().all(|u| u.grants.is_empty()));
}

#[tokio::test]
async fn a_client_with_exactly_the_permissions_can_do_everything() {
    let sandbox = start(SandboxConfig {
        clients: vec![SandboxClient::with_permissions(
            "provisioner",
            "provisioner-secret",
            &[
                "authorization:role:view",
                "routing:queue:view",
                "routing:skill:view",
                "locations:location:view",
                "authorization:grant:add",
                "authorization:grant:view",
                "routing:skill:assign",
                "routing:queueMember:manage",
                "directory:user:edit",
            ],
        )],
        ..SandboxConfig::default()
    })
    .await;
    let client = client_for(&sandbox, "provisioner", "provisioner-secret");
    let jordan = user_id(&sandbox, JORDAN);
    let role = client.list_roles().await.unwrap().value.remove(0);
    let queue = client.list_queues().await.unwrap().value.remove(0);
    let skill = client.list_skills().await.unwrap().value.remove(0);
    client
        .grant_roles(
            &jordan,
            &[RoleGrant {
                role_id: role.id,
                division_id: "*".into(),
            }],
        )
        .await
        .unwrap();
    client
        .add_user_skills(
            &jordan,
            &[UserSkill {
                id: skill.id,
                proficiency: 2.0,
            }],
        )
        .await
        .unwrap();
    client
        .add_queue_members(&queue.id, std::slice::from_ref(&jordan))
        .await
        .unwrap();
    assert_eq!(
        client
            .user_grants(&jordan)
            .await
            .unwrap()
            .value
            .grants
            .len(),
        1
    );
    assert_eq!(client.user_queues(&jordan).await.unwrap().value.len(), 1);
}

#[tokio::test]
async fn grants_skills_members_and_locations_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("rollcall-directory-{}", uuid::Uuid::new_v4()));
    let file = dir.join("org.json");
    let config = SandboxConfig {
        state_file: Some(file.clone()),
        seed: Seed::demo().with_queue_in("Night Shift", "Operations"),
        ..SandboxConfig::default()
    };
    let sandbox = start(config.clone()).await;
    let client = demo_client(&sandbox);
    let jordan = user_id(&sandbox, JORDAN);
    let night = queue_id(&sandbox, "Night Shift");
    let remote = location_id(&sandbox, "Remote");
    let supervisor = role_id(&sandbox, "Supervisor");
    let operations = division_id(&sandbox, "Operations");
    client
        .grant_roles(
            &jordan,
            &[RoleGrant {
                role_id: supervisor.clone(),
                division_id: operations.clone(),
            }],
        )
        .await
        .unwrap();
    client
        .add_user_skills(
            &jordan,
            &[UserSkill {
                id: skill_id(&sandbox, "French"),
                proficiency: 4.0,
            }],
        )
        .await
        .unwrap();
    client
        .add_queue_members(&night, std::slice::from_ref(&jordan))
        .await
        .unwrap();
    let version = client.get_user(&jordan).await.unwrap().value.version;
    client
        .patch_user(
            &jordan,
            &UserPatch {
                version,
                locations: Some(vec![UserLocation::new(&remote)]),
                ..UserPatch::default()
            },
        )
        .await
        .unwrap();
    let roles_before = sandbox.roles();
    sandbox.shutdown().await;

    let again = start(config).await;
    assert_eq!(
        again.roles(),
        roles_before,
        "the same roles with the same ids"
    );
    let client = demo_client(&again);
    let grants = client.user_grants(&jordan).await.unwrap().value;
    assert_eq!(grants.grants.len(), 1);
    assert_eq!(grants.grants[0].role.id, supervisor);
    assert_eq!(
        grants.grants[0].division.name.as_deref(),
        Some("Operations")
    );
    let skills = client.user_skills(&jordan).await.unwrap().value;
    assert_eq!(skills.len(), 1);
    assert_eq!(
        (skills[0].name.as_deref(), skills[0].proficiency),
        (Some("French"), 4.0)
    );
    let queues = client.user_queues(&jordan).await.unwrap().value;
    assert_eq!(queues.len(), 1);
    assert_eq!(queues[0].id, night);
    let user = client
        .get_user_expanded(&jordan, &["locations"])
        .await
        .unwrap()
        .value;
    assert_eq!(user.locations[0].location_id(), Some(remote.as_str()));

    // A reset goes back to the seed: new ids, no grants, members or locations.
    again.reset().unwrap();
    assert_ne!(again.roles(), roles_before);
    assert!(again.queues().iter().all(|q| q.member_ids.is_empty()));
    drop(again);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_state_file_from_before_the_directory_still_loads() {
    let dir = std::env::temp_dir().join(format!("rollcall-directory-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("org.json");
    let home = "11111111-1111-4111-8111-111111111111";
    let kept = "22222222-2222-4222-8222-222222222222";
    // What an earlier sandbox wrote: divisions and users, nothing else.
    let old = json!({
        "divisions": [{ "id": home, "name": "Home", "home": true }],
        "users": [{
            "id": kept,
            "name": "Old Timer",
            "email": "old.timer@example.com",
            "state": "active",
            "divisionId": home,
            "title": null,
            "department": null,
            "addresses": [],
            "managerId": null,
            "version": 3,
            "invitations": 1
        }]
    });
    std::fs::write(&file, serde_json::to_vec(&old).unwrap()).unwrap();
    let sandbox = start(SandboxConfig {
        state_file: Some(file.clone()),
        ..SandboxConfig::default()
    })
    .await;
    let users = sandbox.users();
    assert_eq!(users.len(), 1, "the file is used, not the seed");
    assert_eq!(users[0].version, 3);
    assert!(users[0].grants.is_empty() && users[0].skills.is_empty());
    let client = demo_client(&sandbox);
    assert!(client.list_roles().await.unwrap().value.is_empty());
    assert!(client.list_queues().await.unwrap().value.is_empty());
    assert!(client
        .user_grants(kept)
        .await
        .unwrap()
        .value
        .grants
        .is_empty());
    let user = client
        .get_user_expanded(kept, &["locations"])
        .await
        .unwrap()
        .value;
    assert_eq!(user.name.as_deref(), Some("Old Timer"));
    assert!(user.locations.is_empty());
    sandbox.shutdown().await;

    // Saved again, the file now carries the new (empty) lists.
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved["roles"], json!([]));
    assert_eq!(saved["users"][0]["grants"], json!([]));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn every_new_call_counts_against_the_token_rate_limit() {
    let sandbox = demo().await;
    let client = demo_client(&sandbox);
    let jordan = user_id(&sandbox, JORDAN);
    client.list_roles().await.unwrap();
    client.list_queues().await.unwrap();
    client.list_skills().await.unwrap();
    client.list_locations().await.unwrap();
    client.user_grants(&jordan).await.unwrap();
    client.user_skills(&jordan).await.unwrap();
    let reply = client.user_queues(&jordan).await.unwrap();
    assert!(reply.meta.correlation_id.is_some());
    let stats = sandbox.stats();
    assert_eq!(stats.requests, 7);
    assert_eq!(stats.directory_pages, 4);
    assert_eq!(stats.user_detail_reads, 3);
}

#[tokio::test]
async fn created_users_can_be_given_everything_in_one_go() {
    let sandbox = demo().await;
    let client = demo_client(&sandbox);
    let user = client
        .create_user(&CreateUser {
            name: "New Agent".into(),
            email: "new.agent@example.com".into(),
            state: Some(UserState::Active),
            ..CreateUser::default()
        })
        .await
        .unwrap()
        .value;
    let roles = client.list_roles().await.unwrap().value;
    let agent = roles.iter().find(|r| r.name == "Agent").unwrap();
    client
        .grant_roles(
            &user.id,
            &[RoleGrant {
                role_id: agent.id.clone(),
                division_id: user.division.as_ref().unwrap().id.clone(),
            }],
        )
        .await
        .unwrap();
    let queues = client.list_queues().await.unwrap().value;
    let spanish = queues.iter().find(|q| q.name == "Spanish Support").unwrap();
    client
        .add_queue_members(&spanish.id, std::slice::from_ref(&user.id))
        .await
        .unwrap();
    let grants = client.user_grants(&user.id).await.unwrap().value;
    assert_eq!(grants.grants[0].division.name.as_deref(), Some("Home"));
    let queues = client.user_queues(&user.id).await.unwrap().value;
    assert_eq!(queues[0].name.as_deref(), Some("Spanish Support"));
}
