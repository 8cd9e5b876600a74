use super::*;
use crate::genesys::{
    Division, EmployerInfo, EntityRef, Location, Queue, Role, UserLocation, UserRoutingLanguage,
    UserRoutingSkill,
};
use crate::import::{import_bytes, ImportOptions, RoleDivisions};

fn division(id: &str, name: &str) -> Division {
    Division {
        id: id.to_owned(),
        name: name.to_owned(),
        ..Division::default()
    }
}

fn reference(id: &str, name: &str) -> EntityRef {
    EntityRef {
        id: id.to_owned(),
        name: Some(name.to_owned()),
        self_uri: None,
    }
}

/// An org of two users: Ada, with something in every column, reporting to Grace, with nothing.
fn org() -> OrgRoster {
    let ada = User {
        id: "u-ada".into(),
        name: Some("Ada Lovelace".into()),
        email: Some("ada@example.com".into()),
        state: Some(UserState::Active),
        division: Some(reference("d-sales", "Sales")),
        title: Some("Analyst".into()),
        department: Some("Care".into()),
        addresses: vec![Contact {
            display: Some("+1 317-222-2222".into()),
            extension: Some("2101".into()),
            media_type: "PHONE".into(),
            kind: "WORK".into(),
            ..Contact::default()
        }],
        manager: Some(reference("u-grace", "")),
        locations: vec![UserLocation::new("l-london")],
        acd_auto_answer: Some(true),
        employer_info: Some(EmployerInfo {
            official_name: Some("Augusta Ada King".into()),
            employee_id: Some("E1".into()),
            employee_type: Some("Full-time".into()),
            date_hire: Some("2026-07-01".into()),
        }),
        groups: vec![
            reference("g2", "Night Shift"),
            reference("g1", "Tier 1 Agents"),
        ],
        skills: vec![UserRoutingSkill {
            id: "s1".into(),
            name: Some("Billing".into()),
            proficiency: 4.5,
            state: Some("active".into()),
        }],
        languages: vec![UserRoutingLanguage {
            id: "lang1".into(),
            name: Some("French".into()),
            proficiency: 3.0,
            state: None,
        }],
        ..User::default()
    };
    let grace = User {
        id: "u-grace".into(),
        name: Some("Grace Hopper".into()),
        email: Some("grace@example.com".into()),
        state: Some(UserState::Inactive),
        division: Some(reference("d-home", "Home")),
        acd_auto_answer: Some(false),
        ..User::default()
    };
    OrgRoster {
        users: vec![grace, ada],
        divisions: vec![
            division("d-home", "Home"),
            division("d-sales", "Sales"),
            division("d-odd", "North, East"),
        ],
        locations: vec![Location {
            id: "l-london".into(),
            name: "London Office".into(),
        }],
        roles: vec![
            Role {
                id: "r-agent".into(),
                name: "Agent".into(),
                ..Role::default()
            },
            Role {
                id: "r-viewer".into(),
                name: "Reporting Viewer".into(),
                ..Role::default()
            },
            Role {
                id: "r-odd".into(),
                name: "Odd|Role".into(),
                ..Role::default()
            },
        ],
        queues: vec![
            Queue {
                id: "q-support".into(),
                name: "Support".into(),
                division: None,
            },
            Queue {
                id: "q-billing".into(),
                name: "Billing".into(),
                division: None,
            },
        ],
        grants: HashMap::from([(
            "u-ada".to_owned(),
            vec![
                ("r-agent".into(), "d-sales".into()),
                ("r-agent".into(), "d-odd".into()),
                ("r-viewer".into(), "*".into()),
                ("r-odd".into(), "d-home".into()),
            ],
        )]),
        queue_ids: HashMap::from([(
            "u-ada".to_owned(),
            vec!["q-support".into(), "q-billing".into()],
        )]),
        ..OrgRoster::default()
    }
}

#[test]
fn an_export_has_the_template_columns_but_the_ones_that_ask_a_run_for_something() {
    let keys: Vec<&str> = roster_columns(false).iter().map(|f| f.key()).collect();
    assert_eq!(
        keys.join(","),
        "name,email,phone_work,extension,title,department,email_manager,location_work,\
         roles_divisions,queues,division,skills,state,languages,groups,employee_id,\
         employee_type,hire_date,official_name,acd_auto_answer"
    );
    assert!(roster_columns(true).contains(&Field::ExternalId));
}

#[test]
fn each_column_is_written_in_the_import_s_own_format() {
    let rows = roster_rows(&org(), &roster_columns(false));
    assert_eq!(rows.rows.len(), 2);
    let ada = &rows.rows[0];
    let cell = |key: &str| ada[rows.header.iter().position(|h| h == key).unwrap()].as_str();
    assert_eq!(cell("email"), "ada@example.com", "rows go by e-mail");
    assert_eq!(
        cell("phone_work"),
        "+13172222222",
        "the number from display"
    );
    assert_eq!(cell("extension"), "2101");
    assert_eq!(cell("email_manager"), "grace@example.com");
    assert_eq!(cell("location_work"), "London Office");
    assert_eq!(
        cell("roles_divisions"),
        "Agent:d-odd,Sales|Reporting Viewer:*",
        "a division whose name holds a comma goes by id; a role with a | is left out"
    );
    assert_eq!(cell("queues"), "Billing,Support");
    assert_eq!(cell("division"), "Sales");
    assert_eq!(cell("skills"), "Billing:4.5");
    assert_eq!(cell("languages"), "French:3");
    assert_eq!(cell("groups"), "Night Shift,Tier 1 Agents");
    assert_eq!(cell("state"), "active");
    assert_eq!(cell("hire_date"), "2026-07-01");
    assert_eq!(cell("acd_auto_answer"), "yes");
    assert_eq!(
        rows.rows[1][rows.header.iter().position(|h| h == "state").unwrap()],
        "inactive"
    );
    assert_eq!(rows.warnings.len(), 1, "{:?}", rows.warnings);
    assert!(
        rows.warnings[0].contains("\"Odd|Role\""),
        "{:?}",
        rows.warnings
    );
}

#[test]
fn the_rows_import_back_to_the_same_values_without_an_issue() {
    let rows = roster_rows(&org(), &roster_columns(false));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&rows.header).unwrap();
    for row in &rows.rows {
        writer.write_record(row).unwrap();
    }
    let bytes = writer.into_inner().unwrap();
    let report = import_bytes(&bytes, "export.csv", &ImportOptions::default()).unwrap();
    assert!(report.issues.is_empty(), "{:?}", report.issues);
    let ada = report.valid_drafts().next().unwrap();
    assert_eq!(ada.roles.len(), 2);
    assert_eq!(
        ada.roles[0].divisions,
        RoleDivisions::Named(vec!["d-odd".into(), "Sales".into()])
    );
    assert_eq!(ada.roles[1].divisions, RoleDivisions::All);
    assert_eq!(ada.skills[0].proficiency, 4.5);
    assert_eq!(ada.acd_auto_answer, Some(true));
    assert_eq!(ada.phone_work.as_deref(), Some("+13172222222"));
}
