//! The wire types against the JSON Genesys Cloud sends and expects, odd shapes included.

use super::*;

#[test]
fn create_user_sends_the_password_but_debug_hides_it() {
    let body = CreateUser {
        name: "Ada".into(),
        email: "ada@example.com".into(),
        password: Some(Secret::new("Sup3r-secret!")),
        state: Some(UserState::Active),
        ..CreateUser::default()
    };
    let json = serde_json::to_value(&body).unwrap();
    assert_eq!(json["password"], "Sup3r-secret!");
    assert_eq!(json["state"], "active");
    assert!(json.get("divisionId").is_none());
    assert!(!format!("{body:?}").contains("Sup3r-secret!"));
}

#[test]
fn a_location_is_written_by_id_only_and_read_from_either_shape() {
    let patch = UserPatch {
        version: 3,
        locations: Some(vec![UserLocation::new("loc-1")]),
        ..UserPatch::default()
    };
    let json = serde_json::to_value(&patch).unwrap();
    assert_eq!(json["locations"], serde_json::json!([{ "id": "loc-1" }]));
    assert!(serde_json::to_value(UserPatch::default())
        .unwrap()
        .get("locations")
        .is_none());
    let user: User = serde_json::from_value(serde_json::json!({
        "id": "u1",
        "locations": [
            { "locationDefinition": { "id": "loc-2", "selfUri": "/api/v2/locations/loc-2" } },
            { "id": "loc-3" }
        ]
    }))
    .unwrap();
    assert_eq!(user.locations[0].location_id(), Some("loc-2"));
    assert_eq!(user.locations[1].location_id(), Some("loc-3"));
    let written = serde_json::to_value(&user.locations).unwrap();
    assert_eq!(
        written,
        serde_json::json!([{ "id": "loc-2" }, { "id": "loc-3" }]),
        "what was read goes back as ids only"
    );
}

#[test]
fn a_user_in_unexpected_shapes_still_reads() {
    let user: User = serde_json::from_value(serde_json::json!({
        "id": "u1",
        "email": "ada@example.com",
        "manager": "m-7",
        "state": "suspended",
        "division": "d-1",
        "title": 42,
        "version": "seven",
        "addresses": [
            { "display": "+1 317-222-2222", "extension": 2101, "mediaType": "PHONE", "type": "WORK" },
            "not a contact"
        ],
        "locations": { "unexpected": true },
        "someFieldFromNextYear": [1, 2, 3]
    }))
    .expect("a user with odd fields is still a user");
    assert_eq!(user.id, "u1");
    assert_eq!(user.email.as_deref(), Some("ada@example.com"));
    assert_eq!(user.manager.map(|m| m.id).as_deref(), Some("m-7"));
    assert_eq!(user.state, None, "an unknown state reads as unknown");
    assert_eq!(user.division.map(|d| d.id).as_deref(), Some("d-1"));
    assert_eq!(user.title.as_deref(), Some("42"));
    assert_eq!(user.version, 0);
    assert_eq!(
        user.addresses.len(),
        1,
        "the unreadable contact is left out"
    );
    assert_eq!(user.addresses[0].extension.as_deref(), Some("2101"));
    assert!(user.locations.is_empty());

    let manager_object: User =
        serde_json::from_value(serde_json::json!({ "id": "u2", "manager": { "id": "m-8" } }))
            .unwrap();
    assert_eq!(manager_object.manager.unwrap().id, "m-8");
}

#[test]
fn contacts_are_written_back_with_their_numbers() {
    let read: Vec<Contact> = serde_json::from_value(serde_json::json!([
        { "display": "+1 (317) 222-2222", "extension": "2101", "mediaType": "PHONE", "type": "WORK" },
        { "display": "4410", "mediaType": "PHONE", "type": "WORK2" },
        { "display": "+44 20 7946 0000", "mediaType": "PHONE", "type": "MOBILE" },
        { "address": "+13172223333", "display": "+1 317-222-3333", "mediaType": "SMS", "type": "MOBILE" }
    ]))
    .unwrap();
    let written: Vec<serde_json::Value> = read
        .iter()
        .map(|c| serde_json::to_value(c.writable()).unwrap())
        .collect();
    assert_eq!(
        written,
        [
            serde_json::json!({ "address": "+13172222222", "extension": "2101", "mediaType": "PHONE", "type": "WORK" }),
            serde_json::json!({ "extension": "4410", "mediaType": "PHONE", "type": "WORK2" }),
            serde_json::json!({ "address": "+442079460000", "mediaType": "PHONE", "type": "MOBILE" }),
            serde_json::json!({ "address": "+13172223333", "mediaType": "SMS", "type": "MOBILE" }),
        ]
    );
    assert_eq!(read[0].extension_read(), Some("2101"));
    assert_eq!(
        read[1].extension_read(),
        Some("4410"),
        "an extension read as display"
    );
    assert_eq!(read[2].extension_read(), None);
}

#[test]
fn employer_info_and_auto_answer_ride_on_the_user_patch() {
    let patch = UserPatch {
        version: 3,
        acd_auto_answer: Some(true),
        employer_info: Some(EmployerInfo {
            official_name: Some("Jane Q. Doe".into()),
            employee_id: Some("E12345".into()),
            employee_type: Some("Full-time".into()),
            date_hire: Some("2026-07-01".into()),
        }),
        ..UserPatch::default()
    };
    assert_eq!(
        serde_json::to_value(&patch).unwrap(),
        serde_json::json!({
            "version": 3,
            "acdAutoAnswer": true,
            "employerInfo": {
                "officialName": "Jane Q. Doe",
                "employeeId": "E12345",
                "employeeType": "Full-time",
                "dateHire": "2026-07-01"
            }
        }),
        "the wire names of UpdateUser and EmployerInfo"
    );
    let plain = serde_json::to_value(UserPatch::default()).unwrap();
    assert!(plain.get("acdAutoAnswer").is_none() && plain.get("employerInfo").is_none());
}

#[test]
fn a_webrtc_phone_is_made_from_the_first_line_of_its_base_settings() {
    let settings: PhoneBaseSettings = serde_json::from_value(serde_json::json!({
        "id": "pbs-1",
        "name": "WebRTC",
        "state": "active",
        "phoneMetaBase": { "id": "inin_webrtc_softphone.json", "name": "PureCloud WebRTC Phone" },
        "lines": [{ "id": "line-base-1", "name": "WebRTC_1" }]
    }))
    .unwrap();
    assert!(settings.is_webrtc());
    let body = serde_json::to_value(settings.webrtc_phone("site-1", "u-1", "Jane Doe")).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "name": "WebRTC - Jane Doe",
            "state": "active",
            "site": { "id": "site-1" },
            "phoneBaseSettings": { "id": "pbs-1" },
            "lineBaseSettings": { "id": "line-base-1" },
            "phoneMetaBase": { "id": "inin_webrtc_softphone.json" },
            "lines": [{ "name": "line_u-1", "lineBaseSettings": { "id": "line-base-1" } }],
            "webRtcUser": { "id": "u-1" }
        }),
        "the body Genesys's Terraform provider sends for a WebRTC phone"
    );
    let desk: PhoneBaseSettings = serde_json::from_value(serde_json::json!({
        "id": "pbs-2", "phoneMetaBase": { "id": "polycom_vvx_300.json" }
    }))
    .unwrap();
    assert!(!desk.is_webrtc());
}

#[test]
fn a_user_reads_its_auto_answer_employer_info_and_groups() {
    let user: User = serde_json::from_value(serde_json::json!({
        "id": "u1",
        "acdAutoAnswer": true,
        "employerInfo": { "employeeId": 12345, "dateHire": "2026-07-01" },
        "groups": [{ "id": "g-1", "name": "Tier 1 Agents" }, "g-2", 7]
    }))
    .unwrap();
    assert_eq!(user.acd_auto_answer, Some(true));
    let info = user.employer_info.expect("employer info read");
    assert_eq!(info.employee_id.as_deref(), Some("12345"));
    assert_eq!(info.date_hire.as_deref(), Some("2026-07-01"));
    assert_eq!(
        user.groups
            .iter()
            .map(|g| g.id.as_str())
            .collect::<Vec<_>>(),
        ["g-1"],
        "unreadable group items are left out"
    );
}
