//! Resolving a row's day-1 cells against the org, and what an update of an existing user adds.

use super::*;
use crate::genesys::EntityRef;
use crate::import::{EmployerInfo as Employer, PhoneRequest, SkillLevel};
use crate::plan::steps::{Current, RowSteps};

fn base(id: &str, name: &str, meta: &str) -> PhoneBaseSettings {
    PhoneBaseSettings {
        id: id.into(),
        name: name.into(),
        phone_meta_base: Some(EntityRef {
            id: meta.into(),
            ..EntityRef::default()
        }),
        lines: vec![EntityRef {
            id: format!("{id}-line"),
            ..EntityRef::default()
        }],
        ..PhoneBaseSettings::default()
    }
}

fn directory() -> Day1Directory {
    Day1Directory {
        languages: vec![
            Language {
                id: "lang-es".into(),
                name: "Spanish".into(),
                state: None,
            },
            Language {
                id: "lang-fr".into(),
                name: "French".into(),
                state: None,
            },
        ],
        groups: vec![Group {
            id: "g-night".into(),
            name: "Night Shift".into(),
            ..Group::default()
        }],
        sites: vec![Site {
            id: "site-ldn".into(),
            name: "London".into(),
            ..Site::default()
        }],
        phone_bases: vec![
            base("pb-rtc", "WebRTC Agents", WEBRTC_META_BASE),
            base("pb-desk", "Polycom VVX", "polycom_vvx.json"),
        ],
        calls: 0,
    }
}

fn draft() -> UserDraft {
    let mut draft = UserDraft::minimal("Ada", "ada@example.com");
    draft.languages = vec![SkillLevel {
        name: "spanish".into(),
        proficiency: 4.0,
    }];
    draft.groups = vec!["night shift".into()];
    draft.phone = Some(PhoneRequest {
        base: PhoneBase::WebRtc,
        site: "london".into(),
    });
    draft.employer = Employer {
        employee_id: Some("E1".into()),
        hire_date: Some("2026-03-14".into()),
        ..Employer::default()
    };
    draft.acd_auto_answer = Some(true);
    draft
}

#[test]
fn languages_groups_and_the_webrtc_phone_resolve_to_ids_ignoring_case() {
    let steps = directory().resolve(&draft()).unwrap();
    assert_eq!(steps.languages[0].skill.id, "lang-es");
    assert_eq!(steps.languages[0].proficiency, 4.0);
    assert_eq!(steps.groups[0].id, "g-night");
    let phone = steps.phone.as_ref().unwrap();
    assert_eq!(phone.base.id, "pb-rtc", "the only WebRTC settings");
    assert_eq!(phone.site.id, "site-ldn");
    let employer = steps.employer.as_ref().unwrap();
    assert_eq!(employer.date_hire.as_deref(), Some("2026-03-14"));
    assert_eq!(employer.employee_type, None);
    assert_eq!(steps.acd_auto_answer, Some(true));
}

#[test]
fn unknown_languages_groups_and_sites_are_problems_with_did_you_mean() {
    let mut draft = draft();
    draft.languages[0].name = "Spansh".into();
    draft.groups = vec!["Night Shfit".into()];
    draft.phone.as_mut().unwrap().site = "Lodnon".into();
    let problems = directory().resolve(&draft).unwrap_err().messages;
    assert_eq!(
        problems,
        [
            "The routing language \"Spansh\" is not in this org. Did you mean \"Spanish\"?",
            "The group \"Night Shfit\" is not in this org. Did you mean \"Night Shift\"?",
            "The site \"Lodnon\" is not in this org. Did you mean \"London\"?",
        ]
    );
}

#[test]
fn unknown_languages_groups_sites_and_phone_settings_come_as_data() {
    let mut draft = draft();
    draft.languages[0].name = "Spansh".into();
    draft.groups = vec!["Night Shfit".into()];
    draft.phone = Some(PhoneRequest {
        base: PhoneBase::Named("WebRTC Agnets".into()),
        site: "Lodnon".into(),
    });
    let problems = directory().resolve(&draft).unwrap_err();
    let unknown: Vec<(Field, &str, &[String])> = problems
        .unknown
        .iter()
        .map(|u| (u.field, u.name.as_str(), u.suggestions.as_slice()))
        .collect();
    assert_eq!(
        unknown,
        [
            (Field::Languages, "Spansh", &["Spanish".to_owned()][..]),
            (
                Field::Groups,
                "Night Shfit",
                &["Night Shift".to_owned()][..]
            ),
            (
                Field::Phone,
                "WebRTC Agnets",
                &["WebRTC Agents".to_owned()][..]
            ),
            (Field::Site, "Lodnon", &["London".to_owned()][..]),
        ]
    );
    assert_eq!(problems.messages.len(), 4, "{:?}", problems.messages);
}

#[test]
fn webrtc_with_no_or_several_webrtc_settings_is_a_problem_that_lists_them() {
    let mut none = directory();
    none.phone_bases.retain(|b| !b.is_webrtc());
    let problems = none.resolve(&draft()).unwrap_err().messages;
    assert!(
        problems[0].contains("no phone base settings for WebRTC")
            && problems[0].contains("\"Polycom VVX\""),
        "{problems:?}"
    );

    let mut several = directory();
    several
        .phone_bases
        .push(base("pb-rtc2", "WebRTC Night", WEBRTC_META_BASE));
    let problems = several.resolve(&draft()).unwrap_err().messages;
    assert!(
        problems[0].contains(
            "several phone base settings for WebRTC phones: \"WebRTC Agents\", \"WebRTC Night\""
        ),
        "{problems:?}"
    );

    let mut named = draft();
    named.phone.as_mut().unwrap().base = PhoneBase::Named("webrtc night".into());
    let steps = several.resolve(&named).unwrap();
    assert_eq!(
        steps.phone.unwrap().base.id,
        "pb-rtc2",
        "named among several"
    );

    named.phone.as_mut().unwrap().base = PhoneBase::Named("polycom vvx".into());
    let problems = several.resolve(&named).unwrap_err().messages;
    assert!(
        problems[0].contains("\"Polycom VVX\" are not for WebRTC phones"),
        "a desk phone cannot be made from a file: {problems:?}"
    );
}

#[test]
fn auto_answer_rides_in_the_patch_and_goes_in_a_batch_only_without_one() {
    let steps = RowSteps {
        day1: directory().resolve(&draft()).unwrap(),
        ..RowSteps::default()
    };
    assert!(steps.has_patch(), "employer info makes a PATCH");
    assert!(!steps.bulk_auto_answer());

    let mut only_auto_answer = UserDraft::minimal("Ada", "ada@example.com");
    only_auto_answer.acd_auto_answer = Some(false);
    let steps = RowSteps {
        day1: directory().resolve(&only_auto_answer).unwrap(),
        ..RowSteps::default()
    };
    assert!(!steps.has_patch());
    assert!(steps.bulk_auto_answer());
    assert_eq!(
        steps.calls(),
        0,
        "the batch is counted by the plan's totals"
    );
}

#[test]
fn an_update_adds_only_missing_languages_and_groups_and_shows_changed_values() {
    let wanted = RowSteps {
        day1: directory().resolve(&draft()).unwrap(),
        ..RowSteps::default()
    };
    let current = Current {
        languages: [("lang-es".to_owned(), 4.0)].into(),
        employer: EmployerInfo {
            employee_id: Some("E0".into()),
            official_name: Some("Ada King".into()),
            ..EmployerInfo::default()
        },
        acd_auto_answer: Some(true),
        has_default_station: true,
        ..Current::default()
    };
    let missing = current.missing(&wanted);
    assert!(missing.day1.languages.is_empty(), "Spanish 4 is there");
    assert_eq!(missing.day1.groups.len(), 1);
    assert_eq!(
        missing.day1.acd_auto_answer, None,
        "auto-answer is on already"
    );
    assert_eq!(missing.day1.phone, None, "the default station is kept");
    let employer = missing.day1.employer.unwrap();
    assert_eq!(employer.employee_id.as_deref(), Some("E1"));
    assert_eq!(
        employer.official_name.as_deref(),
        Some("Ada King"),
        "a blank cell never clears a value"
    );
    assert_eq!(
        current.changes(&wanted),
        [
            "employee id: E0 → E1",
            "hire date: (none) → 2026-03-14",
            "keeps its default station; no phone is made",
        ]
    );
}
