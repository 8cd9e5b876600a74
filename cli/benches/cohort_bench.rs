//! A day-1 cohort measured against the sandbox org in its own process, at Genesys's defaults:
//! 300 requests per token over any 60 s, 250 ± 100 ms per request; a new phone's station shows
//! on the second read of the stations.
//!
//! `cargo bench -p rollcall-cli --bench cohort_bench` prints:
//! - **cohort**: 500 new agents with every column (title, department, location, extension,
//!   roles, queues, skills, languages, groups, employer info, auto-answer, a WebRTC phone on a
//!   site, an external id and a model agent): the calls the run made against one call per
//!   item, the run's time, and whether every step was done;
//! - **phones**: 100 agents with a phone while the sandbox drops the connection after every
//!   phone it makes, then every phone step put back to pending (a crash right after the
//!   create) and the run resumed: the phones in the org, against one per user.
//!
//! `-- --quick` runs 50 and 10 rows for a smoke test.

mod support;

use rollcall_core::import::{import_bytes, DateOrder, ImportOptions};
use rollcall_core::plan::{plan, PlanOptions};
use rollcall_core::run::Journal;
use support::{record_and_drive, SandboxProcess, GENESYS};

/// One new agent per row with every column Rollcall reads.
fn cohort_csv(rows: usize) -> String {
    let mut text = String::from(
        "name,email,title,department,location_work,extension,roles_divisions,queues,skills,\
         languages,groups,employee_id,employee_type,hire_date,official_name,acd_auto_answer,\
         phone,site,external_id,like\n",
    );
    for i in 0..rows {
        text.push_str(&format!(
            "Agent {i},agent{i}@example.com,Agent,Care,Remote,{ext},Agent:Support|Employee,\
             \"Support,Sales\",\"English:4,Technical:2\",\"Spanish:3,French:2\",\
             \"Tier 1 Agents,Night Shift\",C{i},Full-time,3/14/2026,Agent Number {i},yes,\
             webrtc,Indianapolis,Workday:C{i},jordan.lee@example.com\n",
            ext = 3000 + i
        ));
    }
    text
}

async fn cohort_scenario(rows: usize) {
    let sandbox = SandboxProcess::start_demo(&GENESYS);
    let options = ImportOptions {
        date_order: Some(DateOrder::Mdy),
        ..ImportOptions::default()
    };
    let report = import_bytes(cohort_csv(rows).as_bytes(), "cohort.csv", &options).unwrap();
    assert_eq!(report.error_count(), 0, "{:?}", report.issues.first());
    let client = sandbox.client();
    let plan = plan(&client, &report, &PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(plan.counts.create, rows, "{:?}", plan.rows.first());
    let before = sandbox.stats().await;
    let (summary, seconds) = record_and_drive(client, &plan, Journal::in_memory().unwrap()).await;
    let after = sandbox.stats().await;
    let delta = |key: &str| after[key].as_u64().unwrap() - before[key].as_u64().unwrap();
    let progress = &summary.progress;
    assert_eq!(progress.created, rows, "{:?}", summary.message);
    let calls = delta("requests");
    // One by one: a create, then a call per role, skill, queue, language, group, value
    // (location, extension, employer info, auto-answer), external id, and the phone's four.
    let one_by_one = rows as u64 + u64::from(plan.steps.naive_calls);
    println!(
        "cohort: {rows} agents, every column: {calls} calls ({} creates, {} PATCHes, {} bulk \
         auto-answer, {} role, {} skill, {} language, {} queue-member, {} group-member, {} \
         external id, {} phones, {} station reads, {} default stations) against {one_by_one} \
         one by one: {:.1}× fewer; planned {} step calls",
        delta("usersCreated"),
        delta("userPatches"),
        delta("bulkUserPatches"),
        delta("grantCalls"),
        delta("skillCalls"),
        delta("languageCalls"),
        delta("queueMemberCalls"),
        delta("groupMemberCalls"),
        delta("externalIdsSet"),
        delta("phonesCreated"),
        delta("stationReads"),
        delta("defaultStationsSet"),
        one_by_one as f64 / calls as f64,
        plan.steps.calls,
    );
    println!(
        "cohort: run time {seconds:.1} s on {} tokens at {} requests/min each ({} 429s); steps \
         {} done, {} failed of {}",
        plan.pool_size,
        plan.allowance_per_minute,
        delta("rateLimited"),
        progress.steps_done,
        progress.steps_failed,
        progress.steps_total,
    );
    assert_eq!(progress.steps_failed, 0, "{:?}", summary.message);
    assert_eq!(progress.steps_done, progress.steps_total);
}

async fn phones_scenario(rows: usize) {
    let sandbox = SandboxProcess::start_demo(&["--drop-after-phone-create", "1"]);
    let mut text = String::from("name,email,roles_divisions,phone,site\n");
    for i in 0..rows {
        text.push_str(&format!(
            "Phone {i},phone{i}@example.com,Agent,webrtc,Indianapolis\n"
        ));
    }
    let report = import_bytes(text.as_bytes(), "phones.csv", &ImportOptions::default()).unwrap();
    let client = sandbox.client();
    let plan = plan(&client, &report, &PlanOptions::default())
        .await
        .unwrap();
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("journal.sqlite3");
    let (summary, _) = record_and_drive(client.clone(), &plan, Journal::open(&path).unwrap()).await;
    assert_eq!(summary.progress.steps_failed, 0, "{:?}", summary.message);
    // A crash right after each create: the journal still has every phone to do.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE steps SET status = 'pending' WHERE kind = 'phone'",
            [],
        )
        .unwrap();
    let run_id = Journal::open(&path).unwrap().runs().unwrap()[0].id.clone();
    let (resumed, _) =
        support::drive_again(client, &plan, Journal::open(&path).unwrap(), &run_id).await;
    let stats = sandbox.stats().await;
    println!(
        "phones: {rows} agents, every phone's answer dropped, then every phone step redone on a \
         resume: {} phones in the org ({} dropped answers), {} default stations set; after the \
         resume {} of {} steps done",
        stats["phonesCreated"],
        stats["droppedConnections"],
        stats["defaultStationsSet"],
        resumed.progress.steps_done,
        resumed.progress.steps_total,
    );
    assert_eq!(stats["phonesCreated"].as_u64(), Some(rows as u64));
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    cohort_scenario(if quick { 50 } else { 500 }).await;
    phones_scenario(if quick { 10 } else { 100 }).await;
}
