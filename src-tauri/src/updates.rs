//! Signed updates. Releases publish `latest.json` (the version, its notes, and a download with
//! its minisign signature for each platform); the app checks it at start and then daily unless
//! the user turned that off, and the window offers the new version. Installing downloads the
//! package, verifies its signature against the public key in `tauri.conf.json` (and that it was
//! signed for the version announced), installs it, and restarts. Nothing is installed when the
//! signature or the download fails, and never while a run is going.
//!
//! The release config names only an `https` endpoint. A build with the `e2e-hooks` feature (never
//! a release), under WebDriver automation, takes its endpoint and key from the test instead:
//! `ROLLCALL_TEST_UPDATE_ENDPOINT` (plain `http` to a loopback address only) and
//! `ROLLCALL_TEST_UPDATE_PUBKEY`.

use std::sync::Mutex;
use std::time::Duration;

use rollcall_core::paths::{write_private, AppDirs};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_updater::{Update, Updater, UpdaterExt};

use crate::error::{Error, Result};

/// The event that offers a new version to the window.
pub const AVAILABLE_EVENT: &str = "rollcall://update-available";
/// How often a running app looks again.
const CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);
/// A check or a download that takes longer than this has failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Where the setting is kept, in the config folder.
const SETTINGS_FILE: &str = "updates.json";

/// The user's choice about updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSettings {
    /// Look for a new version at start and then daily.
    pub check_automatically: bool,
}

impl Default for UpdateSettings {
    fn default() -> Self {
        UpdateSettings {
            check_automatically: true,
        }
    }
}

impl UpdateSettings {
    /// The saved setting; the default (checking) when none was saved or the file is unreadable.
    pub fn load(dirs: &AppDirs) -> UpdateSettings {
        std::fs::read(dirs.config.join(SETTINGS_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, dirs: &AppDirs) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self).expect("settings serialize");
        write_private(&dirs.config.join(SETTINGS_FILE), &bytes)
            .map_err(|e| Error::Io(format!("The update setting could not be saved: {e}")))
    }
}

/// A newer version, as the window shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    pub version: String,
    pub current_version: String,
    /// The release notes.
    pub notes: Option<String>,
}

/// The update offered, and its package once downloaded and verified.
#[derive(Default)]
pub struct Updates {
    offered: Mutex<Option<Update>>,
    verified: Mutex<Option<(Update, Vec<u8>)>>,
}

impl Offer {
    fn of(update: &Update) -> Offer {
        Offer {
            version: update.version.clone(),
            current_version: update.current_version.clone(),
            notes: update.body.clone().filter(|notes| !notes.trim().is_empty()),
        }
    }
}

/// Look for a newer version; remember it for [`download`].
pub async fn check(app: &AppHandle) -> Result<Option<Offer>> {
    let found = updater(app)?.check().await.map_err(failure)?;
    let offer = found.as_ref().map(Offer::of);
    *app.state::<Updates>().offered.lock().expect("updates") = found;
    Ok(offer)
}

/// The version found by the last check, if any: the check at start may end before the window
/// listens for [`AVAILABLE_EVENT`], so the window also asks when it loads.
pub fn offered(app: &AppHandle) -> Option<Offer> {
    let updates = app.state::<Updates>();
    let offered = updates.offered.lock().expect("updates");
    offered.as_ref().map(Offer::of)
}

/// Download the offered version and verify its signature; keep the package for [`install`].
pub async fn download(app: &AppHandle) -> Result<Offer> {
    let updates = app.state::<Updates>();
    let Some(update) = updates.offered.lock().expect("updates").clone() else {
        return Err(Error::NotReady(
            "No update is offered: check for updates first.".to_owned(),
        ));
    };
    let package = update.download(|_, _| {}, || {}).await.map_err(failure)?;
    tracing::info!(version = %update.version, "update downloaded and its signature verified");
    let offer = Offer::of(&update);
    *updates.verified.lock().expect("updates") = Some((update, package));
    Ok(offer)
}

/// Install the verified package and restart into it. On Linux the `.deb` is installed with
/// `pkexec`, which asks for the administrator's password; the installers wait for the user, so
/// this runs off the async workers.
pub async fn install(app: &AppHandle) -> Result<()> {
    let Some((update, package)) = app
        .state::<Updates>()
        .verified
        .lock()
        .expect("updates")
        .take()
    else {
        return Err(Error::NotReady(
            "The update has not been downloaded yet.".to_owned(),
        ));
    };
    let version = update.version.clone();
    tauri::async_runtime::spawn_blocking(move || update.install(package))
        .await?
        .map_err(failure)?;
    tracing::info!(%version, "update installed; restarting");
    app.restart()
}

/// At start and then daily, offer a newer version to the window, unless the user turned that
/// off. Under WebDriver automation the app checks only when a test named its own update server,
/// so no test ever reaches the real releases.
pub fn check_daily(app: AppHandle, dirs: AppDirs) {
    if under_automation() && test_source().is_none() {
        return;
    }
    tauri::async_runtime::spawn(async move {
        loop {
            if UpdateSettings::load(&dirs).check_automatically {
                match check(&app).await {
                    Ok(Some(offer)) => {
                        let _ = app.emit(AVAILABLE_EVENT, offer);
                    }
                    Ok(None) => {}
                    // A daily check that fails (offline, a proxy) is no news for the window.
                    Err(e) => tracing::info!("the update check failed: {e}"),
                }
            }
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
}

fn updater(app: &AppHandle) -> Result<Updater> {
    let mut builder = app.updater_builder().timeout(REQUEST_TIMEOUT);
    if let Some((endpoint, pubkey)) = test_source() {
        builder = builder
            .endpoints(vec![endpoint])
            .map_err(failure)?
            .pubkey(pubkey);
    }
    builder.build().map_err(failure)
}

/// An updater failure as the window says it. A signature that does not verify, or a package
/// signed for another version than the one offered, means the package is not Rollcall's own.
fn failure(error: tauri_plugin_updater::Error) -> Error {
    use tauri_plugin_updater::Error as Failure;
    let message = match &error {
        Failure::Minisign(_)
        | Failure::Base64(_)
        | Failure::SignatureUtf8(_)
        | Failure::SignedVersionMismatch { .. }
        | Failure::MissingSignedVersion => format!(
            "The update's signature does not match Rollcall's signing key, so nothing was \
             installed. Download Rollcall from its releases page instead. ({error})"
        ),
        Failure::Reqwest(_) | Failure::Network(_) | Failure::ReleaseNotFound => format!(
            "The update could not be fetched, so nothing was installed: {error}. Check the \
             connection and try again later."
        ),
        Failure::AuthenticationFailed => {
            "The update was not installed: the administrator's password was not given.".to_owned()
        }
        _ => format!("The update failed, and Rollcall is unchanged: {error}"),
    };
    tracing::warn!("update failed: {error}");
    Error::Update(message)
}

fn under_automation() -> bool {
    std::env::var_os("TAURI_WEBVIEW_AUTOMATION").is_some_and(|v| !v.is_empty() && v != "false")
}

/// The end-to-end tests' update server and key (see the module's note).
#[cfg(feature = "e2e-hooks")]
fn test_source() -> Option<(tauri::Url, String)> {
    if !under_automation() {
        return None;
    }
    let endpoint = std::env::var("ROLLCALL_TEST_UPDATE_ENDPOINT").ok()?;
    let pubkey = std::env::var("ROLLCALL_TEST_UPDATE_PUBKEY").ok()?;
    let endpoint = tauri::Url::parse(&endpoint).ok()?;
    is_loopback_http(&endpoint).then_some((endpoint, pubkey))
}

#[cfg(not(feature = "e2e-hooks"))]
fn test_source() -> Option<(tauri::Url, String)> {
    None
}

/// Plain `http` is allowed only to this machine.
#[cfg(any(test, feature = "e2e-hooks"))]
fn is_loopback_http(url: &tauri::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let loopback = host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    url.scheme() == "http" && loopback
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_update_server_may_be_plain_http_only_on_this_machine() {
        for allowed in [
            "http://127.0.0.1:4321/latest.json",
            "http://[::1]:80/x",
            "http://localhost:9/",
        ] {
            assert!(is_loopback_http(&allowed.parse().unwrap()), "{allowed}");
        }
        for refused in [
            "http://10.0.0.5/latest.json",
            "http://example.com/latest.json",
            "http://127.0.0.1.example.com/latest.json",
            "https://127.0.0.1/latest.json",
            "file:///tmp/latest.json",
        ] {
            assert!(!is_loopback_http(&refused.parse().unwrap()), "{refused}");
        }
    }

    #[test]
    fn updates_are_checked_until_the_user_turns_that_off() {
        let scratch = tempfile::tempdir().unwrap();
        let dirs = AppDirs::under(scratch.path().to_owned());
        assert!(UpdateSettings::load(&dirs).check_automatically);
        UpdateSettings {
            check_automatically: false,
        }
        .save(&dirs)
        .unwrap();
        assert!(!UpdateSettings::load(&dirs).check_automatically);
        std::fs::write(dirs.config.join(SETTINGS_FILE), "{").unwrap();
        assert!(
            UpdateSettings::load(&dirs).check_automatically,
            "a damaged file means the default"
        );
    }

    #[test]
    fn a_failed_download_says_nothing_was_installed() {
        let error = failure(tauri_plugin_updater::Error::Network(
            "Download request failed with status: 404 Not Found".into(),
        ));
        assert_eq!(error.kind(), "update");
        let message = error.to_string();
        assert!(
            message.starts_with("The update could not be fetched, so nothing was installed: ")
                && message.contains("404 Not Found"),
            "{message}"
        );
    }

    #[test]
    fn a_bad_signature_says_nothing_was_installed() {
        let error = failure(tauri_plugin_updater::Error::SignedVersionMismatch {
            signed: "0.1.0".into(),
            announced: "9.0.0".into(),
        });
        assert_eq!(error.kind(), "update");
        let message = error.to_string();
        assert!(
            message.starts_with("The update's signature does not match Rollcall's signing key")
                && message.contains("nothing was installed"),
            "{message}"
        );
    }
}
