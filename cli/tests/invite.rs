//! `rollcall invite RUN_ID` against the sandbox org: it asks before sending, invites a past
//! run's created users once, and a second time sends nothing.

mod support;

use rollcall_core::run::Journal;
use rollcall_sandbox::{Sandbox, SandboxConfig};
use support::{against, output, text, Home};

const GOOD: &str =
    "name,email,division\nAda Lovelace,ada@example.com,Sales\nAlan Turing,alan@example.com,\n";

/// How many invitations each of the file's users got.
fn invitations(sandbox: &Sandbox) -> Vec<u32> {
    ["ada@example.com", "alan@example.com"]
        .iter()
        .map(|email| {
            sandbox
                .users()
                .into_iter()
                .find(|user| user.email == *email)
                .unwrap_or_else(|| panic!("{email} was created"))
                .invitations
        })
        .collect()
}

#[tokio::test]
async fn invite_asks_then_invites_a_past_runs_created_users_once() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let home = Home::new("invite");
    let file = home.file("good.csv", GOOD);
    let ran = output(against(&home, &sandbox).args(["run", "--yes"]).arg(&file)).await;
    assert_eq!(ran.status.code(), Some(0), "{}", text(&ran));
    let run_id = Journal::open(&home.dirs().journal())
        .unwrap()
        .runs()
        .unwrap()[0]
        .id
        .clone();
    assert_eq!(invitations(&sandbox), [0, 0], "the run invited nobody");

    let refused = output(against(&home, &sandbox).args(["invite", &run_id])).await;
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        text(&refused).contains("invitation e-mail to 2 users")
            && text(&refused).contains("add --yes"),
        "{}",
        text(&refused)
    );
    assert_eq!(invitations(&sandbox), [0, 0], "nothing was sent");

    let sent = output(against(&home, &sandbox).args(["invite", "--yes", &run_id])).await;
    assert_eq!(sent.status.code(), Some(0), "{}", text(&sent));
    assert!(
        text(&sent).contains("Invitations: 2 sent, 0 not sent, 0 possibly sent."),
        "{}",
        text(&sent)
    );
    assert_eq!(invitations(&sandbox), [1, 1]);

    let again = output(against(&home, &sandbox).args(["invite", "--yes", "--json", &run_id])).await;
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    let summary: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(summary["sent"], 0, "{summary}");
    assert_eq!(invitations(&sandbox), [1, 1], "nobody is invited twice");

    let unknown =
        output(against(&home, &sandbox).args(["invite", "--yes", "20200101-000000-abcdef"])).await;
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
}
