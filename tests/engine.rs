//! Plan and run against the sandbox org: every row ends with a final status, nobody is created
//! twice, nothing is lost — with faults, restarts and a second process in the way.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use rollcall_core::plan::{plan, DeletedPolicy, Lookup, PlanOptions, RowAction};
use rollcall_core::run::{
    export, passwords, EventReceiver, Journal, JournalError, RowStatus, RunControl, RunError,
    RunEvent, RunStatus,
};
use rollcall_sandbox::{
    Faults, RateLimitConfig, Sandbox, SandboxConfig, SandboxUser, DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
};
use support::{
    assert_no_file_contains, demo_client, import, numbered_users, record, run_plan,
    users_with_email, Drive, Scratch,
};

const MIXED: &str = "\
name,email,division,email_manager,phone_work,title
Report One,report.one@example.com,Sales,boss@example.com,+14155550101,Agent
The Boss,boss@example.com,Support,,,Director
Jordan Lee,jordan.lee@example.com,Sales,,,
Riley Morgan,riley.morgan@example.com,,,,
Bad Division,bad.division@example.com,Slaes,,,
,no.name@example.com,,,,
Reports To Org,org.report@example.com,,avery.admin@example.com,,
Unknown Boss,unknown.boss@example.com,,nobody@example.com,,
";

#[tokio::test]
async fn plan_classifies_every_row_and_resolves_managers_in_any_order() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let report = import(MIXED);
    let plan = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    let action = |email: &str| {
        plan.rows
            .iter()
            .find(|r| r.email.as_deref() == Some(email))
            .map(|r| r.action)
    };
    assert_eq!(action("report.one@example.com"), Some(RowAction::Create));
    assert_eq!(action("boss@example.com"), Some(RowAction::Create));
    assert_eq!(action("jordan.lee@example.com"), Some(RowAction::Exists));
    assert_eq!(
        action("riley.morgan@example.com"),
        Some(RowAction::SkipDeleted)
    );
    assert_eq!(action("bad.division@example.com"), Some(RowAction::Invalid));
    assert_eq!(action("org.report@example.com"), Some(RowAction::Create));
    assert_eq!(action("unknown.boss@example.com"), Some(RowAction::Invalid));
    let bad = plan
        .rows
        .iter()
        .find(|r| r.email.as_deref() == Some("bad.division@example.com"))
        .unwrap();
    assert!(
        bad.problems[0].contains("Did you mean \"Sales\""),
        "{:?}",
        bad.problems
    );
    let unknown = plan
        .rows
        .iter()
        .find(|r| r.email.as_deref() == Some("unknown.boss@example.com"))
        .unwrap();
    assert!(
        unknown.problems[0].contains("nobody@example.com"),
        "{:?}",
        unknown.problems
    );
    let report_one = &plan.rows[0];
    let boss = &plan.rows[1];
    assert_eq!(
        report_one.depth,
        boss.depth + 1,
        "the boss is created first"
    );
    assert_eq!(plan.counts.create, 3);
    assert_eq!(
        plan.counts.invalid, 3,
        "bad division, no name, unknown manager"
    );
    assert_eq!(plan.counts.exists, 1);
    assert_eq!(plan.counts.skip_deleted, 1);
    assert_eq!(
        plan.lookup,
        Lookup::Search { searches: 1 },
        "one search finds the file's eight e-mails"
    );
    // 3 creates + 2 manager updates.
    assert_eq!(plan.calls_planned, 5);
    assert_eq!(plan.pool_size, 1);
    assert_eq!(plan.default_division.name, "Home");
    assert!(plan.estimated_seconds >= 1);
}

#[tokio::test]
async fn manager_cycles_are_row_errors() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let report = import(
        "name,email,email_manager\nA,a@example.com,b@example.com\nB,b@example.com,a@example.com\nC,c@example.com,a@example.com\n",
    );
    let plan = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    assert!(
        plan.rows.iter().all(|r| r.action == RowAction::Invalid),
        "{:?}",
        plan.rows
    );
    assert!(
        plan.rows[0].problems[0].contains("cycle"),
        "{:?}",
        plan.rows[0].problems
    );
    assert!(
        plan.rows[2].problems[0].contains("will not be created"),
        "{:?}",
        plan.rows[2].problems
    );
}

#[tokio::test]
async fn search_is_used_when_the_org_is_larger_than_the_file() {
    let mut config = SandboxConfig::default();
    config.seed.users = (0..1_200)
        .map(|i| rollcall_sandbox::SeedUser {
            name: format!("Seed {i}"),
            email: format!("seed{i}@example.com"),
            state: rollcall_core::genesys::UserState::Active,
            division: None,
        })
        .collect();
    let sandbox = Sandbox::start(config).await.unwrap();
    let report = import("name,email\nNew,new@example.com\nOld,seed7@example.com\n");
    let plan = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(
        plan.lookup,
        Lookup::Search { searches: 1 },
        "one search for both e-mails, no page of the org"
    );
    assert_eq!(plan.rows[0].action, RowAction::Create);
    assert_eq!(plan.rows[1].action, RowAction::Exists);
}

#[tokio::test]
async fn a_run_creates_each_user_once_sets_managers_and_exports_results() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let scratch = Scratch::new("basic");
    let report = import(MIXED);
    let plan = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    let (run_id, outcome) = run_plan(&sandbox, &scratch, &plan).await;
    let summary = outcome.summary;
    assert_eq!(summary.status, RunStatus::Finished);
    assert_eq!(summary.progress.created, 3);
    assert_eq!(summary.progress.existed, 1);
    assert_eq!(summary.progress.skipped, 1);
    assert_eq!(summary.progress.failed, 3);
    assert_eq!(summary.progress.done, 8);

    let users = sandbox.users();
    let boss = users_with_email(&users, "boss@example.com");
    let report_one = users_with_email(&users, "report.one@example.com");
    assert_eq!(boss.len(), 1);
    assert_eq!(report_one.len(), 1);
    assert_eq!(
        report_one[0].manager_id.as_deref(),
        Some(boss[0].id.as_str())
    );
    assert_eq!(
        report_one[0].addresses[0].address.as_deref(),
        Some("+14155550101")
    );
    assert_eq!(report_one[0].title.as_deref(), Some("Agent"));
    assert_eq!(
        report_one[0].state,
        rollcall_core::genesys::UserState::Active
    );
    let sales = sandbox
        .divisions()
        .into_iter()
        .find(|d| d.name == "Sales")
        .unwrap();
    assert_eq!(report_one[0].division_id, sales.id);
    let avery = users_with_email(&users, "avery.admin@example.com")[0]
        .id
        .clone();
    assert_eq!(
        users_with_email(&users, "org.report@example.com")[0]
            .manager_id
            .as_deref(),
        Some(avery.as_str())
    );
    assert!(users_with_email(&users, "bad.division@example.com").is_empty());

    let finished: Vec<_> = outcome
        .events
        .iter()
        .filter(|e| matches!(e, RunEvent::RowFinished { .. }))
        .collect();
    assert_eq!(finished.len(), 8, "one RowFinished per row");
    assert!(matches!(outcome.events.last(), Some(RunEvent::Finished(_))));

    let journal = Journal::open(&scratch.journal_path()).unwrap();
    let record = journal.run(&run_id).unwrap();
    let rows = journal.rows(&run_id).unwrap();
    let mut results = Vec::new();
    export::write_results(&record, &rows, &mut results).unwrap();
    let results = String::from_utf8(results).unwrap();
    let lines: Vec<&str> = results.lines().collect();
    assert_eq!(
        lines[0],
        "name,email,division,email_manager,phone_work,title,Result,User ID,Error code,Message,Correlation ID"
    );
    assert!(
        lines[1].starts_with(
            "Report One,report.one@example.com,Sales,boss@example.com,+14155550101,Agent,created,"
        ),
        "{}",
        lines[1]
    );
    assert!(lines[3].contains("already existed"), "{}", lines[3]);
    assert!(
        lines[5].contains("invalid") && lines[5].contains("Did you mean"),
        "{}",
        lines[5]
    );
    let mut failed = Vec::new();
    export::write_failed_rows(&record, &rows, &mut failed).unwrap();
    let failed = String::from_utf8(failed).unwrap();
    assert_eq!(
        failed.lines().count(),
        4,
        "header and the three invalid rows:\n{failed}"
    );
    assert!(failed.lines().nth(1).unwrap().starts_with("Bad Division,"));
    // The failed-rows file reads back as the same rows.
    let again = import(&failed);
    assert_eq!(again.rows.len(), 3);
}

#[tokio::test]
async fn running_the_same_file_again_creates_nobody_twice() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let scratch = Scratch::new("twice");
    let csv = "name,email\nOne,one@example.com\nTwo,two@example.com\n";
    let report = import(csv);
    let first = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    run_plan(&sandbox, &scratch, &first).await;
    let second = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(second.counts.exists, 2);
    assert_eq!(second.counts.create, 0);
    let (_, outcome) = run_plan(&sandbox, &scratch, &second).await;
    assert_eq!(outcome.summary.progress.existed, 2);
    assert_eq!(sandbox.stats().users_created, 2);
    // Even a stale plan (made before the first run) only finds the users already there.
    let (_, stale) = run_plan(&sandbox, &scratch, &first).await;
    assert_eq!(stale.summary.progress.existed, 2, "{:?}", stale.summary);
    assert_eq!(sandbox.stats().users_created, 2);
}

#[tokio::test]
async fn deleted_users_are_restored_when_asked() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let scratch = Scratch::new("restore");
    let report = import("name,email\nRiley Morgan,riley.morgan@example.com\n");
    let options = PlanOptions {
        deleted_policy: DeletedPolicy::Restore,
        ..PlanOptions::default()
    };
    let plan = plan(&demo_client(&sandbox), &report, &options)
        .await
        .unwrap();
    assert_eq!(plan.rows[0].action, RowAction::Restore);
    let (_, outcome) = run_plan(&sandbox, &scratch, &plan).await;
    assert_eq!(outcome.summary.progress.restored, 1);
    let users = sandbox.users();
    let riley = users_with_email(&users, "riley.morgan@example.com");
    assert_eq!(riley.len(), 1);
    assert_eq!(riley[0].state, rollcall_core::genesys::UserState::Active);
}

#[tokio::test]
async fn a_second_driver_of_the_same_run_is_refused() {
    let mut config = SandboxConfig::default();
    config.latency.base = Duration::from_millis(30);
    let sandbox = Sandbox::start(config).await.unwrap();
    let scratch = Scratch::new("lock");
    let report = import(&numbered_users(40));
    let plan = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    let run_id = record(&sandbox, &scratch, &plan);
    // The first driver holds the run, paused, while the second tries.
    let control = RunControl::default();
    control.pause();
    let (first, mut events) = Drive {
        control: control.clone(),
        ..Drive::new(&sandbox)
    }
    .spawn(&scratch, &run_id);
    wait_for(&mut events, |e| matches!(e, RunEvent::Started { .. })).await;
    let second = Drive::new(&sandbox).run(&scratch, &run_id).await;
    control.resume();
    let first = first.await.unwrap();
    assert_eq!(first.unwrap().status, RunStatus::Finished);
    match second {
        Err(RunError::Journal(JournalError::Busy { pid, .. })) => {
            assert_eq!(pid, Some(std::process::id()));
        }
        Err(other) => panic!("expected Busy, got {other}"),
        Ok(_) => panic!("a second driver was allowed"),
    }
    let err = JournalError::Busy {
        run_id: run_id.clone(),
        pid: Some(42),
    };
    assert!(err
        .to_string()
        .contains("another Rollcall process (pid 42)"));
    assert_eq!(sandbox.stats().users_created, 40);
}

/// The next event `wanted` picks, reading past the others.
async fn wait_for(events: &mut EventReceiver, wanted: impl Fn(&RunEvent) -> bool) -> RunEvent {
    while let Some(event) = events.recv().await {
        if wanted(&event) {
            return event;
        }
    }
    panic!("the run ended without the event");
}

/// 60 users, each the manager of the next: a row goes only once its manager's row is through,
/// so the run works one row at a time.
fn chain_of_managers() -> String {
    let mut csv = String::from("name,email,email_manager\n");
    for i in 0..60 {
        let manager = if i == 0 {
            String::new()
        } else {
            format!("user{}@example.com", i - 1)
        };
        csv.push_str(&format!("User {i},user{i}@example.com,{manager}\n"));
    }
    csv
}

#[tokio::test]
async fn cancel_leaves_a_resumable_run_and_resume_finishes_it() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let scratch = Scratch::new("cancel");
    let report = import(&chain_of_managers());
    let plan = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    let run_id = record(&sandbox, &scratch, &plan);
    let control = RunControl::default();
    let (first, mut events) = Drive {
        control: control.clone(),
        ..Drive::new(&sandbox)
    }
    .spawn(&scratch, &run_id);
    // Paused once the first row is through, cancelled once the pause shows.
    wait_for(&mut events, |e| matches!(e, RunEvent::RowFinished { .. })).await;
    control.pause();
    wait_for(&mut events, |e| {
        matches!(e, RunEvent::Paused { paused: true })
    })
    .await;
    control.cancel();
    let first = first.await.unwrap().unwrap();
    assert_eq!(first.status, RunStatus::Cancelled);
    let done_first = first.progress.done;
    assert!(
        done_first > 0 && done_first < 60,
        "cancelled mid-way: {done_first}"
    );
    assert!(first.message.as_deref().unwrap().contains("resume"));

    let second = Drive::new(&sandbox).run(&scratch, &run_id).await.unwrap();
    assert_eq!(second.summary.status, RunStatus::Finished);
    assert_eq!(second.summary.progress.created, 60);
    assert_eq!(sandbox.stats().users_created, 60);
}

#[tokio::test]
async fn missing_permission_stops_the_run_with_the_permission_named() {
    let config = SandboxConfig {
        clients: vec![rollcall_sandbox::SandboxClient::with_permissions(
            DEMO_CLIENT_ID,
            DEMO_CLIENT_SECRET,
            &["directory:user:view"],
        )],
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let scratch = Scratch::new("perm");
    let report = import("name,email\nA,a@example.com\nB,b@example.com\nC,c@example.com\n");
    let plan = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    let (run_id, outcome) = run_plan(&sandbox, &scratch, &plan).await;
    assert_eq!(outcome.summary.status, RunStatus::Interrupted);
    let message = outcome.summary.message.unwrap();
    assert!(message.contains("directory:user:add"), "{message}");
    let journal = Journal::open(&scratch.journal_path()).unwrap();
    let rows = journal.rows(&run_id).unwrap();
    assert!(
        rows.iter().all(|r| r.status == RowStatus::Pending),
        "no row is lost: all stay pending for a resume"
    );
}

#[tokio::test]
async fn passwords_reach_genesys_but_never_the_journal_or_exports() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let scratch = Scratch::new("secret");
    let secret = "Pa55-Word-Never-On-Disk";
    let report = import(&format!(
        "name,email,password\nSecret User,secret.user@example.com,{secret}\n"
    ));
    let plan = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    let (run_id, outcome) = run_plan(&sandbox, &scratch, &plan).await;
    assert_eq!(outcome.summary.progress.created, 1);
    let journal = Journal::open(&scratch.journal_path()).unwrap();
    let record = journal.run(&run_id).unwrap();
    let rows = journal.rows(&run_id).unwrap();
    let mut results = Vec::new();
    let summary = export::write_results(&record, &rows, &mut results).unwrap();
    assert!(summary
        .advice()
        .unwrap()
        .contains("password column was left empty"));
    drop(journal);
    assert_no_file_contains(&scratch.path(), secret);
    assert!(!String::from_utf8_lossy(&results).contains(secret));
    let events = format!("{:?}", outcome.events);
    assert!(!events.contains(secret));
}

#[tokio::test]
async fn a_watcher_that_never_reads_does_not_stall_the_run_and_loses_no_row() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let scratch = Scratch::new("progress");
    let report = import(&numbered_users(300));
    let plan = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    let run_id = record(&sandbox, &scratch, &plan);
    let (driving, mut events) = Drive {
        pool_size: plan.pool_size,
        ..Drive::new(&sandbox)
    }
    .spawn(&scratch, &run_id);
    // Nothing is read until the run is over.
    let summary = driving.await.unwrap().expect("the run ends");
    assert_eq!(summary.status, RunStatus::Finished);
    assert_eq!(summary.progress.created, 300);

    let mut finished_rows = Vec::new();
    let mut progress = Vec::new();
    let mut last = None;
    while let Some(event) = events.recv().await {
        match &event {
            RunEvent::RowFinished { index, .. } => finished_rows.push(*index),
            RunEvent::Progress(counts) => progress.push(counts.clone()),
            _ => {}
        }
        last = Some(event);
    }
    finished_rows.sort_unstable();
    assert_eq!(
        finished_rows,
        (0..300).collect::<Vec<_>>(),
        "every row, once"
    );
    assert_eq!(
        progress,
        vec![summary.progress.clone()],
        "progress read late is the latest counts, once"
    );
    assert_eq!(
        last,
        Some(RunEvent::Finished(summary)),
        "the end comes last"
    );
}

/// The fault test of the engine issue: 2,000 rows, 5% 503s, 1% connections dropped after the
/// user was created, a token revoked mid-run, a scaled rate-limit window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_lose_nothing_and_duplicate_nothing() {
    let mut config = SandboxConfig {
        rate_limit: RateLimitConfig {
            requests: 300,
            window: Duration::from_secs(1),
        },
        faults: Faults {
            service_unavailable: 0.05,
            drop_after_create: 0.01,
            revoke_tokens_after: Some(1_500),
            ..Faults::default()
        },
        rng_seed: Some(2026),
        ..SandboxConfig::default()
    };
    config.variants.search_lag = Duration::from_millis(50);
    let sandbox = Sandbox::start(config).await.unwrap();
    let scratch = Scratch::new("faults");
    let csv: String = std::iter::once("name,email,division\n".to_owned())
        .chain((0..2_000).map(|i| {
            let division = ["Sales", "Support", "Operations", ""][i % 4];
            format!("User {i},user{i}@example.com,{division}\n")
        }))
        .collect();
    let report = import(&csv);
    let options = PlanOptions {
        pool_size: Some(4),
        ..PlanOptions::default()
    };
    let plan = plan(&demo_client(&sandbox), &report, &options)
        .await
        .unwrap();
    assert_eq!(plan.counts.create, 2_000);
    let (run_id, outcome) = run_plan(&sandbox, &scratch, &plan).await;
    let summary = &outcome.summary;
    assert_eq!(summary.status, RunStatus::Finished, "{:?}", summary.message);
    assert_eq!(summary.progress.created, 2_000);
    assert!(
        sandbox.stats().dropped_connections > 0,
        "the drop fault happened"
    );
    assert!(sandbox.stats().server_errors > 0, "the 503 fault happened");
    assert!(
        sandbox.stats().tokens_issued > 4,
        "revoked tokens were renewed"
    );

    let users = sandbox.users();
    let mut per_email: HashMap<String, usize> = HashMap::new();
    for user in &users {
        *per_email.entry(user.email.to_lowercase()).or_default() += 1;
    }
    for i in 0..2_000 {
        assert_eq!(
            per_email.get(&format!("user{i}@example.com")),
            Some(&1),
            "user{i}"
        );
    }
    let journal = Journal::open(&scratch.journal_path()).unwrap();
    let rows = journal.rows(&run_id).unwrap();
    assert!(rows.iter().all(|r| r.status == RowStatus::Created));
    let ids: std::collections::HashSet<_> =
        rows.iter().map(|r| r.user_id.clone().unwrap()).collect();
    assert_eq!(ids.len(), 2_000, "each row points at its own user");
}

// --- Steps after the create: roles, skills, queues, location, extension -----------------

const FULL_FILE: &str = "\
name,email,phone_work,extension,title,department,email_manager,location_work,roles_divisions,queues,division,skills
Ada Agent,ada.agent@example.com,+14155550101,1001,Agent,Care,,London Office,Agent:Support|Employee,\"Support,Escalations\",Support,\"English:4,Spanish:2\"
Ben Agent,ben.agent@example.com,,1002,Agent,Care,ada.agent@example.com,Remote,Agent:Support,Support,Support,English:3
Cleo Lead,cleo.lead@example.com,,,Lead,Care,,,Supervisor:*,\"Support,Sales\",Support,
";

fn sandbox_user(sandbox: &Sandbox, email: &str) -> SandboxUser {
    sandbox
        .users()
        .into_iter()
        .find(|u| u.email.eq_ignore_ascii_case(email))
        .unwrap_or_else(|| panic!("{email} is in the sandbox org"))
}

fn id_of<'a>(names: impl IntoIterator<Item = (&'a str, &'a str)>, wanted: &str) -> String {
    names
        .into_iter()
        .find(|(_, name)| *name == wanted)
        .map(|(id, _)| id.to_owned())
        .unwrap_or_else(|| panic!("{wanted} is in the sandbox org"))
}

#[tokio::test]
async fn roles_skills_queues_location_and_extension_are_applied_with_queues_batched() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let scratch = Scratch::new("steps");
    let report = import(FULL_FILE);
    let plan = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(plan.counts.create, 3, "{:?}", plan.rows);
    assert_eq!(plan.steps.roles, 3);
    assert_eq!(plan.steps.skills, 2);
    assert_eq!(plan.steps.queue_memberships, 5);
    // Support (3 members), Escalations, Sales: one call per queue.
    assert_eq!(plan.steps.queue_calls, 3);

    let before = sandbox.stats();
    let (run_id, outcome) = run_plan(&sandbox, &scratch, &plan).await;
    assert_eq!(
        outcome.summary.status,
        RunStatus::Finished,
        "{:?}",
        outcome.summary
    );
    assert_eq!(outcome.summary.progress.steps_total, 14);
    assert_eq!(outcome.summary.progress.steps_done, 14);
    assert_eq!(outcome.summary.progress.steps_failed, 0);

    let roles = sandbox.roles();
    let role = |name| id_of(roles.iter().map(|r| (r.id.as_str(), r.name.as_str())), name);
    let divisions = sandbox.divisions();
    let division = |name| {
        id_of(
            divisions.iter().map(|d| (d.id.as_str(), d.name.as_str())),
            name,
        )
    };
    let home = divisions.iter().find(|d| d.home).unwrap().id.clone();

    let ada = sandbox_user(&sandbox, "ada.agent@example.com");
    let mut grants: Vec<(String, String)> = ada
        .grants
        .iter()
        .map(|g| (g.role_id.clone(), g.division_id.clone()))
        .collect();
    grants.sort();
    let mut expected = vec![
        (role("Agent"), division("Support")),
        (role("Employee"), home.clone()),
    ];
    expected.sort();
    assert_eq!(grants, expected);
    assert_eq!(ada.skills.len(), 2);
    let locations = sandbox.locations();
    assert_eq!(
        ada.location_ids,
        [id_of(
            locations.iter().map(|l| (l.id.as_str(), l.name.as_str())),
            "London Office"
        )]
    );
    // The extension joins the work phone; the number is kept.
    let work = ada
        .addresses
        .iter()
        .find(|a| a.media_type == "PHONE" && a.kind == "WORK")
        .expect("a work phone");
    assert_eq!(work.address.as_deref(), Some("+14155550101"));
    assert_eq!(work.extension.as_deref(), Some("1001"));
    let ben = sandbox_user(&sandbox, "ben.agent@example.com");
    assert_eq!(ben.manager_id.as_deref(), Some(ada.id.as_str()));
    assert!(ben
        .addresses
        .iter()
        .any(|a| a.extension.as_deref() == Some("1002")));
    let cleo = sandbox_user(&sandbox, "cleo.lead@example.com");
    assert_eq!(cleo.grants.len(), 1);
    assert_eq!(cleo.grants[0].division_id, "*");

    let queues = sandbox.queues();
    let members = |name: &str| {
        let mut ids = queues
            .iter()
            .find(|q| q.name == name)
            .unwrap()
            .member_ids
            .clone();
        ids.sort();
        ids
    };
    let mut support = vec![ada.id.clone(), ben.id.clone(), cleo.id.clone()];
    support.sort();
    assert_eq!(members("Support"), support);
    assert_eq!(members("Escalations"), [ada.id.as_str()]);
    assert_eq!(members("Sales"), [cleo.id.as_str()]);

    let after = sandbox.stats();
    assert_eq!(
        after.grant_calls - before.grant_calls,
        3,
        "one bulkadd per user"
    );
    assert_eq!(
        after.skill_calls - before.skill_calls,
        2,
        "one skills call per user"
    );
    assert_eq!(
        after.queue_member_calls - before.queue_member_calls,
        3,
        "one call per queue, not per user"
    );

    // The results say it, step by step.
    let journal = Journal::open(&scratch.journal_path()).unwrap();
    let rows = journal.rows(&run_id).unwrap();
    assert!(rows
        .iter()
        .flat_map(|r| r.steps.iter())
        .all(|s| s.status == rollcall_core::run::StepStatus::Done));
    let mut csv = Vec::new();
    export::write_results(&journal.run(&run_id).unwrap(), &rows, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let header = csv.lines().next().unwrap();
    for column in [
        "Roles result",
        "Skills result",
        "Queues result",
        "Location result",
        "Extension result",
    ] {
        assert!(header.contains(column), "{header}");
    }
    assert!(csv.contains("done: Support, Escalations"), "{csv}");
}

#[tokio::test]
async fn an_unknown_role_queue_skill_or_location_is_a_row_error_with_suggestions() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let report = import(
        "name,email,roles_divisions,queues,skills,location_work\n\
         Typo Person,typo@example.com,Agnet,Suport,Englsh:3,Londn Office\n\
         Fine Person,fine@example.com,Agent,Support,English:3,Remote\n",
    );
    let plan = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    let typo = &plan.rows[0];
    assert_eq!(typo.action, RowAction::Invalid);
    let problems = typo.problems.join("\n");
    for expected in [
        "The role \"Agnet\" is not in this org. Did you mean \"Agent\"?",
        "The queue \"Suport\" is not in this org. Did you mean \"Support\"",
        "The routing skill \"Englsh\" is not in this org. Did you mean \"English\"?",
        "The location \"Londn Office\" is not in this org. Did you mean \"London Office\"?",
    ] {
        assert!(problems.contains(expected), "{problems}");
    }
    assert_eq!(plan.rows[1].action, RowAction::Create);
    // Nothing is created from a name: the org's lists are as they were.
    assert_eq!(sandbox.roles().len(), 5);
    assert_eq!(sandbox.queues().len(), 5);
}

#[tokio::test]
async fn a_step_refused_for_a_missing_permission_fails_on_its_rows_and_undoes_nothing() {
    let config = SandboxConfig {
        clients: vec![rollcall_sandbox::SandboxClient::with_permissions(
            DEMO_CLIENT_ID,
            DEMO_CLIENT_SECRET,
            &[
                "directory:user:add",
                "directory:user:view",
                "directory:user:edit",
                "authorization:role:view",
                "authorization:grant:add",
                "routing:queue:view",
                "routing:queue:edit",
                "routing:skill:view",
                "locations:location:view",
            ],
        )],
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let scratch = Scratch::new("steps-perm");
    let report = import(
        "name,email,roles_divisions,skills,queues\n\
         One,one@example.com,Agent,English:3,Support\n\
         Two,two@example.com,Agent,English:4,Support\n\
         Three,three@example.com,Agent,Spanish:2,Support\n",
    );
    let plan = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(plan.counts.create, 3);
    let (run_id, outcome) = run_plan(&sandbox, &scratch, &plan).await;
    assert_eq!(outcome.summary.progress.created, 3);
    assert_eq!(outcome.summary.progress.steps_failed, 3);
    assert_eq!(outcome.summary.progress.steps_done, 6);
    // Genesys was asked once; the other rows were told without another refused call.
    assert_eq!(sandbox.stats().skill_calls, 1);
    let rows = Journal::open(&scratch.journal_path())
        .unwrap()
        .rows(&run_id)
        .unwrap();
    for row in &rows {
        let skills = row
            .steps
            .iter()
            .find(|s| s.kind == rollcall_core::run::StepKind::Skills)
            .unwrap();
        assert_eq!(skills.status, rollcall_core::run::StepStatus::Failed);
        assert!(
            skills
                .error
                .as_deref()
                .unwrap()
                .contains("routing:skill:assign"),
            "{skills:?}"
        );
        assert_eq!(
            sandbox_user(&sandbox, row.email.as_deref().unwrap())
                .grants
                .len(),
            1
        );
    }
    assert_eq!(
        sandbox
            .queues()
            .iter()
            .find(|q| q.name == "Support")
            .unwrap()
            .member_ids
            .len(),
        3
    );
}

#[tokio::test]
async fn updating_existing_users_adds_only_what_they_lack_and_shows_it_first() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let file = "name,email,roles_divisions,queues,skills\n\
                Jordan Lee,jordan.lee@example.com,Agent:Sales|Employee,\"Sales,Support\",English:4\n";
    // Without the option, an existing user is left as they are.
    let report = import(file);
    let left = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(left.rows[0].action, RowAction::Exists);

    // Jordan already has Employee and is in Sales.
    let org = demo_client(&sandbox);
    let jordan = sandbox_user(&sandbox, "jordan.lee@example.com");
    let roles = sandbox.roles();
    let employee = id_of(
        roles.iter().map(|r| (r.id.as_str(), r.name.as_str())),
        "Employee",
    );
    let home = sandbox.divisions().into_iter().find(|d| d.home).unwrap().id;
    org.grant_roles(
        &jordan.id,
        &[rollcall_core::genesys::RoleGrant {
            role_id: employee,
            division_id: home,
        }],
    )
    .await
    .unwrap();
    let queues = sandbox.queues();
    let sales = queues
        .iter()
        .find(|q| q.name == "Sales")
        .unwrap()
        .id
        .clone();
    org.add_queue_members(&sales, std::slice::from_ref(&jordan.id))
        .await
        .unwrap();

    let options = PlanOptions {
        update_existing: true,
        ..PlanOptions::default()
    };
    let update = plan(&demo_client(&sandbox), &report, &options)
        .await
        .unwrap();
    let row = &update.rows[0];
    assert_eq!(row.action, RowAction::Update);
    assert_eq!(update.counts.update, 1);
    assert_eq!(
        row.notes[0],
        "Already in the org; will add roles: Agent (Sales); skills: English 4; queues: Support."
    );

    let scratch = Scratch::new("steps-update");
    let (_, outcome) = run_plan(&sandbox, &scratch, &update).await;
    assert_eq!(outcome.summary.status, RunStatus::Finished);
    assert_eq!(outcome.summary.progress.updated, 1);
    assert_eq!(outcome.summary.progress.existed, 0);
    assert_eq!(outcome.summary.progress.steps_done, 3);
    let jordan = sandbox_user(&sandbox, "jordan.lee@example.com");
    assert_eq!(jordan.grants.len(), 2, "added, and nothing removed");
    assert_eq!(jordan.skills.len(), 1);
    assert_eq!(
        users_with_email(&sandbox.users(), "jordan.lee@example.com").len(),
        1
    );

    // A second plan finds nothing left to add.
    let again = plan(&demo_client(&sandbox), &report, &options)
        .await
        .unwrap();
    assert_eq!(again.rows[0].action, RowAction::Exists);
    assert_eq!(
        again.rows[0].notes.last().unwrap(),
        "Already has every role, queue, skill, language, group and location the file lists."
    );
}

#[tokio::test]
async fn a_resumed_run_picks_up_at_the_step_not_the_row() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let scratch = Scratch::new("steps-resume");
    let report = import(
        "name,email,roles_divisions,skills,queues\n\
         Resumed,resumed@example.com,Agent,English:3,Support\n",
    );
    let plan = plan(&demo_client(&sandbox), &report, &PlanOptions::default())
        .await
        .unwrap();
    let run_id = record(&sandbox, &scratch, &plan);
    let mut journal = Journal::open(&scratch.journal_path()).unwrap();

    // An earlier process created the user and granted the roles, then died.
    let body = rollcall_core::plan::create_body(
        report.rows[0].draft.as_deref().unwrap(),
        &plan.rows[0].division_id.clone().unwrap(),
    );
    let user = demo_client(&sandbox)
        .create_user(&body)
        .await
        .unwrap()
        .value;
    let steps = plan.rows[0].steps.clone().unwrap();
    demo_client(&sandbox)
        .grant_roles(
            &user.id,
            &[rollcall_core::genesys::RoleGrant {
                role_id: steps.roles[0].role.id.clone(),
                division_id: steps.roles[0].division.id.clone(),
            }],
        )
        .await
        .unwrap();
    use rollcall_core::run::journal::RowUpdate;
    journal
        .apply(
            &run_id,
            &[
                RowUpdate::Intent { index: 0 },
                RowUpdate::Created {
                    index: 0,
                    user_id: user.id.clone(),
                    version: user.version,
                    note: None,
                },
                RowUpdate::Step {
                    index: 0,
                    kind: rollcall_core::run::StepKind::Roles,
                    item: String::new(),
                    status: rollcall_core::run::StepStatus::Done,
                    error: None,
                },
            ],
        )
        .unwrap();
    drop(journal);

    let before = sandbox.stats();
    let outcome = Drive {
        passwords: passwords(&report),
        ..Drive::new(&sandbox)
    }
    .run(&scratch, &run_id)
    .await
    .unwrap();
    assert_eq!(outcome.summary.status, RunStatus::Finished);
    let after = sandbox.stats();
    assert_eq!(
        after.users_created, before.users_created,
        "not created again"
    );
    assert_eq!(
        after.grant_calls, before.grant_calls,
        "roles not granted again"
    );
    assert_eq!(after.skill_calls - before.skill_calls, 1);
    assert_eq!(after.queue_member_calls - before.queue_member_calls, 1);
    let resumed = sandbox_user(&sandbox, "resumed@example.com");
    assert_eq!(resumed.skills.len(), 1);
    assert_eq!(
        users_with_email(&sandbox.users(), "resumed@example.com").len(),
        1
    );
}
