//! The client's day-1 calls against the sandbox org (and, for answers the sandbox never gives,
//! a scripted server): languages, groups, employer info and auto-answer, external ids, the
//! WebRTC phone with its station and default station, and roles by permission.

mod support;

use rollcall_core::genesys::{
    AutoAnswer, EmployerInfo, ExternalId, GenesysError, RoleGrant, StationWait, UserLanguage,
    UserPatch, CALL_ADD_PERMISSION, MAX_GROUP_MEMBERS_PER_CALL, MAX_LANGUAGES_PER_CALL,
    MAX_USERS_PER_BULK_PATCH,
};
use rollcall_sandbox::{Faults, Sandbox, SandboxConfig, Variants};
use serde_json::json;
use support::{demo_client, loopback_client, start, user_with_email, Canned, Loopback};

const JORDAN: &str = "jordan.lee@example.com";
const AVERY: &str = "avery.admin@example.com";

async fn sandbox_with(variants: Variants) -> Sandbox {
    start(SandboxConfig {
        variants,
        ..SandboxConfig::default()
    })
    .await
}

fn workday(key: &str) -> ExternalId {
    ExternalId {
        authority_name: "Workday".to_owned(),
        external_key: key.to_owned(),
    }
}

#[tokio::test]
async fn languages_are_listed_given_in_bulk_and_read_back() {
    let sandbox = sandbox_with(Variants::default()).await;
    let client = demo_client(&sandbox);
    let languages = client.list_languages().await.unwrap().value;
    let names: Vec<_> = languages.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["English", "French", "German", "Spanish"]);
    let id_of = |name: &str| {
        languages
            .iter()
            .find(|l| l.name == name)
            .unwrap()
            .id
            .clone()
    };
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let given = client
        .add_user_languages(
            &jordan,
            &[
                UserLanguage {
                    id: id_of("Spanish"),
                    proficiency: 4.0,
                },
                UserLanguage {
                    id: id_of("French"),
                    proficiency: 2.5,
                },
            ],
        )
        .await
        .unwrap()
        .value;
    assert_eq!(given.len(), 2);
    let read = client.user_languages(&jordan).await.unwrap().value;
    let held: Vec<_> = read
        .iter()
        .map(|l| (l.name.as_deref().unwrap(), l.proficiency))
        .collect();
    assert_eq!(held, [("Spanish", 4.0), ("French", 2.5)]);

    let too_many = vec![
        UserLanguage {
            id: id_of("Spanish"),
            proficiency: 1.0
        };
        MAX_LANGUAGES_PER_CALL + 1
    ];
    let refused = client.add_user_languages(&jordan, &too_many).await;
    assert!(
        matches!(refused, Err(GenesysError::InvalidInput { .. })),
        "refused before sending: {refused:?}"
    );
    let unknown = client
        .add_user_languages(
            &jordan,
            &[UserLanguage {
                id: "no-such-language".to_owned(),
                proficiency: 1.0,
            }],
        )
        .await
        .unwrap_err();
    assert_eq!(unknown.status(), Some(400));
}

#[tokio::test]
async fn group_members_are_added_with_a_version_the_client_reads_itself() {
    let sandbox = sandbox_with(Variants::default()).await;
    let client = demo_client(&sandbox);
    let groups = client.list_groups().await.unwrap().value;
    assert_eq!(groups.len(), 3);
    let found = client
        .find_groups_by_name("Tier 1 Agents")
        .await
        .unwrap()
        .value;
    assert_eq!(found.len(), 1, "an exact name finds one group");
    assert!(client
        .find_groups_by_name("Tier 1")
        .await
        .unwrap()
        .value
        .is_empty());
    let tier1 = &found[0];
    let (jordan, avery) = (
        user_with_email(&sandbox, JORDAN).id,
        user_with_email(&sandbox, AVERY).id,
    );
    client
        .add_group_members(&tier1.id, std::slice::from_ref(&jordan))
        .await
        .unwrap();
    client
        .add_group_members(&tier1.id, std::slice::from_ref(&avery))
        .await
        .expect("the second add reads the version the first one raised");
    assert_eq!(client.get_group(&tier1.id).await.unwrap().value.version, 3);
    let members: Vec<_> = client
        .group_members(&tier1.id)
        .await
        .unwrap()
        .value
        .into_iter()
        .map(|u| u.email.unwrap())
        .collect();
    assert_eq!(members, [JORDAN, AVERY]);
    let of_jordan = client.user_groups(&jordan).await.unwrap().value;
    assert_eq!(of_jordan[0].name.as_deref(), Some("Tier 1 Agents"));

    let again = client
        .add_group_members(&tier1.id, std::slice::from_ref(&jordan))
        .await
        .unwrap_err();
    assert_eq!(again.status(), Some(400), "a member again: {again}");
    let too_many = vec![jordan.clone(); MAX_GROUP_MEMBERS_PER_CALL + 1];
    assert!(matches!(
        client.add_group_members(&tier1.id, &too_many).await,
        Err(GenesysError::InvalidInput { .. })
    ));
    let nowhere = client
        .add_group_members("no-such-group", &[jordan])
        .await
        .unwrap_err();
    assert_eq!(nowhere.status(), Some(404));
}

#[tokio::test]
async fn a_stale_group_version_is_read_again_and_the_add_sent_again() {
    let group =
        |version: i64| Canned::json(200, json!({ "id": "g1", "name": "G", "version": version }));
    let server = Loopback::queued(
        vec![
            group(4),
            Canned::error(
                409,
                "general.conflict",
                "The version supplied does not match the current version of the group.",
            ),
            group(5),
            Canned::json(200, json!({})),
        ],
        Canned::error(500, "internal.server.error", "unexpected request"),
    )
    .await;
    let client = loopback_client(&server);
    client
        .add_group_members("g1", &["u1".to_owned()])
        .await
        .expect("added on the second try");
    assert_eq!(server.api_requests(), 4, "GET, POST (stale), GET, POST");
}

#[tokio::test]
async fn employer_info_and_auto_answer_go_with_the_patch_and_in_bulk() {
    let sandbox = sandbox_with(Variants::default()).await;
    let client = demo_client(&sandbox);
    let jordan = user_with_email(&sandbox, JORDAN);
    let info = EmployerInfo {
        official_name: Some("Jordan A. Lee".into()),
        employee_id: Some("E1001".into()),
        employee_type: Some("Part-time".into()),
        date_hire: Some("2026-03-14".into()),
    };
    client
        .patch_user(
            &jordan.id,
            &UserPatch {
                version: jordan.version,
                acd_auto_answer: Some(true),
                employer_info: Some(info.clone()),
                ..UserPatch::default()
            },
        )
        .await
        .unwrap();
    let read = client
        .get_user_expanded(&jordan.id, &["employerInfo"])
        .await
        .unwrap()
        .value;
    assert_eq!(read.acd_auto_answer, Some(true));
    assert_eq!(read.employer_info, Some(info));

    let avery = user_with_email(&sandbox, AVERY).id;
    let updated = client
        .set_auto_answer(&[
            AutoAnswer {
                id: avery.clone(),
                acd_auto_answer: true,
            },
            AutoAnswer {
                id: jordan.id.clone(),
                acd_auto_answer: false,
            },
        ])
        .await
        .unwrap()
        .value;
    assert_eq!(updated.len(), 2);
    assert!(user_with_email(&sandbox, AVERY).day_one.acd_auto_answer);
    assert!(!user_with_email(&sandbox, JORDAN).day_one.acd_auto_answer);
    let too_many = vec![
        AutoAnswer {
            id: avery,
            acd_auto_answer: true
        };
        MAX_USERS_PER_BULK_PATCH + 1
    ];
    assert!(matches!(
        client.set_auto_answer(&too_many).await,
        Err(GenesysError::InvalidInput { .. })
    ));
}

#[tokio::test]
async fn an_external_id_is_set_once_and_finds_its_user() {
    for answer_object in [false, true] {
        let sandbox = sandbox_with(Variants {
            external_id_answer_object: answer_object,
            ..Variants::default()
        })
        .await;
        let client = demo_client(&sandbox);
        let avery = user_with_email(&sandbox, AVERY).id;
        let key = workday("E 42/a");
        let held = client.add_external_id(&avery, &key).await.unwrap().value;
        assert!(held.contains(&key), "{held:?}");
        let again = client.add_external_id(&avery, &key).await;
        assert!(
            again.is_ok(),
            "a mapping the user already has is settled by reading it: {again:?}"
        );
        assert_eq!(
            client.user_external_ids(&avery).await.unwrap().value,
            std::slice::from_ref(&key)
        );
        let found = client.find_user_by_external_id(&key).await.unwrap().value;
        assert_eq!(found.unwrap().email.as_deref(), Some(AVERY));
        let taken = client
            .add_external_id(&avery, &workday("E1001"))
            .await
            .unwrap_err();
        assert_eq!(taken.status(), Some(409), "held by Jordan: {taken}");
    }
}

#[tokio::test]
async fn an_external_id_nobody_has_finds_no_one_whatever_the_answer() {
    for miss in [404, 200, 204] {
        let sandbox = sandbox_with(Variants {
            external_id_miss_status: miss,
            ..Variants::default()
        })
        .await;
        let client = demo_client(&sandbox);
        let found = client
            .find_user_by_external_id(&workday("E-none"))
            .await
            .unwrap_or_else(|e| panic!("{miss}: {e}"));
        assert!(found.value.is_none(), "{miss} means nobody");
    }
}

#[tokio::test]
async fn a_webrtc_phone_gets_its_station_as_the_default_once_the_user_may_take_calls() {
    let sandbox = sandbox_with(Variants::default()).await;
    let client = demo_client(&sandbox);
    let sites = client.list_sites().await.unwrap().value;
    let site_names: Vec<_> = sites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        site_names,
        ["PureCloud Voice - AWS", "Indianapolis"],
        "managed sites first, each once"
    );
    let settings = client.list_phone_base_settings().await.unwrap().value;
    let webrtc: Vec<_> = settings.iter().filter(|s| s.is_webrtc()).collect();
    assert_eq!(webrtc.len(), 1);
    let one = client
        .get_phone_base_settings(&webrtc[0].id)
        .await
        .unwrap()
        .value;
    assert_eq!(
        &one, webrtc[0],
        "the listing carries what the single read does"
    );
    let jordan = user_with_email(&sandbox, JORDAN).id;
    assert!(client
        .webrtc_phones(&jordan)
        .await
        .unwrap()
        .value
        .is_empty());

    let body = webrtc[0].webrtc_phone(&sites[0].id, &jordan, "Jordan Lee");
    let phone = client.create_phone(&body).await.unwrap().value;
    let mine = client.webrtc_phones(&jordan).await.unwrap().value;
    assert_eq!(mine.len(), 1);
    assert_eq!(
        mine[0].id, phone.id,
        "the look-up finds the phone just made"
    );
    assert_eq!(
        client.get_phone(&phone.id).await.unwrap().value.id,
        phone.id
    );

    let wait = StationWait {
        reads: 5,
        interval: std::time::Duration::ZERO,
    };
    let station = client
        .wait_for_webrtc_station(&jordan, wait)
        .await
        .unwrap()
        .value;
    assert_eq!(station.web_rtc_user_id.as_deref(), Some(jordan.as_str()));
    assert_eq!(
        sandbox.stats().station_reads,
        2,
        "read until it showed, on the second read"
    );

    let refused = client
        .set_default_station(&jordan, &station.id)
        .await
        .unwrap_err();
    assert_eq!(refused.status(), Some(400), "no Call > Add yet: {refused}");
    let callers = client
        .roles_with_permission(CALL_ADD_PERMISSION)
        .await
        .unwrap()
        .value;
    let agent = callers
        .iter()
        .find(|r| r.name == "Agent")
        .expect("Agent may call");
    client
        .grant_roles(
            &jordan,
            &[RoleGrant {
                role_id: agent.id.clone(),
                division_id: "*".to_owned(),
            }],
        )
        .await
        .unwrap();
    client
        .set_default_station(&jordan, &station.id)
        .await
        .unwrap();
    let stations = client.user_stations(&jordan).await.unwrap().value;
    assert_eq!(stations.default_station_id(), Some(station.id.as_str()));
}

#[tokio::test]
async fn a_station_that_never_shows_is_reported_after_the_reads_allowed() {
    let sandbox = sandbox_with(Variants {
        station_visible_on_read: 10,
        ..Variants::default()
    })
    .await;
    let client = demo_client(&sandbox);
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let sites = client.list_sites().await.unwrap().value;
    let settings = client.list_phone_base_settings().await.unwrap().value;
    let webrtc = settings.iter().find(|s| s.is_webrtc()).unwrap();
    client
        .create_phone(&webrtc.webrtc_phone(&sites[0].id, &jordan, "Jordan Lee"))
        .await
        .unwrap();
    let wait = StationWait {
        reads: 3,
        interval: std::time::Duration::ZERO,
    };
    let error = client
        .wait_for_webrtc_station(&jordan, wait)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("no station"),
        "says what is missing: {error}"
    );
    assert_eq!(sandbox.stats().station_reads, 3);
}

#[tokio::test]
async fn a_lost_phone_answer_is_an_unknown_outcome_and_the_look_up_finds_the_phone() {
    let sandbox = sandbox_with(Variants::default()).await;
    let client = demo_client(&sandbox);
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let sites = client.list_sites().await.unwrap().value;
    let settings = client.list_phone_base_settings().await.unwrap().value;
    let webrtc = settings.iter().find(|s| s.is_webrtc()).unwrap();
    sandbox.set_faults(Faults {
        drop_after_phone_create: 1.0,
        ..Faults::default()
    });
    let lost = client
        .create_phone(&webrtc.webrtc_phone(&sites[0].id, &jordan, "Jordan Lee"))
        .await
        .unwrap_err();
    assert!(lost.is_outcome_unknown(), "not resent blindly: {lost}");
    assert_eq!(sandbox.day_one().phones.len(), 1, "made exactly once");
    assert_eq!(client.webrtc_phones(&jordan).await.unwrap().value.len(), 1);
}

#[tokio::test]
async fn a_default_station_refused_while_new_roles_settle_is_set_on_a_later_try() {
    for (refused_first, succeeds) in [(3, true), (50, false)] {
        let sandbox = start(SandboxConfig {
            faults: Faults {
                default_station_refused_first: refused_first,
                ..Faults::default()
            },
            ..SandboxConfig::default()
        })
        .await;
        let client = demo_client(&sandbox);
        let jordan = user_with_email(&sandbox, JORDAN).id;
        let agent = sandbox
            .roles()
            .into_iter()
            .find(|r| r.name == "Agent")
            .unwrap();
        client
            .grant_roles(
                &jordan,
                &[RoleGrant {
                    role_id: agent.id,
                    division_id: "*".to_owned(),
                }],
            )
            .await
            .unwrap();
        let sites = client.list_sites().await.unwrap().value;
        let settings = client.list_phone_base_settings().await.unwrap().value;
        let webrtc = settings.iter().find(|s| s.is_webrtc()).unwrap();
        client
            .create_phone(&webrtc.webrtc_phone(&sites[0].id, &jordan, "Jordan Lee"))
            .await
            .unwrap();
        let wait = StationWait {
            reads: 5,
            interval: std::time::Duration::ZERO,
        };
        let station = client
            .wait_for_webrtc_station(&jordan, wait)
            .await
            .unwrap()
            .value;
        let set = client.set_default_station(&jordan, &station.id).await;
        assert_eq!(set.is_ok(), succeeds, "{refused_first} refusals: {set:?}");
        let default = client.user_stations(&jordan).await.unwrap().value;
        assert_eq!(default.default_station_id().is_some(), succeeds);
        if !succeeds {
            assert_eq!(
                set.unwrap_err().status(),
                Some(400),
                "the last refusal is reported"
            );
        }
    }
}

#[tokio::test]
async fn each_day_one_call_that_needs_a_permission_names_it_when_refused() {
    let mut config = SandboxConfig::default();
    config
        .clients
        .push(rollcall_sandbox::SandboxClient::with_permissions(
            "viewer",
            "viewer-secret",
            &["directory:user:view"],
        ));
    let sandbox = start(config).await;
    let admin = demo_client(&sandbox);
    let viewer = support::client_for(&sandbox, "viewer", "viewer-secret");
    let jordan = user_with_email(&sandbox, JORDAN).id;
    let spanish = admin.list_languages().await.unwrap().value[3].id.clone();
    let sites = admin.list_sites().await.unwrap().value;
    let settings = admin.list_phone_base_settings().await.unwrap().value;
    let phone = settings
        .iter()
        .find(|s| s.is_webrtc())
        .unwrap()
        .webrtc_phone(&sites[0].id, &jordan, "Jordan Lee");

    let missing = |result: Result<(), GenesysError>| -> Vec<String> {
        let error = result.expect_err("refused");
        assert_eq!(error.status(), Some(403), "{error}");
        error.api().unwrap().missing_permissions()
    };
    let language = UserLanguage {
        id: spanish,
        proficiency: 3.0,
    };
    let auto_answer = AutoAnswer {
        id: jordan.clone(),
        acd_auto_answer: true,
    };
    let cases: Vec<(Vec<String>, &[&str])> = vec![
        (
            missing(
                viewer
                    .add_user_languages(&jordan, &[language])
                    .await
                    .map(drop),
            ),
            &["routing:skill:assign", "routing:language:assign"],
        ),
        (
            missing(viewer.set_auto_answer(&[auto_answer]).await.map(drop)),
            &["directory:user:edit", "directory:organization:admin"],
        ),
        (
            missing(
                viewer
                    .add_external_id(&jordan, &workday("E7"))
                    .await
                    .map(drop),
            ),
            &["directory:user:edit"],
        ),
        (
            missing(viewer.list_phone_base_settings().await.map(drop)),
            &["telephony:plugin:all"],
        ),
        (
            missing(viewer.create_phone(&phone).await.map(drop)),
            &["telephony:plugin:all"],
        ),
        (
            missing(viewer.webrtc_phones(&jordan).await.map(drop)),
            &["telephony:plugin:all"],
        ),
        (
            missing(viewer.set_default_station(&jordan, "any").await.map(drop)),
            &["telephony:plugin:all", "telephony:phone:assign"],
        ),
        (
            missing(viewer.user_stations(&jordan).await.map(drop)),
            &["telephony:otherStationAssociation:view"],
        ),
    ];
    for (named, expected) in cases {
        assert_eq!(named, expected);
    }
    let after = user_with_email(&sandbox, JORDAN).day_one;
    assert!(sandbox.day_one().phones.is_empty(), "no phone was made");
    assert!(after.languages.is_empty() && !after.acd_auto_answer);
    assert_eq!(after.external_ids, [workday("E1001")], "only the seeded id");
}
