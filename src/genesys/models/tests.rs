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
