//! Rollcall's own files are this user's only: on Unix the config, data and log folders are 0700
//! and the files in them 0600 (profiles, remembered columns, the journal and its locks, the logs,
//! the sandbox org), whatever the umask. And a file is replaced through a temporary file with a
//! name of its own, so the app and the CLI writing the same file never collide.

mod support;

use std::path::Path;

use rollcall_core::paths::{replace_file, write_private, AppDirs};
use rollcall_core::plan::{plan, PlanOptions};
use rollcall_core::profiles::{Profile, Profiles, Target};
use rollcall_core::run::{Journal, RunLock};
use rollcall_core::secrets::{MemoryStore, Secret};
use rollcall_sandbox::{Sandbox, SandboxConfig};
use support::Scratch;

/// The permission bits of `path`.
#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[cfg(not(unix))]
fn mode(_: &Path) -> u32 {
    unreachable!("the tests that read file modes are ignored where there are none")
}

fn assert_private_dir(path: &Path) {
    assert_eq!(mode(path), 0o700, "{} is this user's only", path.display());
}

fn assert_private_file(path: &Path) {
    assert_eq!(mode(path), 0o600, "{} is this user's only", path.display());
}

fn region_profile(name: &str) -> Profile {
    Profile {
        name: name.to_owned(),
        target: Target::Region {
            key: "eu-west-1".to_owned(),
        },
        client_id: "abc".to_owned(),
        rate_per_minute: None,
    }
}

#[tokio::test]
#[cfg_attr(
    not(unix),
    ignore = "file modes are Unix's; on Windows the folders sit in the user's own profile"
)]
async fn profiles_the_journal_its_locks_and_the_sandbox_org_are_private() {
    let scratch = Scratch::new("private");
    let dirs = AppDirs::under(scratch.path().join("home"));
    // A data folder an earlier version made with the usual mode is tightened too.
    std::fs::create_dir_all(&dirs.data).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dirs.data, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    let secrets = MemoryStore::default();
    Profiles::new(&dirs.config, &secrets)
        .save(&region_profile("Prod EU"), &Secret::new("s3cret"))
        .unwrap();
    assert_private_dir(&dirs.config);
    assert_private_file(&dirs.config.join("profiles.json"));

    let sandbox = Sandbox::start(SandboxConfig {
        state_file: Some(dirs.sandbox_org()),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    sandbox.save().unwrap();
    assert_private_file(&dirs.sandbox_org());

    let client = support::demo_client(&sandbox);
    let report = support::import(&support::numbered_users(3));
    let made = plan(&client, &report, &PlanOptions::default())
        .await
        .unwrap();
    let mut journal = Journal::open(&dirs.journal()).unwrap();
    let origin = rollcall_core::run::RunOrigin {
        source_name: "users.csv".into(),
        endpoint: sandbox.url().into(),
        ..Default::default()
    };
    let run = rollcall_core::run::record_run(&mut journal, &made, &origin).unwrap();
    assert_private_dir(&dirs.data);
    assert_private_file(&dirs.journal());
    let wal = dirs.data.join("journal.sqlite3-wal");
    if wal.exists() {
        assert_private_file(&wal);
    }

    let lock = RunLock::acquire(&dirs.run_locks(), &run.id, &journal).unwrap();
    assert_private_dir(&dirs.run_locks());
    assert_private_file(lock.path());
}

#[test]
#[cfg_attr(
    not(unix),
    ignore = "file modes are Unix's; on Windows the folders sit in the user's own profile"
)]
fn the_log_folder_and_its_files_are_private() {
    let scratch = Scratch::new("private-logs");
    let logs = scratch.path().join("logs");
    let guard = rollcall_core::logging::init(&logs, "rollcall-test").unwrap();
    tracing::info!("a line for the file");
    drop(guard);
    assert_private_dir(&logs);
    let files: Vec<_> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_private_file(&files[0]);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("a line for the file"), "{text}");
}

/// While one process (the CLI, say) is writing its temporary file, another (the app) saves the
/// same file: neither touches the other's temporary file.
#[tokio::test]
async fn a_save_leaves_another_process_temporary_file_alone() {
    let scratch = Scratch::new("collide");
    let dirs = AppDirs::under(scratch.path());
    std::fs::create_dir_all(&dirs.config).unwrap();
    std::fs::create_dir_all(&dirs.data).unwrap();
    // The names the other process would be writing under, had temporary names been fixed.
    let theirs = [
        dirs.config.join("profiles.json.tmp"),
        dirs.data.join("sandbox-org.json.tmp"),
    ];
    for file in &theirs {
        std::fs::write(file, "half written by the other process").unwrap();
    }

    let secrets = MemoryStore::default();
    let profiles = Profiles::new(&dirs.config, &secrets);
    profiles
        .save(&region_profile("Prod EU"), &Secret::new("s3cret"))
        .unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        state_file: Some(dirs.sandbox_org()),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    sandbox.save().unwrap();

    for file in &theirs {
        assert_eq!(
            std::fs::read_to_string(file).unwrap(),
            "half written by the other process",
            "{} is the other process's",
            file.display()
        );
    }
    assert_eq!(profiles.list().unwrap().len(), 2, "the sandbox and Prod EU");
    assert!(std::fs::read_to_string(dirs.sandbox_org())
        .unwrap()
        .contains("divisions"));
}

#[test]
fn a_replaced_file_is_whole_or_untouched_and_no_temporary_file_stays() {
    let scratch = Scratch::new("replace");
    let path = scratch.path().join("users.results-run1.csv");
    std::fs::write(&path, "the earlier export\n").unwrap();

    let failed = replace_file(&path, |file| {
        std::io::Write::write_all(file, b"half of the new ")?;
        Err::<(), _>(std::io::Error::other("the disk is full"))
    });
    assert!(failed.is_err());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "the earlier export\n"
    );

    replace_file(&path, |file| {
        std::io::Write::write_all(file, b"the new export\n")
    })
    .unwrap();
    write_private(&scratch.path().join("state.json"), b"{}").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "the new export\n");
    let mut names: Vec<String> = std::fs::read_dir(scratch.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["state.json", "users.results-run1.csv"]);
}
