//! "Test connection": a one-item read of each list a run reads, a refusal named with the
//! permission, the writes listed as checked on first use.

mod support;

use rollcall_core::connection::{test_connection, ReadOutcome};
use rollcall_sandbox::{SandboxClient, SandboxConfig};

/// Every permission a run reads with, but `authorization:role:view`.
const ALL_READS_BUT_ROLES: &[&str] = &[
    "routing:queue:view",
    "routing:skill:view",
    "locations:location:view",
    "directory:user:view",
    "authorization:grant:view",
];

#[tokio::test]
async fn a_read_the_client_may_not_make_is_named_with_its_permission() {
    let sandbox = support::start(SandboxConfig {
        clients: vec![
            SandboxClient::demo(),
            SandboxClient::with_permissions("no-roles", "no-roles-secret", ALL_READS_BUT_ROLES),
        ],
        ..SandboxConfig::default()
    })
    .await;
    let report = test_connection(&support::client_for(
        &sandbox,
        "no-roles",
        "no-roles-secret",
    ))
    .await
    .expect("the client logs in and reads the divisions");
    assert_eq!(report.divisions[0], "Home", "the home division first");
    let missing: Vec<(&str, &str)> = report
        .missing()
        .map(|r| (r.what, r.permission.as_str()))
        .collect();
    assert_eq!(missing, [("roles", "authorization:role:view")]);
    let refusal = report.missing().next().unwrap().message.clone().unwrap();
    assert!(refusal.contains("authorization:role:view"), "{refusal}");
    assert!(
        report
            .reads
            .iter()
            .filter(|r| r.what != "roles")
            .all(|r| r.outcome == ReadOutcome::Allowed),
        "{:?}",
        report.reads
    );
    assert!(
        report
            .writes
            .iter()
            .any(|w| w.permission == Some("directory:user:add")),
        "creating users is listed, checked on first use"
    );

    let everything = test_connection(&support::demo_client(&sandbox))
        .await
        .unwrap();
    assert_eq!(everything.missing().count(), 0, "{:?}", everything.reads);
    assert_eq!(
        everything.reads.len(),
        6,
        "roles, queues, skills, locations, search, grants"
    );
}
