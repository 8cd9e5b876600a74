//! The sandbox answers the WebRTC phone calls as API-day1.md §6 describes Genesys Cloud:
//! sites, phone base settings, the phone, the station that shows a few reads after it, the
//! default station that needs Conversation > Call > Add, and the knob that drops the
//! connection after a phone is made.

#[path = "../../tests/support/mod.rs"]
mod support;

use rollcall_sandbox::{Faults, Sandbox, SandboxClient, SandboxConfig, Seed, Variants};
use serde_json::{json, Value};
use support::{start, user_with_email, Answer, Wire};

const JORDAN: &str = "jordan.lee@example.com";
const UNKNOWN_ID: &str = "00000000-0000-4000-8000-000000000000";
const PHONES: &str = "/api/v2/telephony/providers/edges/phones";

async fn sandbox_with(variants: Variants) -> (Sandbox, Wire) {
    let mut config = SandboxConfig {
        variants,
        ..SandboxConfig::default()
    };
    config.clients.push(SandboxClient::with_permissions(
        "viewer",
        "viewer-secret",
        &["directory:user:view"],
    ));
    let sandbox = start(config).await;
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

fn entities(answer: &Answer) -> &Vec<Value> {
    answer.body["entities"]
        .as_array()
        .unwrap_or_else(|| panic!("entities in {}", answer.body))
}

/// The WebRTC phone body Genesys's Terraform provider sends, for `user_id`.
async fn webrtc_body(wire: &Wire, user_id: &str) -> Value {
    let sites = wire
        .get("/api/v2/telephony/providers/edges/sites?managed=true")
        .await;
    let site = entities(&sites)[0]["id"].clone();
    let settings = wire
        .get("/api/v2/telephony/providers/edges/phonebasesettings")
        .await;
    let webrtc = entities(&settings)
        .iter()
        .find(|s| s["phoneMetaBase"]["id"] == "inin_webrtc_softphone.json")
        .expect("WebRTC phone base settings")
        .clone();
    let line = webrtc["lines"][0]["id"].clone();
    json!({
        "name": "WebRTC - Jordan Lee",
        "state": "active",
        "site": { "id": site },
        "phoneBaseSettings": { "id": webrtc["id"] },
        "lineBaseSettings": { "id": line },
        "phoneMetaBase": { "id": "inin_webrtc_softphone.json" },
        "lines": [{ "name": format!("line_{user_id}"), "lineBaseSettings": { "id": line } }],
        "webRtcUser": { "id": user_id }
    })
}

async fn put(wire: &Wire, path: &str) -> Answer {
    wire.send(reqwest::Method::PUT, path, None).await
}

async fn stations_of(wire: &Wire, user_id: &str) -> Answer {
    wire.get(&format!(
        "/api/v2/stations?webRtcUserId={user_id}&pageSize=100&pageNumber=1"
    ))
    .await
}

#[tokio::test]
async fn sites_are_listed_managed_or_not_and_phone_base_settings_carry_their_meta_base() {
    let (sandbox, wire) = sandbox_with(Variants::default()).await;
    let all = wire.get("/api/v2/telephony/providers/edges/sites").await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(entities(&all).len(), 2);
    let managed = wire
        .get("/api/v2/telephony/providers/edges/sites?managed=true")
        .await;
    assert_eq!(entities(&managed)[0]["name"], "PureCloud Voice - AWS");
    let premises = wire
        .get("/api/v2/telephony/providers/edges/sites?managed=false")
        .await;
    assert_eq!(entities(&premises)[0]["name"], "Indianapolis");

    let settings = wire
        .get("/api/v2/telephony/providers/edges/phonebasesettings")
        .await;
    assert_eq!(settings.status, 200, "{}", settings.body);
    let metas: Vec<&str> = entities(&settings)
        .iter()
        .map(|s| s["phoneMetaBase"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        metas,
        ["polycom_vvx_300.json", "inin_webrtc_softphone.json"]
    );
    let id = entities(&settings)[1]["id"].as_str().unwrap().to_owned();
    let one = wire
        .get(&format!(
            "/api/v2/telephony/providers/edges/phonebasesettings/{id}"
        ))
        .await;
    assert!(one.body["lines"][0]["id"].is_string(), "{}", one.body);
    let unknown = wire
        .get(&format!(
            "/api/v2/telephony/providers/edges/phonebasesettings/{UNKNOWN_ID}"
        ))
        .await;
    assert_status(&unknown, 404, "not.found");
    let refused = viewer(&sandbox)
        .await
        .get("/api/v2/telephony/providers/edges/phonebasesettings")
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body["message"]
        .as_str()
        .unwrap()
        .contains("telephony:plugin:all"));
}

#[tokio::test]
async fn a_webrtc_phone_is_made_for_its_user_and_its_station_shows_on_the_second_read() {
    let (sandbox, wire) = sandbox_with(Variants::default()).await;
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let body = webrtc_body(&wire, &jordan).await;
    let phone = wire.post(PHONES, body).await;
    assert_eq!(phone.status, 200, "{}", phone.body);
    assert_eq!(phone.body["webRtcUser"]["id"], jordan.as_str());

    let first = stations_of(&wire, &jordan).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(entities(&first).is_empty(), "not yet on the first read");
    let second = stations_of(&wire, &jordan).await;
    let station = &entities(&second)[0];
    assert_eq!(station["webRtcUserId"], jordan.as_str());
    assert_eq!(station["status"], "AVAILABLE");

    let listed = wire.get(&format!("{PHONES}?webRtcUser.id={jordan}")).await;
    assert_eq!(entities(&listed).len(), 1);
    assert!(
        entities(&listed)[0].get("webRtcUser").is_none(),
        "a listing leaves the user out unless asked"
    );
    let with_user = wire
        .get(&format!(
            "{PHONES}?webRtcUser.id={jordan}&fields=webRtcUser"
        ))
        .await;
    assert_eq!(entities(&with_user)[0]["webRtcUser"]["id"], jordan.as_str());
    let phone_id = phone.body["id"].as_str().unwrap();
    assert_eq!(wire.get(&format!("{PHONES}/{phone_id}")).await.status, 200);
    assert_status(
        &wire.get(&format!("{PHONES}/{UNKNOWN_ID}")).await,
        404,
        "not.found",
    );
    let nobody = wire
        .get(&format!("{PHONES}?webRtcUser.id={UNKNOWN_ID}"))
        .await;
    assert!(entities(&nobody).is_empty());
}

#[tokio::test]
async fn the_station_shows_on_the_read_the_variant_names() {
    let (sandbox, wire) = sandbox_with(Variants {
        station_visible_on_read: 3,
        ..Variants::default()
    })
    .await;
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let body = webrtc_body(&wire, &jordan).await;
    assert_eq!(wire.post(PHONES, body).await.status, 200);
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(entities(&stations_of(&wire, &jordan).await).len());
    }
    assert_eq!(seen, [0, 0, 1, 1]);
    assert_eq!(sandbox.stats().station_reads, 4);
}

#[tokio::test]
async fn a_phone_needs_its_name_lines_site_webrtc_settings_and_user() {
    let (sandbox, wire) = sandbox_with(Variants::default()).await;
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let good = webrtc_body(&wire, &jordan).await;
    let polycom = wire
        .get("/api/v2/telephony/providers/edges/phonebasesettings?name=Polycom%20VVX%20300")
        .await;
    let polycom_id = entities(&polycom)[0]["id"].clone();
    let broken = |field: &str, value: Value| {
        let mut body = good.clone();
        match value {
            Value::Null => {
                body.as_object_mut().unwrap().remove(field);
            }
            value => body[field] = value,
        }
        body
    };
    for body in [
        broken("name", Value::Null),
        broken("lines", json!([])),
        broken("lines", json!([{ "lineBaseSettings": { "id": "x" } }])),
        broken("site", json!({ "id": UNKNOWN_ID })),
        broken("phoneBaseSettings", Value::Null),
        broken("phoneBaseSettings", json!({ "id": polycom_id })),
        broken("webRtcUser", Value::Null),
        broken("webRtcUser", json!({ "id": UNKNOWN_ID })),
    ] {
        let refused = wire.post(PHONES, body.clone()).await;
        assert_status(&refused, 400, "invalid.value");
    }
    let forbidden = viewer(&sandbox).await.post(PHONES, good).await;
    assert_eq!(forbidden.status, 403, "{}", forbidden.body);
    assert!(sandbox.day_one().phones.is_empty(), "no phone was made");
}

#[tokio::test]
async fn a_default_station_needs_call_add_through_a_role_and_reads_back() {
    let (sandbox, wire) = sandbox_with(Variants::default()).await;
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let body = webrtc_body(&wire, &jordan).await;
    assert_eq!(wire.post(PHONES, body).await.status, 200);
    stations_of(&wire, &jordan).await;
    let station = entities(&stations_of(&wire, &jordan).await)[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v2/users/{jordan}/station/defaultstation/{station}");
    let without_role = put(&wire, &path).await;
    assert_status(&without_role, 400, "bad.request");
    assert!(without_role.body["message"]
        .as_str()
        .unwrap()
        .contains("Conversation > Call > Add"));
    let agent = sandbox
        .roles()
        .into_iter()
        .find(|r| r.name == "Agent")
        .unwrap()
        .id;
    let granted = wire
        .post(
            &format!("/api/v2/authorization/subjects/{jordan}/bulkadd"),
            json!({ "grants": [{ "roleId": agent, "divisionId": "*" }] }),
        )
        .await;
    assert!(granted.status < 300, "{}", granted.body);
    let refused = put(&viewer(&sandbox).await, &path).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let set = put(&wire, &path).await;
    assert_eq!(set.status, 202, "{}", set.body);

    let read = wire.get(&format!("/api/v2/users/{jordan}/station")).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body["defaultStation"]["id"], station.as_str());
    assert_eq!(
        user_with_email(&sandbox, JORDAN).day_one.default_station_id,
        Some(station.clone())
    );
    let not_viewable = viewer(&sandbox)
        .await
        .get(&format!("/api/v2/users/{jordan}/station"))
        .await;
    assert_eq!(not_viewable.status, 403);
    let no_station = put(
        &wire,
        &format!("/api/v2/users/{jordan}/station/defaultstation/{UNKNOWN_ID}"),
    )
    .await;
    assert_status(&no_station, 404, "not.found");
    let no_user = put(
        &wire,
        &format!("/api/v2/users/{UNKNOWN_ID}/station/defaultstation/{station}"),
    )
    .await;
    assert_status(&no_user, 404, "not.found");
}

#[tokio::test]
async fn the_connection_drops_after_a_phone_is_made_and_the_phone_is_there() {
    let (sandbox, wire) = sandbox_with(Variants::default()).await;
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let body = webrtc_body(&wire, &jordan).await;
    sandbox.set_faults(Faults {
        drop_after_phone_create: 1.0,
        ..Faults::default()
    });
    let lost = wire
        .http
        .post(format!("{}{PHONES}", wire.base))
        .bearer_auth(&wire.bearer)
        .json(&body)
        .send()
        .await;
    assert!(lost.is_err(), "the answer never comes: {lost:?}");
    assert_eq!(sandbox.stats().dropped_connections, 1);
    sandbox.set_faults(Faults::default());
    let listed = wire.get(&format!("{PHONES}?webRtcUser.id={jordan}")).await;
    assert_eq!(
        entities(&listed).len(),
        1,
        "the phone was made before the connection dropped"
    );
}

#[tokio::test]
async fn an_org_can_have_no_or_several_webrtc_phone_base_settings() {
    let none = start(SandboxConfig {
        seed: Seed::demo().without_phone_base_settings(),
        ..SandboxConfig::default()
    })
    .await;
    let wire = Wire::demo(&none).await;
    let listing = wire
        .get("/api/v2/telephony/providers/edges/phonebasesettings")
        .await;
    assert!(entities(&listing).is_empty());

    let several = start(SandboxConfig {
        seed: Seed::demo().with_phone_base_settings("WebRTC Night", "inin_webrtc_softphone.json"),
        ..SandboxConfig::default()
    })
    .await;
    let wire = Wire::demo(&several).await;
    let listing = wire
        .get("/api/v2/telephony/providers/edges/phonebasesettings")
        .await;
    let webrtc = entities(&listing)
        .iter()
        .filter(|s| s["phoneMetaBase"]["id"] == "inin_webrtc_softphone.json")
        .count();
    assert_eq!(webrtc, 2);
}
