//! A cohort made ready for day 1 against the sandbox org: languages, groups, employer info,
//! auto-answer, the external id and a WebRTC phone as the default station, each a journaled
//! step; the plan's errors for names the org lacks; an update that adds only what is missing;
//! and a phone whose answer was lost, then a resume, leaving one phone.

mod support;

use rollcall_core::plan::{PlanOptions, RowAction};
use rollcall_core::run::{StepKind, StepStatus};
use rollcall_sandbox::{Faults, Sandbox, SandboxConfig, Seed, Variants};
use support::{Drive, Scratch};

const COHORT: &str = "\
name,email,roles_divisions,languages,groups,employee_id,employee_type,hire_date,official_name,acd_auto_answer,phone,site,external_id
Ada Agent,ada.agent@example.com,Agent,\"Spanish:4,French:2\",\"Tier 1 Agents,Night Shift\",E2001,Full-time,3/14/2026,Ada A. Agent,yes,webrtc,Indianapolis,Workday:E2001
Ben Agent,ben.agent@example.com,Agent,German:3,Tier 1 Agents,E2002,Part-time,2026-03-15,,no,webrtc,Indianapolis,Workday:E2002
";

/// Every step of every row of a run, as (row, kind, status).
fn statuses(scratch: &Scratch, run_id: &str) -> Vec<(usize, StepKind, StepStatus)> {
    support::journal_rows(scratch, run_id)
        .iter()
        .flat_map(|row| row.steps.iter().map(move |s| (row.index, s.kind, s.status)))
        .collect()
}

fn group_members(sandbox: &Sandbox, group: &str) -> Vec<String> {
    sandbox
        .day_one()
        .groups
        .into_iter()
        .find(|g| g.name == group)
        .unwrap_or_else(|| panic!("{group} is in the org"))
        .member_ids
}

#[tokio::test]
async fn a_cohort_gets_languages_groups_employer_info_auto_answer_external_id_and_a_phone() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("day1-cohort");
    let report = support::import(COHORT);
    assert_eq!(report.error_count(), 0, "{:?}", report.issues);
    let plan = support::plan_with(&sandbox, &report, &PlanOptions::default()).await;
    assert!(
        plan.rows.iter().all(|r| r.action == RowAction::Create),
        "{:?}",
        plan.rows
    );
    assert_eq!(plan.steps.group_memberships, 3);
    assert_eq!(plan.steps.phones, 2);

    let (run_id, outcome) = support::run_plan(&sandbox, &scratch, &plan).await;
    let steps = statuses(&scratch, &run_id);
    assert!(
        steps
            .iter()
            .all(|(_, _, status)| *status == StepStatus::Done),
        "every step done: {steps:?}"
    );
    for kind in [
        StepKind::Roles,
        StepKind::Employer,
        StepKind::AutoAnswer,
        StepKind::Group,
        StepKind::Languages,
        StepKind::ExternalId,
        StepKind::Phone,
    ] {
        assert!(
            steps.iter().any(|(_, k, _)| *k == kind),
            "a {kind:?} step: {steps:?}"
        );
    }
    assert_eq!(outcome.summary.progress.steps_failed, 0);

    let ada = support::user_with_email(&sandbox, "ada.agent@example.com");
    let day_one = &ada.day_one;
    assert_eq!(day_one.languages.len(), 2);
    let employer = day_one.employer_info.as_ref().expect("employer info");
    assert_eq!(employer.date_hire.as_deref(), Some("2026-03-14"));
    assert_eq!(employer.employee_type.as_deref(), Some("Full-time"));
    assert!(day_one.acd_auto_answer);
    assert_eq!(day_one.external_ids[0].authority_name, "Workday");
    assert_eq!(day_one.external_ids[0].external_key, "E2001");
    assert!(day_one.default_station_id.is_some(), "a default station");
    assert!(group_members(&sandbox, "Tier 1 Agents").contains(&ada.id));
    assert!(group_members(&sandbox, "Night Shift").contains(&ada.id));

    let ben = support::user_with_email(&sandbox, "ben.agent@example.com");
    assert!(!ben.day_one.acd_auto_answer);
    let stats = sandbox.stats();
    assert_eq!(stats.phones_created, 2, "one phone per user");
    assert_eq!(stats.default_stations_set, 2);
    assert_eq!(
        stats.group_member_calls, 2,
        "one call per group for both users"
    );
    assert_eq!(stats.bulk_user_patches, 0, "auto-answer rode in the PATCH");
}

#[tokio::test]
async fn auto_answer_alone_goes_in_one_bulk_call_with_a_result_per_row() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("day1-bulk");
    let report = support::import(
        "name,email,acd_auto_answer\nA,a@example.com,yes\nB,b@example.com,yes\nC,c@example.com,no\n",
    );
    let plan = support::plan_with(&sandbox, &report, &PlanOptions::default()).await;
    assert_eq!(plan.steps.bulk_auto_answer, 3);
    assert_eq!(plan.steps.bulk_auto_answer_calls, 1);
    let (run_id, _) = support::run_plan(&sandbox, &scratch, &plan).await;
    let steps = statuses(&scratch, &run_id);
    assert_eq!(
        steps,
        [
            (0, StepKind::AutoAnswer, StepStatus::Done),
            (1, StepKind::AutoAnswer, StepStatus::Done),
            (2, StepKind::AutoAnswer, StepStatus::Done),
        ]
    );
    assert_eq!(sandbox.stats().bulk_user_patches, 1);
    assert_eq!(sandbox.stats().user_patches, 0);
    assert!(
        support::user_with_email(&sandbox, "a@example.com")
            .day_one
            .acd_auto_answer
    );
    assert!(
        !support::user_with_email(&sandbox, "c@example.com")
            .day_one
            .acd_auto_answer
    );
}

#[tokio::test]
async fn names_the_org_lacks_and_a_phone_without_call_add_are_plan_errors() {
    let sandbox = support::demo().await;
    let report = support::import(
        "name,email,roles_divisions,languages,groups,phone,site\n\
         A,a@example.com,Agent,Spansh:4,,,\n\
         B,b@example.com,Agent,,Night Shfit,,\n\
         C,c@example.com,Employee,,,webrtc,Indianapolis\n\
         D,d@example.com,Agent,,,webrtc,Indianaplis\n",
    );
    let plan = support::plan_with(&sandbox, &report, &PlanOptions::default()).await;
    let problems: Vec<String> = plan.rows.iter().map(|r| r.problems.join(" ")).collect();
    assert!(
        plan.rows.iter().all(|r| r.action == RowAction::Invalid),
        "{problems:?}"
    );
    assert!(
        problems[0].contains("routing language \"Spansh\"")
            && problems[0].contains("Did you mean \"Spanish\"?"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("Did you mean \"Night Shift\"?"),
        "{problems:?}"
    );
    assert!(
        problems[2].contains("Conversation > Call > Add") && problems[2].contains("\"Agent\""),
        "{problems:?}"
    );
    assert!(
        problems[3].contains("Did you mean \"Indianapolis\"?"),
        "{problems:?}"
    );
}

#[tokio::test]
async fn webrtc_with_several_webrtc_phone_base_settings_is_a_plan_error_that_lists_them() {
    let sandbox = support::start(SandboxConfig {
        seed: Seed::demo()
            .with_phone_base_settings("WebRTC Night", rollcall_core::genesys::WEBRTC_META_BASE),
        ..SandboxConfig::default()
    })
    .await;
    let report = support::import(
        "name,email,roles_divisions,phone,site\nA,a@example.com,Agent,webrtc,Indianapolis\n",
    );
    let plan = support::plan_with(&sandbox, &report, &PlanOptions::default()).await;
    let problems = plan.rows[0].problems.join(" ");
    assert!(
        problems.contains("several phone base settings for WebRTC phones")
            && problems.contains("\"WebRTC Phones\"")
            && problems.contains("\"WebRTC Night\""),
        "{problems}"
    );
}

#[tokio::test]
async fn updating_an_existing_user_adds_only_the_languages_and_groups_it_lacks() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("day1-update");
    let options = PlanOptions {
        update_existing: true,
        ..PlanOptions::default()
    };
    let first = support::import(
        "name,email,languages,groups\nJordan Lee,jordan.lee@example.com,Spanish:3,Night Shift\n",
    );
    let plan = support::plan_with(&sandbox, &first, &options).await;
    assert_eq!(plan.rows[0].action, RowAction::Update, "{:?}", plan.rows[0]);
    support::run_plan(&sandbox, &scratch, &plan).await;

    let second = support::import(
        "name,email,languages,groups,employee_type\n\
         Jordan Lee,jordan.lee@example.com,\"Spanish:3,German:2\",\"Night Shift,Tier 1 Agents\",Contractor\n",
    );
    let plan = support::plan_with(&sandbox, &second, &options).await;
    let row = &plan.rows[0];
    assert_eq!(row.action, RowAction::Update, "{row:?}");
    let steps = row.steps.as_ref().unwrap();
    let languages: Vec<&str> = steps
        .day1
        .languages
        .iter()
        .map(|l| l.skill.name.as_str())
        .collect();
    let groups: Vec<&str> = steps.day1.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(languages, ["German"], "Spanish 3 is there already");
    assert_eq!(groups, ["Tier 1 Agents"], "Night Shift is there already");
    assert!(
        row.notes
            .iter()
            .any(|n| n == "employee type: (none) → Contractor"),
        "{:?}",
        row.notes
    );
    let scratch = Scratch::new("day1-update-2");
    support::run_plan(&sandbox, &scratch, &plan).await;
    let jordan = support::user_with_email(&sandbox, "jordan.lee@example.com");
    assert_eq!(jordan.day_one.languages.len(), 2, "added, none removed");
    assert!(group_members(&sandbox, "Night Shift").contains(&jordan.id));
    assert!(group_members(&sandbox, "Tier 1 Agents").contains(&jordan.id));
}

#[tokio::test]
async fn a_phone_for_an_existing_user_counts_the_roles_it_holds_and_the_ones_the_row_adds() {
    let sandbox = support::demo().await;
    let options = PlanOptions {
        update_existing: true,
        ..PlanOptions::default()
    };
    // Jordan is given Agent (which gives Conversation > Call > Add) by a first run.
    let first =
        support::import("name,email,roles_divisions\nJordan Lee,jordan.lee@example.com,Agent\n");
    let plan = support::plan_with(&sandbox, &first, &options).await;
    support::run_plan(&sandbox, &Scratch::new("day1-phone-held"), &plan).await;

    let report = support::import(
        "name,email,roles_divisions,phone,site\n\
         Jordan Lee,jordan.lee@example.com,Employee,webrtc,Indianapolis\n\
         Avery Admin,avery.admin@example.com,Employee,webrtc,Indianapolis\n\
         Sam Patel,sam.patel@example.com,Agent,webrtc,Indianapolis\n",
    );
    let plan = support::plan_with(&sandbox, &report, &options).await;
    let jordan = &plan.rows[0];
    assert_eq!(
        jordan.action,
        RowAction::Update,
        "held through Agent: {jordan:?}"
    );
    assert!(
        jordan.steps.as_ref().unwrap().day1.phone.is_some(),
        "{jordan:?}"
    );
    let avery = &plan.rows[1];
    assert_eq!(avery.action, RowAction::Invalid, "{avery:?}");
    assert!(
        avery
            .problems
            .join(" ")
            .contains("Conversation > Call > Add"),
        "{:?}",
        avery.problems
    );
    let sam = &plan.rows[2];
    assert_eq!(sam.action, RowAction::Update, "the row adds Agent: {sam:?}");
}

#[tokio::test]
async fn a_lost_answer_after_the_phone_is_made_then_a_resume_leaves_one_phone() {
    let sandbox = support::start(SandboxConfig {
        faults: Faults {
            drop_after_phone_create: 1.0,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let scratch = Scratch::new("day1-phone-crash");
    let report = support::import(
        "name,email,roles_divisions,phone,site\nA,a@example.com,Agent,webrtc,Indianapolis\n",
    );
    let plan = support::plan_with(&sandbox, &report, &PlanOptions::default()).await;
    let (run_id, _) = support::run_plan(&sandbox, &scratch, &plan).await;
    assert_eq!(
        sandbox.stats().dropped_connections,
        1,
        "the create's answer was lost"
    );
    assert_eq!(sandbox.stats().phones_created, 1, "found, not made again");

    // A crash right after the create: the journal still has the phone to do.
    rusqlite::Connection::open(scratch.journal_path())
        .unwrap()
        .execute(
            "UPDATE steps SET status = 'pending', error = NULL WHERE kind = 'phone'",
            [],
        )
        .unwrap();
    Drive::new(&sandbox)
        .run(&scratch, &run_id)
        .await
        .expect("the resume completes");
    assert_eq!(sandbox.stats().phones_created, 1, "still one phone");
    assert_eq!(
        statuses(&scratch, &run_id)
            .iter()
            .filter(|(_, kind, status)| *kind == StepKind::Phone && *status == StepStatus::Done)
            .count(),
        1
    );
    let user = support::user_with_email(&sandbox, "a@example.com");
    assert!(user.day_one.default_station_id.is_some());
}

#[tokio::test]
async fn a_model_agent_is_read_once_and_gives_its_roles_queues_skills_languages_and_groups() {
    let sandbox = support::demo().await;
    let model = support::import(
        "name,email,roles_divisions,queues,skills,languages,groups\n\
         Model Agent,model@example.com,Agent:Support,Support,English:4,Spanish:3,Night Shift\n",
    );
    let plan = support::plan_with(&sandbox, &model, &PlanOptions::default()).await;
    support::run_plan(&sandbox, &Scratch::new("day1-model-seed"), &plan).await;

    let cohort = support::import(
        "name,email,skills,like\n\
         New One,new.one@example.com,English:2,model@example.com\n\
         New Two,new.two@example.com,,Model@Example.com\n",
    );
    let reads_before = sandbox.stats().user_detail_reads;
    let plan = support::plan_with(&sandbox, &cohort, &PlanOptions::default()).await;
    assert_eq!(
        sandbox.stats().user_detail_reads - reads_before,
        3,
        "the model's grants, skills and queues are read once for both rows"
    );
    let row = &plan.rows[0];
    assert_eq!(row.action, RowAction::Create, "{row:?}");
    assert!(
        row.notes.iter().any(|n| n
            == "Like model@example.com: adds roles: Agent (Support); queues: Support; \
                languages: Spanish 3; groups: Night Shift."),
        "{:?}",
        row.notes
    );
    let steps = row.steps.as_ref().unwrap();
    assert_eq!(steps.skills.len(), 1);
    assert_eq!(steps.skills[0].proficiency, 2.0, "the row's own level wins");

    let scratch = Scratch::new("day1-model");
    let (run_id, _) = support::run_plan(&sandbox, &scratch, &plan).await;
    assert!(statuses(&scratch, &run_id)
        .iter()
        .all(|(_, _, status)| *status == StepStatus::Done));
    let two = support::user_with_email(&sandbox, "new.two@example.com");
    assert_eq!(two.grants.len(), 1);
    assert_eq!(two.skills[0].proficiency, 4.0, "the model's level");
    assert_eq!(two.day_one.languages.len(), 1);
    assert!(group_members(&sandbox, "Night Shift").contains(&two.id));
}

#[tokio::test]
async fn a_model_agent_not_in_the_org_is_a_row_error() {
    let sandbox = support::demo().await;
    let report = support::import("name,email,like\nA,a@example.com,nobody@example.com\n");
    let plan = support::plan_with(&sandbox, &report, &PlanOptions::default()).await;
    assert_eq!(plan.rows[0].action, RowAction::Invalid);
    assert!(
        plan.rows[0].problems[0].contains("the model agent nobody@example.com is not in this org"),
        "{:?}",
        plan.rows[0].problems
    );
}

#[tokio::test]
async fn an_external_id_held_by_a_user_with_another_email_is_a_row_error_and_nobody_is_no_error() {
    for miss_status in [404, 200, 204] {
        let sandbox = support::start(SandboxConfig {
            variants: Variants {
                external_id_miss_status: miss_status,
                ..Variants::default()
            },
            ..SandboxConfig::default()
        })
        .await;
        let report = support::import(
            "name,email,external_id\n\
             Jo Lee,jo.lee@example.com,Workday:E1001\n\
             New Hire,new.hire@example.com,Workday:E9999\n",
        );
        let plan = support::plan_with(&sandbox, &report, &PlanOptions::default()).await;
        assert_eq!(plan.rows[0].action, RowAction::Invalid, "{miss_status}");
        assert!(
            plan.rows[0].problems[0]
                .contains("Workday:E1001 already belongs to jordan.lee@example.com"),
            "{:?}",
            plan.rows[0].problems
        );
        assert_eq!(
            plan.rows[1].action,
            RowAction::Create,
            "an id nobody has, answered {miss_status}"
        );
    }
}

#[tokio::test]
async fn the_invitation_goes_out_last_after_the_batched_groups_and_queues() {
    let sandbox = support::demo().await;
    let scratch = Scratch::new("day1-invite-last");
    let report = support::import(
        "name,email,roles_divisions,queues,groups,languages,phone,site\n\
         Ada,ada@example.com,Agent,Support,Night Shift,Spanish:3,webrtc,Indianapolis\n",
    );
    let options = PlanOptions {
        invite: true,
        ..PlanOptions::default()
    };
    let plan = support::plan_with(&sandbox, &report, &options).await;
    let run_id = support::record(&sandbox, &scratch, &plan);
    Drive {
        invite: true,
        ..Drive::new(&sandbox)
    }
    .run(&scratch, &run_id)
    .await
    .expect("the run completes");
    let steps: Vec<String> = rollcall_core::run::Journal::open(&scratch.journal_path())
        .unwrap()
        .attempts(&run_id, 0)
        .unwrap()
        .into_iter()
        .map(|(step, _)| step)
        .collect();
    let at = |name: &str| {
        steps
            .iter()
            .position(|s| s == name)
            .unwrap_or_else(|| panic!("{name} in {steps:?}"))
    };
    assert!(at("roles") < at("languages"), "{steps:?}");
    assert!(at("roles") < at("defaultStation"), "{steps:?}");
    assert!(at("defaultStation") < at("group"), "{steps:?}");
    assert_eq!(
        steps.last().map(String::as_str),
        Some("invite"),
        "{steps:?}"
    );
    assert_eq!(
        support::user_with_email(&sandbox, "ada@example.com").invitations,
        1
    );
}
