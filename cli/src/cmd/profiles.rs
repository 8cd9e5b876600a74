//! `rollcall profiles add|list|remove|test`: saved connections, secrets in the OS keychain.

use std::io::{IsTerminal, Read};

use clap::{Args, Subcommand};
use rollcall_core::connection::{test_connection, ReadOutcome};
use rollcall_core::genesys::Region;
use rollcall_core::paths::AppDirs;
use rollcall_core::profiles::{Profile, ProfileError, Profiles, Target};
use rollcall_core::secrets::{KeyringStore, Secret};
use serde_json::json;

use crate::connect::{profile_error_message, ConnectArgs};
use crate::error::{exit, CliError};

#[derive(Subcommand, Debug)]
pub enum ProfilesCommand {
    /// Save a profile; the secret is read from a prompt (no echo) or standard input.
    Add(AddArgs),
    /// The saved profiles.
    List {
        /// JSON Lines.
        #[arg(long)]
        json: bool,
    },
    /// Remove a profile and its keychain entry.
    Remove { name: String },
    /// Log in and try a one-item read of each list a run reads, naming any permission the
    /// client lacks (exit 3); the writes' permissions are listed, checked on first use.
    Test { name: String },
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// The profile's name.
    pub name: String,
    /// Region key (us-east-1, eu-west-1, …).
    #[arg(long, required_unless_present = "api_url", conflicts_with = "api_url")]
    pub region: Option<String>,
    /// A custom https API base URL (a proxy) instead of a region.
    #[arg(long)]
    pub api_url: Option<String>,
    /// The OAuth client's id (Client Credentials grant).
    #[arg(long)]
    pub client_id: String,
    /// Requests per minute per token the org allows, when Genesys support raised it above the
    /// default 300 (default: the org's own limits when the client may read them, else 300).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub rate: Option<u32>,
}

pub async fn run(command: ProfilesCommand) -> Result<(), CliError> {
    let dirs = AppDirs::for_current_user()
        .ok_or_else(|| CliError::usage("cannot find a home folder (set ROLLCALL_HOME)"))?;
    let store = KeyringStore;
    let profiles = Profiles::new(&dirs.config, &store);
    match command {
        ProfilesCommand::Add(args) => add(&profiles, args),
        ProfilesCommand::List { json } => list(&profiles, json),
        ProfilesCommand::Remove { name } => {
            profiles.remove(&name).map_err(failure)?;
            println!("Removed the profile \"{name}\" and its keychain entry.");
            Ok(())
        }
        ProfilesCommand::Test { name } => test(name).await,
    }
}

fn add(profiles: &Profiles<'_>, args: AddArgs) -> Result<(), CliError> {
    let target = match (&args.region, &args.api_url) {
        (Some(key), _) => Target::Region { key: key.clone() },
        (None, Some(url)) => Target::Custom {
            api_url: url.clone(),
        },
        (None, None) => unreachable!("clap requires one"),
    };
    let secret = read_secret().map_err(CliError::usage)?;
    let profile = Profile {
        name: args.name.clone(),
        target,
        client_id: args.client_id,
        rate_per_minute: args.rate,
    };
    profiles.save(&profile, &secret).map_err(failure)?;
    println!(
        "Saved the profile \"{}\"; its secret is in the OS keychain. Check it with: rollcall profiles test \"{}\"",
        args.name, args.name
    );
    Ok(())
}

/// The secret from a prompt without echo on a terminal, else the first line of standard input.
fn read_secret() -> Result<Secret, String> {
    // What was read is held as a secret at once, so it is wiped when dropped; the room reserved
    // for standard input keeps a secret's line from being copied as the buffer grows.
    let typed = Secret::new(if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Client secret (not shown): ")
            .map_err(|e| format!("cannot read the secret: {e}"))?
    } else {
        let mut text = String::with_capacity(4096);
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read the secret from standard input: {e}"))?;
        text
    });
    let secret = Secret::from(typed.expose().lines().next().unwrap_or("").trim());
    if secret.is_empty() {
        return Err("no secret given".to_owned());
    }
    Ok(secret)
}

fn list(profiles: &Profiles<'_>, json: bool) -> Result<(), CliError> {
    let list = profiles.list().map_err(failure)?;
    for profile in list {
        let place = match &profile.target {
            Target::Region { key } => Region::by_key(key)
                .map(|r| format!("{} ({})", r.name, r.key))
                .unwrap_or_else(|| key.clone()),
            Target::Sandbox => "the built-in sandbox org".to_owned(),
            Target::Custom { api_url } => api_url.clone(),
        };
        if json {
            println!("{}", json!({"type": "profile", "profile": profile}));
        } else {
            let rate = profile
                .rate_per_minute
                .map(|r| format!(", {r} requests/min per token"))
                .unwrap_or_default();
            println!(
                "{:<24} {:<40} client {}{rate}",
                profile.name, place, profile.client_id
            );
        }
    }
    Ok(())
}

async fn test(name: String) -> Result<(), CliError> {
    let connect = ConnectArgs {
        profile: Some(name.clone()),
        api_url: None,
        region: None,
    };
    let connection = connect.connect().await?;
    let report = test_connection(&connection.client).await.map_err(|e| {
        let code = if e.is_auth_or_permission() {
            exit::AUTH
        } else {
            exit::FAILED
        };
        CliError::new(code, e)
    })?;
    println!(
        "The profile \"{name}\" works: {} reached, {} divisions (home: {}).",
        report.endpoint,
        report.divisions.len(),
        report.divisions.first().map(String::as_str).unwrap_or("?")
    );
    println!("Reads a run makes (each tried with one item):");
    for read in &report.reads {
        let (word, detail) = match read.outcome {
            ReadOutcome::Allowed => ("ok", String::new()),
            ReadOutcome::Missing => ("MISSING", format!(" — needs {}", read.permission)),
            ReadOutcome::Failed | ReadOutcome::NotChecked => (
                "not checked",
                format!(" — {}", read.message.as_deref().unwrap_or("")),
            ),
        };
        println!("  {word:<12} {} ({}){detail}", read.what, read.permission);
    }
    println!("Writes a run makes (checked on first use):");
    for write in report.writes {
        let permission = write
            .permission
            .unwrap_or("no permission of its own in Genesys's API documentation");
        println!("  {} ({permission})", write.what);
    }
    let missing: Vec<String> = report
        .missing()
        .map(|r| format!("{} for {}", r.permission, r.what))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(CliError::new(
            exit::AUTH,
            format!(
                "the OAuth client is missing {}. Give the client a role that has it \
                 (Admin > Roles / Permissions, then Admin > OAuth > Roles).",
                missing.join("; ")
            ),
        ))
    }
}

/// A profile that could not be saved, listed or removed: a keychain problem is an
/// authentication problem, anything else a usage one.
fn failure(error: ProfileError) -> CliError {
    let code = match error {
        ProfileError::Keychain(_) => exit::AUTH,
        _ => exit::USAGE,
    };
    CliError::new(code, profile_error_message(&error))
}
