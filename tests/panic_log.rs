//! A panic leaves what a bug report needs in the log file: the message, where, a backtrace and
//! the version. (One test in its own binary: the panic hook is the whole process's.)

use rollcall_core::logging;

#[test]
fn a_panic_is_written_to_the_log_with_a_backtrace_and_the_version() {
    let scratch = tempfile::tempdir().unwrap();
    let logs = scratch.path().join("logs");
    logging::log_panics(&logs, "rollcall", "9.8.7");

    let crashed = std::thread::Builder::new()
        .name("importer".into())
        .spawn(|| panic!("the mapping lost column 3"))
        .unwrap()
        .join();
    assert!(crashed.is_err(), "the thread panicked");

    let log = std::fs::read_to_string(logging::current_file(&logs, "rollcall"))
        .expect("the panic was written to today's log file");
    let first = log.lines().next().unwrap();
    assert!(
        first.contains(" ERROR Rollcall 9.8.7 panicked in thread 'importer'")
            && first.contains("tests/panic_log.rs")
            && log.contains("the mapping lost column 3"),
        "{log}"
    );
    assert!(
        log.contains("backtrace:\n") && log.contains("panic_log"),
        "the backtrace names the test's frames: {log}"
    );
}
