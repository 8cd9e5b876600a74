//! `rollcall version`: the version, and with `--check` whether a newer release exists. It reads
//! the same `latest.json` the desktop app's updater reads, and installs nothing.

use std::time::Duration;

use rollcall_core::genesys::install_tls_provider;
use rollcall_core::paths::UPDATE_MANIFEST_URL;

use crate::error::{exit, CliError};

/// Where to read the release manifest instead of the releases' own address: an `https` URL, or
/// `http` to this machine (for tests and a local mirror).
const MANIFEST_VARIABLE: &str = "ROLLCALL_UPDATE_URL";
/// Where a newer release is downloaded by hand.
const RELEASES_PAGE: &str = "https://github.com/rollcall-app/rollcall/releases/latest";

#[derive(clap::Args)]
pub struct VersionArgs {
    /// Ask the release server whether a newer version exists (exit 0 either way; 1 when the
    /// check itself fails).
    #[arg(long)]
    check: bool,
}

pub async fn run(args: VersionArgs) -> Result<(), CliError> {
    let current = env!("CARGO_PKG_VERSION");
    println!("rollcall {current}");
    if !args.check {
        return Ok(());
    }
    match newest_release().await {
        Ok(newest) if newer(&newest, current) => {
            println!(
                "Rollcall {newest} is available: {RELEASES_PAGE} (the desktop app offers it too)."
            );
            Ok(())
        }
        Ok(_) => {
            println!("This is the newest release.");
            Ok(())
        }
        Err(message) => Err(CliError::new(
            exit::FAILED,
            format!("could not check for a newer release: {message}"),
        )),
    }
}

/// The version `latest.json` announces.
async fn newest_release() -> Result<String, String> {
    let url = manifest_url()?;
    install_tls_provider();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("rollcall/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| e.to_string())?;
    let response = client
        .get(url.as_str())
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| e.to_string())?;
    let manifest: serde_json::Value = response
        .json()
        .await
        .map_err(|e| format!("{url} did not answer with a release manifest: {e}"))?;
    manifest["version"]
        .as_str()
        .map(|v| v.trim_start_matches('v').to_owned())
        .ok_or_else(|| format!("{url} names no version"))
}

fn manifest_url() -> Result<url::Url, String> {
    let Ok(given) = std::env::var(MANIFEST_VARIABLE) else {
        return Ok(url::Url::parse(UPDATE_MANIFEST_URL).expect("a valid URL"));
    };
    let url = url::Url::parse(&given).map_err(|e| format!("{MANIFEST_VARIABLE}: {e}"))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"));
    if url.scheme() == "https" || (url.scheme() == "http" && loopback) {
        Ok(url)
    } else {
        Err(format!(
            "{MANIFEST_VARIABLE} must be an https address (or http to this machine): {given}"
        ))
    }
}

/// Whether `candidate` is a later version than `current` (semantic versions; a pre-release is
/// earlier than its release).
fn newer(candidate: &str, current: &str) -> bool {
    match (
        semver::Version::parse(candidate),
        semver::Version::parse(current),
    ) {
        (Ok(candidate), Ok(current)) => candidate > current,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_later_version_is_newer() {
        assert!(newer("0.2.0", "0.1.0"));
        assert!(newer("0.1.1", "0.1.0"));
        assert!(newer("0.1.0", "0.1.0-beta.2"));
        assert!(!newer("0.1.0", "0.1.0"));
        assert!(!newer("0.0.9", "0.1.0"));
        assert!(!newer("latest", "0.1.0"));
    }
}
