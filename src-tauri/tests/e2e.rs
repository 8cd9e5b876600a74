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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine;

use fantoccini::{Client, ClientBuilder, Locator};
use rollcall_core::genesys::{ClientConfig, Credentials, Endpoint, GenesysClient};
use rollcall_core::logging;
use rollcall_sandbox::{Sandbox, SandboxConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use serde_json::{json, Value};

#[path = "../../tests/support/loopback.rs"]
mod loopback;
use loopback::Loopback;

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
        App::launch_with_env(name, prepare, &[]).await
    }

    /// Launch with `env` set for the app too.
    async fn launch_with_env(name: &str, prepare: impl FnOnce(&Path), env: &[(&str, &str)]) -> App {
        App::launch_custom(name, prepare, env, &[]).await
    }

    /// Launch with `args` on the app's command line, as a file association does; a file is
    /// named relative to the test's folder.
    async fn launch_with_args(name: &str, args: &[&str]) -> App {
        App::launch_custom(name, |_| {}, &[], args).await
    }

    async fn launch_custom(
        name: &str,
        prepare: impl FnOnce(&Path),
        env: &[(&str, &str)],
        args: &[&str],
    ) -> App {
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
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver runs (cargo install tauri-driver --version ^2 --locked)");
        let mut app = App {
            driver,
            client: None,
            scratch,
        };
        let args: Vec<String> = args
            .iter()
            .map(|arg| app.scratch.join(arg).display().to_string())
            .collect();
        let capabilities = json!({"tauri:options": {"application": APP, "args": args}});
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

    /// Poll `script` until `accept` takes its value, and return that value.
    async fn wait_until(&self, what: &str, script: &str, accept: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let value = self.client().execute(script, vec![]).await.ok();
            if let Some(value) = value.as_ref().filter(|v| accept(v)) {
                return value.clone();
            }
            if Instant::now() > deadline {
                panic!("waited for {what}; last saw {value:?}");
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

    // The mapping speaks the admin UI's words, never a field's id, and says in full which
    // header matched.
    let mapping = app
        .run(
            "return [...document.querySelectorAll('#mapping-grid label')].map((label) => ({
               label: label.firstChild.textContent.trim(),
               how: label.querySelector('.how').textContent,
               cut: label.querySelector('.how').scrollWidth > label.querySelector('.how').clientWidth,
             }))",
            vec![],
        )
        .await;
    let labels = mapping.as_array().unwrap();
    assert!(!labels.is_empty(), "{mapping}");
    for column in labels {
        let label = column["label"].as_str().unwrap();
        assert!(
            !["phone_work", "email_manager", "roles_divisions"].contains(&label),
            "a field id as a label: {mapping}"
        );
        assert_eq!(column["cut"], json!(false), "a cut-off match: {mapping}");
    }
    assert!(
        labels
            .iter()
            .any(|column| column["label"] == "Roles and divisions"
                && column["how"] == "(column “roles_divisions”, matched by name)"),
        "{mapping}"
    );

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
    // The options' labels hold on one line each, so their controls sit in line.
    let options = app
        .run(
            "return {
               lines: [...document.querySelectorAll('#plan-form .plan-options label')].map((label) =>
                 Math.round(label.getBoundingClientRect().height / parseFloat(getComputedStyle(label).lineHeight))),
               tops: ['#plan-division', '#plan-deleted', '#plan-pool'].map((css) =>
                 Math.round(document.querySelector(css).getBoundingClientRect().top)),
             }",
            vec![],
        )
        .await;
    assert!(
        options["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|lines| lines == 1),
        "every option's label is one line: {options}"
    );
    let tops = options["tops"].as_array().unwrap();
    assert!(
        tops.iter().all(|top| top == &tops[0]),
        "the options' controls are in line: {options}"
    );
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
    // A run of a few rows in a few seconds shows no rate and says it is too short to chart.
    let ended = app
        .run(
            "const style = (css) => getComputedStyle(document.querySelector(css));
             return {
               rate: document.querySelector(\"[data-stat='rate']\").textContent,
               note: document.querySelector('#run-chart-note').hidden ? null
                 : document.querySelector('#run-chart-note').textContent,
               cancel: style('#run-cancel').backgroundColor,
               pause: style('#run-pause').backgroundColor,
               log: document.querySelector('#run-log').getAttribute('aria-live'),
               announced: document.querySelector('#run-announce').textContent,
               announcer: document.querySelector('#run-announce').getAttribute('aria-live'),
             }",
            vec![],
        )
        .await;
    assert_eq!(ended["rate"], json!("Rate —"), "{ended}");
    assert!(
        ended["note"]
            .as_str()
            .is_some_and(|note| note.contains("too short to chart")),
        "{ended}"
    );
    // Once the run is over Cancel is disabled and painted like the other disabled buttons,
    // not in Spark's danger red.
    assert_eq!(ended["cancel"], ended["pause"], "{ended}");
    // Retries are not read out; the milestones are, the end among them.
    assert_eq!(ended["log"], json!("off"), "{ended}");
    assert_eq!(ended["announcer"], json!("polite"), "{ended}");
    assert!(
        ended["announced"]
            .as_str()
            .is_some_and(|text| text.starts_with("Finished: 4 created")),
        "{ended}"
    );
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

    // Invite later: the run invited nobody, so the history offers to invite its four created
    // users; once they are, it offers nothing more.
    app.click("#history [data-invite]").await;
    app.text_containing("#invite-question", "to 4 users").await;
    app.click("#invite-go").await;
    app.text_containing("#toasts", "4 invitations sent.").await;
    app.wait_for(
        "no more invitations to send",
        "return document.querySelectorAll('#history [data-invite]').length",
        json!(0),
    )
    .await;
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

impl App {
    /// Start the app binary again with `file` (relative to the test's folder, as a file manager
    /// in that folder would name it), and wait for that second process to hand it over and exit.
    async fn launch_again_with(&self, file: &str) {
        let mut second = Command::new(APP)
            .arg(file)
            .current_dir(&self.scratch)
            .env("ROLLCALL_HOME", self.scratch.join("home"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the app starts a second time");
        let exited = tokio::time::timeout(
            WAIT,
            tokio::task::spawn_blocking(move || second.wait().unwrap()),
        )
        .await
        .expect("the second launch exits at once")
        .unwrap();
        assert!(
            exited.success(),
            "the second launch exits cleanly: {exited}"
        );
    }
}

/// The processes running the app binary (`/proc/PID/exe` is the binary a process runs).
fn app_processes() -> Vec<u32> {
    let app = std::fs::canonicalize(APP).unwrap();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == app))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "drives the real window: run scripts/app-e2e"]
async fn a_second_launch_hands_its_csv_to_the_open_window_and_exits() {
    let app = App::launch("second-launch").await;
    assert_eq!(app_processes().len(), 1, "one app is running before");

    // As a file manager launches it: the file named relative to the folder it is in, which the
    // first app does not share.
    app.launch_again_with("new-hires.csv").await;

    let summary = app
        .text_containing("#import-summary", "new-hires.csv")
        .await;
    assert!(summary.contains("ready"), "{summary}");
    let ready = app.text_containing("[data-count='valid']", "ready").await;
    assert!(
        ready.starts_with('6'),
        "the first window read the file: {ready:?}"
    );
    assert_eq!(
        app_processes().len(),
        1,
        "only the first app remains after the second launch"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "drives the real window: run scripts/app-e2e"]
async fn a_panic_is_logged_and_the_window_offers_its_details_without_secrets_or_e_mails() {
    let log_file = std::cell::OnceCell::new();
    let app = App::launch_with_env(
        "panic",
        |home| {
            // What the log held before: a line naming a person, and one a mistake let a secret
            // into.
            let file = logging::current_file(&home.join("logs"), "rollcall-desktop");
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(
                &file,
                "2026-11-30T09:00:00Z  INFO created row=2 email=ada.lovelace@example.com\n\
                 2026-11-30T09:00:01Z  WARN retry client_secret=s3cr3t-value\n",
            )
            .unwrap();
            log_file.set(file).unwrap();
        },
        &[("ROLLCALL_TEST_PANIC", "1")],
    )
    .await;
    let log_file = log_file.get().unwrap();

    app.text_containing("#problem-dialog[open] h2", "Rollcall hit a problem")
        .await;
    let named = app
        .text_containing("#problem-log", "rollcall-desktop.")
        .await;
    assert_eq!(named, log_file.display().to_string());
    let logged = std::fs::read_to_string(log_file).unwrap();
    assert!(
        logged.contains(&format!(
            "ERROR Rollcall {} panicked",
            env!("CARGO_PKG_VERSION")
        )) && logged.contains("a panic the end-to-end test asked for")
            && logged.contains("backtrace:"),
        "the panic is in the log with the version and a backtrace: {logged}"
    );

    let details = app
        .wait_until(
            "the details to load",
            "return document.querySelector('#problem-details').value",
            |value| value.as_str().is_some_and(|v| v.contains("OS: ")),
        )
        .await;
    let details = details.as_str().unwrap();
    assert!(
        details.starts_with(&format!("Rollcall {}\n", env!("CARGO_PKG_VERSION"))),
        "{details}"
    );
    assert!(
        details.contains("email=<e-mail>") && details.contains("client_secret=***"),
        "{details}"
    );
    assert!(
        !details.contains('@') && !details.contains("s3cr3t"),
        "no e-mail address or secret leaves in the details: {details}"
    );
    assert!(details.contains("backtrace:"), "{details}");

    app.click("#problem-copy").await;
    app.text_containing("#problem-status", "Copied.").await;
    app.screenshot("problem").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "drives the real window: run scripts/app-e2e"]
async fn about_names_the_version_and_folders_and_opens_no_other_path() {
    let app = App::launch("about").await;
    app.click("#about-open").await;
    let title = app
        .text_containing("#about-dialog[open] h2", "Rollcall")
        .await;
    assert_eq!(title, format!("Rollcall {}", env!("CARGO_PKG_VERSION")));
    let home = app.file("home");
    for (folder, path) in [
        ("data", home.join("data")),
        ("config", home.join("config")),
        ("logs", home.join("logs")),
    ] {
        let shown = app
            .run(
                "return document.querySelector(`[data-folder='${arguments[0]}']`).textContent",
                vec![json!(folder)],
            )
            .await;
        assert_eq!(shown, json!(path.display().to_string()), "{folder}");
    }
    app.screenshot("about").await;

    // The window names one of the three folders, never a path, and has no opener command.
    let refused = app.invoke("open_folder", json!({"folder": "/etc"})).await;
    assert!(refused.get("error").is_some(), "{refused}");
    let refused = app
        .invoke("plugin:opener|open_path", json!({"path": "/etc"}))
        .await;
    assert!(refused.get("error").is_some(), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "drives the real window: run scripts/app-e2e"]
async fn a_file_named_on_the_command_line_opens_in_import() {
    let app = App::launch_with_args("argv", &["new-hires.csv"]).await;
    let summary = app
        .text_containing("#import-summary", "new-hires.csv")
        .await;
    assert!(summary.contains("ready"), "{summary}");
    assert_eq!(
        app.run(
            "return document.querySelector('#step-import').hidden",
            vec![]
        )
        .await,
        json!(false),
        "the window shows Import"
    );
}

/// A file that arrives during a run waits for it, says so, and replaces the planned file only
/// when the user agrees.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "drives the real window: run scripts/app-e2e"]
async fn a_file_that_arrives_during_a_run_waits_for_it_and_asks_before_replacing_the_plan() {
    let app = App::launch("run-wait").await;
    let mut big = String::from("name,email,division,roles_divisions\n");
    for n in 1..=400 {
        big.push_str(&format!(
            "Temp {n},temp.{n}@example.com,Support,Agent:Support\n"
        ));
    }
    std::fs::write(app.file("big.csv"), big).unwrap();
    app.launch_again_with("big.csv").await;
    app.text_containing("#import-summary", "big.csv").await;
    app.click("#to-plan").await;
    app.click("#plan-go").await;
    app.text_containing("[data-count='create'] .value", "400")
        .await;
    app.click("#run-go").await;
    // Paused, the run stays going however fast the sandbox org is.
    app.click("#run-pause:not([disabled])").await;
    app.text_containing("#run-status", "Paused").await;

    app.launch_again_with("new-hires.csv").await;
    let waiting = app.text_containing("#waiting-file", "will open").await;
    assert_eq!(waiting, "new-hires.csv will open when this run ends");
    let summary = app.text_containing("#import-summary", "big.csv").await;
    assert!(!summary.contains("new-hires"), "{summary}");
    app.screenshot("file-waits-for-the-run").await;

    app.click("#run-resume:not([disabled])").await;
    app.click("#run-cancel:not([disabled])").await;
    app.text_containing("#run-status", "Cancelled").await;
    let question = app
        .text_containing("#replace-dialog[open] h2", "new-hires.csv")
        .await;
    assert_eq!(question, "Open new-hires.csv?");
    app.text_containing("#replace-dialog p", "It replaces big.csv and its plan.")
        .await;
    assert_eq!(
        app.run(
            "return document.querySelector('#waiting-file') === null",
            vec![]
        )
        .await,
        json!(true),
        "the waiting notice is gone"
    );
    app.click("#replace-open").await;
    app.text_containing("#import-summary", "new-hires.csv")
        .await;
}

/// A release server on a loopback port, as GitHub serves releases: `latest.json` and one package.
/// It counts what was fetched, and stops when dropped.
struct ReleaseServer {
    server: Loopback,
    manifests: Arc<AtomicUsize>,
    downloads: Arc<AtomicUsize>,
}

impl ReleaseServer {
    /// A package for version `version`. The updater takes any bytes; the loopback server answers
    /// in JSON, so the package is a JSON string and its bytes are that string's text.
    fn package(version: &str) -> (Value, Vec<u8>) {
        let package = json!(format!("Rollcall {version} for Debian"));
        let bytes = serde_json::to_vec(&package).unwrap();
        (package, bytes)
    }

    /// Serve `package` as version `version` with `signature`, and the manifest naming them.
    async fn start(version: &str, package: Value, signature: String) -> ReleaseServer {
        let (manifests, downloads) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        // The manifest names the package by its full address, known once the server listens.
        let base = Arc::new(OnceLock::<String>::new());
        let package_path = format!("/rollcall_{version}_amd64.deb");
        let script = {
            let (manifests, downloads, base) = (manifests.clone(), downloads.clone(), base.clone());
            let version = version.to_owned();
            move |_: &str, path: &str| {
                if path == "/latest.json" {
                    manifests.fetch_add(1, Ordering::SeqCst);
                    let url = format!("{}{package_path}", base.get().unwrap());
                    // A build from cargo has no installer type, so the updater looks for the plain
                    // platform key; an installed .deb looks for linux-x86_64-deb first.
                    let manifest = json!({
                        "version": version,
                        "notes": "Plans name the role a row is missing.",
                        "pub_date": "2026-11-30T00:00:00Z",
                        "platforms": {"linux-x86_64": {"url": url, "signature": signature}},
                    });
                    (200, manifest)
                } else if path == package_path {
                    downloads.fetch_add(1, Ordering::SeqCst);
                    (200, package.clone())
                } else {
                    (404, json!({}))
                }
            }
        };
        let server = Loopback::serve(script).await;
        base.set(server.url().to_owned()).unwrap();
        ReleaseServer {
            server,
            manifests,
            downloads,
        }
    }

    fn manifest_url(&self) -> String {
        format!("{}/latest.json", self.server.url())
    }
}

/// A signing key made for one test, as `tauri signer generate` makes one.
struct SigningKey(minisign::KeyPair);

impl SigningKey {
    fn generate() -> SigningKey {
        SigningKey(minisign::KeyPair::generate_unencrypted_keypair().unwrap())
    }

    /// The public key as `tauri.conf.json` holds it: the key file, base64-encoded.
    fn public(&self) -> String {
        let file = self.0.pk.to_box().unwrap().to_string();
        base64::engine::general_purpose::STANDARD.encode(file)
    }

    /// The signature of `package` for `version`, as the Tauri signer writes it into
    /// `latest.json`: the signature file, base64-encoded, its trusted comment naming the version.
    fn sign(&self, package: &[u8], version: &str) -> String {
        let comment =
            format!("timestamp:1764460800\tfile:rollcall_{version}_amd64.deb\tversion:{version}");
        let signature = minisign::sign(
            Some(&self.0.pk),
            &self.0.sk,
            std::io::Cursor::new(package),
            Some(&comment),
            None,
        )
        .unwrap();
        base64::engine::general_purpose::STANDARD.encode(signature.to_string())
    }
}

/// Launch the app with `server` as its release server and `key` as Rollcall's public key.
async fn launch_with_updates(name: &str, server: &ReleaseServer, key: &SigningKey) -> App {
    App::launch_with_env(
        name,
        |_| {},
        &[
            ("ROLLCALL_TEST_UPDATE_ENDPOINT", &server.manifest_url()),
            ("ROLLCALL_TEST_UPDATE_PUBKEY", &key.public()),
        ],
    )
    .await
}

/// What the updater can test here: the check at start, the offer in the window, the download
/// and the signature's verification. Installing over a .deb runs `pkexec dpkg -i`, which needs
/// an administrator at the machine, so it is not tested.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "drives the real window: run scripts/app-e2e"]
async fn a_signed_update_is_offered_at_start_and_its_download_verifies() {
    let key = SigningKey::generate();
    let (package, bytes) = ReleaseServer::package("9.9.0");
    let server = ReleaseServer::start("9.9.0", package, key.sign(&bytes, "9.9.0")).await;
    let app = launch_with_updates("update", &server, &key).await;

    let title = app
        .text_containing("#update-dialog[open] h2", "is available")
        .await;
    assert_eq!(title, "Rollcall 9.9.0 is available");
    let notes = app.text_containing("#update-notes", "role").await;
    assert_eq!(notes, "Plans name the role a row is missing.");
    assert_eq!(
        server.manifests.load(Ordering::SeqCst),
        1,
        "one check at start"
    );
    app.screenshot("update-offered").await;

    let downloaded = app.invoke("download_update", json!({})).await;
    assert_eq!(downloaded["ok"]["version"], "9.9.0", "{downloaded}");
    assert_eq!(server.downloads.load(Ordering::SeqCst), 1);

    // The window drives updates through Rollcall's own commands alone.
    let refused = app.invoke("plugin:updater|check", json!({})).await;
    assert!(refused.get("error").is_some(), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "drives the real window: run scripts/app-e2e"]
async fn an_update_signed_with_another_key_is_refused_and_nothing_is_installed() {
    let key = SigningKey::generate();
    let forger = SigningKey::generate();
    let (package, bytes) = ReleaseServer::package("9.9.0");
    let server = ReleaseServer::start("9.9.0", package, forger.sign(&bytes, "9.9.0")).await;
    let app = launch_with_updates("update-forged", &server, &key).await;
    let binary_before = std::fs::metadata(APP).unwrap().modified().unwrap();

    app.text_containing("#update-dialog[open] h2", "Rollcall 9.9.0 is available")
        .await;
    // A restart would load the page again and lose this.
    app.run("window.beforeInstall = true", vec![]).await;
    app.click("#update-install").await;
    let message = app
        .text_containing("#update-error", "signature does not match")
        .await;
    assert!(
        message.starts_with("The update's signature does not match Rollcall's signing key, so nothing was installed."),
        "{message}"
    );
    app.screenshot("update-refused").await;
    assert_eq!(server.downloads.load(Ordering::SeqCst), 1);
    assert_eq!(
        app.run("return window.beforeInstall === true", vec![])
            .await,
        json!(true),
        "the app did not restart"
    );
    assert_eq!(
        std::fs::metadata(APP).unwrap().modified().unwrap(),
        binary_before,
        "the app's binary is untouched"
    );
    let installed = app.invoke("install_update", json!({})).await;
    assert_eq!(installed["error"]["kind"], "notReady", "{installed}");
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

/// A file to fix in the window, as Excel writes one in Western Europe: semicolons, Windows-1252,
/// CRLF. Line 4's e-mail is broken and line 8 has no name (the preview shows both), lines 3 and
/// 5 spell the division "Suport" (the admin sees it), and line 6 misspells a role (only the
/// plan can tell).
const FIX_ME_CSV: &str = "name;email;title;division;state;roles_divisions;queues;skills;phone_work\r\n\
Tomás Álvarez;tomas.alvarez@example.com;Agent;Support;active;Agent:Support;Support;Spanish:5,English:3;+34912345678\r\n\
Ada Lovelace;ada.lovelace@example.com;Analyst;Suport;active;Agent:Support;Support;English:4;+14155550101\r\n\
Grace Hopper;grace.hopper@example;Team Lead;Support;active;Supervisor:Support;Support;English:5;+14155550102\r\n\
Alan Turing;alan.turing@example.com;Agent;suport;active;Agent:Support;Support;English:3;+14155550103\r\n\
Typo Role;typo.role@example.com;Agent;Sales;active;Agnet:Sales;Sales;;+14155550104\r\n\
Katherine Johnson;katherine.johnson@example.com;Agent;Operations;active;Employee;;;+14155550105\r\n\
;nameless@example.com;Agent;Support;active;Agent:Support;Support;;\r\n";

/// `text` in Windows-1252 (it holds only Latin-1 letters, which that code page keeps as is).
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 letter"))
        .collect()
}

impl App {
    /// Click the cell under `column` in the preview row of `line`, making it the active cell.
    async fn click_preview_cell(&self, line: usize, column: &str) {
        self.mark_preview_cell(line, column).await;
        self.click("[data-e2e-cell]").await;
    }

    /// Double-click the cell under `column` in the preview row of `line`, as a mouse does.
    async fn double_click_preview_cell(&self, line: usize, column: &str) {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
        self.mark_preview_cell(line, column).await;
        let cell = self
            .client()
            .find(Locator::Css("[data-e2e-cell]"))
            .await
            .unwrap();
        let mut mouse = MouseActions::new("mouse".to_owned()).then(PointerAction::MoveToElement {
            element: cell,
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        for _ in 0..2 {
            mouse = mouse
                .then(PointerAction::Down {
                    button: MOUSE_BUTTON_LEFT,
                })
                .then(PointerAction::Up {
                    button: MOUSE_BUTTON_LEFT,
                });
        }
        self.client()
            .perform_actions(mouse)
            .await
            .unwrap_or_else(|e| panic!("cannot double-click line {line}'s {column}: {e}"));
    }

    /// Mark the cell under `column` in the preview row of `line` as `[data-e2e-cell]`.
    async fn mark_preview_cell(&self, line: usize, column: &str) {
        let found = self
            .run(
                "const [line, column] = arguments;
                 for (const old of document.querySelectorAll('[data-e2e-cell]')) old.removeAttribute('data-e2e-cell');
                 const host = document.querySelector('#preview-grid');
                 const headers = [...host.querySelectorAll('.grid-header .grid-cell')].map((c) => c.textContent);
                 const row = [...host.querySelectorAll('.grid-layer .grid-row:not([hidden])')]
                   .find((row) => row.children[0].textContent === String(line));
                 if (!row || headers.indexOf(column) < 0) return false;
                 row.children[headers.indexOf(column)].setAttribute('data-e2e-cell', '');
                 return true;",
                vec![json!(line), json!(column)],
            )
            .await;
        assert_eq!(found, json!(true), "line {line}'s {column} cell is drawn");
    }

    /// Type `keys` where the keyboard's focus is, as a user would.
    async fn keys(&self, keys: &str) {
        self.client()
            .active_element()
            .await
            .unwrap()
            .send_keys(keys)
            .await
            .unwrap_or_else(|e| panic!("cannot type {keys:?}: {e}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "drives the real window: run scripts/app-e2e"]
async fn bad_rows_are_fixed_by_editing_in_the_window_run_and_saved_as_a_corrected_file() {
    use fantoccini::key::Key;

    let original = windows_1252(FIX_ME_CSV);
    let app = App::launch_custom(
        "edit",
        |home| std::fs::write(home.parent().unwrap().join("fix-me.csv"), &original).unwrap(),
        &[],
        &["fix-me.csv"],
    )
    .await;
    app.text_containing("#import-summary", "fix-me.csv").await;
    app.text_containing("[data-count='invalid']", "2 rows have errors")
        .await;

    // The broken e-mail: Enter on the cell edits it, Enter again commits and moves down.
    app.click_preview_cell(4, "email").await;
    app.keys(&Key::Enter.to_string()).await;
    app.wait_for(
        "the cell editor",
        "return document.activeElement?.classList.contains('cell-editor') ?? false",
        json!(true),
    )
    .await;
    app.keys("grace.hopper@example.com").await;
    app.run(
        "document.querySelector('.edit-toolbar').scrollIntoView()",
        vec![],
    )
    .await;
    app.screenshot("edit-1-cell").await;
    app.keys(&Key::Enter.to_string()).await;
    app.text_containing("[data-count='invalid']", "1 row has errors")
        .await;
    assert_eq!(
        app.grid_cell("#preview-grid", "Line", "4", "email").await,
        json!("grace.hopper@example.com")
    );
    assert_eq!(
        app.grid_cell("#preview-grid", "Line", "4", "Check").await,
        json!("OK"),
        "the row is checked again at once"
    );
    app.wait_for(
        "the active cell to move down to line 5",
        "const cell = document.querySelector('#preview-grid .grid-cell.active');
         return cell?.parentElement.children[0].textContent ?? null",
        json!("5"),
    )
    .await;

    // A double-click edits a cell too; Escape leaves it as it was.
    app.double_click_preview_cell(2, "title").await;
    app.wait_for(
        "the cell editor on a double-click",
        "return document.activeElement?.classList.contains('cell-editor') ?? false",
        json!(true),
    )
    .await;
    app.keys(&format!("Lead{}", Key::Escape)).await;
    app.wait_for(
        "the editor gone and the grid focused again",
        "return document.querySelector('.cell-editor') === null
           && document.activeElement?.getAttribute('role') === 'grid'",
        json!(true),
    )
    .await;
    assert_eq!(
        app.grid_cell("#preview-grid", "Line", "2", "title").await,
        json!("Agent"),
        "Escape changes nothing"
    );

    // The row without a name goes (Delete), comes back (Ctrl+Z) and goes again (Redo).
    app.click_preview_cell(8, "email").await;
    app.keys(&Key::Delete.to_string()).await;
    app.text_containing("#preview-count", "6 rows").await;
    app.wait_for(
        "no row with errors left",
        "return document.querySelector(\"[data-count='invalid']\") === null",
        json!(true),
    )
    .await;
    app.keys(&format!("{}z", Key::Control)).await;
    app.text_containing("#preview-count", "7 rows").await;
    app.click("#edit-redo").await;
    app.text_containing("#preview-count", "6 rows").await;

    // The misspelt division, by find and replace: whole values, whatever their case.
    app.click("#edit-replace").await;
    app.select("#find-replace-column", "3").await;
    app.type_into("#find-replace-find", "Suport").await;
    app.type_into("#find-replace-with", "Support").await;
    app.text_containing("#find-replace-count", "2 cells will change")
        .await;
    app.click("#find-replace-apply").await;
    app.text_containing("#edit-status", "2 cells changed").await;
    app.run(
        "document.querySelector('.edit-toolbar').scrollIntoView()",
        vec![],
    )
    .await;
    app.screenshot("edit-2-replaced").await;

    // The plan finds the misspelt role and offers its fix; one click applies it and plans again.
    app.click("#to-plan").await;
    app.click("#plan-go").await;
    assert_eq!(
        app.text_containing("[data-count='invalid'] .value", "1")
            .await,
        "1"
    );
    let offer = app
        .text_containing("#plan-suggestion-list", "Use Agent for 1 row")
        .await;
    assert!(offer.contains("\"Agnet\""), "{offer}");
    app.run(
        "document.querySelector('#plan-tiles').scrollIntoView()",
        vec![],
    )
    .await;
    app.screenshot("edit-3-did-you-mean").await;
    app.click("#plan-suggestion-list button[data-use='Agent']")
        .await;
    app.wait_for(
        "the plan made again with no invalid row",
        "return document.querySelector(\"[data-count='invalid'] .value\")?.textContent === '0'
           && document.querySelector('#plan-suggestions').hidden",
        json!(true),
    )
    .await;
    assert_eq!(
        app.text_containing("[data-count='create'] .value", "6")
            .await,
        "6"
    );

    // The run creates the edited rows, and nothing fails.
    app.click("#run-go").await;
    let status = app.text_containing("#run-status", "Finished").await;
    assert!(
        status.contains("6 created") && status.contains("0 failed"),
        "{status}"
    );

    // The corrected file: the file's own layout, the fixes in, the removed row out.
    app.click("[data-step='import']").await;
    app.click("#save-corrected").await;
    let saved = app
        .text_containing("#edit-status", "Saved the corrected file")
        .await;
    let corrected = app.file("saved").join("fix-me.corrected.csv");
    let bytes = std::fs::read(&corrected)
        .unwrap_or_else(|e| panic!("{}: {e}; the window said {saved:?}", corrected.display()));
    let expected = windows_1252(
        &FIX_ME_CSV
            .replace("Suport;", "Support;")
            .replace("suport;", "Support;")
            .replace("grace.hopper@example;", "grace.hopper@example.com;")
            .replace("Agnet:Sales", "Agent:Sales")
            .replace(
                ";nameless@example.com;Agent;Support;active;Agent:Support;Support;;\r\n",
                "",
            ),
    );
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        String::from_utf8_lossy(&expected),
        "the same columns, delimiter, line endings and unchanged cells"
    );
    assert_eq!(
        bytes, expected,
        "Windows-1252 as the original: Tomás Álvarez is still 0xE1 and 0xC1"
    );
    assert_eq!(
        std::fs::read(app.file("fix-me.csv")).unwrap(),
        original,
        "the user's own file is never changed"
    );
}
