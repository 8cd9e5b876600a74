//! Resolving a row's names against the org, and what an update adds.

use super::*;
use crate::import::{RoleGrant, SkillLevel};

fn directory() -> Directory {
    let division = |id: &str, name: &str, home| Division {
        id: id.into(),
        name: name.into(),
        home_division: home,
        ..Division::default()
    };
    Directory {
        roles: vec![
            Role {
                id: "r1".into(),
                name: "Agent".into(),
                ..Role::default()
            },
            Role {
                id: "r2".into(),
                name: "Supervisor".into(),
                ..Role::default()
            },
        ],
        queues: vec![Queue {
            id: "q1".into(),
            name: "Support".into(),
            ..Queue::default()
        }],
        skills: vec![RoutingSkill {
            id: "s1".into(),
            name: "English".into(),
        }],
        locations: vec![Location {
            id: "l1".into(),
            name: "London Office".into(),
        }],
        divisions: vec![division("d1", "Home", true), division("d2", "Sales", false)],
        home: Some(division("d1", "Home", true)),
        calls: 0,
    }
}

fn draft() -> UserDraft {
    UserDraft::minimal("Ada", "ada@example.com")
}

#[test]
fn names_resolve_to_ids_ignoring_case() {
    let mut draft = draft();
    draft.roles = vec![
        RoleGrant {
            role: "agent".into(),
            divisions: RoleDivisions::Named(vec!["sales".into()]),
        },
        RoleGrant {
            role: "Supervisor".into(),
            divisions: RoleDivisions::All,
        },
    ];
    draft.queues = vec!["support".into()];
    draft.skills = vec![SkillLevel {
        name: "English".into(),
        proficiency: 4.0,
    }];
    draft.location = Some("london office".into());
    draft.extension = Some("1234".into());
    let steps = directory().resolve(&draft).unwrap();
    assert_eq!(steps.roles[0].role.id, "r1");
    assert_eq!(steps.roles[0].division.id, "d2");
    assert_eq!(steps.roles[1].division.id, ALL_DIVISIONS);
    assert_eq!(steps.queues[0].id, "q1");
    assert_eq!(steps.skills[0].skill.id, "s1");
    assert_eq!(steps.location.as_ref().unwrap().id, "l1");
    assert_eq!(steps.calls(), 3);
}

#[test]
fn an_unknown_name_is_a_problem_with_suggestions_never_a_create() {
    let mut draft = draft();
    draft.roles = vec![RoleGrant {
        role: "Agnet".into(),
        divisions: RoleDivisions::Home,
    }];
    draft.queues = vec!["Suport".into(), "Marketing".into()];
    let problems = directory().resolve(&draft).unwrap_err().messages;
    assert_eq!(
        problems,
        [
            "The role \"Agnet\" is not in this org. Did you mean \"Agent\"?",
            "The queue \"Suport\" is not in this org. Did you mean \"Support\"?",
            "The queue \"Marketing\" is not in this org. Create it in Genesys Cloud first, \
             or correct the name; Rollcall never creates a queue."
        ]
    );
}

#[test]
fn each_unknown_name_comes_as_data_with_its_field_and_the_closest_names() {
    let mut draft = draft();
    draft.roles = vec![
        RoleGrant {
            role: "Agnet".into(),
            divisions: RoleDivisions::Home,
        },
        RoleGrant {
            role: "Supervisor".into(),
            divisions: RoleDivisions::Named(vec!["Slaes".into()]),
        },
    ];
    draft.skills = vec![SkillLevel {
        name: "Englsh".into(),
        proficiency: 2.0,
    }];
    draft.queues = vec!["Suport".into(), " suport ".into(), "Marketing".into()];
    draft.location = Some("London Ofice".into());
    let problems = directory().resolve(&draft).unwrap_err();
    let unknown: Vec<(Field, &str, Vec<&str>)> = problems
        .unknown
        .iter()
        .map(|u| {
            let closest = u.suggestions.iter().map(String::as_str).collect();
            (u.field, u.name.as_str(), closest)
        })
        .collect();
    assert_eq!(
        unknown,
        [
            (Field::RolesDivisions, "Agnet", vec!["Agent"]),
            (Field::RolesDivisions, "Slaes", vec!["Sales"]),
            (Field::Skills, "Englsh", vec!["English"]),
            (Field::Queues, "Suport", vec!["Support"]),
            (Field::Queues, "Marketing", vec![]),
            (Field::LocationWork, "London Ofice", vec!["London Office"]),
        ],
        "one entry per name (a queue named twice once), closest names first"
    );
    assert_eq!(
        problems.messages.len(),
        7,
        "every problem keeps its message, the repeated queue's too: {:?}",
        problems.messages
    );
    assert_eq!(
        problems.messages[1],
        "The division \"Slaes\" is not in this org. Did you mean \"Sales\"?"
    );
}

#[test]
fn a_name_whose_entity_came_without_an_id_is_a_problem_that_says_so() {
    let mut directory = directory();
    directory.queues[0].id.clear();
    let mut draft = draft();
    draft.queues = vec!["Support".into()];
    let problems = directory.resolve(&draft).unwrap_err().messages;
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].contains("queue \"Support\" came without an id"),
        "{problems:?}"
    );
}

#[test]
fn an_update_adds_only_what_is_missing() {
    let mut draft = draft();
    draft.roles = vec![RoleGrant {
        role: "Agent".into(),
        divisions: RoleDivisions::Home,
    }];
    draft.queues = vec!["Support".into()];
    draft.skills = vec![SkillLevel {
        name: "English".into(),
        proficiency: 3.0,
    }];
    let wanted = directory().resolve(&draft).unwrap();
    let current = Current {
        grants: [("r1".to_owned(), "d1".to_owned())].into(),
        skills: [("s1".to_owned(), 2.0)].into(),
        ..Current::default()
    };
    let missing = current.missing(&wanted);
    assert!(missing.roles.is_empty(), "the role is there already");
    assert_eq!(missing.queues.len(), 1);
    assert_eq!(missing.skills[0].proficiency, 3.0, "a changed level is set");
}

#[test]
fn queue_members_go_a_hundred_per_call() {
    assert_eq!(queue_calls([250, 100, 1].into_iter()), 5);
}
