//! `rollcall export` against the sandbox org: it writes the org's users owner-only in the
//! import's layout (CSV, or XLSX by the file's extension), shows its progress on standard error,
//! and the file plans nothing to do when imported again with --update-existing.

mod support;

use rollcall_sandbox::{Sandbox, SandboxConfig};
use support::{against, output, text, Home};

const GOOD: &str = "name,email,division,roles_divisions,queues,skills\n\
    Ada Lovelace,ada@example.com,Sales,Agent:Sales,Sales,Billing:4\n\
    Alan Turing,alan@example.com,,Employee,,\n";

async fn org_with_a_run(home: &Home) -> Sandbox {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let file = home.file("good.csv", GOOD);
    let ran = output(against(home, &sandbox).args(["run", "--yes"]).arg(&file)).await;
    assert_eq!(ran.status.code(), Some(0), "{}", text(&ran));
    sandbox
}

#[tokio::test]
async fn export_writes_the_users_and_an_update_existing_plan_of_it_has_nothing_to_do() {
    let home = Home::new("export");
    let sandbox = org_with_a_run(&home).await;
    let out = home.path().join("users.csv");
    let exported = output(
        against(&home, &sandbox)
            .arg("export")
            .arg("--out")
            .arg(&out),
    )
    .await;
    assert_eq!(exported.status.code(), Some(0), "{}", text(&exported));
    let stdout = String::from_utf8_lossy(&exported.stdout);
    let live = sandbox
        .users()
        .iter()
        .filter(|u| u.state != rollcall_core::genesys::UserState::Deleted)
        .count();
    assert!(
        stdout.contains(&format!("Exported {live} users to")),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&exported.stderr);
    assert!(
        stderr.contains("Reading users:") && stderr.contains(&format!("Writing: {live} of {live}")),
        "progress on standard error: {stderr}"
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.contains("ada@example.com") && csv.contains("Agent:Sales") && csv.contains("Billing:4"),
        "{csv}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the org's personal data is the owner's alone"
        );
    }

    let planned = output(
        against(&home, &sandbox)
            .args(["plan", "--update-existing", "--json"])
            .arg(&out),
    )
    .await;
    assert_eq!(planned.status.code(), Some(0), "{}", text(&planned));
    let summary = support::json_lines(&planned)
        .into_iter()
        .find(|line| line["type"] == "plan")
        .expect("the plan's summary");
    let counts = &summary["plan"]["counts"];
    assert_eq!(counts["exists"], live, "{summary}");
    assert_eq!(counts["update"], 0, "{summary}");
    assert_eq!(counts["create"], 0, "{summary}");
}

#[tokio::test]
async fn export_writes_xlsx_by_the_extension_and_says_so_in_json() {
    let home = Home::new("export-xlsx");
    let sandbox = org_with_a_run(&home).await;
    let out = home.path().join("users.xlsx");
    let exported = output(
        against(&home, &sandbox)
            .args(["export", "--json", "--out"])
            .arg(&out),
    )
    .await;
    assert_eq!(exported.status.code(), Some(0), "{}", text(&exported));
    let summary: serde_json::Value = serde_json::from_slice(&exported.stdout).unwrap();
    assert_eq!(summary["format"], "xlsx", "{summary}");
    assert!(summary["calls"].as_u64().unwrap() > 0, "{summary}");
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..2], b"PK", "an XLSX is a zip archive");
    assert_eq!(summary["bytes"], bytes.len());

    let validated = output(against(&home, &sandbox).arg("validate").arg(&out)).await;
    assert_eq!(validated.status.code(), Some(0), "{}", text(&validated));
}

#[tokio::test]
async fn export_to_a_folder_that_does_not_exist_is_a_usage_error() {
    let home = Home::new("export-nowhere");
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let out = home.path().join("missing").join("users.csv");
    let exported = output(
        against(&home, &sandbox)
            .arg("export")
            .arg("--out")
            .arg(&out),
    )
    .await;
    assert_eq!(exported.status.code(), Some(2), "{}", text(&exported));
    assert!(
        text(&exported).contains("could not be written"),
        "{}",
        text(&exported)
    );
}
