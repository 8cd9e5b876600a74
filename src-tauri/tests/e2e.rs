//! End-to-end tests of the real app window, driven through WebDriver: tauri-driver in front of
//! WebKitWebDriver, under a virtual display, inside a private D-Bus session with GNOME Keyring.
//! `scripts/app-e2e` sets all of that up and runs them:
//!
//! ```sh
//! scripts/app-e2e            # builds the app and runs these tests
//! ```
//!
//! They are ignored by a plain `cargo test`, which has no display. WebDriver cannot drop a file
//! on the window or click through a native dialog, so the tests use the app's test hook, built
//! only with the `e2e-hooks` feature (which `scripts/app-e2e` turns on): under WebDriver
//! automation `ROLLCALL_TEST_OPEN_FILE` is what the Open dialog returns and
//! `ROLLCALL_TEST_SAVE_DIR` is where the Save dialog saves. A drop is sent through the same
//! command the drop event calls (`window.rollcall.openPath`), with a file the Open dialog has
//! handed over: the app opens no other.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use rollcall_core::genesys::{ClientConfig, Credentials, Endpoint, GenesysClient};
use rollcall_sandbox::{Sandbox, SandboxConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use serde_json::{json, Value};

/// The app binary cargo built with these tests.
const APP: &str = env!("CARGO_BIN_EXE_rollcall-desktop");
const WAIT: Duration = Duration::from_secs(30);

/// Good and bad rows: four new users with roles, queues, skills, (three of them) routing
/// languages and groups, and (two of them) a location and an extension, one who already exists in the sandbox org and lacks a role and a queue, a
/// row with a broken e-mail, a row without a name, and a row whose role is misspelt (which only
/// the plan, reading the org's roles, can tell).
const USERS_CSV: &str = "\
name,email,title,division,state,roles_divisions,queues,skills,location_work,extension,languages,groups
Ada Lovelace,ada.lovelace@example.com,Analyst,Support,active,Agent:Support,Support,\"English:4,Technical:2\",Remote,2201,Spanish:3,Tier 1 Agents
Grace Hopper,grace.hopper@example.com,<img src=x onerror=document.title='pwned'>Team Lead,Support,active,Supervisor:Support|Agent:Support,\"Support,Escalations\",English:5,Indianapolis HQ,,French:2,\"Tier 1 Agents,Night Shift\"
Alan Turing,alan.turing@example.com,Agent,Sales,active,Agent:Sales,Sales,English:3,,,German:1,
Katherine Johnson,katherine.johnson@example.com,Agent,Operations,active,Employee,,,,,,
Jordan Lee,jordan.lee@example.com,Sales Manager,Sales,active,Supervisor:Sales,Sales,,,,,
Broken Mail,broken.mail@example,Agent,Support,active,Agent:Support,Support,,,,,
,nameless@example.com,Agent,Support,active,,,,,,,
Typo Role,typo.role@example.com,Agent,Support,active,Agnet:Support,Support,,,,,
";

/// One app under WebDriver, with its own folders; stopped on drop.
struct App {
    driver: Child,
    client: Option<Client>,
    scratch: PathBuf,
}

impl App {
    async fn launch(name: &str) -> App {
        App::launch_with(name, |_| {}).await
    }

    /// Launch after `prepare` has put what the test needs in the app's home folder.
    async fn launch_with(name: &str, prepare: impl FnOnce(&Path)) -> App {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "these tests need a display and a session bus: run scripts/app-e2e"
        );
        if !cfg!(feature = "e2e-hooks") {
            panic!(
                "these tests need the app's dialog test hook: run scripts/app-e2e, which builds \
                 with --features e2e-hooks"
            );
        }
        let scratch = std::env::temp_dir().join(format!(
            "rollcall-e2e-{name}-{}-{}",
            std::process::id(),
            Instant::now().elapsed().as_nanos()
        ));
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(scratch.join("saved")).unwrap();
        std::fs::write(scratch.join("new-hires.csv"), USERS_CSV).unwrap();
        prepare(&scratch.join("home"));

        let port = free_port();
        let native_port = free_port();
        let driver = Command::new(tauri_driver())
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
            // The app inherits these through the drivers.
            .env("ROLLCALL_HOME", scratch.join("home"))
            .env("ROLLCALL_TEST_OPEN_FILE", scratch.join("new-hires.csv"))
            .env("ROLLCALL_TEST_SAVE_DIR", scratch.join("saved"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver runs (cargo install tauri-driver --version ^2 --locked)");
        let mut app = App {
            driver,
            client: None,
            scratch,
        };
        let capabilities = json!({"tauri:options": {"application": APP}});
        let deadline = Instant::now() + WAIT;
        let client = loop {
            let attempt = ClientBuilder::native()
                .capabilities(capabilities.as_object().unwrap().clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
            match attempt {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => panic!("WebDriver never answered: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
            }
        };
        app.client = Some(client);
        app.wait_for(
            "the window to load",
            "return Boolean(window.rollcall?.ready)",
            json!(true),
        )
        .await;
        app
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("connected")
    }

    fn file(&self, name: &str) -> PathBuf {
        self.scratch.join(name)
    }

    async fn run(&self, script: &str, args: Vec<Value>) -> Value {
        self.client()
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Poll `script` until it returns `expected`.
    async fn wait_for(&self, what: &str, script: &str, expected: Value) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let value = self.client().execute(script, vec![]).await.ok();
            if value.as_ref() == Some(&expected) {
                return expected;
            }
            if Instant::now() > deadline {
                panic!("waited for {what}: expected {expected}, last saw {value:?}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// The text of the element `css`, once it contains `needle`.
    async fn text_containing(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self
                .run(
                    "return document.querySelector(arguments[0])?.textContent ?? null",
                    vec![json!(css)],
                )
                .await;
            if let Some(text) = text.as_str() {
                if text.contains(needle) {
                    return text.to_owned();
                }
            }
            if Instant::now() > deadline {
                let errors = self
                    .run(
                        "return [...document.querySelectorAll('.field-error:not([hidden]), .toast')]
                           .map((e) => e.id + ': ' + e.textContent)",
                        vec![],
                    )
                    .await;
                panic!(
                    "waited for {css} to say {needle:?}; it says {text}; errors shown: {errors}"
                );
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    async fn click(&self, css: &str) {
        self.client()
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
    }

    async fn type_into(&self, css: &str, text: &str) {
        let field = self.client().find(Locator::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Put `text` in the field `css` by script, as typing would. WebKitWebDriver will not always
    /// focus a field that was hidden when the page loaded (the custom URL), though the page reads
    /// it the same way.
    async fn fill(&self, css: &str, text: &str) {
        self.run(
            "const [css, text] = arguments;
             const field = document.querySelector(css);
             field.value = text;
             field.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![json!(css), json!(text)],
        )
        .await;
    }

    async fn select(&self, css: &str, value: &str) {
        self.client()
            .find(Locator::Css(css))
            .await
            .unwrap()
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("cannot choose {value} in {css}: {e}"));
    }

    /// Call a command the way the window does, and return its answer (or its error).
    async fn invoke(&self, command: &str, args: Value) -> Value {
        self.client()
            .execute_async(
                "const [command, args, done] = arguments;
                 window.__TAURI__.core.invoke(command, args)
                   .then((value) => done({ ok: value ?? null }), (error) => done({ error }));",
                vec![json!(command), args],
            )
            .await
            .unwrap()
    }

    /// The text of the cell under `column` in the row of `grid` whose `key_column` cell is
    /// `key` (among the rows drawn), or what is missing.
    async fn grid_cell(&self, grid: &str, key_column: &str, key: &str, column: &str) -> Value {
        self.run(
            "const [grid, keyColumn, key, column] = arguments;
             const host = document.querySelector(grid);
             const headers = [...host.querySelectorAll('.grid-header .grid-cell')]
               .map((cell) => cell.textContent);
             const [at, keyAt] = [headers.indexOf(column), headers.indexOf(keyColumn)];
             if (at < 0 || keyAt < 0) return `no column ${column} or ${keyColumn} in ${headers}`;
             const row = [...host.querySelectorAll('.grid-layer .grid-row:not([hidden])')]
               .find((row) => row.children[keyAt].textContent === key);
             return row ? row.children[at].textContent : `no row with ${keyColumn} ${key}`;",
            vec![json!(grid), json!(key_column), json!(key), json!(column)],
        )
        .await
    }

    async fn screenshot(&self, name: &str) {
        if let Some(folder) = std::env::var_os("ROLLCALL_E2E_SCREENSHOTS") {
            // Two frames, so what the last change drew is on screen.
            self.client()
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                    vec![],
                )
                .await
                .unwrap();
            let png = tokio::time::timeout(WAIT, self.client().screenshot())
                .await
                .expect(
                    "the screenshot came back in time (scripts/app-screenshots turns WebKit's \
                     compositing on: WebDriver cannot take one without it)",
                )
                .unwrap();
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(Path::new(&folder).join(format!("{name}.png")), png).unwrap();
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.shut_down();
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

impl App {
    /// End the app and the drivers (its folders stay until the `App` is dropped).
    fn shut_down(&mut self) {
        if let Some(client) = self.client.take() {
            // Closing the session ends the app; then tauri-driver is stopped with SIGTERM, the
            // only signal on which it also stops WebKitWebDriver.
            let closing = std::thread::spawn(move || {
                tokio::runtime::Runtime::new()
                    .unwrap()
                    .block_on(async move { client.close().await })
            });
            let _ = closing.join();
        }
        if let Ok(None) = self.driver.try_wait() {
            let _ = Command::new("kill")
                .args(["-TERM", &self.driver.id().to_string()])
                .status();
            let _ = self.driver.wait();
        }
    }
}

fn tauri_driver() -> PathBuf {
    std::env::var_os("TAURI_DRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("tauri-driver"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn secret_tool(args: &[&str]) -> std::process::Output {
    Command::new("secret-tool")
        .args(args)
        .output()
        .expect("secret-tool (libsecret-tools) is installed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "drives the real window: run scripts/app-e2e"]
async fn a_csv_goes_from_preview_to_plan_to_run_to_an_exported_results_file() {
    let app = App::launch("flow").await;
    app.screenshot("1-connect").await;

    // The controls are Genesys Spark's, drawn by its components from the app's own assets
    // under the strict CSP: the native button sits in a defined gux-button-slot that paints
    // it Spark's primary blue, and the text field is inside a gux-form-field with its shadow.
    let spark = app
        .client()
        .execute(
            "const save = document.querySelector('#pf-save');
             const field = document.querySelector('#pf-name').closest('gux-form-field-text-like');
             return {
               wrapper: save.parentElement.localName,
               defined: customElements.get('gux-button-slot') !== undefined,
               background: getComputedStyle(save).backgroundColor,
               field: Boolean(field && field.shadowRoot),
             };",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        spark,
        json!({
            "wrapper": "gux-button-slot",
            "defined": true,
            "background": "rgb(33, 67, 162)",
            "field": true,
        }),
        "the window's controls are Spark components"
    );

    // Connect: the built-in Sandbox org answers with its divisions.
    app.click("[data-profile='Sandbox org'] .profile-actions button")
        .await;
    let connected = app
        .text_containing(
            "[data-profile='Sandbox org'] .profile-result",
            "5 divisions",
        )
        .await;
    // Its secret is this launch's own: the published demo secret does not log in to it.
    let sandbox_url = connected
        .strip_prefix("Connected to ")
        .and_then(|rest| rest.split(": ").next())
        .unwrap_or_else(|| panic!("the result names the sandbox's address: {connected}"));
    let demo = GenesysClient::new(
        Endpoint::custom(sandbox_url).unwrap(),
        Credentials::new(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
        ClientConfig::default(),
    )
    .unwrap();
    let refused = demo
        .authenticate()
        .await
        .expect_err("the demo secret is refused by the app's sandbox org");
    assert!(refused.is_auth_or_permission(), "{refused}");

    // The window cannot open a file the user did not hand over.
    let made_up = app.file("new-hires.csv").display().to_string();
    let refused = app
        .invoke("open_file", json!({"path": made_up, "options": null}))
        .await;
    assert_eq!(refused["error"]["kind"], "forbidden", "{refused}");

    // Import through Browse (the Open dialog's test hook returns the file).
    app.click("[data-step='import']").await;
    app.click("#browse").await;
    let invalid = app
        .text_containing("[data-count='invalid']", "errors")
        .await;
    assert!(
        invalid.starts_with('2'),
        "two rows have errors, the chip says {invalid:?}"
    );
    let ready = app.text_containing("[data-count='valid']", "ready").await;
    assert!(ready.starts_with('6'), "six rows are ready: {ready:?}");
    // A cell holding HTML is shown as the text it is, never run or parsed.
    let hostile = app
        .run(
            "return {
               cells: [...document.querySelectorAll('#preview-grid .grid-cell')]
                 .map((cell) => cell.textContent)
                 .filter((text) => text.includes('<img')),
               images: document.querySelectorAll('#preview-grid img').length,
               title: document.title,
             }",
            vec![],
        )
        .await;
    assert_eq!(
        hostile["cells"],
        json!(["<img src=x onerror=document.title='pwned'>Team Lead"]),
        "{hostile}"
    );
    assert_eq!(hostile["images"], json!(0), "{hostile}");
    assert_eq!(hostile["title"], json!("Rollcall"), "{hostile}");
    app.click("#problems-only").await;
    app.text_containing("#preview-count", "2 of 8 rows have problems")
        .await;
    let highlighted = app
        .run(
            "return [...document.querySelectorAll('#preview-grid .grid-layer .grid-row:not([hidden]) .tone-error')]
               .map((cell) => cell.textContent)",
            vec![],
        )
        .await;
    assert!(
        highlighted
            .as_array()
            .unwrap()
            .iter()
            .any(|cell| cell == "broken.mail@example"),
        "the broken e-mail cell is highlighted: {highlighted}"
    );
    app.click("#problems-only").await;

    // A drop goes through the same command as the drop event: open the file that way too.
    let dropped = app.file("new-hires.csv").display().to_string();
    app.run(
        "window.rollcall.openPath(arguments[0])",
        vec![json!(dropped)],
    )
    .await;
    app.text_containing("#preview-count", "8 rows").await;
    app.run(
        "document.querySelector('#import-summary').scrollIntoView()",
        vec![],
    )
    .await;
    app.screenshot("2-import").await;

    // Plan against the sandbox org, adding what Jordan Lee lacks.
    app.click("#to-plan").await;
    app.click("#plan-update").await;
    app.click("#plan-go").await;
    let create = app
        .text_containing("[data-count='create'] .value", "4")
        .await;
    assert_eq!(create, "4", "four users will be created");
    assert_eq!(
        app.text_containing("[data-count='update'] .value", "1")
            .await,
        "1",
        "Jordan Lee already exists and will get the role and queue he lacks"
    );
    assert_eq!(
        app.text_containing("[data-count='exists'] .value", "0")
            .await,
        "0"
    );
    assert_eq!(
        app.text_containing("[data-count='invalid'] .value", "3")
            .await,
        "3",
        "the broken e-mail, the missing name and the misspelt role"
    );
    let notes = app
        .text_containing("#plan-notes", "Did you mean \"Agent\"")
        .await;
    assert!(
        notes.contains("Line 9: The role \"Agnet\""),
        "the misspelt role is named on its line: {notes}"
    );
    app.text_containing(
        "#plan-notes",
        "will add roles: Supervisor (Sales); queues: Sales",
    )
    .await;
    let steps = app.text_containing("#plan-steps", "After creation").await;
    for part in [
        "roles for 5 users",
        "skills for 3 users",
        "5 queue memberships in 3 calls (batched per queue)",
        "a location for 2 users",
        "an extension for 1 user",
        "languages for 3 users",
        "3 group memberships in 6 calls (batched per group)",
        "one by one",
    ] {
        assert!(
            steps.contains(part),
            "the step summary says {part:?}: {steps}"
        );
    }
    assert_eq!(
        app.run(
            "return document.querySelector('#run-go').textContent",
            vec![]
        )
        .await,
        json!("Create 4 users and update 1")
    );
    app.screenshot("3-plan").await;

    // Run it: the rows, then their roles, skills, languages, location and extension, then the
    // group and queue memberships batched per group and queue.
    app.click("#run-go").await;
    let status = app.text_containing("#run-status", "Finished").await;
    assert!(
        status.contains("4 created")
            && status.contains("1 updated")
            && status.contains("0 already existed"),
        "{status}"
    );
    assert!(
        status.contains("Steps 22 / 22 done, 0 failed"),
        "every step of the five users is done: {status}"
    );
    app.text_containing("[data-stat='steps']", "22 / 22 done, 0 failed")
        .await;
    app.screenshot("4-run").await;

    // Results: the summary, the grid, and the exported file.
    app.click("[data-step='results']").await;
    assert_eq!(
        app.text_containing("[data-count='created'] .value", "4")
            .await,
        "4"
    );
    for (email, result) in [
        ("ada.lovelace@example.com", "Created"),
        ("jordan.lee@example.com", "Updated"),
    ] {
        app.wait_for(
            &format!("{email} to show as {result} in the results grid"),
            &format!(
                "return [...document.querySelectorAll('#results-grid .grid-layer .grid-row:not([hidden])')]
                   .some((row) => row.children[1].textContent === '{result}'
                     && [...row.children].some((cell) => cell.textContent === '{email}'))"
            ),
            json!(true),
        )
        .await;
    }
    assert_eq!(
        app.grid_cell("#results-grid", "Line", "7", "Result").await,
        json!("Invalid")
    );
    let reason = app.grid_cell("#results-grid", "Line", "7", "Message").await;
    assert!(
        reason.as_str().unwrap_or_default().contains("e-mail"),
        "line 7 shows why it is invalid: {reason}"
    );
    // A column per kind of step, worded as the results file words it.
    for (email, column, expected) in [
        ("ada.lovelace@example.com", "Queues", "done: Support"),
        (
            "ada.lovelace@example.com",
            "Skills",
            "done: English:4, Technical:2",
        ),
        ("ada.lovelace@example.com", "Location", "done: Remote"),
        ("ada.lovelace@example.com", "Extension", "done: 2201"),
        ("ada.lovelace@example.com", "Languages", "done: Spanish:3"),
        ("ada.lovelace@example.com", "Groups", "done: Tier 1 Agents"),
        (
            "grace.hopper@example.com",
            "Groups",
            "done: Tier 1 Agents, Night Shift",
        ),
        (
            "grace.hopper@example.com",
            "Queues",
            "done: Support, Escalations",
        ),
        (
            "grace.hopper@example.com",
            "Roles",
            "done: Supervisor (Support), Agent (Support)",
        ),
        ("jordan.lee@example.com", "Queues", "done: Sales"),
        ("katherine.johnson@example.com", "Queues", ""),
    ] {
        assert_eq!(
            app.grid_cell("#results-grid", "E-mail", email, column)
                .await,
            json!(expected),
            "{email}'s {column} cell"
        );
    }
    app.click("#export-results").await;
    let saved = app.text_containing("#export-status", "Saved 8 rows").await;
    let exported = std::fs::read_dir(app.file("saved"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.to_string_lossy().contains(".results-"))
        .unwrap_or_else(|| panic!("no results file; the window said {saved:?}"));
    let csv = std::fs::read_to_string(&exported).unwrap();
    let header = csv.lines().next().unwrap();
    for column in [
        "Result",
        "Roles result",
        "Skills result",
        "Queues result",
        "Location result",
        "Extension result",
        "Groups result",
        "Languages result",
    ] {
        assert!(
            header.contains(column),
            "the header has {column:?}: {header}"
        );
    }
    let ada = csv
        .lines()
        .find(|l| l.contains("ada.lovelace@example.com"))
        .unwrap();
    assert!(
        ada.contains("done: Support") && ada.contains("done: Agent (Support)"),
        "Ada's queue and role are done in the file: {ada}"
    );
    assert_eq!(
        csv.lines().filter(|l| l.contains(",created,")).count(),
        4,
        "{csv}"
    );
    app.click("#export-failed").await;
    app.text_containing("#export-status", "Saved 3 rows").await;
    app.text_containing("#history tbody", "finished").await;
    app.screenshot("5-results").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "drives the real window: run scripts/app-e2e"]
async fn a_damaged_sandbox_org_file_does_not_stop_the_app_and_the_window_says_where_it_went() {
    let app = App::launch_with("damaged-sandbox", |home| {
        let data = home.join("data");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(data.join("sandbox-org.json"), "{\"divisions\": [").unwrap();
    })
    .await;
    let notice = app.text_containing("#toasts", "was damaged").await;
    assert!(
        notice.contains("sandbox-org.damaged-") && notice.contains("a fresh demo org"),
        "{notice}"
    );
    // The fresh org is there to work with: the Sandbox profile reaches it.
    let tested = app
        .invoke(
            "test_connection",
            json!({"input": {"name": "Sandbox org", "target": {"kind": "sandbox"}, "clientId": ""}}),
        )
        .await;
    assert!(tested.get("ok").is_some(), "{tested}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "drives the real window: run scripts/app-e2e"]
async fn a_profile_secret_is_kept_in_the_keychain_used_and_deleted_with_the_profile() {
    let mut app = App::launch("keychain").await;
    let account = "profile:Practice sandbox";
    // An org of its own for the profile, as `rollcall sandbox` serves one, with the public demo
    // client: the app's built-in Sandbox org is not a place a profile can be saved for.
    let practice = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let choices = app
        .run(
            "return [...document.querySelectorAll('#pf-where option')].map((o) => o.textContent)",
            vec![],
        )
        .await;
    assert!(
        !choices.to_string().contains("Sandbox"),
        "Add profile offers no sandbox choice: {choices}"
    );

    // A secret typed in the form goes nowhere but a region or a saved profile's address.
    app.type_into("#pf-name", "Practice sandbox").await;
    app.select("#pf-where", "__custom__").await;
    app.fill("#pf-url", practice.url()).await;
    app.type_into("#pf-client-id", DEMO_CLIENT_ID).await;
    app.type_into("#pf-secret", DEMO_CLIENT_SECRET).await;
    app.click("#pf-test").await;
    app.text_containing("#pf-apiUrl-error", "Save the profile first")
        .await;
    assert_eq!(
        practice.stats().tokens_issued,
        0,
        "the secret was not sent to an address no profile has"
    );

    // Save the profile, with its secret.
    app.click("#pf-save").await;
    app.text_containing("#pf-status", "Saved \"Practice sandbox\"")
        .await;
    assert_eq!(
        app.run("return document.querySelector('#pf-secret').value", vec![])
            .await,
        json!(""),
        "the form forgets the secret once it is saved"
    );

    // The secret is in the keychain, with the org address and the client it may be sent to,
    // and in no file and nowhere the window can read it.
    let lookup = secret_tool(&[
        "lookup",
        "service",
        "app.rollcall.desktop",
        "username",
        account,
    ]);
    let entry: Value = serde_json::from_slice(&lookup.stdout).expect("the entry is a document");
    assert_eq!(
        entry,
        json!({
            "v": 1,
            "endpoint": practice.url(),
            "clientId": DEMO_CLIENT_ID,
            "secret": "rollcall-sandbox-secret",
        }),
        "the keychain holds the secret, bound to where it was saved for"
    );
    let profiles_file = std::fs::read_to_string(app.file("home/config/profiles.json")).unwrap();
    assert!(profiles_file.contains("Practice sandbox"));
    assert!(!profiles_file.contains("rollcall-sandbox-secret"));
    let listed = app.invoke("list_profiles", json!({})).await;
    assert!(
        !listed.to_string().contains("rollcall-sandbox-secret"),
        "{listed}"
    );

    // Used: Test connection reads the secret from the keychain and gets the divisions.
    app.click("[data-profile='Practice sandbox'] .profile-actions button")
        .await;
    app.text_containing(
        "[data-profile='Practice sandbox'] .profile-result",
        "5 divisions",
    )
    .await;
    app.screenshot("connect-keychain-profile").await;

    // The profiles file is changed to point the profile at another org: the secret is not
    // sent there, and the form asks for it again for the profile as the file has it now.
    let elsewhere = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let profiles_path = app.file("home/config/profiles.json");
    let moved = std::fs::read_to_string(&profiles_path)
        .unwrap()
        .replace(practice.url(), elsewhere.url());
    std::fs::write(&profiles_path, moved).unwrap();
    app.click("[data-profile='Practice sandbox'] .profile-actions button")
        .await;
    let asked = app
        .text_containing("#pf-clientSecret-error", "enter the secret again")
        .await;
    assert!(
        asked.contains(&format!(
            "belongs to client {DEMO_CLIENT_ID} at {}",
            practice.url()
        )) && asked.contains(elsewhere.url()),
        "{asked}"
    );
    app.text_containing(
        "[data-profile='Practice sandbox'] .profile-result",
        "so Rollcall did not send it. If that is where it should go, enter the secret again",
    )
    .await;
    let form = app
        .run(
            "return ['#pf-name', '#pf-where', '#pf-url', '#pf-client-id', '#pf-secret']
               .map((css) => document.querySelector(css).value)",
            vec![],
        )
        .await;
    assert_eq!(
        form,
        json!([
            "Practice sandbox",
            "__custom__",
            elsewhere.url(),
            DEMO_CLIENT_ID,
            ""
        ]),
        "the form holds the profile as it is now, waiting for its secret"
    );
    assert_eq!(
        elsewhere.stats().tokens_issued,
        0,
        "the secret was not sent to the address the file now names"
    );
    app.screenshot("connect-secret-asked-again").await;
    app.type_into("#pf-secret", DEMO_CLIENT_SECRET).await;
    app.click("#pf-save").await;
    app.text_containing("#pf-status", "Saved \"Practice sandbox\"")
        .await;
    app.click("[data-profile='Practice sandbox'] .profile-actions button")
        .await;
    app.text_containing(
        "[data-profile='Practice sandbox'] .profile-result",
        "5 divisions",
    )
    .await;
    assert!(
        elsewhere.stats().tokens_issued > 0,
        "entered again, the secret goes to the profile's new address"
    );

    // A wrong secret is said plainly, next to the form (the address is a saved profile's).
    app.type_into("#pf-name", "Wrong secret").await;
    app.select("#pf-where", "__custom__").await;
    app.fill("#pf-url", elsewhere.url()).await;
    app.type_into("#pf-client-id", DEMO_CLIENT_ID).await;
    app.type_into("#pf-secret", "not-the-secret").await;
    app.click("#pf-test").await;
    let error = app
        .text_containing("#pf-clientSecret-error", "client id/secret")
        .await;
    assert!(error.contains("wrong"), "{error}");

    // Deleted: the profile and its keychain entry go together.
    app.click("[data-profile='Practice sandbox'] .profile-actions [accent=danger] button")
        .await;
    app.wait_for(
        "the profile to disappear",
        "return document.querySelector(\"[data-profile='Practice sandbox']\") === null",
        json!(true),
    )
    .await;
    let lookup = secret_tool(&[
        "lookup",
        "service",
        "app.rollcall.desktop",
        "username",
        account,
    ]);
    assert!(
        String::from_utf8_lossy(&lookup.stdout).trim().is_empty(),
        "the keychain entry is gone"
    );

    // Once the app has ended, no file it wrote holds either secret: its profiles, journal and
    // logs, and WebKit's storage and caches under HOME and the XDG folders (the keyring's own
    // file is encrypted).
    app.shut_down();
    let mut places = vec![app.scratch.clone()];
    for variable in ["HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"] {
        if let Some(place) = std::env::var_os(variable) {
            places.push(PathBuf::from(place));
        }
    }
    let mut searched = 0;
    for place in &places {
        for secret in ["rollcall-sandbox-secret", "not-the-secret"] {
            searched += assert_no_file_holds(place, secret);
        }
    }
    assert!(searched > 0, "the app wrote files to search: {places:?}");
}

/// Fails when a file under `dir` contains `needle`; returns how many files were read.
fn assert_no_file_holds(dir: &Path, needle: &str) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut read = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_symlink() {
            continue;
        }
        if path.is_dir() {
            read += assert_no_file_holds(&path, needle);
        } else if let Ok(bytes) = std::fs::read(&path) {
            read += 1;
            let found = bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
            assert!(!found, "{} holds a secret", path.display());
        }
    }
    read
}

/// Not a check but a measurement, for `scripts/app-measure`: opens a 100,000-row file and
/// scrolls the preview grid for three seconds, printing the time between frames. Does nothing
/// unless `ROLLCALL_MEASURE` is set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "drives the real window: run scripts/app-measure"]
async fn measure_frame_time_while_scrolling_100000_rows() {
    if std::env::var_os("ROLLCALL_MEASURE").is_none() {
        return;
    }
    let app = App::launch("measure").await;
    let mut csv = String::from("name,email,title,division,state\n");
    for i in 0..100_000 {
        let email = if i % 97 == 0 {
            format!("broken{i}@example")
        } else {
            format!("user{i}@example.com")
        };
        csv.push_str(&format!("User {i},{email},Agent,Support,active\n"));
    }
    // The file the Open dialog's test hook returns (the app opens only files handed over).
    std::fs::write(app.file("new-hires.csv"), csv).unwrap();
    app.click("[data-step='import']").await;
    let opened = Instant::now();
    app.click("#browse").await;
    app.text_containing("#preview-count", "100,000 rows").await;
    println!(
        "import and first render of 100,000 rows: {} ms",
        opened.elapsed().as_millis()
    );
    let frames = app
        .client()
        .execute_async(
            "const done = arguments[0];
             document.querySelector('#preview-grid').scrollIntoView();
             window.rollcall.measureScroll(3000).then(done);",
            vec![],
        )
        .await
        .unwrap();
    println!("frame time while scrolling: {frames}");
}
